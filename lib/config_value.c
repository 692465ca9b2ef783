/*
 * Value parsers of the configuration: numbers, names, lists of CPUs and PCI
 * functions, image paths. Shared by the file parser and the load options
 * (lib/config.c) so both accept exactly the same spellings.
 *
 * Each parser reads a NUL-terminated value already cut from its line (list
 * parsers cut it further in place) and on failure only writes
 * err->message: the caller has set err->line and err->field.
 */
#include "lib/config_value.h"
#include "hv/errno.h"
#include "hv/format.h"
#include "hv/string.h"

static const char *const bool_names[] = { "no", "yes", "false", "true", "0", "1", NULL };

int config_refuse(struct config_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void config_set_field(struct config_error *err, const char *label, const char *key)
{
	const char *dot = *label && key ? "." : "";

	hv_snprintf(err->field, sizeof(err->field), "%s%s%s", label, dot, key ? key : "");
}

void config_error_clear(struct config_error *err)
{
	err->line = 0;
	err->field[0] = '\0';
	err->message[0] = '\0';
}

bool config_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

char *config_trim(char *s)
{
	size_t n;

	while (config_is_blank(*s))
		s++;
	n = strlen(s);
	while (n && config_is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Digits of base only, at least one; the whole string, no sign. */
static int parse_digits(const char *s, unsigned base, uint64_t *out, struct config_error *err)
{
	const char *kind = base == 16 ? "hexadecimal" : "decimal";
	uint64_t v = 0;

	if (!*s)
		return config_refuse(err, "a number is missing");
	for (const char *p = s; *p; p++) {
		int d = digit_value(*p);

		if (d < 0 || (unsigned)d >= base)
			return config_refuse(err, "'%.32s' is not a number: '%c' is not a %s digit",
					     s, *p, kind);
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return config_refuse(err, "'%.32s' does not fit 64 bits", s);
		v = v * base + (unsigned)d;
	}
	*out = v;
	return 0;
}

/* Decimal, or hexadecimal after 0x. */
int config_parse_number(const char *s, uint64_t *out, struct config_error *err)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_digits(s + 2, 16, out, err);
	return parse_digits(s, 10, out, err);
}

int config_parse_range(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		       struct config_error *err)
{
	int ret = config_parse_number(s, out, err);

	if (ret)
		return ret;
	if (*out < min || *out > max)
		return config_refuse(err, "%llu is out of range %llu..%llu",
				     (unsigned long long)*out, (unsigned long long)min,
				     (unsigned long long)max);
	return 0;
}

static int refuse_choice(struct config_error *err, const char *value, const char *const *names)
{
	char list[96] = "";
	size_t n = 0;

	for (unsigned i = 0; names[i] && n < sizeof(list); i++)
		n += (size_t)hv_snprintf(list + n, sizeof(list) - n, "%s%s", i ? "|" : "",
					 names[i]);
	return config_refuse(err, "'%.40s' is not one of %s", value, list);
}

int config_parse_enum(const char *s, const char *const *names, uint64_t *out,
		      struct config_error *err)
{
	for (unsigned i = 0; names[i]; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return refuse_choice(err, s, names);
}

/* bool_names alternates false and true spellings. */
int config_parse_bool(const char *s, uint64_t *out, struct config_error *err)
{
	if (config_parse_enum(s, bool_names, out, err))
		return -EINVAL;
	*out &= 1;
	return 0;
}

/* Splits a comma-separated list; every item must be non-empty after trimming. */
static int for_each_item(char *list, int (*fn)(char *item, void *ctx), void *ctx,
			 struct config_error *err)
{
	for (;;) {
		char *comma = strchr(list, ',');
		int ret;

		if (comma)
			*comma = '\0';
		list = config_trim(list);
		if (!*list)
			return config_refuse(err, "empty item in the list");
		ret = fn(list, ctx);
		if (ret || !comma)
			return ret;
		list = comma + 1;
	}
}

struct cpu_list {
	uint64_t mask;
	struct config_error *err;
};

static int cpu_index(char *s, uint64_t *cpu, struct config_error *err)
{
	return config_parse_range(config_trim(s), 0, CONFIG_MAX_CPUS - 1, cpu, err);
}

/* "N" or "N-M" with N <= M. */
static int cpu_item(char *item, void *ctx)
{
	struct cpu_list *cl = ctx;
	char *dash = strchr(item, '-');
	uint64_t lo, hi;
	int ret;

	if (dash)
		*dash = '\0';
	ret = cpu_index(item, &lo, cl->err);
	if (!ret)
		ret = cpu_index(dash ? dash + 1 : item, &hi, cl->err);
	if (ret)
		return ret;
	if (lo > hi)
		return config_refuse(cl->err, "range %llu-%llu is reversed", (unsigned long long)lo,
				     (unsigned long long)hi);
	for (uint64_t c = lo; c <= hi; c++) {
		if (cl->mask & BIT(c))
			return config_refuse(cl->err, "CPU %llu is listed twice",
					     (unsigned long long)c);
		cl->mask |= BIT(c);
	}
	return 0;
}

/* 1..max_digits hex digits without 0x, at most max. */
static int bdf_part(const char *s, size_t max_digits, unsigned max, const char *what,
		    unsigned *out, struct config_error *err)
{
	uint64_t v;
	int ret;

	if (strlen(s) > max_digits)
		return config_refuse(err, "%s '%.8s' has more than %zu hex digits", what, s,
				     max_digits);
	ret = parse_digits(s, 16, &v, err);
	if (ret)
		return config_refuse(err, "%s '%.8s' is not hexadecimal", what, s);
	if (v > max)
		return config_refuse(err, "%s 0x%llx is out of range 0..0x%x", what,
				     (unsigned long long)v, max);
	*out = (unsigned)v;
	return 0;
}

/* [segment:]bus:dev.fn, all hexadecimal, as lspci prints them. */
static int parse_bdf(char *s, uint32_t *out, struct config_error *err)
{
	char orig[24];
	char *part[3] = { s };
	unsigned n = 1, seg = 0, bus, dev, fn;
	char *dot;

	hv_strlcpy(orig, s, sizeof(orig));
	for (char *p = s; *p; p++) {
		if (*p != ':')
			continue;
		if (n == ARRAY_SIZE(part))
			return config_refuse(err, "'%s' is not [segment:]bus:dev.fn", orig);
		*p = '\0';
		part[n++] = p + 1;
	}
	dot = strchr(part[n - 1], '.');
	if (n < 2 || !dot)
		return config_refuse(err, "'%s' is not [segment:]bus:dev.fn", orig);
	*dot = '\0';
	if (n == 3 && bdf_part(part[0], 4, 0xffff, "segment", &seg, err))
		return -EINVAL;
	if (bdf_part(part[n - 2], 2, 0xff, "bus", &bus, err) ||
	    bdf_part(part[n - 1], 2, 0x1f, "device", &dev, err) ||
	    bdf_part(dot + 1, 1, 7, "function", &fn, err))
		return -EINVAL;
	*out = CONFIG_BDF(seg, bus, dev, fn);
	return 0;
}

struct device_list {
	struct config_partition *part;
	struct config_error *err;
};

static int device_item(char *item, void *ctx)
{
	struct device_list *dl = ctx;
	struct config_partition *p = dl->part;
	uint32_t bdf = 0;

	if (parse_bdf(item, &bdf, dl->err))
		return -EINVAL;
	for (uint32_t i = 0; i < p->device_count; i++) {
		if (p->devices[i] == bdf)
			return config_refuse(dl->err, "device %04x:%02x:%02x.%x is listed twice",
					     CONFIG_BDF_SEG(bdf), CONFIG_BDF_BUS(bdf),
					     CONFIG_BDF_DEV(bdf), CONFIG_BDF_FN(bdf));
	}
	if (p->device_count == CONFIG_MAX_DEVICES)
		return config_refuse(dl->err, "more than %u devices", CONFIG_MAX_DEVICES);
	p->devices[p->device_count++] = bdf;
	return 0;
}

static bool image_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '/' || c == '-';
}

/* Relative, inside the configuration's directory: no "..", no empty component. */
int config_check_path(const char *s, size_t max, struct config_error *err)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return config_refuse(err, "path must have 1..%zu characters", max);
	for (size_t i = 0; i < n; i++) {
		if (!image_char_ok(s[i]))
			return config_refuse(err, "'%c' is not allowed: only A-Z a-z 0-9 . _ / -",
					     s[i]);
	}
	if (s[0] == '/')
		return config_refuse(err, "path must be relative to the configuration's directory");
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return config_refuse(err, "'..' is not allowed in a path");
		if (s[i] == '/' && s[i + 1] == '/')
			return config_refuse(err, "empty path component");
	}
	if (s[n - 1] == '/')
		return config_refuse(err, "path names a directory");
	return 0;
}

