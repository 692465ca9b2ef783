/*
 * Unit tests for iommu/vtd_tables.c: VT-d legacy root and context tables.
 * Table pages come from a fake physical address space (host pages found
 * through a slot array, every allocation and free counted, any call can be
 * made to fail), and entries are checked raw against bit patterns worked
 * out by hand from the VT-d specification, 9.1 and 9.3 (arithmetic in the
 * comments), not from the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/errno.h"
#include "iommu/vtd_caps.h"
#include "iommu/vtd_tables.h"
#include "tests/unit/log_capture.h"

#include "tests/unit/fake_mm.h"

static int setup(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	log_capture_reset();
	return 0;
}

/* Every test ends with the map destroyed: anything left is a leak. */
static int teardown(void **state)
{
	(void)state;
	assert_int_equal(fake.live, 0);
	assert_int_equal(fake.allocs, fake.frees);
	return 0;
}

static void init_map(struct vtd_context_map *m)
{
	assert_int_equal(vtd_ctx_init(m, &fake_mm_ops), 0);
	assert_int_equal(fake.live, 1);
}

static const struct vtd_root_entry *root_entry(const struct vtd_context_map *m, unsigned bus)
{
	const struct vtd_root_entry *root = fake_phys_to_virt(&fake, vtd_ctx_root(m));

	return &root[bus];
}

/* The raw context entry of rid; its bus's root entry must be present. */
static const struct vtd_context_entry *ctx_entry(const struct vtd_context_map *m, uint16_t rid)
{
	const struct vtd_root_entry *re = root_entry(m, rid >> 8);
	const struct vtd_context_entry *table;

	assert_int_equal(re->lo & 1, 1);
	table = fake_phys_to_virt(&fake, re->lo & ~0xfffULL);
	return &table[rid & 0xff];
}

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct vtd_root_entry), 16);
	assert_int_equal(sizeof(struct vtd_context_entry), 16);
	assert_int_equal(offsetof(struct vtd_context_entry, hi), 8);
	/* 256 entries of 16 bytes fill one 4 KiB table */
	assert_int_equal(VTD_ENTRIES_PER_TABLE * sizeof(struct vtd_context_entry), PAGE_SIZE);
	/* 01:00.0 = 1 << 8; 00:1f.2 = 31 << 3 | 2 = 0xfa; ff:1f.7 = 0xffff */
	assert_int_equal(vtd_rid(1, 0, 0), 0x0100);
	assert_int_equal(vtd_rid(0, 0x1f, 2), 0x00fa);
	assert_int_equal(vtd_rid(0xff, 0x1f, 7), 0xffff);
}

static void test_init_empty_root(void **state)
{
	(void)state;
	struct vtd_context_map m;
	const uint8_t *root;

	init_map(&m);
	assert_true(vtd_ctx_root(&m) >= FAKE_BASE);
	assert_true(IS_ALIGNED(vtd_ctx_root(&m), PAGE_SIZE));
	root = fake_phys_to_virt(&fake, vtd_ctx_root(&m));
	for (unsigned i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(root[i], 0);
	assert_int_equal(vtd_ctx_lookup(&m, 0x0100, NULL, NULL), -ENOENT);
	vtd_ctx_destroy(&m);
	vtd_ctx_destroy(&m); /* second destroy is a no-op */
}

static void test_init_allocation_failure(void **state)
{
	(void)state;
	struct vtd_context_map m;

	fake.fail_at = 1;
	assert_int_equal(vtd_ctx_init(&m, &fake_mm_ops), -ENOMEM);
	assert_int_equal(fake.live, 0);
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 1, 0x1000, 1), -EINVAL);
	assert_int_equal(vtd_ctx_lookup(&m, 0x0100, NULL, NULL), -ENOENT);
	vtd_ctx_destroy(&m); /* no-op after a failed init */
}

