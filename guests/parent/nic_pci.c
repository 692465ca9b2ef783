/*
 * The configuration-space access method of kernel/pci (struct pci_cfg_ops)
 * over the parent's emulated ECAM (guests/lib/pci.c), so the PF driver and
 * the shared capability logic run unchanged in the parent. Segment bits of
 * a bdf are dropped: the parent's window covers one segment.
 */
#include "guests/parent/nic.h"
#include "kernel/pci/pci.h"
/* guests/lib/pci.h's PCI_BDF is its 16-bit form; the kernel's (with a segment) isn't used here. */
#undef PCI_BDF
#include "guests/lib/pci.h"

static uint32_t ecam_read32(void *ctx, uint32_t bdf, uint16_t off)
{
	(void)ctx;
	return pci_read32((pci_bdf_t)(bdf & 0xffff), off);
}

static void ecam_write32(void *ctx, uint32_t bdf, uint16_t off, uint32_t val)
{
	(void)ctx;
	pci_write32((pci_bdf_t)(bdf & 0xffff), off, val);
}

static const struct pci_cfg_ops ecam_ops = {ecam_read32, ecam_write32, NULL};

const struct pci_cfg_ops *nic_pci_ops(void)
{
	return &ecam_ops;
}
