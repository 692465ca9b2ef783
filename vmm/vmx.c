/*
 * The VMX backend of the vCPU contract (vcpu.h): Intel VT-x with EPT and an
 * unrestricted guest. It mirrors the SVM backend: interrupts pass straight
 * to the guest (no external-interrupt exiting), HLT stays in the guest, and
 * the hypervisor gets the CPU back through CPUID, VMCALL, MSR and I/O exits
 * (bitmaps), EPT violations and NMIs, which is how other CPUs kick a vCPU.
 *
 * A VMCS can only be touched on the CPU where it is current, and a vCPU
 * never leaves its CPU: reset() (called from whichever CPU starts the
 * partition) only records the start state; run() loads it into the VMCS on
 * the vCPU's own CPU. All other ops run there too, between exits.
 *
 * Where VMX differs from SVM and how it is handled here:
 * - An NMI that exits leaves NMIs blocked in the host and is not delivered
 *   to it; run() hands it to the host's NMI handler (INT 2), whose IRET
 *   unblocks NMIs, so kicks and shutdown NMIs behave as on SVM.
 * - There is no GIF: a kick arriving between the run loop's last check and
 *   VM entry would be taken by the host, so run() looks at the request once
 *   more just before entering.
 * - STAR/LSTAR/CSTAR/SFMASK and KernelGSBase are not switched (the host
 *   never uses them); they are cleared when a vCPU starts, as SVM's fresh
 *   VMCB would.
 * - Some instructions exit that SVM lets run: CR0/CR4 writes touching the
 *   bits VMX fixes, INVD and WBINVD are emulated here (vmx_emulate.c),
 *   XSETBV by the common handler (exit_xsetbv.c).
 */
#include "vmm/vmx.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/arch/cpu.h"
#include "kernel/memory.h"
#include "kernel/mm/paging.h"
#include "kernel/percpu.h"
#include "vmm/partition.h"
#include "vmm/vmx_insn.h"

#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102
#define FEATURE_CONTROL_LOCK BIT(0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX BIT(2)
#define CR0_PG BIT(31)
#define CR4_VMXE BIT(13)

#define VEC_GP 13
#define VEC_UD 6

struct vmx_state {
	phys_addr_t vmcs_pa;
	struct vcpu_start_state start;
	bool reset_pending; /* reset() ran; run() reloads the VMCS on the vCPU's CPU */
	bool flush_pending; /* cached translations must go before the next entry */
	bool launched;	    /* VMRESUME, not VMLAUNCH */
};

struct vmx_cpu {
	phys_addr_t vmxon_pa;
	phys_addr_t current_vmcs;
	bool enabled;
};

static struct vmx_cpu vmx_cpus[HV_MAX_CPUS];
static struct vmx_controls ctl;
static struct vmx_vmcs_params shared; /* the same for every vCPU but its VPID */
static struct vmx_cr_fixed_msrs cr_fixed;
static uint32_t vmcs_revision;

/* 0 after a VM exit; 1 VMfailValid (error in the VMCS), 2 VMfailInvalid (no VMCS). */
int vmx_enter(uint64_t *gprs, uint64_t launched);

static struct vmx_state *state(struct vcpu *v)
{
	return v->backend;
}

static uint16_t vpid_of(const struct vcpu *v)
{
	return (uint16_t)(v->host_cpu + 1); /* one vCPU per CPU; VPID 0 is the host's */
}

/* ---- choosing the backend and enabling VMX on a CPU ---- */

int vmx_backend_prepare(const struct virt_caps *caps)
{
	int err = vmx_controls_build(caps, &ctl);

	if (err)
		return err;
	vmcs_revision = caps->vmcs_revision;
	shared.ctl = &ctl;
	shared.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	shared.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	shared.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	shared.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	cr_fixed = (struct vmx_cr_fixed_msrs){shared.cr0_fixed0, shared.cr0_fixed1,
					      shared.cr4_fixed0, shared.cr4_fixed1};
	log_info("vmx", "controls pin=0x%x proc=0x%x proc2=0x%x exit=0x%x entry=0x%x vpid=%s",
		 ctl.pinbased, ctl.procbased, ctl.procbased2, ctl.exit, ctl.entry,
		 ctl.vpid ? "yes" : "no");
	return 0;
}

