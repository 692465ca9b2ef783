/*
 * Time for the core: the TSC and the local APIC timer, both calibrated at
 * boot against a fixed-frequency reference (ACPI PM timer, else the PIT).
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include "hv/types.h"

enum timer_reference { TIMER_REF_NONE, TIMER_REF_ACPI_PM, TIMER_REF_PIT };

struct timer_calibration {
	enum timer_reference reference;
	uint64_t tsc_hz;
	uint64_t apic_timer_hz; /* at divide-by-1 */
	uint64_t window_us;	/* length of the measurement */
};

/* pm_port 0 = no ACPI PM timer (fall back to the PIT). */
int timer_calibrate(uint16_t pm_port, bool pm_32bit, struct timer_calibration *out);
const struct timer_calibration *timer_info(void);
const char *timer_reference_name(enum timer_reference ref);

uint64_t timer_uptime_us(void); /* 0 until calibrated */
void timer_delay_us(uint64_t us);
/* TSC deadline helpers for bounded waits. */
uint64_t timer_deadline_after_us(uint64_t us);
bool timer_deadline_passed(uint64_t deadline);

#endif
