/* Channel doorbells, both directions (see doorbell.h). */
#include "guests/lib/doorbell.h"
#include "guests/lib/apic.h"
#include "guests/lib/hypercalls.h"
#include "guests/lib/idt.h"
#include "guests/lib/tsc.h"

static void (*volatile user_handler)(void);
static volatile uint64_t received, last_us;

int doorbell_ring(unsigned channel_index)
{
	return (int)hc_channel_signal(channel_index);
}

static void on_doorbell(struct trap_frame *frame)
{
	void (*fn)(void) = user_handler;

	(void)frame;
	last_us = tsc_us();
	received++;
	if (fn)
		fn();
	apic_eoi();
}

void doorbell_set_handler(void (*fn)(void))
{
	user_handler = fn;
	doorbell_enable();
}

void doorbell_enable(void)
{
	irq_set_handler(HV_CHANNEL_VECTOR, on_doorbell);
}

uint64_t doorbell_received(void)
{
	return received;
}

uint64_t doorbell_last_us(void)
{
	return last_us;
}
