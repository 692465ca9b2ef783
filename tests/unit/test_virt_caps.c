/*
 * Unit tests for vmm/virt_caps.c: CPUID/MSR images of emulated and real
 * processors, decoded and judged. Sources of the images: QEMU TCG -cpu max
 * SVM leaf from PLATFORM.md (EAX=1 EBX=16 EDX=0x10010001); the Skylake-SP
 * VMX MSRs are typical values of that part; other leaves are illustrative
 * but self-consistent. Expected values come from the SDM/APM bit positions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/virt_caps.h"
#include "hv/errno.h"

#define AMD_EBX	  0x68747541u /* "Auth" */
#define AMD_EDX	  0x69746e65u /* "enti" */
#define AMD_ECX	  0x444d4163u /* "cAMD" */
#define INTEL_EBX 0x756e6547u /* "Genu" */
#define INTEL_EDX 0x49656e69u /* "ineI" */
#define INTEL_ECX 0x6c65746eu /* "ntel" */

/* EXT1 EDX: NX (20), Page1GB (26), LM (29); EXT1 ECX: SVM (2) */
#define EXT1_EDX_NX_1G_LM ((1u << 20) | (1u << 26) | (1u << 29))
#define EXT1_ECX_SVM	  (1u << 2)

static struct virt_raw amd_base(void)
{
	struct virt_raw r = {0};

	r.leaf0 = (struct cpuid_regs){0x0d, AMD_EBX, AMD_ECX, AMD_EDX};
	r.ext0.eax = 0x8000001f;
	r.ext1 = (struct cpuid_regs){0, 0, EXT1_ECX_SVM, EXT1_EDX_NX_1G_LM};
	r.have_msrs = true;
	return r;
}

/* QEMU 10 TCG "-cpu max": AuthenticAMD, x2APIC, SVM rev 1, 16 ASIDs. */
static struct virt_raw qemu_tcg_max(void)
{
	struct virt_raw r = amd_base();

	/* family 0xf + 0, model 0x6 << 4 | 0xb = 107, stepping 1 */
	r.leaf1 = (struct cpuid_regs){0x00060fb1, 0, (1u << 21) | (1u << 31), 1u << 6};
	r.ext8.eax = 0x3028; /* 40 physical, 48 linear address bits */
	r.svm = (struct cpuid_regs){1, 16, 0, 0x10010001};
	return r;
}

/* An EPYC (family 0x19) with every SVM feature this decoder knows. */
static struct virt_raw epyc(void)
{
	struct virt_raw r = amd_base();

	r.leaf1 = (struct cpuid_regs){0x00a00f11, 0, 1u << 21, 1u << 6};
	r.ext7.edx = 1u << 8;
	r.ext8.eax = 0x3030;
	r.svm = (struct cpuid_regs){1, 0x8000, 0, 0x321fb4ff};
	return r;
}

/* Skylake-SP (06_55H stepping 4), VMX enabled and locked by firmware. */
static struct virt_raw skylake(void)
{
	struct virt_raw r = {0};

	r.leaf0 = (struct cpuid_regs){0x16, INTEL_EBX, INTEL_ECX, INTEL_EDX};
	r.leaf1 = (struct cpuid_regs){
	    0x00050654, 0, (1u << 5) | (1u << 17) | (1u << 21) | (1u << 24) | (1u << 26), 1u << 6};
	r.leaf7.ebx = (1u << 0) | (1u << 7) | (1u << 10) | (1u << 20);
	r.ext0.eax = 0x80000008;
	r.ext1 = (struct cpuid_regs){0, 0, 1u << 0, EXT1_EDX_NX_1G_LM};
	r.ext7.edx = 1u << 8;
	r.ext8.eax = 0x302e;
	/* above the maximum extended leaf: Intel returns leaf 0x16's data */
	r.svm = (struct cpuid_regs){0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff};
	r.have_msrs = true;
	r.feature_control = 0x5; /* lock + VMX outside SMX */
	r.vmx_basic = 0x00da040000000004ull;
	r.vmx_pinbased = 0x000000ff00000016ull;
	r.vmx_procbased = 0xfff9fffe0401e172ull;
	r.vmx_exit = 0x01ffffff00036dffull;
	r.vmx_entry = 0x0003ffff000011ffull;
	r.vmx_misc = 0x7004c1e7ull;
	r.vmx_procbased2 = 0x02177fff00000000ull;
	r.vmx_ept_vpid_cap = 0x00000f0106334141ull;
	r.vmx_true_pinbased = 0x000000ff00000016ull;
	r.vmx_true_procbased = 0xfff9fffe04006172ull;
	r.vmx_true_exit = 0x01ffffff00036dfbull;
	r.vmx_true_entry = 0x0003ffff000011fbull;
	return r;
}

