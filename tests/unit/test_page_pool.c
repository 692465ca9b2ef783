/*
 * Unit tests of the bitmap page pool (kernel/mm/page_pool.c): allocation,
 * alignment, exhaustion, refused frees, range clipping, and a randomized run
 * against a one-bool-per-page reference model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/errno.h"
#include "kernel/mm/page_pool.h"
#include "tests/unit/log_capture.h"

#define BASE 0x100000ULL

static uint64_t bitmap[256]; /* up to 16384 pages */

static int setup(void **state)
{
	(void)state;
	memset(bitmap, 0x5a, sizeof(bitmap)); /* init must not rely on a zeroed bitmap */
	log_capture_reset();
	return 0;
}

static void pool_with_free(struct page_pool *p, phys_addr_t base, uint64_t pages)
{
	assert_true(page_pool_bitmap_bytes(pages) <= sizeof(bitmap));
	page_pool_init(p, "test", base, pages, bitmap);
	page_pool_release_range(p, base, pages * PAGE_SIZE);
	assert_int_equal(page_pool_free_pages(p), pages);
}

static void test_bitmap_bytes(void **state)
{
	(void)state;
	assert_int_equal(page_pool_bitmap_bytes(0), 0);
	assert_int_equal(page_pool_bitmap_bytes(1), 8);
	assert_int_equal(page_pool_bitmap_bytes(64), 8);
	assert_int_equal(page_pool_bitmap_bytes(65), 16);
}

static void test_starts_in_use(void **state)
{
	struct page_pool p;
	phys_addr_t pa;

	(void)state;
	page_pool_init(&p, "test", BASE, 100, bitmap);
	assert_int_equal(page_pool_free_pages(&p), 0);
	assert_int_equal(page_pool_largest_free(&p), 0);
	assert_int_equal(page_pool_alloc(&p, 1, 1, &pa), -ENOMEM);
}

static void test_init_refuses_bad_span(void **state)
{
	struct page_pool p;

	(void)state;
	page_pool_init(&p, "odd", BASE + 0x800, 100, bitmap);
	assert_int_equal(p.pages, 0);
	assert_true(log_capture_contains("pool=odd"));
	assert_true(log_capture_contains("reason=bad-span"));
	page_pool_init(&p, "huge", BIT(52) - PAGE_SIZE, 2, bitmap);
	assert_int_equal(p.pages, 0);
	page_pool_release_range(&p, 0, ~0ULL);
	assert_int_equal(page_pool_free_pages(&p), 0);
}

static void test_alloc_free(void **state)
{
	struct page_pool p;
	phys_addr_t a, b;

	(void)state;
	pool_with_free(&p, BASE, 100);
	assert_int_equal(page_pool_alloc(&p, 3, 1, &a), 0);
	assert_int_equal(page_pool_alloc(&p, 5, 0, &b), 0);
	assert_true(a >= BASE && a + 3 * PAGE_SIZE <= BASE + 100 * PAGE_SIZE);
	assert_true(b >= a + 3 * PAGE_SIZE || b + 5 * PAGE_SIZE <= a);
	assert_int_equal(page_pool_free_pages(&p), 92);
	assert_int_equal(page_pool_free(&p, a, 3), 0);
	assert_int_equal(page_pool_free(&p, b, 5), 0);
	assert_int_equal(page_pool_free_pages(&p), 100);
	assert_int_equal(page_pool_largest_free(&p), 100);
	assert_int_equal(page_pool_alloc(&p, 0, 1, &a), -EINVAL);
	assert_int_equal(page_pool_alloc(&p, 1, 3, &a), -EINVAL);
	assert_int_equal(page_pool_alloc(&p, 101, 1, &a), -ENOMEM);
}

