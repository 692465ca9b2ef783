/*
 * printf-style formatting without a C library (lib/format.c). Supports the
 * conversions the project uses: %d %i %u %x %X %o %c %s %p %% with flags
 * "-0+ #", width and precision (also '*'), length modifiers hh h l ll z t j.
 * Output is always NUL-terminated when size > 0; the return value is the
 * length the full output would have had, as in C99.
 */
#ifndef HV_FORMAT_H
#define HV_FORMAT_H

#include <stdarg.h>
#include "hv/types.h"

int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int hv_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/*
 * A line built piece by piece into a bounded buffer. pos counts the full
 * length the pieces would have had, as snprintf's return value does, so
 * pos >= size after the last piece means the text was cut.
 */
struct strbuf {
	char *buf;
	size_t size;
	size_t pos;
};

#define STRBUF_INIT(b, n) {(b), (n), 0}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __printf(2, 3);

#endif
