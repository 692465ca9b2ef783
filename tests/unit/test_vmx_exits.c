/*
 * Unit tests for vmm/vmx_exits.c and vmm/vmx_msr_bitmap.c: VMX exit
 * reasons and qualifications mapped to struct vm_exit, the events written
 * back into the VM-entry fields, and the MSR bitmap built from the shared
 * MSR policy; vmm/vmx_cr.c (guest CR0/CR4 writes that exit) and
 * vmm/xcr0_check.c (XSETBV's checks). Encodings from SDM vol. 3 ("Exit
 * Qualification", "Information for VM Exits During Event Delivery",
 * "MSR-Bitmap Address"); architectural checks from SDM vol. 1 and 2 (XCR0,
 * MOV to CR, LMSW, CLTS).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/vmx.h"
#include "vmm/vmx_vmcs.h"
#include "vmm/xcr0_check.h"

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
	    {VMX_REASON_HLT, VM_EXIT_HLT, 1},	       {VMX_REASON_XSETBV, VM_EXIT_XSETBV, 3},
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
	/* CR accesses, INVD and WBINVD are left to vmx_emulate(), the rest contained */
	assert_int_equal(decode(VMX_REASON_CR_ACCESS, 0, 3).type, VM_EXIT_OTHER);
	assert_int_equal(decode(VMX_REASON_INVD, 0, 2).type, VM_EXIT_OTHER);
	assert_int_equal(decode(VMX_REASON_WBINVD, 0, 2).type, VM_EXIT_OTHER);
	assert_int_equal(decode(VMX_REASON_INIT, 0, 0).type, VM_EXIT_OTHER);
	assert_int_equal(decode(VMX_REASON_EPT_MISCONFIG, 0, 0).type, VM_EXIT_OTHER);
	assert_int_equal(decode(VMX_REASON_CR_ACCESS, 0, 3).insn_len, 0);
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

/* ---- control-register accesses ---- */

/* A Skylake-like processor: CR0 fixes PE, NE, PG; CR4 fixes VMXE and allows up to PKE. */
static const struct vmx_cr_fixed_msrs fixed = {
    .cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
    .cr4_fixed0 = 0x2000,     .cr4_fixed1 = 0x7777ff,
};

/* A guest in 64-bit mode as vmx_vmcs_setup() starts it, plus OSFXSR/OSXMMEXCPT. */
static struct vmx_cr_guest long_mode_guest(void)
{
	return (struct vmx_cr_guest){.cr0 = 0x80010033, .cr4 = 0x620, .cr3 = 0x1000,
				     .efer = X86_EFER_LME | X86_EFER_LMA, .in_64bit_mode = true};
}

static void test_cr_access_decode(void **state)
{
	struct vmx_cr_access a;

	(void)state;
	a = vmx_cr_access_decode(0x304); /* mov %rbx, %cr4 */
	assert_int_equal(a.cr, 4);
	assert_int_equal(a.type, VMX_CR_MOV_TO);
	assert_int_equal(a.gpr, GPR_RBX);
	a = vmx_cr_access_decode(0xc00); /* mov %r12, %cr0 */
	assert_int_equal(a.cr, 0);
	assert_int_equal(a.gpr, GPR_R12);
	a = vmx_cr_access_decode(0x20); /* clts */
	assert_int_equal(a.type, VMX_CR_CLTS);
	a = vmx_cr_access_decode(0x000b0070ULL); /* lmsw from memory, source 0xb */
	assert_int_equal(a.type, VMX_CR_LMSW);
	assert_int_equal(a.lmsw_source, 0xb);
	a = vmx_cr_access_decode(0x413); /* mov %cr3, %rsp */
	assert_int_equal(a.type, VMX_CR_MOV_FROM);
	assert_int_equal(a.cr, 3);
	assert_int_equal(a.gpr, GPR_RSP);
	assert_int_equal(vmx_cr_guest_view(0x80010033, 0x20, 0x80010013), 0x80010013);
}

