/*
 * printf and puts for guests. Output is formatted into a buffer on the
 * caller's stack and handed over in a single HC_CONSOLE_WRITE: that keeps
 * the functions reentrant (an interrupt handler may print while main code
 * is printing) and costs one exit per line.
 */
#include <stdarg.h>
#include "guests/lib/console.h"
#include "guests/lib/hypercalls.h"
#include "hv/format.h"
#include "hv/string.h"

long console_write(const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t n = MIN(len - done, (size_t)HC_CONSOLE_MAX);
		long ret = hc_console_write(buf + done, n);

		if (ret < 0)
			return ret;
		done += n;
	}
	return (long)done;
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[CONSOLE_LINE_MAX];
	int len = hv_vsnprintf(buf, sizeof(buf), fmt, ap);

	if (len < 0)
		return len;
	/* A cut line still ends its log line rather than run into the next. */
	if ((size_t)len >= sizeof(buf))
		buf[sizeof(buf) - 2] = '\n';
	console_write(buf, MIN((size_t)len, sizeof(buf) - 1));
	return len;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vprintf(fmt, ap);
	va_end(ap);
	return len;
}

int puts(const char *s)
{
	char buf[CONSOLE_LINE_MAX];
	size_t len = strnlen(s, sizeof(buf) - 1);

	memcpy(buf, s, len);
	buf[len] = '\n';
	console_write(buf, len + 1);
	return (int)(len + 1);
}
