/*
 * The SVM backend of the vCPU contract (vcpu.h): AMD-V with nested paging.
 * Interrupts pass straight to the guest (no INTR intercept, V_INTR_MASKING
 * off): a partition owns its CPUs, so its timer and device interrupts reach
 * its IDT with no exit, and HLT is not intercepted. The hypervisor gets the
 * CPU back through intercepted instructions, nested page faults and NMIs,
 * which is how other CPUs kick a vCPU.
 *
 * TCG quirks (PLATFORM.md) handled here: no NRIPS (lengths come from the
 * exit type or the decoder), VMEXIT_INVALID seen as 0xffffffff, EXITINTINFO
 * reporting interrupts as exceptions, GIF 0 after every exit.
 */
#include "vmm/svm.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/arch/cpu.h"
#include "kernel/memory.h"
#include "kernel/mm/paging.h"
#include "kernel/percpu.h"
#include "vmm/svm_vmcb.h"

#define MSR_VM_HSAVE_PA 0xc0010117
#define EFER_SVME BIT(12)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)
#define GUEST_ASID 1
#define GUEST_CR0 0x80010033ULL /* PG WP NE ET MP PE */
#define GUEST_CR4 0x20ULL	/* PAE */
#define GUEST_EFER (EFER_SVME | EFER_LME | EFER_LMA | EFER_NXE)
#define GUEST_PAT 0x0007040600070406ULL /* power-on default */
#define SEG_CODE64 0xa9b /* type 11, S, P, L, G */
#define SEG_DATA 0xc93	 /* type 3, S, P, D/B, G */
#define SEG_TSS64_BUSY 0x8b
#define LEN_CPUID 2
#define LEN_INVD 2 /* 0f 08 */
#define LEN_MSR 2
#define LEN_VMMCALL 3

struct svm_state {
	struct vmcb *vmcb;
	phys_addr_t vmcb_pa;
	bool flush_tlb;
};

struct svm_cpu {
	phys_addr_t hsave_pa;
	phys_addr_t host_area_pa; /* VMSAVE image of the host's FS/GS/TR/... */
	bool enabled;
};

static struct svm_cpu svm_cpus[HV_MAX_CPUS];
static phys_addr_t shared_iopm_pa, shared_msrpm_pa;

void svm_enter(uint64_t vmcb_pa, uint64_t *gprs, uint64_t host_area_pa);

static inline void clgi(void)
{
	__asm__ volatile("clgi" ::: "memory");
}

static inline void stgi(void)
{
	__asm__ volatile("stgi" ::: "memory");
}

static inline void vmsave(phys_addr_t pa)
{
	__asm__ volatile("vmsave %%rax" ::"a"(pa) : "memory");
}

static struct svm_state *state(struct vcpu *v)
{
	return v->backend;
}

static int alloc_zeroed(uint64_t bytes, phys_addr_t *pa)
{
	return hv_pages_alloc(ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE, pa);
}

/* Intercepts every I/O port and every MSR but the ones svm_msr_passthrough() opens. */
static int init_bitmaps(void)
{
	int err;

	if (shared_iopm_pa)
		return 0;
	err = alloc_zeroed(SVM_IOPM_SIZE, &shared_iopm_pa);
	if (!err)
		err = alloc_zeroed(SVM_MSRPM_SIZE, &shared_msrpm_pa);
	if (err)
		return err;
	memset((void *)(uintptr_t)shared_iopm_pa, 0xff, SVM_IOPM_SIZE);
	memset((void *)(uintptr_t)shared_msrpm_pa, 0xff, SVM_MSRPM_SIZE);
	svm_msrpm_open((uint8_t *)(uintptr_t)shared_msrpm_pa);
	return 0;
}

