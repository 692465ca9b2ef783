/*
 * SR-IOV: a PF's SR-IOV capability describes its VFs, which do not answer a
 * bus scan (their Vendor ID reads 0xffff). This file reads the capability,
 * checks the counts and routing parameters before anything relies on them,
 * decodes the VF BARs and computes each VF's Routing ID.
 */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/pci/pci.h"

static void sriov_read(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t cap,
		       struct pci_sriov *s)
{
	s->cap = pci_cfg_read32(ops, bdf, cap + PCI_SRIOV_CAP);
	s->ctrl = pci_cfg_read16(ops, bdf, cap + PCI_SRIOV_CTRL);
	s->status = pci_cfg_read16(ops, bdf, cap + PCI_SRIOV_STATUS);
	s->initial_vfs = pci_cfg_read16(ops, bdf, cap + PCI_SRIOV_INITIAL_VF);
	s->total_vfs = pci_cfg_read16(ops, bdf, cap + PCI_SRIOV_TOTAL_VF);
	s->num_vfs = pci_cfg_read16(ops, bdf, cap + PCI_SRIOV_NUM_VF);
	s->func_dep_link = pci_cfg_read8(ops, bdf, cap + PCI_SRIOV_FUNC_LINK);
	s->vf_offset = pci_cfg_read16(ops, bdf, cap + PCI_SRIOV_VF_OFFSET);
	s->vf_stride = pci_cfg_read16(ops, bdf, cap + PCI_SRIOV_VF_STRIDE);
	s->vf_device = pci_cfg_read16(ops, bdf, cap + PCI_SRIOV_VF_DID);
	s->supported_page_sizes = pci_cfg_read32(ops, bdf, cap + PCI_SRIOV_SUP_PGSIZE);
	s->system_page_size = pci_cfg_read32(ops, bdf, cap + PCI_SRIOV_SYS_PGSIZE);
}

/* Names the first inconsistency, or NULL. */
static const char *sriov_problem(const struct pci_sriov *s)
{
	if (s->total_vfs == 0)
		return "total-vfs-0";
	if (s->total_vfs > PCI_SRIOV_MAX_VFS)
		return "total-vfs-above-256";
	if (s->initial_vfs > s->total_vfs)
		return "initial-vfs-above-total";
	if (s->num_vfs > s->total_vfs)
		return "num-vfs-above-total";
	/* Offset 0 would make VF 0 the PF itself. */
	if (s->vf_offset == 0)
		return "first-vf-offset-0";
	if (s->vf_stride == 0 && s->total_vfs > 1)
		return "vf-stride-0";
	return NULL;
}

/* VFs have no I/O space (PCI Express Base 6.0, 9.3.3.14): such a BAR is refused. */
static void sriov_probe_bars(const struct pci_cfg_ops *ops, uint32_t bdf, struct pci_sriov *s)
{
	bool may_size = !(s->ctrl & PCI_SRIOV_CTRL_MSE);
	uint16_t reg0 = s->offset + PCI_SRIOV_BAR;

	for (unsigned i = 0; i < PCI_SRIOV_NUM_BARS;) {
		unsigned n =
		    pci_bar_probe(ops, bdf, reg0, s->vf_bars, i, PCI_SRIOV_NUM_BARS, may_size);
		if (s->vf_bars[i].type == PCI_BAR_IO) {
			log_warn("pci", "sriov vf bar refused bdf=" PCI_BDF_FMT " bar=%u reason=io",
				 PCI_BDF_ARGS(bdf), i);
			s->vf_bars[i] = (struct pci_bar){.type = PCI_BAR_MALFORMED};
		}
		i += n;
	}
	if (!may_size)
		log_info("pci", "sriov vf bars not sized bdf=" PCI_BDF_FMT " reason=vf-mse-set",
			 PCI_BDF_ARGS(bdf));
}

int pci_sriov_parse(const struct pci_cfg_ops *ops, uint32_t pf_bdf, uint16_t cap,
		    struct pci_sriov *s)
{
	memset(s, 0, sizeof(*s));
	if (cap < PCI_EXT_CAP_START || cap > PCI_CFG_SPACE_EXP_SIZE - PCI_SRIOV_CAP_SIZE ||
	    (cap & 3u)) {
		log_warn("pci", "sriov malformed bdf=" PCI_BDF_FMT " cap=0x%x reason=cap-overruns",
			 PCI_BDF_ARGS(pf_bdf), cap);
		return -EINVAL;
	}
	s->offset = cap;
	sriov_read(ops, pf_bdf, cap, s);
	const char *problem = sriov_problem(s);
	if (problem) {
		log_warn("pci",
			 "sriov malformed bdf=" PCI_BDF_FMT " cap=0x%x reason=%s total=%u "
			 "initial=%u num=%u offset=0x%x stride=%u",
			 PCI_BDF_ARGS(pf_bdf), cap, problem, s->total_vfs, s->initial_vfs,
			 s->num_vfs, s->vf_offset, s->vf_stride);
		return -EINVAL;
	}
	sriov_probe_bars(ops, pf_bdf, s);
	s->valid = true;
	return 0;
}

int pci_sriov_vf_rid(const struct pci_sriov *s, uint16_t pf_rid, uint16_t n, uint16_t *rid)
{
	if (!s->valid || n >= s->total_vfs)
		return -EINVAL;
	/* At most 0xffff + 0xffff + 255 * 0xffff: no overflow in 32 bits. */
	uint32_t r = (uint32_t)pf_rid + s->vf_offset + (uint32_t)n * s->vf_stride;
	if (r > 0xffffu)
		return -ERANGE;
	*rid = (uint16_t)r;
	return 0;
}

int pci_sriov_vf_bdf(const struct pci_sriov *s, uint32_t pf_bdf, uint16_t n, uint32_t *bdf)
{
	uint16_t rid;
	int err = pci_sriov_vf_rid(s, PCI_BDF_RID(pf_bdf), n, &rid);

	if (err)
		return err;
	*bdf = (pf_bdf & 0xffff0000u) | rid;
	return 0;
}
