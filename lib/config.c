/*
 * Parser of the partition configuration file, format version 1 (described
 * in docs/configuration.md), and of the load options that override it.
 *
 * The text comes from the ESP, so it is untrusted: it is read only within
 * the length given, line by line into a bounded buffer, and everything not
 * understood is refused with the line, the field and a reason. A typo that
 * silently fell back to a default could start a partition with the wrong
 * devices or run without DMA remapping.
 *
 * While parsing, err->line and err->field always describe the place being
 * read, so a value parser only has to say what is wrong (config_refuse()).
 */
#include "lib/config.h"
#include "lib/config_value.h"
#include "hv/errno.h"
#include "hv/format.h"
#include "hv/string.h"

/* Names as the file spells them, indexed by the enum, NULL-terminated. */
static const char *const mode_names[] = { "run", "check", NULL };
static const char *const log_level_names[] = { "error", "warn", "info", "debug", NULL };
static const char *const role_names[] = { "parent", "child", NULL };
static const char *const fault_names[] = {
	"none", "page_fault", "divide_error", "invalid_opcode", "general_protection", NULL,
};

enum section {
	SECTION_TOP,
	SECTION_HYPERVISOR,
	SECTION_SRIOV,
	SECTION_PARTITION,
	SECTION_CHANNEL,
};
static const char *const section_names[] = { "", "hypervisor", "sriov", "partition",
					     "channel" };

enum value_kind { VALUE_NUMBER, VALUE_BOOL, VALUE_ENUM, VALUE_BDF };

/* A scalar key of [hypervisor] or [sriov]: the file and the load options set these. */
struct setting {
	enum section section;
	const char *key;
	enum value_kind kind;
	uint64_t min, max;        /* VALUE_NUMBER */
	const char *const *names; /* VALUE_ENUM */
	size_t offset, size;      /* the member of struct config it fills */
};

#define CONFIG_MEMBER(m) offsetof(struct config, m), sizeof(((struct config *)0)->m)

static const struct setting settings[] = {
	{ SECTION_HYPERVISOR, "mode", VALUE_ENUM, 0, 0, mode_names, CONFIG_MEMBER(mode) },
	{ SECTION_HYPERVISOR, "log_level", VALUE_ENUM, 0, 0, log_level_names,
	  CONFIG_MEMBER(log_level) },
	{ SECTION_HYPERVISOR, "heap_mb", VALUE_NUMBER, 16, 1024, NULL, CONFIG_MEMBER(heap_mb) },
	{ SECTION_HYPERVISOR, "debug_exit_port", VALUE_NUMBER, 0, 0xffff, NULL,
	  CONFIG_MEMBER(debug_exit_port) },
	{ SECTION_HYPERVISOR, "unsafe_no_iommu", VALUE_BOOL, 0, 0, NULL,
	  CONFIG_MEMBER(unsafe_no_iommu) },
	{ SECTION_HYPERVISOR, "debug_fault", VALUE_ENUM, 0, 0, fault_names,
	  CONFIG_MEMBER(debug_fault) },
	{ SECTION_HYPERVISOR, "debug_dma_probe", VALUE_BDF, 0, 0, NULL,
	  CONFIG_MEMBER(debug_dma_probe) },
	{ SECTION_HYPERVISOR, "dma_fault_threshold", VALUE_NUMBER, 1, 1000, NULL,
	  CONFIG_MEMBER(dma_fault_threshold) },
	{ SECTION_HYPERVISOR, "vmbus", VALUE_BOOL, 0, 0, NULL, CONFIG_MEMBER(vmbus) },
	{ SECTION_HYPERVISOR, "doorbell_limit", VALUE_NUMBER, 100, 10000000, NULL,
	  CONFIG_MEMBER(doorbell_limit) },
	{ SECTION_SRIOV, "vfs", VALUE_NUMBER, 0, 256, NULL, CONFIG_MEMBER(sriov_vfs) },
};

