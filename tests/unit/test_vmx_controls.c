/*
 * Unit tests for vmm/vmx_controls.c: VMX controls adjusted against
 * capability-MSR images (allowed-0/allowed-1 semantics, TRUE MSRs, refusals
 * naming the control), the processor requirements, the EPT pointer over a
 * tree built by the paging engine, and CR0/CR4 under the fixed-bit MSRs.
 * The Skylake image is the one Bochs 2.7 lists for corei7_skylake_x (its
 * cpudb comments, taken from a real part); expected values follow the SDM
 * vol. 3 appendix A bit definitions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "hv/errno.h"
#include "tests/unit/fake_mm.h"
#include "tests/unit/log_capture.h"
#include "vmm/vmx_controls.h"
#include "vmm/vmx_vmcs.h"

#define INTEL_EBX 0x756e6547u /* "Genu" */
#define INTEL_EDX 0x49656e69u /* "ineI" */
#define INTEL_ECX 0x6c65746eu /* "ntel" */
#define TRUE_CTLS (1ull << 55) /* IA32_VMX_BASIC: TRUE control MSRs exist */
#define ALLOWED1(bit) ((uint64_t)(bit) << 32)

static struct virt_raw skylake_x(void)
{
	struct virt_raw r = {0};

	r.leaf0 = (struct cpuid_regs){0x16, INTEL_EBX, INTEL_ECX, INTEL_EDX};
	r.leaf1 = (struct cpuid_regs){0x00050654, 0, (1u << 5) | (1u << 21), 1u << 6};
	r.ext0.eax = 0x80000008;
	r.ext1 = (struct cpuid_regs){0, 0, 0, (1u << 20) | (1u << 26) | (1u << 29)};
	r.have_msrs = true;
	r.vmx_basic = 0x00da040000000004ull;
	r.vmx_pinbased = 0x000000ff00000016ull;
	r.vmx_procbased = 0xfff9fffe0401e172ull;
	r.vmx_exit = 0x01ffffff00036dffull;
	r.vmx_entry = 0x0003ffff000011ffull;
	r.vmx_misc = 0x7004c1e7ull;
	r.vmx_procbased2 = 0x025d3fff00000000ull;
	r.vmx_ept_vpid_cap = 0x00000f0106734141ull;
	r.vmx_true_pinbased = 0x000000ff00000016ull;
	r.vmx_true_procbased = 0xfff9fffe04006172ull;
	r.vmx_true_exit = 0x01ffffff00036dfbull;
	r.vmx_true_entry = 0x0003ffff000011fbull;
	return r;
}

static struct virt_caps caps_of(const struct virt_raw *raw)
{
	struct virt_caps c;

	virt_decode(raw, &c);
	return c;
}

static int build(const struct virt_raw *raw, struct vmx_controls *out)
{
	struct virt_caps c = caps_of(raw);

	log_capture_reset();
	return vmx_controls_build(&c, out);
}

static void test_adjust_allowed_settings(void **state)
{
	static const struct vmx_ctl_bit bits[] = {
	    {BIT(3), VMX_CTL_REQUIRED, "req"},
	    {BIT(5), VMX_CTL_OPTIONAL, "opt-allowed"},
	    {BIT(8), VMX_CTL_OPTIONAL, "opt-not-allowed"},
	    {BIT(6), VMX_CTL_FORBIDDEN, "forbidden-but-allowed"},
	};
	uint32_t out = 0;

	(void)state;
	/* must be 1: bits 1, 2, 4; may be 1: bits 0-7 */
	assert_int_equal(vmx_ctl_adjust("f", 0x000000ff00000016ull, bits, 4, &out), 0);
	/* forced bits kept, required and allowed optional set, bit 6 and unlisted 0/7 off */
	assert_int_equal(out, 0x16 | BIT(3) | BIT(5));
}

static void test_adjust_refuses_required(void **state)
{
	static const struct vmx_ctl_bit bits[] = {{BIT(9), VMX_CTL_REQUIRED, "needed-one"}};
	uint32_t out = 0xdead;

	(void)state;
	log_capture_reset();
	assert_int_equal(vmx_ctl_adjust("vm-exit", 0x000003ff00000000ull, bits, 1, &out), 0);
	assert_int_equal(out, BIT(9));
	assert_int_equal(vmx_ctl_adjust("vm-exit", 0x000001ff00000000ull, bits, 1, &out),
			 -ENOTSUP);
	assert_true(log_capture_contains("field=vm-exit control=needed-one want=1"));
}

