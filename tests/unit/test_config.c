/*
 * Unit tests of the configuration parser (lib/config*.c): a full file and
 * its variants (CRLF, no final newline, comments), every refusal with the
 * line and field it must name, load-option overrides, the partition checks,
 * and a fuzz loop over prefixes and mutations of a valid file, each parsed
 * from a buffer of exactly its length so ASan sees any read beyond it.
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

static const char full_text[] = "# The example of docs/configuration.md, more or less\n"
				"version = 1\n"
				"\n"
				"[hypervisor]\n"
				"mode = check            # comment after a value\n"
				"log_level = debug\n"
				"heap_mb = 128\n"
				"debug_exit_port = 0xf4\n"
				"unsafe_no_iommu = yes\n"
				"debug_fault = general_protection\n"
				"\n"
				"[sriov]\n"
				"\tvfs\t=\t2 ; a semicolon comment\n"
				"\n"
				"[partition parent]\n"
				"role = parent\n"
				"cpus = 0, 2-3\n"
				"memory_mb = 256\n"
				"image = parent.elf\n"
				"devices = 01:00.0, 0001:02:1f.7\n"
				"cmdline = console=ttyS0 quiet\n"
				"\n"
				"[channel net_0]\n"
				"size_kb = 0x10\n"
				"between = parent , child-1\n"
				"\n"
				"[partition child-1]\n"
				"role = child\n"
				"cpus = 1\n"
				"memory_mb = 0x40\n"
				"image = guests/child_1.elf\n"
				"devices =\n"
				"cmdline =\n";

static int parse_str(const char *text, struct config *cfg, struct config_error *err)
{
	return config_parse(text, strlen(text), cfg, err);
}

static void check_full(const struct config *cfg)
{
	const struct config_partition *p = &cfg->partitions[0], *c = &cfg->partitions[1];

	assert_int_equal(cfg->version, 1);
	assert_int_equal(cfg->mode, CONFIG_MODE_CHECK);
	assert_int_equal(cfg->log_level, LOG_DEBUG);
	assert_int_equal(cfg->heap_mb, 128);
	assert_int_equal(cfg->debug_exit_port, 0xf4);
	assert_true(cfg->unsafe_no_iommu);
	assert_int_equal(cfg->debug_fault, CONFIG_FAULT_GENERAL_PROTECTION);
	assert_int_equal(cfg->sriov_vfs, 2);
	assert_int_equal(cfg->partition_count, 2);
	assert_int_equal(cfg->channel_count, 1);
	assert_string_equal(cfg->channels[0].name, "net_0");
	assert_string_equal(cfg->channels[0].ends[0], "parent");
	assert_string_equal(cfg->channels[0].ends[1], "child-1");
	assert_int_equal(cfg->channels[0].size_kb, 16);

	assert_string_equal(p->name, "parent");
	assert_int_equal(p->role, PARTITION_PARENT);
	assert_int_equal(p->cpu_mask, 0xd);
	assert_int_equal(p->memory_mb, 256);
	assert_string_equal(p->image, "parent.elf");
	assert_int_equal(p->device_count, 2);
	assert_int_equal(p->devices[0], CONFIG_BDF(0, 1, 0, 0));
	assert_int_equal(p->devices[1], CONFIG_BDF(1, 2, 0x1f, 7));
	assert_string_equal(p->cmdline, "console=ttyS0 quiet");

	assert_string_equal(c->name, "child-1");
	assert_int_equal(c->role, PARTITION_CHILD);
	assert_int_equal(c->cpu_mask, 0x2);
	assert_int_equal(c->memory_mb, 64);
	assert_string_equal(c->image, "guests/child_1.elf");
	assert_int_equal(c->device_count, 0);
	assert_string_equal(c->cmdline, "");
}

static void test_full_file(void **state)
{
	struct config cfg;
	struct config_error err;
	(void)state;

	assert_int_equal(parse_str(full_text, &cfg, &err), 0);
	check_full(&cfg);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.message, "");
	assert_int_equal(parse_str(full_text, &cfg, NULL), 0); /* err is optional */
	assert_int_equal(config_validate_partitions(&cfg, 4, &err), 0);
}

