/*
 * Identity mappings in the guest's 4-level page tables, for addresses the
 * hypervisor's initial tables leave out. New tables come from a pool in
 * .bss, which lies in guest memory and is identity-mapped itself, so a
 * table's address is both where the CPU finds it and where we write it.
 */
#include "guests/lib/paging.h"
#include "guests/lib/cpu.h"
#include "hv/errno.h"
#include "hv/string.h"

#define PT_POOL_PAGES  32
#define PT_ENTRIES     512
#define PTE_PRESENT    BIT(0)
#define PTE_WRITE      BIT(1)
#define PTE_PWT	       BIT(3)
#define PTE_PCD	       BIT(4)
#define PTE_LARGE      BIT(7) /* PS: a 1 GiB or 2 MiB page at this level */
#define PTE_ADDR_MASK  0x000ffffffffff000ULL
#define LEVEL_SHIFT(l) (12 + 9 * (l)) /* level 0 = page table ... 3 = PML4 */
#define LARGE_PAGE     (2 * MiB)
#define ADDR_LIMIT     BIT(47) /* lower half of 48-bit canonical addresses */

static uint64_t pt_pool[PT_POOL_PAGES][PT_ENTRIES] __aligned(PAGE_SIZE);
static unsigned pt_pool_used;

static uint64_t *table_at(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & PTE_ADDR_MASK);
}

static uint64_t *table_alloc(void)
{
	uint64_t *t;

	if (pt_pool_used == PT_POOL_PAGES)
		return NULL;
	t = pt_pool[pt_pool_used++];
	memset(t, 0, PAGE_SIZE);
	return t;
}

static uint64_t leaf_flags(unsigned flags)
{
	uint64_t f = PTE_PRESENT | PTE_WRITE;

	if (flags & PAGING_UNCACHED)
		f |= PTE_PCD | PTE_PWT;
	return f;
}

static uint64_t level_size(unsigned level)
{
	return 1ULL << LEVEL_SHIFT(level);
}

static uint64_t *entry_for(uint64_t *table, uint64_t gpa, unsigned level)
{
	return &table[(gpa >> LEVEL_SHIFT(level)) & (PT_ENTRIES - 1)];
}

static bool is_large_page(uint64_t entry)
{
	return (entry & PTE_PRESENT) && (entry & PTE_LARGE);
}

/*
 * The entry for gpa at `level` (0 = page table ... 3 = PML4), creating
 * missing tables on the way; stops early at a large page that maps gpa.
 * *at says which level the entry is at. NULL when the pool is used up.
 */
static uint64_t *descend(uint64_t gpa, unsigned level, unsigned *at)
{
	uint64_t *table = table_at(cpu_read_cr3());

	for (unsigned l = 3;; l--) {
		uint64_t *entry = entry_for(table, gpa, l);

		if (l == level || is_large_page(*entry)) {
			*at = l;
			return entry;
		}
		if (!(*entry & PTE_PRESENT)) {
			uint64_t *next = table_alloc();

			if (!next)
				return NULL;
			*entry = (uint64_t)(uintptr_t)next | PTE_PRESENT | PTE_WRITE;
		}
		table = table_at(*entry);
	}
}

static void set_leaf(uint64_t *entry, uint64_t gpa, uint64_t bits)
{
	*entry = gpa | bits;
	/* Not-present entries are not cached, but a stale walk is cheap to rule out. */
	cpu_invlpg(gpa);
}

/*
 * Maps the page at gpa (end bounds the range) and returns how many bytes
 * from gpa on are now mapped by the entry there, or -ENOMEM.
 */
static int64_t map_step(uint64_t gpa, uint64_t end, unsigned flags)
{
	unsigned at;
	uint64_t *entry = descend(gpa, 1, &at);

	if (!entry)
		return -ENOMEM;
	if (is_large_page(*entry))
		return (int64_t)(level_size(at) - (gpa & (level_size(at) - 1)));
	if (!(*entry & PTE_PRESENT) && IS_ALIGNED(gpa, LARGE_PAGE) && end - gpa >= LARGE_PAGE) {
		set_leaf(entry, gpa, leaf_flags(flags) | PTE_LARGE);
		return LARGE_PAGE;
	}
	entry = descend(gpa, 0, &at);
	if (!entry)
		return -ENOMEM;
	if (!(*entry & PTE_PRESENT))
		set_leaf(entry, gpa, leaf_flags(flags));
	return PAGE_SIZE;
}

int paging_identity_map(uint64_t gpa, uint64_t size, unsigned flags)
{
	uint64_t end;

	if (cpu_read_cr4() & CR4_LA57)
		return -EINVAL;
	if (size == 0 || gpa >= ADDR_LIMIT || size > ADDR_LIMIT - gpa)
		return -EINVAL;
	end = ALIGN_UP(gpa + size, PAGE_SIZE);
	for (gpa = ALIGN_DOWN(gpa, PAGE_SIZE); gpa < end;) {
		int64_t step = map_step(gpa, end, flags);

		if (step < 0)
			return (int)step;
		gpa += (uint64_t)step;
	}
	return 0;
}
