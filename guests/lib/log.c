/*
 * log_write() (hv/log.h) for the code guests share with the core and the
 * host tests: drivers/nic (the parent's PF driver, a child's igbvf) and the
 * configuration-space logic of kernel/pci. Each event becomes one console line, "<subsys>: <message>",
 * which the hypervisor prints behind the partition's name:
 *   [  1.23] cpu0 I parent: igb: link up speed=1000 duplex=full
 * Warnings and errors carry level=warn / level=error at the end; debug
 * events are dropped.
 */
#include "guests/lib/guest.h"
#include "hv/log.h"

void log_vwrite(enum log_level level, const char *subsys, const char *fmt, va_list ap)
{
	static const char *const suffix[] = {
	    [LOG_ERROR] = " level=error", [LOG_WARN] = " level=warn", [LOG_INFO] = ""};
	char msg[CONSOLE_LINE_MAX];

	if (level > LOG_INFO)
		return;
	hv_vsnprintf(msg, sizeof(msg), fmt, ap);
	printf("%s: %s%s\n", subsys, msg, suffix[level]);
}

void log_write(enum log_level level, const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, subsys, fmt, ap);
	va_end(ap);
}
