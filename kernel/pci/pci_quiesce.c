/*
 * Closing DMA windows before the IOMMU is on: every endpoint firmware left
 * with Bus Master Enable set loses it. Bridges keep theirs: a bridge's BME
 * only forwards its secondary side's requests upstream, and with every
 * endpoint below silenced there are none. VFs have a Bus Master Enable of
 * their own, not gated by their PF's, so enabled VFs are cleared as well.
 */
#include "hv/log.h"
#include "kernel/pci/pci.h"

/* Returns true if BME was set and has been cleared. */
static bool clear_bus_master(const struct pci_cfg_ops *ops, uint32_t bdf)
{
	uint16_t cmd = pci_cfg_read16(ops, bdf, PCI_COMMAND);

	/* All-ones: nothing answered, nothing to write to. */
	if (cmd == 0xffffu || !(cmd & PCI_COMMAND_MASTER))
		return false;
	pci_cfg_write16(ops, bdf, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
	log_debug("pci", "bus master cleared bdf=" PCI_BDF_FMT, PCI_BDF_ARGS(bdf));
	return true;
}

/* The VFs as enumeration saw them: VF Enable set and NumVFs of them. */
static unsigned clear_vfs_bus_master(const struct pci_cfg_ops *ops, const struct pci_function *pf)
{
	const struct pci_sriov *s = &pf->caps.sriov;
	unsigned changed = 0;
	uint32_t bdf;

	if (!s->valid || !(s->ctrl & PCI_SRIOV_CTRL_VFE))
		return 0;
	for (uint16_t n = 0; n < s->num_vfs; n++)
		if (!pci_sriov_vf_bdf(s, pf->bdf, n, &bdf) && clear_bus_master(ops, bdf))
			changed++;
	return changed;
}

unsigned pci_disable_bus_master(const struct pci_cfg_ops *ops, struct pci_topology *topo)
{
	unsigned changed = 0;

	for (uint32_t i = 0; i < topo->count; i++) {
		struct pci_function *fn = &topo->fn[i];

		if (fn->header_type != PCI_HEADER_TYPE_NORMAL)
			continue;
		if (clear_bus_master(ops, fn->bdf)) {
			fn->command &= ~PCI_COMMAND_MASTER;
			changed++;
		}
		changed += clear_vfs_bus_master(ops, fn);
	}
	log_info("pci", "bus master disabled functions=%u", changed);
	return changed;
}
