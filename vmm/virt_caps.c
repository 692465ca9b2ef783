/*
 * Decodes CPUID leaves and virtualization MSRs into struct virt_caps,
 * decides whether the hypervisor can run on this processor (and what it
 * will do the slow way), and formats the inventory line. Bit positions:
 * Intel SDM vol. 2A (CPUID) and vol. 3 appendix A (VMX capability MSRs);
 * AMD APM vol. 2 section 15.4 (VM_CR) and vol. 3 appendix E (CPUID).
 */
#include "vmm/virt_caps.h"
#include "hv/errno.h"
#include "hv/format.h"

/* CPUID leaf 1 */
#define CPUID_1_ECX_VMX         BIT(5)
#define CPUID_1_ECX_SMX         BIT(6)
#define CPUID_1_ECX_PCID        BIT(17)
#define CPUID_1_ECX_X2APIC      BIT(21)
#define CPUID_1_ECX_TSCDEADLINE BIT(24)
#define CPUID_1_ECX_XSAVE       BIT(26)
#define CPUID_1_ECX_HYPERVISOR  BIT(31)
#define CPUID_1_EDX_PAE         BIT(6)
/* CPUID leaf 7, subleaf 0 */
#define CPUID_7_EBX_FSGSBASE    BIT(0)
#define CPUID_7_EBX_SMEP        BIT(7)
#define CPUID_7_EBX_INVPCID     BIT(10)
#define CPUID_7_EBX_SMAP        BIT(20)
#define CPUID_7_ECX_LA57        BIT(16)
/* CPUID 0x80000001, 0x80000007 */
#define CPUID_EXT1_ECX_SVM      BIT(2)
#define CPUID_EXT1_EDX_NX       BIT(20)
#define CPUID_EXT1_EDX_PDPE1GB  BIT(26)
#define CPUID_EXT1_EDX_LM       BIT(29)
#define CPUID_EXT7_EDX_INVTSC   BIT(8)

/* MSRs; VM_CR fields after APM vol. 2, 15.30.1. */
#define MSR_FEATURE_CONTROL          0x0000003a
#define MSR_FEATURE_CONTROL_LOCK     BIT(0)
#define MSR_FEATURE_CONTROL_VMX_SMX  BIT(1)
#define MSR_FEATURE_CONTROL_VMX      BIT(2) /* VMX outside SMX */
#define MSR_VMX_BASIC                0x00000480
#define MSR_VMX_BASIC_TRUE_CTLS      BIT(55)
#define MSR_VMX_PINBASED_CTLS        0x00000481
#define MSR_VMX_PROCBASED_CTLS       0x00000482
#define MSR_VMX_EXIT_CTLS            0x00000483
#define MSR_VMX_ENTRY_CTLS           0x00000484
#define MSR_VMX_MISC                 0x00000485
#define MSR_VMX_PROCBASED_CTLS2      0x0000048b
#define MSR_VMX_EPT_VPID_CAP         0x0000048c
#define MSR_VMX_TRUE_PINBASED_CTLS   0x0000048d
#define MSR_VMX_TRUE_PROCBASED_CTLS  0x0000048e
#define MSR_VMX_TRUE_EXIT_CTLS       0x0000048f
#define MSR_VMX_TRUE_ENTRY_CTLS      0x00000490
#define MSR_VM_CR                    0xc0010114
#define MSR_VM_CR_LOCK               BIT(3)
#define MSR_VM_CR_SVMDIS             BIT(4)

/* Allowed-1 bits of the VMX control MSRs (SDM vol. 3, 25.6 and 25.7-25.8). */
#define PIN_EXT_INTR            BIT(0)
#define PIN_NMI_EXITING         BIT(3)
#define PIN_VIRTUAL_NMIS        BIT(5)
#define PIN_PREEMPTION_TIMER    BIT(6)
#define PIN_POSTED_INTR         BIT(7)
#define PROC_TSC_OFFSETTING     BIT(3)
#define PROC_HLT_EXITING        BIT(7)
#define PROC_TPR_SHADOW         BIT(21)
#define PROC_IO_BITMAPS         BIT(25)
#define PROC_MONITOR_TRAP_FLAG  BIT(27)
#define PROC_MSR_BITMAPS        BIT(28)
#define PROC_SECONDARY          BIT(31)
#define PROC2_VIRT_APIC_ACCESS  BIT(0)
#define PROC2_EPT               BIT(1)
#define PROC2_RDTSCP            BIT(3)
#define PROC2_VIRT_X2APIC       BIT(4)
#define PROC2_VPID              BIT(5)
#define PROC2_WBINVD_EXITING    BIT(6)
#define PROC2_UNRESTRICTED      BIT(7)
#define PROC2_APIC_REG_VIRT     BIT(8)
#define PROC2_VIRT_INTR_DELIV   BIT(9)
#define PROC2_PAUSE_LOOP        BIT(10)
#define PROC2_INVPCID           BIT(12)
#define PROC2_VMFUNC            BIT(13)
#define PROC2_VMCS_SHADOWING    BIT(14)
#define PROC2_PML               BIT(17)
#define PROC2_EPT_VE            BIT(18)
#define PROC2_XSAVES            BIT(20)
#define PROC2_TSC_SCALING       BIT(25)
#define EXIT_HOST_64BIT         BIT(9)
#define EXIT_ACK_INTR           BIT(15)
#define EXIT_LOAD_PAT           BIT(19)
#define EXIT_SAVE_EFER          BIT(20)
#define EXIT_LOAD_EFER          BIT(21)
#define ENTRY_IA32E_GUEST       BIT(9)
#define ENTRY_LOAD_PAT          BIT(14)
#define ENTRY_LOAD_EFER         BIT(15)