/* Alignment is of the physical address, not of the index in an unaligned pool. */
static void test_alignment(void **state)
{
	static const uint64_t aligns[] = {1, 2, 4, 16, 64, 512};
	struct page_pool p;
	phys_addr_t pa;

	(void)state;
	pool_with_free(&p, BASE + 3 * PAGE_SIZE, 2000);
	for (unsigned i = 0; i < ARRAY_SIZE(aligns); i++) {
		assert_int_equal(page_pool_alloc(&p, 3, aligns[i], &pa), 0);
		assert_true(IS_ALIGNED(pa, aligns[i] * PAGE_SIZE));
	}
	/*
	 * The span holds three 2 MiB-aligned 2 MiB runs (pfn 0x200, 0x400,
	 * 0x600); the 512-aligned allocation above took the start of the first.
	 */
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(page_pool_alloc(&p, 512, 512, &pa), 0);
		assert_true(IS_ALIGNED(pa, 2 * MiB));
	}
	assert_int_equal(page_pool_alloc(&p, 512, 512, &pa), -ENOMEM);
	/* An alignment no address in the pool meets. */
	assert_int_equal(page_pool_alloc(&p, 1, BIT(40), &pa), -ENOMEM);
}

static void test_exhaustion(void **state)
{
	struct page_pool p;
	phys_addr_t pa, seen = 0;

	(void)state;
	pool_with_free(&p, BASE, 70); /* not a whole number of words */
	for (unsigned i = 0; i < 70; i++) {
		assert_int_equal(page_pool_alloc(&p, 1, 1, &pa), 0);
		assert_true(pa >= BASE && pa < BASE + 70 * PAGE_SIZE);
		if (i == 33)
			seen = pa;
	}
	assert_int_equal(page_pool_alloc(&p, 1, 1, &pa), -ENOMEM);
	assert_int_equal(page_pool_free_pages(&p), 0);
	assert_int_equal(page_pool_free(&p, seen, 1), 0);
	assert_int_equal(page_pool_alloc(&p, 1, 1, &pa), 0);
	assert_int_equal(pa, seen);
	/* All 70 as one run, never the padding bits beyond them. */
	pool_with_free(&p, BASE, 70);
	assert_int_equal(page_pool_alloc(&p, 70, 1, &pa), 0);
	assert_int_equal(pa, BASE);
	assert_int_equal(page_pool_alloc(&p, 1, 1, &pa), -ENOMEM);
}

static void test_double_free_refused(void **state)
{
	struct page_pool p;
	phys_addr_t pa;
	uint64_t copy[2];

	(void)state;
	pool_with_free(&p, BASE, 100);
	assert_int_equal(page_pool_alloc(&p, 4, 1, &pa), 0);
	assert_int_equal(page_pool_free(&p, pa, 4), 0);
	memcpy(copy, bitmap, sizeof(copy));
	assert_int_equal(page_pool_free(&p, pa, 4), -EINVAL);
	assert_true(log_capture_contains("reason=double-free"));
	assert_true(log_capture_contains("pool=test"));
	/* Partly free: refused as a whole, nothing cleared. */
	assert_int_equal(page_pool_alloc(&p, 2, 1, &pa), 0);
	memcpy(copy, bitmap, sizeof(copy));
	assert_int_equal(page_pool_free(&p, pa, 3), -EINVAL);
	assert_memory_equal(copy, bitmap, sizeof(copy));
	assert_int_equal(page_pool_free_pages(&p), 98);
	assert_int_equal(page_pool_free(&p, pa, 2), 0);
}

static void test_free_outside_refused(void **state)
{
	struct page_pool p;
	phys_addr_t pa;

	(void)state;
	pool_with_free(&p, BASE, 100);
	page_pool_reserve_range(&p, BASE, 100 * PAGE_SIZE);
	assert_int_equal(page_pool_free(&p, BASE - PAGE_SIZE, 1), -EINVAL);
	assert_true(log_capture_contains("reason=outside-pool"));
	assert_int_equal(page_pool_free(&p, BASE + 100 * PAGE_SIZE, 1), -EINVAL);
	assert_int_equal(page_pool_free(&p, BASE + 99 * PAGE_SIZE, 2), -EINVAL);
	assert_int_equal(page_pool_free(&p, BASE + 99 * PAGE_SIZE, ~0ULL), -EINVAL);
	assert_int_equal(page_pool_free(&p, BASE + 0x800, 1), -EINVAL);
	assert_true(log_capture_contains("reason=bad-argument"));
	assert_int_equal(page_pool_free(&p, BASE, 0), -EINVAL);
	assert_int_equal(page_pool_free_pages(&p), 0);
	assert_int_equal(page_pool_alloc(&p, 1, 1, &pa), -ENOMEM);
}

