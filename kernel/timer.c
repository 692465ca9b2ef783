/*
 * TSC and APIC timer calibration (see timer.h). Both are measured over the
 * same window of a reference clock whose rate the platform fixes: the ACPI
 * PM timer (3.579545 MHz) or PIT channel 2 (1.193182 MHz). Under TCG every
 * one of these runs on QEMU's virtual clock, so the APIC timer's known
 * 1 GHz rate is a check of the method.
 */
#include "kernel/timer.h"
#include "hv/errno.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/cpu.h"

#define PM_TIMER_HZ 3579545ULL
#define PIT_HZ 1193182ULL
#define CALIBRATION_MS 50
#define PIT_CH2_DATA 0x42
#define PIT_COMMAND 0x43
#define PIT_CMD_CH2_LOHI_MODE0 0xb0 /* channel 2, lo/hi byte, mode 0 */
#define PIT_GATE_PORT 0x61
#define PIT_GATE_CH2 0x01
#define PIT_SPEAKER 0x02
#define PIT_CH2_OUT 0x20
#define PIT_MAX_COUNT 0xffffULL

static struct timer_calibration calib;
static uint64_t tsc_at_calibration;

struct window {
	uint64_t tsc;
	uint32_t apic;
};

static struct window window_start(void)
{
	apic_timer_start_oneshot(0xffffffffu, 0, true);
	return (struct window){rdtsc(), apic_timer_current()};
}

static void window_finish(const struct window *w, uint64_t ref_ticks, uint64_t ref_hz)
{
	uint64_t tsc = rdtsc() - w->tsc;
	uint64_t apic = w->apic - apic_timer_current();

	apic_timer_stop();
	calib.tsc_hz = tsc * ref_hz / ref_ticks;
	calib.apic_timer_hz = apic * ref_hz / ref_ticks;
	calib.window_us = ref_ticks * 1000000 / ref_hz;
}

static void calibrate_pm(uint16_t port, bool is_32bit)
{
	uint64_t mask = is_32bit ? 0xffffffffULL : 0xffffffULL;
	uint64_t want = PM_TIMER_HZ * CALIBRATION_MS / 1000, elapsed = 0;
	uint32_t start = inl(port);
	struct window w = window_start();

	while (elapsed < want)
		elapsed = ((uint64_t)inl(port) - start) & mask;
	window_finish(&w, elapsed, PM_TIMER_HZ);
	calib.reference = TIMER_REF_ACPI_PM;
}

static void calibrate_pit(void)
{
	uint64_t count = PIT_HZ * CALIBRATION_MS / 1000;
	uint8_t gate = inb(PIT_GATE_PORT);
	struct window w;

	outb(PIT_GATE_PORT, (gate & ~PIT_SPEAKER) | PIT_GATE_CH2);
	outb(PIT_COMMAND, PIT_CMD_CH2_LOHI_MODE0);
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, (count >> 8) & 0xff);
	w = window_start();
	while (!(inb(PIT_GATE_PORT) & PIT_CH2_OUT))
		cpu_relax();
	window_finish(&w, count, PIT_HZ);
	outb(PIT_GATE_PORT, gate);
	calib.reference = TIMER_REF_PIT;
}

int timer_calibrate(uint16_t pm_port, bool pm_32bit, struct timer_calibration *out)
{
	_Static_assert(PIT_HZ * CALIBRATION_MS / 1000 <= PIT_MAX_COUNT, "PIT window fits");
	if (pm_port)
		calibrate_pm(pm_port, pm_32bit);
	else
		calibrate_pit();
	tsc_at_calibration = rdtsc();
	*out = calib;
	return calib.tsc_hz ? 0 : -EIO;
}

const struct timer_calibration *timer_info(void)
{
	return &calib;
}

const char *timer_reference_name(enum timer_reference ref)
{
	switch (ref) {
	case TIMER_REF_ACPI_PM:
		return "acpi-pm";
	case TIMER_REF_PIT:
		return "pit";
	default:
		return "none";
	}
}

static uint64_t cycles_to_us(uint64_t cycles)
{
	/* Split so cycles * 10^6 can't overflow for any uptime. */
	return cycles / calib.tsc_hz * 1000000 + cycles % calib.tsc_hz * 1000000 / calib.tsc_hz;
}

uint64_t timer_uptime_us(void)
{
	if (!calib.tsc_hz)
		return 0;
	return cycles_to_us(rdtsc() - tsc_at_calibration) + calib.window_us;
}

uint64_t timer_deadline_after_us(uint64_t us)
{
	return rdtsc() + us * (calib.tsc_hz / 1000000);
}

bool timer_deadline_passed(uint64_t deadline)
{
	return (int64_t)(rdtsc() - deadline) >= 0;
}

void timer_delay_us(uint64_t us)
{
	uint64_t deadline = timer_deadline_after_us(us);

	while (!timer_deadline_passed(deadline))
		cpu_relax();
}
