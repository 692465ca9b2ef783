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
#include "vmm/vmx_controls.h"
#include "vmm/vmx_vmcs.h"

#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
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
#define CR0_PE BIT(0)
#define CR0_PG BIT(31)
#define CR4_VMXE BIT(13)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)

#define GUEST_CR0 0x80010033ULL /* PG WP NE ET MP PE */
#define GUEST_CR4 0x20ULL	/* PAE */
#define GUEST_EFER (EFER_LME | EFER_LMA | EFER_NXE)
#define GUEST_PAT 0x0007040600070406ULL /* power-on default */
#define AR_CODE64 0xa09b		/* type 11, S, P, L, G */
#define AR_DATA 0xc093			/* type 3, S, P, D/B, G */
#define AR_TSS64_BUSY 0x008b
#define VEC_GP 13
#define VEC_UD 6

/* Segment registers in the VMCS's order: field = first field + 2 * index. */
enum vmx_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

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

struct vmx_fixed {
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

static struct vmx_cpu vmx_cpus[HV_MAX_CPUS];
static struct vmx_controls ctl;
static struct vmx_fixed fixed;
static uint32_t vmcs_revision;
static phys_addr_t io_bitmap_pa, msr_bitmap_pa; /* I/O bitmaps A and B are adjacent */

/* 0 after a VM exit; 1 VMfailValid (error in the VMCS), 2 VMfailInvalid (no VMCS). */
int vmx_enter(uint64_t *gprs, uint64_t launched);

/* ---- VMX instructions: CF or ZF set means the instruction failed ---- */

static int vmxon(phys_addr_t pa)
{
	bool failed;

	__asm__ volatile("vmxon %1; setna %0" : "=qm"(failed) : "m"(pa) : "cc", "memory");
	return failed ? -EIO : 0;
}

static int vmclear(phys_addr_t pa)
{
	bool failed;

	__asm__ volatile("vmclear %1; setna %0" : "=qm"(failed) : "m"(pa) : "cc", "memory");
	return failed ? -EIO : 0;
}

static int vmptrld(phys_addr_t pa)
{
	bool failed;

	__asm__ volatile("vmptrld %1; setna %0" : "=qm"(failed) : "m"(pa) : "cc", "memory");
	return failed ? -EIO : 0;
}

static uint64_t vmcs_read(enum vmcs_field field)
{
	uint64_t value;

	__asm__ volatile("vmread %1, %0" : "=r"(value) : "r"((uint64_t)field) : "cc");
	return value;
}

static void vmcs_write(enum vmcs_field field, uint64_t value)
{
	bool failed;

	__asm__ volatile("vmwrite %1, %2; setna %0"
			 : "=qm"(failed)
			 : "r"(value), "r"((uint64_t)field)
			 : "cc", "memory");
	if (failed)
		log_error("vmx", "vmwrite failed field=0x%x error=%llu", field,
			  (unsigned long long)vmcs_read(VMCS_VM_INSTRUCTION_ERROR));
}

struct inv_desc {
	uint64_t a, b;
};

static void invept(enum vmx_inv_type type, uint64_t eptp)
{
	struct inv_desc d = {eptp, 0};

	__asm__ volatile("invept %0, %1" ::"m"(d), "r"((uint64_t)type) : "cc", "memory");
}

static void invvpid(enum vmx_inv_type type, uint16_t vpid)
{
	struct inv_desc d = {vpid, 0};

	__asm__ volatile("invvpid %0, %1" ::"m"(d), "r"((uint64_t)type) : "cc", "memory");
}

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
	fixed = (struct vmx_fixed){rdmsr(MSR_IA32_VMX_CR0_FIXED0), rdmsr(MSR_IA32_VMX_CR0_FIXED1),
				   rdmsr(MSR_IA32_VMX_CR4_FIXED0), rdmsr(MSR_IA32_VMX_CR4_FIXED1)};
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
	int err = fix_host_cr("cr0", read_cr0(), fixed.cr0_fixed0, fixed.cr0_fixed1, &cr0);

