/*
 * Exit handling common to every backend: counts each exit per partition and
 * reason, emulates what partitions may do (CPUID, MSRs, hypercalls, PCI
 * config space) and stops a partition that does what it may not.
 */
#ifndef VMM_EXITS_H
#define VMM_EXITS_H

#include "vmm/vcpu.h"

void exit_handle(struct vcpu *v, const struct vm_exit *exit);

/* Per-exit helpers for the handlers */
void exit_skip_instruction(struct vcpu *v, unsigned len);
/* Stops v's partition for reason, reporting where it stood. */
void exit_contain(struct vcpu *v, enum hv_stop_reason reason, uint64_t gpa);

/* exit_cpuid.c, exit_msr.c, exit_mmio.c, exit_xsetbv.c */
void exit_cpuid(struct vcpu *v);
void exit_msr_read(struct vcpu *v, uint32_t msr);
void exit_msr_write(struct vcpu *v, uint32_t msr);
/* true when the fault was on emulated MMIO and has been handled */
bool exit_mmio(struct vcpu *v, const struct vm_exit *exit);
void exit_xsetbv(struct vcpu *v, const struct vm_exit *exit);

#endif
