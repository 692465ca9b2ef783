/*
 * Decodes a VT-d unit's VER/CAP/ECAP registers into struct vtd_caps, checks
 * the result against the unit's register window, picks the page-table depth
 * and formats a one-line summary. Bit positions: VT-d specification,
 * section 11.4.2-11.4.3 (iommu/vtd_regs.h).
 */
#include "iommu/vtd_caps.h"
#include "iommu/vtd_regs.h"
#include "hv/errno.h"
#include "hv/format.h"
#include "hv/log.h"

/* The base registers this project programs end with IRTA_REG. */
#define VTD_BASE_REGS_END (VTD_IRTA_REG + 8)

static const struct {
	uint8_t sagaw_bit;
	unsigned bits;
} vtd_agaw_table[VTD_MAX_AGAWS] = {
    {VTD_SAGAW_39, 39},
    {VTD_SAGAW_48, 48},
    {VTD_SAGAW_57, 57},
};

static bool has(uint64_t reg, uint64_t bit)
{
	return (reg & bit) != 0;
}

/* SAGAW bit 0 (30-bit, 2-level) and bit 4 are reserved: never offered. */
static void decode_agaws(struct vtd_caps *out)
{
	out->agaw_count = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(vtd_agaw_table); i++)
		if (out->sagaw & vtd_agaw_table[i].sagaw_bit)
			out->agaws[out->agaw_count++] = vtd_agaw_table[i].bits;
}

static void decode_cap(uint64_t cap, struct vtd_caps *out)
{
	unsigned nd = (unsigned)vtd_get(cap, VTD_CAP_ND);
	unsigned sllps = (unsigned)vtd_get(cap, VTD_CAP_SLLPS);

	out->nd_reserved = nd == 7;
	out->domain_id_bits = out->nd_reserved ? 0 : 4 + 2 * nd;
	out->domains = out->nd_reserved ? 0 : 1U << out->domain_id_bits;
	out->sagaw = (uint8_t)vtd_get(cap, VTD_CAP_SAGAW);
	decode_agaws(out);
	out->mgaw = (unsigned)vtd_get(cap, VTD_CAP_MGAW) + 1;
	out->large_2m = has(sllps, VTD_SLLPS_2M);
	out->large_1g = has(sllps, VTD_SLLPS_1G);
	out->caching_mode = has(cap, VTD_CAP_CM);
	out->rwbf = has(cap, VTD_CAP_RWBF);
	out->afl = has(cap, VTD_CAP_AFL);
	out->plmr = has(cap, VTD_CAP_PLMR);
	out->phmr = has(cap, VTD_CAP_PHMR);
	out->zlr = has(cap, VTD_CAP_ZLR);
	out->psi = has(cap, VTD_CAP_PSI);
	out->dwd = has(cap, VTD_CAP_DWD);
	out->drd = has(cap, VTD_CAP_DRD);
	out->fl1gp = has(cap, VTD_CAP_FL1GP);
	out->pi = has(cap, VTD_CAP_PI);
	out->fl5lp = has(cap, VTD_CAP_FL5LP);
	out->esirtps = has(cap, VTD_CAP_ESIRTPS);
	out->esrtps = has(cap, VTD_CAP_ESRTPS);
	out->nfr = (unsigned)vtd_get(cap, VTD_CAP_NFR) + 1;
	out->fro = (uint32_t)vtd_get(cap, VTD_CAP_FRO) * 16;
	out->mamv = (unsigned)vtd_get(cap, VTD_CAP_MAMV);
}

static void decode_ecap(uint64_t ecap, struct vtd_caps *out)
{
	out->coherent = has(ecap, VTD_ECAP_C);
	out->qi = has(ecap, VTD_ECAP_QI);
	out->dt = has(ecap, VTD_ECAP_DT);
	out->ir = has(ecap, VTD_ECAP_IR);
	out->eim = has(ecap, VTD_ECAP_EIM);
	out->pt = has(ecap, VTD_ECAP_PT);
	out->sc = has(ecap, VTD_ECAP_SC);
	out->iro = (uint32_t)vtd_get(ecap, VTD_ECAP_IRO) * 16;
	out->mhmv = (unsigned)vtd_get(ecap, VTD_ECAP_MHMV);
	out->mts = has(ecap, VTD_ECAP_MTS);
	out->nest = has(ecap, VTD_ECAP_NEST);
	out->prs = has(ecap, VTD_ECAP_PRS);
	out->ers = has(ecap, VTD_ECAP_ERS);
	out->srs = has(ecap, VTD_ECAP_SRS);
	out->nwfs = has(ecap, VTD_ECAP_NWFS);
	out->eafs = has(ecap, VTD_ECAP_EAFS);
	out->pss = (unsigned)vtd_get(ecap, VTD_ECAP_PSS);
	out->pasid = has(ecap, VTD_ECAP_PASID);
	out->dit = has(ecap, VTD_ECAP_DIT);
	out->pds = has(ecap, VTD_ECAP_PDS);
	out->smts = has(ecap, VTD_ECAP_SMTS);
	out->slads = has(ecap, VTD_ECAP_SLADS);
	out->slts = has(ecap, VTD_ECAP_SLTS);
	out->flts = has(ecap, VTD_ECAP_FLTS);
}

