/*
 * Command-line parsing for guests. The command line comes from the
 * configuration through the hypervisor; it is still read within its
 * buffer's bounds and every number is checked in full.
 */
#include "guests/lib/cmdline.h"
#include "hv/errno.h"
#include "hv/string.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Length of the token at s, within the end of the buffer. */
static size_t token_len(const char *s, const char *end)
{
	size_t n = 0;

	while (s + n < end && s[n] && !is_space(s[n]))
		n++;
	return n;
}

static int copy_value(const char *s, size_t len, char *value, size_t size)
{
	if (len >= size)
		return -E2BIG;
	memcpy(value, s, len);
	value[len] = '\0';
	return 0;
}

int cmdline_get(const char *cmdline, size_t max, const char *key, char *value, size_t size)
{
	const char *end = cmdline + strnlen(cmdline, max);
	size_t klen = strlen(key);

	for (const char *s = cmdline; s < end;) {
		size_t len = token_len(s, end);

		if (len >= klen && !memcmp(s, key, klen)) {
			if (len == klen)
				return copy_value(s, 0, value, size);
			if (s[klen] == '=')
				return copy_value(s + klen + 1, len - klen - 1, value, size);
		}
		s += len ? len : 1;
	}
	return -ENOENT;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* The number in s[0..len), in the given base. */
static int parse_digits(const char *s, size_t len, unsigned base, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)digit_value(s[i]);

		if (d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static int parse_number(const char *s, size_t len, uint64_t *out)
{
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_digits(s + 2, len - 2, 16, out);
	return parse_digits(s, len, 10, out);
}

int parse_u64(const char *s, uint64_t *out)
{
	return parse_number(s, strlen(s), out);
}

int parse_u64_list(const char *s, uint64_t *out, size_t max)
{
	size_t count = 0;

	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		int err;

		if (count == max)
			return -E2BIG;
		err = parse_number(s, len, &out[count]);
		if (err)
			return err;
		count++;
		if (!comma)
			return (int)count;
		s = comma + 1;
	}
}
