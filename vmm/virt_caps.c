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

/* Bits the decoder's logic itself tests; plain feature bits are in the tables below. */
#define CPUID_1_ECX_VMX		 BIT(5)
#define CPUID_1_ECX_SMX		 BIT(6)
#define CPUID_EXT1_ECX_SVM	 BIT(2)
#define MSR_FEATURE_CONTROL_LOCK BIT(0)
#define MSR_FEATURE_CONTROL_VMX	 BIT(2) /* enable VMX outside SMX */
#define MSR_VMX_BASIC_TRUE_CTLS	 BIT(55)
#define MSR_VM_CR_LOCK		 BIT(3) /* APM vol. 2, 15.30.1 */
#define MSR_VM_CR_SVMDIS	 BIT(4)
#define PROC_SECONDARY		 BIT(31) /* activate secondary controls */
#define PROC2_EPT		 BIT(1)
#define PROC2_VPID		 BIT(5)

#define RAW(f) offsetof(struct virt_raw, f)
#define CAP(f) offsetof(struct virt_caps, f)

/* One feature bit of a register and the bool in struct virt_caps it sets. */
struct flag_bit {
	uint8_t bit;
	size_t field;
};

static const struct flag_bit cpuid_1_ecx_flags[] = {
    {17, CAP(pcid)},	       /* PCID */
    {21, CAP(x2apic)},	       /* x2APIC */
    {24, CAP(tsc_deadline)},   /* TSC-Deadline */
    {26, CAP(xsave)},	       /* XSAVE */
    {31, CAP(hypervisor_bit)}, /* running under a hypervisor */
};

static const struct flag_bit cpuid_1_edx_flags[] = {
    {6, CAP(pae)}, /* PAE */
};

static const struct flag_bit cpuid_7_ebx_flags[] = {
    {0, CAP(fsgsbase)}, /* FSGSBASE */
    {7, CAP(smep)},	/* SMEP */
    {10, CAP(invpcid)}, /* INVPCID */
    {20, CAP(smap)},	/* SMAP */
};

static const struct flag_bit cpuid_7_ecx_flags[] = {
    {16, CAP(la57)}, /* LA57: 5-level paging */
};

static const struct flag_bit cpuid_ext1_edx_flags[] = {
    {20, CAP(nx)},	  /* NX */
    {26, CAP(pdpe1gb)},	  /* Page1GB */
    {29, CAP(long_mode)}, /* LM */
};

static const struct flag_bit cpuid_ext7_edx_flags[] = {
    {8, CAP(invariant_tsc)}, /* TscInvariant */
};

/* CPUID Fn8000_000A_EDX (APM vol. 3, E.4.9) */
static const struct flag_bit svm_edx_flags[] = {
    {0, CAP(npt)},		       /* NP */
    {1, CAP(lbrv)},		       /* LbrVirt */
    {2, CAP(svm_lock)},		       /* SVML */
    {3, CAP(nrips)},		       /* NRIPS */
    {4, CAP(tsc_rate)},		       /* TscRateMsr */
    {5, CAP(vmcb_clean)},	       /* VmcbClean */
    {6, CAP(flush_by_asid)},	       /* FlushByAsid */
    {7, CAP(decode_assists)},	       /* DecodeAssists */
    {10, CAP(pause_filter)},	       /* PauseFilter */
    {12, CAP(pause_filter_threshold)}, /* PauseFilterThreshold */
    {13, CAP(avic)},		       /* AVIC */
    {15, CAP(vmsave_virt)},	       /* VMSAVEvirt */
    {16, CAP(vgif)},		       /* VGIF */
    {17, CAP(gmet)},		       /* GMET */
    {18, CAP(x2avic)},		       /* x2AVIC */
    {19, CAP(sss_check)},	       /* SSSCheck */
    {20, CAP(spec_ctrl)},	       /* SpecCtrl */
    {25, CAP(vnmi)},		       /* vNMI */
    {28, CAP(svme_addr_check)},	       /* SVME address check */
    {29, CAP(bus_lock_threshold)},     /* BusLockThreshold */
};

