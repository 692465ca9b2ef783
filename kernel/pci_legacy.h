/*
 * PCI configuration access mechanism #1 (I/O ports 0xCF8/0xCFC, PCI Local
 * Bus Specification 3.0, 3.2.2.3.2) for machines without an ECAM window in
 * an MCFG table, such as Bochs. It reaches only the first 256 bytes of each
 * function of segment 0: extended capabilities (SR-IOV, AER, ARI) read as
 * absent. kernel/pci_host.c falls back to it.
 */
#ifndef KERNEL_PCI_LEGACY_H
#define KERNEL_PCI_LEGACY_H

#include "kernel/acpi/mcfg.h"
#include "kernel/pci/pci.h"

/* Whether the host bridge answers on 0xCF8 (the address register reads back). */
bool pci_legacy_present(void);
const struct pci_cfg_ops *pci_legacy_ops(void);
/* The window the ports reach, in the shape of an MCFG entry: segment 0, every bus. */
const struct mcfg_allocation *pci_legacy_window(void);

#endif
