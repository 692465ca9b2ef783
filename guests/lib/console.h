/*
 * Console output through HC_CONSOLE_WRITE. The hypervisor prints it on the
 * serial log behind the partition's name, one log line per '\n', so a
 * caller that writes whole lines per call never sees them interleaved with
 * another vCPU's output.
 */
#ifndef GUESTS_LIB_CONSOLE_H
#define GUESTS_LIB_CONSOLE_H

#include <stdarg.h>
#include "hv/types.h"

/* Longest output of one printf(); longer output is cut and ends in '\n'. */
#define CONSOLE_LINE_MAX 512

/* Writes len bytes, in as many hypercalls as HC_CONSOLE_MAX needs. */
long console_write(const char *buf, size_t len);

/* Formats with hv_vsnprintf (hv/format.h) and writes in one hypercall. */
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap) __printf(1, 0);
/* s and a '\n', in one hypercall as C's puts() writes one line. */
int puts(const char *s);

#endif
