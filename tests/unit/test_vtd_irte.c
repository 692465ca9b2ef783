/*
 * Unit tests for iommu/vtd_irte.c: interrupt remapping table entries, the
 * remappable MSI address/data and IRTA_REG. Expected values were worked
 * out by hand from the VT-d specification, 9.10 (IRTE), 5.1.5.2 (MSI) and
 * 11.4.8.1 (IRTA_REG); the arithmetic is in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/errno.h"
#include "iommu/vtd_irte.h"
#include "tests/unit/log_capture.h"

static const struct vtd_irte poison = {0xa5a5a5a5a5a5a5a5ULL, 0x5a5a5a5a5a5a5a5aULL};

static struct vtd_irte make_ok(const struct vtd_irte_params *p)
{
	struct vtd_irte e = poison;

	assert_int_equal(vtd_irte_make(p, &e), 0);
	return e;
}

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct vtd_irte), 16);
	assert_int_equal(offsetof(struct vtd_irte, hi), 8);
}

/* x2APIC: fixed vector 0x30 to APIC id 0x12345678, only 01:00.0 may send it. */
static void test_x2apic_fixed(void **state)
{
	(void)state;
	struct vtd_irte e = make_ok(&(struct vtd_irte_params){.vector = 0x30,
							      .delivery = VTD_DLM_FIXED,
							      .dest = 0x12345678,
							      .x2apic = true,
							      .svt = VTD_SVT_RID,
							      .sq = VTD_SQ_ALL,
							      .sid = 0x0100});

	/* lo: P 1 | DLM 0 | V 0x30 << 16 = 0x300000 | DST 0x12345678 << 32 */
	assert_int_equal(e.lo, 0x1234567800300001ULL);
	/* hi: SID 0x0100 | SQ 0 << 16 | SVT 1 << 18 = 0x40000 */
	assert_int_equal(e.hi, 0x40100ULL);
}

/* xAPIC: every flag set, destination in bits 47:40, a bus range. */
static void test_xapic_all_flags(void **state)
{
	(void)state;
	struct vtd_irte e = make_ok(&(struct vtd_irte_params){.vector = 0xec,
							      .delivery = VTD_DLM_LOWEST,
							      .dest = 0x03,
							      .logical = true,
							      .redir_hint = true,
							      .level = true,
							      .fpd = true,
							      .svt = VTD_SVT_BUS,
							      .sid = 0x0203});

	/*
	 * lo: P 1 | FPD 2 | DM 4 | RH 8 | TM 0x10 | DLM 1 << 5 = 0x20 -> 0x3f;
	 * V 0xec << 16 = 0xec0000; DST 3 << 40 = 0x0300_0000_0000
	 */
	assert_int_equal(e.lo, 0x0000030000ec003fULL);
	/* hi: SID 0x0203 (buses 2..3) | SVT 2 << 18 = 0x80000 */
	assert_int_equal(e.hi, 0x80203ULL);
}

static void test_sq_and_nmi(void **state)
{
	(void)state;
	struct vtd_irte e;

	/* any function of 00:1f: SID 0xf8 | SQ 3 << 16 = 0x30000 | SVT 1 << 18 */
	e = make_ok(&(struct vtd_irte_params){
	    .vector = 0x40, .svt = VTD_SVT_RID, .sq = VTD_SQ_IGN_BITS2_0, .sid = 0x00f8});
	assert_int_equal(e.hi, 0x700f8ULL);
	/* NMI ignores the vector, so 2 is fine: P | DLM 4 << 5 = 0x80 | 2 << 16 */
	e = make_ok(&(struct vtd_irte_params){.vector = 2, .delivery = VTD_DLM_NMI});
	assert_int_equal(e.lo, 0x20081ULL);
	assert_int_equal(e.hi, 0);
}

static void refused(const struct vtd_irte_params *p)
{
	struct vtd_irte e = poison;

	assert_int_equal(vtd_irte_make(p, &e), -EINVAL);
	assert_int_equal(e.lo, poison.lo);
	assert_int_equal(e.hi, poison.hi);
}

static void test_refusals(void **state)
{
	(void)state;
	log_capture_reset();
	refused(&(struct vtd_irte_params){.vector = 0x30, .delivery = 3});
	assert_true(log_capture_contains("refused: irte dlm=3 vector=48"));
	refused(&(struct vtd_irte_params){.vector = 0x30, .delivery = 6});
	refused(&(struct vtd_irte_params){.vector = 0x30, .delivery = 8});
	refused(&(struct vtd_irte_params){.vector = 15, .delivery = VTD_DLM_FIXED});
	refused(&(struct vtd_irte_params){.vector = 15, .delivery = VTD_DLM_LOWEST});
	refused(&(struct vtd_irte_params){.vector = 0x30, .dest = 0x100});
	assert_true(log_capture_contains("refused: irte xAPIC destination dest=0x100"));
	refused(&(struct vtd_irte_params){.vector = 0x30, .svt = 3});
	refused(&(struct vtd_irte_params){.vector = 0x30, .svt = VTD_SVT_RID, .sq = 4});
	/* bus range 3..2 is empty */
	refused(&(struct vtd_irte_params){.vector = 0x30, .svt = VTD_SVT_BUS, .sid = 0x0302});
	refused(&(struct vtd_irte_params){.vector = 0x30, .svt = VTD_SVT_BUS, .sq = 1});
	refused(&(struct vtd_irte_params){.vector = 0x30, .svt = VTD_SVT_NONE, .sid = 0x100});
}