static void test_release_reserve_clipping(void **state)
{
	struct page_pool p;

	(void)state;
	page_pool_init(&p, "test", BASE, 100, bitmap);
	/* Partial pages are not released... */
	page_pool_release_range(&p, BASE + 0x800, PAGE_SIZE);
	assert_int_equal(page_pool_free_pages(&p), 0);
	page_pool_release_range(&p, BASE + 0x800, 3 * PAGE_SIZE);
	assert_int_equal(page_pool_free_pages(&p), 2);
	/* ...ranges are clipped to the pool, and overflowing ones saturate. */
	page_pool_release_range(&p, 0, BASE + 10 * PAGE_SIZE);
	assert_int_equal(page_pool_free_pages(&p), 10);
	page_pool_release_range(&p, BASE + 95 * PAGE_SIZE, 1 * GiB);
	assert_int_equal(page_pool_free_pages(&p), 15);
	page_pool_release_range(&p, BASE + 50 * PAGE_SIZE, ~0ULL);
	assert_int_equal(page_pool_free_pages(&p), 60);
	page_pool_release_range(&p, 0, BASE);
	page_pool_release_range(&p, BASE + 100 * PAGE_SIZE, GiB);
	assert_int_equal(page_pool_free_pages(&p), 60);
	/* Reserving counts every page the range touches, and only pages that were free. */
	page_pool_reserve_range(&p, BASE + 0x800, 0x100);
	assert_int_equal(page_pool_free_pages(&p), 59);
	page_pool_reserve_range(&p, BASE + 9 * PAGE_SIZE + 0xfff, 2); /* pages 9 and 10 */
	assert_int_equal(page_pool_free_pages(&p), 58);
	page_pool_reserve_range(&p, 0, BASE + 12 * PAGE_SIZE);
	assert_int_equal(page_pool_free_pages(&p), 50);
	page_pool_reserve_range(&p, BASE + 99 * PAGE_SIZE, ~0ULL);
	assert_int_equal(page_pool_free_pages(&p), 49);
	assert_int_equal(page_pool_largest_free(&p), 49);
}

static void test_largest_free(void **state)
{
	struct page_pool p;

	(void)state;
	page_pool_init(&p, "test", BASE, 1000, bitmap);
	page_pool_release_range(&p, BASE + 3 * PAGE_SIZE, 5 * PAGE_SIZE);
	page_pool_release_range(&p, BASE + 60 * PAGE_SIZE, 70 * PAGE_SIZE);  /* across words */
	page_pool_release_range(&p, BASE + 990 * PAGE_SIZE, 10 * PAGE_SIZE); /* up to the end */
	assert_int_equal(page_pool_largest_free(&p), 70);
	page_pool_reserve_range(&p, BASE + 100 * PAGE_SIZE, PAGE_SIZE);
	assert_int_equal(page_pool_largest_free(&p), 40);
	page_pool_release_range(&p, BASE + 130 * PAGE_SIZE, 700 * PAGE_SIZE);
	assert_int_equal(page_pool_largest_free(&p), 729); /* pages 101..829 */
}

/* A scan across many full words finds the one free run at the far end. */
static void test_skips_full_words(void **state)
{
	struct page_pool p;
	phys_addr_t pa;

	(void)state;
	page_pool_init(&p, "test", BASE, 16384, bitmap);
	page_pool_release_range(&p, BASE + 16380 * PAGE_SIZE, 4 * PAGE_SIZE);
	assert_int_equal(page_pool_alloc(&p, 2, 2, &pa), 0);
	assert_int_equal(pa, BASE + 16380 * PAGE_SIZE);
	assert_int_equal(page_pool_alloc(&p, 2, 1, &pa), 0);
	assert_int_equal(pa, BASE + 16382 * PAGE_SIZE);
}