static int svm_cpu_enable(void)
{
	struct svm_cpu *c = &svm_cpus[this_cpu_index()];
	int err;

	if (c->enabled)
		return 0;
	err = alloc_zeroed(PAGE_SIZE, &c->hsave_pa);
	if (!err)
		err = alloc_zeroed(PAGE_SIZE, &c->host_area_pa);
	if (err)
		return err;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, c->hsave_pa);
	vmsave(c->host_area_pa);
	c->enabled = true;
	return 0;
}

static int svm_create(struct vcpu *v)
{
	struct svm_state *s;
	phys_addr_t pa;
	int err = init_bitmaps();

	if (!err)
		err = alloc_zeroed(sizeof(*s), &pa);
	if (err)
		return err;
	s = (struct svm_state *)(uintptr_t)pa;
	err = alloc_zeroed(sizeof(struct vmcb), &s->vmcb_pa);
	if (err)
		return err;
	s->vmcb = (struct vmcb *)(uintptr_t)s->vmcb_pa;
	v->backend = s;
	return 0;
}

static void set_segment(struct vmcb_segment *seg, uint16_t sel, uint16_t attrib, uint32_t limit)
{
	*seg = (struct vmcb_segment){.selector = sel, .attrib = attrib, .limit = limit, .base = 0};
}

static void setup_control(struct vmcb_control *c, const struct vcpu_start_state *st)
{
	c->intercept_exceptions = 0;
	/*
	 * NMI: kicks from other CPUs. INIT and SHUTDOWN: never let them reset the
	 * CPU. INVD: it would drop dirty lines of the whole machine's caches,
	 * other partitions' and ours included; it runs as WBINVD instead.
	 */
	c->intercept_misc1 = SVM_INTERCEPT_NMI | SVM_INTERCEPT_SMI | SVM_INTERCEPT_INIT |
			     SVM_INTERCEPT_CPUID | SVM_INTERCEPT_INVLPGA | SVM_INTERCEPT_INVD |
			     SVM_INTERCEPT_IOIO_PROT | SVM_INTERCEPT_MSR_PROT |
			     SVM_INTERCEPT_SHUTDOWN;
	c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD |
			     SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			     SVM_INTERCEPT_SKINIT;
	c->iopm_base_pa = shared_iopm_pa;
	c->msrpm_base_pa = shared_msrpm_pa;
	c->guest_asid = GUEST_ASID;
	c->tlb_control = SVM_TLB_FLUSH_ALL;
	c->v_intr = 0; /* V_INTR_MASKING off: the guest's IF masks physical interrupts */
	c->np_enable = SVM_NP_ENABLE;
	c->n_cr3 = st->npt_root;
	c->eventinj = 0;
}

static void svm_reset(struct vcpu *v, const struct vcpu_start_state *st)
{
	struct vmcb *vmcb = state(v)->vmcb;
	struct vmcb_save *s = &vmcb->save;

	memset(vmcb, 0, sizeof(*vmcb));
	setup_control(&vmcb->control, st);
	set_segment(&s->cs, 0x08, SEG_CODE64, 0xffffffff);
	set_segment(&s->ds, 0x10, SEG_DATA, 0xffffffff);
	s->es = s->ss = s->fs = s->gs = s->ds;
	set_segment(&s->tr, 0, SEG_TSS64_BUSY, 0x67);
	set_segment(&s->ldtr, 0, 0, 0);
	s->gdtr.base = st->gdt_base;
	s->gdtr.limit = st->gdt_limit;
	s->cr0 = GUEST_CR0;
	s->cr3 = st->cr3;
	s->cr4 = GUEST_CR4;
	s->efer = GUEST_EFER;
	s->rflags = 0x2;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->g_pat = GUEST_PAT;
	s->rip = v->start_rip;
	s->rsp = v->start_rsp;
	memset(v->gprs, 0, sizeof(v->gprs));
	v->gprs[GPR_RDI] = v->start_rdi;
	v->gprs[GPR_RSI] = v->start_rsi;
	state(v)->flush_tlb = true;
}

/*
 * An event that was being delivered when the exit happened must be
 * delivered again. TCG records interrupts and NMIs as exceptions (type 3):
 * re-injecting those verbatim is refused, so their type is rewritten.
 */
