/*
 * Checks and results of guest CR0/CR4 writes that VMX makes exit (see
 * vmx_cr.h). Order of the checks follows the SDM's exception list for MOV
 * to CR: every #GP condition first, then what this hypervisor will not
 * emulate, then the value the VMCS gets.
 */
#include "vmm/vmx_cr.h"

#define CR_QUAL_CR_MASK	   0xfu
#define CR_QUAL_TYPE_SHIFT 4
#define CR_QUAL_TYPE_MASK  3u
#define CR_QUAL_GPR_SHIFT  8
#define CR_QUAL_GPR_MASK   0xfu
#define CR_QUAL_LMSW_SHIFT 16

/* What CR0 defines; other bits of 31:0 are ignored on a write, 63:32 fault. */
#define CR0_DEFINED                                                                                \
	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_ET | X86_CR0_NE |             \
	 X86_CR0_WP | X86_CR0_AM | X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
#define CR0_LMSW_BITS (X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS)
/* Mode switches: with an unrestricted guest the processor leaves these to the guest. */
#define CR0_MODE_BITS (X86_CR0_PE | X86_CR0_PG)
#define CR3_PCID_MASK 0xfffULL

struct vmx_cr_access vmx_cr_access_decode(uint64_t q)
{
	return (struct vmx_cr_access){
	    .cr = (unsigned)(q & CR_QUAL_CR_MASK),
	    .type = (enum vmx_cr_access_type)((q >> CR_QUAL_TYPE_SHIFT) & CR_QUAL_TYPE_MASK),
	    .gpr = (enum gpr)((q >> CR_QUAL_GPR_SHIFT) & CR_QUAL_GPR_MASK),
	    .lmsw_source = (uint16_t)(q >> CR_QUAL_LMSW_SHIFT),
	};
}

uint64_t vmx_cr_guest_view(uint64_t real, uint64_t mask, uint64_t shadow)
{
	return (real & ~mask) | (shadow & mask);
}

uint64_t vmx_cr0_after_clts(uint64_t cr0)
{
	return cr0 & ~X86_CR0_TS;
}

/* LMSW loads PE, MP, EM and TS but can set PE only, never clear it. */
uint64_t vmx_cr0_after_lmsw(uint64_t cr0, uint16_t source)
{
	return (cr0 & ~CR0_LMSW_BITS) | (source & CR0_LMSW_BITS) | (cr0 & X86_CR0_PE);
}

static struct vmx_cr_result fault(const char *why)
{
	return (struct vmx_cr_result){.verdict = VMX_CR_FAULT, .why = why};
}

static struct vmx_cr_result refuse(const char *why)
{
	return (struct vmx_cr_result){.verdict = VMX_CR_REFUSE, .why = why};
}

static struct vmx_cr_result apply(struct vmx_cr write)
{
	return (struct vmx_cr_result){.verdict = VMX_CR_APPLY, .write = write};
}

/* The #GP(0) conditions of MOV to CR0 (SDM vol. 2, MOV CR, protected and 64-bit mode). */
static const char *cr0_fault(const struct vmx_cr_guest *g, uint64_t val)
{
	if (val >> 32)
		return "cr0-reserved-bits";
	if ((val & X86_CR0_PG) && !(val & X86_CR0_PE))
		return "cr0-pg-without-pe";
	if ((val & X86_CR0_NW) && !(val & X86_CR0_CD))
		return "cr0-nw-without-cd";
	if (g->in_64bit_mode && !(val & X86_CR0_PG))
		return "cr0-pg-clear-in-64bit-mode";
	if ((g->cr4 & X86_CR4_CET) && !(val & X86_CR0_WP))
		return "cr0-wp-clear-with-cet";
	return NULL;
}

struct vmx_cr_result vmx_cr0_write(const struct vmx_cr_guest *g, uint64_t val,
				   const struct vmx_cr_fixed_msrs *f)
{
	const char *why = cr0_fault(g, val);

	if (why)
		return fault(why);
	/* Entering or leaving paging or protected mode also changes EFER.LMA and PDPTEs. */
	if ((val ^ g->cr0) & CR0_MODE_BITS)
		return refuse("cr0-mode-switch-with-host-owned-bit");
	val = (val & CR0_DEFINED) | X86_CR0_ET; /* ET is hardwired to 1 */
	return apply(vmx_cr_fixed(val, f->cr0_fixed0, f->cr0_fixed1, CR0_MODE_BITS));
}

/*
 * Bits this CPU supports in CR4 as the guest may see them: FIXED1 says which
 * may be 1 in VMX operation; VMXE is hidden (CPUID shows no VMX, and on AMD
 * the bit is reserved), so setting it faults as it would on SVM.
 */
static uint64_t cr4_supported(const struct vmx_cr_fixed_msrs *f)
{
	return f->cr4_fixed1 & ~X86_CR4_VMXE;
}

static const char *cr4_fault(const struct vmx_cr_guest *g, uint64_t val,
			     const struct vmx_cr_fixed_msrs *f)
{
	bool lma = g->efer & X86_EFER_LMA;
	uint64_t changed = val ^ g->cr4;

	if (val & ~cr4_supported(f))
		return val & X86_CR4_VMXE ? "cr4-vmxe-not-offered" : "cr4-reserved-bits";
	if (lma && !(val & X86_CR4_PAE))
		return "cr4-pae-clear-in-long-mode";
	if (lma && (changed & X86_CR4_LA57))
		return "cr4-la57-change-in-long-mode";
	if ((val & X86_CR4_PCIDE) && !lma)
		return "cr4-pcide-outside-long-mode";
	if ((changed & val & X86_CR4_PCIDE) && (g->cr3 & CR3_PCID_MASK))
		return "cr4-pcide-set-with-cr3-pcid";
	if ((val & X86_CR4_CET) && !(g->cr0 & X86_CR0_WP))
		return "cr4-cet-without-cr0-wp";
	return NULL;
}

struct vmx_cr_result vmx_cr4_write(const struct vmx_cr_guest *g, uint64_t val,
				   const struct vmx_cr_fixed_msrs *f)
{
	const char *why = cr4_fault(g, val, f);

	if (why)
		return fault(why);
	return apply(vmx_cr_fixed(val, f->cr4_fixed0, f->cr4_fixed1, 0));
}
