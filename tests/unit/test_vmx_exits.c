/*
 * Unit tests for vmm/vmx_exits.c and vmm/vmx_msr_bitmap.c: VMX exit
 * reasons and qualifications mapped to struct vm_exit, the events written
 * back into the VM-entry fields, and the MSR bitmap built from the shared
 * MSR policy. Encodings from SDM vol. 3 ("Exit Qualification", "Information
 * for VM Exits During Event Delivery", "MSR-Bitmap Address").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/vmx.h"
#include "vmm/vmx_vmcs.h"

static struct vm_exit decode(uint32_t reason, uint64_t qual, uint32_t len)
{
	struct vmx_exit_info x = {.reason = reason, .qualification = qual, .rip = 0x401000,
				  .insn_len = len};
	struct vm_exit e;

	memset(&e, 0xa5, sizeof(e)); /* the decoder must clear what it doesn't set */
	vmx_decode_exit(&x, &e);
	return e;
}

static void test_instruction_exits(void **state)
{
	static const struct {
		uint32_t reason;
		enum vm_exit_type type;
		uint32_t len;
	} cases[] = {
	    {VMX_REASON_VMCALL, VM_EXIT_HYPERCALL, 3}, {VMX_REASON_CPUID, VM_EXIT_CPUID, 2},
	    {VMX_REASON_RDMSR, VM_EXIT_MSR_READ, 2},   {VMX_REASON_WRMSR, VM_EXIT_MSR_WRITE, 2},
	    {VMX_REASON_HLT, VM_EXIT_HLT, 1},
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vm_exit e = decode(cases[i].reason, 0, cases[i].len);

		assert_int_equal(e.type, cases[i].type);
		assert_int_equal(e.insn_len, cases[i].len);
		assert_int_equal(e.vendor_code, cases[i].reason);
		assert_int_equal(e.rip, 0x401000);
	}
}

static void test_forbidden_and_other(void **state)
{
	static const uint32_t forbidden[] = {
	    VMX_REASON_VMXON,  VMX_REASON_VMCLEAR, VMX_REASON_VMLAUNCH, VMX_REASON_VMREAD,
	    VMX_REASON_INVEPT, VMX_REASON_INVVPID, VMX_REASON_VMFUNC,	VMX_REASON_GETSEC,
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(forbidden); i++)
		assert_int_equal(decode(forbidden[i], 0, 3).type, VM_EXIT_FORBIDDEN_INSN);
	assert_int_equal(decode(VMX_REASON_TRIPLE_FAULT, 0, 0).type, VM_EXIT_SHUTDOWN);
	assert_int_equal(decode(VMX_REASON_EXTERNAL_INTERRUPT, 0, 0).type, VM_EXIT_INTR);
	assert_int_equal(decode(VMX_REASON_XSETBV, 0, 3).type, VM_EXIT_OTHER);
	assert_int_equal(decode(VMX_REASON_CR_ACCESS, 0, 3).type, VM_EXIT_OTHER);
	assert_int_equal(decode(VMX_REASON_INIT, 0, 0).type, VM_EXIT_OTHER);
	assert_int_equal(decode(VMX_REASON_EPT_MISCONFIG, 0, 0).type, VM_EXIT_OTHER);
	assert_int_equal(decode(VMX_REASON_XSETBV, 0, 3).insn_len, 0);
}

/* Bit 31 marks a VM-entry failure whatever the basic reason (33: invalid guest state). */
static void test_entry_failure(void **state)
{
	struct vm_exit e = decode(VMX_EXIT_REASON_ENTRY_FAILURE | VMX_REASON_INVALID_GUEST_STATE,
				  0, 0);

	(void)state;
	assert_int_equal(e.type, VM_EXIT_INVALID);
	assert_int_equal(e.vendor_code, 0x80000021);
	e = decode(VMX_EXIT_REASON_ENTRY_FAILURE | VMX_REASON_MSR_LOADING, 1, 0);
	assert_int_equal(e.type, VM_EXIT_INVALID);
}