/* Firmware that left IA32_FEATURE_CONTROL unlocked lets the hypervisor choose. */
static int enable_feature_control(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCK)) {
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
		return 0;
	}
	if (fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)
		return 0;
	log_error("vmx", "disabled by firmware feature_control=0x%llx", (unsigned long long)fc);
	return -ENOTSUP;
}

/* The host may gain fixed-1 bits (CR0.NE, CR4.VMXE) but must lose none of its own. */
static int fix_host_cr(const char *name, uint64_t cur, uint64_t fixed0, uint64_t fixed1,
		       uint64_t *out)
{
	if (cur & ~fixed1) {
		log_error("vmx", "host %s has bits vmx forbids value=0x%llx fixed1=0x%llx", name,
			  (unsigned long long)cur, (unsigned long long)fixed1);
		return -ENOTSUP;
	}
	*out = cur | fixed0;
	return 0;
}

static int fix_host_crs(void)
{
	uint64_t cr0, cr4;
	int err = fix_host_cr("cr0", read_cr0(), shared.cr0_fixed0, shared.cr0_fixed1, &cr0);

	if (!err)
		err = fix_host_cr("cr4", read_cr4() | CR4_VMXE, shared.cr4_fixed0, shared.cr4_fixed1,
				  &cr4);
	if (err)
		return err;
	write_cr0(cr0);
	write_cr4(cr4);
	return 0;
}

static int vmx_cpu_enable(void)
{
	struct vmx_cpu *c = &vmx_cpus[this_cpu_index()];
	int err;

	if (c->enabled)
		return 0;
	err = enable_feature_control();
	if (!err)
		err = fix_host_crs();
	if (!err && !c->vmxon_pa)
		err = hv_pages_alloc(1, &c->vmxon_pa);
	if (err)
		return err;
	*(volatile uint32_t *)(uintptr_t)c->vmxon_pa = vmcs_revision;
	if (vmxon(c->vmxon_pa)) {
		log_error("vmx", "vmxon failed cpu=%u", this_cpu_index());
		return -EIO;
	}
	c->enabled = true;
	return 0;
}

/* ---- vCPU creation ---- */

/* Every port exits (bitmaps A and B all ones); MSRs per the shared policy. */
static int init_bitmaps(void)
{
	int err;

	if (shared.io_bitmap_pa)
		return 0;
	err = hv_pages_alloc(2, &shared.io_bitmap_pa); /* A, then B */
	if (!err)
		err = hv_pages_alloc(1, &shared.msr_bitmap_pa);
	if (err)
		return err;
	memset((void *)(uintptr_t)shared.io_bitmap_pa, 0xff, 2 * VMX_IO_BITMAP_SIZE);
	memset((void *)(uintptr_t)shared.msr_bitmap_pa, 0xff, VMX_MSR_BITMAP_SIZE);
	vmx_msr_bitmap_open((uint8_t *)(uintptr_t)shared.msr_bitmap_pa);
	return 0;
}

static int vmx_create(struct vcpu *v)
{
	struct vmx_state *s;
	phys_addr_t pa;
	int err = init_bitmaps();

	if (!err)
		err = hv_pages_alloc(1, &pa);
	if (err)
		return err;
	s = (struct vmx_state *)(uintptr_t)pa;
	err = hv_pages_alloc(1, &s->vmcs_pa);
	if (err)
		return err;
	*(uint32_t *)(uintptr_t)s->vmcs_pa = vmcs_revision;
	v->backend = s;
	return 0;
}

/* Any CPU, vCPU parked: only memory is touched here (see the top of the file). */
static void vmx_reset(struct vcpu *v, const struct vcpu_start_state *st)
{
	struct vmx_state *s = state(v);

	s->start = *st;
	memset(v->gprs, 0, sizeof(v->gprs));
	v->gprs[GPR_RDI] = v->start_rdi;
	v->gprs[GPR_RSI] = v->start_rsi;
	s->reset_pending = true;
}

/* ---- loading the start state, on the vCPU's CPU ---- */

