/*
 * How the core ends: with a verdict. Under QEMU the verdict leaves through
 * isa-debug-exit (hypervisor.debug_exit_port) so the launcher's exit status
 * carries it; under Bochs the port is its shutdown port and the launcher
 * reads the verdict from the log; on real hardware every CPU halts and the
 * log says why.
 */
#ifndef KERNEL_SHUTDOWN_H
#define KERNEL_SHUTDOWN_H

#include "hv/types.h"

/* Values written to the debug-exit port; QEMU exits with (value << 1) | 1. */
enum hv_verdict {
	HV_VERDICT_OK = 0x10,
	HV_VERDICT_UNSUPPORTED = 0x11, /* this machine can't run the hypervisor */
	HV_VERDICT_CONFIG_ERROR = 0x12,
	HV_VERDICT_PANIC = 0x13,
};

/* Bochs's shutdown port: hypervisor.debug_exit_port = 0x8900 on Bochs. */
#define BOCHS_SHUTDOWN_PORT 0x8900

void shutdown_set_exit_port(uint16_t port);
const char *verdict_name(enum hv_verdict v);

/* Stops the other CPUs, reports the verdict and halts. */
void hv_finish(enum hv_verdict verdict) __noreturn;

/* Reports a broken hypervisor invariant, then hv_finish(HV_VERDICT_PANIC). */
void panic(const char *fmt, ...) __noreturn __printf(1, 2);

/* Park this CPU when another one stops the machine (NMI handler). */
void shutdown_stop_self(void) __noreturn;
bool shutdown_in_progress(void);

#endif
