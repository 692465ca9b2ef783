/*
 * log_write() (hv/log.h) for the shared driver code the child links (the
 * VF driver, drivers/nic/igbvf*): one console line per event,
 * "<subsys>: <message>", warnings and errors marked at the end, debug
 * events dropped; the same form as the parent's (guests/parent/nic_log.c).
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