/* IA32_VMX_EPT_VPID_CAP (SDM vol. 3, A.10) */
#define EPT_EXEC_ONLY           BIT(0)
#define EPT_WALK_4              BIT(6)
#define EPT_WALK_5              BIT(7)
#define EPT_UC                  BIT(8)
#define EPT_WB                  BIT(14)
#define EPT_2M                  BIT(16)
#define EPT_1G                  BIT(17)
#define EPT_INVEPT              BIT(20)
#define EPT_AD                  BIT(21)
#define EPT_INVEPT_SINGLE       BIT(25)
#define EPT_INVEPT_ALL          BIT(26)
#define VPID_INVVPID            BIT(32)
#define VPID_INVVPID_ADDR       BIT(40)
#define VPID_INVVPID_SINGLE     BIT(41)
#define VPID_INVVPID_ALL        BIT(42)
#define VPID_INVVPID_SINGLE_GLB BIT(43)

/* CPUID Fn8000_000A_EDX (APM vol. 3, E.4.9) */
#define SVM_NPT                 BIT(0)
#define SVM_LBRV                BIT(1)
#define SVM_SVML                BIT(2)
#define SVM_NRIPS               BIT(3)
#define SVM_TSC_RATE            BIT(4)
#define SVM_VMCB_CLEAN          BIT(5)
#define SVM_FLUSH_BY_ASID       BIT(6)
#define SVM_DECODE_ASSISTS      BIT(7)
#define SVM_PAUSE_FILTER        BIT(10)
#define SVM_PAUSE_THRESHOLD     BIT(12)
#define SVM_AVIC                BIT(13)
#define SVM_VMSAVE_VIRT         BIT(15)
#define SVM_VGIF                BIT(16)
#define SVM_GMET                BIT(17)
#define SVM_X2AVIC              BIT(18)
#define SVM_SSS_CHECK           BIT(19)
#define SVM_SPEC_CTRL           BIT(20)
#define SVM_VNMI                BIT(25)
#define SVM_ADDR_CHECK          BIT(28)
#define SVM_BUS_LOCK_THRESHOLD  BIT(29)

static bool has(uint64_t reg, uint64_t bit)
{
	return (reg & bit) != 0;
}

static uint32_t allowed1(uint64_t ctl_msr)
{
	return (uint32_t)(ctl_msr >> 32);
}

static bool basic_leaf_valid(const struct virt_raw *raw, uint32_t leaf)
{
	return raw->leaf0.eax >= leaf;
}

/* Without extended leaves, 0x80000000 returns junk rather than a maximum. */
static bool ext_leaf_valid(const struct virt_raw *raw, uint32_t leaf)
{
	uint32_t max = raw->ext0.eax;

	return (max & 0xffff0000) == 0x80000000 && max >= leaf;
}

static bool cpu_has_vmx(const struct virt_raw *raw)
{
	return basic_leaf_valid(raw, 1) && has(raw->leaf1.ecx, CPUID_1_ECX_VMX);
}

static bool cpu_has_svm(const struct virt_raw *raw)
{
	return ext_leaf_valid(raw, 0x80000001) && has(raw->ext1.ecx, CPUID_EXT1_ECX_SVM);
}

/* "GenuineIntel" in EBX, EDX, ECX order. */
static bool vendor_is_intel(const struct virt_raw *raw)
{
	return raw->leaf0.ebx == 0x756e6547 && raw->leaf0.edx == 0x49656e69 &&
	       raw->leaf0.ecx == 0x6c65746e;
}

/* ---- MSRs: read only those that exist ---- */