	if (!err)
		err = fix_host_cr("cr4", read_cr4() | CR4_VMXE, fixed.cr4_fixed0, fixed.cr4_fixed1,
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
	/* Nothing cached from before VMXON (firmware, a previous VMM) may survive. */
	invept(VMX_INV_ALL_CONTEXT, 0);
	if (ctl.vpid)
		invvpid(VMX_INV_ALL_CONTEXT, 0);
	c->enabled = true;
	return 0;
}

/* ---- vCPU creation ---- */

/* Every port exits (bitmaps A and B all ones); MSRs per the shared policy. */
static int init_bitmaps(void)
{
	int err;

	if (io_bitmap_pa)
		return 0;
	err = hv_pages_alloc(2, &io_bitmap_pa);
	if (!err)
		err = hv_pages_alloc(1, &msr_bitmap_pa);
	if (err)
		return err;
	memset((void *)(uintptr_t)io_bitmap_pa, 0xff, 2 * VMX_IO_BITMAP_SIZE);
	memset((void *)(uintptr_t)msr_bitmap_pa, 0xff, VMX_MSR_BITMAP_SIZE);
	vmx_msr_bitmap_open((uint8_t *)(uintptr_t)msr_bitmap_pa);
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

static void write_controls(const struct vcpu *v, const struct vmx_state *s)
{
	struct vmx_cr cr0 = vmx_cr_fixed(GUEST_CR0, fixed.cr0_fixed0, fixed.cr0_fixed1,
					 CR0_PE | CR0_PG);
	struct vmx_cr cr4 = vmx_cr_fixed(GUEST_CR4, fixed.cr4_fixed0, fixed.cr4_fixed1, 0);

	vmcs_write(VMCS_PIN_BASED_CTLS, ctl.pinbased);
	vmcs_write(VMCS_PROC_BASED_CTLS, ctl.procbased);
	vmcs_write(VMCS_SECONDARY_PROC_BASED_CTLS, ctl.procbased2);
	vmcs_write(VMCS_EXIT_CTLS, ctl.exit);
	vmcs_write(VMCS_ENTRY_CTLS, ctl.entry);
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write(VMCS_IO_BITMAP_A, io_bitmap_pa);
	vmcs_write(VMCS_IO_BITMAP_B, io_bitmap_pa + VMX_IO_BITMAP_SIZE);
	vmcs_write(VMCS_MSR_BITMAP, msr_bitmap_pa);
	vmcs_write(VMCS_EPT_POINTER, vmx_eptp(s->start.npt_root));
	if (ctl.vpid)
		vmcs_write(VMCS_VPID, vpid_of(v));
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, cr0.mask);
	vmcs_write(VMCS_CR0_READ_SHADOW, cr0.shadow);
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, cr4.mask);
	vmcs_write(VMCS_CR4_READ_SHADOW, cr4.shadow);
	vmcs_write(VMCS_GUEST_CR0, cr0.value);
	vmcs_write(VMCS_GUEST_CR4, cr4.value);
}

static uint16_t selector(uint16_t sel)
{
	return sel & ~7u; /* host selectors need RPL 0 and TI 0 */
}

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

static void write_host_segments(void)
{
	uint16_t cs, ss, ds, es, fs, gs, tr;
	struct desc_ptr gdt, idt;

	__asm__ volatile("mov %%cs, %0; mov %%ss, %1; mov %%ds, %2; mov %%es, %3"
			 : "=r"(cs), "=r"(ss), "=r"(ds), "=r"(es));
	__asm__ volatile("mov %%fs, %0; mov %%gs, %1; str %2" : "=r"(fs), "=r"(gs), "=r"(tr));
	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdt), "=m"(idt));
	vmcs_write(VMCS_HOST_CS_SELECTOR, selector(cs));
	vmcs_write(VMCS_HOST_SS_SELECTOR, selector(ss));
	vmcs_write(VMCS_HOST_DS_SELECTOR, selector(ds));
	vmcs_write(VMCS_HOST_ES_SELECTOR, selector(es));
	vmcs_write(VMCS_HOST_FS_SELECTOR, selector(fs));
	vmcs_write(VMCS_HOST_GS_SELECTOR, selector(gs));
	vmcs_write(VMCS_HOST_TR_SELECTOR, selector(tr));
	vmcs_write(VMCS_HOST_GDTR_BASE, gdt.base);
	vmcs_write(VMCS_HOST_IDTR_BASE, idt.base);
	vmcs_write(VMCS_HOST_TR_BASE, (uint64_t)(uintptr_t)&this_cpu()->tables.tss);
	vmcs_write(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_write(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE)); /* the per-CPU area */
}

