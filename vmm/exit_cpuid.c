/*
 * CPUID as partitions see it: the host's answers, minus what they must not
 * use (SVM, VMX, MONITOR), plus the hypervisor-present bit and leaf
 * 0x40000000 naming this hypervisor.
 */
#include "vmm/exits.h"
#include "kernel/arch/cpu.h"

#define CPUID_1_ECX_VMX BIT(5)
#define CPUID_1_ECX_MONITOR BIT(3)
#define CPUID_1_ECX_HYPERVISOR BIT(31)
#define CPUID_EXT1_ECX_SVM BIT(2)
#define CPUID_HV_BASE 0x40000000u
#define CPUID_SVM_LEAF 0x8000000au
/* "hvpartition" + NUL in EBX, ECX, EDX */
#define HV_SIG_EBX 0x61707668u
#define HV_SIG_ECX 0x74697472u
#define HV_SIG_EDX 0x006e6f69u

static struct cpuid_result filtered(uint32_t leaf, uint32_t sub)
{
	struct cpuid_result r;

	if (leaf >= CPUID_HV_BASE && leaf < CPUID_HV_BASE + 0x100)
		return leaf == CPUID_HV_BASE
			       ? (struct cpuid_result){CPUID_HV_BASE, HV_SIG_EBX, HV_SIG_ECX,
						       HV_SIG_EDX}
			       : (struct cpuid_result){0, 0, 0, 0};
	if (leaf == CPUID_SVM_LEAF)
		return (struct cpuid_result){0, 0, 0, 0};
	r = cpuid(leaf, sub);
	if (leaf == 1)
		r.ecx = (r.ecx & ~(CPUID_1_ECX_VMX | CPUID_1_ECX_MONITOR)) | CPUID_1_ECX_HYPERVISOR;
	if (leaf == 0x80000001)
		r.ecx &= ~CPUID_EXT1_ECX_SVM;
	return r;
}

void exit_cpuid(struct vcpu *v)
{
	const struct vcpu_backend *be = vcpu_backend();
	struct cpuid_result r = filtered((uint32_t)be->get_reg(v, GPR_RAX),
					 (uint32_t)be->get_reg(v, GPR_RCX));

	be->set_reg(v, GPR_RAX, r.eax);
	be->set_reg(v, GPR_RBX, r.ebx);
	be->set_reg(v, GPR_RCX, r.ecx);
	be->set_reg(v, GPR_RDX, r.edx);
}
