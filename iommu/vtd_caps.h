/*
 * What one VT-d remapping unit can do, decoded from its VER, CAP and ECAP
 * registers (iommu/vtd_regs.h). Pure logic: the caller reads the registers,
 * so host tests feed values seen on QEMU and real machines. The rest of
 * iommu/ sizes domain ids, table depth, page sizes and invalidation from
 * this, and the inventory log prints it with vtd_caps_format().
 */
#ifndef IOMMU_VTD_CAPS_H
#define IOMMU_VTD_CAPS_H

#include "hv/types.h"

/* AGAWs a unit can offer for second-level tables: 39, 48, 57 bits. */
#define VTD_MAX_AGAWS 3

struct vtd_caps {
	unsigned ver_major, ver_minor; /* VER.MAX, VER.MIN */

	/* CAP_REG */
	unsigned domain_id_bits;       /* 4 + 2 * ND */
	uint32_t domains;	       /* 2^domain_id_bits */
	bool nd_reserved;	       /* ND = 7: no valid domain count */
	uint8_t sagaw;		       /* raw SAGAW field (VTD_SAGAW_*) */
	unsigned agaw_count;	       /* valid entries in agaws[] */
	unsigned agaws[VTD_MAX_AGAWS]; /* supported AGAWs in bits, ascending */
	unsigned mgaw;		       /* maximum guest address width, bits */
	bool large_2m, large_1g;       /* second-level large pages (SLLPS) */
	bool caching_mode;	       /* CM: invalidate after making entries present */
	bool rwbf;		       /* flush write buffer after table updates */
	bool afl, plmr, phmr, zlr, psi, dwd, drd, fl1gp, pi, fl5lp, esirtps, esrtps;
	unsigned nfr;  /* number of fault recording registers */
	uint32_t fro;  /* byte offset of the first fault record */
	unsigned mamv; /* largest address mask for PSI */

	/* ECAP_REG */
	bool coherent; /* C: walks snoop; no cache flush of tables */
	bool qi, dt, ir, eim, pt, sc, mts, nest, prs, ers, srs, nwfs, eafs, pasid;
	bool dit, pds, smts, slads, slts, flts;
	uint32_t iro;  /* byte offset of IVA_REG; IOTLB_REG at +8 */
	unsigned mhmv; /* largest handle mask for IEC invalidation */
	unsigned pss;  /* PASID width - 1 */

	uint32_t reg_span; /* bytes of register space the unit uses */
};

void vtd_decode_caps(uint32_t ver, uint64_t cap, uint64_t ecap, struct vtd_caps *out);

/*
 * Checks the decoded values against the mapped register window (reg_size
 * bytes, from the DMAR DRHD): returns -EINVAL and logs what is wrong when the
 * unit's own registers would lie outside it or the values are reserved ones
 * (all-ones reads of an unmapped window end up here).
 */
int vtd_caps_check(const struct vtd_caps *caps, uint64_t reg_size);

/*
 * Smallest supported AGAW, in bits, that covers wanted_bits of DMA address.
 * -ENOTSUP if none does (or the unit translates fewer bits, MGAW), -EINVAL
 * for a width outside 1..64.
 */
int vtd_pick_agaw(const struct vtd_caps *caps, unsigned wanted_bits);

/* Page-table levels of a second-level table with this AGAW (39 -> 3). */
static inline unsigned vtd_agaw_levels(unsigned agaw_bits)
{
	return (agaw_bits - 12) / 9;
}

/* Value of the context entry's AW field for this AGAW (39 -> 1). */
static inline unsigned vtd_agaw_aw(unsigned agaw_bits)
{
	return vtd_agaw_levels(agaw_bits) - 2;
}

/*
 * One line of key=value fields for the inventory log. Returns its length,
 * or -ENOSPC if buf was too small (buf then holds a terminated prefix).
 */
int vtd_caps_format(const struct vtd_caps *caps, char *buf, size_t len);

#endif