static bool msr_feature_control_exists(const struct virt_raw *raw)
{
	return basic_leaf_valid(raw, 1) &&
	       has(raw->leaf1.ecx, CPUID_1_ECX_VMX | CPUID_1_ECX_SMX);
}

static bool msr_vmx_true_exists(const struct virt_raw *raw)
{
	return cpu_has_vmx(raw) && has(raw->vmx_basic, MSR_VMX_BASIC_TRUE_CTLS);
}

static bool msr_vmx_proc2_exists(const struct virt_raw *raw)
{
	return cpu_has_vmx(raw) && has(allowed1(raw->vmx_procbased), PROC_SECONDARY);
}

static bool msr_ept_vpid_cap_exists(const struct virt_raw *raw)
{
	return msr_vmx_proc2_exists(raw) &&
	       has(allowed1(raw->vmx_procbased2), PROC2_EPT | PROC2_VPID);
}

/* Ordered so that each existence test only looks at MSRs already read. */
static const struct virt_msr_slot {
	uint32_t msr;
	size_t field;
	bool (*exists)(const struct virt_raw *raw);
} virt_msr_slots[] = {
	{ MSR_FEATURE_CONTROL, offsetof(struct virt_raw, feature_control),
	  msr_feature_control_exists },
	{ MSR_VMX_BASIC, offsetof(struct virt_raw, vmx_basic), cpu_has_vmx },
	{ MSR_VMX_PINBASED_CTLS, offsetof(struct virt_raw, vmx_pinbased), cpu_has_vmx },
	{ MSR_VMX_PROCBASED_CTLS, offsetof(struct virt_raw, vmx_procbased), cpu_has_vmx },
	{ MSR_VMX_EXIT_CTLS, offsetof(struct virt_raw, vmx_exit), cpu_has_vmx },
	{ MSR_VMX_ENTRY_CTLS, offsetof(struct virt_raw, vmx_entry), cpu_has_vmx },
	{ MSR_VMX_MISC, offsetof(struct virt_raw, vmx_misc), cpu_has_vmx },
	{ MSR_VMX_PROCBASED_CTLS2, offsetof(struct virt_raw, vmx_procbased2),
	  msr_vmx_proc2_exists },
	{ MSR_VMX_EPT_VPID_CAP, offsetof(struct virt_raw, vmx_ept_vpid_cap),
	  msr_ept_vpid_cap_exists },
	{ MSR_VMX_TRUE_PINBASED_CTLS, offsetof(struct virt_raw, vmx_true_pinbased),
	  msr_vmx_true_exists },
	{ MSR_VMX_TRUE_PROCBASED_CTLS, offsetof(struct virt_raw, vmx_true_procbased),
	  msr_vmx_true_exists },
	{ MSR_VMX_TRUE_EXIT_CTLS, offsetof(struct virt_raw, vmx_true_exit), msr_vmx_true_exists },
	{ MSR_VMX_TRUE_ENTRY_CTLS, offsetof(struct virt_raw, vmx_true_entry),
	  msr_vmx_true_exists },
	{ MSR_VM_CR, offsetof(struct virt_raw, vm_cr), cpu_has_svm },
};

void virt_read_msrs(struct virt_raw *raw, uint64_t (*read_msr)(uint32_t msr))
{
	for (size_t i = 0; i < ARRAY_SIZE(virt_msr_slots); i++) {
		const struct virt_msr_slot *slot = &virt_msr_slots[i];
		uint64_t *field = (uint64_t *)((char *)raw + slot->field);

		*field = slot->exists(raw) ? read_msr(slot->msr) : 0;
	}
	raw->have_msrs = true;
}

/* ---- processor identity and paging features ---- */

static void decode_vendor(const struct virt_raw *raw, struct virt_caps *caps)
{
	const uint32_t regs[3] = { raw->leaf0.ebx, raw->leaf0.edx, raw->leaf0.ecx };

	for (unsigned i = 0; i < 12; i++)
		caps->vendor[i] = (char)(regs[i / 4] >> (8 * (i % 4)));
	caps->vendor[12] = '\0';
}

/* Display family and model as the SDM (CPUID leaf 1, EAX) defines them. */
static void decode_signature(const struct virt_raw *raw, struct virt_caps *caps)
{
	uint32_t eax = basic_leaf_valid(raw, 1) ? raw->leaf1.eax : 0;
	uint32_t family = (eax >> 8) & 0xf, model = (eax >> 4) & 0xf;

	if (family == 0x6 || family == 0xf)
		model |= ((eax >> 16) & 0xf) << 4;
	if (family == 0xf)
		family += (eax >> 20) & 0xff;
	caps->family = family;
	caps->model = model;
	caps->stepping = eax & 0xf;
}

