/*
 * Time from the TSC, at the rate the hypervisor calibrated
 * (boot_info.tsc_hz). Busy-waits: for long waits use the APIC timer and HLT.
 */
#ifndef GUESTS_LIB_TSC_H
#define GUESTS_LIB_TSC_H

#include "hv/types.h"

/* Microseconds since the CPU's TSC started; 0 when tsc_hz is unknown. */
uint64_t tsc_us(void);
/* Spins for at least us microseconds; returns at once when tsc_hz is unknown. */
void tsc_delay_us(uint64_t us);

#endif
