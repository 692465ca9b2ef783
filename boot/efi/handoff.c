/*
 * The last steps of the UEFI loader: take the final memory map, exit boot
 * services, translate the map into boot-info ranges and enter the core.
 * Nothing here may allocate between GetMemoryMap and ExitBootServices: that
 * would change the map key and make ExitBootServices fail.
 */
#include "boot/efi/efi_loader.h"
#include "boot/bootmap.h"
#include "hv/core.h"

#define RAW_MAP_BYTES (64 * KiB)

static uint8_t raw_map[RAW_MAP_BYTES] __aligned(16);
static struct boot_mem_range translated[BOOTMAP_MAX_INPUT];

static uint32_t boot_type(UINT32 efi_type)
{
	switch (efi_type) {
	case EfiLoaderCode:
	case EfiLoaderData:
	case EfiBootServicesCode:
	case EfiBootServicesData:
	case EfiConventionalMemory:
		return BOOT_MEM_USABLE;
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
		return BOOT_MEM_FIRMWARE;
	case EfiACPIReclaimMemory:
		return BOOT_MEM_ACPI_RECLAIM;
	case EfiACPIMemoryNVS:
		return BOOT_MEM_ACPI_NVS;
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace:
		return BOOT_MEM_MMIO;
	case EfiUnusableMemory:
		return BOOT_MEM_UNUSABLE;
	default:
		return BOOT_MEM_RESERVED;
	}
}

static size_t translate(UINTN map_size, UINTN desc_size)
{
	size_t n = 0;

	for (UINTN off = 0; off + desc_size <= map_size && n < ARRAY_SIZE(translated);
	     off += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(raw_map + off);

		translated[n++] = (struct boot_mem_range){
			.base = d->PhysicalStart,
			.size = d->NumberOfPages * PAGE_SIZE,
			.type = boot_type(d->Type),
		};
	}
	return n;
}

static EFI_STATUS get_map(UINTN *size, UINTN *key, UINTN *desc_size)
{
	UINT32 desc_version;

	*size = sizeof(raw_map);
	return BS->GetMemoryMap(size, (EFI_MEMORY_DESCRIPTOR *)raw_map, key, desc_size,
				&desc_version);
}

/* Firmware may change the map from an ExitBootServices event: retry once. */
static EFI_STATUS exit_boot_services(struct loader *ld, UINTN *size, UINTN *desc_size)
{
	UINTN key;
	EFI_STATUS st;

	for (int attempt = 0; attempt < 2; attempt++) {
		st = get_map(size, &key, desc_size);
		if (EFI_ERROR(st))
			return st;
		st = BS->ExitBootServices(ld->image, key);
		if (st != EFI_INVALID_PARAMETER)
			return st;
	}
	return st;
}

EFI_STATUS exit_boot_services_and_enter_core(struct loader *ld)
{
	UINTN size, desc_size;
	EFI_STATUS st;

	st = exit_boot_services(ld, &size, &desc_size);
	if (EFI_ERROR(st)) {
		Print(L"hv.efi: ExitBootServices failed: %r\n", st);
		for (;;)
			__asm__ volatile("hlt");
	}
	/* From here on: no firmware services, no console but the core's. */
	if (bootmap_build(ld->bi, translated, translate(size, desc_size), ld->owned,
			  ld->owned_count))
		ld->bi->mem_count = 0; /* the core refuses an empty map, loudly */
	hv_core_entry(ld->bi);
}