static void test_adjust_refuses_forced_forbidden(void **state)
{
	static const struct vmx_ctl_bit bits[] = {{BIT(7), VMX_CTL_FORBIDDEN, "hlt-exiting"}};
	uint32_t out;

	(void)state;
	log_capture_reset();
	assert_int_equal(vmx_ctl_adjust("p", 0xffffffff00000080ull, bits, 1, &out), -ENOTSUP);
	assert_true(log_capture_contains("control=hlt-exiting want=0"));
}

static void test_skylake_true_controls(void **state)
{
	struct virt_raw raw = skylake_x();
	struct vmx_controls c;

	(void)state;
	assert_int_equal(build(&raw, &c), 0);
	assert_int_equal(c.pinbased, 0x16 | VMX_PIN_NMI_EXITING);
	assert_int_equal(c.procbased, 0x04006172u | VMX_PROC_USE_IO_BITMAPS |
					  VMX_PROC_USE_MSR_BITMAPS | VMX_PROC_SECONDARY_CTLS);
	assert_int_equal(c.procbased & (VMX_PROC_HLT_EXITING | VMX_PROC_CR3_LOAD_EXITING |
					VMX_PROC_CR3_STORE_EXITING | VMX_PROC_INVLPG_EXITING),
			 0);
	assert_int_equal(c.procbased2, VMX_PROC2_ENABLE_EPT | VMX_PROC2_UNRESTRICTED_GUEST |
					   VMX_PROC2_ENABLE_VPID | VMX_PROC2_ENABLE_RDTSCP |
					   VMX_PROC2_ENABLE_INVPCID | VMX_PROC2_ENABLE_XSAVES);
	assert_int_equal(c.exit, 0x36dfbu | VMX_EXIT_HOST_ADDR_SPACE_SIZE | VMX_EXIT_SAVE_DEBUG_CTLS |
				     VMX_EXIT_SAVE_IA32_PAT | VMX_EXIT_LOAD_IA32_PAT |
				     VMX_EXIT_SAVE_IA32_EFER | VMX_EXIT_LOAD_IA32_EFER);
	assert_int_equal(c.exit & VMX_EXIT_ACK_INTR_ON_EXIT, 0);
	assert_int_equal(c.entry, 0x11fbu | VMX_ENTRY_LOAD_DEBUG_CTLS | VMX_ENTRY_IA32E_MODE_GUEST |
				      VMX_ENTRY_LOAD_IA32_PAT | VMX_ENTRY_LOAD_IA32_EFER);
	assert_true(c.vpid);
	assert_int_equal(c.invvpid, VMX_INV_SINGLE_CONTEXT);
	assert_int_equal(c.invept, VMX_INV_SINGLE_CONTEXT);
}

/* Without bit 55 the plain MSRs rule, and they force CR3-load exiting to 1. */
static void test_without_true_msrs_cr3_exiting_refused(void **state)
{
	struct virt_raw raw = skylake_x();
	struct vmx_controls c;

	(void)state;
	raw.vmx_basic &= ~TRUE_CTLS;
	assert_int_equal(build(&raw, &c), -ENOTSUP);
	assert_true(log_capture_contains("field=primary-processor-based control=cr3-load-exiting"));
}

/* The TRUE MSRs are what counts when present: a plain MSR forcing 1 does not matter. */
static void test_true_msrs_win(void **state)
{
	struct virt_raw raw = skylake_x();
	struct vmx_controls c;

	(void)state;
	raw.vmx_procbased |= VMX_PROC_HLT_EXITING;
	assert_int_equal(build(&raw, &c), 0);
	raw.vmx_true_procbased |= VMX_PROC_HLT_EXITING;
	assert_int_equal(build(&raw, &c), -ENOTSUP);
	assert_true(log_capture_contains("control=hlt-exiting want=0"));
}

static void expect_refused(struct virt_raw *raw, const char *text)
{
	struct vmx_controls c;

	assert_int_equal(build(raw, &c), -ENOTSUP);
	assert_true(log_capture_contains(text));
}

