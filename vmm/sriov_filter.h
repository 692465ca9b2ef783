/*
 * SR-IOV programming by a PF's owner, checked by the hypervisor: NumVFs,
 * the System Page Size and the VF BARs may be written while VFs are off;
 * VF Enable is accepted only when every VF BAR range lies inside the
 * memory windows of the bridge above the PF. On VF Enable the hypervisor
 * reads the VFs' routing IDs and BARs from the capability itself and
 * registers them (vmm/pci_dev.h); VFs can't be disabled (nor their memory
 * decoding turned off) while one of them is assigned to a child.
 */
#ifndef VMM_SRIOV_FILTER_H
#define VMM_SRIOV_FILTER_H

#include "vmm/pci_dev.h"

/* true when reg lies in d's SR-IOV capability; then the write was applied or refused. */
bool sriov_filter_write(struct pci_dev *d, uint16_t reg, unsigned size, uint64_t value);

#endif