/* 01:00.0 -> domain 5, second-level root 0x12345000, AW 2 (48-bit, 4 levels). */
static void test_assign_bit_pattern(void **state)
{
	(void)state;
	struct vtd_context_map m;
	const struct vtd_root_entry *re;
	const struct vtd_context_entry *ce;
	uint16_t did = 0;
	phys_addr_t sl = 0;

	init_map(&m);
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 5, 0x12345000, 2), 0);
	assert_int_equal(fake.live, 2); /* root + bus 1's context table */
	re = root_entry(&m, 1);
	/* root entry: CTP (63:12) = the table's page, P (bit 0) = 1, high qword 0 */
	assert_int_equal(re->lo & 0xfffULL, 0x001);
	assert_true((re->lo & ~0xfffULL) >= FAKE_BASE);
	assert_int_equal(re->hi, 0);
	/* other buses untouched */
	assert_int_equal(root_entry(&m, 0)->lo, 0);
	assert_int_equal(root_entry(&m, 2)->lo, 0);
	ce = ctx_entry(&m, 0x0100);
	/* lo: SLPTPTR 0x12345000 | TT 00 (bits 3:2) | FPD 0 (bit 1) | P 1 = 0x12345001 */
	assert_int_equal(ce->lo, 0x12345001ULL);
	/* hi: DID 5 << 8 = 0x500 | AW 2 (bits 2:0) = 0x502 */
	assert_int_equal(ce->hi, 0x502ULL);
	/* neighbour devfn 01:00.1 is not present */
	assert_int_equal(ctx_entry(&m, 0x0101)->lo, 0);
	assert_int_equal(vtd_ctx_lookup(&m, 0x0100, &did, &sl), 0);
	assert_int_equal(did, 5);
	assert_int_equal(sl, 0x12345000);
	vtd_ctx_destroy(&m);
}

/* ff:1f.2 -> domain 0xffff, root 0xffffffffff000 (bits 51:12 all ones), AW 3. */
static void test_assign_high_fields(void **state)
{
	(void)state;
	struct vtd_context_map m;
	const struct vtd_context_entry *ce;

	init_map(&m);
	assert_int_equal(vtd_ctx_assign(&m, 0xfffa, 0xffff, 0x000ffffffffff000ULL, 3), 0);
	ce = ctx_entry(&m, 0xfffa);
	/* lo: 0x000ffffffffff000 | P = 0x000ffffffffff001 */
	assert_int_equal(ce->lo, 0x000ffffffffff001ULL);
	/* hi: 0xffff << 8 = 0xffff00 | AW 3 = 0xffff03; bits 63:24 reserved, 0 */
	assert_int_equal(ce->hi, 0x0000000000ffff03ULL);
	/* AW 1: 39-bit, 3-level; domain 1 on 00:00.0 = rid 0 */
	assert_int_equal(vtd_ctx_assign(&m, 0x0000, 1, 0x1000, 1), 0);
	/* lo 0x1000 | 1 = 0x1001, hi 1 << 8 | 1 = 0x101 */
	assert_int_equal(ctx_entry(&m, 0)->lo, 0x1001ULL);
	assert_int_equal(ctx_entry(&m, 0)->hi, 0x101ULL);
	vtd_ctx_destroy(&m);
}

