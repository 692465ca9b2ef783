/*
 * The MSRs a guest uses without an exit (see msr_policy.h). Reads of the
 * whole x2APIC range are harmless; writes pass only where they can't reach
 * another CPU or change what the hypervisor relies on: the ICR, SVR, the
 * LINT/error LVTs and APIC_BASE/EFER stay intercepted (vmm/exit_msr.c).
 * Segment bases and syscall MSRs are per-guest state (VMLOAD/VMSAVE).
 */
#include "vmm/msr_policy.h"

#define MSR_TSC 0x10
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_EIP 0x176
#define MSR_PAT 0x277
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_STAR 0xc0000081
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_TSC_AUX 0xc0000103

const struct msr_range guest_msr_passthrough[] = {
	{MSR_X2APIC_FIRST, MSR_X2APIC_LAST, false},
	{MSR_X2APIC_TPR, MSR_X2APIC_TPR, true},
	{MSR_X2APIC_EOI, MSR_X2APIC_EOI, true},
	{MSR_X2APIC_ESR, MSR_X2APIC_ESR, true},
	{MSR_X2APIC_LVT_TIMER, MSR_X2APIC_LVT_TIMER, true},
	{MSR_X2APIC_TIMER_INITIAL, MSR_X2APIC_TIMER_INITIAL, true},
	{MSR_X2APIC_TIMER_DIVIDE, MSR_X2APIC_TIMER_DIVIDE, true},
	{MSR_X2APIC_SELF_IPI, MSR_X2APIC_SELF_IPI, true},
	{MSR_TSC, MSR_TSC, false},
	{MSR_TSC_DEADLINE, MSR_TSC_DEADLINE, true},
	{MSR_SYSENTER_CS, MSR_SYSENTER_EIP, true},
	{MSR_PAT, MSR_PAT, true}, /* with nested paging this is the guest's G_PAT */
	{MSR_STAR, MSR_SFMASK, true},
	{MSR_FS_BASE, MSR_TSC_AUX, true}, /* FS, GS, KernelGS base, TSC_AUX */
};

const unsigned guest_msr_passthrough_count =
	sizeof(guest_msr_passthrough) / sizeof(guest_msr_passthrough[0]);
