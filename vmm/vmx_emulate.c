/*
 * Exits only VMX has, emulated in the backend so the common handlers see the
 * same partitions as on SVM (which intercepts none of these):
 * - MOV to CR0/CR4, CLTS and LMSW that change a bit the guest/host masks
 *   give the host (the processor's fixed bits): checked by vmx_cr.c, then
 *   the register, mask and read shadow are rewritten, or #GP is raised, or
 *   the partition is stopped for a mode switch this backend won't emulate.
 * - INVD (always exits) and WBINVD (exits if the CPU forces WBINVD exiting):
 *   both write back and invalidate the caches. INVD without write-back
 *   would drop dirty lines of other partitions' and the hypervisor's
 *   memory, so it is done as WBINVD, as other hypervisors do.
 */
#include "vmm/vmx.h"
#include "hv/log.h"
#include "vmm/partition.h"
#include "vmm/vmx_insn.h"

struct cr_fields {
	enum vmcs_field value, mask, shadow;
};

static const struct cr_fields cr0_fields = {VMCS_GUEST_CR0, VMCS_CR0_GUEST_HOST_MASK,
					    VMCS_CR0_READ_SHADOW};
static const struct cr_fields cr4_fields = {VMCS_GUEST_CR4, VMCS_CR4_GUEST_HOST_MASK,
					    VMCS_CR4_READ_SHADOW};

static uint64_t guest_view(const struct cr_fields *f)
{
	return vmx_cr_guest_view(vmcs_read(f->value), vmcs_read(f->mask), vmcs_read(f->shadow));
}

static struct vmx_cr_guest read_guest(void)
{
	uint64_t efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	bool cs_long = vmcs_read(VMCS_GUEST_CS_ACCESS_RIGHTS) & VMX_AR_LONG;

	return (struct vmx_cr_guest){
	    .cr0 = guest_view(&cr0_fields),
	    .cr4 = guest_view(&cr4_fields),
	    .cr3 = vmcs_read(VMCS_GUEST_CR3),
	    .efer = efer,
	    .in_64bit_mode = (efer & X86_EFER_LMA) && cs_long,
	};
}

static void skip(struct vcpu *v, const struct vmx_exit_info *x)
{
	vmx_backend.set_rip(v, x->rip + x->insn_len);
}

static void refused(struct vm_exit *e, enum hv_stop_reason reason)
{
	e->type = VM_EXIT_REFUSED;
	e->refused.reason = reason;
}

/* The CR0 or CR4 value the instruction asks for; false if this exit should not happen. */
static bool requested(struct vcpu *v, const struct vmx_cr_access *a, const struct vmx_cr_guest *g,
		      uint64_t *val)
{
	if (a->type == VMX_CR_CLTS) {
		*val = vmx_cr0_after_clts(g->cr0);
	} else if (a->type == VMX_CR_LMSW) {
		*val = vmx_cr0_after_lmsw(g->cr0, a->lmsw_source);
	} else if (a->type == VMX_CR_MOV_TO && (a->cr == 0 || a->cr == 4)) {
		*val = vmx_backend.get_reg(v, a->gpr);
		if (!g->in_64bit_mode)
			*val = (uint32_t)*val; /* 32-bit operand outside 64-bit mode */
	} else {
		return false; /* CR3/CR8 and reads: their exiting controls are off */
	}
	return true;
}

static void finish(struct vcpu *v, const struct vmx_exit_info *x, unsigned cr,
		   const struct vmx_cr_result *r, struct vm_exit *e)
{
	const struct cr_fields *f = cr == 4 ? &cr4_fields : &cr0_fields;

	e->type = VM_EXIT_EMULATED;
	if (r->verdict == VMX_CR_FAULT) {
		log_warn("vmx", "cr write faulted partition=%s cr=%u why=%s rip=0x%llx",
			 partition_name(v->part), cr, r->why, (unsigned long long)x->rip);
		vmx_backend.inject_gp(v);
		return;
	}
	if (r->verdict == VMX_CR_REFUSE) {
		log_error("vmx", "cr write refused partition=%s cr=%u why=%s rip=0x%llx",
			  partition_name(v->part), cr, r->why, (unsigned long long)x->rip);
		refused(e, HV_STOP_UNHANDLED_EXIT);
		return;
	}
	vmcs_write(f->value, r->write.value);
	vmcs_write(f->mask, r->write.mask);
	vmcs_write(f->shadow, r->write.shadow);
	vmx_backend.flush_tlb(v); /* paging-related bits may have changed */
	skip(v, x);
}

static void emulate_cr(struct vcpu *v, const struct vmx_exit_info *x,
		       const struct vmx_cr_fixed_msrs *fixed, struct vm_exit *e)
{
	struct vmx_cr_access a = vmx_cr_access_decode(x->qualification);
	struct vmx_cr_guest g = read_guest();
	struct vmx_cr_result r;
	unsigned cr = a.type == VMX_CR_MOV_TO ? a.cr : 0;
	uint64_t val;

	if (!requested(v, &a, &g, &val)) {
		log_error("vmx", "cr access not expected partition=%s cr=%u type=%u rip=0x%llx",
			  partition_name(v->part), a.cr, a.type, (unsigned long long)x->rip);
		refused(e, HV_STOP_UNHANDLED_EXIT);
		return;
	}
	r = cr == 4 ? vmx_cr4_write(&g, val, fixed) : vmx_cr0_write(&g, val, fixed);
	finish(v, x, cr, &r, e);
}

void vmx_emulate(struct vcpu *v, const struct vmx_exit_info *x,
		 const struct vmx_cr_fixed_msrs *fixed, struct vm_exit *e)
{
	switch (x->reason & VMX_EXIT_REASON_MASK) {
	case VMX_REASON_CR_ACCESS:
		emulate_cr(v, x, fixed, e);
		break;
	case VMX_REASON_INVD:
	case VMX_REASON_WBINVD:
		__asm__ volatile("wbinvd" ::: "memory");
		skip(v, x);
		e->type = VM_EXIT_EMULATED;
		break;
	default:
		break;
	}
}