/* Without leaf 0x80000008, MAXPHYADDR is 36 with PAE and 32 without (SDM). */
static void decode_address_sizes(const struct virt_raw *raw, struct virt_caps *caps)
{
	if (ext_leaf_valid(raw, 0x80000008)) {
		caps->phys_addr_bits = raw->ext8.eax & 0xff;
		caps->virt_addr_bits = (raw->ext8.eax >> 8) & 0xff;
		return;
	}
	caps->phys_addr_bits = caps->pae ? 36 : 32;
	caps->virt_addr_bits = caps->long_mode ? 48 : 32;
}

static void decode_basic_features(const struct virt_raw *raw, struct virt_caps *caps)
{
	struct cpuid_regs l1 = basic_leaf_valid(raw, 1) ? raw->leaf1 : (struct cpuid_regs){ 0 };
	struct cpuid_regs l7 = basic_leaf_valid(raw, 7) ? raw->leaf7 : (struct cpuid_regs){ 0 };

	caps->pae = has(l1.edx, CPUID_1_EDX_PAE);
	caps->pcid = has(l1.ecx, CPUID_1_ECX_PCID);
	caps->x2apic = has(l1.ecx, CPUID_1_ECX_X2APIC);
	caps->tsc_deadline = has(l1.ecx, CPUID_1_ECX_TSCDEADLINE);
	caps->xsave = has(l1.ecx, CPUID_1_ECX_XSAVE);
	caps->hypervisor_bit = has(l1.ecx, CPUID_1_ECX_HYPERVISOR);
	caps->fsgsbase = has(l7.ebx, CPUID_7_EBX_FSGSBASE);
	caps->smep = has(l7.ebx, CPUID_7_EBX_SMEP);
	caps->invpcid = has(l7.ebx, CPUID_7_EBX_INVPCID);
	caps->smap = has(l7.ebx, CPUID_7_EBX_SMAP);
	caps->la57 = has(l7.ecx, CPUID_7_ECX_LA57);
}

static void decode_ext_features(const struct virt_raw *raw, struct virt_caps *caps)
{
	uint32_t edx1 = ext_leaf_valid(raw, 0x80000001) ? raw->ext1.edx : 0;
	uint32_t edx7 = ext_leaf_valid(raw, 0x80000007) ? raw->ext7.edx : 0;

	caps->nx = has(edx1, CPUID_EXT1_EDX_NX);
	caps->pdpe1gb = has(edx1, CPUID_EXT1_EDX_PDPE1GB);
	caps->long_mode = has(edx1, CPUID_EXT1_EDX_LM);
	caps->invariant_tsc = has(edx7, CPUID_EXT7_EDX_INVTSC);
}

/* ---- AMD SVM ---- */

static void decode_svm_features(uint32_t edx, struct virt_caps *caps)
{
	caps->npt = has(edx, SVM_NPT);
	caps->lbrv = has(edx, SVM_LBRV);
	caps->svm_lock = has(edx, SVM_SVML);
	caps->nrips = has(edx, SVM_NRIPS);
	caps->tsc_rate = has(edx, SVM_TSC_RATE);
	caps->vmcb_clean = has(edx, SVM_VMCB_CLEAN);
	caps->flush_by_asid = has(edx, SVM_FLUSH_BY_ASID);
	caps->decode_assists = has(edx, SVM_DECODE_ASSISTS);
	caps->pause_filter = has(edx, SVM_PAUSE_FILTER);
	caps->pause_filter_threshold = has(edx, SVM_PAUSE_THRESHOLD);
	caps->avic = has(edx, SVM_AVIC);
	caps->vmsave_virt = has(edx, SVM_VMSAVE_VIRT);
	caps->vgif = has(edx, SVM_VGIF);
	caps->gmet = has(edx, SVM_GMET);
	caps->x2avic = has(edx, SVM_X2AVIC);
	caps->sss_check = has(edx, SVM_SSS_CHECK);
	caps->spec_ctrl = has(edx, SVM_SPEC_CTRL);
	caps->vnmi = has(edx, SVM_VNMI);
	caps->svme_addr_check = has(edx, SVM_ADDR_CHECK);
	caps->bus_lock_threshold = has(edx, SVM_BUS_LOCK_THRESHOLD);
}

/*
 * SVMDIS alone can be cleared by software; with LOCK set only firmware (or
 * an SVM_KEY unlock, which this hypervisor does not do) can clear it.
 */
