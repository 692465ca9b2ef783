/*
 * What the processor offers for virtualization: vendor, paging features,
 * AMD SVM (APM vol. 2 ch. 15, vol. 3 CPUID Fn8000_000A) or Intel VMX (SDM
 * vol. 3 appendix A), decoded from raw CPUID leaves and MSR values.
 *
 * Pure logic: the core's cpu code executes CPUID and, through
 * virt_read_msrs(), RDMSR; everything else here runs in host tests on
 * register images of real and emulated CPUs. virt_requirements() says
 * whether the hypervisor can run and what is missing, in words.
 */
#ifndef VMM_VIRT_CAPS_H
#define VMM_VIRT_CAPS_H

#include "hv/types.h"

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/*
 * Filled by the caller: CPUID leaves as executed (subleaf 0), then the MSRs
 * through virt_read_msrs(). Leaves above the reported maximum may hold
 * anything (Intel returns the highest basic leaf's data for them): the
 * decoder ignores them.
 */
struct virt_raw {
	struct cpuid_regs leaf0; /* 0x0: max basic leaf, vendor */
	struct cpuid_regs leaf1; /* 0x1: signature, features */
	struct cpuid_regs leaf7; /* 0x7.0: structured extended features */
	struct cpuid_regs ext0;	 /* 0x80000000: max extended leaf */
	struct cpuid_regs ext1;	 /* 0x80000001: NX, long mode, SVM */
	struct cpuid_regs ext7;	 /* 0x80000007: invariant TSC */
	struct cpuid_regs ext8;	 /* 0x80000008: address sizes */
	struct cpuid_regs svm;	 /* 0x8000000A: SVM revision, ASIDs, features */

	bool have_msrs;		     /* the MSR values below were read */
	uint64_t vm_cr;		     /* AMD VM_CR, 0xC0010114 */
	uint64_t feature_control;    /* IA32_FEATURE_CONTROL, 0x3A */
	uint64_t vmx_basic;	     /* IA32_VMX_BASIC, 0x480 */
	uint64_t vmx_pinbased;	     /* IA32_VMX_PINBASED_CTLS, 0x481 */
	uint64_t vmx_procbased;	     /* IA32_VMX_PROCBASED_CTLS, 0x482 */
	uint64_t vmx_exit;	     /* IA32_VMX_EXIT_CTLS, 0x483 */
	uint64_t vmx_entry;	     /* IA32_VMX_ENTRY_CTLS, 0x484 */
	uint64_t vmx_misc;	     /* IA32_VMX_MISC, 0x485 */
	uint64_t vmx_procbased2;     /* IA32_VMX_PROCBASED_CTLS2, 0x48B */
	uint64_t vmx_ept_vpid_cap;   /* IA32_VMX_EPT_VPID_CAP, 0x48C */
	uint64_t vmx_true_pinbased;  /* IA32_VMX_TRUE_PINBASED_CTLS, 0x48D */
	uint64_t vmx_true_procbased; /* IA32_VMX_TRUE_PROCBASED_CTLS, 0x48E */
	uint64_t vmx_true_exit;	     /* IA32_VMX_TRUE_EXIT_CTLS, 0x48F */
	uint64_t vmx_true_entry;     /* IA32_VMX_TRUE_ENTRY_CTLS, 0x490 */
};

/*
 * Reads every MSR above that exists on this processor, given the CPUID
 * leaves already in raw, and sets have_msrs. An MSR that does not exist is
 * never read (RDMSR would raise #GP) and stays 0.
 */
void virt_read_msrs(struct virt_raw *raw, uint64_t (*read_msr)(uint32_t msr));

enum virt_kind { VIRT_NONE, VIRT_SVM, VIRT_VMX };

/*
 * VMX control capability MSR as used: low 32 bits = controls that must be 1
 * (allowed-0 settings), high 32 bits = controls that may be 1 (allowed-1).
 */
struct vmx_ctls {
	uint64_t pinbased, procbased, procbased2, exit, entry;
};

struct virt_caps {
	char vendor[13];
	enum virt_kind kind;
	uint32_t family, model, stepping;
	unsigned phys_addr_bits, virt_addr_bits;
	bool msrs_known;