/* MSRs VMX does not switch: a restarted guest must not find its last run's values. */
static void clear_unswitched_msrs(void)
{
	static const uint32_t msrs[] = {MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
					MSR_KERNEL_GS_BASE};

	for (unsigned i = 0; i < ARRAY_SIZE(msrs); i++)
		wrmsr(msrs[i], 0);
}

/*
 * Guest-physical, combined and (with VPIDs) linear translations of this
 * vCPU; before its first entry this also drops anything a previous VMM left
 * tagged with the same EPT pointer or VPID.
 */
static void flush_guest_tlb(const struct vcpu *v, struct vmx_state *s)
{
	invept(ctl.invept, vmx_eptp(s->start.npt_root));
	if (ctl.vpid)
		invvpid(ctl.invvpid, vpid_of(v));
	s->flush_pending = false;
}

static void load_start_state(struct vcpu *v)
{
	struct vmx_state *s = state(v);
	struct vmx_cpu *c = &vmx_cpus[this_cpu_index()];
	struct vmx_vmcs_params params = shared;

	if (vmclear(s->vmcs_pa) || vmptrld(s->vmcs_pa))
		log_error("vmx", "vmcs not loadable partition=%s vcpu=%u", partition_name(v->part),
			  v->index); /* VMLAUNCH will fail and the partition stop */
	c->current_vmcs = s->vmcs_pa;
	params.vpid = vpid_of(v);
	vmx_vmcs_setup(v, &s->start, &params);
	clear_unswitched_msrs();
	/* Translations of the previous run (guest tables rebuilt, memory reloaded) must go. */
	flush_guest_tlb(v, s);
	s->launched = false;
	s->reset_pending = false;
}

/* ---- running ---- */

static void make_current(struct vmx_state *s)
{
	struct vmx_cpu *c = &vmx_cpus[this_cpu_index()];

	if (c->current_vmcs == s->vmcs_pa)
		return;
	if (vmptrld(s->vmcs_pa))
		log_error("vmx", "vmptrld failed vmcs=0x%llx", (unsigned long long)s->vmcs_pa);
	c->current_vmcs = s->vmcs_pa;
}

static void write_event(const struct vmx_event *ev)
{
	vmcs_write(VMCS_ENTRY_INTR_INFO, ev->info);
	vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR_CODE, ev->error_code);
	vmcs_write(VMCS_ENTRY_INSTRUCTION_LENGTH, ev->insn_len);
}

/* VMLAUNCH/VMRESUME refused before loading the guest: the VMCS or host state is wrong. */
static void entry_failed(struct vcpu *v, int how, struct vm_exit *exit)
{
	uint32_t error = how == 1 ? (uint32_t)vmcs_read(VMCS_VM_INSTRUCTION_ERROR) : 0;

	log_error("vmx", "vm entry failed partition=%s vcpu=%u error=%u what=%s",
		  partition_name(v->part), v->index, error,
		  how == 1 ? vmx_insn_error_name(error) : "no-current-vmcs");
	memset(exit, 0, sizeof(*exit));
	exit->type = VM_EXIT_INVALID;
	exit->vendor_code = VMX_VENDOR_VMFAIL | error;
	exit->rip = vmcs_read(VMCS_GUEST_RIP);
}

/*
 * The NMI that caused the exit was consumed by it and NMIs are blocked:
 * the host's handler gets it as on SVM, and its IRET unblocks NMIs.
 */
static void deliver_nmi_to_host(void)
{
	__asm__ volatile("int $2" ::: "memory");
}

static void read_exit(struct vmx_state *s, struct vmx_exit_info *x, struct vm_exit *exit)
{
	struct vmx_event ev;

	*x = (struct vmx_exit_info){
	    .reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON),
	    .qualification = vmcs_read(VMCS_EXIT_QUALIFICATION),
	    .guest_physical = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS),
	    .rip = vmcs_read(VMCS_GUEST_RIP),
	    .insn_len = (uint32_t)vmcs_read(VMCS_EXIT_INSTRUCTION_LENGTH),
	    .intr_info = (uint32_t)vmcs_read(VMCS_EXIT_INTR_INFO),
	};
	if (x->reason & VMX_EXIT_REASON_ENTRY_FAILURE) {
		vmx_decode_exit(x, exit);
		log_error("vmx", "vm entry refused reason=0x%x qualification=0x%llx", x->reason,
			  (unsigned long long)x->qualification);
		return;
	}
	s->launched = true;
	if (vmx_reinject_event((uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO),
			       (uint32_t)vmcs_read(VMCS_IDT_VECTORING_ERROR_CODE), x->insn_len, &ev))
		write_event(&ev);
	vmx_decode_exit(x, exit);
}