static void decode_svm(const struct virt_raw *raw, struct virt_caps *caps)
{
	caps->svm = cpu_has_svm(raw);
	if (!caps->svm)
		return;
	if (ext_leaf_valid(raw, 0x8000000a)) {
		caps->svm_revision = raw->svm.eax & 0xff;
		caps->asids = raw->svm.ebx;
		decode_svm_features(raw->svm.edx, caps);
	}
	if (raw->have_msrs) {
		caps->svm_vmcr_svmdis = has(raw->vm_cr, MSR_VM_CR_SVMDIS);
		caps->svm_vmcr_lock = has(raw->vm_cr, MSR_VM_CR_LOCK);
		caps->svm_disabled_by_firmware = caps->svm_vmcr_svmdis && caps->svm_vmcr_lock;
	}
}

/* ---- Intel VMX ---- */

static void decode_vmx_basic(const struct virt_raw *raw, struct virt_caps *caps)
{
	uint64_t fc = raw->feature_control, basic = raw->vmx_basic;

	caps->feature_control_locked = has(fc, MSR_FEATURE_CONTROL_LOCK);
	caps->vmx_locked_off = caps->feature_control_locked && !has(fc, MSR_FEATURE_CONTROL_VMX);
	caps->vmcs_revision = (uint32_t)(basic & 0x7fffffff);
	caps->vmcs_size = (uint32_t)((basic >> 32) & 0x1fff);
	caps->vmcs_memtype = (unsigned)((basic >> 50) & 0xf);
	caps->vmx_true_ctls = has(basic, MSR_VMX_BASIC_TRUE_CTLS);
	caps->preemption_timer_rate = (unsigned)(raw->vmx_misc & 0x1f);
}

/* The TRUE MSRs may allow clearing default-1 controls: program from them. */
static void pick_vmx_ctls(const struct virt_raw *raw, struct virt_caps *caps)
{
	bool t = caps->vmx_true_ctls;

	caps->ctls.pinbased = t ? raw->vmx_true_pinbased : raw->vmx_pinbased;
	caps->ctls.procbased = t ? raw->vmx_true_procbased : raw->vmx_procbased;
	caps->ctls.exit = t ? raw->vmx_true_exit : raw->vmx_exit;
	caps->ctls.entry = t ? raw->vmx_true_entry : raw->vmx_entry;
	caps->ctls.procbased2 = caps->secondary_controls ? raw->vmx_procbased2 : 0;
}

static void decode_vmx_primary(const struct virt_raw *raw, struct virt_caps *caps)
{
	uint32_t pin = allowed1(raw->vmx_pinbased), proc = allowed1(raw->vmx_procbased);
	uint32_t exit = allowed1(raw->vmx_exit), entry = allowed1(raw->vmx_entry);

	caps->ext_intr_exiting = has(pin, PIN_EXT_INTR);
	caps->nmi_exiting = has(pin, PIN_NMI_EXITING);
	caps->virtual_nmis = has(pin, PIN_VIRTUAL_NMIS);
	caps->preemption_timer = has(pin, PIN_PREEMPTION_TIMER);
	caps->posted_interrupts = has(pin, PIN_POSTED_INTR);
	caps->tsc_offsetting = has(proc, PROC_TSC_OFFSETTING);
	caps->hlt_exiting = has(proc, PROC_HLT_EXITING);
	caps->tpr_shadow = has(proc, PROC_TPR_SHADOW);
	caps->io_bitmaps = has(proc, PROC_IO_BITMAPS);
	caps->monitor_trap_flag = has(proc, PROC_MONITOR_TRAP_FLAG);
	caps->msr_bitmaps = has(proc, PROC_MSR_BITMAPS);
	caps->secondary_controls = has(proc, PROC_SECONDARY);
	caps->host_64bit = has(exit, EXIT_HOST_64BIT);
	caps->ack_intr_on_exit = has(exit, EXIT_ACK_INTR);
	caps->exit_load_pat = has(exit, EXIT_LOAD_PAT);
	caps->exit_save_efer = has(exit, EXIT_SAVE_EFER);
	caps->exit_load_efer = has(exit, EXIT_LOAD_EFER);
	caps->entry_ia32e_guest = has(entry, ENTRY_IA32E_GUEST);
	caps->entry_load_pat = has(entry, ENTRY_LOAD_PAT);
	caps->entry_load_efer = has(entry, ENTRY_LOAD_EFER);
}

