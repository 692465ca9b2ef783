/*
 * Where a CPU waits when it has nothing to run: halted with interrupts on,
 * woken by a kick (NMI) when the VMM gives it a vCPU (percpu->vcpu).
 */
#ifndef KERNEL_CPU_IDLE_H
#define KERNEL_CPU_IDLE_H

#include "hv/types.h"

void cpu_idle(void) __noreturn;
/* Installed by the VMM: runs a vCPU on this CPU forever. */
void cpu_idle_set_runner(void (*run)(void *vcpu) __noreturn);

#endif
