/*
 * fw_cfg over its I/O ports (QEMU docs/specs/fw_cfg.rst): write a 16-bit
 * selector to 0x510, read the item's bytes one by one from 0x511. Items
 * with names live in a directory at selector 0x19: a big-endian count, then
 * entries of {be32 size, be16 select, be16 reserved, char name[56]}.
 */
#include "kernel/qemu_fw_cfg.h"
#include "hv/errno.h"
#include "hv/string.h"
#include "kernel/arch/cpu.h"

#define FW_CFG_PORT_SELECTOR 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_FILE_DIR 0x0019
#define FW_CFG_NAME_LEN 56
#define FW_CFG_MAX_FILES 4096 /* far above what QEMU creates; bounds the walk */
#define CPUID_1_ECX_HYPERVISOR BIT(31)

struct fw_cfg_file {
	uint32_t size_be;
	uint16_t select_be;
	uint16_t reserved;
	char name[FW_CFG_NAME_LEN];
} __packed;
_Static_assert(sizeof(struct fw_cfg_file) == 64, "fw_cfg directory entry");

static void select_item(uint16_t key)
{
	__asm__ volatile("outw %0, %1" ::"a"(key), "Nd"((uint16_t)FW_CFG_PORT_SELECTOR));
}

static void read_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = inb(FW_CFG_PORT_DATA);
}

static uint32_t be32(uint32_t v)
{
	return __builtin_bswap32(v);
}

bool fw_cfg_present(void)
{
	char sig[4];

	/* Bare metal has no fw_cfg, and its port 0x510 may be anything. */
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_HYPERVISOR))
		return false;
	select_item(FW_CFG_SIGNATURE);
	read_bytes(sig, sizeof(sig));
	return !memcmp(sig, "QEMU", 4);
}

int fw_cfg_read_file(const char *name, void *buf, size_t max, size_t *len)
{
	struct fw_cfg_file f;
	uint32_t count;

	if (!fw_cfg_present())
		return -ENODEV;
	select_item(FW_CFG_FILE_DIR);
	read_bytes(&count, sizeof(count));
	count = be32(count);
	for (uint32_t i = 0; i < count && i < FW_CFG_MAX_FILES; i++) {
		read_bytes(&f, sizeof(f));
		f.name[FW_CFG_NAME_LEN - 1] = '\0';
		if (strcmp(f.name, name))
			continue;
		*len = be32(f.size_be);
		select_item(__builtin_bswap16(f.select_be));
		read_bytes(buf, MIN(*len, max));
		return 0;
	}
	return -ENOENT;
}

/* "0xf4" or "244"; 0 for anything else or out of the I/O port range. */
static uint16_t parse_port(const char *s)
{
	unsigned base = 10;
	uint32_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s; s++) {
		unsigned d = (*s >= '0' && *s <= '9')   ? (unsigned)(*s - '0')
			     : (*s >= 'a' && *s <= 'f') ? (unsigned)(*s - 'a' + 10)
			     : (*s >= 'A' && *s <= 'F') ? (unsigned)(*s - 'A' + 10)
							: 99;
		if (d >= base || v > 0xffff)
			return 0;
		v = v * base + d;
	}
	return v <= 0xffff ? (uint16_t)v : 0;
}

uint16_t fw_cfg_debug_exit_port(void)
{
	char text[16] = {0};
	size_t len;

	if (fw_cfg_read_file(FW_CFG_DEBUG_EXIT_PORT, text, sizeof(text) - 1, &len) ||
	    len >= sizeof(text))
		return 0;
	return parse_port(text);
}
