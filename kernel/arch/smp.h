/*
 * Bringing up the application processors: INIT-SIPI-SIPI through the
 * trampoline below 1 MiB, one AP at a time, each with its own stack, GDT,
 * TSS and per-CPU area.
 */
#ifndef KERNEL_ARCH_SMP_H
#define KERNEL_ARCH_SMP_H

#include "hv/types.h"

/* Starts every APIC id in the list that isn't the boot CPU; returns how many came up. */
unsigned smp_start_aps(uint64_t trampoline_page, const uint32_t *apic_ids, unsigned count);
/* Gives a CPU its stacks and tables; used for the boot CPU too. */
int smp_prepare_cpu_tables(unsigned index);

#endif