/* IA32_VMX_PROCBASED_CTLS2 exists only with the secondary controls. */
static void decode_vmx_secondary(const struct virt_raw *raw, struct virt_caps *caps)
{
	uint32_t p2 = caps->secondary_controls ? allowed1(raw->vmx_procbased2) : 0;

	caps->virt_apic_accesses = has(p2, PROC2_VIRT_APIC_ACCESS);
	caps->ept = has(p2, PROC2_EPT);
	caps->rdtscp = has(p2, PROC2_RDTSCP);
	caps->virt_x2apic_mode = has(p2, PROC2_VIRT_X2APIC);
	caps->vpid = has(p2, PROC2_VPID);
	caps->wbinvd_exiting = has(p2, PROC2_WBINVD_EXITING);
	caps->unrestricted_guest = has(p2, PROC2_UNRESTRICTED);
	caps->apic_reg_virt = has(p2, PROC2_APIC_REG_VIRT);
	caps->virt_intr_delivery = has(p2, PROC2_VIRT_INTR_DELIV);
	caps->pause_loop_exiting = has(p2, PROC2_PAUSE_LOOP);
	caps->invpcid_exec = has(p2, PROC2_INVPCID);
	caps->vmfunc = has(p2, PROC2_VMFUNC);
	caps->vmcs_shadowing = has(p2, PROC2_VMCS_SHADOWING);
	caps->pml = has(p2, PROC2_PML);
	caps->ept_ve = has(p2, PROC2_EPT_VE);
	caps->xsaves = has(p2, PROC2_XSAVES);
	caps->tsc_scaling = has(p2, PROC2_TSC_SCALING);
}

/* IA32_VMX_EPT_VPID_CAP: EPT bits mean nothing without EPT, VPID bits without VPID. */
static void decode_vmx_ept_vpid(const struct virt_raw *raw, struct virt_caps *caps)
{
	uint64_t ept = caps->ept ? raw->vmx_ept_vpid_cap : 0;
	uint64_t vpid = caps->vpid ? raw->vmx_ept_vpid_cap : 0;

	caps->ept_exec_only = has(ept, EPT_EXEC_ONLY);
	caps->ept_4level = has(ept, EPT_WALK_4);
	caps->ept_5level = has(ept, EPT_WALK_5);
	caps->ept_uc = has(ept, EPT_UC);
	caps->ept_wb = has(ept, EPT_WB);
	caps->ept_2m = has(ept, EPT_2M);
	caps->ept_1g = has(ept, EPT_1G);
	caps->invept = has(ept, EPT_INVEPT);
	caps->ept_ad = has(ept, EPT_AD);
	caps->invept_single = has(ept, EPT_INVEPT_SINGLE);
	caps->invept_all = has(ept, EPT_INVEPT_ALL);
	caps->invvpid = has(vpid, VPID_INVVPID);
	caps->invvpid_addr = has(vpid, VPID_INVVPID_ADDR);
	caps->invvpid_single = has(vpid, VPID_INVVPID_SINGLE);
	caps->invvpid_all = has(vpid, VPID_INVVPID_ALL);
	caps->invvpid_single_globals = has(vpid, VPID_INVVPID_SINGLE_GLB);
}

static void decode_vmx(const struct virt_raw *raw, struct virt_caps *caps)
{
	caps->vmx = cpu_has_vmx(raw);
	if (!caps->vmx || !raw->have_msrs)
		return;
	decode_vmx_basic(raw, caps);
	decode_vmx_primary(raw, caps);
	decode_vmx_secondary(raw, caps);
	decode_vmx_ept_vpid(raw, caps);
	pick_vmx_ctls(raw, caps);
}

/* A processor reporting both (only emulators do) is driven by its vendor's way. */
static enum virt_kind pick_kind(const struct virt_raw *raw, const struct virt_caps *caps)
{
	if (caps->vmx && (!caps->svm || vendor_is_intel(raw)))
		return VIRT_VMX;
	return caps->svm ? VIRT_SVM : VIRT_NONE;
}

void virt_decode(const struct virt_raw *raw, struct virt_caps *caps)
{
	*caps = (struct virt_caps){ .msrs_known = raw->have_msrs };
	decode_vendor(raw, caps);
	decode_signature(raw, caps);
	decode_basic_features(raw, caps);
	decode_ext_features(raw, caps);
	decode_address_sizes(raw, caps);
	decode_svm(raw, caps);
	decode_vmx(raw, caps);
	caps->kind = pick_kind(raw, caps);
}

/* ---- requirements ---- */

#define NO_PREREQ SIZE_MAX

/* A bool in struct virt_caps that must have value want, checked if prereq is true. */
struct virt_rule {
	size_t field;
	bool want;
	size_t prereq;
	const char *text;
};

#define CAP(f) offsetof(struct virt_caps, f)

static const struct virt_rule cpu_required[] = {
	{ CAP(long_mode), true, NO_PREREQ, "cpu: long mode not supported" },
	{ CAP(nx), true, NO_PREREQ, "cpu: NX (no-execute pages) not supported" },
};