/* Replaces every LF with CRLF, or drops the final newline: same result. */
static void test_crlf_and_no_final_newline(void **state)
{
	char crlf[2 * sizeof(full_text)];
	size_t n = 0;
	struct config cfg;
	struct config_error err;
	(void)state;

	for (const char *s = full_text; *s; s++) {
		if (*s == '\n')
			crlf[n++] = '\r';
		crlf[n++] = *s;
	}
	assert_int_equal(config_parse(crlf, n, &cfg, &err), 0);
	check_full(&cfg);
	assert_int_equal(config_parse(crlf, n - 2, &cfg, &err), 0); /* no final CRLF */
	check_full(&cfg);
	assert_int_equal(config_parse(crlf, n - 1, &cfg, &err), 0); /* a final lone CR */
	check_full(&cfg);
	assert_int_equal(config_parse(full_text, strlen(full_text) - 1, &cfg, &err), 0);
	check_full(&cfg);
	assert_int_equal(parse_str("version = 1", &cfg, &err), 0);
}

static void test_defaults(void **state)
{
	struct config cfg;
	(void)state;

	assert_int_equal(parse_str("\n# only the version\n  version=1;x\n\n", &cfg, NULL), 0);
	assert_int_equal(cfg.version, CONFIG_VERSION);
	assert_int_equal(cfg.mode, CONFIG_MODE_RUN);
	assert_int_equal(cfg.log_level, LOG_INFO);
	assert_int_equal(cfg.heap_mb, 64);
	assert_int_equal(cfg.debug_exit_port, 0);
	assert_false(cfg.unsafe_no_iommu);
	assert_int_equal(cfg.debug_fault, CONFIG_FAULT_NONE);
	assert_int_equal(cfg.sriov_vfs, 0);
	assert_int_equal(cfg.partition_count, 0);
	assert_true(cfg.vmbus);
	assert_int_equal(cfg.doorbell_limit, CONFIG_DOORBELL_LIMIT_DEFAULT);

	assert_int_equal(parse_str(V1 "[partition p]\n", &cfg, NULL), 0);
	assert_int_equal(cfg.partitions[0].role, PARTITION_CHILD); /* parent is never implied */
}

static void test_value_spellings(void **state)
{
	static const char *const yes[] = { "yes", "true", "1" };
	static const char *const no[] = { "no", "false", "0" };
	struct config cfg;
	char text[128];
	(void)state;

	for (size_t i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), V1 "[hypervisor]\nunsafe_no_iommu = %s\n", yes[i]);
		assert_int_equal(parse_str(text, &cfg, NULL), 0);
		assert_true(cfg.unsafe_no_iommu);
		snprintf(text, sizeof(text), V1 "[hypervisor]\nunsafe_no_iommu = %s\n", no[i]);
		assert_int_equal(parse_str(text, &cfg, NULL), 0);
		assert_false(cfg.unsafe_no_iommu);
	}
	assert_int_equal(parse_str(V1 "[hypervisor]\nheap_mb = 0X400\nlog_level = error\n"
				      "debug_exit_port = 65535\ndebug_fault = divide_error\n"
				      "[ sriov ]\nvfs = 0256\n",
				   &cfg, NULL),
			 0);
	assert_int_equal(cfg.heap_mb, 1024);
	assert_int_equal(cfg.log_level, LOG_ERROR);
	assert_int_equal(cfg.debug_exit_port, 0xffff);
	assert_int_equal(cfg.debug_fault, CONFIG_FAULT_DIVIDE_ERROR);
	assert_int_equal(cfg.sriov_vfs, 256);
	assert_int_equal(parse_str(V1 "[partition\tp]\ncpus = 63, 0-1,5 - 6\n", &cfg, NULL), 0);
	assert_int_equal(cfg.partitions[0].cpu_mask, BIT(63) | 0x63);
}

/* The parse must fail with -EINVAL at this line and field, saying something like msg. */
static void expect_refused(const char *text, size_t len, unsigned line, const char *field,
			   const char *msg)
{
	struct config cfg;
	struct config_error err;
	int ret = config_parse(text, len, &cfg, &err);

	if (ret != -EINVAL || err.line != line || strcmp(err.field, field) ||
	    !strstr(err.message, msg))
		fail_msg("text:\n%s\n=> ret %d line %u field \"%s\" message \"%s\"\n"
			 "wanted line %u field \"%s\" message with \"%s\"",
			 text, ret, err.line, err.field, err.message, line, field, msg);
}

static void refused(const char *text, unsigned line, const char *field, const char *msg)
{
	expect_refused(text, strlen(text), line, field, msg);
}

