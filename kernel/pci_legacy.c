/*
 * Configuration mechanism #1 (see pci_legacy.h). An access is two port
 * operations, address then data, so a lock keeps another CPU's access from
 * slipping in between. Offsets at or above 256 read all-ones and ignore
 * writes: the address register has no room for them.
 */
#include "kernel/pci_legacy.h"
#include "kernel/spinlock.h"

#define PCI_CONF1_ADDRESS 0xcf8
#define PCI_CONF1_DATA	  0xcfc
#define PCI_CONF1_ENABLE  BIT(31)
#define PCI_CONF1_LIMIT	  0x100

static struct spinlock conf1_lock = SPINLOCK_INIT;

static const struct mcfg_allocation legacy_window = {
    .base = 0, .segment = 0, .start_bus = 0, .end_bus = 0xff};

static bool reachable(uint32_t bdf, uint16_t off)
{
	return PCI_BDF_SEG(bdf) == 0 && off < PCI_CONF1_LIMIT && !(off & 3);
}

static uint32_t conf1_address(uint32_t bdf, uint16_t off)
{
	return (uint32_t)PCI_CONF1_ENABLE | (uint32_t)PCI_BDF_RID(bdf) << 8 | off;
}

static uint32_t conf1_read32(void *ctx, uint32_t bdf, uint16_t off)
{
	uint64_t flags;
	uint32_t v;

	(void)ctx;
	if (!reachable(bdf, off))
		return 0xffffffffu;
	flags = spin_lock_irqsave(&conf1_lock);
	outl(PCI_CONF1_ADDRESS, conf1_address(bdf, off));
	v = inl(PCI_CONF1_DATA);
	spin_unlock_irqrestore(&conf1_lock, flags);
	return v;
}

static void conf1_write32(void *ctx, uint32_t bdf, uint16_t off, uint32_t val)
{
	uint64_t flags;

	(void)ctx;
	if (!reachable(bdf, off))
		return;
	flags = spin_lock_irqsave(&conf1_lock);
	outl(PCI_CONF1_ADDRESS, conf1_address(bdf, off));
	outl(PCI_CONF1_DATA, val);
	spin_unlock_irqrestore(&conf1_lock, flags);
}

static const struct pci_cfg_ops conf1_ops = {conf1_read32, conf1_write32, NULL};

/* The probe Linux uses (arch/x86/pci/direct.c): the enable bit reads back. */
bool pci_legacy_present(void)
{
	uint64_t flags = spin_lock_irqsave(&conf1_lock);
	uint32_t saved = inl(PCI_CONF1_ADDRESS);
	bool present;

	outl(PCI_CONF1_ADDRESS, PCI_CONF1_ENABLE);
	present = inl(PCI_CONF1_ADDRESS) == PCI_CONF1_ENABLE;
	outl(PCI_CONF1_ADDRESS, saved);
	spin_unlock_irqrestore(&conf1_lock, flags);
	return present;
}

const struct pci_cfg_ops *pci_legacy_ops(void)
{
	return &conf1_ops;
}

const struct mcfg_allocation *pci_legacy_window(void)
{
	return &legacy_window;
}
