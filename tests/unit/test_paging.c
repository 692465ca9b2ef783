/*
 * Unit tests of the page-table engine (kernel/mm/paging.c) and its formats.
 * Table pages come from a fake physical address space: each "physical"
 * page is a host page from aligned_alloc, found again through a slot array,
 * so a stale or invented table address fails an assertion instead of
 * reading host memory, and every allocation and free is counted.
 * Entries are checked raw, bit by bit, against the architecture manuals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/errno.h"
#include "kernel/mm/paging.h"
#include "tests/unit/log_capture.h"

#include "tests/unit/fake_mm.h"

#define ADDR_MASK 0x000ffffffffff000ULL

static int setup(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	log_capture_reset();
	return 0;
}

/* Every test ends with all tables destroyed: anything left is a leak. */
static int teardown(void **state)
{
	(void)state;
	assert_int_equal(fake.live, 0);
	assert_int_equal(fake.allocs, fake.frees);
	return 0;
}

static void init_pg(struct paging *pg, const struct paging_format *fmt, unsigned levels,
		    uint32_t leaves)
{
	assert_int_equal(paging_init(pg, fmt, levels, leaves, &fake_mm_ops), 0);
	assert_int_equal(fake.live, 1);
}

/* The raw entry at `level` on the walk to va; all entries above must be present tables. */
static uint64_t *raw_entry(const struct paging *pg, uint64_t va, unsigned level)
{
	uint64_t *table = fake_phys_to_virt(&fake, pg->root);

	for (unsigned l = pg->levels - 1; l > level; l--) {
		uint64_t e = table[(va >> (12 + 9 * l)) & 511];

		assert_true(e & pg->fmt->present);
		table = fake_phys_to_virt(&fake, e & ADDR_MASK);
	}
	return &table[(va >> (12 + 9 * level)) & 511];
}

static void expect_map(struct paging *pg, uint64_t va, phys_addr_t pa, uint64_t size,
		       uint32_t flags, uint64_t leaf)
{
	phys_addr_t got_pa;
	uint32_t got_flags;
	uint64_t got_leaf;

	assert_int_equal(paging_map(pg, va, pa, size, flags), 0);
	assert_int_equal(paging_query(pg, va, &got_pa, &got_flags, &got_leaf), 0);
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_flags, flags);
	assert_int_equal(got_leaf, leaf);
}

static void expect_query(const struct paging *pg, uint64_t va, phys_addr_t pa, uint32_t flags,
			 uint64_t leaf)
{
	phys_addr_t got_pa;
	uint32_t got_flags;
	uint64_t got_leaf;

	assert_int_equal(paging_query(pg, va, &got_pa, &got_flags, &got_leaf), 0);
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_flags, flags);
	assert_int_equal(got_leaf, leaf);
}

/* A digest of the translation of every 4 KiB page of [va, va + size). */
static uint64_t snapshot(const struct paging *pg, uint64_t va, uint64_t size)
{
	uint64_t h = 1469598103934665603ULL;

	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		phys_addr_t pa = 0;
		uint32_t flags = 0;
		uint64_t leaf = 0;
		int rc = paging_query(pg, va + off, &pa, &flags, &leaf);
		const uint64_t words[3] = {(uint64_t)rc, pa, flags};

		for (unsigned i = 0; i < 3; i++)
			h = (h ^ words[i]) * 1099511628211ULL;
	}
	return h;
}

#define RW (PAGE_READ | PAGE_WRITE)

static void test_init_refuses_bad_geometry(void **state)
{
	struct paging pg;

	(void)state;
	assert_int_equal(paging_init(&pg, &paging_format_x86_64, 3, 0, &fake_mm_ops), -EINVAL);
	assert_int_equal(paging_init(&pg, &paging_format_ept, 5, 0, &fake_mm_ops), -EINVAL);
	assert_int_equal(paging_init(&pg, &paging_format_vtd_sl, 2, 0, &fake_mm_ops), -EINVAL);
	assert_int_equal(paging_init(&pg, &paging_format_npt, 4, BIT(3), &fake_mm_ops), -EINVAL);
	assert_int_equal(fake.allocs, 0);
	fake.fail_at = 1;
	assert_int_equal(paging_init(&pg, &paging_format_npt, 4, 0, &fake_mm_ops), -ENOMEM);
	paging_destroy(&pg);
	assert_int_equal(fake.live, 0);
}

