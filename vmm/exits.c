/* Exit dispatch and containment (see exits.h). */
#include "vmm/exits.h"
#include "hv/log.h"
#include "kernel/percpu.h"
#include "iommu/iommu.h"
#include "vmm/canary.h"
#include "vmm/hypercall.h"
#include "vmm/partition.h"

static enum hv_exit_reason counted_reason(enum vm_exit_type type)
{
	switch (type) {
	case VM_EXIT_HYPERCALL:
		return HV_EXIT_HYPERCALL;
	case VM_EXIT_CPUID:
		return HV_EXIT_CPUID;
	case VM_EXIT_MSR_READ:
	case VM_EXIT_MSR_WRITE:
		return HV_EXIT_MSR;
	case VM_EXIT_IO:
		return HV_EXIT_IO;
	case VM_EXIT_NPF:
		return HV_EXIT_NPF;
	case VM_EXIT_NMI:
		return HV_EXIT_NMI;
	case VM_EXIT_INTR:
		return HV_EXIT_INTR;
	case VM_EXIT_HLT:
		return HV_EXIT_HLT;
	case VM_EXIT_SHUTDOWN:
		return HV_EXIT_SHUTDOWN;
	default:
		return HV_EXIT_OTHER;
	}
}

void exit_skip_instruction(struct vcpu *v, unsigned len)
{
	const struct vcpu_backend *be = vcpu_backend();

	be->set_rip(v, be->get_rip(v) + len);
}

void exit_contain(struct vcpu *v, enum hv_stop_reason reason, uint64_t gpa)
{
	partition_stop(v->part, reason, vcpu_backend()->get_rip(v), gpa);
	canary_check_all("containment");
}

static void exit_npf(struct vcpu *v, const struct vm_exit *e)
{
	if (exit_mmio(v, e)) {
		__atomic_fetch_add(&v->part->exits[HV_EXIT_MMIO], 1, __ATOMIC_RELAXED);
		return;
	}
	log_error("vmm", "npt violation partition=%s gpa=0x%llx rip=0x%llx access=%s",
		  partition_name(v->part), (unsigned long long)e->npf.gpa,
		  (unsigned long long)e->rip,
		  e->npf.fetch ? "fetch" : e->npf.write ? "write" : "read");
	exit_contain(v, HV_STOP_NPT_VIOLATION, e->npf.gpa);
}

static void exit_unhandled(struct vcpu *v, const struct vm_exit *e, enum hv_stop_reason reason)
{
	log_error("vmm", "exit not emulated partition=%s code=0x%llx rip=0x%llx",
		  partition_name(v->part), (unsigned long long)e->vendor_code,
		  (unsigned long long)e->rip);
	exit_contain(v, reason, 0);
}

static void exit_io(struct vcpu *v, const struct vm_exit *e)
{
	log_error("vmm", "port i/o refused partition=%s port=0x%x size=%u dir=%s rip=0x%llx",
		  partition_name(v->part), e->io.port, e->io.size, e->io.in ? "in" : "out",
		  (unsigned long long)e->rip);
	exit_contain(v, HV_STOP_UNHANDLED_EXIT, 0);
}

void exit_handle(struct vcpu *v, const struct vm_exit *e)
{
	__atomic_fetch_add(&v->part->exits[counted_reason(e->type)], 1, __ATOMIC_RELAXED);
	switch (e->type) {
	case VM_EXIT_HYPERCALL:
		hypercall_handle(v);
		exit_skip_instruction(v, e->insn_len);
		break;
	case VM_EXIT_CPUID:
		exit_cpuid(v);
		exit_skip_instruction(v, e->insn_len);
		break;
	case VM_EXIT_MSR_READ:
		exit_msr_read(v, (uint32_t)vcpu_backend()->get_reg(v, GPR_RCX));
		break;
	case VM_EXIT_MSR_WRITE:
		exit_msr_write(v, (uint32_t)vcpu_backend()->get_reg(v, GPR_RCX));
		break;
	case VM_EXIT_NPF:
		exit_npf(v, e);
		break;
	case VM_EXIT_NMI:
		/* A kick, or a fault event routed as NMI: look for faults either way. */
		__atomic_store_n(&this_cpu()->nmi_kick, false, __ATOMIC_RELEASE);
		iommu_handle_faults();
		break;
	case VM_EXIT_IO:
		exit_io(v, e);
		break;
	case VM_EXIT_SHUTDOWN:
		log_error("vmm", "triple fault partition=%s rip=0x%llx", partition_name(v->part),
			  (unsigned long long)e->rip);
		exit_contain(v, HV_STOP_TRIPLE_FAULT, 0);
		break;
	case VM_EXIT_INVALID:
		exit_unhandled(v, e, HV_STOP_BAD_STATE);
		break;
	case VM_EXIT_FORBIDDEN_INSN:
		vcpu_backend()->inject_ud(v);
		break;
	case VM_EXIT_XSETBV:
		exit_xsetbv(v, e);
		break;
	case VM_EXIT_EMULATED:
		break;
	case VM_EXIT_REFUSED:
		exit_contain(v, (enum hv_stop_reason)e->refused.reason, 0);
		break;
	default:
		exit_unhandled(v, e, HV_STOP_UNHANDLED_EXIT);
	}
}
