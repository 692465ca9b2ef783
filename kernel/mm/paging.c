/*
 * The page-table walk, written once for every format (paging.h). Formats
 * only encode and decode entries; this file decides where leaves go, when
 * tables are created, split and freed.
 *
 * Failure handling is validate-then-apply:
 * - paging_map() first checks arguments and that no page of the range is
 *   mapped (-EEXIST, nothing touched). It then fills the range; the only way
 *   to fail from there is a table allocation. It unwinds by clearing the whole
 *   range again, which frees every table the call added: they hold nothing
 *   but entries of this range, so they are empty again. Tables that existed
 *   before hold entries outside the range (no table other than the root is
 *   ever left empty), so they survive.
 * - paging_unmap() first splits the large leaves that straddle the two ends
 *   of the range. A split never changes the translation, so failing half-way
 *   through the splits leaves the translation as it was. The clearing pass
 *   after that needs no memory and cannot fail.
 */
#include "hv/errno.h"
#include "kernel/mm/paging.h"

#define PAGING_INDEX_BITS 9
#define PAGING_ENTRIES	  (1u << PAGING_INDEX_BITS)

/* Where a walk is: the next address to handle and how many bytes remain. */
struct cursor {
	uint64_t va;
	phys_addr_t pa;
	uint64_t left;
};

static uint64_t level_size(unsigned level)
{
	return PAGE_SIZE << (PAGING_INDEX_BITS * level);
}

static unsigned entry_index(uint64_t va, unsigned level)
{
	return (va >> (PAGE_SHIFT + PAGING_INDEX_BITS * level)) & (PAGING_ENTRIES - 1);
}

static unsigned top_level(const struct paging *pg)
{
	return pg->levels - 1;
}

static uint64_t *table_at(const struct paging *pg, phys_addr_t pa)
{
	return pg->mm->phys_to_virt(pg->mm->ctx, pa);
}

static bool is_present(const struct paging *pg, uint64_t entry)
{
	return (entry & pg->fmt->present) != 0;
}

/* Only levels the format allows leaves on interpret the large bit. */
static bool is_leaf(const struct paging *pg, uint64_t entry, unsigned level)
{
	return level == 0 || ((pg->fmt->leaf_sizes & BIT(level)) && (entry & pg->fmt->large));
}

static phys_addr_t table_addr(const struct paging *pg, uint64_t entry)
{
	return entry & pg->fmt->addr_mask;
}

/* Large leaves keep attribute bits (x86 PAT at bit 12) inside addr_mask. */
static phys_addr_t leaf_addr(const struct paging *pg, uint64_t entry, unsigned level)
{
	return entry & pg->fmt->addr_mask & ~(level_size(level) - 1);
}

/* Hardware walks these tables concurrently: each entry changes by one untorn store. */
static void entry_write(uint64_t *entry, uint64_t value)
{
	*(volatile uint64_t *)entry = value;
}

/* Keeps the compiler from sinking a table's contents past the store that publishes it. */
static void compiler_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Bytes from the cursor to the end of its level entry, at most what is left. */
static uint64_t cursor_step(const struct cursor *c, unsigned level)
{
	uint64_t to_end = level_size(level) - (c->va & (level_size(level) - 1));

	return MIN(to_end, c->left);
}

static void cursor_advance(struct cursor *c, uint64_t bytes)
{
	c->va += bytes;
	c->pa += bytes;
	c->left -= bytes;
}

/* True while work remains and the cursor has not left the current table. */
static bool cursor_in_table(const struct cursor *c, unsigned level)
{
	return c->left && entry_index(c->va, level) != 0;
}

static bool va_in_space(const struct paging *pg, uint64_t va)
{
	unsigned bits = PAGE_SHIFT + PAGING_INDEX_BITS * pg->levels;
	unsigned unused = 64 - bits;

	if (pg->fmt->canonical)
		return (uint64_t)((int64_t)(va << unused) >> unused) == va;
	return (va >> bits) == 0;
}

/* Both ends inside the address space and, for canonical spaces, in the same half. */
static int check_va_range(const struct paging *pg, uint64_t va, uint64_t size)
{
	uint64_t last = va + size - 1;

	if (!size || !IS_ALIGNED(va | size, PAGE_SIZE) || last < va)
		return -EINVAL;
	if (!va_in_space(pg, va) || !va_in_space(pg, last) || ((va ^ last) >> 63))
		return -EINVAL;
	return 0;
}

static int check_pa_range(const struct paging *pg, phys_addr_t pa, uint64_t size)
{
	phys_addr_t last = pa + size - 1;

	if (!IS_ALIGNED(pa, PAGE_SIZE) || last < pa)
		return -EINVAL;
	return (last & ~(pg->fmt->addr_mask | (PAGE_SIZE - 1))) ? -EINVAL : 0;
}

