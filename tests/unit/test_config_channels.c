/*
 * Unit tests of [channel NAME] sections in the configuration file
 * (lib/config*.c): valid channels, each refusal with the line and field it
 * must name, the load options that may not touch them, and the check in
 * config_validate_partitions() that both ends exist. The fuzz loop over a
 * file with a channel is in test_config.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hv/errno.h"
#include "lib/config.h"

#define V1 "version = 1\n"

/* Two valid partitions for the validation tests; channels go before or after. */
#define PARTS                                                                           \
	"[partition a]\nrole = parent\ncpus = 0\nmemory_mb = 64\nimage = a\n"              \
	"[partition b]\ncpus = 1\nmemory_mb = 64\nimage = b\n"

static void parse_ok(struct config *cfg, const char *text)
{
	struct config_error err;

	if (config_parse(text, strlen(text), cfg, &err))
		fail_msg("line %u %s: %s", err.line, err.field, err.message);
}

/* The parse must fail with -EINVAL at this line and field, saying something like msg. */
static void refused(const char *text, unsigned line, const char *field, const char *msg)
{
	struct config cfg;
	struct config_error err;
	int ret = config_parse(text, strlen(text), &cfg, &err);

	if (ret != -EINVAL || err.line != line || strcmp(err.field, field) ||
	    !strstr(err.message, msg))
		fail_msg("text:\n%s\n=> ret %d line %u field \"%s\" message \"%s\"\n"
			 "wanted line %u field \"%s\" message with \"%s\"",
			 text, ret, err.line, err.field, err.message, line, field, msg);
}

static void test_valid(void **state)
{
	struct config cfg;
	(void)state;

	/* Ends defined after the channel; the default size; blanks around names. */
	parse_ok(&cfg, V1 "[channel x]\nbetween =  b,a \n"
			  "[ channel\ty-2_ ]\nsize_kb = 1024\nbetween = a,b\n"
			  "[channel z]\nbetween = a, b\nsize_kb = 4\n" PARTS);
	assert_int_equal(cfg.channel_count, 3);
	assert_int_equal(cfg.partition_count, 2);
	assert_string_equal(cfg.channels[0].name, "x");
	assert_string_equal(cfg.channels[0].ends[0], "b");
	assert_string_equal(cfg.channels[0].ends[1], "a");
	assert_int_equal(cfg.channels[0].size_kb, 64);
	assert_string_equal(cfg.channels[1].name, "y-2_");
	assert_int_equal(cfg.channels[1].size_kb, 1024);
	assert_int_equal(cfg.channels[2].size_kb, 4);
	assert_int_equal(config_validate_partitions(&cfg, 2, NULL), 0);

	/* A channel may share its name with a partition: the namespaces are apart. */
	parse_ok(&cfg, V1 PARTS "[channel a]\nbetween = a, b\n");
	assert_int_equal(config_validate_partitions(&cfg, 2, NULL), 0);

	parse_ok(&cfg, V1);
	assert_int_equal(cfg.channel_count, 0);
}

static void test_refuse_headers(void **state)
{
	char text[2048];
	size_t n;
	(void)state;

	refused(V1 "[channel]\n", 2, "channel", "channel name");
	refused(V1 "[channel Net]\n", 2, "channel Net", "channel name");
	refused(V1 "[channel a b]\n", 2, "channel a b", "channel name");
	refused(V1 "[channel abcdefghijklmnopqrstuvwxyz012345]\n", 2,
		"channel abcdefghijklmnopqrstuvwxyz012345", "channel name");
	refused(V1 "[channelx]\n", 2, "channelx", "unknown section");
	refused(V1 "[channel n]\nbetween = a, b\n[channel m]\nbetween = a, b\n[channel n]\n", 6,
		"channel n", "defined twice");

	n = (size_t)snprintf(text, sizeof(text), V1);
	for (int i = 0; i < CONFIG_MAX_CHANNELS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "[channel c%d]\nbetween = a,b\n",
				      i);
	parse_ok(&(struct config){ 0 }, text);
	snprintf(text + n, sizeof(text) - n, "[channel extra]\n");
	refused(text, 2 * CONFIG_MAX_CHANNELS + 2, "channel extra", "more than 16 channels");
}

static void test_refuse_keys(void **state)
{
	(void)state;
	refused(V1 "[channel n]\nsize = 4\n", 3, "channel n.size", "unknown key");
	refused(V1 "[channel n]\ncpus = 1\n", 3, "channel n.cpus", "unknown key");
	refused(V1 "[channel n]\nbetween = a, b\nbetween = a, c\n", 4, "channel n.between",
		"twice");
	refused(V1 "[channel n]\nsize_kb = 4\nbetween = a, b\nsize_kb = 4\n", 5,
		"channel n.size_kb", "twice");
	refused(V1 "[channel n]\nversion = 1\n", 3, "version", "top");
	/* A key after a channel belongs to it, not to the partition before. */
	refused(V1 "[partition a]\n[channel n]\nmemory_mb = 64\n", 4, "channel n.memory_mb",
		"unknown key");
}

