/*
 * Unit tests for iommu/vtd_inv.c: VT-d invalidation descriptors, the
 * register-based CCMD/IOTLB values and the invalidation queue ring. Every
 * expected value was worked out by hand from the VT-d specification's bit
 * positions (6.5.2 descriptors, 11.4 registers; arithmetic in comments).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/errno.h"
#include "iommu/vtd_inv.h"
#include "tests/unit/log_capture.h"

/* QEMU 10 defaults: PSI, MAMV 18, DRD and DWD (test_vtd_caps.c). */
#define QEMU_CAP  0x00d2008c222f0606ull
#define QEMU_ECAP 0x00f00f4aull

/* A descriptor the encoder under test must leave alone when it refuses. */
static const struct vtd_desc poison = {0xa5a5a5a5a5a5a5a5ULL, 0x5a5a5a5a5a5a5a5aULL};

static void assert_desc(const struct vtd_desc *d, uint64_t lo, uint64_t hi)
{
	assert_int_equal(d->lo, lo);
	assert_int_equal(d->hi, hi);
}

static void assert_poison(const struct vtd_desc *d)
{
	assert_desc(d, poison.lo, poison.hi);
}

static void test_context_cache_desc(void **state)
{
	(void)state;
	struct vtd_desc d;

	/* global: type 1 | G 01 << 4 = 0x11; DID/SID/FM ignored and left 0 */
	assert_int_equal(vtd_desc_cc(&(struct vtd_cc_inv){.gran = VTD_CIRG_GLOBAL, .sid = 9}, &d),
			 0);
	assert_desc(&d, 0x11, 0);
	/* domain 0x1234: 1 | 10 << 4 = 0x21 | 0x1234 << 16 = 0x12340021 */
	assert_int_equal(
	    vtd_desc_cc(&(struct vtd_cc_inv){.gran = VTD_CIRG_DOMAIN, .domain_id = 0x1234}, &d), 0);
	assert_desc(&d, 0x12340021ULL, 0);
	/*
	 * device 01:00.0 in domain 5, FM 3: 1 | 11 << 4 = 0x31 | 5 << 16 =
	 * 0x50000 | 0x0100 << 32 = 0x100_0000_0000 | 3 << 48 = 0x3_0000_0000_0000
	 */
	assert_int_equal(vtd_desc_cc(
			     &(struct vtd_cc_inv){
				 .gran = VTD_CIRG_DEVICE, .domain_id = 5, .sid = 0x0100, .fm = 3},
			     &d),
			 0);
	assert_desc(&d, 0x0003010000050031ULL, 0);
	d = poison;
	assert_int_equal(vtd_desc_cc(&(struct vtd_cc_inv){.gran = 0}, &d), -EINVAL);
	assert_int_equal(vtd_desc_cc(&(struct vtd_cc_inv){.gran = 4}, &d), -EINVAL);
	assert_int_equal(vtd_desc_cc(&(struct vtd_cc_inv){.gran = VTD_CIRG_DEVICE, .fm = 4}, &d),
			 -EINVAL);
	assert_poison(&d);
}

static void test_ccmd_register(void **state)
{
	(void)state;
	uint64_t v = 0;

	/* global: ICC 1 << 63 | CIRG 01 << 61 = 0x8000.. | 0x2000.. */
	assert_int_equal(vtd_ccmd_value(&(struct vtd_cc_inv){.gran = VTD_CIRG_GLOBAL}, &v), 0);
	assert_int_equal(v, 0xa000000000000000ULL);
	/* domain 0xabcd: ICC | 10 << 61 = 0x4000.. | DID 0xabcd (15:0) */
	assert_int_equal(
	    vtd_ccmd_value(&(struct vtd_cc_inv){.gran = VTD_CIRG_DOMAIN, .domain_id = 0xabcd}, &v),
	    0);
	assert_int_equal(v, 0xc00000000000abcdULL);
	/* device: ICC | 11 << 61 | FM 3 << 32 | SID 0x0100 << 16 | DID 5 */
	assert_int_equal(vtd_ccmd_value(
			     &(struct vtd_cc_inv){
				 .gran = VTD_CIRG_DEVICE, .domain_id = 5, .sid = 0x0100, .fm = 3},
			     &v),
			 0);
	assert_int_equal(v, 0xe000000301000005ULL);
	v = 42;
	assert_int_equal(vtd_ccmd_value(&(struct vtd_cc_inv){.gran = 0}, &v), -EINVAL);
	assert_int_equal(v, 42);
}

