/*
 * Unit tests for iommu/vtd_fault.c: fault records as QEMU's intel-iommu
 * writes them (F, T, FR, SID in the high qword, the page address in the
 * low one; PLATFORM.md lists the reasons seen there), fault status bits,
 * the reason names and the log line. Expected values were worked out by
 * hand from the VT-d specification, 11.4.9 and 11.4.14 (arithmetic in
 * comments).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/errno.h"
#include "iommu/vtd_fault.h"
#include "iommu/vtd_regs.h"
#include "tests/unit/log_capture.h"

#define QEMU_CAP  0x00d2008c222f0606ull
#define QEMU_ECAP 0x00f00f4aull
#define HSW_CAP	  0x00d2078c106f0466ull
#define HSW_ECAP  0x0000000000f020deull

static struct vtd_fault decode_ok(uint64_t lo, uint64_t hi)
{
	struct vtd_fault f;

	memset(&f, 0xa5, sizeof(f));
	assert_int_equal(vtd_fault_decode(lo, hi, &f), 0);
	assert_true(f.valid);
	return f;
}

/* 01:00.0 reads 0x7ff12000 without a context entry (reason 2). */
static void test_context_not_present_read(void **state)
{
	(void)state;
	/* hi: F 1 << 63 | T 1 << 62 (read) | FR 2 << 32 | SID 0x0100 */
	struct vtd_fault f = decode_ok(0x7ff12000ULL, 0xc000000200000100ULL);

	assert_int_equal(f.sid, 0x0100);
	assert_int_equal(f.reason, VTD_FR_CONTEXT_NOT_PRESENT);
	assert_false(f.write);
	assert_int_equal(f.addr, 0x7ff12000ULL);
	assert_false(f.interrupt);
	assert_false(f.pasid_present);
	assert_int_equal(f.pasid, 0);
	assert_int_equal(f.at, 0);
	assert_false(f.priv);
	assert_false(f.exe);
}

/* Reason 6 (read of an unmapped page) and 5 (write), as QEMU reports them. */
static void test_read_and_write_faults(void **state)
{
	(void)state;
	/* low 12 bits of the low qword are reserved: the address is the page */
	struct vtd_fault f = decode_ok(0x12345abcULL, 0xc000000600000100ULL);

	assert_int_equal(f.reason, VTD_FR_READ);
	assert_false(f.write);
	assert_int_equal(f.addr, 0x12345000ULL);
	/* hi: F | FR 5 << 32 | SID 0x00fa (00:1f.2), T = 0: a write */
	f = decode_ok(0xfee00000ULL, 0x80000005000000faULL);
	assert_int_equal(f.reason, VTD_FR_WRITE);
	assert_true(f.write);
	assert_int_equal(f.sid, 0x00fa);
	assert_int_equal(f.addr, 0xfee00000ULL);
}

static void test_free_record(void **state)
{
	(void)state;
	struct vtd_fault f;

	memset(&f, 0xa5, sizeof(f));
	/* everything but F: the record is free, nothing is reported */
	assert_int_equal(vtd_fault_decode(0x7ff12000ULL, 0x4000000200000100ULL, &f), -ENOENT);
	assert_false(f.valid);
	assert_int_equal(f.sid, 0);
	assert_int_equal(f.reason, 0);
	assert_int_equal(f.addr, 0);
}

/* Interrupt-remapping faults carry the interrupt index in FI bits 63:48. */
static void test_interrupt_fault(void **state)
{
	(void)state;
	/* lo 5 << 48; hi F | FR 0x22 << 32 | SID 0x00fa */
	struct vtd_fault f = decode_ok(0x0005000000000000ULL, 0x80000022000000faULL);

	assert_true(f.interrupt);
	assert_int_equal(f.reason, VTD_FR_IR_NOT_PRESENT);
	assert_int_equal(f.ir_index, 5);
	assert_int_equal(f.addr, 0);
	assert_int_equal(f.sid, 0x00fa);
}

