/* Checked MSI programming (see msi_filter.h). Layout: PCI spec 6.8.1. */
#include "vmm/msi_filter.h"
#include "hv/log.h"
#include "iommu/iommu.h"
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

#define MSI_SHADOWS 16

/*
 * What the owner programmed, as it reads it back: with interrupt remapping
 * the device holds a remappable address/data instead, which the owner never
 * sees (nor needs to).
 */
struct msi_shadow {
	uint32_t bdf;
	bool used;
	struct msi_regs regs;
};

static struct msi_shadow shadows[MSI_SHADOWS];

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

const char *msi_message_invalid(const struct partition *p, uint32_t addr, uint32_t addr_hi,
				uint32_t data)
{
	if ((addr & MSI_ADDR_BASE_MASK) != MSI_ADDR_BASE || addr_hi)
		return "address-not-an-interrupt";
	if (addr & (MSI_ADDR_LOGICAL | MSI_ADDR_REDIRECTION))
		return "logical-or-redirected";
	if (!owner_cpu(p, MSI_ADDR_DEST(addr)))
		return "foreign-cpu";
	if (MSI_DATA_DELIVERY(data) != 0 || MSI_DATA_VECTOR(data) < 32)
		return "not-fixed-or-low-vector";
	return NULL;
}

int msi_message_route(uint32_t bdf, uint16_t msg, uint32_t addr, uint32_t data,
		      uint32_t *dev_addr, uint32_t *dev_data)
{
	*dev_addr = addr;
	*dev_data = data;
	if (!iommu_ir_enabled())
		return 0;
	return iommu_msi_remap(bdf, msg, MSI_ADDR_DEST(addr), (uint8_t)MSI_DATA_VECTOR(data),
			       dev_addr, dev_data);
}

static const char *invalid(const struct partition *p, const struct msi_regs *r)
{
	if (!(r->ctrl & PCI_MSI_FLAGS_ENABLE))
		return NULL; /* disabled: anything may be staged */
	if (r->ctrl & PCI_MSI_FLAGS_MME)
		return "multiple-messages";
	return msi_message_invalid(p, r->addr, r->addr_hi, r->data);
}

static struct msi_shadow *shadow_of(uint32_t bdf, const struct msi_layout *l)
{
	for (unsigned i = 0; i < MSI_SHADOWS; i++)
		if (shadows[i].used && shadows[i].bdf == bdf)
			return &shadows[i];
	for (unsigned i = 0; i < MSI_SHADOWS; i++)
		if (!shadows[i].used) {
			shadows[i] = (struct msi_shadow){bdf, true, read_regs(bdf, l)};
			return &shadows[i];
		}
	return NULL;
}

/* The values the device gets: remappable through an IRTE when remapping is on. */
static int device_regs(const struct msi_regs *guest, uint32_t bdf, struct msi_regs *dev)
{
	*dev = *guest;
	if (!(guest->ctrl & PCI_MSI_FLAGS_ENABLE))
		return 0;
	dev->addr_hi = 0;
	return msi_message_route(bdf, IOMMU_MSG_MSI(0), guest->addr, guest->data, &dev->addr,
				 &dev->data);
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
	struct msi_shadow *sh;
	struct msi_layout l;
	struct msi_regs r, dev;
	const char *why;

	if (!fn || !fn->caps.msi.offset)
		return false;
	l = layout(&fn->caps.msi);
	/* From the capability header on: a dword write covers ID and next (read-only) too. */
	if (reg < fn->caps.msi.offset || reg >= l.end)
		return false;
	sh = shadow_of(bdf, &l);
	if (!sh)
		return true; /* no room to track it: refused */
	r = sh->regs;
	r.ctrl = pci_cfg_read16(pci_host_ops(), bdf, l.ctrl) & ~PCI_MSI_FLAGS_ENABLE;
	r.ctrl |= sh->regs.ctrl & PCI_MSI_FLAGS_ENABLE;
	apply(&r, &l, reg, size, value);
	why = invalid(p, &r);
	if (!why && device_regs(&r, bdf, &dev))
		why = "no-interrupt-remapping-entry";
	if (why) {
		log_warn("vmm", "msi write refused partition=%s bdf=" PCI_BDF_FMT " reason=%s "
			 "addr=0x%x data=0x%x ctrl=0x%x", partition_name(p), PCI_BDF_ARGS(bdf), why,
			 r.addr, r.data, r.ctrl);
		return true;
	}
	sh->regs = r;
	write_regs(bdf, &l, &dev);
	return true;
}

bool msi_filter_read(uint32_t bdf, uint16_t reg, unsigned size, uint64_t *value)
{
	const struct pci_function *fn = pci_host_find(bdf);
	struct msi_shadow *sh;
	struct msi_layout l;
	uint64_t v = 0;

	if (!fn || !fn->caps.msi.offset)
		return false;
	l = layout(&fn->caps.msi);
	if (reg < fn->caps.msi.offset || reg >= l.end || !(sh = shadow_of(bdf, &l)))
		return false;
	for (unsigned i = 0; i < size; i++) {
		uint16_t at = (uint16_t)(reg + i);
		uint8_t byte = pci_cfg_read8(pci_host_ops(), bdf, at);

		if (at >= l.addr && at < l.addr + 4)
			byte = (uint8_t)(sh->regs.addr >> (8 * (at - l.addr)));
		else if (l.addr_hi && at >= l.addr_hi && at < l.addr_hi + 4)
			byte = (uint8_t)(sh->regs.addr_hi >> (8 * (at - l.addr_hi)));
		else if (at >= l.data && at < l.data + 2)
			byte = (uint8_t)(sh->regs.data >> (8 * (at - l.data)));
		v |= (uint64_t)byte << (8 * i);
	}
	*value = v;
	return true;
}