static struct virt_caps decode(const struct virt_raw *raw)
{
	struct virt_caps caps;

	memset(&caps, 0xa5, sizeof(caps)); /* decode must set every field */
	virt_decode(raw, &caps);
	return caps;
}

/* Requirements of raw; checks both lists against the expected strings. */
static void expect_reasons(const struct virt_raw *raw, const char *const *want_req, unsigned n_req,
			   const char *const *want_opt, unsigned n_opt)
{
	struct virt_caps caps = decode(raw);
	const char *req[16] = {0}, *opt[16] = {0};
	unsigned n_opt_got = 99;

	assert_int_equal(virt_requirements(&caps, req, 16, opt, 16, &n_opt_got), n_req);
	assert_int_equal(n_opt_got, n_opt);
	for (unsigned i = 0; want_req && i < n_req; i++)
		assert_string_equal(req[i], want_req[i]);
	for (unsigned i = 0; want_opt && i < n_opt; i++)
		assert_string_equal(opt[i], want_opt[i]);
}

static void assert_prefix(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

static void test_qemu_tcg_max_decode(void **state)
{
	(void)state;
	struct virt_raw raw = qemu_tcg_max();
	struct virt_caps c = decode(&raw);

	assert_string_equal(c.vendor, "AuthenticAMD");
	assert_int_equal(c.kind, VIRT_SVM);
	assert_int_equal(c.family, 0xf);
	assert_int_equal(c.model, 107);
	assert_int_equal(c.stepping, 1);
	assert_int_equal(c.phys_addr_bits, 40);
	assert_int_equal(c.virt_addr_bits, 48);
	assert_true(c.long_mode);
	assert_true(c.nx);
	assert_true(c.x2apic);
	assert_true(c.svm);
	assert_false(c.vmx);
	assert_false(c.svm_disabled_by_firmware);
	assert_int_equal(c.svm_revision, 1);
	assert_int_equal(c.asids, 16);
	/* EDX 0x10010001: bits 0 (NPT), 16 (vGIF), 28 (SVME addr check) */
	assert_true(c.npt);
	assert_true(c.vgif);
	assert_true(c.svme_addr_check);
	assert_false(c.nrips);
	assert_false(c.decode_assists);
	assert_false(c.vmcb_clean);
	assert_false(c.flush_by_asid);
	assert_false(c.pause_filter);
	assert_false(c.avic);
	assert_false(c.vnmi);
	assert_false(c.tsc_rate);
	assert_false(c.lbrv);
}

static void test_qemu_tcg_max_requirements(void **state)
{
	(void)state;
	struct virt_raw raw = qemu_tcg_max();
	static const char *const opt[] = {
	    "nrips: absent (instruction lengths decoded in software)",
	    "decode-assists: absent (MMIO instructions decoded in software)",
	    "flush-by-asid: absent (full TLB flush on ASID reuse)",
	    "vmcb-clean: absent (processor reloads the whole VMCB on every VMRUN)",
	    "avic: absent (every guest interrupt is injected by the hypervisor)",
	    "vnmi: absent (NMI masking tracked in software)",
	};

	expect_reasons(&raw, NULL, 0, opt, ARRAY_SIZE(opt));
}

static void test_qemu_tcg_max_format(void **state)
{
	(void)state;
	struct virt_raw raw = qemu_tcg_max();
	struct virt_caps c = decode(&raw);
	char buf[512];
	int n = virt_caps_format(&c, buf, sizeof(buf));

	assert_int_equal(n, (int)strlen(buf));
	assert_prefix(buf, "kind=svm rev=1 asids=16 npt=yes nrips=no decode_assists=no ");
	assert_non_null(strstr(buf, " vgif=yes "));
	assert_non_null(strstr(buf, " vendor=AuthenticAMD family=0xf model=0x6b stepping=1 "));
	assert_non_null(strstr(buf, " pa=40 va=48 "));
}

static void test_epyc_full_features(void **state)
{
	(void)state;
	struct virt_raw raw = epyc();
	struct virt_caps c = decode(&raw);

	/* 0x00a00f11: family 0xf + 0x0a = 0x19, model 0x01, stepping 1 */
	assert_int_equal(c.family, 0x19);
	assert_int_equal(c.model, 0x01);
	assert_int_equal(c.asids, 0x8000);
	assert_true(c.invariant_tsc);
	/* EDX 0x321fb4ff: bits 0-7, 10, 12, 13, 15-20, 25, 28, 29 */
	assert_true(c.npt && c.lbrv && c.svm_lock && c.nrips && c.tsc_rate);
	assert_true(c.vmcb_clean && c.flush_by_asid && c.decode_assists);
	assert_true(c.pause_filter && c.pause_filter_threshold && c.avic);
	assert_true(c.vmsave_virt && c.vgif && c.gmet && c.x2avic && c.sss_check);
	assert_true(c.spec_ctrl && c.vnmi && c.svme_addr_check && c.bus_lock_threshold);
	expect_reasons(&raw, NULL, 0, NULL, 0);
}

static void test_svm_disabled_by_firmware(void **state)
{
	(void)state;
	struct virt_raw raw = epyc();
	static const char *const req[] = {
	    "svm: disabled by firmware (VM_CR.SVMDIS set and locked)",
	};

	raw.vm_cr = (1u << 4) | (1u << 3); /* SVMDIS | LOCK */
	assert_true(decode(&raw).svm_disabled_by_firmware);
	expect_reasons(&raw, req, 1, NULL, 0);
}

static void test_svm_disabled_but_unlocked(void **state)
{
	(void)state;
	struct virt_raw raw = epyc();
	struct virt_caps c;

	raw.vm_cr = 1u << 4; /* SVMDIS without LOCK: software may clear it */
	c = decode(&raw);
	assert_false(c.svm_disabled_by_firmware);
	assert_true(c.svm_vmcr_svmdis);
	assert_false(c.svm_vmcr_lock);
	expect_reasons(&raw, NULL, 0, NULL, 0);
}

static void test_amd_without_npt(void **state)
{
	(void)state;
	struct virt_raw raw = epyc();
	static const char *const req[] = {"svm: nested paging (NPT) not supported"};

	raw.svm.edx = 0x0000000e; /* LBRV, SVML, NRIPS only */
	assert_false(decode(&raw).npt);
	assert_true(decode(&raw).nrips);
	expect_reasons(&raw, req, 1,
		       (const char *const[]){
			   "decode-assists: absent (MMIO instructions decoded in software)",
			   "flush-by-asid: absent (full TLB flush on ASID reuse)",
			   "vmcb-clean: absent (processor reloads the whole VMCB on every VMRUN)",
			   "avic: absent (every guest interrupt is injected by the hypervisor)",
			   "vnmi: absent (NMI masking tracked in software)",
		       },
		       5);
}

static void test_svm_leaf_beyond_max_ignored(void **state)
{
	(void)state;
	struct virt_raw raw = epyc();
	struct virt_caps c;

	raw.ext0.eax = 0x80000008; /* leaf 0x8000000A not reported */
	c = decode(&raw);
	assert_true(c.svm);
	assert_false(c.npt);
	assert_int_equal(c.asids, 0);
	expect_reasons(&raw, (const char *const[]){"svm: nested paging (NPT) not supported"}, 1,
		       NULL, 6);
}

static void test_skylake_decode(void **state)
{
	(void)state;
	struct virt_raw raw = skylake();
	struct virt_caps c = decode(&raw);

	assert_string_equal(c.vendor, "GenuineIntel");
	assert_int_equal(c.kind, VIRT_VMX);
	assert_int_equal(c.family, 6);
	assert_int_equal(c.model, 0x55);
	assert_int_equal(c.stepping, 4);
	assert_int_equal(c.phys_addr_bits, 46);
	assert_true(c.pcid && c.invpcid && c.smep && c.smap && c.fsgsbase && c.invariant_tsc);
	assert_false(c.svm);
	assert_false(c.npt);
	assert_true(c.feature_control_locked);
	assert_false(c.vmx_locked_off);
	/* IA32_VMX_BASIC: revision 4, 1 KiB VMCS, write-back (6), TRUE MSRs */
	assert_int_equal(c.vmcs_revision, 4);
	assert_int_equal(c.vmcs_size, 1024);
	assert_int_equal(c.vmcs_memtype, 6);
	assert_true(c.vmx_true_ctls);
	assert_int_equal(c.ctls.procbased, raw.vmx_true_procbased);
	assert_int_equal(c.ctls.exit, raw.vmx_true_exit);
	assert_int_equal(c.ctls.procbased2, raw.vmx_procbased2);
	assert_int_equal(c.preemption_timer_rate, 7);
	assert_true(c.secondary_controls && c.msr_bitmaps && c.io_bitmaps);
	assert_true(c.preemption_timer && c.posted_interrupts && c.virtual_nmis);
	assert_true(c.host_64bit && c.entry_ia32e_guest && c.exit_load_efer);
	/* PROCBASED_CTLS2 allowed-1: EPT (1), VPID (5), unrestricted guest (7) */
	assert_true(c.ept && c.vpid && c.unrestricted_guest);
	assert_true(c.virt_intr_delivery && c.pml && c.tsc_scaling);
	/* EPT_VPID_CAP 0x00000f0106334141 */
	assert_true(c.ept_exec_only && c.ept_4level && c.ept_uc && c.ept_wb);
	assert_false(c.ept_5level);
	assert_true(c.ept_2m && c.ept_1g && c.invept && c.ept_ad);
	assert_true(c.invept_single && c.invept_all);
	assert_true(c.invvpid && c.invvpid_addr && c.invvpid_single && c.invvpid_all);
	expect_reasons(&raw, NULL, 0, NULL, 0);
}

static void test_skylake_format(void **state)
{
	(void)state;
	struct virt_raw raw = skylake();
	struct virt_caps c = decode(&raw);
	char buf[512];

	assert_true(virt_caps_format(&c, buf, sizeof(buf)) > 0);
	assert_prefix(buf, "kind=vmx vmcs_rev=0x4 ept=yes ept_4level=yes ept_wb=yes ");
	assert_non_null(strstr(buf, " ug=yes vpid=yes "));
	assert_non_null(
	    strstr(buf, " fw_locked_off=no vendor=GenuineIntel family=0x6 model=0x55 "));
}

static void test_vmx_locked_off(void **state)
{
	(void)state;
	struct virt_raw raw = skylake();
	static const char *const req[] = {
	    "vmx: disabled by firmware (IA32_FEATURE_CONTROL locked without VMX outside SMX)",
	};

	raw.feature_control = 0x1; /* locked, VMX not enabled */
	assert_true(decode(&raw).vmx_locked_off);
	expect_reasons(&raw, req, 1, NULL, 0);

	raw.feature_control = 0; /* unlocked: the hypervisor enables VMX itself */
	assert_false(decode(&raw).vmx_locked_off);
	assert_false(decode(&raw).feature_control_locked);
	expect_reasons(&raw, NULL, 0, NULL, 0);
}

static void test_vmx_without_secondary_controls(void **state)
{
	(void)state;
	struct virt_raw raw = skylake();
	struct virt_caps c;

	/* no "activate secondary controls": 0x48B/0x48C don't exist, ignore them */
	raw.vmx_procbased &= ~(1ull << 63);
	c = decode(&raw);
	assert_false(c.secondary_controls);
	assert_false(c.ept);
	assert_false(c.ept_4level);
	assert_false(c.unrestricted_guest);
	assert_int_equal(c.ctls.procbased2, 0);
	expect_reasons(
	    &raw, (const char *const[]){"vmx: secondary processor-based controls not supported"}, 1,
	    NULL, 0);
}

static void test_vmx_ept_without_wb_and_4level(void **state)
{
	(void)state;
	struct virt_raw raw = skylake();
	static const char *const req[] = {
	    "vmx: EPT 4-level page walk not supported",
	    "vmx: EPT write-back memory type not supported",
	};

	raw.vmx_ept_vpid_cap &= ~((1ull << 6) | (1ull << 14));
	expect_reasons(&raw, req, 2, NULL, 0);
}

static void test_vmx_minimal(void **state)
{
	(void)state;
	struct virt_raw raw = skylake();
	static const char *const opt[] = {
	    "vpid: absent (TLB flushed on every VM entry and exit)",
	    "ept-2m: absent (partition memory mapped with 4 KiB pages)",
	    "ept-1g: absent (partition memory mapped with pages of at most 2 MiB)",
	    "posted-interrupts: absent (every guest interrupt is injected by the hypervisor)",
	};

	/* EPT + unrestricted guest only; EPT 4-level, WB, INVEPT all-context */
	raw.vmx_pinbased &= ~(1ull << 39);
	raw.vmx_procbased2 = (1ull << 33) | (1ull << 39);
	raw.vmx_ept_vpid_cap = (1ull << 6) | (1ull << 14) | (1ull << 20) | (1ull << 26);
	expect_reasons(&raw, NULL, 0, opt, ARRAY_SIZE(opt));
}

static void test_vmx_invept_without_type(void **state)
{
	(void)state;
	struct virt_raw raw = skylake();

	raw.vmx_ept_vpid_cap &= ~((1ull << 25) | (1ull << 26));
	expect_reasons(&raw,
		       (const char *const[]){"vmx: INVEPT offers neither single- nor "
					     "all-context invalidation"},
		       1, NULL, 0);
}

static void test_neither_svm_nor_vmx(void **state)
{
	(void)state;
	struct virt_raw raw = skylake();
	struct virt_caps c;

	raw.leaf1.ecx &= ~(1u << 5); /* VMX hidden */
	c = decode(&raw);
	assert_int_equal(c.kind, VIRT_NONE);
	assert_false(c.vmx);
	expect_reasons(&raw, (const char *const[]){"cpu: neither SVM nor VMX supported"}, 1, NULL,
		       0);
}

static void test_32bit_cpu_ignores_missing_leaves(void **state)
{
	(void)state;
	struct virt_raw raw = {0};
	struct virt_caps c;
	static const char *const req[] = {
	    "cpu: long mode not supported",
	    "cpu: NX (no-execute pages) not supported",
	    "cpu: neither SVM nor VMX supported",
	};

	/* Only leaves 0-2 and 0x80000000; the rest hold junk that must be ignored. */
	raw.leaf0 = (struct cpuid_regs){2, INTEL_EBX, INTEL_ECX, INTEL_EDX};
	raw.leaf1 = (struct cpuid_regs){0x000006f6, 0, 0, 1u << 6};
	raw.leaf7 = (struct cpuid_regs){~0u, ~0u, ~0u, ~0u};
	raw.ext0.eax = 0x80000000;
	raw.ext1 = (struct cpuid_regs){~0u, ~0u, ~0u, ~0u};
	raw.ext8.eax = 0x3030;
	c = decode(&raw);
	assert_false(c.long_mode);
	assert_false(c.nx);
	assert_false(c.svm);
	assert_false(c.smep);
	assert_int_equal(c.phys_addr_bits, 36); /* PAE, no leaf 0x80000008 */
	assert_int_equal(c.virt_addr_bits, 32);
	expect_reasons(&raw, req, ARRAY_SIZE(req), NULL, 0);
}

static void test_no_extended_leaves(void **state)
{
	(void)state;
	struct virt_raw raw = qemu_tcg_max();

	/* Without extended leaves 0x80000000 echoes a basic leaf: no maximum. */
	raw.ext0.eax = 0x0000000d;
	assert_false(decode(&raw).svm);
	assert_false(decode(&raw).long_mode);
}

static void test_both_svm_and_vmx(void **state)
{
	(void)state;
	struct virt_raw amd = qemu_tcg_max(), intel = skylake();

	amd.leaf1.ecx |= 1u << 5;
	assert_int_equal(decode(&amd).kind, VIRT_SVM);
	intel.ext1.ecx |= EXT1_ECX_SVM;
	intel.ext0.eax = 0x8000000a;
	assert_int_equal(decode(&intel).kind, VIRT_VMX);
}

static void test_msrs_not_read(void **state)
{
	(void)state;
	struct virt_raw amd = qemu_tcg_max(), intel = skylake();
	static const char *const req[] = {"cpu: virtualization MSRs not read"};

	amd.have_msrs = false;
	expect_reasons(&amd, req, 1, NULL, 0);
	intel.have_msrs = false;
	assert_false(decode(&intel).ept);
	expect_reasons(&intel, req, 1, NULL, 0);
}

static void test_requirements_bounded(void **state)
{
	(void)state;
	struct virt_raw raw = qemu_tcg_max();
	struct virt_caps c;
	const char *req[1] = {0}, *opt[2] = {0};
	unsigned n_opt = 0;

	raw.ext1.edx = 0; /* no NX, no long mode */
	raw.svm.edx = 0;  /* no NPT */
	c = decode(&raw);
	assert_int_equal(virt_requirements(&c, req, 1, opt, 2, &n_opt), 3);
	assert_string_equal(req[0], "cpu: long mode not supported");
	assert_int_equal(n_opt, 7);
	assert_non_null(opt[1]);
	assert_int_equal(virt_requirements(&c, NULL, 0, NULL, 0, NULL), 3);
}

static void test_format_truncates(void **state)
{
	(void)state;
	struct virt_raw raw = qemu_tcg_max();
	struct virt_caps c = decode(&raw);
	char buf[16];

	assert_int_equal(virt_caps_format(&c, buf, sizeof(buf)), -ENOSPC);
	assert_string_equal(buf, "kind=svm rev=1 ");
	assert_int_equal(virt_caps_format(&c, NULL, 0), -ENOSPC);
}

/* ---- virt_read_msrs against a fake RDMSR that knows which MSRs exist ---- */

#define MAX_READS 32
static const struct virt_raw *fake_image;
static uint32_t reads[MAX_READS];
static unsigned n_reads;

static uint64_t fake_rdmsr(uint32_t msr)
{
	static const struct {
		uint32_t msr;
		size_t field;
	} map[] = {
	    {0x3a, offsetof(struct virt_raw, feature_control)},
	    {0x480, offsetof(struct virt_raw, vmx_basic)},
	    {0x481, offsetof(struct virt_raw, vmx_pinbased)},
	    {0x482, offsetof(struct virt_raw, vmx_procbased)},
	    {0x483, offsetof(struct virt_raw, vmx_exit)},
	    {0x484, offsetof(struct virt_raw, vmx_entry)},
	    {0x485, offsetof(struct virt_raw, vmx_misc)},
	    {0x48b, offsetof(struct virt_raw, vmx_procbased2)},
	    {0x48c, offsetof(struct virt_raw, vmx_ept_vpid_cap)},
	    {0x48d, offsetof(struct virt_raw, vmx_true_pinbased)},
	    {0x48e, offsetof(struct virt_raw, vmx_true_procbased)},
	    {0x48f, offsetof(struct virt_raw, vmx_true_exit)},
	    {0x490, offsetof(struct virt_raw, vmx_true_entry)},
	    {0xc0010114, offsetof(struct virt_raw, vm_cr)},
	};

	assert_true(n_reads < MAX_READS);
	reads[n_reads++] = msr;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (map[i].msr == msr)
			return *(const uint64_t *)((const char *)fake_image + map[i].field);
	fail_msg("read of unknown MSR %#x", msr);
	return 0;
}

/* Reads image's MSRs through virt_read_msrs into a copy with only CPUID set. */
static struct virt_raw read_msrs_of(const struct virt_raw *image)
{
	struct virt_raw raw = {0};

	raw.leaf0 = image->leaf0;
	raw.leaf1 = image->leaf1;
	raw.leaf7 = image->leaf7;
	raw.ext0 = image->ext0;
	raw.ext1 = image->ext1;
	raw.ext7 = image->ext7;
	raw.ext8 = image->ext8;
	raw.svm = image->svm;
	fake_image = image;
	n_reads = 0;
	virt_read_msrs(&raw, fake_rdmsr);
	assert_true(raw.have_msrs);
	return raw;
}

static void expect_reads(const uint32_t *want, unsigned n)
{
	assert_int_equal(n_reads, n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(reads[i], want[i]);
}

static void test_read_msrs_amd(void **state)
{
	(void)state;
	struct virt_raw image = epyc(), raw;

	image.vm_cr = 0x18;
	raw = read_msrs_of(&image);
	expect_reads((const uint32_t[]){0xc0010114}, 1);
	assert_int_equal(raw.vm_cr, 0x18);
	assert_true(decode(&raw).svm_disabled_by_firmware);
}

static void test_read_msrs_skylake(void **state)
{
	(void)state;
	struct virt_raw image = skylake(), raw;
	static const uint32_t want[] = {0x3a,  0x480, 0x481, 0x482, 0x483, 0x484, 0x485,
					0x48b, 0x48c, 0x48d, 0x48e, 0x48f, 0x490};

	raw = read_msrs_of(&image);
	expect_reads(want, ARRAY_SIZE(want));
	assert_memory_equal(&raw.feature_control, &image.feature_control,
			    offsetof(struct virt_raw, vmx_true_entry) + sizeof(uint64_t) -
				offsetof(struct virt_raw, feature_control));
	expect_reasons(&raw, NULL, 0, NULL, 0);
}

static void test_read_msrs_vmx_without_secondary(void **state)
{
	(void)state;
	struct virt_raw image = skylake(), raw;
	static const uint32_t want[] = {0x3a, 0x480, 0x481, 0x482, 0x483, 0x484, 0x485};

	image.vmx_procbased &= ~(1ull << 63);
	image.vmx_basic &= ~(1ull << 55); /* no TRUE control MSRs either */
	raw = read_msrs_of(&image);
	expect_reads(want, ARRAY_SIZE(want));
	assert_int_equal(raw.vmx_procbased2, 0);
	assert_false(decode(&raw).vmx_true_ctls);
	assert_int_equal(decode(&raw).ctls.procbased, image.vmx_procbased);
}

static void test_read_msrs_secondary_without_ept_vpid(void **state)
{
	(void)state;
	struct virt_raw image = skylake(), raw;

	image.vmx_procbased2 &= ~((1ull << 33) | (1ull << 37));
	raw = read_msrs_of(&image);
	for (unsigned i = 0; i < n_reads; i++)
		assert_int_not_equal(reads[i], 0x48c);
	assert_int_equal(raw.vmx_ept_vpid_cap, 0);
}

static void test_read_msrs_no_virtualization(void **state)
{
	(void)state;
	struct virt_raw image = skylake();

	image.leaf1.ecx &= ~(1u << 5);
	read_msrs_of(&image);
	expect_reads(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_qemu_tcg_max_decode),
	    cmocka_unit_test(test_qemu_tcg_max_requirements),
	    cmocka_unit_test(test_qemu_tcg_max_format),
	    cmocka_unit_test(test_epyc_full_features),
	    cmocka_unit_test(test_svm_disabled_by_firmware),
	    cmocka_unit_test(test_svm_disabled_but_unlocked),
	    cmocka_unit_test(test_amd_without_npt),
	    cmocka_unit_test(test_svm_leaf_beyond_max_ignored),
	    cmocka_unit_test(test_skylake_decode),
	    cmocka_unit_test(test_skylake_format),
	    cmocka_unit_test(test_vmx_locked_off),
	    cmocka_unit_test(test_vmx_without_secondary_controls),
	    cmocka_unit_test(test_vmx_ept_without_wb_and_4level),
	    cmocka_unit_test(test_vmx_minimal),
	    cmocka_unit_test(test_vmx_invept_without_type),
	    cmocka_unit_test(test_neither_svm_nor_vmx),
	    cmocka_unit_test(test_32bit_cpu_ignores_missing_leaves),
	    cmocka_unit_test(test_no_extended_leaves),
	    cmocka_unit_test(test_both_svm_and_vmx),
	    cmocka_unit_test(test_msrs_not_read),
	    cmocka_unit_test(test_requirements_bounded),
	    cmocka_unit_test(test_format_truncates),
	    cmocka_unit_test(test_read_msrs_amd),
	    cmocka_unit_test(test_read_msrs_skylake),
	    cmocka_unit_test(test_read_msrs_vmx_without_secondary),
	    cmocka_unit_test(test_read_msrs_secondary_without_ept_vpid),
	    cmocka_unit_test(test_read_msrs_no_virtualization),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
