/*
 * Decoding the capabilities the core uses out of a function's two lists:
 * MSI and MSI-X (interrupt remapping and guest interrupt set-up), PCI
 * Express (port type, FLR for resetting functions between guests, ARI
 * forwarding for the bus scan), AER, ARI and SR-IOV, plus the list of every
 * id found for the inventory. A capability whose registers would run past
 * the end of its list's space is refused, not read.
 */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/pci/pci.h"

struct cap_ctx {
	const struct pci_cfg_ops *ops;
	uint32_t bdf;
	struct pci_caps *caps;
};

/* The capability's len bytes at off fit below limit; else refuse it. */
static bool cap_fits(struct cap_ctx *c, const char *name, uint16_t off, unsigned len,
		     unsigned limit)
{
	if (off + len <= limit)
		return true;
	log_warn("pci", "cap refused bdf=" PCI_BDF_FMT " cap=%s off=0x%x len=%u reason=overruns",
		 PCI_BDF_ARGS(c->bdf), name, off, len);
	c->caps->malformed = true;
	return false;
}

static void decode_msi(struct cap_ctx *c, uint16_t off)
{
	struct pci_msi *msi = &c->caps->msi;
	uint16_t ctl = pci_cfg_read16(c->ops, c->bdf, off + PCI_MSI_FLAGS);
	bool is64 = ctl & PCI_MSI_FLAGS_64BIT, mask = ctl & PCI_MSI_FLAGS_MASKBIT;

	if (!cap_fits(c, "msi", off, PCI_MSI_CAP_SIZE(is64, mask), PCI_CFG_SPACE_SIZE))
		return;
	msi->offset = (uint8_t)off;
	msi->is64 = is64;
	msi->per_vector_mask = mask;
	msi->mmc_log2 = (ctl & PCI_MSI_FLAGS_MMC) >> 1;
	msi->enabled = ctl & PCI_MSI_FLAGS_ENABLE;
	/* Reserved encodings: use the largest defined count. */
	if (msi->mmc_log2 > PCI_MSI_MMC_MAX_LOG2) {
		log_warn("pci", "msi mmc reserved bdf=" PCI_BDF_FMT " mmc=%u", PCI_BDF_ARGS(c->bdf),
			 msi->mmc_log2);
		msi->mmc_log2 = PCI_MSI_MMC_MAX_LOG2;
	}
}

static void decode_msix(struct cap_ctx *c, uint16_t off)
{
	struct pci_msix *msix = &c->caps->msix;

	if (!cap_fits(c, "msix", off, sizeof(struct pci_msix_cap), PCI_CFG_SPACE_SIZE))
		return;
	uint16_t ctl = pci_cfg_read16(c->ops, c->bdf, off + PCI_MSIX_FLAGS);
	uint32_t table = pci_cfg_read32(c->ops, c->bdf, off + PCI_MSIX_TABLE);
	uint32_t pba = pci_cfg_read32(c->ops, c->bdf, off + PCI_MSIX_PBA);

	/* BIR 6 and 7 are reserved: no BAR holds the table. */
	if ((table & PCI_MSIX_BIR) >= PCI_STD_NUM_BARS ||
	    (pba & PCI_MSIX_BIR) >= PCI_STD_NUM_BARS) {
		log_warn("pci", "cap refused bdf=" PCI_BDF_FMT " cap=msix off=0x%x reason=bir",
			 PCI_BDF_ARGS(c->bdf), off);
		c->caps->malformed = true;
		return;
	}
	msix->offset = (uint8_t)off;
	msix->table_size = (ctl & PCI_MSIX_FLAGS_QSIZE) + 1;
	msix->table_bir = table & PCI_MSIX_BIR;
	msix->table_offset = table & PCI_MSIX_OFFSET_MASK;
	msix->pba_bir = pba & PCI_MSIX_BIR;
	msix->pba_offset = pba & PCI_MSIX_OFFSET_MASK;
	msix->enabled = ctl & PCI_MSIX_FLAGS_ENABLE;
	msix->function_masked = ctl & PCI_MSIX_FLAGS_MASKALL;
}

/* Root Complex integrated endpoints and event collectors have no link. */
static bool exp_has_link(uint8_t type)
{
	return type != PCI_EXP_TYPE_RC_END && type != PCI_EXP_TYPE_RC_EC;
}

static void decode_exp_link(struct cap_ctx *c, uint16_t off, struct pci_express *e)
{
	uint32_t lnkcap = pci_cfg_read32(c->ops, c->bdf, off + PCI_EXP_LNKCAP);
	uint16_t lnksta = pci_cfg_read16(c->ops, c->bdf, off + PCI_EXP_LNKSTA);

	e->has_link = true;
	e->max_link_speed = lnkcap & PCI_EXP_LNKCAP_SLS;
	e->max_link_width = (lnkcap & PCI_EXP_LNKCAP_MLW) >> 4;
	e->link_speed = lnksta & PCI_EXP_LNKSTA_CLS;
	e->link_width = (lnksta & PCI_EXP_LNKSTA_NLW) >> 4;
}

