/*
 * The core's log: one event per line, "[seconds] cpuN L subsys: message",
 * each line formatted into a private buffer and written under one lock so
 * lines from several CPUs never interleave.
 */
#include "hv/format.h"
#include "hv/log.h"
#include "kernel/log_sink.h"
#include "kernel/percpu.h"
#include "kernel/serial.h"
#include "kernel/spinlock.h"
#include "kernel/timer.h"

#define LOG_LINE_MAX 512
/* A CPU stopped while printing must not silence the panic report. */
#define LOG_LOCK_SPINS 50000000ULL

static struct spinlock log_lock = SPINLOCK_INIT;
static enum log_level log_threshold = LOG_INFO;

void log_set_level(enum log_level level)
{
	log_threshold = level;
}

static int format_prefix(char *buf, size_t size, enum log_level level, const char *subsys)
{
	static const char letters[] = {'E', 'W', 'I', 'D'};
	uint64_t us = timer_uptime_us();

	return hv_snprintf(buf, size, "[%5llu.%06llu] cpu%u %c %s: ",
			   (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000),
			   this_cpu_index(), letters[level], subsys);
}

void log_emit_raw(const char *text, size_t len)
{
	uint64_t flags = irq_save();
	bool locked = spin_lock_bounded(&log_lock, LOG_LOCK_SPINS);

	serial_write(text, len);
	if (locked)
		spin_unlock(&log_lock);
	irq_restore(flags);
}

void log_vwrite(enum log_level level, const char *subsys, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int n;

	if (level > log_threshold)
		return;
	n = format_prefix(line, sizeof(line), level, subsys);
	n += hv_vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2; /* truncated: still one whole line */
	line[n++] = '\n';
	line[n] = '\0';
	log_emit_raw(line, (size_t)n);
}

void log_write(enum log_level level, const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, subsys, fmt, ap);
	va_end(ap);
}