static void test_refuse_between(void **state)
{
	static const struct {
		const char *value, *msg;
	} bad[] = {
		{ "a", "one partition" },
		{ "a, b, c", "more than two" },
		{ "a, a", "both ends are 'a'" },
		{ "a,", "empty item" },
		{ ", b", "empty item" },
		{ "", "empty item" },
		{ "a,,b", "empty item" },
		{ "a b, c", "'a b' is not a partition name" },
		{ "A, b", "'A' is not a partition name" },
		{ "a, b.c", "'b.c' is not a partition name" },
		{ "a, abcdefghijklmnopqrstuvwxyz012345", "is not a partition name" },
	};
	char text[256];
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), V1 "[channel n]\nbetween = %s\n", bad[i].value);
		refused(text, 3, "channel n.between", bad[i].msg);
	}
	/* Without 'between': refused once the whole file is read, not at any line. */
	refused(V1 "[channel n]\n" PARTS, 0, "channel n.between", "no 'between'");
	refused(V1 "[channel m]\nbetween = a, b\n[channel n]\nsize_kb = 8\n", 0,
		"channel n.between", "no 'between'");
}

static void test_refuse_size(void **state)
{
	static const struct {
		const char *value, *msg;
	} bad[] = {
		{ "0", "out of range 4..1024" },   { "3", "out of range" },
		{ "1025", "out of range" },        { "1028", "out of range" },
		{ "6", "not a multiple of 4" },    { "1022", "1022 is not a multiple of 4" },
		{ "", "missing" },                 { "64k", "is not a number" },
	};
	char text[256];
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), V1 "[channel n]\nbetween = a, b\nsize_kb = %s\n",
			 bad[i].value);
		refused(text, 4, "channel n.size_kb", bad[i].msg);
	}
}

static void test_cmdline_refused(void **state)
{
	static const char *const tokens[] = { "channel.size_kb=8", "channel.n.size_kb=8",
					      "channel.between=a,b" };
	struct config cfg, before;
	struct config_error err;
	(void)state;

	parse_ok(&cfg, V1 PARTS "[channel n]\nbetween = a, b\n");
	memcpy(&before, &cfg, sizeof(before));
	for (size_t i = 0; i < ARRAY_SIZE(tokens); i++) {
		assert_int_equal(config_apply_cmdline(&cfg, tokens[i], &err), -EINVAL);
		assert_int_equal(err.line, 0);
		assert_non_null(strstr(err.message, "channel keys are set in the file only"));
		assert_memory_equal(&cfg, &before, sizeof(cfg));
	}
}

static void validate_refused(const struct config *cfg, const char *field, const char *msg)
{
	struct config_error err;
	int ret = config_validate_partitions(cfg, 2, &err);

	if (ret != -EINVAL || err.line != 0 || strcmp(err.field, field) ||
	    !strstr(err.message, msg))
		fail_msg("validate => ret %d line %u field \"%s\" message \"%s\"; wanted \"%s\" "
			 "\"%s\"",
			 ret, err.line, err.field, err.message, field, msg);
}

static void test_validate(void **state)
{
	struct config cfg;
	(void)state;

	parse_ok(&cfg, V1 "[channel n]\nbetween = a, c\n" PARTS);
	validate_refused(&cfg, "channel n.between", "partition 'c' is not defined");
	parse_ok(&cfg, V1 PARTS "[channel ok]\nbetween = b, a\n[channel n]\nbetween = zz, b\n");
	validate_refused(&cfg, "channel n.between", "partition 'zz' is not defined");
	parse_ok(&cfg, V1 "[channel n]\nbetween = a, b\n");
	validate_refused(&cfg, "channel n.between", "partition 'a' is not defined");

	/* Structures that did not come from the parser. */
	parse_ok(&cfg, V1 PARTS "[channel n]\nbetween = a, b\n");
	strcpy(cfg.channels[0].ends[1], "a");
	validate_refused(&cfg, "channel n.between", "both ends are 'a'");
	parse_ok(&cfg, V1 PARTS "[channel n]\nbetween = a, b\n");
	memset(cfg.channels[0].ends[1], 'b', sizeof(cfg.channels[0].ends[1]));
	validate_refused(&cfg, "channel n.between", "is not defined");
	parse_ok(&cfg, V1 PARTS);
	cfg.channel_count = CONFIG_MAX_CHANNELS + 1;
	validate_refused(&cfg, "", "more than 16 channels");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_refuse_headers),
		cmocka_unit_test(test_refuse_keys),
		cmocka_unit_test(test_refuse_between),
		cmocka_unit_test(test_refuse_size),
		cmocka_unit_test(test_cmdline_refused),
		cmocka_unit_test(test_validate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