static void test_required_controls_refused(void **state)
{
	struct virt_raw raw;

	(void)state;
	raw = skylake_x();
	raw.vmx_true_pinbased &= ~ALLOWED1(VMX_PIN_NMI_EXITING);
	expect_refused(&raw, "field=pin-based control=nmi-exiting want=1");
	raw = skylake_x();
	raw.vmx_procbased2 &= ~ALLOWED1(VMX_PROC2_UNRESTRICTED_GUEST);
	expect_refused(&raw, "field=secondary-processor-based control=unrestricted-guest want=1");
	raw = skylake_x();
	raw.vmx_true_entry &= ~ALLOWED1(VMX_ENTRY_LOAD_IA32_EFER);
	expect_refused(&raw, "field=vm-entry control=load-ia32-efer want=1");
	raw = skylake_x();
	raw.vmx_true_exit &= ~ALLOWED1(VMX_EXIT_SAVE_IA32_PAT);
	expect_refused(&raw, "field=vm-exit control=save-ia32-pat want=1");
	raw = skylake_x();
	raw.vmx_true_procbased &= ~ALLOWED1(VMX_PROC_USE_MSR_BITMAPS);
	expect_refused(&raw, "control=use-msr-bitmaps want=1");
}

/* No secondary controls at all: EPT is the first thing missing. */
static void test_no_secondary_controls(void **state)
{
	struct virt_raw raw = skylake_x();

	(void)state;
	raw.vmx_procbased &= ~ALLOWED1(VMX_PROC_SECONDARY_CTLS);
	raw.vmx_true_procbased &= ~ALLOWED1(VMX_PROC_SECONDARY_CTLS);
	expect_refused(&raw, "control=activate-secondary-controls want=1");
}

static void test_processor_requirements(void **state)
{
	struct virt_raw raw;

	(void)state;
	raw = skylake_x();
	raw.feature_control = 0x1; /* locked, VMX outside SMX off */
	expect_refused(&raw, "missing=vmx-enabled-by-firmware");
	raw = skylake_x();
	raw.vmx_ept_vpid_cap &= ~(1ull << 16);
	expect_refused(&raw, "missing=ept-2m-pages");
	raw = skylake_x();
	raw.vmx_ept_vpid_cap &= ~(1ull << 14);
	expect_refused(&raw, "missing=ept-write-back-tables");
	raw = skylake_x();
	raw.vmx_ept_vpid_cap &= ~((1ull << 25) | (1ull << 26));
	expect_refused(&raw, "missing=invept");
	raw = skylake_x();
	raw.vmx_basic &= ~(0xfull << 50); /* VMCS memory type UC */
	expect_refused(&raw, "missing=vmcs-write-back");
	raw = skylake_x();
	raw.have_msrs = false;
	expect_refused(&raw, "missing=vmx");
}

/* VPIDs only with an INVVPID that can flush one; INVEPT falls back to all-context. */
static void test_flush_choices(void **state)
{
	struct virt_raw raw = skylake_x();
	struct vmx_controls c;

	(void)state;
	raw.vmx_ept_vpid_cap &= ~((1ull << 41) | (1ull << 25));
	assert_int_equal(build(&raw, &c), 0);
	assert_true(c.vpid);
	assert_int_equal(c.invvpid, VMX_INV_ALL_CONTEXT);
	assert_int_equal(c.invept, VMX_INV_ALL_CONTEXT);
	raw.vmx_ept_vpid_cap &= ~(1ull << 32);
	assert_int_equal(build(&raw, &c), 0);
	assert_false(c.vpid);
	assert_int_equal(c.procbased2 & VMX_PROC2_ENABLE_VPID, 0);
}

static void test_eptp(void **state)
{
	(void)state;
	assert_int_equal(vmx_eptp(0x12345000), 0x12345000 | 6 | (3 << 3));
	/* offset bits and bits above MAXPHYADDR 52 never reach the pointer */
	assert_int_equal(vmx_eptp(0xfff0000000abcfffull), 0xabc000 | 0x1e);
	assert_int_equal(vmx_eptp(0) & VMX_EPTP_AD_ENABLE, 0);
}

