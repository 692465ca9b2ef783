/*
 * TSC conversions. Products are split into quotient and remainder parts so
 * that no intermediate exceeds 64 bits (no 128-bit division without libgcc).
 */
#include "guests/lib/tsc.h"
#include "guests/lib/cpu.h"
#include "guests/lib/runtime.h"

#define US_PER_S 1000000ULL

/* value * num / den without overflow while num * den fits 64 bits. */
static uint64_t scale(uint64_t value, uint64_t num, uint64_t den)
{
	return value / den * num + value % den * num / den;
}

uint64_t tsc_us(void)
{
	uint64_t hz = guest_boot_info()->tsc_hz;

	return hz ? scale(cpu_rdtsc(), US_PER_S, hz) : 0;
}

void tsc_delay_us(uint64_t us)
{
	uint64_t hz = guest_boot_info()->tsc_hz;
	uint64_t start = cpu_rdtsc();
	uint64_t ticks;

	if (!hz)
		return;
	ticks = scale(us, hz, US_PER_S);
	while (cpu_rdtsc() - start < ticks)
		cpu_pause();
}