static void test_refuse_version(void **state)
{
	(void)state;
	refused("", 0, "version", "missing");
	refused("# nothing but a comment\n\n", 0, "version", "missing");
	refused("[hypervisor]\n" V1, 1, "version", "must start");
	refused("\nmode = run\n" V1, 2, "version", "must start");
	refused(V1 "version = 1\n", 2, "version", "twice");
	refused(V1 "[hypervisor]\nversion = 1\n", 3, "version", "top");
	refused(V1 "[partition a]\nversion = 1\n", 3, "version", "top");
	refused("version = 2\n", 1, "version", "unsupported version 2");
	refused("version = 0\n", 1, "version", "unsupported");
	refused("version = one\n", 1, "version", "is not a number");
	refused("version =\n", 1, "version", "missing");
}

static void test_refuse_sections(void **state)
{
	(void)state;

	refused(V1 "[hypervisors]\n", 2, "hypervisors", "unknown section");
	refused(V1 "[]\n", 2, "", "unknown section");
	refused(V1 "[hypervisor\n", 2, "", "ends with ']'");
	refused(V1 "[hypervisor]\n[sriov]\n[hypervisor]\n", 4, "hypervisor", "twice");
	refused(V1 "[partition a]\n[partition b]\n[partition a]\n", 4, "partition a",
		"defined twice");
	refused(V1 "[partition]\n", 2, "partition", "partition name");
	refused(V1 "[partition Web]\n", 2, "partition Web", "partition name");
	refused(V1 "[partition a b]\n", 2, "partition a b", "partition name");
	refused(V1 "[partition a.b]\n", 2, "partition a.b", "partition name");
	refused(V1 "[partition abcdefghijklmnopqrstuvwxyz012345]\n", 2,
		"partition abcdefghijklmnopqrstuvwxyz012345", "partition name");
	refused(V1 "[partitionx]\n", 2, "partitionx", "unknown section");
}

static void test_refuse_lines(void **state)
{
	static const char nul_line[] = V1 "[sriov]\n\0vfs = 1\n";
	static const char nul_comment[] = V1 "# \0 in a comment\n";
	char text[400];
	(void)state;

	refused(V1 "[hypervisor]\njust words\n", 3, "hypervisor", "expected 'key = value'");
	refused(V1 "[partition a]\n = 1\n", 3, "partition a", "key is missing");
	refused(V1 "mode = run\n", 2, "mode", "outside of any section");
	expect_refused(nul_line, sizeof(nul_line) - 1, 3, "sriov", "NUL");
	expect_refused(nul_comment, sizeof(nul_comment) - 1, 2, "", "NUL");
	refused(V1 "[sriov]\nvfs = 1\x01\n", 3, "sriov", "byte 0x01");
	refused(V1 "[sriov]\nvfs = 1\r2\n", 3, "sriov", "byte 0x0d");
	refused(V1 "# caf\xc3\xa9\n", 2, "", "byte 0xc3");
	refused(V1 "\x7f\n", 2, "", "byte 0x7f");

	/* 255 characters are fine, 256 are not, comment or not; CRLF does not count. */
	memset(text, 0, sizeof(text));
	strcpy(text, V1 "#");
	memset(text + strlen(text), 'c', 254);
	strcat(text, "\r\n");
	assert_int_equal(parse_str(text, &(struct config){ 0 }, NULL), 0);
	strcpy(text + strlen(text) - 2, "c\r\n");
	refused(text, 2, "", "longer than 255");
}

static void test_refuse_keys(void **state)
{
	(void)state;
	refused(V1 "[hypervisor]\nmodes = run\n", 3, "hypervisor.modes", "unknown key");
	refused(V1 "[hypervisor]\nMode = run\n", 3, "hypervisor.Mode", "unknown key");
	refused(V1 "[sriov]\nvfs = 1\n\nvfs = 2\n", 5, "sriov.vfs", "twice");
	refused(V1 "[sriov]\nmode = run\n", 3, "sriov.mode", "unknown key");
	refused(V1 "[hypervisor]\nmode = run\nlog_level = info\nmode = check\n", 5,
		"hypervisor.mode", "twice");
	refused(V1 "[partition web]\nrole = child\nrole = child\n", 4, "partition web.role",
		"twice");
	refused(V1 "[partition web]\nvfs = 1\n", 3, "partition web.vfs", "unknown key");
	refused(V1 "[partition web]\nversion = 1\n", 3, "version", "top");
}