/* A partition's map as partition.c builds it, walked from the EPTP as the CPU would. */
static void test_eptp_walks_partition_map(void **state)
{
	const uint64_t hpa = 0x40000000, size = 8 * MiB;
	const uint64_t gpa = 6 * MiB + 0x123;
	struct paging pg;
	uint64_t eptp, table, e = 0;

	(void)state;
	assert_int_equal(paging_init(&pg, &paging_format_ept, 4, PAGING_LEAF_2M, &fake_mm_ops), 0);
	assert_int_equal(paging_map(&pg, 0, hpa, size,
				    PAGE_READ | PAGE_WRITE | PAGE_EXEC | PAGE_CACHE_WB),
			 0);
	eptp = vmx_eptp(pg.root);
	assert_int_equal(eptp & VMX_EPTP_ADDR_MASK, pg.root);
	table = eptp & VMX_EPTP_ADDR_MASK;
	for (int level = 3; level >= 1; level--) {
		e = ((uint64_t *)fake_phys_to_virt(&fake, table))[(gpa >> (12 + 9 * level)) & 511];
		assert_int_equal(e & 7, 7); /* R, W, X */
		table = e & VMX_EPTP_ADDR_MASK;
		if (level == 1)
			break;
		assert_int_equal(e & BIT(7), 0);
	}
	/* a 2 MiB leaf: large, WB (6) in bits 5:3, IPAT clear, at hpa + 6 MiB */
	assert_int_equal(e & 0xff, 0x7 | 6 << 3 | BIT(7));
	assert_int_equal(e & VMX_EPTP_ADDR_MASK, hpa + 6 * MiB);
	assert_int_equal(paging_query(&pg, size, NULL, NULL, NULL), -ENOENT);
	paging_destroy(&pg);
	assert_int_equal(fake.live, 0);
}

/* Fixed bits of the Skylake image: CR0 PE, NE, PG; CR4 VMXE; CR4 fixed1 0x3727ff. */
static void test_cr_fixed(void **state)
{
	const uint64_t cr0_f0 = 0x80000021, cr0_f1 = 0xffffffff, cr4_f0 = 0x2000,
		       cr4_f1 = 0x3727ff, pe_pg = BIT(0) | BIT(31);
	struct vmx_cr r;

	(void)state;
	r = vmx_cr_fixed(0x80010033, cr0_f0, cr0_f1, pe_pg);
	assert_int_equal(r.value, 0x80010033);
	assert_int_equal(r.mask, BIT(5)); /* NE is the hypervisor's */
	assert_int_equal(r.shadow, 0x80010033);
	/* unrestricted guest: real mode without NE gets NE, keeps PE/PG clear */
	r = vmx_cr_fixed(0x10, cr0_f0, cr0_f1, pe_pg);
	assert_int_equal(r.value, 0x30);
	assert_int_equal(r.shadow, 0x10);
	/* the guest asks PAE; VMXE is added, owned and hidden */
	r = vmx_cr_fixed(0x20, cr4_f0, cr4_f1, 0);
	assert_int_equal(r.value, 0x2020);
	assert_int_equal(r.mask, 0x2000);
	assert_int_equal(r.shadow, 0x20);
	/* a bit the CPU can't set (PKE, 22) is cleared and owned, the guest still sees it */
	r = vmx_cr_fixed(0x20 | BIT(22), cr4_f0, cr4_f1, 0);
	assert_int_equal(r.value, 0x2020);
	assert_int_equal(r.mask, 0x2000 | BIT(22));
	assert_int_equal(r.shadow, 0x20 | BIT(22));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_adjust_allowed_settings),
	    cmocka_unit_test(test_adjust_refuses_required),
	    cmocka_unit_test(test_adjust_refuses_forced_forbidden),
	    cmocka_unit_test(test_skylake_true_controls),
	    cmocka_unit_test(test_without_true_msrs_cr3_exiting_refused),
	    cmocka_unit_test(test_true_msrs_win),
	    cmocka_unit_test(test_required_controls_refused),
	    cmocka_unit_test(test_no_secondary_controls),
	    cmocka_unit_test(test_processor_requirements),
	    cmocka_unit_test(test_flush_choices),
	    cmocka_unit_test(test_eptp),
	    cmocka_unit_test(test_eptp_walks_partition_map),
	    cmocka_unit_test(test_cr_fixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
