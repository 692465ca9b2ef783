/*
 * SR-IOV from a PF owner's side, generic PCI (no device driver): enable
 * num VFs with the VF BARs where firmware placed them. The hypervisor
 * checks each write (VF BARs inside the bridge window, NumVFs <= TotalVFs)
 * and learns the VFs itself; a refused write leaves VFs off.
 */
#ifndef GUESTS_LIB_SRIOV_H
#define GUESTS_LIB_SRIOV_H

#include "guests/lib/pci.h"

/* Offset of pf's SR-IOV capability, 0 if none. */
unsigned sriov_find(pci_bdf_t pf);
/* 0, -ENODEV (no capability), -EINVAL (num > TotalVFs), -EIO (the enable didn't take). */
int sriov_enable(pci_bdf_t pf, unsigned num);
int sriov_disable(pci_bdf_t pf);
/* Routing ID of VF n (0-based) of pf, from First VF Offset and VF Stride. */
pci_bdf_t sriov_vf_bdf(pci_bdf_t pf, unsigned n);

#endif
