/*
 * MSI-X tables of assigned functions, emulated: the pages holding a table
 * or its PBA are not mapped into the owner (vmm/device_mmio.c), so each of
 * its accesses there exits and lands here. The owner reads back what it
 * wrote; the device's real entry stays masked unless the owner's entry is
 * unmasked and valid for it (own CPU, fixed delivery, vector >= 32), and
 * then holds the remappable address/data of an IRTE the hypervisor filled
 * (interrupt remapping), never the owner's values. The PBA and any other
 * register sharing those pages are passed through.
 */
#ifndef VMM_MSIX_TABLE_H
#define VMM_MSIX_TABLE_H

#include "vmm/pci_dev.h"

/* The function owned by p whose MSI-X table or PBA page holds gpa, or NULL. */
struct pci_dev *msix_table_lookup(const struct partition *p, uint64_t gpa);
/* One access of 4 or 8 bytes at gpa (others read as all-ones and are dropped). */
uint64_t msix_table_read(struct pci_dev *d, uint64_t gpa, unsigned size);
void msix_table_write(struct pci_dev *d, uint64_t gpa, unsigned size, uint64_t value);
/* Every real entry masked, the owner's view back to reset state (masked, zero). */
int msix_table_reset(struct pci_dev *d);

#endif
