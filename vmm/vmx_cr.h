/*
 * Guest writes to CR0 and CR4 that VMX makes exit: the bits the processor
 * fixes in VMX operation (IA32_VMX_CR0/CR4_FIXED0/1: CR0.NE, CR4.VMXE) are
 * host-owned through the guest/host masks, so a guest write that changes
 * one of them as the guest sees it (read shadow) exits. SVM intercepts no CR
 * write, so the guest must see the same thing here as there: what the
 * architecture allows is done (the shadow keeps what the guest wrote, the
 * real register keeps the fixed bits), what it forbids raises #GP, and the
 * mode switches (CR0.PE/PG) that would need more than a register write are
 * refused and stop the partition. Architectural checks: SDM vol. 2, "MOV -
 * Move to/from Control Registers", "LMSW", "CLTS"; vol. 3, "Control
 * Registers".
 *
 * Pure logic on register values: vmx_emulate.c reads the VMCS and applies
 * the result; host tests drive it.
 */
#ifndef VMM_VMX_CR_H
#define VMM_VMX_CR_H

#include "hv/types.h"
#include "vmm/vcpu.h"
#include "vmm/vmx_controls.h"

#define X86_CR0_PE    BIT(0)
#define X86_CR0_MP    BIT(1)
#define X86_CR0_EM    BIT(2)
#define X86_CR0_TS    BIT(3)
#define X86_CR0_ET    BIT(4)
#define X86_CR0_NE    BIT(5)
#define X86_CR0_WP    BIT(16)
#define X86_CR0_AM    BIT(18)
#define X86_CR0_NW    BIT(29)
#define X86_CR0_CD    BIT(30)
#define X86_CR0_PG    BIT(31)
#define X86_CR4_PAE   BIT(5)
#define X86_CR4_LA57  BIT(12)
#define X86_CR4_VMXE  BIT(13)
#define X86_CR4_PCIDE BIT(17)
#define X86_CR4_CET   BIT(23)
#define X86_EFER_LME  BIT(8)
#define X86_EFER_LMA  BIT(10)

/* Exit qualification for control-register accesses (SDM vol. 3, table 28-3). */
enum vmx_cr_access_type {
	VMX_CR_MOV_TO = 0,
	VMX_CR_MOV_FROM = 1,
	VMX_CR_CLTS = 2,
	VMX_CR_LMSW = 3,
};

struct vmx_cr_access {
	unsigned cr;		      /* bits 3:0; 0 for CLTS and LMSW */
	enum vmx_cr_access_type type; /* bits 5:4 */
	enum gpr gpr;		      /* bits 11:8, MOV only */
	uint16_t lmsw_source;	      /* bits 31:16, LMSW only */
};

struct vmx_cr_access vmx_cr_access_decode(uint64_t qualification);

/* The guest's state a CR write is checked against, as the guest sees it. */
struct vmx_cr_guest {
	uint64_t cr0, cr4; /* read shadow merged over the real value for masked bits */
	uint64_t cr3;
	uint64_t efer;
	bool in_64bit_mode; /* EFER.LMA and CS.L */
};

/* IA32_VMX_CR0/CR4_FIXED0/1 of this processor. */
struct vmx_cr_fixed_msrs {
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

enum vmx_cr_verdict {
	VMX_CR_APPLY,  /* write .write.value, .mask and .shadow; skip the instruction */
	VMX_CR_FAULT,  /* the architecture raises #GP(0) */
	VMX_CR_REFUSE, /* allowed, but not emulated: stop the partition */
};

struct vmx_cr_result {
	enum vmx_cr_verdict verdict;
	struct vmx_cr write; /* valid for VMX_CR_APPLY */
	const char *why;     /* for the log line, FAULT and REFUSE */
};

/* The guest-visible value: shadow bits where the mask owns them, the register elsewhere. */
uint64_t vmx_cr_guest_view(uint64_t real, uint64_t mask, uint64_t shadow);

/* MOV to CR0 / CR4 of val by a guest in state g. */
struct vmx_cr_result vmx_cr0_write(const struct vmx_cr_guest *g, uint64_t val,
				   const struct vmx_cr_fixed_msrs *f);
struct vmx_cr_result vmx_cr4_write(const struct vmx_cr_guest *g, uint64_t val,
				   const struct vmx_cr_fixed_msrs *f);

/* The CR0 value CLTS and LMSW ask for, to be checked by vmx_cr0_write. */
uint64_t vmx_cr0_after_clts(uint64_t cr0);
uint64_t vmx_cr0_after_lmsw(uint64_t cr0, uint16_t source);

#endif