static void reinject_interrupted_event(struct vmcb_control *c)
{
	uint64_t info = c->exitintinfo;
	unsigned vector = info & 0xff, type = (info & SVM_EVENT_TYPE_MASK) >> SVM_EVENT_TYPE_SHIFT;

	if (!(info & SVM_EVENT_VALID))
		return;
	if (type == SVM_EVENT_TYPE_EXCEPTION && vector >= 32)
		type = SVM_EVENT_TYPE_INTR;
	else if (type == SVM_EVENT_TYPE_EXCEPTION && vector == 2)
		type = SVM_EVENT_TYPE_NMI;
	c->eventinj = (info & ~(uint64_t)SVM_EVENT_TYPE_MASK) |
		      ((uint64_t)type << SVM_EVENT_TYPE_SHIFT);
}

static void decode_io(struct vm_exit *e, uint64_t info1)
{
	e->type = VM_EXIT_IO;
	e->io.port = (uint16_t)(info1 >> SVM_IOIO_PORT_SHIFT);
	e->io.in = info1 & SVM_IOIO_IN;
	e->io.string = info1 & SVM_IOIO_STRING;
	e->io.size = (info1 >> SVM_IOIO_SIZE_SHIFT) & 7; /* one-hot 1, 2 or 4: the size */
}

static void decode_exit(const struct vmcb *vmcb, struct vm_exit *e)
{
	const struct vmcb_control *c = &vmcb->control;
	uint32_t code = (uint32_t)c->exitcode;

	memset(e, 0, sizeof(*e));
	e->vendor_code = c->exitcode;
	e->rip = vmcb->save.rip;
	switch (code) {
	case SVM_EXIT_VMMCALL:
		e->type = VM_EXIT_HYPERCALL;
		e->insn_len = LEN_VMMCALL;
		break;
	case SVM_EXIT_CPUID:
		e->type = VM_EXIT_CPUID;
		e->insn_len = LEN_CPUID;
		break;
	case SVM_EXIT_MSR:
		e->type = c->exitinfo1 ? VM_EXIT_MSR_WRITE : VM_EXIT_MSR_READ;
		e->insn_len = LEN_MSR;
		break;
	case SVM_EXIT_IOIO:
		decode_io(e, c->exitinfo1);
		/* Without NRIPS, TCG still leaves the next RIP in EXITINFO2 for IOIO. */
		e->insn_len = (uint8_t)(c->exitinfo2 - vmcb->save.rip);
		break;
	case SVM_EXIT_NPF:
		e->type = VM_EXIT_NPF;
		e->npf.gpa = c->exitinfo2;
		e->npf.write = c->exitinfo1 & SVM_NPF_WRITE;
		e->npf.fetch = c->exitinfo1 & SVM_NPF_FETCH;
		e->npf.present = c->exitinfo1 & SVM_NPF_PRESENT;
		break;
	case SVM_EXIT_NMI:
		e->type = VM_EXIT_NMI;
		break;
	case SVM_EXIT_INTR:
		e->type = VM_EXIT_INTR;
		break;
	case SVM_EXIT_HLT:
		e->type = VM_EXIT_HLT;
		break;
	case SVM_EXIT_SHUTDOWN:
		e->type = VM_EXIT_SHUTDOWN;
		break;
	case SVM_EXIT_INVALID:
		e->type = VM_EXIT_INVALID;
		break;
	case SVM_EXIT_INVD:
		e->type = VM_EXIT_EMULATED; /* by svm_run: see emulate_invd() */
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_INVLPGA: /* another ASID's TLB entries: SVM is not the guest's */
	case SVM_EXIT_VMLOAD ... SVM_EXIT_SKINIT:
		e->type = VM_EXIT_FORBIDDEN_INSN;
		break;
	default:
		e->type = VM_EXIT_OTHER;
	}
}

