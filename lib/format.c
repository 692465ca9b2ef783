/*
 * printf-style formatting for code without a C library (see hv/format.h for
 * the supported conversions). Output follows C99 and glibc, so host unit
 * tests compare it byte for byte with the C library's snprintf; where C
 * leaves a case undefined the choice is spelled out below. No floating point:
 * the core must not touch the registers guests own.
 *
 * The output is counted in full even when it does not fit, so callers learn
 * how large a buffer they needed; nothing is written at or beyond buf[size].
 */
#include "hv/format.h"
#include "hv/string.h"

#define FMT_LEFT BIT(0)  /* '-' */
#define FMT_ZERO BIT(1)  /* '0' */
#define FMT_PLUS BIT(2)  /* '+' */
#define FMT_SPACE BIT(3) /* ' ' */
#define FMT_ALT BIT(4)   /* '#' */

/* Widths and precisions beyond this are clamped: C says they are ints. */
#define FMT_MAX_FIELD 0x7fffffff

struct fmt_out {
	char *buf;
	size_t size;
	size_t len; /* length of the full output so far, stored or not */
};

struct fmt_spec {
	unsigned flags;
	size_t width;
	long precision; /* -1: none given */
	char length;    /* 0, 'H' (hh), 'h', 'l', 'q' (ll), 'z', 't', 'j' */
	char conv;
};

static void out_char(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct fmt_out *o, char c, size_t n)
{
	while (n--)
		out_char(o, c);
}

static void out_mem(struct fmt_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
}

/* A string or character with width: padding never uses '0' here. */
static void out_padded(struct fmt_out *o, const struct fmt_spec *sp, const char *s, size_t n)
{
	size_t pad = sp->width > n ? sp->width - n : 0;

	if (!(sp->flags & FMT_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, s, n);
	if (sp->flags & FMT_LEFT)
		out_repeat(o, ' ', pad);
}

/* Reads no more than precision bytes: the string need not be terminated then. */
static void out_string(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	size_t max = sp->precision < 0 ? SIZE_MAX : (size_t)sp->precision;

	if (!s)
		s = "(null)";
	out_padded(o, sp, s, strnlen(s, max));
}

static unsigned spec_base(char conv)
{
	switch (conv) {
	case 'o':
		return 8;
	case 'x':
	case 'X':
	case 'p':
		return 16;
	default:
		return 10;
	}
}

static char spec_sign(const struct fmt_spec *sp, bool negative)
{
	if (negative)
		return '-';
	if (sp->flags & FMT_PLUS)
		return '+';
	if (sp->flags & FMT_SPACE)
		return ' ';
	return 0;
}

/* Digits of mag, least significant first; none for 0 with precision 0 (C99 7.19.6.1). */
static size_t number_digits(char *digits, uint64_t mag, unsigned base, bool upper, long precision)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t n = 0;

	if (mag == 0 && precision == 0)
		return 0;
	do {
		digits[n++] = set[mag % base];
		mag /= base;
	} while (mag);
	return n;
}

/*
 * Layout: [spaces] [sign] [0x] [zeros] digits [spaces]. '#' with 'o' makes
 * the first digit a 0; with 'x' it adds 0x to non-zero values only. '0' pads
 * with zeros up to the width unless '-' or a precision is given.
 */
static void out_number(struct fmt_out *o, const struct fmt_spec *sp, uint64_t mag, bool negative)
{
	char digits[24]; /* 22 octal digits hold 64 bits */
	unsigned base = spec_base(sp->conv);
	size_t n = number_digits(digits, mag, base, sp->conv == 'X', sp->precision);
	char sign = spec_sign(sp, negative);
	const char *prefix = "";
	size_t zeros = sp->precision > (long)n ? (size_t)sp->precision - n : 0;

	if ((sp->flags & FMT_ALT) && base == 8 && zeros == 0 && (n == 0 || mag != 0))
		zeros = 1;
	if ((sp->flags & FMT_ALT) && base == 16 && mag != 0)
		prefix = sp->conv == 'X' ? "0X" : "0x";

	size_t body = (sign ? 1 : 0) + strlen(prefix) + zeros + n;
	size_t pad = sp->width > body ? sp->width - body : 0;

	if ((sp->flags & (FMT_ZERO | FMT_LEFT)) == FMT_ZERO && sp->precision < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & FMT_LEFT))
		out_repeat(o, ' ', pad);
	if (sign)
		out_char(o, sign);
	out_mem(o, prefix, strlen(prefix));
	out_repeat(o, '0', zeros);
	while (n)
		out_char(o, digits[--n]);
	if (sp->flags & FMT_LEFT)
		out_repeat(o, ' ', pad);
}