static void test_reassign_busy_unassign(void **state)
{
	(void)state;
	struct vtd_context_map m;
	uint16_t did = 0;
	phys_addr_t sl = 0;

	init_map(&m);
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 5, 0x12345000, 2), 0);
	/* the same assignment again is a no-op */
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 5, 0x12345000, 2), 0);
	/* another domain, another root or another width: busy, entry unchanged */
	log_capture_reset();
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 6, 0x12345000, 2), -EBUSY);
	assert_true(log_capture_contains("refused: rid busy rid=0x100 did=5 want_did=6"));
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 5, 0x22345000, 2), -EBUSY);
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 5, 0x12345000, 1), -EBUSY);
	assert_int_equal(ctx_entry(&m, 0x0100)->lo, 0x12345001ULL);
	assert_int_equal(ctx_entry(&m, 0x0100)->hi, 0x502ULL);
	/* unassign clears both halves; the table stays */
	assert_int_equal(vtd_ctx_unassign(&m, 0x0100), 0);
	assert_int_equal(ctx_entry(&m, 0x0100)->lo, 0);
	assert_int_equal(ctx_entry(&m, 0x0100)->hi, 0);
	assert_int_equal(vtd_ctx_lookup(&m, 0x0100, &did, &sl), -ENOENT);
	assert_int_equal(vtd_ctx_unassign(&m, 0x0100), -ENOENT);
	assert_int_equal(vtd_ctx_unassign(&m, 0x0200), -ENOENT); /* bus without table */
	assert_int_equal(fake.live, 2);
	/* now the other domain may have it, without a new table */
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 6, 0x22345000, 2), 0);
	assert_int_equal(fake.live, 2);
	assert_int_equal(vtd_ctx_lookup(&m, 0x0100, &did, &sl), 0);
	assert_int_equal(did, 6);
	assert_int_equal(sl, 0x22345000);
	/* 6 << 8 | 2 = 0x602 */
	assert_int_equal(ctx_entry(&m, 0x0100)->hi, 0x602ULL);
	vtd_ctx_destroy(&m);
}

static void test_refusals(void **state)
{
	(void)state;
	struct vtd_context_map m;

	init_map(&m);
	log_capture_reset();
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 0, 0x1000, 2), -EINVAL);
	assert_true(log_capture_contains("refused: domain id rid=0x100 did=0 domains=65536"));
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 1, 0x1000, 0), -EINVAL);
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 1, 0x1000, 4), -EINVAL);
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 1, 0x1800, 2), -EINVAL);
	assert_true(log_capture_contains("refused: second-level table rid=0x100 root=0x1800"));
	/* a unit with 8-bit domain ids (ND = 2: 2^(4 + 2*2) = 256) */
	assert_int_equal(vtd_ctx_limit_domains(&m, 1), -EINVAL);
	assert_int_equal(vtd_ctx_limit_domains(&m, 65537), -EINVAL);
	assert_int_equal(vtd_ctx_limit_domains(&m, 256), 0);
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 256, 0x1000, 2), -EINVAL);
	/* nothing was allocated or written by a refusal */
	assert_int_equal(fake.live, 1);
	assert_int_equal(root_entry(&m, 1)->lo, 0);
	assert_int_equal(vtd_ctx_assign(&m, 0x0100, 255, 0x1000, 2), 0);
	vtd_ctx_destroy(&m);
}

/* A failed context-table allocation leaves bus and entry as they were. */
static void test_assign_allocation_failure(void **state)
{
	(void)state;
	struct vtd_context_map m;

	init_map(&m);
	fake.fail_at = 2; /* the first context table */
	assert_int_equal(vtd_ctx_assign(&m, 0x0308, 7, 0x5000, 2), -ENOMEM);
	assert_int_equal(fake.live, 1);
	assert_int_equal(root_entry(&m, 3)->lo, 0);
	assert_int_equal(root_entry(&m, 3)->hi, 0);
	assert_int_equal(vtd_ctx_lookup(&m, 0x0308, NULL, NULL), -ENOENT);
	/* the next try gets its table */
	assert_int_equal(vtd_ctx_assign(&m, 0x0308, 7, 0x5000, 2), 0);
	assert_int_equal(fake.live, 2);
	assert_int_equal(vtd_ctx_lookup(&m, 0x0308, NULL, NULL), 0);
	vtd_ctx_destroy(&m);
}

static uint16_t sweep_did(unsigned rid)
{
	return (uint16_t)(rid % 65535 + 1); /* 1 .. 65535, never 0 */
}

static phys_addr_t sweep_root(unsigned rid)
{
	return (phys_addr_t)(rid + 1) << 12;
}