/* Each text is one section header and one key line, after the version. */
static void test_refuse_numbers(void **state)
{
	static const struct {
		const char *text, *field, *msg;
	} bad[] = {
		{ "[hypervisor]\nheap_mb = 15", "hypervisor.heap_mb", "out of range 16..1024" },
		{ "[hypervisor]\nheap_mb = 1025", "hypervisor.heap_mb", "out of range" },
		{ "[hypervisor]\nheap_mb = 12a", "hypervisor.heap_mb",
		  "'12a' is not a number: 'a' is not a decimal digit" },
		{ "[hypervisor]\nheap_mb = -1", "hypervisor.heap_mb", "is not a number" },
		{ "[hypervisor]\nheap_mb = +64", "hypervisor.heap_mb", "is not a number" },
		{ "[hypervisor]\nheap_mb = 0x", "hypervisor.heap_mb", "missing" },
		{ "[hypervisor]\nheap_mb =", "hypervisor.heap_mb", "missing" },
		{ "[hypervisor]\nheap_mb = 6 4", "hypervisor.heap_mb", "is not a number" },
		{ "[hypervisor]\nheap_mb = 0x40g", "hypervisor.heap_mb",
		  "'g' is not a hexadecimal digit" },
		{ "[hypervisor]\nheap_mb = 18446744073709551616", "hypervisor.heap_mb",
		  "does not fit" },
		{ "[hypervisor]\nheap_mb = 0x10000000000000000", "hypervisor.heap_mb",
		  "does not fit" },
		{ "[hypervisor]\nheap_mb = 18446744073709551615", "hypervisor.heap_mb",
		  "out of range" },
		{ "[hypervisor]\ndebug_exit_port = 0x10000", "hypervisor.debug_exit_port",
		  "out of range" },
		{ "[sriov]\nvfs = 257", "sriov.vfs", "out of range 0..256" },
		{ "[partition a]\nmemory_mb = 0", "partition a.memory_mb", "out of range" },
		{ "[partition a]\nmemory_mb = 65537", "partition a.memory_mb",
		  "out of range 1..65536" },
	};
	char text[256];
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), V1 "%s\n", bad[i].text);
		refused(text, 3, bad[i].field, bad[i].msg);
	}
}

static void test_refuse_names(void **state)
{
	(void)state;
	refused(V1 "[hypervisor]\nunsafe_no_iommu = maybe\n", 3, "hypervisor.unsafe_no_iommu",
		"not one of no|yes|false|true|0|1");
	refused(V1 "[hypervisor]\nunsafe_no_iommu = Yes\n", 3, "hypervisor.unsafe_no_iommu",
		"not one of");
	refused(V1 "[hypervisor]\nmode = fast\n", 3, "hypervisor.mode", "not one of run|check");
	refused(V1 "[hypervisor]\nlog_level = verbose\n", 3, "hypervisor.log_level",
		"error|warn|info|debug");
	refused(V1 "[hypervisor]\ndebug_fault = segfault\n", 3, "hypervisor.debug_fault",
		"none|page_fault|divide_error|invalid_opcode|general_protection");
	refused(V1 "[partition a]\nrole = king\n", 3, "partition a.role", "parent|child");
}

static void test_refuse_cpus(void **state)
{
	static const struct {
		const char *list, *msg;
	} bad[] = {
		{ "3-1", "reversed" },
		{ "64", "out of range 0..63" },
		{ "0-64", "out of range" },
		{ "1,1", "listed twice" },
		{ "0-3, 2", "CPU 2 is listed twice" },
		{ "1,,2", "empty item" },
		{ "1,", "empty item" },
		{ ",1", "empty item" },
		{ "", "empty item" },
		{ "a", "is not a number" },
		{ "-1", "missing" },
		{ "1-", "missing" },
		{ "1-2-3", "is not a number" },
		{ "1 2", "is not a number" },
	};
	char text[128];
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), V1 "[partition a]\ncpus = %s\n", bad[i].list);
		refused(text, 3, "partition a.cpus", bad[i].msg);
	}
}