static void test_iotlb_desc(void **state)
{
	(void)state;
	struct vtd_desc d;

	/* global with drains: 2 | 01 << 4 = 0x12 | DW bit 6 (0x40) | DR bit 7 (0x80) = 0xd2 */
	assert_int_equal(
	    vtd_desc_iotlb(&(struct vtd_iotlb_inv){.gran = VTD_IIRG_GLOBAL, .dr = true, .dw = true},
			   &d),
	    0);
	assert_desc(&d, 0xd2, 0);
	/* domain 7: 2 | 10 << 4 = 0x22 | 7 << 16 = 0x70022; address half 0 */
	assert_int_equal(
	    vtd_desc_iotlb(&(struct vtd_iotlb_inv){.gran = VTD_IIRG_DOMAIN, .domain_id = 7}, &d),
	    0);
	assert_desc(&d, 0x70022ULL, 0);
	/* page 0x12345000 in domain 7, IH: lo 2 | 0x30 | 0x70000; hi addr | IH 0x40 | AM 0 */
	assert_int_equal(vtd_desc_iotlb(&(struct vtd_iotlb_inv){.gran = VTD_IIRG_PAGE,
								.domain_id = 7,
								.addr = 0x12345000,
								.ih = true},
					&d),
			 0);
	assert_desc(&d, 0x70032ULL, 0x12345040ULL);
	/* 2 MiB block at 1 GiB: AM 9 (2^9 pages); hi 0x40000000 | 9 */
	assert_int_equal(vtd_desc_iotlb(&(struct vtd_iotlb_inv){.gran = VTD_IIRG_PAGE,
								.domain_id = 7,
								.addr = 0x40000000,
								.am = 9},
					&d),
			 0);
	assert_desc(&d, 0x70032ULL, 0x40000009ULL);
	d = poison;
	/* 0x40001000 is not 2 MiB aligned */
	assert_int_equal(
	    vtd_desc_iotlb(
		&(struct vtd_iotlb_inv){.gran = VTD_IIRG_PAGE, .addr = 0x40001000, .am = 9}, &d),
	    -EINVAL);
	assert_int_equal(
	    vtd_desc_iotlb(&(struct vtd_iotlb_inv){.gran = VTD_IIRG_PAGE, .am = 52}, &d), -EINVAL);
	assert_int_equal(vtd_desc_iotlb(&(struct vtd_iotlb_inv){.gran = 0}, &d), -EINVAL);
	assert_poison(&d);
}

static void test_iotlb_registers(void **state)
{
	(void)state;
	uint64_t iotlb = 0, iva = 1;

	/* global: IVT 1 << 63 | IIRG 01 << 60 = 0x9000..; IVA unused, 0 */
	assert_int_equal(
	    vtd_iotlb_reg_values(&(struct vtd_iotlb_inv){.gran = VTD_IIRG_GLOBAL}, &iotlb, &iva),
	    0);
	assert_int_equal(iotlb, 0x9000000000000000ULL);
	assert_int_equal(iva, 0);
	/* domain 0xffff: IVT | 10 << 60 = 0x2000.. | 0xffff << 32 */
	assert_int_equal(vtd_iotlb_reg_values(
			     &(struct vtd_iotlb_inv){.gran = VTD_IIRG_DOMAIN, .domain_id = 0xffff},
			     &iotlb, &iva),
			 0);
	assert_int_equal(iotlb, 0xa000ffff00000000ULL);
	/*
	 * page, domain 7, drains, two pages at 0x12344000 with IH:
	 * IVT | 11 << 60 = 0xb000.. | DR 1 << 49 | DW 1 << 48 = 0x0003_0000_0000_0000 |
	 * 7 << 32; IVA 0x12344000 | IH 0x40 | AM 1
	 */
	assert_int_equal(vtd_iotlb_reg_values(&(struct vtd_iotlb_inv){.gran = VTD_IIRG_PAGE,
								      .domain_id = 7,
								      .addr = 0x12344000,
								      .am = 1,
								      .ih = true,
								      .dr = true,
								      .dw = true},
					      &iotlb, &iva),
			 0);
	assert_int_equal(iotlb, 0xb003000700000000ULL);
	assert_int_equal(iva, 0x12344041ULL);
	assert_int_equal(vtd_iotlb_reg_values(&(struct vtd_iotlb_inv){.gran = 4}, &iotlb, &iva),
			 -EINVAL);
}

