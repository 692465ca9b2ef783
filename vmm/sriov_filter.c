/* Checked SR-IOV capability writes (see sriov_filter.h). PCIe Base 6.0, 9.3.3. */
#include "vmm/sriov_filter.h"
#include "hv/log.h"
#include "kernel/pci_host.h"
#include "vmm/partition.h"

#define CTRL_OWNER_BITS (PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE | PCI_SRIOV_CTRL_ARI)

static void refuse(const struct pci_dev *pf, uint16_t reg, const char *why)
{
	log_warn("vmm", "sriov write refused partition=%s bdf=" PCI_BDF_FMT " reg=0x%x reason=%s",
		 partition_name(pf->owner), PCI_BDF_ARGS(pf->bdf), reg, why);
}

/* Every VF BAR range (per-VF size times NumVFs) inside the bridge's windows. */
static const char *bars_misplaced(const struct pci_dev *pf)
{
	const struct pci_cfg_ops *ops = pci_host_ops();
	const struct pci_function *fn = pci_host_find(pf->bdf);
	uint16_t cap = pf->caps.sriov.offset;
	uint16_t num = pci_cfg_read16(ops, pf->bdf, (uint16_t)(cap + PCI_SRIOV_NUM_VF));
	struct pci_window w[2];
	unsigned n;

	if (!fn || !fn->has_parent)
		return "no-bridge-above";
	if (num == 0)
		return "num-vfs-0";
	n = pci_bridge_windows(ops, fn->parent_bdf, w);
	for (unsigned i = 0; i < PCI_SRIOV_NUM_BARS; i++) {
		const struct pci_bar *boot = &pf->caps.sriov.vf_bars[i];
		uint64_t base;

		if (boot->type != PCI_BAR_MEM32 && boot->type != PCI_BAR_MEM64)
			continue;
		if (!boot->size_known || !boot->size)
			return "vf-bar-size-unknown";
		base = pci_cfg_read32(ops, pf->bdf, (uint16_t)(cap + PCI_SRIOV_BAR + 4 * i)) &
		       ~0xfULL;
		if (boot->type == PCI_BAR_MEM64)
			base |= (uint64_t)pci_cfg_read32(ops, pf->bdf,
							 (uint16_t)(cap + PCI_SRIOV_BAR + 4 * i + 4))
				<< 32;
		if (base & (boot->size - 1))
			return "vf-bar-misaligned";
		if (!pci_range_in_windows(w, n, base, boot->size * num))
			return "vf-bar-outside-bridge-window";
	}
	return NULL;
}

static bool vf_busy(const struct pci_dev *pf)
{
	for (unsigned i = 0; pci_dev_at(i); i++) {
		const struct pci_dev *d = pci_dev_at(i);

		if (d->is_vf && d->pf_bdf == pf->bdf && d->owner != pf->owner)
			return true;
	}
	return false;
}

static bool control_write(struct pci_dev *pf, uint16_t reg, uint16_t value)
{
	const struct pci_cfg_ops *ops = pci_host_ops();
	uint16_t old = pci_cfg_read16(ops, pf->bdf, reg);
	uint16_t ctrl = (uint16_t)((old & ~CTRL_OWNER_BITS) | (value & CTRL_OWNER_BITS));
	bool enabling = !(old & PCI_SRIOV_CTRL_VFE) && (ctrl & PCI_SRIOV_CTRL_VFE);
	bool disabling = (old & PCI_SRIOV_CTRL_VFE) && !(ctrl & PCI_SRIOV_CTRL_VFE);
	const char *why = NULL;

	if (ctrl == old)
		return true;
	if (vf_busy(pf))
		why = "vf-assigned-to-a-child";
	else if (enabling)
		why = bars_misplaced(pf);
	if (why) {
		refuse(pf, reg, why);
		return true;
	}
	if (disabling)
		pci_dev_remove_vfs(pf);
	pci_cfg_write16_ctl(ops, pf->bdf, reg, ctrl);
	if (enabling && pci_dev_add_vfs(pf)) {
		refuse(pf, reg, "vfs-unusable");
		pci_cfg_write16_ctl(ops, pf->bdf, reg, old);
		return true;
	}
	log_info("vmm", "sriov control partition=%s bdf=" PCI_BDF_FMT " ctrl=0x%x vfs=%u",
		 partition_name(pf->owner), PCI_BDF_ARGS(pf->bdf), ctrl, pci_dev_vf_count(pf));
	return true;
}

/* NumVFs, System Page Size, VF BARs: only while VFs are off (their layout is fixed then). */
static bool layout_write(struct pci_dev *pf, uint16_t reg, unsigned size, uint64_t value)
{
	const struct pci_cfg_ops *ops = pci_host_ops();
	uint16_t cap = pf->caps.sriov.offset;
	uint16_t ctrl = pci_cfg_read16(ops, pf->bdf, (uint16_t)(cap + PCI_SRIOV_CTRL));

	if (ctrl & (PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE)) {
		refuse(pf, reg, "vfs-enabled");
		return true;
	}
	/* NumVFs, or the dword it shares with the read-only Function Dependency Link. */
	if (reg == cap + PCI_SRIOV_NUM_VF && (size == 2 || size == 4)) {
		value &= 0xffff;
		if (value > pf->caps.sriov.total_vfs)
			refuse(pf, reg, "num-vfs-above-total");
		else
			pci_cfg_write16_ctl(ops, pf->bdf, reg, (uint16_t)value);
		return true;
	}
	if (size == 4 && (reg == cap + PCI_SRIOV_SYS_PGSIZE ||
			  (reg >= cap + PCI_SRIOV_BAR &&
			   reg < cap + PCI_SRIOV_BAR + 4 * PCI_SRIOV_NUM_BARS))) {
		pci_cfg_write32(ops, pf->bdf, reg, (uint32_t)value);
		return true;
	}
	refuse(pf, reg, "register-not-writable");
	return true;
}

bool sriov_filter_write(struct pci_dev *pf, uint16_t reg, unsigned size, uint64_t value)
{
	uint16_t cap = pf->caps.sriov.offset;

	if (!cap || reg < cap || reg >= cap + PCI_SRIOV_CAP_SIZE)
		return false;
	if (reg == cap + PCI_SRIOV_CTRL && (size == 2 || size == 4))
		return control_write(pf, reg, (uint16_t)value); /* Status (RW1C) left alone */
	return layout_write(pf, reg, size, value);
}