struct parser {
	struct config *cfg;
	struct config_error *err;
	enum section section;
	struct config_partition *part; /* SECTION_PARTITION: the one being filled */
	struct config_channel *chan;   /* SECTION_CHANNEL: the one being filled */
	uint32_t keys_seen;            /* keys of the current section, by table index */
	uint32_t sections_seen;        /* BIT(enum section) of [hypervisor] and [sriov] */
	bool version_seen;
};

static const char *enum_name(const char *const *names, size_t count, unsigned v)
{
	return v < count - 1 ? names[v] : "?";
}

const char *config_mode_name(enum config_mode m)
{
	return enum_name(mode_names, ARRAY_SIZE(mode_names), m);
}

const char *config_fault_name(enum config_fault f)
{
	return enum_name(fault_names, ARRAY_SIZE(fault_names), f);
}

const char *config_role_name(enum partition_role r)
{
	return enum_name(role_names, ARRAY_SIZE(role_names), r);
}

const char *config_log_level_name(enum log_level l)
{
	return enum_name(log_level_names, ARRAY_SIZE(log_level_names), l);
}

static int key_role(struct config_partition *p, char *value, struct config_error *err)
{
	uint64_t v;

	if (config_parse_enum(value, role_names, &v, err))
		return -EINVAL;
	p->role = (enum partition_role)v;
	return 0;
}

static int key_cpus(struct config_partition *p, char *value, struct config_error *err)
{
	return config_parse_cpus(value, &p->cpu_mask, err);
}

static int key_memory(struct config_partition *p, char *value, struct config_error *err)
{
	uint64_t v;

	if (config_parse_range(value, 1, 65536, &v, err))
		return -EINVAL;
	p->memory_mb = (uint32_t)v;
	return 0;
}

static int key_image(struct config_partition *p, char *value, struct config_error *err)
{
	int ret = config_check_path(value, sizeof(p->image) - 1, err);

	if (!ret)
		hv_strlcpy(p->image, value, sizeof(p->image));
	return ret;
}

/* An empty value means no devices, as leaving the key out does. */
static int key_devices(struct config_partition *p, char *value, struct config_error *err)
{
	return *value ? config_parse_devices(value, p, err) : 0;
}

static int key_cmdline(struct config_partition *p, char *value, struct config_error *err)
{
	if (strlen(value) >= sizeof(p->cmdline))
		return config_refuse(err, "longer than %zu characters", sizeof(p->cmdline) - 1);
	hv_strlcpy(p->cmdline, value, sizeof(p->cmdline));
	return 0;
}

struct partition_key {
	const char *key;
	int (*parse)(struct config_partition *p, char *value, struct config_error *err);
};

static const struct partition_key partition_keys[] = {
	{ "role", key_role },	  { "cpus", key_cpus },	      { "memory_mb", key_memory },
	{ "image", key_image },	  { "devices", key_devices }, { "cmdline", key_cmdline },
};

static int key_between(struct config_channel *c, char *value, struct config_error *err)
{
	return config_parse_channel_ends(value, c, err);
}

static int key_size_kb(struct config_channel *c, char *value, struct config_error *err)
{
	uint64_t v;

	if (config_parse_range(value, CONFIG_CHANNEL_MIN_KB, CONFIG_CHANNEL_MAX_KB, &v, err))
		return -EINVAL;
	if (v % 4)
		return config_refuse(err, "%llu is not a multiple of 4: a channel is whole pages",
				     (unsigned long long)v);
	c->size_kb = (uint32_t)v;
	return 0;
}

struct channel_key {
	const char *key;
	int (*parse)(struct config_channel *c, char *value, struct config_error *err);
};

static const struct channel_key channel_keys[] = {
	{ "between", key_between },
	{ "size_kb", key_size_kb },
};

static const struct setting *find_setting(const char *section, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		if (!strcmp(section_names[settings[i].section], section) &&
		    !strcmp(settings[i].key, key))
			return &settings[i];
	}
	return NULL;
}