/* What this CPU runs with now; HOST_RSP and HOST_RIP are set by vmx_enter. */
static void write_host_state(void)
{
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	write_host_segments();
	vmcs_write(VMCS_HOST_IA32_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS));
	vmcs_write(VMCS_HOST_IA32_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
	vmcs_write(VMCS_HOST_IA32_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
	vmcs_write(VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(VMCS_HOST_IA32_EFER, rdmsr(MSR_EFER));
}

static void write_segment(enum vmx_seg seg, uint16_t sel, uint32_t ar, uint32_t limit)
{
	vmcs_write(VMCS_GUEST_ES_SELECTOR + 2 * seg, sel);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * seg, 0);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * seg, limit);
	vmcs_write(VMCS_GUEST_ES_ACCESS_RIGHTS + 2 * seg, ar);
}

static void write_guest_segments(const struct vcpu_start_state *st)
{
	write_segment(SEG_CS, 0x08, AR_CODE64, 0xffffffff);
	write_segment(SEG_SS, 0x10, AR_DATA, 0xffffffff);
	write_segment(SEG_DS, 0x10, AR_DATA, 0xffffffff);
	write_segment(SEG_ES, 0x10, AR_DATA, 0xffffffff);
	write_segment(SEG_FS, 0x10, AR_DATA, 0xffffffff);
	write_segment(SEG_GS, 0x10, AR_DATA, 0xffffffff);
	write_segment(SEG_TR, 0, AR_TSS64_BUSY, 0x67);
	write_segment(SEG_LDTR, 0, VMX_AR_UNUSABLE, 0);
	vmcs_write(VMCS_GUEST_GDTR_BASE, st->gdt_base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, st->gdt_limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0);
}

/* The 64-bit start state of guest_abi.h; CR0/CR4 are written with the controls. */
static void write_guest_state(const struct vcpu *v, const struct vcpu_start_state *st)
{
	write_guest_segments(st);
	vmcs_write(VMCS_GUEST_CR3, st->cr3);
	vmcs_write(VMCS_GUEST_DR7, 0x400);
	vmcs_write(VMCS_GUEST_RSP, v->start_rsp);
	vmcs_write(VMCS_GUEST_RIP, v->start_rip);
	vmcs_write(VMCS_GUEST_RFLAGS, 0x2);
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_IA32_PAT, GUEST_PAT);
	vmcs_write(VMCS_GUEST_IA32_EFER, GUEST_EFER);
	vmcs_write(VMCS_GUEST_IA32_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_IA32_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_IA32_SYSENTER_EIP, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_ACTIVE);
	vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL); /* no shadow VMCS */
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
}

/* MSRs VMX does not switch: a restarted guest must not find its last run's values. */
static void clear_unswitched_msrs(void)
{
	static const uint32_t msrs[] = {MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
					MSR_KERNEL_GS_BASE};

	for (unsigned i = 0; i < ARRAY_SIZE(msrs); i++)
		wrmsr(msrs[i], 0);
}

/* Guest-physical, combined and (with VPIDs) linear translations of this vCPU. */
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

	if (vmclear(s->vmcs_pa) || vmptrld(s->vmcs_pa))
		log_error("vmx", "vmcs not loadable partition=%s vcpu=%u", partition_name(v->part),
			  v->index); /* VMLAUNCH will fail and the partition stop */
	c->current_vmcs = s->vmcs_pa;
	write_controls(v, s);
	write_host_state();
	write_guest_state(v, &s->start);
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

static void read_exit(struct vmx_state *s, struct vm_exit *exit)
{
	struct vmx_exit_info x = {
	    .reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON),
	    .qualification = vmcs_read(VMCS_EXIT_QUALIFICATION),
	    .guest_physical = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS),
	    .rip = vmcs_read(VMCS_GUEST_RIP),
	    .insn_len = (uint32_t)vmcs_read(VMCS_EXIT_INSTRUCTION_LENGTH),
	    .intr_info = (uint32_t)vmcs_read(VMCS_EXIT_INTR_INFO),
	};
	struct vmx_event ev;

	if (!(x.reason & VMX_EXIT_REASON_ENTRY_FAILURE))
		s->launched = true;
	if (vmx_reinject_event((uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO),
			       (uint32_t)vmcs_read(VMCS_IDT_VECTORING_ERROR_CODE), x.insn_len, &ev))
		write_event(&ev);
	vmx_decode_exit(&x, exit);
	if (exit->type == VM_EXIT_INVALID)
		log_error("vmx", "vm entry refused reason=0x%x qualification=0x%llx", x.reason,
			  (unsigned long long)x.qualification);
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
	read_exit(s, exit);
	if (exit->type == VM_EXIT_NMI)
		deliver_nmi_to_host();
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
