/*
 * The MSRs that exit (everything not opened in msr_policy.c): a few are
 * emulated, the x2APIC registers that reach other CPUs are checked, the
 * ones the hypervisor relies on are protected; any other MSR is #GP, as on
 * a processor without it.
 */
#include "vmm/exits.h"
#include "hv/log.h"
#include "kernel/arch/cpu.h"
#include "vmm/msr_policy.h"
#include "vmm/partition.h"

#define MSR_TSC 0x10
#define MSR_APIC_BASE 0x1b
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_FEATURE_CONTROL_LOCK BIT(0)
#define MSR_MTRR_CAP 0xfe
#define MSR_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_EFER 0xc0000080
#define EFER_SVME BIT(12)
#define EFER_LMA BIT(10)
#define EFER_LME BIT(8)
#define EFER_GUEST_WRITABLE (BIT(0) | BIT(11)) /* SCE, NXE */
#define MSR_X2APIC_LVT_CMCI 0x82f
#define MSR_X2APIC_LVT_THERMAL 0x833
#define MSR_X2APIC_LVT_ERROR 0x837
#define APIC_SVR_ENABLE BIT(8)
#define ICR_VECTOR(v) ((v) & 0xff)
#define ICR_DELIVERY(v) (((v) >> 8) & 7)
#define ICR_DELIVERY_FIXED 0
#define ICR_LOGICAL BIT(11)
#define ICR_SHORTHAND(v) (((v) >> 18) & 3)
#define ICR_SHORTHAND_NONE 0
#define ICR_SHORTHAND_SELF 1
#define ICR_DEST(v) ((uint32_t)((v) >> 32))
#define LEN_MSR 2

static uint64_t msr_value(struct vcpu *v)
{
	const struct vcpu_backend *be = vcpu_backend();

	return (be->get_reg(v, GPR_RDX) << 32) | (uint32_t)be->get_reg(v, GPR_RAX);
}

static void msr_return(struct vcpu *v, uint64_t value)
{
	const struct vcpu_backend *be = vcpu_backend();

	be->set_reg(v, GPR_RAX, (uint32_t)value);
	be->set_reg(v, GPR_RDX, value >> 32);
	exit_skip_instruction(v, LEN_MSR);
}

void exit_msr_read(struct vcpu *v, uint32_t msr)
{
	switch (msr) {
	case MSR_APIC_BASE:
	case MSR_MTRR_CAP:
	case MSR_MTRR_DEF_TYPE:
	case MSR_MISC_ENABLE:
		msr_return(v, rdmsr(msr));
		return;
	case MSR_FEATURE_CONTROL:
		msr_return(v, MSR_FEATURE_CONTROL_LOCK); /* locked, no VMX */
		return;
	case MSR_EFER:
		msr_return(v, vcpu_backend()->get_efer(v));
		return;
	default:
		vcpu_backend()->inject_gp(v);
	}
}

static void forbid(struct vcpu *v, const char *what, uint32_t msr, uint64_t value)
{
	log_error("vmm", "msr write refused partition=%s what=%s msr=0x%x value=0x%llx",
		  partition_name(v->part), what, msr, (unsigned long long)value);
	exit_contain(v, HV_STOP_FORBIDDEN, 0);
}

static bool own_apic(const struct partition *p, uint32_t apic_id)
{
	for (unsigned i = 0; i < p->vcpu_count; i++)
		if (p->vcpus[i]->apic_id == apic_id)
			return true;
	return false;
}

/* Fixed interrupts to the partition's own CPUs only: no NMI, INIT, SIPI, broadcast. */
static bool icr_allowed(const struct vcpu *v, uint64_t icr)
{
	if (ICR_DELIVERY(icr) != ICR_DELIVERY_FIXED || ICR_VECTOR(icr) < 16)
		return false;
	if (ICR_SHORTHAND(icr) == ICR_SHORTHAND_SELF)
		return true;
	return ICR_SHORTHAND(icr) == ICR_SHORTHAND_NONE && !(icr & ICR_LOGICAL) &&
	       own_apic(v->part, ICR_DEST(icr));
}

static void write_efer(struct vcpu *v, uint64_t value)
{
	uint64_t efer = vcpu_backend()->get_efer(v);

	/* SVME (set under SVM, clear under VMX) and LME stay as the backend set them. */
	if (((value ^ efer) & (EFER_SVME | EFER_LME)) ||
	    (value & ~(EFER_GUEST_WRITABLE | EFER_SVME | EFER_LME | EFER_LMA))) {
		forbid(v, "efer", MSR_EFER, value);
		return;
	}
	vcpu_backend()->set_efer(v, (efer & ~EFER_GUEST_WRITABLE) | (value & EFER_GUEST_WRITABLE));
	exit_skip_instruction(v, LEN_MSR);
}

void exit_msr_write(struct vcpu *v, uint32_t msr)
{
	uint64_t value = msr_value(v);

	switch (msr) {
	case MSR_X2APIC_ICR:
		if (!icr_allowed(v, value)) {
			forbid(v, "ipi", msr, value);
			return;
		}
		wrmsr(msr, value);
		break;
	case MSR_X2APIC_SVR:
		wrmsr(msr, value | APIC_SVR_ENABLE); /* NMIs (kicks) need an enabled APIC */
		break;
	case MSR_X2APIC_LVT_CMCI:
	case MSR_X2APIC_LVT_THERMAL ... MSR_X2APIC_LVT_ERROR:
		if (msr == MSR_X2APIC_LVT_TIMER) { /* opened in the MSR map; never here */
			wrmsr(msr, value);
			break;
		}
		break; /* LINT, error and monitoring LVTs stay the hypervisor's: ignored */
	case MSR_APIC_BASE:
		if (value != rdmsr(MSR_APIC_BASE)) {
			forbid(v, "apic-base", msr, value);
			return;
		}
		break;
	case MSR_EFER:
		write_efer(v, value);
		return;
	case MSR_TSC:
		break; /* the hypervisor's clock: ignored */
	default:
		vcpu_backend()->inject_gp(v);
		return;
	}
	exit_skip_instruction(v, LEN_MSR);
}