bool config_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= sizeof(((struct config_partition *)0)->name))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int config_parse_cpus(char *list, uint64_t *mask, struct config_error *err)
{
	struct cpu_list cl = { .mask = 0, .err = err };
	int ret = for_each_item(list, cpu_item, &cl, err);

	*mask = cl.mask;
	return ret;
}

int config_parse_optional_bdf(const char *s, uint64_t *out, struct config_error *err)
{
	char copy[24];
	uint32_t bdf;

	if (!strcmp(s, "none")) {
		*out = 0;
		return 0;
	}
	if (strlen(s) >= sizeof(copy))
		return config_refuse(err, "'%.30s' is not a PCI function: [segment:]bus:dev.fn", s);
	hv_strlcpy(copy, s, sizeof(copy));
	if (parse_bdf(copy, &bdf, err))
		return -EINVAL;
	*out = (uint64_t)bdf + 1;
	return 0;
}

int config_parse_devices(char *list, struct config_partition *p, struct config_error *err)
{
	struct device_list dl = { .part = p, .err = err };

	return for_each_item(list, device_item, &dl, err);
}

struct end_list {
	struct config_channel *chan;
	unsigned count;
	struct config_error *err;
};

static int end_item(char *item, void *ctx)
{
	struct end_list *el = ctx;

	if (!config_name_ok(item))
		return config_refuse(el->err, "'%.40s' is not a partition name: 1..31 of a-z 0-9 _ -",
				     item);
	if (el->count == ARRAY_SIZE(el->chan->ends))
		return config_refuse(el->err, "more than two partitions: a channel joins two");
	hv_strlcpy(el->chan->ends[el->count++], item, sizeof(el->chan->ends[0]));
	return 0;
}

int config_parse_channel_ends(char *list, struct config_channel *c, struct config_error *err)
{
	struct end_list el = { .chan = c, .count = 0, .err = err };

	if (for_each_item(list, end_item, &el, err))
		return -EINVAL;
	if (el.count != ARRAY_SIZE(c->ends))
		return config_refuse(err, "one partition: a channel joins two, as 'a, b'");
	if (!strcmp(c->ends[0], c->ends[1]))
		return config_refuse(err, "both ends are '%s': a channel joins two partitions",
				     c->ends[0]);
	return 0;
}