static uint32_t frcd_end(const struct vtd_caps *caps)
{
	return caps->fro + caps->nfr * VTD_FRCD_SIZE;
}

static uint32_t iotlb_end(const struct vtd_caps *caps)
{
	return caps->iro + VTD_IOTLB_SET_SIZE;
}

void vtd_decode_caps(uint32_t ver, uint64_t cap, uint64_t ecap, struct vtd_caps *out)
{
	*out = (struct vtd_caps){
	    .ver_major = (unsigned)vtd_get(ver, VTD_VER_MAX),
	    .ver_minor = (unsigned)vtd_get(ver, VTD_VER_MIN),
	};
	decode_cap(cap, out);
	decode_ecap(ecap, out);
	out->reg_span = MAX(MAX(frcd_end(out), iotlb_end(out)), (uint32_t)VTD_BASE_REGS_END);
}

static bool ranges_overlap(uint32_t a, uint32_t a_end, uint32_t b, uint32_t b_end)
{
	return a < b_end && b < a_end;
}

static int check_register_sets(const struct vtd_caps *caps, uint64_t reg_size)
{
	if (caps->fro < VTD_BASE_REGS_END || caps->iro < VTD_BASE_REGS_END) {
		log_warn("vtd", "refused: register sets overlap base registers fro=%#x iro=%#x",
			 caps->fro, caps->iro);
		return -EINVAL;
	}
	if (ranges_overlap(caps->fro, frcd_end(caps), caps->iro, iotlb_end(caps))) {
		log_warn("vtd",
			 "refused: fault records overlap IOTLB registers fro=%#x nfr=%u iro=%#x",
			 caps->fro, caps->nfr, caps->iro);
		return -EINVAL;
	}
	if (caps->reg_span > reg_size) {
		log_warn(
		    "vtd",
		    "refused: registers beyond window span=%#x size=%#llx fro=%#x nfr=%u iro=%#x",
		    caps->reg_span, (unsigned long long)reg_size, caps->fro, caps->nfr, caps->iro);
		return -EINVAL;
	}
	return 0;
}

int vtd_caps_check(const struct vtd_caps *caps, uint64_t reg_size)
{
	if (caps->ver_major == 0) {
		log_warn("vtd", "refused: version ver=%u.%u", caps->ver_major, caps->ver_minor);
		return -EINVAL;
	}
	if (caps->nd_reserved) {
		log_warn("vtd", "refused: reserved domain count nd=7");
		return -EINVAL;
	}
	return check_register_sets(caps, reg_size);
}

int vtd_pick_agaw(const struct vtd_caps *caps, unsigned wanted_bits)
{
	if (wanted_bits == 0 || wanted_bits > 64)
		return -EINVAL;
	if (wanted_bits > caps->mgaw)
		return -ENOTSUP;
	for (unsigned i = 0; i < caps->agaw_count && i < VTD_MAX_AGAWS; i++)
		if (caps->agaws[i] >= wanted_bits)
			return (int)caps->agaws[i];
	return -ENOTSUP;
}

static const char *yes_no(bool v)
{
	return v ? "yes" : "no";
}

static void put_agaws(struct strbuf *o, const struct vtd_caps *caps)
{
	strbuf_printf(o, " sagaw=");
	if (caps->agaw_count == 0)
		strbuf_printf(o, "none");
	for (unsigned i = 0; i < caps->agaw_count && i < VTD_MAX_AGAWS; i++)
		strbuf_printf(o, "%s%u", i ? "," : "", caps->agaws[i]);
}

static void put_large(struct strbuf *o, const struct vtd_caps *caps)
{
	const char *large =
	    caps->large_2m ? (caps->large_1g ? "2M,1G" : "2M") : (caps->large_1g ? "1G" : "none");

	strbuf_printf(o, " large=%s", large);
}

int vtd_caps_format(const struct vtd_caps *caps, char *buf, size_t len)
{
	struct strbuf o = STRBUF_INIT(buf, len);

	strbuf_printf(&o, "ver=%u.%u domains=%u", caps->ver_major, caps->ver_minor, caps->domains);
	put_agaws(&o, caps);
	strbuf_printf(&o, " mgaw=%u", caps->mgaw);
	put_large(&o, caps);
	strbuf_printf(&o, " qi=%s ir=%s eim=%s pt=%s sc=%s dt=%s c=%s sm=%s pi=%s", yes_no(caps->qi),
		yes_no(caps->ir), yes_no(caps->eim), yes_no(caps->pt), yes_no(caps->sc),
		yes_no(caps->dt), yes_no(caps->coherent), yes_no(caps->smts), yes_no(caps->pi));
	strbuf_printf(&o, " cm=%s rwbf=%s psi=%s mamv=%u frr=%u fro=%#x iro=%#x",
		yes_no(caps->caching_mode), yes_no(caps->rwbf), yes_no(caps->psi), caps->mamv,
		caps->nfr, caps->fro, caps->iro);
	return o.pos < len ? (int)o.pos : -ENOSPC;
}
