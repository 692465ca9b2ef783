/*
 * Reading the Multiboot2 boot information (multiboot2.h): one walk over the
 * tags that checks every size against the end before reading, and records
 * what the loader needs, pointing into the caller's buffer. Pure logic,
 * host-tested with malformed inputs.
 */
#ifndef BOOT_MULTIBOOT2_MB2_PARSE_H
#define BOOT_MULTIBOOT2_MB2_PARSE_H

#include "boot/multiboot2/multiboot2.h"

/* Far above what a loader hands over; bounds the walk. */
#define MB2_MAX_INFO_SIZE (1 * MiB)
/* Module tags kept: more than boot_info takes, so a surplus can be reported. */
#define MB2_MAX_MODULES 32

struct mb2_module {
	uint64_t start;
	uint64_t end;	  /* first byte after the module */
	const char *name; /* the module's command line, NUL-terminated */
};

struct mb2_info {
	uint32_t total_size;
	const char *cmdline;	 /* NULL without a tag */
	const char *loader_name; /* NULL without a tag */
	const uint8_t *mmap;	 /* first entry; NULL without a usable tag */
	uint32_t mmap_count;
	uint32_t mmap_entry_size;
	const uint8_t *rsdp; /* the RSDP copy: 2.0+ preferred over 1.0 */
	uint32_t rsdp_size;
	uint32_t rsdp_tag; /* MB2_TAG_ACPI_NEW or MB2_TAG_ACPI_OLD; 0 without */
	struct mb2_module modules[MB2_MAX_MODULES];
	uint32_t module_count;
	uint32_t modules_dropped; /* beyond MB2_MAX_MODULES */
};

/*
 * Parses the boot information at mbi, of which avail bytes may be read.
 * Returns 0, or -EINVAL when the structure itself is broken (total size out
 * of bounds, a tag running past the end, no end tag): then nothing in out
 * may be used. A malformed tag of a known type (a string without its NUL, a
 * module ending before it starts, a bad memory map entry size) is ignored
 * with a warning and the rest is used. Every problem is logged ("mb2").
 */
int mb2_parse(const void *mbi, size_t avail, struct mb2_info *out);

/* The module whose command line is name, or NULL. */
const struct mb2_module *mb2_find_module(const struct mb2_info *info, const char *name);

/* Entry i of the memory map (i < mmap_count), copied out of the tag. */
struct mb2_mmap_entry mb2_mmap_entry(const struct mb2_info *info, uint32_t i);

#endif
