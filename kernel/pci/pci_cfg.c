/*
 * Configuration-space accessors of every width, built on the 32-bit access
 * method so that an ECAM window, a port-I/O mechanism or a test image only has
 * to provide dword reads and writes. The one subtlety is 16-bit writes: the
 * other half of the dword has to be written too, and when it is a Status
 * register with RW1C bits, writing back what was read would clear them.
 */
#include "hv/log.h"
#include "kernel/pci/pci.h"

/* Naturally aligned and inside configuration space; otherwise a caller bug. */
static bool cfg_access_ok(uint32_t bdf, uint16_t off, unsigned width)
{
	if (off <= PCI_CFG_SPACE_EXP_SIZE - width && off % width == 0)
		return true;
	log_error("pci", "bad config access bdf=" PCI_BDF_FMT " off=0x%x width=%u",
		  PCI_BDF_ARGS(bdf), off, width);
	return false;
}

static unsigned byte_shift(uint16_t off)
{
	return (off & 3u) * 8;
}

uint32_t pci_cfg_read32(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t off)
{
	if (!cfg_access_ok(bdf, off, 4))
		return 0xffffffffu;
	return ops->read32(ops->ctx, bdf, off);
}

uint16_t pci_cfg_read16(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t off)
{
	if (!cfg_access_ok(bdf, off, 2))
		return 0xffffu;
	return (uint16_t)(ops->read32(ops->ctx, bdf, off & ~3u) >> byte_shift(off));
}

uint8_t pci_cfg_read8(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t off)
{
	if (!cfg_access_ok(bdf, off, 1))
		return 0xffu;
	return (uint8_t)(ops->read32(ops->ctx, bdf, off & ~3u) >> byte_shift(off));
}

void pci_cfg_write32(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t off, uint32_t val)
{
	if (cfg_access_ok(bdf, off, 4))
		ops->write32(ops->ctx, bdf, off, val);
}

/* Writes val into one half of the dword, the other half being other_half. */
static void write_half(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t off, uint16_t val,
		       uint16_t other_half)
{
	unsigned shift = byte_shift(off);
	uint32_t dword = ((uint32_t)val << shift) | ((uint32_t)other_half << (16 - shift));

	ops->write32(ops->ctx, bdf, off & ~3u, dword);
}

void pci_cfg_write16_ctl(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t off, uint16_t val)
{
	if (cfg_access_ok(bdf, off, 2))
		write_half(ops, bdf, off, val, 0);
}

void pci_cfg_write16(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t off, uint16_t val)
{
	if (off == PCI_COMMAND) {
		pci_cfg_write16_ctl(ops, bdf, off, val);
		return;
	}
	if (!cfg_access_ok(bdf, off, 2))
		return;
	uint32_t dword = ops->read32(ops->ctx, bdf, off & ~3u);
	uint16_t other = (uint16_t)(dword >> (16 - byte_shift(off)));

	write_half(ops, bdf, off, val, other);
}