static const struct virt_rule svm_required[] = {
	{ CAP(svm_disabled_by_firmware), false, NO_PREREQ,
	  "svm: disabled by firmware (VM_CR.SVMDIS set and locked)" },
	{ CAP(npt), true, NO_PREREQ, "svm: nested paging (NPT) not supported" },
};

static const struct virt_rule svm_optional[] = {
	{ CAP(nrips), true, NO_PREREQ, "nrips: absent (instruction lengths decoded in software)" },
	{ CAP(decode_assists), true, NO_PREREQ,
	  "decode-assists: absent (MMIO instructions decoded in software)" },
	{ CAP(flush_by_asid), true, NO_PREREQ,
	  "flush-by-asid: absent (full TLB flush on ASID reuse)" },
	{ CAP(vmcb_clean), true, NO_PREREQ,
	  "vmcb-clean: absent (processor reloads the whole VMCB on every VMRUN)" },
	{ CAP(avic), true, NO_PREREQ,
	  "avic: absent (every guest interrupt is injected by the hypervisor)" },
	{ CAP(vnmi), true, NO_PREREQ, "vnmi: absent (NMI masking tracked in software)" },
	{ CAP(pdpe1gb), true, NO_PREREQ,
	  "npt-1g: absent (partition memory mapped with pages of at most 2 MiB)" },
};

static const struct virt_rule vmx_required[] = {
	{ CAP(vmx_locked_off), false, NO_PREREQ,
	  "vmx: disabled by firmware (IA32_FEATURE_CONTROL locked without VMX outside SMX)" },
	{ CAP(host_64bit), true, NO_PREREQ,
	  "vmx: 64-bit host (host address-space size exit control) not supported" },
	{ CAP(secondary_controls), true, NO_PREREQ,
	  "vmx: secondary processor-based controls not supported" },
	{ CAP(ept), true, CAP(secondary_controls), "vmx: EPT not supported" },
	{ CAP(ept_4level), true, CAP(ept), "vmx: EPT 4-level page walk not supported" },
	{ CAP(ept_wb), true, CAP(ept), "vmx: EPT write-back memory type not supported" },
	{ CAP(invept), true, CAP(ept), "vmx: INVEPT not supported" },
	{ CAP(unrestricted_guest), true, CAP(secondary_controls),
	  "vmx: unrestricted guest not supported" },
};

static const struct virt_rule vmx_optional[] = {
	{ CAP(vpid), true, CAP(secondary_controls),
	  "vpid: absent (TLB flushed on every VM entry and exit)" },
	{ CAP(invvpid), true, CAP(vpid),
	  "invvpid: absent (VPID unused: TLB flushed on every VM entry and exit)" },
	{ CAP(ept_2m), true, CAP(ept), "ept-2m: absent (partition memory mapped with 4 KiB pages)" },
	{ CAP(ept_1g), true, CAP(ept),
	  "ept-1g: absent (partition memory mapped with pages of at most 2 MiB)" },
	{ CAP(msr_bitmaps), true, NO_PREREQ, "msr-bitmaps: absent (every guest MSR access exits)" },
	{ CAP(io_bitmaps), true, NO_PREREQ, "io-bitmaps: absent (every guest port access exits)" },
	{ CAP(virtual_nmis), true, NO_PREREQ,
	  "virtual-nmis: absent (NMI blocking tracked in software)" },
	{ CAP(posted_interrupts), true, NO_PREREQ,
	  "posted-interrupts: absent (every guest interrupt is injected by the hypervisor)" },
};

/* Reasons collected into a caller's array; n counts all, even past max. */
struct reason_list {
	const char **v;
	unsigned max, n;
};

static void add_reason(struct reason_list *l, const char *text)
{
	if (l->v && l->n < l->max)
		l->v[l->n] = text;
	l->n++;
}

static bool cap_flag(const struct virt_caps *caps, size_t field)
{
	return *(const bool *)((const char *)caps + field);
}

static void apply_rules(const struct virt_caps *caps, const struct virt_rule *rules,
			size_t count, struct reason_list *out)
{
	for (size_t i = 0; i < count; i++) {
		const struct virt_rule *r = &rules[i];

		if (r->prereq != NO_PREREQ && !cap_flag(caps, r->prereq))
			continue;
		if (cap_flag(caps, r->field) != r->want)
			add_reason(out, r->text);
	}
}

/* INVEPT without a usable type is as good as none. */
static void check_invept_types(const struct virt_caps *caps, struct reason_list *req)
{
	if (caps->invept && !caps->invept_single && !caps->invept_all)
		add_reason(req, "vmx: INVEPT offers neither single- nor all-context invalidation");
}