static int64_t arg_signed(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'H':
		return (signed char)va_arg(*ap, int);
	case 'h':
		return (short)va_arg(*ap, int);
	case 'l':
		return va_arg(*ap, long);
	case 'q':
		return va_arg(*ap, long long);
	case 'z': /* the signed type of size_t's width */
	case 't':
		return va_arg(*ap, ptrdiff_t);
	case 'j':
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t arg_unsigned(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'H':
		return (unsigned char)va_arg(*ap, unsigned int);
	case 'h':
		return (unsigned short)va_arg(*ap, unsigned int);
	case 'l':
		return va_arg(*ap, unsigned long);
	case 'q':
		return va_arg(*ap, unsigned long long);
	case 'z':
		return va_arg(*ap, size_t);
	case 't': /* the unsigned type of ptrdiff_t's width */
		return (size_t)va_arg(*ap, ptrdiff_t);
	case 'j':
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static void convert_signed(struct fmt_out *o, const struct fmt_spec *sp, va_list *ap)
{
	int64_t v = arg_signed(sp, ap);
	/* Negate in unsigned arithmetic: -INT64_MIN does not exist as int64_t. */
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	out_number(o, sp, mag, v < 0);
}

static void convert_unsigned(struct fmt_out *o, const struct fmt_spec *sp, va_list *ap)
{
	struct fmt_spec us = *sp;

	us.flags &= ~(FMT_PLUS | FMT_SPACE); /* signs belong to signed conversions */
	out_number(o, &us, arg_unsigned(sp, ap), false);
}

/* As glibc: "0x" and lower-case hex digits, "(nil)" for a null pointer. */
static void convert_pointer(struct fmt_out *o, const struct fmt_spec *sp, va_list *ap)
{
	uintptr_t p = (uintptr_t)va_arg(*ap, void *);
	struct fmt_spec ps = *sp;

	if (!p) {
		out_padded(o, sp, "(nil)", 5);
		return;
	}
	ps.flags = (ps.flags | FMT_ALT) & ~(FMT_PLUS | FMT_SPACE);
	out_number(o, &ps, p, false);
}

static void convert_char(struct fmt_out *o, const struct fmt_spec *sp, va_list *ap)
{
	char c = (char)va_arg(*ap, int);

	out_padded(o, sp, &c, 1);
}

/* Returns false for a conversion this file does not know (also %n, never supported). */
static bool convert(struct fmt_out *o, const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->conv) {
	case 'd':
	case 'i':
		convert_signed(o, sp, ap);
		return true;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		convert_unsigned(o, sp, ap);
		return true;
	case 'p':
		convert_pointer(o, sp, ap);
		return true;
	case 'c':
		convert_char(o, sp, ap);
		return true;
	case 's':
		out_string(o, sp, va_arg(*ap, const char *));
		return true;
	case '%':
		out_char(o, '%');
		return true;
	default:
		return false;
	}
}

static const char *parse_flags(const char *f, unsigned *flags)
{
	for (;; f++) {
		switch (*f) {
		case '-':
			*flags |= FMT_LEFT;
			break;
		case '0':
			*flags |= FMT_ZERO;
			break;
		case '+':
			*flags |= FMT_PLUS;
			break;
		case ' ':
			*flags |= FMT_SPACE;
			break;
		case '#':
			*flags |= FMT_ALT;
			break;
		default:
			return f;
		}
	}
}

static const char *parse_decimal(const char *f, long *value)
{
	long v = 0;

	for (; *f >= '0' && *f <= '9'; f++)
		v = MIN(v * 10 + (*f - '0'), (long)FMT_MAX_FIELD);
	*value = v;
	return f;
}

/* A negative '*' width means '-' and its magnitude (C99 7.19.6.1p5). */
static const char *parse_width(const char *f, struct fmt_spec *sp, va_list *ap)
{
	long w;

	if (*f == '*') {
		w = va_arg(*ap, int);
		f++;
	} else {
		f = parse_decimal(f, &w);
	}
	if (w < 0) {
		sp->flags |= FMT_LEFT;
		w = -w;
	}
	sp->width = (size_t)MIN(w, (long)FMT_MAX_FIELD);
	return f;
}

/* A negative '*' precision counts as none given; "." alone is precision 0. */
static const char *parse_precision(const char *f, struct fmt_spec *sp, va_list *ap)
{
	sp->precision = -1;
	if (*f != '.')
		return f;
	f++;
	if (*f == '*') {
		int p = va_arg(*ap, int);

		sp->precision = p < 0 ? -1 : p;
		return f + 1;
	}
	return parse_decimal(f, &sp->precision);
}

static const char *parse_length(const char *f, char *length)
{
	*length = 0;
	if ((f[0] == 'h' || f[0] == 'l') && f[1] == f[0]) {
		*length = f[0] == 'h' ? 'H' : 'q';
		return f + 2;
	}
	if (*f == 'h' || *f == 'l' || *f == 'z' || *f == 't' || *f == 'j')
		*length = *f++;
	return f;
}

/* f points after '%'; returns where the conversion ends. */
static const char *parse_spec(const char *f, struct fmt_spec *sp, va_list *ap)
{
	sp->flags = 0;
	f = parse_flags(f, &sp->flags);
	f = parse_width(f, sp, ap);
	f = parse_precision(f, sp, ap);
	f = parse_length(f, &sp->length);
	sp->conv = *f;
	return *f ? f + 1 : f;
}

int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { .buf = buf, .size = size, .len = 0 };
	struct fmt_spec sp;
	va_list args;

	/* Helpers take a va_list pointer, and a va_list parameter's address is none. */
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		const char *start = fmt;

		fmt = parse_spec(fmt + 1, &sp, &args);
		/* An unknown conversion is copied as written, so the mistake shows. */
		if (!convert(&o, &sp, &args))
			out_mem(&o, start, (size_t)(fmt - start));
	}
	va_end(args);
	if (size)
		buf[MIN(o.len, size - 1)] = '\0';
	return (int)MIN(o.len, (size_t)FMT_MAX_FIELD);
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

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	bool room = sb->pos < sb->size;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(room ? sb->buf + sb->pos : NULL, room ? sb->size - sb->pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->pos += (size_t)n;
}
