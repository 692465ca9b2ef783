/*
 * VT-d legacy-mode translation structures: the root table (one entry per
 * PCI bus) and the context tables (one entry per device/function) that
 * point each requester id at a domain's second-level page table (VT-d
 * specification, 9.1 "Root Entry", 9.3 "Context Entry"). Scalable mode is
 * not used. The second-level tables themselves come from the one paging
 * engine (kernel/mm/paging.h, paging_format_vtd_sl); this file only hands
 * their root to the hardware.
 *
 * Pure logic over memory from a struct paging_mm allocator: nothing here
 * touches registers. The caller invalidates the context cache and IOTLB
 * (iommu/vtd_inv.h) after every change, and on units without ECAP.C
 * flushes the written cache lines. No locking: the caller serialises all
 * calls on one map.
 */
#ifndef IOMMU_VTD_TABLES_H
#define IOMMU_VTD_TABLES_H

#include "hv/types.h"
#include "iommu/vtd_caps.h"
#include "kernel/mm/paging.h"

/* Root entry, 128 bits; the root table holds 256 of them, indexed by bus. */
struct vtd_root_entry {
	uint64_t lo; /* P (bit 0), CTP context-table pointer (63:12) */
	uint64_t hi; /* reserved in legacy mode */
} __packed __aligned(16);
_Static_assert(sizeof(struct vtd_root_entry) == 16, "root entry is 128 bits (VT-d 9.1)");

#define VTD_ROOT_P   BIT(0)
#define VTD_ROOT_CTP 0xfffffffffffff000ULL

/* Context entry, 128 bits; a context table holds 256, indexed by devfn. */
struct vtd_context_entry {
	uint64_t lo; /* P, FPD, TT, SLPTPTR */
	uint64_t hi; /* AW, DID */
} __packed __aligned(16);
_Static_assert(sizeof(struct vtd_context_entry) == 16, "context entry is 128 bits (VT-d 9.3)");

#define VTD_CTX_LO_P	   BIT(0)		 /* present */
#define VTD_CTX_LO_FPD	   BIT(1)		 /* fault processing disable */
#define VTD_CTX_LO_TT	   0x000000000000000cULL /* translation type */
#define VTD_CTX_LO_SLPTPTR 0xfffffffffffff000ULL /* second-level page table */
#define VTD_CTX_HI_AW	   0x0000000000000007ULL /* address width */
#define VTD_CTX_HI_DID	   0x0000000000ffff00ULL /* domain identifier */
#define VTD_TT_SL_ONLY	   0 /* untranslated requests through second-level tables */
#define VTD_TT_PASS	   2 /* pass-through: never used here */

#define VTD_ENTRIES_PER_TABLE 256
#define VTD_AW_MIN	      1 /* 39-bit AGAW, 3 levels */
#define VTD_AW_MAX	      3 /* 57-bit AGAW, 5 levels */

/* Requester id (source id) of bus:dev.fn. */
static inline uint16_t vtd_rid(unsigned bus, unsigned dev, unsigned fn)
{
	return (uint16_t)((bus & 0xff) << 8 | (dev & 0x1f) << 3 | (fn & 7));
}

/* The root table and the context tables it points to. */
struct vtd_context_map {
	const struct paging_mm *mm;
	struct vtd_root_entry *root; /* NULL before init and after destroy */
	phys_addr_t root_pa;
	uint32_t domains; /* domain ids below this are accepted */
};

/* Allocates the (empty) root table. -ENOMEM, or the allocator's error. */
int vtd_ctx_init(struct vtd_context_map *m, const struct paging_mm *mm);

/*
 * Lowers the accepted domain ids to those the unit has (struct vtd_caps
 * .domains, 2^4 .. 2^16). After init every 16-bit id but 0 is accepted.
 */
int vtd_ctx_limit_domains(struct vtd_context_map *m, uint32_t domains);

/*
 * Points requester id rid (bus << 8 | devfn) at a domain: sl_root is the
 * host-physical root of its second-level table, aw its VTD_CTX_HI_AW value
 * (1..3, see vtd_sl_geometry()). Domain id 0 is refused: with CAP.CM the
 * hardware tags not-present entries with it. -EBUSY if rid already points
 * elsewhere (unassign and invalidate first); 0 if it already points exactly
 * here. -ENOMEM if the bus's context table could not be allocated, in which
 * case nothing was written.
 */
int vtd_ctx_assign(struct vtd_context_map *m, uint16_t rid, uint16_t domain_id, phys_addr_t sl_root,
		   unsigned aw);

/*
 * Makes rid's context entry not present (-ENOENT if it was not). The caller
 * then invalidates the context cache (device-selective) and the domain's
 * IOTLB before reusing the domain id or the tables. Context tables stay
 * allocated until vtd_ctx_destroy(): the hardware may cache root entries.
 */
int vtd_ctx_unassign(struct vtd_context_map *m, uint16_t rid);

/* Where rid points. Outputs may be NULL. -ENOENT when not present. */
int vtd_ctx_lookup(const struct vtd_context_map *m, uint16_t rid, uint16_t *domain_id,
		   phys_addr_t *sl_root);

/* Host-physical address of the root table, for RTADDR_REG. */
phys_addr_t vtd_ctx_root(const struct vtd_context_map *m);

/*
 * Frees every context table and the root table. The hardware must no longer
 * use them (translation off or another root set, caches invalidated).
 * A no-op on a destroyed or never initialised (zeroed) map.
 */
void vtd_ctx_destroy(struct vtd_context_map *m);

/* Shape of a second-level table for one unit. */
struct vtd_sl_geometry {
	unsigned agaw;	 /* adjusted guest address width, bits: 39, 48 or 57 */
	unsigned levels; /* page-table levels: 3, 4 or 5 */
	unsigned aw;	 /* context entry AW value: 1, 2 or 3 */
};

/*
 * Smallest table the unit supports that covers wanted_bits of DMA address.
 * -EINVAL for a width outside 1..64, -ENOTSUP if the unit supports none or
 * only depths the paging engine cannot build (5 levels).
 */
int vtd_sl_geometry(const struct vtd_caps *caps, unsigned wanted_bits, struct vtd_sl_geometry *out);

#endif
