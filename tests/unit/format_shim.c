/*
 * Host stand-in for lib/format.c: hv_snprintf/hv_vsnprintf on the C
 * library's vsnprintf, for unit tests of code that formats text. Both follow
 * C99 semantics, which is what include/hv/format.h promises.
 */
#include <stdio.h>
#include "hv/format.h"

int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int hv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
