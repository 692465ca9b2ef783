/*
 * Which MSRs a guest reaches directly and which the hypervisor checks.
 * One list for every backend: the SVM MSR permission map and (later) the
 * VMX MSR bitmaps are both built from it.
 */
#ifndef VMM_MSR_POLICY_H
#define VMM_MSR_POLICY_H

#include "hv/types.h"

#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST 0x8ff
#define MSR_X2APIC_TPR 0x808
#define MSR_X2APIC_EOI 0x80b
#define MSR_X2APIC_SVR 0x80f
#define MSR_X2APIC_ESR 0x828
#define MSR_X2APIC_ICR 0x830
#define MSR_X2APIC_LVT_TIMER 0x832
#define MSR_X2APIC_TIMER_INITIAL 0x838
#define MSR_X2APIC_TIMER_DIVIDE 0x83e
#define MSR_X2APIC_SELF_IPI 0x83f
#define MSR_X2APIC_IRR0 0x820

struct msr_range {
	uint32_t first, last;
	bool write; /* writes pass too (reads always do for a listed range) */
};

extern const struct msr_range guest_msr_passthrough[];
extern const unsigned guest_msr_passthrough_count;

#endif