static void test_map_query_4k(void **state)
{
	struct paging pg;
	phys_addr_t pa;

	(void)state;
	init_pg(&pg, &paging_format_x86_64, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
	expect_map(&pg, 0x400000, 0x1234000, PAGE_SIZE, RW, PAGE_SIZE);
	assert_int_equal(paging_query(&pg, 0x400abc, &pa, NULL, NULL), 0);
	assert_int_equal(pa, 0x1234abc);
	assert_int_equal(paging_query(&pg, 0x401000, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(paging_query(&pg, 0x3ff000, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(fake.live, 4); /* root + PDPT + PD + PT */
	paging_destroy(&pg);
}

/* 1G + 2M + 4K at 1G-aligned addresses: one leaf of each size. */
static void test_leaf_size_by_alignment(void **state)
{
	struct paging pg;

	(void)state;
	init_pg(&pg, &paging_format_x86_64, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
	assert_int_equal(paging_map(&pg, 1 * GiB, 5 * GiB, GiB + 2 * MiB + 4 * KiB, RW), 0);
	expect_query(&pg, 1 * GiB, 5 * GiB, RW, GiB);
	expect_query(&pg, 2 * GiB, 6 * GiB, RW, 2 * MiB);
	expect_query(&pg, 2 * GiB + 2 * MiB, 6 * GiB + 2 * MiB, RW, 4 * KiB);
	assert_int_equal(paging_query(&pg, 2 * GiB + 2 * MiB + 4 * KiB, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(fake.live, 4);
	paging_destroy(&pg);
}

/* va 2M-aligned but pa only 4K-aligned: no large leaf may be used. */
static void test_leaf_needs_pa_alignment(void **state)
{
	struct paging pg;

	(void)state;
	init_pg(&pg, &paging_format_x86_64, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
	assert_int_equal(paging_map(&pg, 2 * MiB, 2 * MiB + 4 * KiB, 4 * MiB, RW), 0);
	expect_query(&pg, 2 * MiB, 2 * MiB + 4 * KiB, RW, 4 * KiB);
	expect_query(&pg, 6 * MiB - 4 * KiB, 6 * MiB, RW, 4 * KiB);
	/* A range starting 4K below a 2M boundary: 4K, then 2M, then 4K leaves. */
	assert_int_equal(
	    paging_map(&pg, 8 * MiB - 4 * KiB, 8 * MiB - 4 * KiB, 2 * MiB + 8 * KiB, RW), 0);
	expect_query(&pg, 8 * MiB - 4 * KiB, 8 * MiB - 4 * KiB, RW, 4 * KiB);
	expect_query(&pg, 8 * MiB, 8 * MiB, RW, 2 * MiB);
	expect_query(&pg, 10 * MiB, 10 * MiB, RW, 4 * KiB);
	paging_destroy(&pg);
}

static void test_leaf_sizes_trimmed(void **state)
{
	struct paging pg;

	(void)state;
	init_pg(&pg, &paging_format_ept, 4, PAGING_LEAF_2M);
	assert_int_equal(pg.leaf_sizes, PAGING_LEAF_2M);
	assert_int_equal(paging_map(&pg, GiB, GiB, GiB, RW), 0);
	expect_query(&pg, GiB, GiB, RW, 2 * MiB);
	expect_query(&pg, 2 * GiB - 2 * MiB, 2 * GiB - 2 * MiB, RW, 2 * MiB);
	assert_int_equal(*raw_entry(&pg, GiB, 2) & BIT(7), 0);
	paging_destroy(&pg);

	init_pg(&pg, &paging_format_ept, 4, 0);
	assert_int_equal(paging_map(&pg, 0, 0, 4 * MiB, RW), 0);
	expect_query(&pg, 2 * MiB, 2 * MiB, RW, 4 * KiB);
	paging_destroy(&pg);
}

/* The memory type an x86 leaf selects through the PAT the engine assumes. */
static unsigned x86_effective_type(uint64_t entry, unsigned level)
{
	uint64_t pat = level ? BIT(12) : BIT(7);
	unsigned idx =
	    ((entry & BIT(3)) ? 1 : 0) | ((entry & BIT(4)) ? 2 : 0) | ((entry & pat) ? 4 : 0);

	return (paging_x86_pat_value() >> (8 * idx)) & 0xff;
}

static void test_x86_pat_value(void **state)
{
	(void)state;
	/* PAT0-3 as at power-on (WB, WT, UC-, UC), PAT4 WC. */
	assert_int_equal(paging_x86_pat_value() & 0xffffffffULL, 0x00070406ULL);
	assert_int_equal((paging_x86_pat_value() >> 32) & 0xff, 0x01);
}

static void test_x86_entry_bits(void **state)
{
	static const struct {
		uint32_t cache;
		unsigned type;
	} types[] = {
	    {PAGE_CACHE_WB, 6},
	    {PAGE_CACHE_UC, 0},
	    {PAGE_CACHE_WC, 1},
	    {PAGE_CACHE_WT, 4},
	};
	struct paging pg;

	(void)state;
	init_pg(&pg, &paging_format_x86_64, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
	for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
		uint64_t va4k = i * 4 * MiB, va2m = va4k + 2 * MiB;
		uint32_t flags = PAGE_READ | PAGE_GLOBAL | types[i].cache;
		uint64_t e;

		expect_map(&pg, va4k, 0x7000, PAGE_SIZE, flags, PAGE_SIZE);
		e = *raw_entry(&pg, va4k, 0);
		assert_int_equal(e & (BIT(0) | BIT(1) | BIT(2) | BIT(8) | BIT(63)),
				 BIT(0) | BIT(8) | BIT(63));
		assert_int_equal(e & ADDR_MASK, 0x7000);
		assert_int_equal(x86_effective_type(e, 0), types[i].type);

		expect_map(&pg, va2m, 0x40000000, 2 * MiB, flags | PAGE_WRITE | PAGE_EXEC, 2 * MiB);
		e = *raw_entry(&pg, va2m, 1);
		assert_int_equal(e & (BIT(0) | BIT(1) | BIT(7) | BIT(63)),
				 BIT(0) | BIT(1) | BIT(7));
		assert_int_equal(e & ADDR_MASK & ~(2 * MiB - 1), 0x40000000);
		assert_int_equal(x86_effective_type(e, 1), types[i].type);
	}
	/* Tables grant P|RW|US, leaves decide; user leaf gets US. */
	assert_int_equal(*raw_entry(&pg, 0, 3) & 0xfff, 0x7);
	assert_int_equal(*raw_entry(&pg, 0, 2) & (0xfffULL | BIT(63)), 0x7);
	expect_map(&pg, 64 * MiB, 0, PAGE_SIZE, PAGE_READ | PAGE_USER, PAGE_SIZE);
	assert_true(*raw_entry(&pg, 64 * MiB, 0) & BIT(2));
	/* No read-less x86 mapping, no unknown flags. */
	assert_int_equal(paging_map(&pg, 80 * MiB, 0, PAGE_SIZE, PAGE_WRITE), -EINVAL);
	assert_int_equal(paging_map(&pg, 80 * MiB, 0, PAGE_SIZE, PAGE_READ | PAGE_SNOOP), -EINVAL);
	paging_destroy(&pg);
}

static void test_x86_1g_leaf_bits(void **state)
{
	struct paging pg;
	uint64_t e;

	(void)state;
	init_pg(&pg, &paging_format_x86_64, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
	expect_map(&pg, 0xffffffff80000000ULL, 0, GiB, PAGE_READ | PAGE_EXEC | PAGE_CACHE_WC, GiB);
	e = *raw_entry(&pg, 0xffffffff80000000ULL, 2);
	assert_int_equal(e & (BIT(0) | BIT(1) | BIT(7) | BIT(12) | BIT(63)),
			 BIT(0) | BIT(7) | BIT(12));
	assert_int_equal(e & ADDR_MASK & ~(GiB - 1), 0);
	paging_destroy(&pg);
}

/* NPT: U=1 at every level of the walk, no G, x86 rights otherwise. */
static void test_npt_user_everywhere(void **state)
{
	struct paging pg;

	(void)state;
	init_pg(&pg, &paging_format_npt, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
	expect_map(&pg, 0x10000, 0x20000, PAGE_SIZE, RW, PAGE_SIZE);
	expect_map(&pg, 2 * MiB, 2 * MiB, 2 * MiB, PAGE_READ | PAGE_EXEC, 2 * MiB);
	expect_map(&pg, GiB, GiB, GiB, PAGE_READ | PAGE_CACHE_UC, GiB);
	for (int l = 3; l >= 0; l--)
		assert_int_equal(*raw_entry(&pg, 0x10000, (unsigned)l) & (BIT(0) | BIT(2)),
				 BIT(0) | BIT(2));
	assert_int_equal(*raw_entry(&pg, 2 * MiB, 1) & (BIT(2) | BIT(7) | BIT(8) | BIT(63)),
			 BIT(2) | BIT(7));
	assert_int_equal(*raw_entry(&pg, GiB, 2) & (BIT(2) | BIT(7) | BIT(63)),
			 BIT(2) | BIT(7) | BIT(63));
	/* USER is implied and accepted, GLOBAL cannot be expressed. */
	assert_int_equal(paging_map(&pg, 0x11000, 0, PAGE_SIZE, PAGE_READ | PAGE_USER), 0);
	assert_int_equal(paging_map(&pg, 0x12000, 0, PAGE_SIZE, PAGE_READ | PAGE_GLOBAL), -EINVAL);
	/* Guest physical space is 48 bits wide, not canonical. */
	assert_int_equal(paging_map(&pg, BIT(48) - PAGE_SIZE, 0, PAGE_SIZE, PAGE_READ), 0);
	assert_int_equal(paging_map(&pg, BIT(48), 0, PAGE_SIZE, PAGE_READ), -EINVAL);
	paging_destroy(&pg);
}

static void test_ept_entry_bits(void **state)
{
	static const struct {
		uint32_t cache;
		uint64_t mt;
	} types[] = {
	    {PAGE_CACHE_WB, 6},
	    {PAGE_CACHE_UC, 0},
	    {PAGE_CACHE_WC, 1},
	    {PAGE_CACHE_WT, 4},
	};
	struct paging pg;

	(void)state;
	init_pg(&pg, &paging_format_ept, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
	for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
		uint64_t va = i * 4 * MiB;
		uint64_t e;

		expect_map(&pg, va, 0x9000, PAGE_SIZE, RW | types[i].cache, PAGE_SIZE);
		e = *raw_entry(&pg, va, 0);
		assert_int_equal(e & 0xfff, 0x3 | types[i].mt << 3);
		assert_int_equal(e & ADDR_MASK, 0x9000);
		expect_map(&pg, va + 2 * MiB, 0, 2 * MiB, PAGE_READ | PAGE_EXEC | types[i].cache,
			   2 * MiB);
		e = *raw_entry(&pg, va + 2 * MiB, 1);
		assert_int_equal(e & 0xfff, 0x5 | types[i].mt << 3 | BIT(7));
	}
	/* Tables: RWX, no memory type, no large bit. */
	for (unsigned l = 3; l >= 1; l--)
		assert_int_equal(*raw_entry(&pg, 0, l) & 0xff, 0x7);
	/* Execute-only is expressible; write without read is a misconfiguration. */
	assert_int_equal(paging_map(&pg, 64 * MiB, 0, PAGE_SIZE, PAGE_EXEC), 0);
	assert_int_equal(*raw_entry(&pg, 64 * MiB, 0) & 0x7, 0x4);
	assert_int_equal(paging_map(&pg, 68 * MiB, 0, PAGE_SIZE, PAGE_WRITE), -EINVAL);
	assert_int_equal(paging_map(&pg, 68 * MiB, 0, PAGE_SIZE, 0), -EINVAL);
	assert_int_equal(paging_map(&pg, 68 * MiB, 0, PAGE_SIZE, PAGE_READ | PAGE_USER), -EINVAL);
	paging_destroy(&pg);
}

static void test_vtd_entry_bits(void **state)
{
	struct paging pg;

	(void)state;
	init_pg(&pg, &paging_format_vtd_sl, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
	expect_map(&pg, 0x1000, 0x5000, PAGE_SIZE, PAGE_READ, PAGE_SIZE);
	assert_int_equal(*raw_entry(&pg, 0x1000, 0) & 0xfff, 0x1);
	expect_map(&pg, 2 * MiB, 0, 2 * MiB, PAGE_WRITE | PAGE_SNOOP, 2 * MiB);
	assert_int_equal(*raw_entry(&pg, 2 * MiB, 1) & 0xfff, 0x2 | BIT(7) | BIT(11));
	expect_map(&pg, GiB, GiB, GiB, RW, GiB);
	assert_int_equal(*raw_entry(&pg, GiB, 2) & 0xfff, 0x3 | BIT(7));
	for (unsigned l = 3; l >= 1; l--)
		assert_int_equal(*raw_entry(&pg, 0x1000, l) & 0xfff, 0x3);
	/* DMA has neither execute rights nor a memory type here. */
	assert_int_equal(paging_map(&pg, 8 * MiB, 0, PAGE_SIZE, PAGE_READ | PAGE_EXEC), -EINVAL);
	assert_int_equal(paging_map(&pg, 8 * MiB, 0, PAGE_SIZE, PAGE_READ | PAGE_CACHE_UC),
			 -EINVAL);
	assert_int_equal(paging_map(&pg, 8 * MiB, 0, PAGE_SIZE, PAGE_SNOOP), -EINVAL);
	/* AGAW 48 */
	assert_int_equal(paging_map(&pg, BIT(48) - PAGE_SIZE, 0, PAGE_SIZE, PAGE_READ), 0);
	assert_int_equal(paging_map(&pg, BIT(48), 0, PAGE_SIZE, PAGE_READ), -EINVAL);
	paging_destroy(&pg);
}

/* AGAW 39: three levels, the root holds 1G leaves, addresses below 2^39. */
static void test_vtd_3_level(void **state)
{
	struct paging pg;
	uint64_t *root;

	(void)state;
	init_pg(&pg, &paging_format_vtd_sl, 3, PAGING_LEAF_2M | PAGING_LEAF_1G);
	root = fake_phys_to_virt(&fake, pg.root);
	expect_map(&pg, 3 * GiB, 7 * GiB, GiB, RW, GiB);
	assert_int_equal(root[3], 7 * GiB | 0x3 | BIT(7));
	expect_map(&pg, BIT(39) - PAGE_SIZE, 0x1000, PAGE_SIZE, PAGE_READ, PAGE_SIZE);
	assert_int_equal(root[511] & 0xfff, 0x3);
	assert_int_equal(paging_map(&pg, BIT(39), 0, PAGE_SIZE, PAGE_READ), -EINVAL);
	assert_int_equal(paging_map(&pg, BIT(39) - PAGE_SIZE, 0, 2 * PAGE_SIZE, PAGE_READ),
			 -EINVAL);
	assert_int_equal(paging_query(&pg, BIT(39), NULL, NULL, NULL), -EINVAL);
	/* Cutting the 1G root leaf splits it in place. */
	assert_int_equal(paging_unmap(&pg, 3 * GiB + 4 * MiB, PAGE_SIZE), 0);
	expect_query(&pg, 3 * GiB, 7 * GiB, RW, 2 * MiB);
	expect_query(&pg, 3 * GiB + 4 * MiB + 4 * KiB, 7 * GiB + 4 * MiB + 4 * KiB, RW, 4 * KiB);
	assert_int_equal(paging_unmap(&pg, 0, BIT(39)), 0);
	assert_int_equal(fake.live, 1);
	paging_destroy(&pg);
}

static void test_address_checks(void **state)
{
	struct paging pg;

	(void)state;
	init_pg(&pg, &paging_format_x86_64, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
	/* Non-canonical, or crossing the hole. */
	assert_int_equal(paging_map(&pg, BIT(47), 0, PAGE_SIZE, PAGE_READ), -EINVAL);
	assert_int_equal(paging_map(&pg, 0xffff7ffffffff000ULL, 0, PAGE_SIZE, PAGE_READ), -EINVAL);
	assert_int_equal(paging_map(&pg, BIT(47) - PAGE_SIZE, 0, 2 * PAGE_SIZE, PAGE_READ),
			 -EINVAL);
	assert_int_equal(paging_unmap(&pg, BIT(47), PAGE_SIZE), -EINVAL);
	assert_int_equal(paging_query(&pg, BIT(47), NULL, NULL, NULL), -EINVAL);
	/* Alignment, size, wrap, physical width. */
	assert_int_equal(paging_map(&pg, 0x1800, 0, PAGE_SIZE, PAGE_READ), -EINVAL);
	assert_int_equal(paging_map(&pg, 0x1000, 0x800, PAGE_SIZE, PAGE_READ), -EINVAL);
	assert_int_equal(paging_map(&pg, 0x1000, 0, 0x800, PAGE_READ), -EINVAL);
	assert_int_equal(paging_map(&pg, 0x1000, 0, 0, PAGE_READ), -EINVAL);
	assert_int_equal(paging_map(&pg, 0xfffffffffffff000ULL, 0, 2 * PAGE_SIZE, PAGE_READ),
			 -EINVAL);
	assert_int_equal(paging_map(&pg, 0, BIT(52) - PAGE_SIZE, 2 * PAGE_SIZE, PAGE_READ),
			 -EINVAL);
	assert_int_equal(paging_map(&pg, 0, 0xfffffffffffff000ULL, 2 * PAGE_SIZE, PAGE_READ),
			 -EINVAL);
	assert_int_equal(fake.live, 1);
	/* The edges of both halves are usable. */
	expect_map(&pg, BIT(47) - PAGE_SIZE, BIT(52) - PAGE_SIZE, PAGE_SIZE, PAGE_READ, PAGE_SIZE);
	expect_map(&pg, 0xffff800000000000ULL, 0, PAGE_SIZE, PAGE_READ, PAGE_SIZE);
	expect_map(&pg, 0xfffffffffffff000ULL, 0x3000, PAGE_SIZE, PAGE_READ, PAGE_SIZE);
	assert_int_equal(paging_unmap(&pg, 0xffffffffc0000000ULL, GiB), 0);
	assert_int_equal(paging_query(&pg, 0xfffffffffffff000ULL, NULL, NULL, NULL), -ENOENT);
	paging_destroy(&pg);
}

static void test_map_over_mapping_refused(void **state)
{
	struct paging pg;
	uint64_t before;
	long tables;

	(void)state;
	init_pg(&pg, &paging_format_x86_64, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
	assert_int_equal(paging_map(&pg, 2 * MiB, 2 * MiB, 2 * MiB, RW), 0);
	assert_int_equal(paging_map(&pg, 5 * MiB, 5 * MiB, PAGE_SIZE, RW), 0);
	before = snapshot(&pg, 0, 8 * MiB);
	tables = fake.live;
	/* Overlaps only the last 4K of a 2M leaf; large and small leaves both count. */
	assert_int_equal(paging_map(&pg, 4 * MiB - PAGE_SIZE, 0, 8 * KiB, RW), -EEXIST);
	assert_int_equal(paging_map(&pg, 0, 0, 8 * MiB, RW), -EEXIST);
	assert_int_equal(paging_map(&pg, 4 * MiB, 0, 2 * MiB, RW), -EEXIST);
	assert_int_equal(paging_map(&pg, 0, 0, GiB, RW), -EEXIST);
	assert_int_equal(snapshot(&pg, 0, 8 * MiB), before);
	assert_int_equal(fake.live, tables);
	/* The gaps are still free. */
	assert_int_equal(paging_map(&pg, 4 * MiB, 0, MiB, RW), 0);
	paging_destroy(&pg);
}

static void check_split(const struct paging_format *fmt, uint64_t leaf, uint32_t flags)
{
	struct paging pg;
	uint64_t va = 4 * GiB, pa = 8 * GiB, hole = va + leaf / 2 + 12 * KiB;

	init_pg(&pg, fmt, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
	expect_map(&pg, va, pa, leaf, flags, leaf);
	assert_int_equal(paging_unmap(&pg, hole, 8 * KiB), 0);
	assert_int_equal(paging_query(&pg, hole, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(paging_query(&pg, hole + 4 * KiB, NULL, NULL, NULL), -ENOENT);
	/* Everything else still translates, with the same flags, in the largest pieces left. */
	expect_query(&pg, va, pa, flags, leaf / 512);
	expect_query(&pg, hole - 4 * KiB, pa + (hole - va) - 4 * KiB, flags, 4 * KiB);
	expect_query(&pg, hole + 8 * KiB, pa + (hole - va) + 8 * KiB, flags, 4 * KiB);
	expect_query(&pg, va + leaf - 4 * KiB, pa + leaf - 4 * KiB, flags, leaf / 512);
	for (uint64_t off = 0; off < leaf; off += leaf / 512 / 8) {
		phys_addr_t got;
		uint32_t got_flags;
		int rc = paging_query(&pg, va + off, &got, &got_flags, NULL);

		if (va + off >= hole && va + off < hole + 8 * KiB) {
			assert_int_equal(rc, -ENOENT);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(got, pa + off);
		assert_int_equal(got_flags, flags);
	}
	/* Removing the rest frees every table but the root. */
	assert_int_equal(paging_unmap(&pg, va, leaf), 0);
	assert_int_equal(fake.live, 1);
	paging_destroy(&pg);
}

static void test_unmap_splits_1g(void **state)
{
	(void)state;
	check_split(&paging_format_x86_64, GiB, PAGE_READ | PAGE_GLOBAL | PAGE_CACHE_WC);
	check_split(&paging_format_npt, GiB, RW | PAGE_EXEC | PAGE_CACHE_WT);
	check_split(&paging_format_ept, GiB, PAGE_EXEC | PAGE_CACHE_UC);
	check_split(&paging_format_vtd_sl, GiB, PAGE_WRITE | PAGE_SNOOP);
}

static void test_unmap_splits_2m(void **state)
{
	(void)state;
	check_split(&paging_format_x86_64, 2 * MiB, RW | PAGE_USER | PAGE_CACHE_UC);
	check_split(&paging_format_npt, 2 * MiB, PAGE_READ | PAGE_CACHE_WC);
	check_split(&paging_format_ept, 2 * MiB, RW | PAGE_CACHE_WB);
	check_split(&paging_format_vtd_sl, 2 * MiB, PAGE_READ);
}

static void test_unmap_frees_empty_tables(void **state)
{
	struct paging pg;

	(void)state;
	init_pg(&pg, &paging_format_x86_64, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
	/* Unmapping nothing is fine. */
	assert_int_equal(paging_unmap(&pg, 0, GiB), 0);
	assert_int_equal(paging_map(&pg, 0x1000, 0x1000, PAGE_SIZE, RW), 0);
	assert_int_equal(paging_map(&pg, 0x3000, 0x3000, PAGE_SIZE, RW), 0);
	assert_int_equal(fake.live, 4);
	assert_int_equal(paging_unmap(&pg, 0x1000, PAGE_SIZE), 0);
	assert_int_equal(fake.live, 4); /* the PT still holds 0x3000 */
	/* A range that is partly mapped. */
	assert_int_equal(paging_unmap(&pg, 0, 2 * MiB), 0);
	assert_int_equal(fake.live, 1);
	assert_int_equal(*(uint64_t *)fake_phys_to_virt(&fake, pg.root), 0);
	paging_destroy(&pg);
}

/*
 * Every allocation of a map fails in turn: each failure must leave the
 * translation and the table count exactly as before.
 */
static void check_map_failures(struct paging *pg, uint64_t va, phys_addr_t pa, uint64_t size,
			       uint32_t flags, uint64_t window)
{
	uint64_t before = snapshot(pg, va, window);
	long tables = fake.live;
	int rc = -ENOMEM;
	unsigned long k;

	for (k = 1; rc == -ENOMEM; k++) {
		fake.calls = 0;
		fake.fail_at = k;
		rc = paging_map(pg, va, pa, size, flags);
		if (rc == -ENOMEM) {
			assert_int_equal(fake.live, tables);
			assert_int_equal(snapshot(pg, va, window), before);
		}
	}
	fake.fail_at = 0;
	assert_int_equal(rc, 0);
	assert_true(k > 2); /* at least one failure was injected */
}

static void test_map_allocation_failures(void **state)
{
	struct paging pg;

	(void)state;
	init_pg(&pg, &paging_format_x86_64, 4, PAGING_LEAF_2M);
	/* Existing neighbours keep some tables alive that the failing map also uses. */
	assert_int_equal(paging_map(&pg, GiB - 8 * KiB, 0, 4 * KiB, RW), 0);
	assert_int_equal(paging_map(&pg, 3 * GiB + 8 * KiB, 0, 4 * KiB, RW), 0);
	/* 4K pieces, 2M leaves and several new tables across two PDPT entries. */
	check_map_failures(&pg, GiB - 4 * KiB, 0x10000000 - 4 * KiB, GiB + 6 * MiB, RW,
			   GiB + 8 * MiB);
	paging_destroy(&pg);

	init_pg(&pg, &paging_format_vtd_sl, 3, PAGING_LEAF_2M);
	check_map_failures(&pg, 510 * GiB - 4 * KiB, 2 * MiB - 4 * KiB, 2 * GiB, PAGE_READ,
			   2 * GiB);
	paging_destroy(&pg);
}

/*
 * A failing split leaves the translation alone and leaks nothing. Each k
 * starts from a fresh 1G leaf so the k-th allocation is always the same split.
 */
static void test_unmap_allocation_failures(void **state)
{
	struct paging pg;
	uint64_t before = 0;
	unsigned long k;
	int rc = -ENOMEM;

	(void)state;
	for (k = 1; rc == -ENOMEM; k++) {
		init_pg(&pg, &paging_format_ept, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
		assert_int_equal(paging_map(&pg, GiB, 0, GiB, RW), 0);
		if (k == 1)
			before = snapshot(&pg, GiB, GiB);
		fake.calls = 0;
		fake.fail_at = k;
		rc = paging_unmap(&pg, GiB + 3 * MiB, GiB - 6 * MiB + 8 * KiB);
		fake.fail_at = 0;
		if (rc == -ENOMEM) {
			assert_int_equal(snapshot(&pg, GiB, GiB), before);
			paging_destroy(&pg);
			assert_int_equal(fake.live, 0);
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(k, 5); /* three splits: the 1G leaf, then a 2M leaf at each end */
	expect_query(&pg, GiB, 0, RW, 2 * MiB);
	expect_query(&pg, GiB + 2 * MiB, 2 * MiB, RW, 4 * KiB);
	assert_int_equal(paging_query(&pg, GiB + 3 * MiB, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(paging_query(&pg, 2 * GiB - 3 * MiB, NULL, NULL, NULL), -ENOENT);
	expect_query(&pg, 2 * GiB - 3 * MiB + 8 * KiB, GiB - 3 * MiB + 8 * KiB, RW, 4 * KiB);
	expect_query(&pg, 2 * GiB - 2 * MiB, GiB - 2 * MiB, RW, 2 * MiB);
	paging_destroy(&pg);
}

/* Reference model: one entry per 4 KiB page of a 2 GiB window. */
#define MODEL_PAGES (2 * GiB / PAGE_SIZE)
#define MODEL_VA    0x40000000ULL

static uint64_t *model; /* pa | 1 if mapped, 0 if not */

static uint64_t rnd_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static uint64_t random_size(void)
{
	static const uint64_t sizes[] = {4 * KiB, 64 * KiB, 2 * MiB, 6 * MiB, GiB};
	uint64_t s = sizes[rnd() % ARRAY_SIZE(sizes)];

	return rnd() % 2 ? s : s + (rnd() % 16) * PAGE_SIZE;
}

/* Offsets that are often 1G/2M aligned so large leaves actually appear. */
static uint64_t random_offset(uint64_t size)
{
	static const uint64_t aligns[] = {4 * KiB, 2 * MiB, GiB};
	uint64_t align = aligns[rnd() % ARRAY_SIZE(aligns)];
	uint64_t off = ALIGN_DOWN(rnd() % (2 * GiB), align);

	return off + size > 2 * GiB ? 2 * GiB - size : off;
}

static void model_apply(uint64_t off, uint64_t pa, uint64_t size, bool map)
{
	for (uint64_t i = 0; i < size / PAGE_SIZE; i++)
		model[off / PAGE_SIZE + i] = map ? (pa + i * PAGE_SIZE) | 1 : 0;
}

static bool model_any_mapped(uint64_t off, uint64_t size)
{
	for (uint64_t i = 0; i < size / PAGE_SIZE; i++)
		if (model[off / PAGE_SIZE + i])
			return true;
	return false;
}

static void model_check(const struct paging *pg)
{
	for (uint64_t i = 0; i < MODEL_PAGES; i++) {
		phys_addr_t pa;
		int rc = paging_query(pg, MODEL_VA + i * PAGE_SIZE, &pa, NULL, NULL);

		if (!model[i]) {
			assert_int_equal(rc, -ENOENT);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(pa | 1, model[i]);
	}
}

static void random_step(struct paging *pg)
{
	uint64_t size = random_size();
	uint64_t off = random_offset(size);

	if (rnd() % 3) {
		uint64_t pa = rnd() % 2 ? off : ALIGN_DOWN(rnd() % (64 * GiB), PAGE_SIZE);
		int expect = model_any_mapped(off, size) ? -EEXIST : 0;

		assert_int_equal(paging_map(pg, MODEL_VA + off, pa, size, RW), expect);
		if (!expect)
			model_apply(off, pa, size, true);
	} else {
		assert_int_equal(paging_unmap(pg, MODEL_VA + off, size), 0);
		model_apply(off, 0, size, false);
	}
}

static void test_random_against_model(void **state)
{
	struct paging pg;

	(void)state;
	model = calloc(MODEL_PAGES, sizeof(*model));
	assert_non_null(model);
	init_pg(&pg, &paging_format_x86_64, 4, PAGING_LEAF_2M | PAGING_LEAF_1G);
	for (unsigned step = 1; step <= 300; step++) {
		random_step(&pg);
		if (step % 60 == 0)
			model_check(&pg);
	}
	assert_int_equal(paging_unmap(&pg, MODEL_VA, 2 * GiB), 0);
	assert_int_equal(fake.live, 1);
	paging_destroy(&pg);
	free(model);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_init_refuses_bad_geometry),
	    T(test_map_query_4k),
	    T(test_leaf_size_by_alignment),
	    T(test_leaf_needs_pa_alignment),
	    T(test_leaf_sizes_trimmed),
	    T(test_x86_pat_value),
	    T(test_x86_entry_bits),
	    T(test_x86_1g_leaf_bits),
	    T(test_npt_user_everywhere),
	    T(test_ept_entry_bits),
	    T(test_vtd_entry_bits),
	    T(test_vtd_3_level),
	    T(test_address_checks),
	    T(test_map_over_mapping_refused),
	    T(test_unmap_splits_1g),
	    T(test_unmap_splits_2m),
	    T(test_unmap_frees_empty_tables),
	    T(test_map_allocation_failures),
	    T(test_unmap_allocation_failures),
	    T(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
