/*
 * The registers of the functions a partition owns: their memory BARs are
 * mapped into the owner's nested tables at their host address (uncached),
 * so its driver reaches them without exits. The pages holding an MSI-X
 * table or PBA stay unmapped: interrupt programming must go through the
 * hypervisor (interrupt remapping), never straight to the device.
 */
#ifndef VMM_DEVICE_MMIO_H
#define VMM_DEVICE_MMIO_H

#include "vmm/partition.h"
#include "vmm/pci_dev.h"

int device_mmio_map(struct partition *p, const struct pci_dev *d);
/* Removes the mappings; the caller makes p's vCPUs drop cached translations. */
int device_mmio_unmap(struct partition *p, const struct pci_dev *d);

#endif