/* A stop request that came after the run loop looked: leave as if kicked. */
static bool kicked_before_entry(struct vcpu *v, struct vm_exit *exit)
{
	if (__atomic_load_n(&v->request, __ATOMIC_ACQUIRE) != VCPU_REQ_STOP)
		return false;
	memset(exit, 0, sizeof(*exit));
	exit->type = VM_EXIT_NMI;
	exit->rip = vmcs_read(VMCS_GUEST_RIP);
	return true;
}

static void vmx_run(struct vcpu *v, struct vm_exit *exit)
{
	struct vmx_state *s = state(v);
	struct vmx_exit_info x;
	int failed;

	if (s->reset_pending)
		load_start_state(v);
	else
		make_current(s);
	if (s->flush_pending)
		flush_guest_tlb(v, s);
	if (kicked_before_entry(v, exit))
		return;
	failed = vmx_enter(v->gprs, s->launched);
	if (failed) {
		entry_failed(v, failed, exit);
		return;
	}
	read_exit(s, &x, exit);
	if (exit->type == VM_EXIT_NMI)
		deliver_nmi_to_host();
	else if (exit->type == VM_EXIT_OTHER)
		vmx_emulate(v, &x, &cr_fixed, exit);
}

/* ---- registers and events, on the vCPU's CPU between exits ---- */

static uint64_t vmx_get_rip(struct vcpu *v)
{
	(void)v;
	return vmcs_read(VMCS_GUEST_RIP);
}

static void vmx_set_rip(struct vcpu *v, uint64_t rip)
{
	(void)v;
	vmcs_write(VMCS_GUEST_RIP, rip);
}

static uint64_t vmx_get_reg(struct vcpu *v, enum gpr reg)
{
	return reg == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) : v->gprs[reg];
}

static void vmx_set_reg(struct vcpu *v, enum gpr reg, uint64_t val)
{
	if (reg == GPR_RSP)
		vmcs_write(VMCS_GUEST_RSP, val);
	else
		v->gprs[reg] = val;
}

static uint64_t vmx_get_cr3(struct vcpu *v)
{
	(void)v;
	return vmcs_read(VMCS_GUEST_CR3);
}

static bool vmx_paging_enabled(struct vcpu *v)
{
	(void)v;
	return vmcs_read(VMCS_GUEST_CR0) & CR0_PG;
}

static uint64_t vmx_get_efer(struct vcpu *v)
{
	(void)v;
	return vmcs_read(VMCS_GUEST_IA32_EFER);
}

static void vmx_set_efer(struct vcpu *v, uint64_t efer)
{
	(void)v;
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
}

static void vmx_inject_gp(struct vcpu *v)
{
	struct vmx_event ev = vmx_exception_event(VEC_GP, true);

	(void)v;
	write_event(&ev);
}

static void vmx_inject_ud(struct vcpu *v)
{
	struct vmx_event ev = vmx_exception_event(VEC_UD, false);

	(void)v;
	write_event(&ev);
}

static void vmx_flush_tlb(struct vcpu *v)
{
	state(v)->flush_pending = true;
}

const struct vcpu_backend vmx_backend = {
	.name = "vmx",
	.nested_format = &paging_format_ept,
	.cpu_enable = vmx_cpu_enable,
	.create = vmx_create,
	.reset = vmx_reset,
	.run = vmx_run,
	.get_rip = vmx_get_rip,
	.set_rip = vmx_set_rip,
	.get_reg = vmx_get_reg,
	.set_reg = vmx_set_reg,
	.get_cr3 = vmx_get_cr3,
	.paging_enabled = vmx_paging_enabled,
	.get_efer = vmx_get_efer,
	.set_efer = vmx_set_efer,
	.inject_gp = vmx_inject_gp,
	.inject_ud = vmx_inject_ud,
	.flush_tlb = vmx_flush_tlb,
};
