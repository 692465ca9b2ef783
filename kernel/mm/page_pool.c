/*
 * Bitmap page allocator over one physical span (page_pool.h). One bit per
 * 4 KiB page, set while in use. Searches walk the bitmap a 64-bit word at a
 * time so full (or, looking for the end of a run, empty) words cost one
 * compare; allocation is next fit from the end of the previous allocation,
 * wrapping once.
 */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/mm/page_pool.h"

#define WORD_BITS 64u
/* No physical address reaches 2^52 (MAXPHYADDR <= 52 on x86-64). */
#define PAGE_POOL_PA_LIMIT BIT(52)

static uint64_t words_for(uint64_t pages)
{
	return pages / WORD_BITS + (pages % WORD_BITS != 0);
}

/* Bits [lo, hi) of a word, 0 <= lo < hi <= 64. */
static uint64_t word_mask(unsigned lo, unsigned hi)
{
	uint64_t upper = hi == WORD_BITS ? ~0ULL : BIT(hi) - 1;

	return upper & ~(BIT(lo) - 1);
}

/* Open-coded: without -mpopcnt the builtin calls libgcc, which the core does not link. */
static unsigned popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

/* The part of [first, first + count) that lies in first's word. */
static uint64_t segment_mask(uint64_t first, uint64_t count, unsigned *bits)
{
	unsigned lo = first % WORD_BITS;
	unsigned hi = count < WORD_BITS - lo ? lo + (unsigned)count : WORD_BITS;

	*bits = hi - lo;
	return word_mask(lo, hi);
}

/* Sets (or clears) bits [first, first + count); returns how many changed. */
static uint64_t bits_change(uint64_t *bitmap, uint64_t first, uint64_t count, bool set)
{
	uint64_t changed = 0;
	unsigned bits;

	while (count) {
		uint64_t *word = &bitmap[first / WORD_BITS];
		uint64_t mask = segment_mask(first, count, &bits);
		uint64_t old = *word;

		*word = set ? old | mask : old & ~mask;
		changed += popcount64(old ^ *word);
		first += bits;
		count -= bits;
	}
	return changed;
}

static uint64_t bits_count(const uint64_t *bitmap, uint64_t first, uint64_t count)
{
	uint64_t set = 0;
	unsigned bits;

	while (count) {
		set += popcount64(bitmap[first / WORD_BITS] & segment_mask(first, count, &bits));
		first += bits;
		count -= bits;
	}
	return set;
}

/* First free page at or after `from`, or p->pages. Skips full words whole. */
static uint64_t find_free(const struct page_pool *p, uint64_t from)
{
	uint64_t words = words_for(p->pages);
	uint64_t w = from / WORD_BITS;
	uint64_t used;

	if (from >= p->pages)
		return p->pages;
	used = p->bitmap[w] | (BIT(from % WORD_BITS) - 1);
	while (used == ~0ULL) {
		if (++w == words)
			return p->pages;
		used = p->bitmap[w];
	}
	/* Padding bits past p->pages are set, so this stays below p->pages. */
	return w * WORD_BITS + (uint64_t)__builtin_ctzll(~used);
}

/* First used page in [from, limit), or limit. Skips empty words whole. */
static uint64_t find_used(const struct page_pool *p, uint64_t from, uint64_t limit)
{
	uint64_t w = from / WORD_BITS;
	uint64_t used;

	if (from >= limit)
		return limit;
	used = p->bitmap[w] & ~(BIT(from % WORD_BITS) - 1);
	while (!used) {
		if (++w * WORD_BITS >= limit)
			return limit;
		used = p->bitmap[w];
	}
	return MIN(w * WORD_BITS + (uint64_t)__builtin_ctzll(used), limit);
}

/* Smallest page index >= index whose physical address is aligned to `align` pages. */
static uint64_t align_index(const struct page_pool *p, uint64_t index, uint64_t align)
{
	uint64_t base_pfn = p->base >> PAGE_SHIFT;

	return ALIGN_UP(base_pfn + index, align) - base_pfn;
}

static bool find_run(const struct page_pool *p, uint64_t from, uint64_t count, uint64_t align,
		     uint64_t *found)
{
	while (from < p->pages) {
		uint64_t start = align_index(p, find_free(p, from), align);
		uint64_t used;

		if (start >= p->pages || p->pages - start < count)
			return false;
		used = find_used(p, start, start + count);
		if (used == start + count) {
			*found = start;
			return true;
		}
		from = used + 1;
	}
	return false;
}

size_t page_pool_bitmap_bytes(uint64_t pages)
{
	return (size_t)(words_for(pages) * sizeof(uint64_t));
}