/* Every one of the 65536 requester ids: one context table per bus, no more. */
static void test_all_buses_and_devfns(void **state)
{
	(void)state;
	struct vtd_context_map m;
	uint16_t did;
	phys_addr_t sl;

	init_map(&m);
	for (unsigned rid = 0; rid < 65536; rid++)
		assert_int_equal(
		    vtd_ctx_assign(&m, (uint16_t)rid, sweep_did(rid), sweep_root(rid), 2), 0);
	assert_int_equal(fake.live, 1 + 256);
	for (unsigned rid = 0; rid < 65536; rid++) {
		assert_int_equal(vtd_ctx_lookup(&m, (uint16_t)rid, &did, &sl), 0);
		assert_int_equal(did, sweep_did(rid));
		assert_int_equal(sl, sweep_root(rid));
	}
	/* spot checks, raw: 80:10.3 = 0x8083, did 0x8084, root 0x8084000 */
	assert_int_equal(ctx_entry(&m, 0x8083)->lo, 0x8084001ULL);
	assert_int_equal(ctx_entry(&m, 0x8083)->hi, 0x808402ULL);
	/* ff:1f.7 = 0xffff: did 65535 % 65535 + 1 = 1, root 0x10000000 */
	assert_int_equal(ctx_entry(&m, 0xffff)->lo, 0x10000001ULL);
	assert_int_equal(ctx_entry(&m, 0xffff)->hi, 0x102ULL);
	/* unassign every odd devfn, the even ones stay */
	for (unsigned rid = 1; rid < 65536; rid += 2)
		assert_int_equal(vtd_ctx_unassign(&m, (uint16_t)rid), 0);
	for (unsigned rid = 0; rid < 65536; rid += 251)
		assert_int_equal(vtd_ctx_lookup(&m, (uint16_t)rid, NULL, NULL),
				 rid & 1 ? -ENOENT : 0);
	assert_int_equal(fake.live, 1 + 256);
	vtd_ctx_destroy(&m);
}

/* QEMU defaults: SAGAW 39 and 48, MGAW 48 (test_vtd_caps.c). */
#define QEMU_CAP  0x00d2008c222f0606ull
#define QEMU_ECAP 0x00f00f4aull
/* Only 57 bits: SAGAW bit 3 (0x08 << 8 = 0x800), MGAW 56 (0x38 << 16), ND 6. */
#define ONLY57_CAP 0x0000000000380806ull

static void test_sl_geometry(void **state)
{
	(void)state;
	struct vtd_caps caps;
	struct vtd_sl_geometry g;

	vtd_decode_caps(0x10, QEMU_CAP, QEMU_ECAP, &caps);
	/* 39 bits: (39 - 12) / 9 = 3 levels, AW 3 - 2 = 1 */
	assert_int_equal(vtd_sl_geometry(&caps, 39, &g), 0);
	assert_int_equal(g.agaw, 39);
	assert_int_equal(g.levels, 3);
	assert_int_equal(g.aw, 1);
	/* 32 bits also take the smallest table, 39 */
	assert_int_equal(vtd_sl_geometry(&caps, 32, &g), 0);
	assert_int_equal(g.agaw, 39);
	/* 40 bits need 48: (48 - 12) / 9 = 4 levels, AW 2 */
	assert_int_equal(vtd_sl_geometry(&caps, 40, &g), 0);
	assert_int_equal(g.agaw, 48);
	assert_int_equal(g.levels, 4);
	assert_int_equal(g.aw, 2);
	assert_int_equal(vtd_sl_geometry(&caps, 49, &g), -ENOTSUP);
	assert_int_equal(vtd_sl_geometry(&caps, 0, &g), -EINVAL);
	/* 57 bits: 5 levels, which the paging engine does not build */
	vtd_decode_caps(0x10, ONLY57_CAP, QEMU_ECAP, &caps);
	assert_int_equal(caps.agaw_count, 1);
	log_capture_reset();
	assert_int_equal(vtd_sl_geometry(&caps, 39, &g), -ENOTSUP);
	assert_true(log_capture_contains("refused: table depth agaw=57 levels=5 max=4"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_layout),
	    T(test_init_empty_root),
	    T(test_init_allocation_failure),
	    T(test_assign_bit_pattern),
	    T(test_assign_high_fields),
	    T(test_reassign_busy_unassign),
	    T(test_refusals),
	    T(test_assign_allocation_failure),
	    T(test_all_buses_and_devfns),
	    T(test_sl_geometry),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
