/*
 * Legacy-mode root and context tables (iommu/vtd_tables.h): which domain,
 * and so which second-level table, each PCI requester id translates
 * through. Bit positions: VT-d specification 9.1 and 9.3.
 *
 * The hardware may walk these tables at any moment, concurrently with the
 * updates here, and reads an entry as two 64-bit halves in no promised
 * order. So every entry is written so that a walker never sees a present
 * entry with a stale other half: the half without the present bit first,
 * then a compiler barrier, then the half with it; and when an entry goes
 * away, present is cleared before anything else. x86 keeps stores in
 * program order and aligned 64-bit stores are single-copy atomic, so only
 * the compiler has to be kept from reordering or tearing them.
 */
#include "iommu/vtd_tables.h"
#include "iommu/vtd_regs.h"
#include "hv/errno.h"
#include "hv/log.h"

#define VTD_DOMAINS_MAX (1u << 16)

/* Keeps the compiler from moving the entry stores around each other. */
static inline void compiler_barrier(void)
{
	__asm__ __volatile__("" ::: "memory");
}

/* One untorn 64-bit store the compiler may neither split, merge nor drop. */
static inline void store64(uint64_t *p, uint64_t v)
{
	*(volatile uint64_t *)p = v;
}

static inline uint64_t load64(const uint64_t *p)
{
	return *(const volatile uint64_t *)p;
}

static unsigned rid_bus(uint16_t rid)
{
	return rid >> 8;
}

static unsigned rid_devfn(uint16_t rid)
{
	return rid & 0xff;
}

int vtd_ctx_init(struct vtd_context_map *m, const struct paging_mm *mm)
{
	phys_addr_t pa;
	int err;

	*m = (struct vtd_context_map){.mm = mm, .domains = VTD_DOMAINS_MAX};
	err = mm->alloc_table(mm->ctx, &pa);
	if (err)
		return err;
	m->root_pa = pa;
	m->root = mm->phys_to_virt(mm->ctx, pa);
	return 0;
}

int vtd_ctx_limit_domains(struct vtd_context_map *m, uint32_t domains)
{
	if (domains < 2 || domains > VTD_DOMAINS_MAX)
		return -EINVAL;
	m->domains = domains;
	return 0;
}

/* Context table of a bus, or NULL if its root entry is not present. */
static struct vtd_context_entry *context_table(const struct vtd_context_map *m, unsigned bus)
{
	uint64_t lo = load64(&m->root[bus].lo);

	if (!(lo & VTD_ROOT_P))
		return NULL;
	return m->mm->phys_to_virt(m->mm->ctx, lo & VTD_ROOT_CTP);
}

static uint64_t context_lo(phys_addr_t sl_root)
{
	return (sl_root & VTD_CTX_LO_SLPTPTR) | vtd_put(VTD_CTX_LO_TT, VTD_TT_SL_ONLY) |
	       VTD_CTX_LO_P;
}

static uint64_t context_hi(uint16_t domain_id, unsigned aw)
{
	return vtd_put(VTD_CTX_HI_DID, domain_id) | vtd_put(VTD_CTX_HI_AW, aw);
}

/* Present entry with the high half in place before P becomes visible. */
static void context_write(struct vtd_context_entry *e, uint64_t lo, uint64_t hi)
{
	store64(&e->hi, hi);
	compiler_barrier();
	store64(&e->lo, lo);
}

/* The root entry publishes a complete context table. */
static void root_write(struct vtd_root_entry *e, phys_addr_t table)
{
	store64(&e->hi, 0);
	compiler_barrier();
	store64(&e->lo, (table & VTD_ROOT_CTP) | VTD_ROOT_P);
}

static int check_assign(const struct vtd_context_map *m, uint16_t rid, uint16_t domain_id,
			phys_addr_t sl_root, unsigned aw)
{
	if (!m->root)
		return -EINVAL;
	if (domain_id == 0 || domain_id >= m->domains) {
		log_warn("vtd", "refused: domain id rid=%#x did=%u domains=%u", rid, domain_id,
			 m->domains);
		return -EINVAL;
	}
	if (!IS_ALIGNED(sl_root, PAGE_SIZE) || aw < VTD_AW_MIN || aw > VTD_AW_MAX) {
		log_warn("vtd", "refused: second-level table rid=%#x root=%#llx aw=%u", rid,
			 (unsigned long long)sl_root, aw);
		return -EINVAL;
	}
	return 0;
}

