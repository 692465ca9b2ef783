/* Checked MSI programming (see msi_filter.h). Layout: PCI spec 6.8.1. */
#include "vmm/msi_filter.h"
#include "hv/log.h"
#include "kernel/pci_host.h"

#define MSI_ADDR_BASE_MASK 0xfff00000u
#define MSI_ADDR_BASE 0xfee00000u
#define MSI_ADDR_DEST(a) (((a) >> 12) & 0xff)
#define MSI_ADDR_REDIRECTION BIT(3)
#define MSI_ADDR_LOGICAL BIT(2)
#define MSI_DATA_VECTOR(d) ((d) & 0xff)
#define MSI_DATA_DELIVERY(d) (((d) >> 8) & 7)

struct msi_regs {
	uint16_t ctrl;
	uint32_t addr, addr_hi, data;
};

/* Offsets of the capability's registers; the capability is 10 or 14 bytes (+ masks). */
struct msi_layout {
	uint16_t ctrl, addr, addr_hi, data, end;
};

static struct msi_layout layout(const struct pci_msi *m)
{
	uint16_t o = m->offset;

	if (m->is64)
		return (struct msi_layout){o + 2, o + 4, o + 8, o + 12, o + 14};
	return (struct msi_layout){o + 2, o + 4, 0, o + 8, o + 10};
}

static struct msi_regs read_regs(uint32_t bdf, const struct msi_layout *l)
{
	const struct pci_cfg_ops *ops = pci_host_ops();

	return (struct msi_regs){pci_cfg_read16(ops, bdf, l->ctrl), pci_cfg_read32(ops, bdf, l->addr),
				 l->addr_hi ? pci_cfg_read32(ops, bdf, l->addr_hi) : 0,
				 pci_cfg_read16(ops, bdf, l->data)};
}

/* The new register values if the write is applied to the current ones. */
static void apply(struct msi_regs *r, const struct msi_layout *l, uint16_t reg, unsigned size,
		  uint64_t value)
{
	for (unsigned i = 0; i < size; i++) {
		uint16_t at = (uint16_t)(reg + i);
		uint8_t byte = (uint8_t)(value >> (8 * i));

		if (at >= l->ctrl && at < l->ctrl + 2)
			r->ctrl = (uint16_t)((r->ctrl & ~(0xffu << (8 * (at - l->ctrl)))) |
					     (uint16_t)(byte << (8 * (at - l->ctrl))));
		else if (at >= l->addr && at < l->addr + 4)
			r->addr = (r->addr & ~(0xffu << (8 * (at - l->addr)))) |
				  ((uint32_t)byte << (8 * (at - l->addr)));
		else if (l->addr_hi && at >= l->addr_hi && at < l->addr_hi + 4)
			r->addr_hi = (r->addr_hi & ~(0xffu << (8 * (at - l->addr_hi)))) |
				     ((uint32_t)byte << (8 * (at - l->addr_hi)));
		else if (at >= l->data && at < l->data + 2)
			r->data = (r->data & ~(0xffu << (8 * (at - l->data)))) |
				  ((uint32_t)byte << (8 * (at - l->data)));
	}
}

static bool owner_cpu(const struct partition *p, uint32_t apic_id)
{
	for (unsigned i = 0; i < p->vcpu_count; i++)
		if (p->vcpus[i]->apic_id == apic_id)
			return true;
	return false;
}

static const char *invalid(const struct partition *p, const struct msi_regs *r)
{
	if (!(r->ctrl & PCI_MSI_FLAGS_ENABLE))
		return NULL; /* disabled: anything may be staged */
	if ((r->addr & MSI_ADDR_BASE_MASK) != MSI_ADDR_BASE || r->addr_hi)
		return "address-not-an-interrupt";
	if (r->addr & (MSI_ADDR_LOGICAL | MSI_ADDR_REDIRECTION))
		return "logical-or-redirected";
	if (!owner_cpu(p, MSI_ADDR_DEST(r->addr)))
		return "foreign-cpu";
	if (MSI_DATA_DELIVERY(r->data) != 0 || MSI_DATA_VECTOR(r->data) < 32)
		return "not-fixed-or-low-vector";
	if (r->ctrl & PCI_MSI_FLAGS_MME)
		return "multiple-messages";
	return NULL;
}

static void write_regs(uint32_t bdf, const struct msi_layout *l, const struct msi_regs *r)
{
	const struct pci_cfg_ops *ops = pci_host_ops();

	/* Disable first, then address/data, then the new control: never a half-set MSI. */
	pci_cfg_write16_ctl(ops, bdf, l->ctrl, (uint16_t)(r->ctrl & ~PCI_MSI_FLAGS_ENABLE));
	pci_cfg_write32(ops, bdf, l->addr, r->addr);
	if (l->addr_hi)
		pci_cfg_write32(ops, bdf, l->addr_hi, r->addr_hi);
	pci_cfg_write16_ctl(ops, bdf, l->data, (uint16_t)r->data);
	pci_cfg_write16_ctl(ops, bdf, l->ctrl, r->ctrl);
}

bool msi_filter_write(struct partition *p, uint32_t bdf, uint16_t reg, unsigned size,
		      uint64_t value)
{
	const struct pci_function *fn = pci_host_find(bdf);
	struct msi_layout l;
	struct msi_regs r;
	const char *why;

	if (!fn || !fn->caps.msi.offset)
		return false;
	l = layout(&fn->caps.msi);
	/* From the capability header on: a dword write covers ID and next (read-only) too. */
	if (reg < fn->caps.msi.offset || reg >= l.end)
		return false;
	r = read_regs(bdf, &l);
	apply(&r, &l, reg, size, value);
	why = invalid(p, &r);
	if (why) {
		log_warn("vmm", "msi write refused partition=%s bdf=" PCI_BDF_FMT " reason=%s "
			 "addr=0x%x data=0x%x ctrl=0x%x", partition_name(p), PCI_BDF_ARGS(bdf), why,
			 r.addr, r.data, r.ctrl);
		return true;
	}
	write_regs(bdf, &l, &r);
	return true;
}