static void test_refuse_devices(void **state)
{
	static const struct {
		const char *list, *msg;
	} bad[] = {
		{ "100:00.0", "bus '100' has more than 2" },
		{ "00:20.0", "device 0x20 is out of range 0..0x1f" },
		{ "00:00.8", "function 0x8 is out of range 0..0x7" },
		{ "00:00.10", "function '10' has more than 1" },
		{ "00:00", "is not [segment:]bus:dev.fn" },
		{ "00.0", "is not [segment:]bus:dev.fn" },
		{ "0:0:0:0.0", "is not [segment:]bus:dev.fn" },
		{ "10000:00:00.0", "segment '10000' has more than 4" },
		{ "zz:00.0", "bus 'zz' is not hexadecimal" },
		{ ":00.0", "bus '' is not hexadecimal" },
		{ "0x1:00:00.0", "segment '0x1' is not hexadecimal" },
		{ "01:00.0, 01:00.0", "listed twice" },
		{ "01:00.0, 0000:01:00.0", "device 0000:01:00.0 is listed twice" },
		{ "01:00.0,", "empty item" },
	};
	char text[512];
	size_t n;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), V1 "[partition a]\ndevices = %s\n", bad[i].list);
		refused(text, 3, "partition a.devices", bad[i].msg);
	}
	n = (size_t)snprintf(text, sizeof(text), V1 "[partition a]\ndevices = 0:0.0");
	for (int i = 1; i < CONFIG_MAX_DEVICES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ",%x:0.0", i);
	assert_int_equal(parse_str(text, &(struct config){ 0 }, NULL), 0);
	snprintf(text + n, sizeof(text) - n, ", ff:1f.7\n");
	refused(text, 3, "partition a.devices", "more than 16 devices");
}

static void test_refuse_partitions(void **state)
{
	char text[1024];
	size_t n;
	(void)state;

	n = (size_t)snprintf(text, sizeof(text), V1);
	for (int i = 0; i < CONFIG_MAX_PARTITIONS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "[partition p%d]\n", i);
	assert_int_equal(parse_str(text, &(struct config){ 0 }, NULL), 0);
	snprintf(text + n, sizeof(text) - n, "[partition extra]\n");
	refused(text, CONFIG_MAX_PARTITIONS + 2, "partition extra", "more than 16 partitions");
}

static void test_refuse_image_and_cmdline(void **state)
{
	static const struct {
		const char *image, *msg;
	} bad[] = {
		{ "/boot/a.elf", "relative" },
		{ "../a.elf", "'..'" },
		{ "dir/../a.elf", "'..'" },
		{ "a..elf", "'..'" },
		{ "a b.elf", "' ' is not allowed" },
		{ "a\\b.elf", "'\\' is not allowed" },
		{ "a:b", "':' is not allowed" },
		{ "dir//a.elf", "empty path component" },
		{ "dir/", "directory" },
		{ "", "1..63 characters" },
		{ "a234567890123456789012345678901234567890123456789012345678901234",
		  "1..63 characters" },
	};
	char text[512];
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), V1 "[partition a]\nimage = %s\n", bad[i].image);
		refused(text, 3, "partition a.image", bad[i].msg);
	}
	snprintf(text, sizeof(text), V1 "[partition a]\nimage = %.63s\n", bad[10].image);
	assert_int_equal(parse_str(text, &(struct config){ 0 }, NULL), 0);

	snprintf(text, sizeof(text), V1 "[partition a]\ncmdline = %0127d\n", 7);
	assert_int_equal(parse_str(text, &(struct config){ 0 }, NULL), 0);
	snprintf(text, sizeof(text), V1 "[partition a]\ncmdline = %0128d\n", 7);
	refused(text, 3, "partition a.cmdline", "longer than 127");
}

static void test_refuse_size(void **state)
{
	size_t len = CONFIG_MAX_SIZE + 1;
	char *text = malloc(len);
	(void)state;

	assert_non_null(text);
	memset(text, '\n', len);
	memcpy(text, V1, strlen(V1));
	expect_refused(text, len, 0, "", "larger than 65536");
	assert_int_equal(config_parse(text, len - 1, &(struct config){ 0 }, NULL), 0);
	free(text);
	expect_refused(NULL, 5, 0, "", "no text");
	assert_int_equal(config_parse(NULL, 0, &(struct config){ 0 }, NULL), -EINVAL);
}

static void parse_ok(struct config *cfg, const char *text)
{
	struct config_error err;

	if (parse_str(text, cfg, &err))
		fail_msg("line %u %s: %s", err.line, err.field, err.message);
}