static int setting_parse(const struct setting *s, const char *value, uint64_t *out,
			 struct config_error *err)
{
	switch (s->kind) {
	case VALUE_NUMBER:
		return config_parse_range(value, s->min, s->max, out, err);
	case VALUE_BOOL:
		return config_parse_bool(value, out, err);
	case VALUE_ENUM:
		return config_parse_enum(value, s->names, out, err);
	case VALUE_BDF:
		return config_parse_optional_bdf(value, out, err);
	}
	return config_refuse(err, "internal: unknown value kind");
}

/* Stores through a byte copy of the member's own width: bool, uint16_t, uint32_t or enum. */
static void setting_store(struct config *cfg, const struct setting *s, uint64_t v)
{
	unsigned char *member = (unsigned char *)cfg + s->offset;
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	if (s->size == sizeof(v8))
		memcpy(member, &v8, sizeof(v8));
	else if (s->size == sizeof(v16))
		memcpy(member, &v16, sizeof(v16));
	else if (s->size == sizeof(v32))
		memcpy(member, &v32, sizeof(v32));
}

static void partition_defaults(struct config_partition *p)
{
	memset(p, 0, sizeof(*p));
	p->role = PARTITION_CHILD;
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->version = CONFIG_VERSION;
	cfg->mode = CONFIG_MODE_RUN;
	cfg->log_level = LOG_INFO;
	cfg->heap_mb = 64;
	cfg->debug_exit_port = 0;
	cfg->unsafe_no_iommu = false;
	cfg->debug_fault = CONFIG_FAULT_NONE;
	cfg->sriov_vfs = 0;
	cfg->dma_fault_threshold = 1;
	cfg->vmbus = true;
	cfg->doorbell_limit = CONFIG_DOORBELL_LIMIT_DEFAULT;
}

/* The field prefix of the current section: "hypervisor", "partition web", "". */
static void section_field(struct parser *ps, const char *key)
{
	char label[48];

	if (ps->section == SECTION_PARTITION)
		hv_snprintf(label, sizeof(label), "partition %s", ps->part->name);
	else if (ps->section == SECTION_CHANNEL)
		hv_snprintf(label, sizeof(label), "channel %s", ps->chan->name);
	else
		hv_strlcpy(label, section_names[ps->section], sizeof(label));
	config_set_field(ps->err, label, key);
}

static int start_partition(struct parser *ps, const char *name)
{
	struct config *cfg = ps->cfg;

	char label[48];

	hv_snprintf(label, sizeof(label), "partition%s%s", *name ? " " : "", name);
	config_set_field(ps->err, label, NULL);
	if (!config_name_ok(name))
		return config_refuse(ps->err, "partition name must be 1..31 of a-z 0-9 _ -");
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		if (!strcmp(cfg->partitions[i].name, name))
			return config_refuse(ps->err, "partition '%s' is defined twice", name);
	}
	if (cfg->partition_count == CONFIG_MAX_PARTITIONS)
		return config_refuse(ps->err, "more than %u partitions", CONFIG_MAX_PARTITIONS);
	ps->part = &cfg->partitions[cfg->partition_count++];
	partition_defaults(ps->part);
	hv_strlcpy(ps->part->name, name, sizeof(ps->part->name));
	ps->section = SECTION_PARTITION;
	return 0;
}