/* Allowed-1 halves of the VMX control MSRs (SDM vol. 3, 25.6-25.8). */
static const struct flag_bit vmx_pin_flags[] = {
    {0, CAP(ext_intr_exiting)},	 /* external-interrupt exiting */
    {3, CAP(nmi_exiting)},	 /* NMI exiting */
    {5, CAP(virtual_nmis)},	 /* virtual NMIs */
    {6, CAP(preemption_timer)},	 /* activate VMX-preemption timer */
    {7, CAP(posted_interrupts)}, /* process posted interrupts */
};

static const struct flag_bit vmx_proc_flags[] = {
    {3, CAP(tsc_offsetting)},	   /* use TSC offsetting */
    {7, CAP(hlt_exiting)},	   /* HLT exiting */
    {21, CAP(tpr_shadow)},	   /* use TPR shadow */
    {25, CAP(io_bitmaps)},	   /* use I/O bitmaps */
    {27, CAP(monitor_trap_flag)},  /* monitor trap flag */
    {28, CAP(msr_bitmaps)},	   /* use MSR bitmaps */
    {31, CAP(secondary_controls)}, /* activate secondary controls */
};

static const struct flag_bit vmx_exit_flags[] = {
    {9, CAP(host_64bit)},	 /* host address-space size */
    {15, CAP(ack_intr_on_exit)}, /* acknowledge interrupt on exit */
    {19, CAP(exit_load_pat)},	 /* load IA32_PAT */
    {20, CAP(exit_save_efer)},	 /* save IA32_EFER */
    {21, CAP(exit_load_efer)},	 /* load IA32_EFER */
};

static const struct flag_bit vmx_entry_flags[] = {
    {9, CAP(entry_ia32e_guest)}, /* IA-32e mode guest */
    {14, CAP(entry_load_pat)},	 /* load IA32_PAT */
    {15, CAP(entry_load_efer)},	 /* load IA32_EFER */
};

static const struct flag_bit vmx_proc2_flags[] = {
    {0, CAP(virt_apic_accesses)},  /* virtualize APIC accesses */
    {1, CAP(ept)},		   /* enable EPT */
    {3, CAP(rdtscp)},		   /* enable RDTSCP */
    {4, CAP(virt_x2apic_mode)},	   /* virtualize x2APIC mode */
    {5, CAP(vpid)},		   /* enable VPID */
    {6, CAP(wbinvd_exiting)},	   /* WBINVD exiting */
    {7, CAP(unrestricted_guest)},  /* unrestricted guest */
    {8, CAP(apic_reg_virt)},	   /* APIC-register virtualization */
    {9, CAP(virt_intr_delivery)},  /* virtual-interrupt delivery */
    {10, CAP(pause_loop_exiting)}, /* PAUSE-loop exiting */
    {12, CAP(invpcid_exec)},	   /* enable INVPCID */
    {13, CAP(vmfunc)},		   /* enable VM functions */
    {14, CAP(vmcs_shadowing)},	   /* VMCS shadowing */
    {17, CAP(pml)},		   /* enable PML */
    {18, CAP(ept_ve)},		   /* EPT-violation #VE */
    {20, CAP(xsaves)},		   /* enable XSAVES/XRSTORS */
    {25, CAP(tsc_scaling)},	   /* use TSC scaling */
};

/* IA32_VMX_EPT_VPID_CAP (SDM vol. 3, A.10) */
static const struct flag_bit vmx_ept_flags[] = {
    {0, CAP(ept_exec_only)},  /* execute-only translations */
    {6, CAP(ept_4level)},     /* page-walk length 4 */
    {7, CAP(ept_5level)},     /* page-walk length 5 */
    {8, CAP(ept_uc)},	      /* EPT structures may be uncacheable */
    {14, CAP(ept_wb)},	      /* EPT structures may be write-back */
    {16, CAP(ept_2m)},	      /* 2-MByte pages */
    {17, CAP(ept_1g)},	      /* 1-GByte pages */
    {20, CAP(invept)},	      /* INVEPT */
    {21, CAP(ept_ad)},	      /* accessed and dirty flags */
    {25, CAP(invept_single)}, /* single-context INVEPT */
    {26, CAP(invept_all)},    /* all-context INVEPT */
};

static const struct flag_bit vmx_vpid_flags[] = {
    {32, CAP(invvpid)},		       /* INVVPID */
    {40, CAP(invvpid_addr)},	       /* individual-address INVVPID */
    {41, CAP(invvpid_single)},	       /* single-context INVVPID */
    {42, CAP(invvpid_all)},	       /* all-context INVVPID */
    {43, CAP(invvpid_single_globals)}, /* single-context-retaining-globals */
};