static void test_io(void **state)
{
	struct vm_exit e;

	(void)state;
	/* out 0x80, al: size 1, out, immediate operand (bit 6) */
	e = decode(VMX_REASON_IO, (0x80u << 16) | BIT(6), 2);
	assert_int_equal(e.type, VM_EXIT_IO);
	assert_int_equal(e.io.port, 0x80);
	assert_int_equal(e.io.size, 1);
	assert_false(e.io.in);
	assert_false(e.io.string);
	assert_int_equal(e.insn_len, 2);
	/* in eax, dx with dx = 0xcfc: size 4 */
	e = decode(VMX_REASON_IO, (0xcfcu << 16) | VMX_IO_IN | 3, 1);
	assert_int_equal(e.io.port, 0xcfc);
	assert_int_equal(e.io.size, 4);
	assert_true(e.io.in);
	/* rep outsw to 0xffff */
	e = decode(VMX_REASON_IO, (0xffffull << 16) | VMX_IO_STRING | BIT(5) | 1, 3);
	assert_int_equal(e.io.port, 0xffff);
	assert_int_equal(e.io.size, 2);
	assert_true(e.io.string);
}

static struct vm_exit ept_violation(uint64_t qual, uint64_t gpa)
{
	struct vmx_exit_info x = {.reason = VMX_REASON_EPT_VIOLATION, .qualification = qual,
				  .guest_physical = gpa, .rip = 0x2000, .insn_len = 7};
	struct vm_exit e;

	vmx_decode_exit(&x, &e);
	return e;
}

static void test_ept_violation(void **state)
{
	struct vm_exit e;

	(void)state;
	/* a write outside the partition's memory: nothing mapped there */
	e = ept_violation(VMX_EPT_WRITE | BIT(7), 0x7f000008);
	assert_int_equal(e.type, VM_EXIT_NPF);
	assert_int_equal(e.npf.gpa, 0x7f000008);
	assert_true(e.npf.write);
	assert_false(e.npf.fetch);
	assert_false(e.npf.present);
	assert_int_equal(e.insn_len, 0); /* an MMIO instruction's length is decoded */
	/* a fetch from a readable, non-executable page */
	e = ept_violation(VMX_EPT_FETCH | VMX_EPT_READABLE | VMX_EPT_WRITABLE, 0x1000);
	assert_true(e.npf.fetch);
	assert_false(e.npf.write);
	assert_true(e.npf.present);
	/* a read */
	e = ept_violation(VMX_EPT_READ, 0xe0000000);
	assert_false(e.npf.write || e.npf.fetch || e.npf.present);
}

static void test_nmi(void **state)
{
	struct vmx_exit_info x = {.reason = VMX_REASON_EXCEPTION_NMI,
				  .intr_info = VMX_INTR_VALID | (VMX_INTR_TYPE_NMI << 8) | 2};
	struct vm_exit e;

	(void)state;
	vmx_decode_exit(&x, &e);
	assert_int_equal(e.type, VM_EXIT_NMI);
	/* a hardware exception (#PF) would only exit if the exception bitmap asked */
	x.intr_info = VMX_INTR_VALID | VMX_INTR_ERROR_VALID | (VMX_INTR_TYPE_HW_EXCEPTION << 8) | 14;
	vmx_decode_exit(&x, &e);
	assert_int_equal(e.type, VM_EXIT_OTHER);
	x.intr_info = 0;
	vmx_decode_exit(&x, &e);
	assert_int_equal(e.type, VM_EXIT_OTHER);
}