static void test_pasid_fields(void **state)
{
	(void)state;
	/*
	 * F | T = 0xc000.. | AT 2 << 60 = 0x2000.. | PV 0x12345 << 40 =
	 * 0x0123_4500_0000_0000 | FR 6 << 32 | PP bit 31 | EXE bit 30 |
	 * PRIV bit 29 = 0xe000_0000 | SID 0x0100
	 */
	struct vtd_fault f = decode_ok(0x1000ULL, 0xe1234506e0000100ULL);

	assert_int_equal(f.at, 2);
	assert_true(f.pasid_present);
	assert_int_equal(f.pasid, 0x12345);
	assert_true(f.exe);
	assert_true(f.priv);
	assert_false(f.write);
	assert_int_equal(f.reason, 6);
	assert_int_equal(f.sid, 0x0100);
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(vtd_fault_reason_name(1), "root entry not present");
	assert_string_equal(vtd_fault_reason_name(2), "context entry not present");
	assert_string_equal(vtd_fault_reason_name(5), "write to a page without write permission");
	assert_string_equal(vtd_fault_reason_name(6), "read of a page without read permission");
	assert_string_equal(vtd_fault_reason_name(0xd),
			    "request blocked by context entry translation type");
	assert_string_equal(vtd_fault_reason_name(0x20), "reserved bit set in interrupt request");
	assert_string_equal(vtd_fault_reason_name(0x26), "interrupt source id verification failed");
	assert_string_equal(vtd_fault_reason_name(0), "unknown");
	assert_string_equal(vtd_fault_reason_name(0xe), "unknown");
	assert_string_equal(vtd_fault_reason_name(0x1f), "unknown");
	assert_string_equal(vtd_fault_reason_name(0x27), "unknown");
	assert_string_equal(vtd_fault_reason_name(0xff), "unknown");
	/* every legacy reason 1..0xd and 0x20..0x26 has a name */
	for (unsigned r = 1; r <= 0xd; r++)
		assert_string_not_equal(vtd_fault_reason_name((uint8_t)r), "unknown");
	for (unsigned r = 0x20; r <= 0x26; r++)
		assert_string_not_equal(vtd_fault_reason_name((uint8_t)r), "unknown");
}

static void test_format(void **state)
{
	(void)state;
	char buf[160];
	struct vtd_fault f = decode_ok(0x7ff12000ULL, 0xc000000200000100ULL);
	const char *want = "sid=01:00.0 reason=0x2 access=read addr=0x7ff12000 "
			   "what=\"context entry not present\"";

	assert_int_equal(vtd_fault_format(&f, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
	f = decode_ok(0x0005000000000000ULL, 0x80000022000000faULL);
	want = "sid=00:1f.2 reason=0x22 index=5 what=\"interrupt remapping entry not present\"";
	assert_int_equal(vtd_fault_format(&f, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
	assert_int_equal(vtd_fault_format(&f, buf, 10), -ENOSPC);
	assert_int_equal(strlen(buf), 9);
}

static void test_fault_status(void **state)
{
	(void)state;
	struct vtd_fault_status s;

	/* FRI 3 (bits 15:8 = 0x300) | IQE 0x10 | PPF 0x2 | PFO 0x1 */
	vtd_fsts_decode(0x313, &s);
	assert_true(s.pfo);
	assert_true(s.ppf);
	assert_true(s.iqe);
	assert_false(s.afo || s.apf || s.ice || s.ite);
	assert_int_equal(s.fri, 3);
	/* write back PFO and IQE; PPF and FRI are read-only */
	assert_int_equal(vtd_fsts_clear_bits(0x313), 0x11);
	/* all: PFO 1 | AFO 4 | APF 8 | IQE 0x10 | ICE 0x20 | ITE 0x40 = 0x7d */
	vtd_fsts_decode(0xff7f, &s);
	assert_true(s.afo && s.apf && s.ice && s.ite);
	assert_int_equal(s.fri, 0xff);
	assert_int_equal(vtd_fsts_clear_bits(0xffffffff), 0x7d);
	assert_int_equal(vtd_fsts_clear_bits(0x2), 0);
}

static void test_record_offsets(void **state)
{
	(void)state;
	struct vtd_caps caps;
	uint32_t off = 0;

	/* QEMU: one record at 0x220 */
	vtd_decode_caps(0x10, QEMU_CAP, QEMU_ECAP, &caps);
	assert_int_equal(vtd_frcd_offset(&caps, 0, &off), 0);
	assert_int_equal(off, 0x220);
	assert_int_equal(vtd_frcd_offset(&caps, 1, &off), -EINVAL);
	/* Haswell-EP: eight records from 0x100; the last at 0x100 + 7 * 16 */
	vtd_decode_caps(0x10, HSW_CAP, HSW_ECAP, &caps);
	assert_int_equal(vtd_frcd_offset(&caps, 7, &off), 0);
	assert_int_equal(off, 0x170);
	assert_int_equal(vtd_frcd_offset(&caps, 8, &off), -EINVAL);
	/* F is bit 127 = bit 31 of the dword at +12 */
	assert_int_equal((uint64_t)VTD_FRCD_F_DWORD_BIT << 32, VTD_FRCD_HI_F);
	assert_int_equal(VTD_FRCD_F_DWORD, VTD_FRCD_HI + 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_context_not_present_read),
	    cmocka_unit_test(test_read_and_write_faults),
	    cmocka_unit_test(test_free_record),
	    cmocka_unit_test(test_interrupt_fault),
	    cmocka_unit_test(test_pasid_fields),
	    cmocka_unit_test(test_reason_names),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_fault_status),
	    cmocka_unit_test(test_record_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