	/* Processor features the hypervisor or its partitions depend on. */
	bool long_mode, nx, pae, pdpe1gb, la57, x2apic, hypervisor_bit, invariant_tsc;
	bool tsc_deadline, pcid, invpcid, xsave, fsgsbase, smep, smap;

	/* AMD SVM: CPUID Fn8000_000A and VM_CR. */
	bool svm;
	bool svm_disabled_by_firmware; /* VM_CR.SVMDIS and VM_CR.LOCK both set */
	bool svm_vmcr_svmdis;	       /* SVMDIS set; if unlocked, clear before EFER.SVME */
	bool svm_vmcr_lock;
	uint32_t svm_revision, asids;
	bool npt, lbrv, svm_lock, nrips, tsc_rate, vmcb_clean, flush_by_asid, decode_assists;
	bool pause_filter, pause_filter_threshold, avic, vmsave_virt, vgif, gmet, x2avic;
	bool sss_check, spec_ctrl, vnmi, svme_addr_check, bus_lock_threshold;

	/* Intel VMX: IA32_FEATURE_CONTROL and the IA32_VMX_* MSRs. */
	bool vmx;
	bool feature_control_locked; /* unlocked: the hypervisor sets and locks it */
	bool vmx_locked_off;	     /* locked without VMX outside SMX */
	uint32_t vmcs_revision, vmcs_size;
	unsigned vmcs_memtype;
	bool vmx_true_ctls;		/* TRUE control MSRs exist and are in ctls */
	struct vmx_ctls ctls;		/* the control MSRs to program from */
	unsigned preemption_timer_rate; /* timer ticks once per 2^rate TSC cycles */
	/* pin-based */
	bool ext_intr_exiting, nmi_exiting, virtual_nmis, preemption_timer, posted_interrupts;
	/* primary processor-based */
	bool tsc_offsetting, hlt_exiting, tpr_shadow, io_bitmaps, msr_bitmaps;
	bool monitor_trap_flag, secondary_controls;
	/* exit and entry */
	bool host_64bit, ack_intr_on_exit, exit_save_efer, exit_load_efer, exit_load_pat;
	bool entry_ia32e_guest, entry_load_efer, entry_load_pat;
	/* secondary processor-based */
	bool virt_apic_accesses, ept, rdtscp, virt_x2apic_mode, vpid, wbinvd_exiting;
	bool unrestricted_guest, apic_reg_virt, virt_intr_delivery, pause_loop_exiting;
	bool invpcid_exec, vmfunc, vmcs_shadowing, pml, ept_ve, xsaves, tsc_scaling;
	/* IA32_VMX_EPT_VPID_CAP */
	bool ept_exec_only, ept_4level, ept_5level, ept_uc, ept_wb, ept_2m, ept_1g;
	bool invept, ept_ad, invept_single, invept_all;
	bool invvpid, invvpid_addr, invvpid_single, invvpid_all, invvpid_single_globals;
};

void virt_decode(const struct virt_raw *raw, struct virt_caps *caps);

/*
 * What the hypervisor needs and what is missing. Fills missing[] with up to
 * max_missing reasons such as "svm: nested paging (NPT) not supported" and
 * returns how many REQUIRED features are missing (0 = it can run). Useful
 * but optional features go to optional_missing[] with the consequence, e.g.
 * "nrips: absent (instruction lengths decoded in software)";
 * *optional_count gets their number. Both counts may exceed the array sizes;
 * the strings are constants. Arrays may be NULL when their max is 0.
 */
unsigned virt_requirements(const struct virt_caps *caps, const char **missing, unsigned max_missing,
			   const char **optional_missing, unsigned max_optional,
			   unsigned *optional_count);

/*
 * One line of key=value fields for the inventory log ("kind=svm rev=1
 * asids=16 npt=yes nrips=no ..."). Returns its length, or -ENOSPC if buf was
 * too small (buf then holds a terminated prefix).
 */
int virt_caps_format(const struct virt_caps *caps, char *buf, size_t len);

#endif