static void test_reinject(void **state)
{
	struct vmx_event ev;

	(void)state;
	assert_false(vmx_reinject_event(0x00000b0e, 6, 3, &ev)); /* not valid */
	/* an external interrupt being delivered: as is, no error code, no length */
	assert_true(vmx_reinject_event(0x80000030, 0x1234, 3, &ev));
	assert_int_equal(ev.info, 0x80000030);
	assert_int_equal(ev.error_code, 0);
	assert_int_equal(ev.insn_len, 0);
	/* #PF with its error code; bit 12 (NMI unblocking) is not an entry field bit */
	assert_true(vmx_reinject_event(0x80001b0e, 6, 3, &ev));
	assert_int_equal(ev.info, 0x80000b0e);
	assert_int_equal(ev.error_code, 6);
	/* INT 0x80 and INT3 need the instruction length again */
	assert_true(vmx_reinject_event(0x80000480, 0, 2, &ev));
	assert_int_equal(ev.insn_len, 2);
	assert_true(vmx_reinject_event(0x80000603, 0, 1, &ev));
	assert_int_equal(ev.insn_len, 1);
	/* an NMI */
	assert_true(vmx_reinject_event(0x80000202, 0, 5, &ev));
	assert_int_equal(ev.info, 0x80000202);
	assert_int_equal(ev.insn_len, 0);
}

static void test_exception_events(void **state)
{
	(void)state;
	assert_int_equal(vmx_exception_event(13, true).info, 0x80000b0d);
	assert_int_equal(vmx_exception_event(13, true).error_code, 0);
	assert_int_equal(vmx_exception_event(6, false).info, 0x80000306);
	assert_string_equal(vmx_insn_error_name(7), "invalid-control-field");
	assert_string_equal(vmx_insn_error_name(8), "invalid-host-state-field");
	assert_string_equal(vmx_insn_error_name(1), "unknown");
	assert_string_equal(vmx_insn_error_name(1000), "unknown");
}

static bool exits(const uint8_t *bitmap, uint32_t msr, bool write)
{
	uint32_t base = msr >= 0xc0000000u ? 0x400 : 0, n = msr & 0x1fff;

	return bitmap[base + (write ? 0x800 : 0) + n / 8] & (1u << (n % 8));
}

static void test_msr_bitmap(void **state)
{
	static uint8_t bitmap[VMX_MSR_BITMAP_SIZE];

	(void)state;
	memset(bitmap, 0xff, sizeof(bitmap));
	vmx_msr_bitmap_open(bitmap);
	/* x2APIC: all reads pass; EOI, TPR, timer writes pass; ICR, SVR, LVT LINT writes exit */
	assert_false(exits(bitmap, 0x802, false));
	assert_false(exits(bitmap, 0x830, false));
	assert_false(exits(bitmap, 0x80b, true));
	assert_false(exits(bitmap, 0x808, true));
	assert_false(exits(bitmap, 0x838, true));
	assert_true(exits(bitmap, 0x830, true));
	assert_true(exits(bitmap, 0x80f, true));
	assert_true(exits(bitmap, 0x835, true));
	/* TSC read passes, write exits; APIC base and EFER exit both ways */
	assert_false(exits(bitmap, 0x10, false));
	assert_true(exits(bitmap, 0x10, true));
	assert_true(exits(bitmap, 0x1b, false));
	assert_true(exits(bitmap, 0x1b, true));
	assert_true(exits(bitmap, 0xc0000080, false));
	assert_true(exits(bitmap, 0xc0000080, true));
	/* PAT, SYSENTER, syscall MSRs, FS/GS/KernelGS base and TSC_AUX are the guest's */
	assert_false(exits(bitmap, 0x277, true));
	assert_false(exits(bitmap, 0x175, true));
	assert_false(exits(bitmap, 0xc0000082, true));
	assert_false(exits(bitmap, 0xc0000100, true));
	assert_false(exits(bitmap, 0xc0000103, false));
	assert_true(exits(bitmap, 0xc0000104, false));
	/* the low range is not aliased by the high one */
	assert_true(exits(bitmap, 0x100, true));
	assert_true(exits(bitmap, 0x82, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_instruction_exits), cmocka_unit_test(test_forbidden_and_other),
	    cmocka_unit_test(test_entry_failure),     cmocka_unit_test(test_io),
	    cmocka_unit_test(test_ept_violation),     cmocka_unit_test(test_nmi),
	    cmocka_unit_test(test_reinject),	      cmocka_unit_test(test_exception_events),
	    cmocka_unit_test(test_msr_bitmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