static int start_channel(struct parser *ps, const char *name)
{
	struct config *cfg = ps->cfg;
	char label[48];

	hv_snprintf(label, sizeof(label), "channel%s%s", *name ? " " : "", name);
	config_set_field(ps->err, label, NULL);
	if (!config_name_ok(name))
		return config_refuse(ps->err, "channel name must be 1..31 of a-z 0-9 _ -");
	for (uint32_t i = 0; i < cfg->channel_count; i++) {
		if (!strcmp(cfg->channels[i].name, name))
			return config_refuse(ps->err, "channel '%s' is defined twice", name);
	}
	if (cfg->channel_count == CONFIG_MAX_CHANNELS)
		return config_refuse(ps->err, "more than %u channels", CONFIG_MAX_CHANNELS);
	ps->chan = &cfg->channels[cfg->channel_count++];
	memset(ps->chan, 0, sizeof(*ps->chan));
	ps->chan->size_kb = CONFIG_CHANNEL_DEFAULT_KB;
	hv_strlcpy(ps->chan->name, name, sizeof(ps->chan->name));
	ps->section = SECTION_CHANNEL;
	return 0;
}

/* "[word]" or "[word NAME]": true and *rest at NAME (maybe "") when name starts so. */
static bool named_section(char *name, const char *word, char **rest)
{
	size_t n = strlen(word);

	if (strncmp(name, word, n) || (name[n] && !config_is_blank(name[n])))
		return false;
	*rest = config_trim(name + n);
	return true;
}

static int start_section(struct parser *ps, char *name)
{
	enum section s;
	char *rest;

	ps->keys_seen = 0;
	if (named_section(name, "partition", &rest))
		return start_partition(ps, rest);
	if (named_section(name, "channel", &rest))
		return start_channel(ps, rest);
	if (!strcmp(name, "hypervisor"))
		s = SECTION_HYPERVISOR;
	else if (!strcmp(name, "sriov"))
		s = SECTION_SRIOV;
	else
		return config_refuse(ps->err, "unknown section [%.40s]", name);
	if (ps->sections_seen & BIT(s))
		return config_refuse(ps->err, "section [%s] appears twice", name);
	ps->sections_seen |= BIT(s);
	ps->section = s;
	return 0;
}

/* "[name]"; the field names what the brackets hold. */
static int parse_section(struct parser *ps, char *s)
{
	size_t n = strlen(s);
	char *name;

	if (s[n - 1] != ']')
		return config_refuse(ps->err, "a section header ends with ']'");
	s[n - 1] = '\0';
	name = config_trim(s + 1);
	config_set_field(ps->err, name, NULL);
	if (!ps->version_seen) {
		config_set_field(ps->err, "version", NULL);
		return config_refuse(ps->err, "the file must start with 'version = %u'",
				     CONFIG_VERSION);
	}
	return start_section(ps, name);
}

static int parse_version(struct parser *ps, const char *value)
{
	uint64_t v;

	config_set_field(ps->err, "version", NULL);
	if (ps->section != SECTION_TOP)
		return config_refuse(ps->err, "version belongs at the top, before any section");
	if (ps->version_seen)
		return config_refuse(ps->err, "version is given twice");
	if (config_parse_number(value, &v, ps->err))
		return -EINVAL;
	if (v != CONFIG_VERSION)
		return config_refuse(ps->err, "unsupported version %llu: this hypervisor reads %u",
				     (unsigned long long)v, CONFIG_VERSION);
	ps->version_seen = true;
	ps->cfg->version = CONFIG_VERSION;
	return 0;
}

/* index: the key's place in its table, -1 if it has none. */
static int mark_seen(struct parser *ps, int index, const char *key)
{
	if (index < 0)
		return config_refuse(ps->err, "unknown key '%.40s'", key);
	if (ps->keys_seen & BIT(index))
		return config_refuse(ps->err, "'%.40s' is given twice in this section", key);
	ps->keys_seen |= (uint32_t)BIT(index);
	return 0;
}

static int set_partition_key(struct parser *ps, const char *key, char *value)
{
	int index = -1;

	for (size_t i = 0; i < ARRAY_SIZE(partition_keys); i++) {
		if (!strcmp(partition_keys[i].key, key))
			index = (int)i;
	}
	if (mark_seen(ps, index, key))
		return -EINVAL;
	return partition_keys[index].parse(ps->part, value, ps->err);
}

