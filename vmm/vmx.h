/*
 * VMX backend internals shared between its files: exit decoding and event
 * re-injection (vmx_exits.c) and the MSR bitmap (vmx_msr_bitmap.c), pure
 * logic on values read from the VMCS that host tests drive; filling a VMCS
 * for a vCPU's start (vmx_vmcs_setup.c).
 */
#ifndef VMM_VMX_H
#define VMM_VMX_H

#include "vmm/vcpu.h"
#include "vmm/vmx_controls.h"
#include "vmm/vmx_cr.h"

/* The VMCS exit fields the decoder needs, as vmx.c read them. */
struct vmx_exit_info {
	uint32_t reason;	 /* exit reason, entry-failure bit 31 included */
	uint64_t qualification;	 /* exit qualification */
	uint64_t guest_physical; /* guest-physical address (EPT violations) */
	uint64_t rip;		 /* guest RIP */
	uint32_t insn_len;	 /* VM-exit instruction length */
	uint32_t intr_info;	 /* VM-exit interruption information */
};

/* vendor_code of a VMLAUNCH/VMRESUME that failed without an exit: this | error number. */
#define VMX_VENDOR_VMFAIL (1ULL << 32)

void vmx_decode_exit(const struct vmx_exit_info *x, struct vm_exit *e);

/*
 * What only VMX makes exit, emulated by the backend itself (vmx_emulate.c):
 * CR0/CR4 writes touching host-owned bits, INVD and WBINVD. On the vCPU's
 * CPU with its VMCS current; *e becomes VM_EXIT_EMULATED or VM_EXIT_REFUSED.
 * Other exits are left as decoded.
 */
void vmx_emulate(struct vcpu *v, const struct vmx_exit_info *x,
		 const struct vmx_cr_fixed_msrs *fixed, struct vm_exit *e);

/* An event for the VM-entry interruption-information, error-code and length fields. */
struct vmx_event {
	uint32_t info, error_code, insn_len;
};

/*
 * An event whose delivery the exit interrupted (IDT-vectoring information)
 * must be delivered again: fills *ev and returns true if there was one.
 * Software interrupts and exceptions need the instruction length again.
 */
bool vmx_reinject_event(uint32_t idt_info, uint32_t idt_error, uint32_t exit_insn_len,
			struct vmx_event *ev);

/* A hardware exception to inject (#GP with error code 0, #UD). */
struct vmx_event vmx_exception_event(unsigned vector, bool has_error);

/* What a VM-instruction error number means (SDM "VM Instruction Error Numbers"). */
const char *vmx_insn_error_name(uint32_t error);

/* Clears the exit bits of the MSRs guests may use directly (msr_policy.h); 4 KiB map. */
void vmx_msr_bitmap_open(uint8_t *bitmap);

/* What vmx_vmcs_setup() programs besides the vCPU's start state. */
struct vmx_vmcs_params {
	const struct vmx_controls *ctl;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1; /* IA32_VMX_CRn_FIXEDn */
	phys_addr_t io_bitmap_pa;			       /* bitmap A; B follows */
	phys_addr_t msr_bitmap_pa;
	uint16_t vpid; /* used if ctl->vpid */
};

/*
 * Writes controls, this CPU's host state and the 64-bit start state into
 * the current VMCS (on the vCPU's CPU, after VMCLEAR and VMPTRLD).
 */
void vmx_vmcs_setup(const struct vcpu *v, const struct vcpu_start_state *st,
		    const struct vmx_vmcs_params *p);

#endif
