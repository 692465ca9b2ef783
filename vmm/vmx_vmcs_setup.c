/*
 * Filling a VMCS for a vCPU's start (see vmx.h): the controls decided at
 * boot, the host state of the CPU it runs on, and the 64-bit start state of
 * include/hv/guest_abi.h (long mode, flat segments, the guest's own page
 * tables and GDT). Field checks it must pass: SDM vol. 3, "Checks on VMX
 * Controls and Host-State Area" and "Checks on the Guest State Area".
 */
#include "vmm/vmx.h"
#include "kernel/arch/cpu.h"
#include "kernel/percpu.h"
#include "vmm/vmx_insn.h"

#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define CR0_PE BIT(0)
#define CR0_PG BIT(31)
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

/* Segment registers in the VMCS's order: field = ES's field + 2 * index. */
enum vmx_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

/* Exceptions stay in the guest; ports and MSRs exit per bitmap. */
static void write_controls(const struct vmx_vmcs_params *p, const struct vcpu_start_state *st)
{
	const struct vmx_controls *ctl = p->ctl;
	struct vmx_cr cr0 = vmx_cr_fixed(GUEST_CR0, p->cr0_fixed0, p->cr0_fixed1, CR0_PE | CR0_PG);
	struct vmx_cr cr4 = vmx_cr_fixed(GUEST_CR4, p->cr4_fixed0, p->cr4_fixed1, 0);

	vmcs_write(VMCS_PIN_BASED_CTLS, ctl->pinbased);
	vmcs_write(VMCS_PROC_BASED_CTLS, ctl->procbased);
	vmcs_write(VMCS_SECONDARY_PROC_BASED_CTLS, ctl->procbased2);
	vmcs_write(VMCS_EXIT_CTLS, ctl->exit);
	vmcs_write(VMCS_ENTRY_CTLS, ctl->entry);
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write(VMCS_IO_BITMAP_A, p->io_bitmap_pa);
	vmcs_write(VMCS_IO_BITMAP_B, p->io_bitmap_pa + VMX_IO_BITMAP_SIZE);
	vmcs_write(VMCS_MSR_BITMAP, p->msr_bitmap_pa);
	vmcs_write(VMCS_EPT_POINTER, vmx_eptp(st->npt_root));
	if (ctl->vpid)
		vmcs_write(VMCS_VPID, p->vpid);
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

void vmx_vmcs_setup(const struct vcpu *v, const struct vcpu_start_state *st,
		    const struct vmx_vmcs_params *p)
{
	write_controls(p, st);
	write_host_state();
	write_guest_state(v, st);
}