/* Reference model for the randomized run. */
#define MODEL_PAGES 3000
#define MODEL_BASE  (BASE + 5 * PAGE_SIZE)

static bool used[MODEL_PAGES];
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static bool model_run_free(uint64_t first, uint64_t count)
{
	for (uint64_t i = first; i < first + count; i++)
		if (used[i])
			return false;
	return true;
}

static bool model_can_alloc(uint64_t count, uint64_t align)
{
	for (uint64_t i = 0; i + count <= MODEL_PAGES; i++)
		if (IS_ALIGNED(MODEL_BASE + i * PAGE_SIZE, align * PAGE_SIZE) &&
		    model_run_free(i, count))
			return true;
	return false;
}

static void model_check(const struct page_pool *p)
{
	uint64_t free_pages = 0, run = 0, best = 0;

	for (unsigned i = 0; i < MODEL_PAGES; i++) {
		free_pages += !used[i];
		run = used[i] ? 0 : run + 1;
		best = MAX(best, run);
	}
	assert_int_equal(page_pool_free_pages(p), free_pages);
	assert_int_equal(page_pool_largest_free(p), best);
}

struct block {
	phys_addr_t pa;
	uint64_t pages;
};

static void random_alloc(struct page_pool *p, struct block *blocks, unsigned *n)
{
	uint64_t count = 1 + rnd() % (rnd() % 8 ? 8 : 200);
	uint64_t align = 1ULL << (rnd() % 6);
	bool possible = model_can_alloc(count, align);
	phys_addr_t pa;
	int rc = page_pool_alloc(p, count, align, &pa);
	uint64_t first;

	assert_int_equal(rc, possible ? 0 : -ENOMEM);
	if (rc)
		return;
	first = (pa - MODEL_BASE) / PAGE_SIZE;
	assert_true(IS_ALIGNED(pa, align * PAGE_SIZE));
	assert_true(first + count <= MODEL_PAGES);
	assert_true(model_run_free(first, count));
	memset(&used[first], 1, count);
	blocks[(*n)++] = (struct block){pa, count};
}

static void random_free(struct page_pool *p, struct block *blocks, unsigned *n)
{
	unsigned i = (unsigned)(rnd() % *n);
	struct block b = blocks[i];

	assert_int_equal(page_pool_free(p, b.pa, b.pages), 0);
	memset(&used[(b.pa - MODEL_BASE) / PAGE_SIZE], 0, b.pages);
	blocks[i] = blocks[--*n];
	if (rnd() % 8 == 0)
		assert_int_equal(page_pool_free(p, b.pa, b.pages), -EINVAL);
}

static void test_random_against_model(void **state)
{
	static struct block blocks[MODEL_PAGES];
	struct page_pool p;
	unsigned n = 0;

	(void)state;
	memset(used, 0, sizeof(used));
	pool_with_free(&p, MODEL_BASE, MODEL_PAGES);
	for (unsigned step = 0; step < 4000; step++) {
		if (n && rnd() % 5 < 2)
			random_free(&p, blocks, &n);
		else
			random_alloc(&p, blocks, &n);
		if (step % 100 == 0)
			model_check(&p);
	}
	while (n)
		random_free(&p, blocks, &n);
	model_check(&p);
	assert_int_equal(page_pool_free_pages(&p), MODEL_PAGES);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_bitmap_bytes),
	    T(test_starts_in_use),
	    T(test_init_refuses_bad_span),
	    T(test_alloc_free),
	    T(test_alignment),
	    T(test_exhaustion),
	    T(test_double_free_refused),
	    T(test_free_outside_refused),
	    T(test_release_reserve_clipping),
	    T(test_largest_free),
	    T(test_skips_full_words),
	    T(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