static void test_iotlb_range(void **state)
{
	(void)state;
	struct vtd_caps caps;
	struct vtd_iotlb_inv inv;

	vtd_decode_caps(0x10, QEMU_CAP, QEMU_ECAP, &caps);
	/* one page */
	assert_int_equal(vtd_iotlb_inv_range(&caps, 3, 0x12345000, 0x1000, &inv), 0);
	assert_int_equal(inv.gran, VTD_IIRG_PAGE);
	assert_int_equal(inv.domain_id, 3);
	assert_int_equal(inv.addr, 0x12345000);
	assert_int_equal(inv.am, 0);
	assert_false(inv.ih);
	assert_true(inv.dr && inv.dw); /* QEMU sets CAP.DRD and DWD */
	/* a sub-page range is its page */
	assert_int_equal(vtd_iotlb_inv_range(&caps, 3, 0x12345678, 0x10, &inv), 0);
	assert_int_equal(inv.addr, 0x12345000);
	assert_int_equal(inv.am, 0);
	/* pages 0x12345 and 0x12346: xor 3, 2 bits -> AM 2, block from 0x12344 */
	assert_int_equal(vtd_iotlb_inv_range(&caps, 3, 0x12345000, 0x2000, &inv), 0);
	assert_int_equal(inv.gran, VTD_IIRG_PAGE);
	assert_int_equal(inv.addr, 0x12344000);
	assert_int_equal(inv.am, 2);
	/* 1 GiB at 0: pages 0 .. 0x3ffff -> AM 18 = MAMV, still page-selective */
	assert_int_equal(vtd_iotlb_inv_range(&caps, 3, 0, 1ULL << 30, &inv), 0);
	assert_int_equal(inv.gran, VTD_IIRG_PAGE);
	assert_int_equal(inv.am, 18);
	/* one page more needs AM 19 > MAMV: domain-selective */
	assert_int_equal(vtd_iotlb_inv_range(&caps, 3, 0, (1ULL << 30) + 0x1000, &inv), 0);
	assert_int_equal(inv.gran, VTD_IIRG_DOMAIN);
	assert_int_equal(inv.domain_id, 3);
	/* the whole 64-bit space: AM 52 is never page-selective */
	caps.mamv = 63;
	assert_int_equal(vtd_iotlb_inv_range(&caps, 3, 0, ~0ULL, &inv), 0);
	assert_int_equal(inv.gran, VTD_IIRG_DOMAIN);
	/* without PSI always domain-selective */
	caps.psi = false;
	assert_int_equal(vtd_iotlb_inv_range(&caps, 3, 0x12345000, 0x1000, &inv), 0);
	assert_int_equal(inv.gran, VTD_IIRG_DOMAIN);
	assert_int_equal(vtd_iotlb_inv_range(&caps, 3, 0x1000, 0, &inv), -EINVAL);
	assert_int_equal(vtd_iotlb_inv_range(&caps, 3, 0xfffffffffffff000ULL, 0x2000, &inv),
			 -EINVAL);
}