static int set_channel_key(struct parser *ps, const char *key, char *value)
{
	int index = -1;

	for (size_t i = 0; i < ARRAY_SIZE(channel_keys); i++) {
		if (!strcmp(channel_keys[i].key, key))
			index = (int)i;
	}
	if (mark_seen(ps, index, key))
		return -EINVAL;
	return channel_keys[index].parse(ps->chan, value, ps->err);
}

static int set_global_key(struct parser *ps, const char *key, const char *value)
{
	const struct setting *s = find_setting(section_names[ps->section], key);
	uint64_t v;

	if (ps->section == SECTION_TOP)
		return config_refuse(ps->err, "key '%.40s' is outside of any section", key);
	if (mark_seen(ps, s ? (int)(s - settings) : -1, key))
		return -EINVAL;
	if (setting_parse(s, value, &v, ps->err))
		return -EINVAL;
	setting_store(ps->cfg, s, v);
	return 0;
}

static int parse_assignment(struct parser *ps, char *s)
{
	char *eq = strchr(s, '=');
	char *key, *value;

	if (!eq)
		return config_refuse(ps->err, "expected 'key = value' or '[section]'");
	*eq = '\0';
	key = config_trim(s);
	value = config_trim(eq + 1);
	if (!*key)
		return config_refuse(ps->err, "a key is missing before '='");
	if (!strcmp(key, "version"))
		return parse_version(ps, value);
	if (!ps->version_seen) {
		config_set_field(ps->err, "version", NULL);
		return config_refuse(ps->err, "the file must start with 'version = %u'",
				     CONFIG_VERSION);
	}
	section_field(ps, key);
	if (ps->section == SECTION_PARTITION)
		return set_partition_key(ps, key, value);
	if (ps->section == SECTION_CHANNEL)
		return set_channel_key(ps, key, value);
	return set_global_key(ps, key, value);
}

/* A comment runs from '#' or ';' to the end of the line, also after a value. */
static int parse_line(struct parser *ps, char *line)
{
	char *s;

	for (s = line; *s; s++) {
		if (*s == '#' || *s == ';') {
			*s = '\0';
			break;
		}
	}
	s = config_trim(line);
	if (!*s)
		return 0;
	if (*s == '[')
		return parse_section(ps, s);
	return parse_assignment(ps, s);
}

/*
 * Copies the line at *pos into buf without its LF or CRLF and moves *pos to
 * the next line. Only printable ASCII and tabs are accepted.
 */
static int read_line(const char *text, size_t len, size_t *pos, char *buf,
		     struct config_error *err)
{
	size_t start = *pos, end = start;

	while (end < len && text[end] != '\n')
		end++;
	*pos = end < len ? end + 1 : end;
	if (end > start && text[end - 1] == '\r')
		end--;
	if (end - start > CONFIG_MAX_LINE)
		return config_refuse(err, "line is longer than %u characters", CONFIG_MAX_LINE);
	for (size_t i = start; i < end; i++) {
		unsigned char c = (unsigned char)text[i];

		if (!c)
			return config_refuse(err, "NUL byte in the text");
		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			return config_refuse(err, "byte 0x%02x is not printable ASCII", c);
	}
	memcpy(buf, text + start, end - start);
	buf[end - start] = '\0';
	return 0;
}

/* At the end of the file, since 'between' may come anywhere in its section. */
static int check_channels_joined(const struct config *cfg, struct config_error *err)
{
	for (uint32_t i = 0; i < cfg->channel_count; i++) {
		const struct config_channel *c = &cfg->channels[i];
		char label[48];

		if (c->ends[0][0])
			continue;
		hv_snprintf(label, sizeof(label), "channel %s", c->name);
		config_set_field(err, label, "between");
		return config_refuse(err, "no 'between': a channel joins two partitions");
	}
	return 0;
}