/* INVD done as WBINVD: the guest loses nothing it wrote, and nobody else does either. */
static void emulate_invd(struct vmcb *vmcb)
{
	__asm__ volatile("wbinvd" ::: "memory");
	vmcb->save.rip += LEN_INVD;
}

static void svm_run(struct vcpu *v, struct vm_exit *exit)
{
	struct svm_state *s = state(v);
	struct vmcb_control *c = &s->vmcb->control;
	struct svm_cpu *cpu = &svm_cpus[this_cpu_index()];

	c->tlb_control = s->flush_tlb ? SVM_TLB_FLUSH_ALL : 0;
	s->flush_tlb = false;
	clgi();
	svm_enter(s->vmcb_pa, v->gprs, cpu->host_area_pa);
	/* Our GS base is back (host VMLOAD); GIF is 0 until here. */
	stgi();
	c->eventinj = 0;
	reinject_interrupted_event(c);
	decode_exit(s->vmcb, exit);
	if ((uint32_t)c->exitcode == SVM_EXIT_INVD)
		emulate_invd(s->vmcb);
}

static uint64_t svm_get_rip(struct vcpu *v)
{
	return state(v)->vmcb->save.rip;
}

static void svm_set_rip(struct vcpu *v, uint64_t rip)
{
	state(v)->vmcb->save.rip = rip;
}

static uint64_t svm_get_reg(struct vcpu *v, enum gpr reg)
{
	if (reg == GPR_RAX)
		return state(v)->vmcb->save.rax;
	if (reg == GPR_RSP)
		return state(v)->vmcb->save.rsp;
	return v->gprs[reg];
}

static void svm_set_reg(struct vcpu *v, enum gpr reg, uint64_t val)
{
	if (reg == GPR_RAX)
		state(v)->vmcb->save.rax = val;
	else if (reg == GPR_RSP)
		state(v)->vmcb->save.rsp = val;
	else
		v->gprs[reg] = val;
}

static uint64_t svm_get_cr3(struct vcpu *v)
{
	return state(v)->vmcb->save.cr3;
}

static bool svm_paging_enabled(struct vcpu *v)
{
	return state(v)->vmcb->save.cr0 & BIT(31);
}

static uint64_t svm_get_efer(struct vcpu *v)
{
	return state(v)->vmcb->save.efer;
}

static void svm_set_efer(struct vcpu *v, uint64_t efer)
{
	state(v)->vmcb->save.efer = efer;
}

/* EVENTINJ's error-code-valid bit is ignored by TCG; the vector decides. */
static void inject_exception(struct vcpu *v, unsigned vector, bool has_error)
{
	state(v)->vmcb->control.eventinj = SVM_EVENT_VALID | vector |
					   (SVM_EVENT_TYPE_EXCEPTION << SVM_EVENT_TYPE_SHIFT) |
					   (has_error ? SVM_EVENT_ERROR_VALID : 0);
}

static void svm_inject_gp(struct vcpu *v)
{
	inject_exception(v, 13, true);
}

static void svm_inject_ud(struct vcpu *v)
{
	inject_exception(v, 6, false);
}

static void svm_flush_tlb(struct vcpu *v)
{
	state(v)->flush_tlb = true;
}

const struct vcpu_backend svm_backend = {
	.name = "svm",
	.nested_format = &paging_format_npt,
	.cpu_enable = svm_cpu_enable,
	.create = svm_create,
	.reset = svm_reset,
	.run = svm_run,
	.get_rip = svm_get_rip,
	.set_rip = svm_set_rip,
	.get_reg = svm_get_reg,
	.set_reg = svm_set_reg,
	.get_cr3 = svm_get_cr3,
	.paging_enabled = svm_paging_enabled,
	.get_efer = svm_get_efer,
	.set_efer = svm_set_efer,
	.inject_gp = svm_inject_gp,
	.inject_ud = svm_inject_ud,
	.flush_tlb = svm_flush_tlb,
};