static void test_iec_desc(void **state)
{
	(void)state;
	struct vtd_desc d;

	/* global: type 4, G (bit 4) 0 */
	assert_int_equal(vtd_desc_iec_global(&d), 0);
	assert_desc(&d, 0x4, 0);
	/* entries 0x20..0x2f: 4 | G 0x10 | IM 4 << 27 = 0x20000000 | 0x20 << 32 */
	assert_int_equal(vtd_desc_iec_index(0x20, 4, &d), 0);
	assert_desc(&d, 0x0000002020000014ULL, 0);
	/* entry 0xffff alone: 0x14 | 0xffff << 32 */
	assert_int_equal(vtd_desc_iec_index(0xffff, 0, &d), 0);
	assert_desc(&d, 0x0000ffff00000014ULL, 0);
	d = poison;
	assert_int_equal(vtd_desc_iec_index(0x21, 4, &d), -EINVAL); /* not 16-aligned */
	assert_int_equal(vtd_desc_iec_index(0, 17, &d), -EINVAL);
	assert_poison(&d);
}

static void test_wait_desc(void **state)
{
	(void)state;
	struct vtd_desc d;

	/* SW + FN, data 1 at 0x7ff00004: 5 | SW 0x20 | FN 0x40 | 1 << 32; hi the address */
	assert_int_equal(vtd_desc_wait(&(struct vtd_wait){.sw = true,
							  .fence = true,
							  .status_data = 1,
							  .status_addr = 0x7ff00004},
				       &d),
			 0);
	assert_desc(&d, 0x0000000100000065ULL, 0x7ff00004ULL);
	/* SW, data 0xdeadbeef in 63:32 */
	assert_int_equal(
	    vtd_desc_wait(
		&(struct vtd_wait){.sw = true, .status_data = 0xdeadbeef, .status_addr = 0x1000},
		&d),
	    0);
	assert_desc(&d, 0xdeadbeef00000025ULL, 0x1000ULL);
	/* IF: 5 | 0x10 */
	assert_int_equal(vtd_desc_wait(&(struct vtd_wait){.irq = true}, &d), 0);
	assert_desc(&d, 0x15ULL, 0);
}

/* QEMU 10.0.2 aborts on SW and IF together: never encode it. */
static void test_wait_refusals(void **state)
{
	(void)state;
	struct vtd_desc d = poison;

	log_capture_reset();
	assert_int_equal(
	    vtd_desc_wait(&(struct vtd_wait){.sw = true, .irq = true, .status_addr = 0x1000}, &d),
	    -EINVAL);
	assert_true(log_capture_contains("needs exactly one of sw/if sw=1 if=1"));
	assert_int_equal(vtd_desc_wait(&(struct vtd_wait){.fence = true}, &d), -EINVAL);
	assert_int_equal(vtd_desc_wait(&(struct vtd_wait){.sw = true, .status_addr = 0x1002}, &d),
			 -EINVAL);
	assert_int_equal(vtd_desc_wait(&(struct vtd_wait){.irq = true, .status_data = 1}, &d),
			 -EINVAL);
	assert_poison(&d);
}

static struct vtd_desc *ring_alloc(unsigned entries)
{
	struct vtd_desc *ring = aligned_alloc(PAGE_SIZE, entries * sizeof(*ring));

	assert_non_null(ring);
	for (unsigned i = 0; i < entries; i++)
		ring[i] = poison;
	return ring;
}

static struct vtd_desc numbered(unsigned i)
{
	return (struct vtd_desc){.lo = 0x1000 + i, .hi = 0x2000 + i};
}

