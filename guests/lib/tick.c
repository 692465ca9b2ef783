/* The tick counter and its timer handler (see tick.h). */
#include "guests/lib/tick.h"
#include "guests/lib/apic.h"
#include "guests/lib/cpu.h"
#include "guests/lib/idt.h"

static volatile uint64_t ticks;

static void tick_handler(struct trap_frame *frame)
{
	(void)frame;
	ticks++;
	apic_eoi();
}

int tick_start(uint32_t hz)
{
	irq_set_handler(TICK_VECTOR, tick_handler);
	apic_init();
	return apic_timer_periodic(TICK_VECTOR, hz);
}

void tick_stop(void)
{
	apic_timer_stop();
}

uint64_t tick_count(void)
{
	return ticks;
}

uint64_t tick_wait(uint64_t seen)
{
	uint64_t now;

	/* Checked with interrupts off, so a tick can't slip in between check and HLT. */
	cpu_cli();
	while ((now = ticks) == seen)
		cpu_wait_interrupt();
	cpu_sti();
	return now;
}
