/*
 * The machine's PCI as the core sees it: ECAM access over the MCFG windows
 * (ports 0xCF8/0xCFC on segment 0 without any, kernel/pci_legacy.c),
 * the enumerated functions of every segment, and bus mastering turned off
 * on every endpoint until a partition that owns it turns it on again.
 */
#ifndef KERNEL_PCI_HOST_H
#define KERNEL_PCI_HOST_H

#include "hv/boot_info.h"
#include "kernel/pci/pci.h"

#define PCI_HOST_MAX_SEGMENTS 4

/* Enumerates every MCFG segment and quiesces bus masters. */
void pci_host_discover(const struct boot_info *bi);
const struct pci_cfg_ops *pci_host_ops(void);
unsigned pci_host_segment_count(void);
const struct pci_topology *pci_host_topology(unsigned segment_index);
unsigned pci_host_function_count(void);
unsigned pci_host_quiesced(void);
/* The enumerated function at bdf, NULL if there is none. */
const struct pci_function *pci_host_find(uint32_t bdf);
/* Refuses (-EINVAL, logged) a VF count that no SR-IOV PF here can provide. */
int pci_host_check_sriov_request(uint32_t vfs);

#endif