static void test_queue_init(void **state)
{
	(void)state;
	struct vtd_desc ring[1];
	struct vtd_queue q;

	assert_int_equal(vtd_queue_init(&q, ring, 255), -EINVAL);
	assert_int_equal(vtd_queue_init(&q, ring, 128), -EINVAL);
	assert_int_equal(vtd_queue_init(&q, ring, 768), -EINVAL);
	assert_int_equal(vtd_queue_init(&q, ring, 65536), -EINVAL); /* QS 8 */
	assert_int_equal(vtd_queue_init(&q, NULL, 256), -EINVAL);
	assert_int_equal(vtd_queue_init(&q, ring, 32768), 0);
	assert_int_equal(q.tail, 0);
	assert_int_equal(vtd_queue_init(&q, ring, 256), 0);
	/* IQA: base | QS; 256 -> 0, 1024 -> 2, 32768 -> 7 */
	assert_int_equal(vtd_iqa_value(0x7f000000, 256), 0x7f000000ULL);
	assert_int_equal(vtd_iqa_value(0x7f000000, 1024), 0x7f000002ULL);
	assert_int_equal(vtd_iqa_value(0x7f000000, 32768), 0x7f000007ULL);
	/* IQT/IQH count 16-byte descriptors from bit 4 */
	assert_int_equal(vtd_iqt_value(2), 0x20);
	assert_int_equal(vtd_iqt_value(255), 0xff0);
	assert_int_equal(vtd_iqh_index(0x7ff0), 0x7ff);
	assert_int_equal(vtd_iqh_index(0xffffffff00000025ULL), 2); /* other bits ignored */
}

static void test_queue_full_and_wrap(void **state)
{
	(void)state;
	struct vtd_desc *ring = ring_alloc(256), batch[255];
	struct vtd_queue q;

	for (unsigned i = 0; i < ARRAY_SIZE(batch); i++)
		batch[i] = numbered(i);
	assert_int_equal(vtd_queue_init(&q, ring, 256), 0);
	/* head == tail is empty: 255 usable slots */
	assert_int_equal(vtd_queue_space(&q, 0), 255);
	assert_int_equal(vtd_queue_submit(&q, batch, 0, 0), 0);
	assert_int_equal(vtd_queue_submit(&q, batch, 255, 0), 255);
	assert_int_equal(q.tail, 255);
	assert_int_equal(vtd_queue_space(&q, 0), 0);
	/* full: refused, nothing copied, tail kept */
	assert_int_equal(vtd_queue_submit(&q, batch, 1, 0), -ENOSPC);
	assert_int_equal(q.tail, 255);
	assert_poison(&ring[255]);
	for (unsigned i = 0; i < 255; i++)
		assert_desc(&ring[i], 0x1000 + i, 0x2000 + i);
	/* hardware consumed 10: 10 free; 11 refused, 10 accepted */
	assert_int_equal(vtd_queue_space(&q, 10), 10);
	assert_int_equal(vtd_queue_submit(&q, batch, 11, 10), -ENOSPC);
	assert_int_equal(q.tail, 255);
	/* 3 descriptors from slot 255 wrap to slots 0 and 1 */
	assert_int_equal(vtd_queue_submit(&q, &batch[100], 3, 10), 2);
	assert_desc(&ring[255], 0x1000 + 100, 0x2000 + 100);
	assert_desc(&ring[0], 0x1000 + 101, 0x2000 + 101);
	assert_desc(&ring[1], 0x1000 + 102, 0x2000 + 102);
	assert_desc(&ring[2], 0x1000 + 2, 0x2000 + 2); /* old, untouched */
	assert_int_equal(vtd_queue_space(&q, 10), 7);
	free(ring);
}

static void test_queue_bad_head(void **state)
{
	(void)state;
	struct vtd_desc *ring = ring_alloc(256), d = numbered(0);
	struct vtd_queue q;

	assert_int_equal(vtd_queue_init(&q, ring, 256), 0);
	log_capture_reset();
	assert_int_equal(vtd_queue_submit(&q, &d, 1, 256), -EINVAL);
	assert_true(log_capture_contains("refused: queue index head=256 tail=0 entries=256"));
	assert_poison(&ring[0]);
	free(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_context_cache_desc), cmocka_unit_test(test_ccmd_register),
	    cmocka_unit_test(test_iotlb_desc),	       cmocka_unit_test(test_iotlb_registers),
	    cmocka_unit_test(test_iotlb_range),	       cmocka_unit_test(test_iec_desc),
	    cmocka_unit_test(test_wait_desc),	       cmocka_unit_test(test_wait_refusals),
	    cmocka_unit_test(test_queue_init),	       cmocka_unit_test(test_queue_full_and_wrap),
	    cmocka_unit_test(test_queue_bad_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
