/*
 * Finding the RSDP where a legacy BIOS leaves it (ACPI 6.5, 5.2.5.1), for
 * loaders that got no copy from the firmware or boot loader (a Multiboot2
 * boot whose GRUB passed no ACPI tag): the first KiB of the Extended BIOS
 * Data Area, whose segment the BIOS Data Area holds at 0x40E, then the BIOS
 * read-only area 0xE0000-0xFFFFF, on 16-byte boundaries. A candidate counts
 * if its signature and 20-byte checksum are right and, for revision 2 and
 * later, its length and extended checksum too; a broken candidate is
 * skipped, not fatal.
 */
#ifndef KERNEL_ACPI_RSDP_SCAN_H
#define KERNEL_ACPI_RSDP_SCAN_H

#include "hv/types.h"
#include "kernel/acpi/acpi.h"

#define ACPI_BDA_EBDA_SEGMENT 0x40eULL /* 16-bit real-mode segment of the EBDA */
#define ACPI_EBDA_SCAN_SIZE   1024ULL
#define ACPI_BIOS_AREA_BASE   0xe0000ULL
#define ACPI_BIOS_AREA_SIZE   0x20000ULL
#define ACPI_RSDP_ALIGN	      16

/*
 * The offset in area[0, size) of the first valid RSDP at a 16-byte step
 * (area itself 16-byte aligned in physical memory), or -ENOENT.
 */
int64_t acpi_rsdp_scan(const uint8_t *area, uint64_t size);

/*
 * The physical address of the RSDP in the EBDA's first KiB or the BIOS
 * area, reading low memory through map; 0 with *pa set, or -ENOENT.
 */
int acpi_rsdp_find_bios(acpi_map_fn map, void *ctx, uint64_t *pa);

#endif