void page_pool_init(struct page_pool *p, const char *name, phys_addr_t base, uint64_t pages,
		    uint64_t *bitmap)
{
	p->name = name;
	p->base = base;
	p->pages = pages;
	p->bitmap = bitmap;
	p->free_pages = 0;
	p->next_hint = 0;
	if (!IS_ALIGNED(base, PAGE_SIZE) || base >= PAGE_POOL_PA_LIMIT ||
	    pages > (PAGE_POOL_PA_LIMIT - base) >> PAGE_SHIFT) {
		log_error("mm", "page_pool refused: pool=%s base=0x%llx pages=%llu reason=bad-span",
			  name, (unsigned long long)base, (unsigned long long)pages);
		p->pages = 0;
	}
	memset(bitmap, 0xff, page_pool_bitmap_bytes(p->pages));
}

/*
 * Page indexes [*first, *end) of the pool that [base, base + size) covers,
 * rounding partial pages out (whole = false) or dropping them (whole = true).
 */
static bool clip_range(const struct page_pool *p, phys_addr_t base, uint64_t size, bool whole,
		       uint64_t *first, uint64_t *end)
{
	phys_addr_t pool_end = p->base + p->pages * PAGE_SIZE;
	phys_addr_t lo = MAX(base, p->base);
	phys_addr_t hi = base + size < base ? pool_end : MIN(base + size, pool_end);

	if (lo >= hi)
		return false;
	lo = whole ? ALIGN_UP(lo, PAGE_SIZE) : ALIGN_DOWN(lo, PAGE_SIZE);
	hi = whole ? ALIGN_DOWN(hi, PAGE_SIZE) : ALIGN_UP(hi, PAGE_SIZE);
	if (lo >= hi)
		return false;
	*first = (lo - p->base) >> PAGE_SHIFT;
	*end = (hi - p->base) >> PAGE_SHIFT;
	return true;
}

void page_pool_release_range(struct page_pool *p, phys_addr_t base, uint64_t size)
{
	uint64_t first, end;

	if (clip_range(p, base, size, true, &first, &end))
		p->free_pages += bits_change(p->bitmap, first, end - first, false);
}

void page_pool_reserve_range(struct page_pool *p, phys_addr_t base, uint64_t size)
{
	uint64_t first, end;

	if (clip_range(p, base, size, false, &first, &end))
		p->free_pages -= bits_change(p->bitmap, first, end - first, true);
}

int page_pool_alloc(struct page_pool *p, uint64_t pages, uint64_t align_pages, phys_addr_t *pa)
{
	uint64_t align = align_pages ? align_pages : 1;
	uint64_t start;

	if (!pages || (align & (align - 1)))
		return -EINVAL;
	if (pages > p->free_pages)
		return -ENOMEM;
	if (!find_run(p, p->next_hint, pages, align, &start) &&
	    !find_run(p, 0, pages, align, &start))
		return -ENOMEM;
	bits_change(p->bitmap, start, pages, true);
	p->free_pages -= pages;
	p->next_hint = start + pages < p->pages ? start + pages : 0;
	*pa = p->base + start * PAGE_SIZE;
	return 0;
}

/* Why a free must be refused, or NULL if it may proceed. */
static const char *free_refusal(const struct page_pool *p, phys_addr_t pa, uint64_t pages)
{
	uint64_t first = (pa - p->base) >> PAGE_SHIFT;

	if (!pages || !IS_ALIGNED(pa, PAGE_SIZE))
		return "bad-argument";
	if (pa < p->base || first >= p->pages || p->pages - first < pages)
		return "outside-pool";
	if (bits_count(p->bitmap, first, pages) != pages)
		return "double-free";
	return NULL;
}

int page_pool_free(struct page_pool *p, phys_addr_t pa, uint64_t pages)
{
	const char *why = free_refusal(p, pa, pages);

	if (why) {
		log_warn("mm", "page_pool free refused: pool=%s pa=0x%llx pages=%llu reason=%s",
			 p->name, (unsigned long long)pa, (unsigned long long)pages, why);
		return -EINVAL;
	}
	bits_change(p->bitmap, (pa - p->base) >> PAGE_SHIFT, pages, false);
	p->free_pages += pages;
	return 0;
}

uint64_t page_pool_free_pages(const struct page_pool *p)
{
	return p->free_pages;
}

uint64_t page_pool_largest_free(const struct page_pool *p)
{
	uint64_t best = 0;
	uint64_t start = find_free(p, 0);

	while (start < p->pages) {
		uint64_t end = find_used(p, start, p->pages);

		best = MAX(best, end - start);
		start = find_free(p, end);
	}
	return best;
}