static int table_alloc(const struct paging *pg, phys_addr_t *pa)
{
	int err = pg->mm->alloc_table(pg->mm->ctx, pa);

	return err < 0 ? err : (err ? -ENOMEM : 0);
}

static bool table_is_empty(const struct paging *pg, const uint64_t *table)
{
	for (unsigned i = 0; i < PAGING_ENTRIES; i++)
		if (is_present(pg, table[i]))
			return false;
	return true;
}

/* Pre-check of paging_map(): no leaf of any size touches the range. */
static bool range_unmapped(const struct paging *pg, const uint64_t *table, unsigned level,
			   struct cursor *c)
{
	do {
		uint64_t entry = table[entry_index(c->va, level)];

		if (!is_present(pg, entry))
			cursor_advance(c, cursor_step(c, level));
		else if (is_leaf(pg, entry, level))
			return false;
		else if (!range_unmapped(pg, table_at(pg, table_addr(pg, entry)), level - 1, c))
			return false;
	} while (cursor_in_table(c, level));
	return true;
}

static void clear_level(const struct paging *pg, uint64_t *table, unsigned level, struct cursor *c);

/*
 * Callers guarantee no leaf straddles an end of the range (unmap split them,
 * the map pre-check refused them), so every leaf met lies wholly inside.
 */
static void clear_entry(const struct paging *pg, uint64_t *entry, unsigned level, struct cursor *c)
{
	uint64_t *child;

	if (!is_present(pg, *entry) || is_leaf(pg, *entry, level)) {
		entry_write(entry, 0);
		cursor_advance(c, cursor_step(c, level));
		return;
	}
	child = table_at(pg, table_addr(pg, *entry));
	clear_level(pg, child, level - 1, c);
	if (table_is_empty(pg, child)) {
		phys_addr_t pa = table_addr(pg, *entry);

		entry_write(entry, 0);
		pg->mm->free_table(pg->mm->ctx, pa);
	}
}

static void clear_level(const struct paging *pg, uint64_t *table, unsigned level, struct cursor *c)
{
	do {
		clear_entry(pg, &table[entry_index(c->va, level)], level, c);
	} while (cursor_in_table(c, level));
}

static bool leaf_fits(const struct paging *pg, const struct cursor *c, unsigned level,
		      uint64_t entry)
{
	uint64_t size = level_size(level);

	if (is_present(pg, entry))
		return false;
	if (level == 0)
		return true;
	return (pg->leaf_sizes & BIT(level)) && IS_ALIGNED(c->va | c->pa, size) && c->left >= size;
}

/* The table below *entry, created if the entry is empty. */
static int child_table(const struct paging *pg, uint64_t *entry, unsigned level, uint64_t **child)
{
	phys_addr_t pa;

	if (level == 0 || (is_present(pg, *entry) && is_leaf(pg, *entry, level)))
		return -EEXIST; /* ruled out by the pre-check */
	if (!is_present(pg, *entry)) {
		int err = table_alloc(pg, &pa);

		if (err)
			return err;
		entry_write(entry, pg->fmt->make_table(pa));
	}
	*child = table_at(pg, table_addr(pg, *entry));
	return 0;
}

static int map_level(const struct paging *pg, uint64_t *table, unsigned level, struct cursor *c,
		     uint32_t flags);

static int map_entry(const struct paging *pg, uint64_t *entry, unsigned level, struct cursor *c,
		     uint32_t flags)
{
	uint64_t *child;
	int err;

	if (leaf_fits(pg, c, level, *entry)) {
		entry_write(entry, pg->fmt->make_leaf(c->pa, flags, level));
		cursor_advance(c, level_size(level));
		return 0;
	}
	err = child_table(pg, entry, level, &child);
	if (err)
		return err;
	return map_level(pg, child, level - 1, c, flags);
}

static int map_level(const struct paging *pg, uint64_t *table, unsigned level, struct cursor *c,
		     uint32_t flags)
{
	do {
		int err = map_entry(pg, &table[entry_index(c->va, level)], level, c, flags);

		if (err)
			return err;
	} while (cursor_in_table(c, level));
	return 0;
}

/* Replaces a large leaf by a table of next-size leaves that translate identically. */
static int split_leaf(const struct paging *pg, uint64_t *entry, unsigned level)
{
	const struct paging_format *fmt = pg->fmt;
	uint64_t sub = level_size(level - 1);
	phys_addr_t pa = leaf_addr(pg, *entry, level);
	uint32_t flags = fmt->leaf_flags(*entry, level);
	phys_addr_t table_pa;
	uint64_t *table;
	int err = table_alloc(pg, &table_pa);

	if (err)
		return err;
	table = table_at(pg, table_pa);
	for (unsigned i = 0; i < PAGING_ENTRIES; i++)
		table[i] = fmt->make_leaf(pa + i * sub, flags, level - 1);
	compiler_barrier();
	entry_write(entry, fmt->make_table(table_pa));
	return 0;
}

