/*
 * A periodic tick from the local APIC timer for a guest's main loop:
 * the handler only counts, the loop waits with HLT between ticks and does
 * its work outside interrupt context. One vCPU's service: start and wait on
 * the same vCPU (normally vCPU 0).
 */
#ifndef GUESTS_LIB_TICK_H
#define GUESTS_LIB_TICK_H

#include "hv/types.h"

#define TICK_VECTOR 0x20

/* apic_init() and hz timer interrupts at TICK_VECTOR; apic_timer_periodic()'s errors. */
int tick_start(uint32_t hz);
void tick_stop(void);
uint64_t tick_count(void);
/* HLTs until the count differs from seen; returns it with interrupts on. */
uint64_t tick_wait(uint64_t seen);

#endif
