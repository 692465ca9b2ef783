/*
 * The one structure a loader hands to the core. The UEFI loader (boot/efi)
 * fills it today; a multiboot2 entry fills the same structure later. After
 * the hand-over the core depends on nothing else the firmware provided:
 * every address here is physical and identity-mapped at entry.
 */
#ifndef HV_BOOT_INFO_H
#define HV_BOOT_INFO_H

#include "hv/types.h"

#define BOOT_INFO_MAGIC 0x4f464e49544f4f42ULL /* "BOOTINFO" */
#define BOOT_INFO_VERSION 1
#define BOOT_MAX_MEM_RANGES 512
#define BOOT_MAX_MODULES 16
#define BOOT_MODULE_NAME_LEN 64
#define BOOT_CMDLINE_LEN 256
#define BOOT_LOADER_NAME_LEN 32

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,   /* free RAM the core may hand out */
	BOOT_MEM_HV,           /* hypervisor image, heap, stacks, boot info */
	BOOT_MEM_MODULE,       /* configuration and guest images */
	BOOT_MEM_ACPI_RECLAIM, /* ACPI tables: kept, the core reads them */
	BOOT_MEM_ACPI_NVS,
	BOOT_MEM_FIRMWARE, /* runtime services code and data */
	BOOT_MEM_RESERVED,
	BOOT_MEM_MMIO,
	BOOT_MEM_UNUSABLE,
};

struct boot_mem_range {
	uint64_t base;
	uint64_t size;
	uint32_t type; /* enum boot_mem_type */
	uint32_t reserved;
};
_Static_assert(sizeof(struct boot_mem_range) == 24, "boot_mem_range layout");

struct boot_module {
	uint64_t base;
	uint64_t size;
	char name[BOOT_MODULE_NAME_LEN]; /* path as named in the configuration */
};

struct boot_info {
	uint64_t magic;
	uint32_t version;
	uint32_t size; /* sizeof(struct boot_info) as the loader knew it */
	char loader[BOOT_LOADER_NAME_LEN];
	char cmdline[BOOT_CMDLINE_LEN]; /* load options, ASCII, NUL-terminated */

	uint64_t rsdp; /* physical address of the ACPI RSDP, 0 if none */
	uint64_t image_base; /* the running hypervisor image */
	uint64_t image_size;
	uint64_t heap_base; /* pages reserved for the hypervisor's own use */
	uint64_t heap_size;
	uint64_t trampoline_base; /* one page below 1 MiB for AP start-up */
	uint64_t config_base; /* configuration text, not NUL-terminated */
	uint64_t config_size;

	/* Bus-master-enable bits the loader cleared before handing over. */
	uint32_t quiesced_functions;
	uint32_t mem_count;
	uint32_t module_count;
	uint32_t reserved;
	struct boot_mem_range mem[BOOT_MAX_MEM_RANGES]; /* sorted, disjoint */
	struct boot_module modules[BOOT_MAX_MODULES];
};

static inline const char *boot_mem_type_name(uint32_t type)
{
	static const char *const names[] = {
		[BOOT_MEM_USABLE] = "usable",     [BOOT_MEM_HV] = "hypervisor",
		[BOOT_MEM_MODULE] = "module",     [BOOT_MEM_ACPI_RECLAIM] = "acpi",
		[BOOT_MEM_ACPI_NVS] = "acpi-nvs", [BOOT_MEM_FIRMWARE] = "firmware",
		[BOOT_MEM_RESERVED] = "reserved", [BOOT_MEM_MMIO] = "mmio",
		[BOOT_MEM_UNUSABLE] = "unusable",
	};
	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}

#endif