static void test_debug_dma_probe(void **state)
{
	struct config cfg;

	(void)state;
	parse_ok(&cfg, "version = 1\n[hypervisor]\ndebug_dma_probe = 02:00.0\n");
	assert_int_equal(cfg.debug_dma_probe, CONFIG_BDF(0, 2, 0, 0) + 1);
	parse_ok(&cfg, "version = 1\n[hypervisor]\ndebug_dma_probe = 00:00.0\n");
	assert_int_equal(cfg.debug_dma_probe, 1); /* 00:00.0 is not "none" */
	parse_ok(&cfg, "version = 1\n[hypervisor]\ndebug_dma_probe = none\n");
	assert_int_equal(cfg.debug_dma_probe, 0);
	refused("version = 1\n[hypervisor]\ndebug_dma_probe = 02:20.0\n", 3,
		"hypervisor.debug_dma_probe", "");
	refused("version = 1\n[hypervisor]\ndebug_dma_probe = 0000000000000002:00.0\n", 3,
		"hypervisor.debug_dma_probe", "");
	assert_int_equal(config_apply_cmdline(&cfg, "hypervisor.debug_dma_probe=01:00.1", NULL), 0);
	assert_int_equal(cfg.debug_dma_probe, CONFIG_BDF(0, 1, 0, 1) + 1);
}

static void test_cmdline(void **state)
{
	static const char many_options[] = "  sriov.vfs=2\thypervisor.log_level=debug\n"
					   "hypervisor.heap_mb=0x100 "
					   "hypervisor.debug_exit_port=244 "
					   "hypervisor.debug_fault=page_fault "
					   "hypervisor.unsafe_no_iommu=no sriov.vfs=3 ";
	struct config cfg;
	struct config_error err;
	(void)state;

	parse_ok(&cfg, V1);
	assert_int_equal(config_apply_cmdline(&cfg, NULL, &err), 0);
	assert_int_equal(config_apply_cmdline(&cfg, " \t ", &err), 0);
	assert_int_equal(cfg.mode, CONFIG_MODE_RUN);
	assert_int_equal(config_apply_cmdline(&cfg, "check", &err), 0);
	assert_int_equal(cfg.mode, CONFIG_MODE_CHECK);
	assert_int_equal(config_apply_cmdline(&cfg, "hypervisor.mode=run unsafe_no_iommu", NULL),
			 0);
	assert_int_equal(cfg.mode, CONFIG_MODE_RUN);
	assert_true(cfg.unsafe_no_iommu);
	assert_int_equal(config_apply_cmdline(&cfg, many_options, &err), 0);
	assert_int_equal(cfg.sriov_vfs, 3); /* the last one wins */
	assert_int_equal(cfg.log_level, LOG_DEBUG);
	assert_int_equal(cfg.heap_mb, 256);
	assert_int_equal(cfg.debug_exit_port, 0xf4);
	assert_int_equal(cfg.debug_fault, CONFIG_FAULT_PAGE_FAULT);
	assert_false(cfg.unsafe_no_iommu);
	assert_string_equal(err.field, "");
}

static void cmdline_refused(const char *cmdline, const char *field, const char *msg)
{
	struct config cfg, before;
	struct config_error err;
	int ret;

	parse_ok(&cfg, full_text);
	memcpy(&before, &cfg, sizeof(before));
	ret = config_apply_cmdline(&cfg, cmdline, &err);
	if (ret != -EINVAL || err.line != 0 || strcmp(err.field, field) ||
	    !strstr(err.message, msg))
		fail_msg("cmdline \"%s\" => ret %d line %u field \"%s\" message \"%s\"", cmdline,
			 ret, err.line, err.field, err.message);
	assert_memory_equal(&cfg, &before, sizeof(cfg)); /* nothing applied, not even the good */
}

static void test_cmdline_refused(void **state)
{
	char long_token[200];
	(void)state;

	cmdline_refused("sriov.vfs=1 bogus", "bogus", "unknown option");
	cmdline_refused("hypervisor.mode", "hypervisor.mode", "unknown option");
	cmdline_refused("check=yes", "check", "unknown option");
	cmdline_refused("version=1", "version", "unknown option");
	cmdline_refused("sriov.vfs=1 hypervisor.mode=fast", "hypervisor.mode", "run|check");
	cmdline_refused("sriov.vfs=257", "sriov.vfs", "out of range");
	cmdline_refused("sriov.vfs=", "sriov.vfs", "missing");
	cmdline_refused("hypervisor.nokey=1", "hypervisor.nokey", "unknown key");
	cmdline_refused("sriov.mode=run", "sriov.mode", "unknown key");
	cmdline_refused("partition.cpus=1", "partition.cpus", "file only");
	cmdline_refused("partition.parent.cpus=1", "partition.parent.cpus", "file only");
	cmdline_refused("hypervisor.unsafe_no_iommu=sure", "hypervisor.unsafe_no_iommu",
			"not one of");
	memset(long_token, 'a', sizeof(long_token) - 1);
	long_token[sizeof(long_token) - 1] = '\0';
	cmdline_refused(long_token, "", "longer than 127");
}