static void test_install_clear(void **state)
{
	(void)state;
	struct vtd_irte slot = {0, 0};
	struct vtd_irte e = make_ok(&(struct vtd_irte_params){.vector = 0x30, .dest = 1});
	struct vtd_irte other = make_ok(&(struct vtd_irte_params){.vector = 0x31, .dest = 1});

	assert_int_equal(vtd_irte_install(&slot, &e), 0);
	assert_int_equal(slot.lo, e.lo);
	assert_int_equal(slot.hi, e.hi);
	/* a present slot is not overwritten in place */
	assert_int_equal(vtd_irte_install(&slot, &other), -EBUSY);
	assert_int_equal(slot.lo, e.lo);
	vtd_irte_clear(&slot);
	assert_int_equal(slot.lo, 0);
	assert_int_equal(slot.hi, 0);
	assert_int_equal(vtd_irte_install(&slot, &other), 0);
	/* V 0x31 << 16 | DST 1 << 40 | P */
	assert_int_equal(slot.lo, 0x0000010000310001ULL);
}

static void assert_msi(uint16_t handle, uint32_t want_addr)
{
	uint32_t addr = 0, data = 0xffffffff;

	vtd_msi_remappable(handle, &addr, &data);
	assert_int_equal(addr, want_addr);
	assert_int_equal(data, 0);
}

static void test_msi_remappable(void **state)
{
	(void)state;
	/* 0xfee00000 | IF 1 << 4 | SHV 1 << 3 = 0xfee00018 */
	assert_msi(0, 0xfee00018u);
	/* handle 5: 5 << 5 = 0xa0 */
	assert_msi(5, 0xfee000b8u);
	/* handle 0x1234: 0x1234 << 5 = 0x24680 */
	assert_msi(0x1234, 0xfee24698u);
	/* handle 0x7fff: bits 14:0 -> 19:5 = 0xfffe0 */
	assert_msi(0x7fff, 0xfeeffff8u);
	/* handle 0x8000: bit 15 -> address bit 2 = 0x4 */
	assert_msi(0x8000, 0xfee0001cu);
	assert_msi(0xffff, 0xfeeffffcu);
}

static void test_irta(void **state)
{
	(void)state;
	uint64_t v = 0;

	/* 256 entries: S = log2(256) - 1 = 7 */
	assert_int_equal(vtd_irta_value(0x7e000000, 256, false, &v), 0);
	assert_int_equal(v, 0x7e000007ULL);
	/* x2APIC ids: EIME bit 11 = 0x800 */
	assert_int_equal(vtd_irta_value(0x7e000000, 256, true, &v), 0);
	assert_int_equal(v, 0x7e000807ULL);
	/* 65536 entries: S = 15; 2 entries: S = 0 */
	assert_int_equal(vtd_irta_value(0x7e000000, 65536, false, &v), 0);
	assert_int_equal(v, 0x7e00000fULL);
	assert_int_equal(vtd_irta_value(0x7e000000, 2, false, &v), 0);
	assert_int_equal(v, 0x7e000000ULL);
	v = 42;
	assert_int_equal(vtd_irta_value(0x7e000000, 0, false, &v), -EINVAL);
	assert_int_equal(vtd_irta_value(0x7e000000, 1, false, &v), -EINVAL);
	assert_int_equal(vtd_irta_value(0x7e000000, 3, false, &v), -EINVAL);
	assert_int_equal(vtd_irta_value(0x7e000000, 131072, false, &v), -EINVAL);
	assert_int_equal(vtd_irta_value(0x7e000800, 256, false, &v), -EINVAL);
	assert_int_equal(v, 42);
}

/* x2APIC IDs above 255 are reachable only with EIM (32-bit destinations in the IRTE). */
static void test_ir_reach(void **state)
{
	struct vtd_irte e;

	(void)state;
	log_capture_reset();
	assert_int_equal(vtd_ir_reach_check(false, 0xff), 0);
	assert_int_equal(vtd_ir_reach_check(true, 0x1ff), 0);
	assert_int_equal(vtd_ir_reach_check(false, 0x100), -ENOTSUP);
	assert_true(log_capture_contains("interrupt remapping without eim max_apic_id=256"));
	/* with EIM an x2APIC ID above 255 is written whole into bits 63:32 */
	e = make_ok(&(struct vtd_irte_params){.vector = 0x30, .dest = 0x1ff, .x2apic = true});
	assert_int_equal(e.lo >> 32, 0x1ff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layout),	    cmocka_unit_test(test_x2apic_fixed),
	    cmocka_unit_test(test_xapic_all_flags), cmocka_unit_test(test_sq_and_nmi),
	    cmocka_unit_test(test_refusals),	    cmocka_unit_test(test_install_clear),
	    cmocka_unit_test(test_msi_remappable),  cmocka_unit_test(test_irta),
	    cmocka_unit_test(test_ir_reach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