/* Clearing NE: the guest sees NE clear, the processor keeps it set, later writes still exit. */
static void test_cr0_ne_shadowed(void **state)
{
	struct vmx_cr_guest g = long_mode_guest();
	struct vmx_cr_result r = vmx_cr0_write(&g, 0x80010013, &fixed);

	(void)state;
	assert_int_equal(r.verdict, VMX_CR_APPLY);
	assert_int_equal(r.write.value, 0x80010033);
	assert_int_equal(r.write.shadow, 0x80010013);
	assert_int_equal(r.write.mask, X86_CR0_NE);
	/* setting CD (with NW clear) and TS is architectural */
	r = vmx_cr0_write(&g, 0xc0010039, &fixed);
	assert_int_equal(r.verdict, VMX_CR_APPLY);
	assert_int_equal(r.write.value, 0xc0010039);
	/* undefined low bits are dropped, ET reads as 1 */
	r = vmx_cr0_write(&g, 0x80010423, &fixed);
	assert_int_equal(r.write.value, 0x80010033);
}

static void test_cr0_faults(void **state)
{
	static const struct {
		uint64_t val;
		const char *why;
	} cases[] = {
	    {0x180010033ULL, "cr0-reserved-bits"},
	    {0x80010032, "cr0-pg-without-pe"},
	    {0xa0010033, "cr0-nw-without-cd"},
	    {0x00010033, "cr0-pg-clear-in-64bit-mode"},
	};
	struct vmx_cr_guest g = long_mode_guest();

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vmx_cr_result r = vmx_cr0_write(&g, cases[i].val, &fixed);

		assert_int_equal(r.verdict, VMX_CR_FAULT);
		assert_string_equal(r.why, cases[i].why);
	}
	g.cr4 |= X86_CR4_CET;
	assert_int_equal(vmx_cr0_write(&g, 0x80000033, &fixed).verdict, VMX_CR_FAULT);
}

/* Leaving paging from compatibility mode is legal but needs EFER.LMA and entry controls. */
static void test_cr0_mode_switch_refused(void **state)
{
	struct vmx_cr_guest g = long_mode_guest();
	struct vmx_cr_result r;

	(void)state;
	g.in_64bit_mode = false;
	r = vmx_cr0_write(&g, 0x00010013, &fixed);
	assert_int_equal(r.verdict, VMX_CR_REFUSE);
	assert_string_equal(r.why, "cr0-mode-switch-with-host-owned-bit");
	/* a 32-bit guest turning paging on is refused the same way */
	g = (struct vmx_cr_guest){.cr0 = 0x11, .cr4 = 0};
	assert_int_equal(vmx_cr0_write(&g, 0x80000011, &fixed).verdict, VMX_CR_REFUSE);
}

static void test_clts_lmsw(void **state)
{
	(void)state;
	assert_int_equal(vmx_cr0_after_clts(0x8001003b), 0x80010033);
	/* LMSW loads MP, EM, TS and can set PE ... */
	assert_int_equal(vmx_cr0_after_lmsw(0x80010010, 0xe), 0x8001001e);
	assert_int_equal(vmx_cr0_after_lmsw(0x10, 0x1), 0x11);
	/* ... but never clear it, and ignores the source's upper bits */
	assert_int_equal(vmx_cr0_after_lmsw(0x80010033, 0xfff0), 0x80010031);
}