/* Two partitions a and b, both valid: a is the parent with CPU 0, b has CPU 1. */
static void two_partitions(struct config *cfg)
{
	parse_ok(cfg, V1 "[partition a]\nrole = parent\ncpus = 0\nmemory_mb = 64\nimage = a\n"
			 "devices = 01:00.0\n"
			 "[partition b]\ncpus = 1\nmemory_mb = 64\nimage = b\ndevices = 02:00.0\n");
}

static void validate_refused(const struct config *cfg, unsigned cpus, const char *field,
			     const char *msg)
{
	struct config_error err;
	int ret = config_validate_partitions(cfg, cpus, &err);

	if (ret != -EINVAL || strcmp(err.field, field) || !strstr(err.message, msg))
		fail_msg("validate => ret %d field \"%s\" message \"%s\"; wanted \"%s\" \"%s\"",
			 ret, err.field, err.message, field, msg);
}

/* The vmbus channels: on unless turned off, in the file or by a load option. */
static void test_vmbus_and_doorbell_limit(void **state)
{
	struct config cfg;
	(void)state;

	parse_ok(&cfg, V1 "[hypervisor]\nvmbus = no\ndoorbell_limit = 100\n");
	assert_false(cfg.vmbus);
	assert_int_equal(cfg.doorbell_limit, 100);
	parse_ok(&cfg, V1 "[hypervisor]\nvmbus = yes\n");
	assert_true(cfg.vmbus);
	assert_int_equal(config_apply_cmdline(&cfg, "hypervisor.vmbus=0", NULL), 0);
	assert_false(cfg.vmbus);
	assert_int_equal(config_apply_cmdline(&cfg, "hypervisor.doorbell_limit=10000000", NULL),
			 0);
	assert_int_equal(cfg.doorbell_limit, 10000000);
	refused(V1 "[hypervisor]\nvmbus = off\n", 3, "hypervisor.vmbus", "not one of");
	refused(V1 "[hypervisor]\nvmbus = no\nvmbus = no\n", 4, "hypervisor.vmbus", "twice");
	refused(V1 "[hypervisor]\ndoorbell_limit = 99\n", 3, "hypervisor.doorbell_limit",
		"out of range 100..10000000");
	refused(V1 "[hypervisor]\ndoorbell_limit = 10000001\n", 3, "hypervisor.doorbell_limit",
		"out of range");
	refused(V1 "[sriov]\nvmbus = no\n", 3, "sriov.vmbus", "unknown key");
	cmdline_refused("hypervisor.vmbus=maybe", "hypervisor.vmbus", "not one of");
	cmdline_refused("hypervisor.doorbell_limit=0", "hypervisor.doorbell_limit",
			"out of range");
}

static void test_validate(void **state)
{
	struct config cfg;
	(void)state;

	parse_ok(&cfg, V1);
	assert_int_equal(config_validate_partitions(&cfg, 1, NULL), 0); /* no partitions */
	two_partitions(&cfg);
	assert_int_equal(config_validate_partitions(&cfg, 2, NULL), 0);

	cfg.partitions[1].role = PARTITION_PARENT;
	validate_refused(&cfg, 2, "partition b.role", "'a' is the parent already");
	cfg.partitions[0].role = cfg.partitions[1].role = PARTITION_CHILD;
	validate_refused(&cfg, 2, "partition a.role", "no partition has role = parent");

	two_partitions(&cfg);
	cfg.partitions[1].cpu_mask |= BIT(0);
	validate_refused(&cfg, 2, "partition b.cpus", "CPU 0 is given to partition 'a' too");
	two_partitions(&cfg);
	validate_refused(&cfg, 1, "partition b.cpus", "CPU 1 does not exist");
	cfg.partitions[1].cpu_mask = BIT(63);
	assert_int_equal(config_validate_partitions(&cfg, 64, NULL), 0);
	assert_int_equal(config_validate_partitions(&cfg, 1000, NULL), 0);
	validate_refused(&cfg, 63, "partition b.cpus", "CPU 63 does not exist");

	two_partitions(&cfg);
	cfg.partitions[1].devices[cfg.partitions[1].device_count++] = CONFIG_BDF(0, 1, 0, 0);
	validate_refused(&cfg, 2, "partition b.devices", "0000:01:00.0 is owned by 'a' too");

	two_partitions(&cfg);
	cfg.partitions[1].image[0] = '\0';
	validate_refused(&cfg, 2, "partition b.image", "no image");
	two_partitions(&cfg);
	cfg.partitions[1].memory_mb = 0;
	validate_refused(&cfg, 2, "partition b.memory_mb", "no memory");
	two_partitions(&cfg);
	cfg.partitions[0].cpu_mask = 0;
	validate_refused(&cfg, 2, "partition a.cpus", "no CPU");
	two_partitions(&cfg);
	cfg.partition_count = CONFIG_MAX_PARTITIONS + 1; /* a structure not from the parser */
	validate_refused(&cfg, 2, "", "more than 16 partitions");
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(config_mode_name(CONFIG_MODE_CHECK), "check");
	assert_string_equal(config_mode_name((enum config_mode)7), "?");
	assert_string_equal(config_fault_name(CONFIG_FAULT_INVALID_OPCODE), "invalid_opcode");
	assert_string_equal(config_fault_name((enum config_fault)5), "?");
	assert_string_equal(config_role_name(PARTITION_CHILD), "child");
	assert_string_equal(config_log_level_name(LOG_WARN), "warn");
}

