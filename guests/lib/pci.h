/*
 * PCI configuration space through the ECAM window the hypervisor emulates
 * at boot_info.ecam_base. Only the partition's own functions
 * (boot_info.devices[]) answer; the others read all-ones.
 *
 * Every access is one 32-bit MOV: the hypervisor decodes plain mov forms
 * only. 8- and 16-bit writes are read-modify-write of the dword, so they
 * write the other bytes back as read: mind write-1-to-clear bits there
 * (writing Command rewrites Status).
 */
#ifndef GUESTS_LIB_PCI_H
#define GUESTS_LIB_PCI_H

#include "hv/types.h"

/* bus<<8 | device<<3 | function, as boot_info.devices[] holds it (bits 15:0). */
typedef uint16_t pci_bdf_t;

#define PCI_BDF(bus, dev, fn) ((pci_bdf_t)((bus) << 8 | (dev) << 3 | (fn)))
#define PCI_BUS(bdf)	      ((bdf) >> 8)
#define PCI_DEV(bdf)	      (((bdf) >> 3) & 0x1f)
#define PCI_FN(bdf)	      ((bdf)&7)
#define PCI_CFG_SIZE	      4096

/*
 * Reads return all-ones and writes do nothing for a function outside the
 * window, an offset beyond 4 KiB or misaligned for the width, or when the
 * window cannot be mapped.
 */
uint32_t pci_read32(pci_bdf_t bdf, unsigned offset);
uint16_t pci_read16(pci_bdf_t bdf, unsigned offset);
uint8_t pci_read8(pci_bdf_t bdf, unsigned offset);
void pci_write32(pci_bdf_t bdf, unsigned offset, uint32_t value);
void pci_write16(pci_bdf_t bdf, unsigned offset, uint16_t value);
void pci_write8(pci_bdf_t bdf, unsigned offset, uint8_t value);

#endif
