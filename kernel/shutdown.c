/* Ending the core with a verdict (see shutdown.h). */
#include "kernel/shutdown.h"
#include "hv/format.h"
#include "hv/log.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/cpu.h"
#include "kernel/percpu.h"
#include "kernel/serial.h"

static uint16_t exit_port;
static volatile bool stopping;

void shutdown_set_exit_port(uint16_t port)
{
	exit_port = port;
}

const char *verdict_name(enum hv_verdict v)
{
	switch (v) {
	case HV_VERDICT_OK:
		return "ok";
	case HV_VERDICT_UNSUPPORTED:
		return "unsupported";
	case HV_VERDICT_CONFIG_ERROR:
		return "config-error";
	case HV_VERDICT_PANIC:
		return "panic";
	}
	return "unknown";
}

bool shutdown_in_progress(void)
{
	return stopping;
}

void cpu_halt_forever(void)
{
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

void shutdown_stop_self(void)
{
	this_cpu()->online = false;
	cpu_halt_forever();
}

/*
 * Bochs ends the simulation when "Shutdown" is written to port 0x8900 byte
 * by byte; the port carries no status, so there the verdict is the log line
 * written just before (tools/bochs-run reads it). Everywhere else the port
 * is QEMU's isa-debug-exit, which exits with (verdict << 1) | 1.
 */
static void leave_machine(enum hv_verdict verdict)
{
	if (exit_port == BOCHS_SHUTDOWN_PORT) {
		for (const char *s = "Shutdown"; *s; s++)
			outb(exit_port, (uint8_t)*s);
	} else if (exit_port) {
		outl(exit_port, verdict);
	}
}

void hv_finish(enum hv_verdict verdict)
{
	irq_disable();
	/* First CPU to get here reports; a second (e.g. a nested fault) just parks. */
	if (__atomic_exchange_n(&stopping, true, __ATOMIC_ACQ_REL))
		shutdown_stop_self();
	apic_stop_other_cpus();
	log_info("hv", "finished verdict=%s", verdict_name(verdict));
	serial_drain();
	leave_machine(verdict);
	log_info("hv", "all CPUs halted");
	cpu_halt_forever();
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("panic", "%s", msg);
	hv_finish(HV_VERDICT_PANIC);
}