static bool has(uint64_t reg, uint64_t bit)
{
	return (reg & bit) != 0;
}

static uint32_t allowed1(uint64_t ctl_msr)
{
	return (uint32_t)(ctl_msr >> 32);
}

static void set_flags(struct virt_caps *caps, uint64_t reg, const struct flag_bit *flags,
		      size_t count)
{
	for (size_t i = 0; i < count; i++)
		*(bool *)((char *)caps + flags[i].field) = has(reg, BIT(flags[i].bit));
}

#define SET_FLAGS(caps, reg, table) set_flags(caps, reg, table, ARRAY_SIZE(table))

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
	return basic_leaf_valid(raw, 1) && has(raw->leaf1.ecx, CPUID_1_ECX_VMX | CPUID_1_ECX_SMX);
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
    {0x0000003a, RAW(feature_control), msr_feature_control_exists}, /* IA32_FEATURE_CONTROL */
    {0x00000480, RAW(vmx_basic), cpu_has_vmx},			    /* IA32_VMX_BASIC */
    {0x00000481, RAW(vmx_pinbased), cpu_has_vmx},		    /* IA32_VMX_PINBASED_CTLS */
    {0x00000482, RAW(vmx_procbased), cpu_has_vmx},		    /* IA32_VMX_PROCBASED_CTLS */
    {0x00000483, RAW(vmx_exit), cpu_has_vmx},			    /* IA32_VMX_EXIT_CTLS */
    {0x00000484, RAW(vmx_entry), cpu_has_vmx},			    /* IA32_VMX_ENTRY_CTLS */
    {0x00000485, RAW(vmx_misc), cpu_has_vmx},			    /* IA32_VMX_MISC */
    {0x0000048b, RAW(vmx_procbased2), msr_vmx_proc2_exists},	    /* IA32_VMX_PROCBASED_CTLS2 */
    {0x0000048c, RAW(vmx_ept_vpid_cap), msr_ept_vpid_cap_exists},   /* IA32_VMX_EPT_VPID_CAP */
    {0x0000048d, RAW(vmx_true_pinbased), msr_vmx_true_exists},	    /* ..._TRUE_PINBASED_CTLS */
    {0x0000048e, RAW(vmx_true_procbased), msr_vmx_true_exists},	    /* ..._TRUE_PROCBASED_CTLS */
    {0x0000048f, RAW(vmx_true_exit), msr_vmx_true_exists},	    /* ..._TRUE_EXIT_CTLS */
    {0x00000490, RAW(vmx_true_entry), msr_vmx_true_exists},	    /* ..._TRUE_ENTRY_CTLS */
    {0xc0010114, RAW(vm_cr), cpu_has_svm},			    /* AMD VM_CR */
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
	const uint32_t regs[3] = {raw->leaf0.ebx, raw->leaf0.edx, raw->leaf0.ecx};

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
	struct cpuid_regs l1 = basic_leaf_valid(raw, 1) ? raw->leaf1 : (struct cpuid_regs){0};
	struct cpuid_regs l7 = basic_leaf_valid(raw, 7) ? raw->leaf7 : (struct cpuid_regs){0};

	SET_FLAGS(caps, l1.ecx, cpuid_1_ecx_flags);
	SET_FLAGS(caps, l1.edx, cpuid_1_edx_flags);
	SET_FLAGS(caps, l7.ebx, cpuid_7_ebx_flags);
	SET_FLAGS(caps, l7.ecx, cpuid_7_ecx_flags);
}

static void decode_ext_features(const struct virt_raw *raw, struct virt_caps *caps)
{
	uint32_t edx1 = ext_leaf_valid(raw, 0x80000001) ? raw->ext1.edx : 0;
	uint32_t edx7 = ext_leaf_valid(raw, 0x80000007) ? raw->ext7.edx : 0;

	SET_FLAGS(caps, edx1, cpuid_ext1_edx_flags);
	SET_FLAGS(caps, edx7, cpuid_ext7_edx_flags);
}

/* ---- AMD SVM ---- */

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
		SET_FLAGS(caps, raw->svm.edx, svm_edx_flags);
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
	SET_FLAGS(caps, allowed1(raw->vmx_pinbased), vmx_pin_flags);
	SET_FLAGS(caps, allowed1(raw->vmx_procbased), vmx_proc_flags);
	SET_FLAGS(caps, allowed1(raw->vmx_exit), vmx_exit_flags);
	SET_FLAGS(caps, allowed1(raw->vmx_entry), vmx_entry_flags);
}

