/*
 * VMX exit reasons mapped to the backend-neutral struct vm_exit, and the
 * event formats of the VM-entry fields (see vmx.h). Exit reasons and
 * qualifications: SDM vol. 3, appendix C and "Exit Qualification".
 */
#include "vmm/vmx.h"
#include "hv/string.h"
#include "vmm/vmx_vmcs.h"

static void decode_io(struct vm_exit *e, uint64_t q)
{
	e->type = VM_EXIT_IO;
	e->io.port = (uint16_t)(q >> VMX_IO_PORT_SHIFT);
	e->io.size = (uint8_t)((q & VMX_IO_SIZE_MASK) + 1);
	e->io.in = q & VMX_IO_IN;
	e->io.string = q & VMX_IO_STRING;
}

/* "present" as on SVM: the guest-physical page had a translation, just not this right. */
static void decode_ept_violation(struct vm_exit *e, const struct vmx_exit_info *x)
{
	uint64_t q = x->qualification;

	e->type = VM_EXIT_NPF;
	e->npf.gpa = x->guest_physical;
	e->npf.write = q & VMX_EPT_WRITE;
	e->npf.fetch = q & VMX_EPT_FETCH;
	e->npf.present = q & (VMX_EPT_READABLE | VMX_EPT_WRITABLE | VMX_EPT_EXECUTABLE);
}

/* With an empty exception bitmap only NMIs exit with reason 0. */
static enum vm_exit_type exception_or_nmi(uint32_t intr_info)
{
	uint32_t type = (intr_info & VMX_INTR_TYPE_MASK) >> VMX_INTR_TYPE_SHIFT;

	if ((intr_info & VMX_INTR_VALID) && type == VMX_INTR_TYPE_NMI)
		return VM_EXIT_NMI;
	return VM_EXIT_OTHER;
}

/* The exits that need nothing but a type (and, for instructions, their length). */
static enum vm_exit_type simple_type(uint32_t basic)
{
	switch (basic) {
	case VMX_REASON_EXTERNAL_INTERRUPT:
		return VM_EXIT_INTR;
	case VMX_REASON_TRIPLE_FAULT:
		return VM_EXIT_SHUTDOWN;
	case VMX_REASON_HLT:
		return VM_EXIT_HLT;
	case VMX_REASON_CPUID:
		return VM_EXIT_CPUID;
	case VMX_REASON_VMCALL:
		return VM_EXIT_HYPERCALL;
	case VMX_REASON_RDMSR:
		return VM_EXIT_MSR_READ;
	case VMX_REASON_WRMSR:
		return VM_EXIT_MSR_WRITE;
	case VMX_REASON_XSETBV:
		return VM_EXIT_XSETBV;
	case VMX_REASON_GETSEC:
	case VMX_REASON_VMCLEAR ... VMX_REASON_VMXON:
	case VMX_REASON_INVEPT:
	case VMX_REASON_INVVPID:
	case VMX_REASON_VMFUNC:
		return VM_EXIT_FORBIDDEN_INSN;
	default:
		return VM_EXIT_OTHER;
	}
}

void vmx_decode_exit(const struct vmx_exit_info *x, struct vm_exit *e)
{
	uint32_t basic = x->reason & VMX_EXIT_REASON_MASK;

	memset(e, 0, sizeof(*e));
	e->vendor_code = x->reason;
	e->rip = x->rip;
	if (x->reason & VMX_EXIT_REASON_ENTRY_FAILURE) {
		e->type = VM_EXIT_INVALID;
		return;
	}
	if (basic == VMX_REASON_IO) {
		decode_io(e, x->qualification);
	} else if (basic == VMX_REASON_EPT_VIOLATION) {
		decode_ept_violation(e, x);
		return;
	} else if (basic == VMX_REASON_EXCEPTION_NMI) {
		e->type = exception_or_nmi(x->intr_info);
		return;
	} else {
		e->type = simple_type(basic);
	}
	/* Valid for every instruction that exits; CPUID, VMCALL, MSRs, XSETBV and I/O use it. */
	if (e->type != VM_EXIT_OTHER && e->type != VM_EXIT_INTR && e->type != VM_EXIT_SHUTDOWN)
		e->insn_len = (uint8_t)x->insn_len;
}

static bool needs_insn_len(uint32_t type)
{
	return type == VMX_INTR_TYPE_SW_INTERRUPT || type == VMX_INTR_TYPE_PRIV_SW_EXCEPTION ||
	       type == VMX_INTR_TYPE_SW_EXCEPTION;
}

bool vmx_reinject_event(uint32_t idt_info, uint32_t idt_error, uint32_t exit_insn_len,
			struct vmx_event *ev)
{
	uint32_t type = (idt_info & VMX_INTR_TYPE_MASK) >> VMX_INTR_TYPE_SHIFT;

	if (!(idt_info & VMX_INTR_VALID))
		return false;
	/* Bit 12 (NMI unblocking) and the rest are reserved in the entry field. */
	ev->info = idt_info & (VMX_INTR_VALID | VMX_INTR_ERROR_VALID | VMX_INTR_TYPE_MASK |
			       VMX_INTR_VECTOR_MASK);
	ev->error_code = (idt_info & VMX_INTR_ERROR_VALID) ? idt_error : 0;
	ev->insn_len = needs_insn_len(type) ? exit_insn_len : 0;
	return true;
}

struct vmx_event vmx_exception_event(unsigned vector, bool has_error)
{
	return (struct vmx_event){
	    .info = VMX_INTR_VALID | (VMX_INTR_TYPE_HW_EXCEPTION << VMX_INTR_TYPE_SHIFT) |
		    (vector & VMX_INTR_VECTOR_MASK) | (has_error ? VMX_INTR_ERROR_VALID : 0),
	};
}

const char *vmx_insn_error_name(uint32_t error)
{
	static const char *const names[] = {
	    [2] = "vmclear-invalid-address",
	    [3] = "vmclear-vmxon-pointer",
	    [4] = "vmlaunch-non-clear-vmcs",
	    [5] = "vmresume-non-launched-vmcs",
	    [6] = "vmresume-after-vmxoff",
	    [7] = "invalid-control-field",
	    [8] = "invalid-host-state-field",
	    [9] = "vmptrld-invalid-address",
	    [10] = "vmptrld-vmxon-pointer",
	    [11] = "vmptrld-bad-revision",
	    [12] = "unsupported-vmcs-component",
	    [13] = "vmwrite-read-only-component",
	    [26] = "events-blocked-by-mov-ss",
	    [28] = "invalid-invept-invvpid-operand",
	};

	return error < ARRAY_SIZE(names) && names[error] ? names[error] : "unknown";
}
