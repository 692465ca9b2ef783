/* A partition's view of PCI configuration space (see config_space.h). */
#include "vmm/config_space.h"
#include "hv/log.h"
#include "kernel/pci_host.h"
#include "vmm/msi_filter.h"
#include "vmm/partition.h"
#include "vmm/pci_dev.h"
#include "vmm/sriov_filter.h"

#define OWNER_COMMAND_BITS (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF)
#define OWNER_MSIX_BITS (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL)
#define REFUSALS_LOGGED 8
#define BAR_MEM64 0x4u
#define BAR_PREFETCH 0x8u

static uint64_t writes_refused;

uint64_t config_space_writes_refused(void)
{
	return writes_refused;
}

static uint64_t hw_read(uint32_t bdf, uint16_t reg, unsigned size)
{
	const struct pci_cfg_ops *ops = pci_host_ops();

	switch (size) {
	case 1:
		return pci_cfg_read8(ops, bdf, reg);
	case 2:
		return pci_cfg_read16(ops, bdf, reg);
	case 4:
		return pci_cfg_read32(ops, bdf, reg);
	default: /* 8-byte config access: two dwords, as the bus would split it */
		return pci_cfg_read32(ops, bdf, reg) |
		       (uint64_t)pci_cfg_read32(ops, bdf, (uint16_t)(reg + 4)) << 32;
	}
}

/* Whether the access [reg, reg + size) overlaps the field [f, f + fsize). */
static bool overlaps(uint16_t reg, unsigned size, uint16_t f, unsigned fsize)
{
	return reg < f + fsize && f < reg + size;
}

/* cur with the bytes of the access that fall inside the 16-bit field at f. */
static uint16_t merge16(uint16_t cur, uint16_t reg, unsigned size, uint64_t value, uint16_t f)
{
	for (unsigned i = 0; i < size; i++) {
		int at = reg + (int)i - f;

		if (at == 0 || at == 1)
			cur = (uint16_t)((cur & ~(0xffu << (8 * at))) |
					 (((value >> (8 * i)) & 0xffu) << (8 * at)));
	}
	return cur;
}

/* A VF's BAR register as a type 0 header would show it, from the PF's capability. */
static uint32_t vf_bar_dword(const struct pci_dev *d, unsigned i)
{
	const struct pci_bar *b = &d->bars[i];
	bool sizing = d->bar_sizing & BIT(i);

	if (b->type == PCI_BAR_MEM64_UPPER && i > 0) {
		const struct pci_bar *lo = &d->bars[i - 1];

		return (uint32_t)((sizing ? ~(lo->size - 1) : lo->base) >> 32);
	}
	if (b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64)
		return 0;
	return (uint32_t)((sizing ? ~(b->size - 1) : b->base) & ~0xfULL) |
	       (b->type == PCI_BAR_MEM64 ? BAR_MEM64 : 0) | (b->prefetchable ? BAR_PREFETCH : 0);
}

/* A real VF reads 0xffff as its IDs and 0 in its BARs: the hypervisor fills them in. */
static bool vf_synth_dword(const struct pci_dev *d, uint16_t dw, uint32_t *value)
{
	if (dw == PCI_VENDOR_ID) {
		*value = d->vendor | (uint32_t)d->device << 16;
		return true;
	}
	if (dw >= PCI_BASE_ADDRESS(0) && dw < PCI_BASE_ADDRESS(PCI_STD_NUM_BARS)) {
		*value = vf_bar_dword(d, (dw - PCI_BASE_ADDRESS(0)) / 4);
		return true;
	}
	return false;
}

static uint64_t vf_read(const struct pci_dev *d, uint16_t reg, unsigned size)
{
	uint64_t value = 0;

	for (unsigned i = 0; i < size; i++) {
		uint16_t at = (uint16_t)(reg + i);
		uint32_t dw;

		if (!vf_synth_dword(d, (uint16_t)(at & ~3u), &dw))
			dw = (uint32_t)hw_read(d->bdf, (uint16_t)(at & ~3u), 4);
		value |= (uint64_t)((dw >> (8 * (at & 3))) & 0xffu) << (8 * i);
	}
	return value;
}