static void check_backend(const struct virt_caps *caps, struct reason_list *req,
			  struct reason_list *opt)
{
	if (caps->kind == VIRT_NONE) {
		add_reason(req, "cpu: neither SVM nor VMX supported");
		return;
	}
	if (!caps->msrs_known) {
		add_reason(req, "cpu: virtualization MSRs not read");
		return;
	}
	if (caps->kind == VIRT_SVM) {
		apply_rules(caps, svm_required, ARRAY_SIZE(svm_required), req);
		apply_rules(caps, svm_optional, ARRAY_SIZE(svm_optional), opt);
		return;
	}
	apply_rules(caps, vmx_required, ARRAY_SIZE(vmx_required), req);
	check_invept_types(caps, req);
	apply_rules(caps, vmx_optional, ARRAY_SIZE(vmx_optional), opt);
}

unsigned virt_requirements(const struct virt_caps *caps, const char **missing,
			   unsigned max_missing, const char **optional_missing,
			   unsigned max_optional, unsigned *optional_count)
{
	struct reason_list req = { .v = missing, .max = max_missing };
	struct reason_list opt = { .v = optional_missing, .max = max_optional };

	apply_rules(caps, cpu_required, ARRAY_SIZE(cpu_required), &req);
	check_backend(caps, &req, &opt);
	if (optional_count)
		*optional_count = opt.n;
	return req.n;
}

/* ---- inventory line ---- */

/* Appends to a bounded buffer; pos counts the full length, as snprintf does. */
struct virt_out {
	char *buf;
	size_t len;
	size_t pos;
};

static void __printf(2, 3) out_put(struct virt_out *o, const char *fmt, ...)
{
	va_list ap;
	bool room = o->pos < o->len;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(room ? o->buf + o->pos : NULL, room ? o->len - o->pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

static const char *yn(bool v)
{
	return v ? "yes" : "no";
}

static void put_svm(struct virt_out *o, const struct virt_caps *c)
{
	out_put(o, "kind=svm rev=%u asids=%u npt=%s nrips=%s decode_assists=%s vmcb_clean=%s",
		c->svm_revision, c->asids, yn(c->npt), yn(c->nrips), yn(c->decode_assists),
		yn(c->vmcb_clean));
	out_put(o, " flush_by_asid=%s avic=%s x2avic=%s vnmi=%s vgif=%s tsc_rate=%s lbrv=%s",
		yn(c->flush_by_asid), yn(c->avic), yn(c->x2avic), yn(c->vnmi), yn(c->vgif),
		yn(c->tsc_rate), yn(c->lbrv));
	out_put(o, " fw_disabled=%s", yn(c->svm_disabled_by_firmware));
}

static void put_vmx(struct virt_out *o, const struct virt_caps *c)
{
	out_put(o, "kind=vmx vmcs_rev=%#x ept=%s ept_4level=%s ept_wb=%s ept_2m=%s ept_1g=%s",
		c->vmcs_revision, yn(c->ept), yn(c->ept_4level), yn(c->ept_wb), yn(c->ept_2m),
		yn(c->ept_1g));
	out_put(o, " ept_ad=%s invept=%s ug=%s vpid=%s invvpid=%s posted_intr=%s",
		yn(c->ept_ad), yn(c->invept), yn(c->unrestricted_guest), yn(c->vpid),
		yn(c->invvpid), yn(c->posted_interrupts));
	out_put(o, " preempt_timer=%s msr_bitmaps=%s fw_locked_off=%s", yn(c->preemption_timer),
		yn(c->msr_bitmaps), yn(c->vmx_locked_off));
}

static void put_cpu(struct virt_out *o, const struct virt_caps *c)
{
	out_put(o, " vendor=%s family=%#x model=%#x stepping=%u pa=%u va=%u", c->vendor,
		c->family, c->model, c->stepping, c->phys_addr_bits, c->virt_addr_bits);
	out_put(o, " lm=%s nx=%s 1g=%s x2apic=%s hv=%s invtsc=%s", yn(c->long_mode), yn(c->nx),
		yn(c->pdpe1gb), yn(c->x2apic), yn(c->hypervisor_bit), yn(c->invariant_tsc));
}

int virt_caps_format(const struct virt_caps *caps, char *buf, size_t len)
{
	struct virt_out o = { .buf = buf, .len = len };

	if (caps->kind == VIRT_SVM)
		put_svm(&o, caps);
	else if (caps->kind == VIRT_VMX)
		put_vmx(&o, caps);
	else
		out_put(&o, "kind=none");
	put_cpu(&o, caps);
	return o.pos < len ? (int)o.pos : -ENOSPC;
}
