/*
 * The UEFI loader's internal interfaces. Only boot/efi/ includes efi.h: the
 * core never sees a UEFI type, so other loaders can hand over the same
 * struct boot_info.
 */
#ifndef BOOT_EFI_EFI_LOADER_H
#define BOOT_EFI_EFI_LOADER_H

#include <efi.h>
#include <efilib.h>
#include "hv/boot_info.h"

#define LOADER_PATH_LEN 256

struct loader {
	EFI_HANDLE image;
	EFI_LOADED_IMAGE *loaded_image;
	EFI_FILE_HANDLE root;
	CHAR16 dir[LOADER_PATH_LEN]; /* directory of hv.efi, with trailing '\' */
	struct boot_info *bi;
	struct boot_mem_range owned[BOOT_MAX_MODULES + 8];
	size_t owned_count;
};

/* esp_files.c */
EFI_STATUS esp_open(struct loader *ld);
EFI_STATUS esp_read_file(struct loader *ld, const char *rel_path, uint64_t *base, uint64_t *size);

/* memory.c */
EFI_STATUS loader_alloc(struct loader *ld, uint64_t max_addr, uint64_t size, uint32_t owned_type,
			uint64_t *base);

/* pci_quiesce.c */
unsigned pci_quiesce_bus_masters(void);

/* handoff.c */
EFI_STATUS exit_boot_services_and_enter_core(struct loader *ld) __attribute__((noreturn));

#endif