static void decode_exp(struct cap_ctx *c, uint16_t off)
{
	struct pci_express *e = &c->caps->pcie;
	uint16_t flags = pci_cfg_read16(c->ops, c->bdf, off + PCI_EXP_FLAGS);
	uint8_t version = flags & PCI_EXP_FLAGS_VERS;
	unsigned len = version >= 2 ? PCI_EXP_CAP_V2_SIZE : PCI_EXP_CAP_V1_SIZE;

	if (!cap_fits(c, "pcie", off, len, PCI_CFG_SPACE_SIZE))
		return;
	e->offset = (uint8_t)off;
	e->version = version;
	e->port_type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;
	e->slot = flags & PCI_EXP_FLAGS_SLOT;
	e->flr = pci_cfg_read32(c->ops, c->bdf, off + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR;
	if (exp_has_link(e->port_type))
		decode_exp_link(c, off, e);
	/* ARI forwarding is a property of the Downstream Port, in version 2 registers. */
	bool downstream =
	    e->port_type == PCI_EXP_TYPE_ROOT_PORT || e->port_type == PCI_EXP_TYPE_DOWNSTREAM;
	if (version >= 2 && downstream)
		e->ari_forwarding =
		    pci_cfg_read16(c->ops, c->bdf, off + PCI_EXP_DEVCTL2) & PCI_EXP_DEVCTL2_ARI;
}

static void decode_ari(struct cap_ctx *c, uint16_t off)
{
	if (!cap_fits(c, "ari", off, sizeof(struct pci_ari_cap), PCI_CFG_SPACE_EXP_SIZE))
		return;
	c->caps->ari.offset = off;
	c->caps->ari.next_fn = PCI_ARI_CAP_NFN(pci_cfg_read16(c->ops, c->bdf, off + PCI_ARI_CAP));
}

/* Only the first instance of each capability counts; later ones are listed. */
static void decode_std(struct cap_ctx *c, uint16_t id, uint16_t off)
{
	struct pci_caps *caps = c->caps;

	if (id == PCI_CAP_ID_MSI && !caps->msi.offset)
		decode_msi(c, off);
	else if (id == PCI_CAP_ID_MSIX && !caps->msix.offset)
		decode_msix(c, off);
	else if (id == PCI_CAP_ID_EXP && !caps->pcie.offset)
		decode_exp(c, off);
}

static void decode_ext(struct cap_ctx *c, uint16_t id, uint16_t off)
{
	struct pci_caps *caps = c->caps;

	if (id == PCI_EXT_CAP_ID_ERR && !caps->aer_offset)
		caps->aer_offset = off;
	else if (id == PCI_EXT_CAP_ID_ARI && !caps->ari.offset)
		decode_ari(c, off);
	else if (id == PCI_EXT_CAP_ID_SRIOV && !caps->sriov.offset &&
		 pci_sriov_parse(c->ops, c->bdf, off, &caps->sriov))
		caps->malformed = true;
}

static void list_entry(struct pci_caps *caps, struct pci_cap_entry *list, uint8_t *count,
		       uint16_t id, uint16_t off)
{
	if (*count >= PCI_CAPS_LISTED) {
		caps->list_truncated = true;
		return;
	}
	list[*count] = (struct pci_cap_entry){.id = id, .offset = off};
	(*count)++;
}

int pci_caps_parse(const struct pci_cfg_ops *ops, uint32_t bdf, struct pci_caps *caps)
{
	struct cap_ctx c = {.ops = ops, .bdf = bdf, .caps = caps};
	struct pci_cap_walk w;
	uint16_t id, off;

	memset(caps, 0, sizeof(*caps));
	pci_cap_walk_init(&w, ops, bdf);
	while ((off = pci_cap_walk_next(&w, &id))) {
		list_entry(caps, caps->std, &caps->std_count, id, off);
		decode_std(&c, id, off);
	}
	caps->malformed |= w.cut;
	/* The extended list exists only for PCI Express functions. */
	if (caps->pcie.offset) {
		pci_ext_cap_walk_init(&w, ops, bdf);
		while ((off = pci_cap_walk_next(&w, &id))) {
			list_entry(caps, caps->ext, &caps->ext_count, id, off);
			decode_ext(&c, id, off);
		}
		caps->malformed |= w.cut;
	}
	return caps->malformed ? -EBADMSG : 0;
}
