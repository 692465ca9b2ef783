/*
 * Turning parsed Multiboot2 boot information into the struct boot_info every
 * loader hands the core (include/hv/boot_info.h): the memory map through
 * boot/bootmap.c, the configuration and guest images from modules named by
 * their command line, the load options, the RSDP, and the memory the core
 * needs reserved (its heap below 4 GiB, an AP trampoline page below 1 MiB).
 * Pure logic, host-tested.
 */
#ifndef BOOT_MULTIBOOT2_MB2_BOOTINFO_H
#define BOOT_MULTIBOOT2_MB2_BOOTINFO_H

#include "boot/multiboot2/mb2_parse.h"
#include "hv/boot_info.h"
#include "kernel/acpi/acpi.h"

/* The module holding the configuration: `module2 /boot/hv.cfg hv.cfg`. */
#define MB2_CONFIG_MODULE "hv.cfg"
#define MB2_LOADER_NAME	  "multiboot2"

struct mb2_layout {
	uint64_t image_base; /* the running hypervisor image, reserved for it */
	uint64_t image_end;
	uint64_t info_base; /* the boot information: kept clear of the heap and */
	uint64_t info_end;  /* trampoline, which the core may write before it's read */
	uint64_t heap_size;
	uint8_t *rsdp_copy; /* where the RSDP is kept: the boot information is not */
	size_t rsdp_copy_size;
	/*
	 * Reads low memory for the BIOS-area RSDP search when GRUB passed no
	 * ACPI tag (kernel/acpi/rsdp_scan.h); NULL: no search.
	 */
	acpi_map_fn low_memory_map;
	void *low_memory_ctx;
};

/*
 * Fills bi from info. Returns 0, or a negative code when the core can't be
 * given a usable machine (no memory map, no room for the heap or the
 * trampoline); bi is complete either way, with mem_count 0 when the map is
 * unusable, so the core refuses it with its own report. Modules that can't
 * be used (no name, a name too long, overlapping the image or another
 * module, too many) are left out with a warning.
 */
int mb2_build_boot_info(struct boot_info *bi, const struct mb2_info *info,
			const struct mb2_layout *layout);

#endif