/* Splits large leaves until none straddles va. */
static int split_at(const struct paging *pg, uint64_t va)
{
	uint64_t *table = table_at(pg, pg->root);

	for (unsigned level = top_level(pg); level > 0; level--) {
		uint64_t *entry = &table[entry_index(va, level)];

		if (!is_present(pg, *entry) || IS_ALIGNED(va, level_size(level)))
			return 0;
		if (is_leaf(pg, *entry, level)) {
			int err = split_leaf(pg, entry, level);

			if (err)
				return err;
		}
		table = table_at(pg, table_addr(pg, *entry));
	}
	return 0;
}

int paging_init(struct paging *pg, const struct paging_format *fmt, unsigned levels,
		uint32_t leaf_sizes, const struct paging_mm *mm)
{
	phys_addr_t root;
	int err;

	pg->fmt = NULL; /* paging_destroy() of a failed init is then a no-op */
	if (levels < fmt->min_levels || levels > fmt->max_levels ||
	    (leaf_sizes & ~(uint32_t)(PAGING_LEAF_2M | PAGING_LEAF_1G)))
		return -EINVAL;
	pg->mm = mm;
	err = table_alloc(pg, &root);
	if (err)
		return err;
	pg->fmt = fmt;
	pg->root = root;
	pg->levels = levels;
	pg->leaf_sizes = leaf_sizes & fmt->leaf_sizes;
	return 0;
}

int paging_map(struct paging *pg, uint64_t va, phys_addr_t pa, uint64_t size, uint32_t flags)
{
	struct cursor check = {.va = va, .pa = pa, .left = size};
	struct cursor fill = check;
	int err = check_va_range(pg, va, size);

	if (!err)
		err = check_pa_range(pg, pa, size);
	if (!err)
		err = pg->fmt->check_flags(flags);
	if (err)
		return err;
	if (!range_unmapped(pg, table_at(pg, pg->root), top_level(pg), &check))
		return -EEXIST;
	err = map_level(pg, table_at(pg, pg->root), top_level(pg), &fill, flags);
	if (err) {
		struct cursor undo = {.va = va, .pa = pa, .left = size};

		clear_level(pg, table_at(pg, pg->root), top_level(pg), &undo);
	}
	return err;
}

int paging_unmap(struct paging *pg, uint64_t va, uint64_t size)
{
	struct cursor c = {.va = va, .left = size};
	int err = check_va_range(pg, va, size);

	if (!err)
		err = split_at(pg, va);
	/* An end at the top of the address space (va + size == 0) cuts nothing. */
	if (!err && va + size != 0)
		err = split_at(pg, va + size);
	if (err)
		return err;
	clear_level(pg, table_at(pg, pg->root), top_level(pg), &c);
	return 0;
}

static void report_leaf(const struct paging *pg, uint64_t entry, unsigned level, uint64_t va,
			phys_addr_t *pa, uint32_t *flags, uint64_t *leaf_size)
{
	uint64_t size = level_size(level);

	if (pa)
		*pa = leaf_addr(pg, entry, level) + (va & (size - 1));
	if (flags)
		*flags = pg->fmt->leaf_flags(entry, level);
	if (leaf_size)
		*leaf_size = size;
}

int paging_query(const struct paging *pg, uint64_t va, phys_addr_t *pa, uint32_t *flags,
		 uint64_t *leaf_size)
{
	const uint64_t *table = table_at(pg, pg->root);

	if (!va_in_space(pg, va))
		return -EINVAL;
	for (unsigned level = top_level(pg);; level--) {
		uint64_t entry = table[entry_index(va, level)];

		if (!is_present(pg, entry))
			return -ENOENT;
		if (is_leaf(pg, entry, level)) {
			report_leaf(pg, entry, level, va, pa, flags, leaf_size);
			return 0;
		}
		table = table_at(pg, table_addr(pg, entry));
	}
}

static void free_level(const struct paging *pg, phys_addr_t table_pa, unsigned level)
{
	const uint64_t *table = table_at(pg, table_pa);

	for (unsigned i = 0; level > 0 && i < PAGING_ENTRIES; i++)
		if (is_present(pg, table[i]) && !is_leaf(pg, table[i], level))
			free_level(pg, table_addr(pg, table[i]), level - 1);
	pg->mm->free_table(pg->mm->ctx, table_pa);
}

void paging_destroy(struct paging *pg)
{
	if (!pg->fmt)
		return;
	free_level(pg, pg->root, top_level(pg));
	pg->fmt = NULL;
	pg->root = 0;
}