/* The result of any input: 0 with a sane structure, or -EINVAL with a message. */
static void parse_exact(const char *src, size_t len)
{
	char *copy = malloc(len ? len : 1);
	struct config cfg;
	struct config_error err;
	int ret;

	assert_non_null(copy);
	memcpy(copy, src, len);
	ret = config_parse(copy, len, &cfg, &err);
	free(copy);
	assert_true(ret == 0 || ret == -EINVAL);
	assert_true(strnlen(err.field, sizeof(err.field)) < sizeof(err.field));
	assert_true(strnlen(err.message, sizeof(err.message)) < sizeof(err.message));
	if (ret) {
		assert_true(err.message[0] != '\0');
		return;
	}
	assert_true(cfg.partition_count <= CONFIG_MAX_PARTITIONS);
	assert_true(cfg.channel_count <= CONFIG_MAX_CHANNELS);
	for (uint32_t i = 0; i < cfg.channel_count; i++)
		assert_true(cfg.channels[i].size_kb % 4 == 0 && cfg.channels[i].ends[1][0]);
	for (uint32_t i = 0; i < cfg.partition_count; i++)
		assert_true(cfg.partitions[i].device_count <= CONFIG_MAX_DEVICES);
	config_validate_partitions(&cfg, 4, &err);
}

static void test_fuzz_prefixes_and_mutations(void **state)
{
	size_t len = strlen(full_text);
	char buf[sizeof(full_text) + 8];
	(void)state;

	for (size_t n = 0; n <= len; n++)
		parse_exact(full_text, n);

	srand(0x5eed);
	for (int iter = 0; iter < 5000; iter++) {
		size_t n = len;
		int edits = 1 + rand() % 4;

		memcpy(buf, full_text, len);
		for (int e = 0; e < edits; e++) {
			size_t at = (size_t)rand() % n;

			if (rand() % 4 == 0 && n < sizeof(buf)) { /* insert */
				memmove(buf + at + 1, buf + at, n - at);
				n++;
			} else if (rand() % 4 == 0 && n > 1) { /* delete */
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
				continue;
			}
			buf[at] = rand() % 2 ? (char)rand() : "=,-:.[]# \n\r0x"[rand() % 14];
		}
		parse_exact(buf, n);
		buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
		struct config cfg;

		parse_ok(&cfg, full_text);
		config_apply_cmdline(&cfg, buf, NULL); /* any string: no crash */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_debug_dma_probe),
		cmocka_unit_test(test_crlf_and_no_final_newline),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_value_spellings),
		cmocka_unit_test(test_refuse_version),
		cmocka_unit_test(test_refuse_sections),
		cmocka_unit_test(test_refuse_lines),
		cmocka_unit_test(test_refuse_keys),
		cmocka_unit_test(test_refuse_numbers),
		cmocka_unit_test(test_refuse_names),
		cmocka_unit_test(test_refuse_cpus),
		cmocka_unit_test(test_refuse_devices),
		cmocka_unit_test(test_refuse_partitions),
		cmocka_unit_test(test_refuse_image_and_cmdline),
		cmocka_unit_test(test_refuse_size),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_cmdline_refused),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_fuzz_prefixes_and_mutations),
		cmocka_unit_test(test_vmbus_and_doorbell_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