/* IA32_VMX_PROCBASED_CTLS2 exists only with the secondary controls. */
static void decode_vmx_secondary(const struct virt_raw *raw, struct virt_caps *caps)
{
	uint32_t p2 = caps->secondary_controls ? allowed1(raw->vmx_procbased2) : 0;

	SET_FLAGS(caps, p2, vmx_proc2_flags);
}

/* IA32_VMX_EPT_VPID_CAP: EPT bits mean nothing without EPT, VPID bits without VPID. */
static void decode_vmx_ept_vpid(const struct virt_raw *raw, struct virt_caps *caps)
{
	SET_FLAGS(caps, caps->ept ? raw->vmx_ept_vpid_cap : 0, vmx_ept_flags);
	SET_FLAGS(caps, caps->vpid ? raw->vmx_ept_vpid_cap : 0, vmx_vpid_flags);
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
	*caps = (struct virt_caps){.msrs_known = raw->have_msrs};
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

static const struct virt_rule cpu_required[] = {
    {CAP(long_mode), true, NO_PREREQ, "cpu: long mode not supported"},
    {CAP(nx), true, NO_PREREQ, "cpu: NX (no-execute pages) not supported"},
};

static const struct virt_rule svm_required[] = {
    {CAP(svm_disabled_by_firmware), false, NO_PREREQ,
     "svm: disabled by firmware (VM_CR.SVMDIS set and locked)"},
    {CAP(npt), true, NO_PREREQ, "svm: nested paging (NPT) not supported"},
};

static const struct virt_rule svm_optional[] = {
    {CAP(nrips), true, NO_PREREQ, "nrips: absent (instruction lengths decoded in software)"},
    {CAP(decode_assists), true, NO_PREREQ,
     "decode-assists: absent (MMIO instructions decoded in software)"},
    {CAP(flush_by_asid), true, NO_PREREQ, "flush-by-asid: absent (full TLB flush on ASID reuse)"},
    {CAP(vmcb_clean), true, NO_PREREQ,
     "vmcb-clean: absent (processor reloads the whole VMCB on every VMRUN)"},
    {CAP(avic), true, NO_PREREQ,
     "avic: absent (every guest interrupt is injected by the hypervisor)"},
    {CAP(vnmi), true, NO_PREREQ, "vnmi: absent (NMI masking tracked in software)"},
    {CAP(pdpe1gb), true, NO_PREREQ,
     "npt-1g: absent (partition memory mapped with pages of at most 2 MiB)"},
};

static const struct virt_rule vmx_required[] = {
    {CAP(vmx_locked_off), false, NO_PREREQ,
     "vmx: disabled by firmware (IA32_FEATURE_CONTROL locked without VMX outside SMX)"},
    {CAP(host_64bit), true, NO_PREREQ,
     "vmx: 64-bit host (host address-space size exit control) not supported"},
    {CAP(secondary_controls), true, NO_PREREQ,
     "vmx: secondary processor-based controls not supported"},
    {CAP(ept), true, CAP(secondary_controls), "vmx: EPT not supported"},
    {CAP(ept_4level), true, CAP(ept), "vmx: EPT 4-level page walk not supported"},
    {CAP(ept_wb), true, CAP(ept), "vmx: EPT write-back memory type not supported"},
    {CAP(invept), true, CAP(ept), "vmx: INVEPT not supported"},
    {CAP(unrestricted_guest), true, CAP(secondary_controls),
     "vmx: unrestricted guest not supported"},
};

static const struct virt_rule vmx_optional[] = {
    {CAP(vpid), true, CAP(secondary_controls),
     "vpid: absent (TLB flushed on every VM entry and exit)"},
    {CAP(invvpid), true, CAP(vpid),
     "invvpid: absent (VPID unused: TLB flushed on every VM entry and exit)"},
    {CAP(ept_2m), true, CAP(ept), "ept-2m: absent (partition memory mapped with 4 KiB pages)"},
    {CAP(ept_1g), true, CAP(ept),
     "ept-1g: absent (partition memory mapped with pages of at most 2 MiB)"},
    {CAP(msr_bitmaps), true, NO_PREREQ, "msr-bitmaps: absent (every guest MSR access exits)"},
    {CAP(io_bitmaps), true, NO_PREREQ, "io-bitmaps: absent (every guest port access exits)"},
    {CAP(virtual_nmis), true, NO_PREREQ, "virtual-nmis: absent (NMI blocking tracked in software)"},
    {CAP(posted_interrupts), true, NO_PREREQ,
     "posted-interrupts: absent (every guest interrupt is injected by the hypervisor)"},
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

static void apply_rules(const struct virt_caps *caps, const struct virt_rule *rules, size_t count,
			struct reason_list *out)
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

unsigned virt_requirements(const struct virt_caps *caps, const char **missing, unsigned max_missing,
			   const char **optional_missing, unsigned max_optional,
			   unsigned *optional_count)
{
	struct reason_list req = {.v = missing, .max = max_missing};
	struct reason_list opt = {.v = optional_missing, .max = max_optional};

	apply_rules(caps, cpu_required, ARRAY_SIZE(cpu_required), &req);
	check_backend(caps, &req, &opt);
	if (optional_count)
		*optional_count = opt.n;
	return req.n;
}

/* ---- inventory line ---- */

static const char *yes_no(bool v)
{
	return v ? "yes" : "no";
}

static void put_svm(struct strbuf *o, const struct virt_caps *c)
{
	strbuf_printf(o, "kind=svm rev=%u asids=%u npt=%s nrips=%s decode_assists=%s vmcb_clean=%s",
		c->svm_revision, c->asids, yes_no(c->npt), yes_no(c->nrips),
		yes_no(c->decode_assists), yes_no(c->vmcb_clean));
	strbuf_printf(o, " flush_by_asid=%s avic=%s x2avic=%s vnmi=%s vgif=%s tsc_rate=%s lbrv=%s",
		yes_no(c->flush_by_asid), yes_no(c->avic), yes_no(c->x2avic), yes_no(c->vnmi),
		yes_no(c->vgif), yes_no(c->tsc_rate), yes_no(c->lbrv));
	strbuf_printf(o, " fw_disabled=%s", yes_no(c->svm_disabled_by_firmware));
}

static void put_vmx(struct strbuf *o, const struct virt_caps *c)
{
	strbuf_printf(o, "kind=vmx vmcs_rev=%#x ept=%s ept_4level=%s ept_wb=%s ept_2m=%s ept_1g=%s",
		c->vmcs_revision, yes_no(c->ept), yes_no(c->ept_4level), yes_no(c->ept_wb),
		yes_no(c->ept_2m), yes_no(c->ept_1g));
	strbuf_printf(o, " ept_ad=%s invept=%s ug=%s vpid=%s invvpid=%s posted_intr=%s",
		yes_no(c->ept_ad), yes_no(c->invept), yes_no(c->unrestricted_guest),
		yes_no(c->vpid), yes_no(c->invvpid), yes_no(c->posted_interrupts));
	strbuf_printf(o, " preempt_timer=%s msr_bitmaps=%s fw_locked_off=%s", yes_no(c->preemption_timer),
		yes_no(c->msr_bitmaps), yes_no(c->vmx_locked_off));
}

static void put_cpu(struct strbuf *o, const struct virt_caps *c)
{
	strbuf_printf(o, " vendor=%s family=%#x model=%#x stepping=%u pa=%u va=%u", c->vendor, c->family,
		c->model, c->stepping, c->phys_addr_bits, c->virt_addr_bits);
	strbuf_printf(o, " lm=%s nx=%s 1g=%s x2apic=%s hv=%s invtsc=%s", yes_no(c->long_mode),
		yes_no(c->nx), yes_no(c->pdpe1gb), yes_no(c->x2apic), yes_no(c->hypervisor_bit),
		yes_no(c->invariant_tsc));
}

int virt_caps_format(const struct virt_caps *caps, char *buf, size_t len)
{
	struct strbuf o = STRBUF_INIT(buf, len);

	if (caps->kind == VIRT_SVM)
		put_svm(&o, caps);
	else if (caps->kind == VIRT_VMX)
		put_vmx(&o, caps);
	else
		strbuf_printf(&o, "kind=none");
	put_cpu(&o, caps);
	return o.pos < len ? (int)o.pos : -ENOSPC;
}