/* 0 if the entry already says this, -EBUSY if it says something else. */
static int check_present(const struct vtd_context_entry *e, uint16_t rid, uint64_t lo, uint64_t hi)
{
	uint64_t cur_lo = load64(&e->lo), cur_hi = load64(&e->hi);

	if (cur_lo == lo && cur_hi == hi)
		return 0;
	log_warn("vtd", "refused: rid busy rid=%#x did=%u want_did=%u", rid,
		 (unsigned)vtd_get(cur_hi, VTD_CTX_HI_DID), (unsigned)vtd_get(hi, VTD_CTX_HI_DID));
	return -EBUSY;
}

/* First device on a bus: a fresh table, entry written before the root entry. */
static int assign_new_bus(struct vtd_context_map *m, uint16_t rid, uint64_t lo, uint64_t hi)
{
	struct vtd_context_entry *table;
	phys_addr_t pa;
	int err;

	err = m->mm->alloc_table(m->mm->ctx, &pa);
	if (err) {
		log_warn("vtd", "context table allocation failed rid=%#x err=%d", rid, err);
		return err;
	}
	table = m->mm->phys_to_virt(m->mm->ctx, pa);
	context_write(&table[rid_devfn(rid)], lo, hi);
	compiler_barrier();
	root_write(&m->root[rid_bus(rid)], pa);
	return 0;
}

int vtd_ctx_assign(struct vtd_context_map *m, uint16_t rid, uint16_t domain_id, phys_addr_t sl_root,
		   unsigned aw)
{
	uint64_t lo = context_lo(sl_root), hi = context_hi(domain_id, aw);
	struct vtd_context_entry *table, *e;
	int err;

	err = check_assign(m, rid, domain_id, sl_root, aw);
	if (err)
		return err;
	table = context_table(m, rid_bus(rid));
	if (!table)
		return assign_new_bus(m, rid, lo, hi);
	e = &table[rid_devfn(rid)];
	if (load64(&e->lo) & VTD_CTX_LO_P)
		return check_present(e, rid, lo, hi);
	context_write(e, lo, hi);
	return 0;
}

static struct vtd_context_entry *present_entry(const struct vtd_context_map *m, uint16_t rid)
{
	struct vtd_context_entry *table;

	if (!m->root)
		return NULL;
	table = context_table(m, rid_bus(rid));
	if (!table || !(load64(&table[rid_devfn(rid)].lo) & VTD_CTX_LO_P))
		return NULL;
	return &table[rid_devfn(rid)];
}

int vtd_ctx_unassign(struct vtd_context_map *m, uint16_t rid)
{
	struct vtd_context_entry *e = present_entry(m, rid);

	if (!e)
		return -ENOENT;
	/* Not present first: a walker must not pair the old lo with a cleared hi. */
	store64(&e->lo, 0);
	compiler_barrier();
	store64(&e->hi, 0);
	return 0;
}

int vtd_ctx_lookup(const struct vtd_context_map *m, uint16_t rid, uint16_t *domain_id,
		   phys_addr_t *sl_root)
{
	const struct vtd_context_entry *e = present_entry(m, rid);

	if (!e)
		return -ENOENT;
	if (domain_id)
		*domain_id = (uint16_t)vtd_get(load64(&e->hi), VTD_CTX_HI_DID);
	if (sl_root)
		*sl_root = load64(&e->lo) & VTD_CTX_LO_SLPTPTR;
	return 0;
}

phys_addr_t vtd_ctx_root(const struct vtd_context_map *m)
{
	return m->root_pa;
}

void vtd_ctx_destroy(struct vtd_context_map *m)
{
	if (!m->root)
		return;
	for (unsigned bus = 0; bus < VTD_ENTRIES_PER_TABLE; bus++) {
		uint64_t lo = m->root[bus].lo;

		if (lo & VTD_ROOT_P)
			m->mm->free_table(m->mm->ctx, lo & VTD_ROOT_CTP);
	}
	m->mm->free_table(m->mm->ctx, m->root_pa);
	m->root = NULL;
	m->root_pa = 0;
}

int vtd_sl_geometry(const struct vtd_caps *caps, unsigned wanted_bits, struct vtd_sl_geometry *out)
{
	int agaw = vtd_pick_agaw(caps, wanted_bits);

	if (agaw < 0)
		return agaw;
	if (vtd_agaw_levels((unsigned)agaw) > paging_format_vtd_sl.max_levels) {
		log_warn("vtd", "refused: table depth agaw=%d levels=%u max=%u", agaw,
			 vtd_agaw_levels((unsigned)agaw), paging_format_vtd_sl.max_levels);
		return -ENOTSUP;
	}
	out->agaw = (unsigned)agaw;
	out->levels = vtd_agaw_levels((unsigned)agaw);
	out->aw = vtd_agaw_aw((unsigned)agaw);
	return 0;
}