int config_parse(const char *text, size_t len, struct config *cfg, struct config_error *err)
{
	struct config_error scratch;
	struct parser ps = { .cfg = cfg, .section = SECTION_TOP };
	char line[CONFIG_MAX_LINE + 1];

	ps.err = err ? err : &scratch;
	config_error_clear(ps.err);
	config_defaults(cfg);
	if (!text && len)
		return config_refuse(ps.err, "no text");
	if (len > CONFIG_MAX_SIZE)
		return config_refuse(ps.err, "the file is larger than %u bytes", CONFIG_MAX_SIZE);
	for (size_t pos = 0; pos < len;) {
		ps.err->line++;
		section_field(&ps, NULL);
		if (read_line(text, len, &pos, line, ps.err) || parse_line(&ps, line))
			return -EINVAL;
	}
	if (!ps.version_seen) {
		config_error_clear(ps.err);
		config_set_field(ps.err, "version", NULL);
		return config_refuse(ps.err, "'version = %u' is missing", CONFIG_VERSION);
	}
	config_error_clear(ps.err);
	return check_channels_joined(cfg, ps.err);
}

/* Load options that stand for a setting. */
static const struct {
	const char *token, *field, *value;
} cmdline_shorthands[] = {
	{ "check", "hypervisor.mode", "check" },
	{ "unsafe_no_iommu", "hypervisor.unsafe_no_iommu", "yes" },
};

#define CMDLINE_MAX_TOKEN 127

/* "section.key=value" or a shorthand; stores only when apply is set. */
static int cmdline_option(struct config *cfg, char *tok, bool apply, struct config_error *err)
{
	const char *value = NULL;
	char *eq = strchr(tok, '='), *dot;
	const struct setting *s;
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(cmdline_shorthands); i++) {
		if (!strcmp(tok, cmdline_shorthands[i].token)) {
			hv_strlcpy(tok, cmdline_shorthands[i].field, CMDLINE_MAX_TOKEN + 1);
			value = cmdline_shorthands[i].value;
		}
	}
	if (!value && eq) {
		*eq = '\0';
		value = eq + 1;
	}
	config_set_field(err, tok, NULL);
	dot = strchr(tok, '.');
	if (!value || !dot)
		return config_refuse(err, "unknown option: expected section.key=value");
	*dot = '\0';
	if (!strncmp(tok, "partition", 9))
		return config_refuse(err, "partition keys are set in the file only");
	if (!strncmp(tok, "channel", 7))
		return config_refuse(err, "channel keys are set in the file only");
	s = find_setting(tok, dot + 1);
	if (!s)
		return config_refuse(err, "unknown key: only [hypervisor] and [sriov] keys");
	if (setting_parse(s, value, &v, err))
		return -EINVAL;
	if (apply)
		setting_store(cfg, s, v);
	return 0;
}

static int cmdline_walk(struct config *cfg, const char *cmdline, bool apply,
			struct config_error *err)
{
	char tok[CMDLINE_MAX_TOKEN + 1];

	for (const char *p = cmdline;;) {
		size_t n = 0;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			return 0;
		while (p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != '\r' && p[n] != '\n')
			n++;
		if (n > CMDLINE_MAX_TOKEN) {
			config_set_field(err, "", NULL);
			return config_refuse(err, "option longer than %u characters",
					     CMDLINE_MAX_TOKEN);
		}
		memcpy(tok, p, n);
		tok[n] = '\0';
		if (cmdline_option(cfg, tok, apply, err))
			return -EINVAL;
		p += n;
	}
}

/* Validate every option, then apply them all: a bad one leaves *cfg as it was. */
int config_apply_cmdline(struct config *cfg, const char *cmdline, struct config_error *err)
{
	struct config_error scratch;

	if (!err)
		err = &scratch;
	config_error_clear(err);
	if (!cmdline)
		return 0;
	if (cmdline_walk(cfg, cmdline, false, err))
		return -EINVAL;
	cmdline_walk(cfg, cmdline, true, err);
	config_error_clear(err);
	return 0;
}