uint64_t config_space_read(struct partition *p, uint32_t bdf, uint16_t reg, unsigned size)
{
	struct pci_dev *d = pci_dev_owned_by(p, bdf);
	uint64_t value;

	if (!d || (reg & (size - 1)))
		return ~0ULL;
	if (!d->is_vf && msi_filter_read(bdf, reg, size, &value))
		return value;
	return d->is_vf ? vf_read(d, reg, size) : hw_read(bdf, reg, size);
}

/*
 * The owner may switch memory decoding, bus mastering and INTx on and off:
 * what its driver needs, nothing that moves the device in the address space
 * or changes how it interrupts. A quarantined function stays off the bus.
 */
static bool command_write(struct pci_dev *d, uint16_t reg, unsigned size, uint64_t value)
{
	const struct pci_cfg_ops *ops = pci_host_ops();
	uint16_t cur, cmd;

	if (!overlaps(reg, size, PCI_COMMAND, 2) || reg < PCI_COMMAND)
		return false;
	cur = pci_cfg_read16(ops, d->bdf, PCI_COMMAND);
	cmd = merge16(cur, reg, size, value, PCI_COMMAND);
	cmd = (uint16_t)((cur & ~OWNER_COMMAND_BITS) | (cmd & OWNER_COMMAND_BITS));
	if (d->quarantined)
		cmd &= (uint16_t)~PCI_COMMAND_MASTER;
	pci_cfg_write16(ops, d->bdf, PCI_COMMAND, cmd); /* Status (RW1C) written as 0 */
	d->vf_command = cmd;
	return true;
}

/* MSI-X Enable and Function Mask; the table itself is emulated (vmm/msix_table.h). */
static bool msix_control_write(struct pci_dev *d, uint16_t reg, unsigned size, uint64_t value)
{
	const struct pci_cfg_ops *ops = pci_host_ops();
	uint16_t f = (uint16_t)(d->caps.msix.offset + PCI_MSIX_FLAGS), cur, ctl;

	if (!d->caps.msix.offset || !overlaps(reg, size, f, 2) || reg < d->caps.msix.offset)
		return false;
	cur = pci_cfg_read16(ops, d->bdf, f);
	ctl = merge16(cur, reg, size, value, f);
	pci_cfg_write16_ctl(ops, d->bdf, f,
			    (uint16_t)((cur & ~OWNER_MSIX_BITS) | (ctl & OWNER_MSIX_BITS)));
	return true;
}

/* Sizing a synthesized VF BAR: all-ones makes the next read return the size mask. */
static bool vf_bar_write(struct pci_dev *d, uint16_t reg, unsigned size, uint64_t value)
{
	unsigned i;

	if (!d->is_vf || size != 4 || reg < PCI_BASE_ADDRESS(0) ||
	    reg >= PCI_BASE_ADDRESS(PCI_STD_NUM_BARS))
		return false;
	i = (reg - PCI_BASE_ADDRESS(0)) / 4;
	if ((uint32_t)value == 0xffffffffu)
		d->bar_sizing |= BIT(i);
	else
		d->bar_sizing &= ~BIT(i);
	return true;
}

static bool filtered_write(struct partition *p, struct pci_dev *d, uint16_t reg, unsigned size,
			   uint64_t value)
{
	if (command_write(d, reg, size, value) || msix_control_write(d, reg, size, value) ||
	    vf_bar_write(d, reg, size, value))
		return true;
	if (!d->is_vf && msi_filter_write(p, d->bdf, reg, size, value))
		return true;
	return !d->is_vf && sriov_filter_write(d, reg, size, value);
}

void config_space_write(struct partition *p, uint32_t bdf, uint16_t reg, unsigned size,
			uint64_t value)
{
	struct pci_dev *d;
	bool done;

	pci_dev_lock();
	d = pci_dev_owned_by(p, bdf);
	done = d && !(reg & (size - 1)) && filtered_write(p, d, reg, size, value);
	pci_dev_unlock();
	if (done)
		return;
	if (__atomic_add_fetch(&writes_refused, 1, __ATOMIC_RELAXED) <= REFUSALS_LOGGED)
		log_warn("vmm", "config write refused partition=%s bdf=" PCI_BDF_FMT " reg=0x%x "
			 "size=%u", partition_name(p), PCI_BDF_ARGS(bdf), reg, size);
}
