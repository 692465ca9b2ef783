/*
 * Base Address Registers: what each slot decodes (I/O or memory, 32 or 64
 * bit, prefetchable), where firmware placed it and how large it is. The size
 * is found the standard way: write all-ones, read back which address bits
 * stuck, restore. While a BAR holds all-ones it may claim any address, so it
 * must not decode meanwhile: the header's BARs are sized with the Command
 * register's decode bits off, SR-IOV VF BARs only while VF MSE is clear.
 */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/pci/pci.h"

/* What reads back from the register after writing all-ones; restores it. */
static uint32_t bar_sizing_read(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t reg)
{
	uint32_t orig = pci_cfg_read32(ops, bdf, reg);

	pci_cfg_write32(ops, bdf, reg, 0xffffffffu);
	uint32_t mask = pci_cfg_read32(ops, bdf, reg);
	pci_cfg_write32(ops, bdf, reg, orig);
	return mask;
}

/* The size is the lowest writable address bit; no writable bit: the BAR is absent. */
static void bar_set_size(struct pci_bar *bar, uint64_t addr_mask)
{
	bar->size_known = true;
	bar->size = addr_mask & (~addr_mask + 1);
	if (!bar->size)
		*bar = (struct pci_bar){.type = PCI_BAR_UNUSED, .size_known = true};
}

static void bar_malformed(struct pci_bar *bar, uint32_t bdf, uint16_t reg, const char *reason)
{
	log_warn("pci", "bar malformed bdf=" PCI_BDF_FMT " reg=0x%x reason=%s", PCI_BDF_ARGS(bdf),
		 reg, reason);
	*bar = (struct pci_bar){.type = PCI_BAR_MALFORMED};
}

static void probe_io(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t reg, uint32_t val,
		     bool may_size, struct pci_bar *bar)
{
	bar->type = PCI_BAR_IO;
	bar->base = val & PCI_BAR_IO_ADDR_MASK;
	if (may_size)
		bar_set_size(bar, bar_sizing_read(ops, bdf, reg) & PCI_BAR_IO_ADDR_MASK);
}

static void probe_mem32(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t reg, uint32_t val,
			bool may_size, struct pci_bar *bar)
{
	bar->type = PCI_BAR_MEM32;
	bar->base = val & PCI_BAR_MEM_ADDR_MASK;
	bar->prefetchable = val & PCI_BAR_MEM_PREFETCH;
	if (may_size)
		bar_set_size(bar, bar_sizing_read(ops, bdf, reg) & PCI_BAR_MEM_ADDR_MASK);
}

static void probe_mem64(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t reg, uint32_t val,
			bool may_size, struct pci_bar *bar)
{
	uint32_t upper = pci_cfg_read32(ops, bdf, reg + 4);

	bar[0].type = PCI_BAR_MEM64;
	bar[0].base = ((uint64_t)upper << 32) | (val & PCI_BAR_MEM_ADDR_MASK);
	bar[0].prefetchable = val & PCI_BAR_MEM_PREFETCH;
	bar[1] = (struct pci_bar){.type = PCI_BAR_MEM64_UPPER};
	if (!may_size)
		return;
	uint64_t lo = bar_sizing_read(ops, bdf, reg) & PCI_BAR_MEM_ADDR_MASK;
	uint64_t hi = bar_sizing_read(ops, bdf, reg + 4);
	bar_set_size(&bar[0], hi << 32 | lo);
	if (bar[0].type == PCI_BAR_UNUSED)
		bar[1].type = PCI_BAR_UNUSED;
}

unsigned pci_bar_probe(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t reg0,
		       struct pci_bar *bars, unsigned slot, unsigned nslots, bool may_size)
{
	uint16_t reg = reg0 + 4 * slot;
	uint32_t val = pci_cfg_read32(ops, bdf, reg);
	struct pci_bar *bar = &bars[slot];

	*bar = (struct pci_bar){.type = PCI_BAR_UNUSED};
	/* Unsized, an all-zero register is taken for an unimplemented BAR. */
	if (!may_size && val == 0)
		return 1;
	if (val & PCI_BAR_SPACE_IO) {
		probe_io(ops, bdf, reg, val, may_size, bar);
		return 1;
	}
	switch (val & PCI_BAR_MEM_TYPE) {
	case PCI_BAR_MEM_TYPE_32:
	case PCI_BAR_MEM_TYPE_1M: /* PCI 2.x "below 1 MiB": a 32-bit BAR, as Linux takes it */
		probe_mem32(ops, bdf, reg, val, may_size, bar);
		return 1;
	case PCI_BAR_MEM_TYPE_64:
		if (slot + 1 >= nslots) {
			bar_malformed(bar, bdf, reg, "64bit-in-last-slot");
			return 1;
		}
		probe_mem64(ops, bdf, reg, val, may_size, bar);
		return 2;
	default:
		bar_malformed(bar, bdf, reg, "reserved-type");
		return 1;
	}
}

/*
 * Host bridges keep decoding while their BARs are probed and are not sized:
 * turning their decode off can take down the platform (Linux keeps it on for
 * them, quirk_mmio_always_on), and sizing a decoding BAR is unsafe.
 */
static bool is_host_bridge(const struct pci_cfg_ops *ops, uint32_t bdf)
{
	return (pci_cfg_read32(ops, bdf, PCI_REVISION_ID) >> 16) == 0x0600;
}

static unsigned bar_slots(const struct pci_cfg_ops *ops, uint32_t bdf)
{
	uint8_t layout = pci_cfg_read8(ops, bdf, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_LAYOUT;

	if (layout == PCI_HEADER_TYPE_NORMAL)
		return PCI_STD_NUM_BARS;
	if (layout == PCI_HEADER_TYPE_BRIDGE)
		return PCI_BRIDGE_NUM_BARS;
	return 0;
}

int pci_bars_probe(const struct pci_cfg_ops *ops, uint32_t bdf,
		   struct pci_bar bars[PCI_STD_NUM_BARS])
{
	const uint16_t decode = PCI_COMMAND_IO | PCI_COMMAND_MEMORY;
	unsigned nslots = bar_slots(ops, bdf);
	bool may_size = !is_host_bridge(ops, bdf);
	uint16_t cmd = pci_cfg_read16(ops, bdf, PCI_COMMAND);
	bool malformed = false;

	memset(bars, 0, sizeof(struct pci_bar) * PCI_STD_NUM_BARS);
	if (may_size && (cmd & decode))
		pci_cfg_write16_ctl(ops, bdf, PCI_COMMAND, cmd & ~decode);
	for (unsigned slot = 0; slot < nslots;) {
		slot += pci_bar_probe(ops, bdf, PCI_BASE_ADDRESS(0), bars, slot, nslots, may_size);
		malformed |= bars[slot - 1].type == PCI_BAR_MALFORMED;
	}
	if (may_size && (cmd & decode))
		pci_cfg_write16_ctl(ops, bdf, PCI_COMMAND, cmd);
	return malformed ? -EBADMSG : (int)nslots;
}