/* Writes that exit only because of VMXE as the guest sees it, or that the CPU rejects. */
static void test_cr4_write(void **state)
{
	struct vmx_cr_guest g = long_mode_guest();
	struct vmx_cr_result r;

	(void)state;
	r = vmx_cr4_write(&g, 0x40620, &fixed); /* OSXSAVE */
	assert_int_equal(r.verdict, VMX_CR_APPLY);
	assert_int_equal(r.write.value, 0x42620);
	assert_int_equal(r.write.shadow, 0x40620);
	assert_int_equal(r.write.mask, X86_CR4_VMXE);
	r = vmx_cr4_write(&g, 0x2620, &fixed);
	assert_int_equal(r.verdict, VMX_CR_FAULT);
	assert_string_equal(r.why, "cr4-vmxe-not-offered");
	r = vmx_cr4_write(&g, 0x800620, &fixed); /* CET: not in this CPU's FIXED1 */
	assert_string_equal(r.why, "cr4-reserved-bits");
	r = vmx_cr4_write(&g, 0x600, &fixed);
	assert_string_equal(r.why, "cr4-pae-clear-in-long-mode");
	r = vmx_cr4_write(&g, 0x1620, &fixed);
	assert_string_equal(r.why, "cr4-la57-change-in-long-mode");
	g.cr3 = 0x1005;
	r = vmx_cr4_write(&g, 0x20620, &fixed);
	assert_string_equal(r.why, "cr4-pcide-set-with-cr3-pcid");
	g.cr3 = 0x1000;
	assert_int_equal(vmx_cr4_write(&g, 0x20620, &fixed).verdict, VMX_CR_APPLY);
	g.efer = 0;
	g.in_64bit_mode = false;
	r = vmx_cr4_write(&g, 0x20620, &fixed);
	assert_string_equal(r.why, "cr4-pcide-outside-long-mode");
}

/* ---- XSETBV ---- */

static void test_xcr0_check(void **state)
{
	static const uint64_t avx512_cpu = 0x2e7; /* x87 SSE AVX opmask ZMM PKRU */
	static const struct {
		uint32_t index;
		uint64_t value;
		const char *why;
	} cases[] = {
	    {0, 0x1, NULL},
	    {0, 0x7, NULL},
	    {0, 0xe7, NULL},
	    {0, 0x2e7, NULL},
	    {1, 0x1, "xcr-index-not-0"},
	    {0, 0x6, "xcr0-x87-clear"},
	    {0, 0x5, "xcr0-avx-without-sse"},
	    {0, 0x67, "xcr0-avx512-partial"},
	    {0, 0x18001ULL << 0, "xcr0-unsupported-bits"},
	    {0, 0x100000003ULL, "xcr0-unsupported-bits"},
	    {0, 0x100, "xcr0-unsupported-bits"}, /* PT: supervisor state, IA32_XSS only */
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *why = xcr0_check(cases[i].index, cases[i].value, avx512_cpu);

		if (!cases[i].why)
			assert_null(why);
		else
			assert_string_equal(why, cases[i].why);
	}
	/* groups checked when the CPU has them: MPX halves, AVX-512 on SSE only, AMX halves */
	assert_string_equal(xcr0_check(0, 0xb, 0x1f), "xcr0-mpx-partial");
	assert_null(xcr0_check(0, 0x1b, 0x1f));
	assert_string_equal(xcr0_check(0, 0xe3, 0xff), "xcr0-avx512-without-avx");
	assert_string_equal(xcr0_check(0, 0x20007, 0x60007), "xcr0-amx-partial");
	assert_null(xcr0_check(0, 0x60007, 0x60007));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_instruction_exits), cmocka_unit_test(test_forbidden_and_other),
	    cmocka_unit_test(test_entry_failure),     cmocka_unit_test(test_io),
	    cmocka_unit_test(test_ept_violation),     cmocka_unit_test(test_nmi),
	    cmocka_unit_test(test_reinject),	      cmocka_unit_test(test_exception_events),
	    cmocka_unit_test(test_msr_bitmap),	      cmocka_unit_test(test_cr_access_decode),
	    cmocka_unit_test(test_cr0_ne_shadowed),   cmocka_unit_test(test_cr0_faults),
	    cmocka_unit_test(test_cr0_mode_switch_refused), cmocka_unit_test(test_clts_lmsw),
	    cmocka_unit_test(test_cr4_write),	      cmocka_unit_test(test_xcr0_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
