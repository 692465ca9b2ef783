/*
 * The Multiboot2 boot protocol (Multiboot2 Specification, version 2.0): the
 * header a kernel image carries and the boot information a loader such as
 * GRUB hands over. Only what hv.elf uses is named here. Everything in the
 * boot information is untrusted input: boot/multiboot2/mb2_parse.c checks
 * every size before it reads.
 */
#ifndef BOOT_MULTIBOOT2_MULTIBOOT2_H
#define BOOT_MULTIBOOT2_MULTIBOOT2_H

#include "hv/types.h"

/* 3.1.2 "Magic fields" of the OS image header. */
#define MB2_HEADER_MAGIC     0xe85250d6u
#define MB2_HEADER_ARCH_I386 0u /* 32-bit protected mode */
/* 3.1.3 header tags: type, flags, size; 8-byte aligned; end tag type 0. */
#define MB2_HEADER_TAG_END	    0
#define MB2_HEADER_TAG_MODULE_ALIGN 6

/* 3.3 "I386 machine state": EAX on entry. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/* 3.6 "Boot information format": fixed part, then 8-byte aligned tags. */
#define MB2_TAG_ALIGN	    8
#define MB2_TAG_END	    0
#define MB2_TAG_CMDLINE	    1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE	    3
#define MB2_TAG_MMAP	    6
#define MB2_TAG_ACPI_OLD    14 /* a copy of the ACPI 1.0 RSDP */
#define MB2_TAG_ACPI_NEW    15 /* a copy of the ACPI 2.0+ RSDP */

/* 3.6.8 memory map entry types. */
#define MB2_MEMORY_AVAILABLE	    1
#define MB2_MEMORY_ACPI_RECLAIMABLE 3
#define MB2_MEMORY_NVS		    4
#define MB2_MEMORY_BADRAM	    5

/* 3.6 boot information: total_size, reserved. */
struct mb2_info_header {
	uint32_t total_size;
	uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct mb2_info_header) == 8, "multiboot2 info header");

/* Every tag starts with type and size; size includes this header, not padding. */
struct mb2_tag {
	uint32_t type;
	uint32_t size;
} __packed;
_Static_assert(sizeof(struct mb2_tag) == 8, "multiboot2 tag header");

/* 3.6.6 "Modules": the string is the module's command line. */
struct mb2_tag_module {
	uint32_t type;
	uint32_t size;
	uint32_t mod_start;
	uint32_t mod_end; /* first byte after the module */
	char string[];
} __packed;
_Static_assert(sizeof(struct mb2_tag_module) == 16, "multiboot2 module tag");

/* 3.6.8 "Memory map": entry_size is a multiple of 8, at least 24. */
struct mb2_tag_mmap {
	uint32_t type;
	uint32_t size;
	uint32_t entry_size;
	uint32_t entry_version;
} __packed;
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "multiboot2 mmap tag");

struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "multiboot2 mmap entry");

#endif
