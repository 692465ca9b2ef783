/*
 * hv.efi: the UEFI loader. Reads the configuration and the guest images it
 * names from the ESP, reserves the hypervisor's memory, finds the ACPI
 * RSDP, quiesces PCI bus masters, exits boot services and enters the core
 * with one struct boot_info. The core itself is linked into this image but
 * never calls UEFI.
 *
 * Configuration errors are not judged here: the loader takes what it can
 * (heap size, image names) and the core re-parses the file and refuses it
 * with a message naming the field, the same way for every loader.
 */
#include "boot/efi/efi_loader.h"
#include "hv/string.h"
#include "lib/config.h"

#define CONFIG_FILE_NAME "hv.cfg"
#define TRAMPOLINE_MAX_ADDR 0x9f000ULL /* below the EBDA; SIPI needs < 1 MiB */
#define BELOW_4G 0xffffffffULL	      /* APs load CR3 in 32-bit mode */

static struct loader ld;
static struct config cfg;

static void say(const char *what, EFI_STATUS st)
{
	Print(L"hv.efi: %a: %r\n", what, st);
}

static void copy_load_options(struct boot_info *bi, const EFI_LOADED_IMAGE *li)
{
	const CHAR16 *opt = li->LoadOptions;
	UINTN chars = li->LoadOptionsSize / sizeof(CHAR16), n = 0, start = 0;

	for (UINTN i = 0; opt && i < chars && opt[i] && n + 1 < BOOT_CMDLINE_LEN; i++)
		bi->cmdline[n++] = opt[i] < 0x80 ? (char)opt[i] : '?';
	bi->cmdline[n] = '\0';
	/* The shell passes argv[0] (our own path) first; the boot manager doesn't. */
	while (start < n && bi->cmdline[start] != ' ')
		start++;
	if (start >= 4 && (bi->cmdline[start - 4] == '.') &&
	    (bi->cmdline[start - 1] | 0x20) == 'i' && (bi->cmdline[start - 2] | 0x20) == 'f' &&
	    (bi->cmdline[start - 3] | 0x20) == 'e') {
		while (start < n && bi->cmdline[start] == ' ')
			start++;
		memmove(bi->cmdline, bi->cmdline + start, n - start + 1);
	}
}

/* ACPI 2.0+ (XSDT) first; the 1.0 entry only has the RSDT. */
static void find_rsdp(struct boot_info *bi)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
	void *table = NULL;

	if (!EFI_ERROR(LibGetSystemConfigurationTable(&acpi20, &table)) && table)
		bi->rsdp = (uint64_t)(UINTN)table;
	else if (!EFI_ERROR(LibGetSystemConfigurationTable(&AcpiTableGuid, &table)) && table)
		bi->rsdp = (uint64_t)(UINTN)table;
}

static void load_config(void)
{
	struct config_error err;
	uint64_t base, size;
	EFI_STATUS st;

	config_defaults(&cfg);
	st = esp_read_file(&ld, CONFIG_FILE_NAME, &base, &size);
	if (EFI_ERROR(st)) {
		say("no " CONFIG_FILE_NAME " next to hv.efi, using defaults", st);
		return;
	}
	ld.bi->config_base = base;
	ld.bi->config_size = size;
	if (config_parse((const char *)(UINTN)base, size, &cfg, &err) < 0) {
		Print(L"hv.efi: %a line %d: %a: %a (the core will refuse it)\n", CONFIG_FILE_NAME,
		      err.line, err.field, err.message);
		config_defaults(&cfg);
	}
}

static void load_images(void)
{
	struct boot_info *bi = ld.bi;

	for (uint32_t i = 0; i < cfg.partition_count && bi->module_count < BOOT_MAX_MODULES; i++) {
		const char *image = cfg.partitions[i].image;
		struct boot_module *m = &bi->modules[bi->module_count];
		EFI_STATUS st;

		if (!image[0])
			continue;
		st = esp_read_file(&ld, image, &m->base, &m->size);
		if (EFI_ERROR(st)) {
			Print(L"hv.efi: image %a: %r (the core will refuse it)\n", image, st);
			continue;
		}
		hv_strlcpy(m->name, image, sizeof(m->name));
		bi->module_count++;
	}
}

static EFI_STATUS reserve_hypervisor_memory(void)
{
	struct boot_info *bi = ld.bi;
	EFI_STATUS st;

	ld.owned[ld.owned_count++] = (struct boot_mem_range){
		.base = (uint64_t)(UINTN)ld.loaded_image->ImageBase,
		.size = ALIGN_UP(ld.loaded_image->ImageSize, PAGE_SIZE),
		.type = BOOT_MEM_HV};
	bi->image_base = (uint64_t)(UINTN)ld.loaded_image->ImageBase;
	bi->image_size = ld.loaded_image->ImageSize;
	bi->heap_size = (uint64_t)cfg.heap_mb * MiB;
	st = loader_alloc(&ld, BELOW_4G, bi->heap_size, BOOT_MEM_HV, &bi->heap_base);
	if (EFI_ERROR(st))
		return st;
	return loader_alloc(&ld, TRAMPOLINE_MAX_ADDR, PAGE_SIZE, BOOT_MEM_HV, &bi->trampoline_base);
}

static EFI_STATUS prepare(void)
{
	uint64_t bi_base;
	EFI_STATUS st;

	st = BS->HandleProtocol(ld.image, &LoadedImageProtocol, (void **)&ld.loaded_image);
	if (EFI_ERROR(st))
		return st;
	st = loader_alloc(&ld, BELOW_4G, sizeof(struct boot_info), BOOT_MEM_HV, &bi_base);
	if (EFI_ERROR(st))
		return st;
	ld.bi = (struct boot_info *)(UINTN)bi_base;
	ld.bi->magic = BOOT_INFO_MAGIC;
	ld.bi->version = BOOT_INFO_VERSION;
	ld.bi->size = sizeof(struct boot_info);
	hv_strlcpy(ld.bi->loader, "uefi", sizeof(ld.bi->loader));
	copy_load_options(ld.bi, ld.loaded_image);
	st = esp_open(&ld);
	if (EFI_ERROR(st))
		return st;
	load_config();
	load_images();
	find_rsdp(ld.bi);
	return reserve_hypervisor_memory();
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_STATUS st;

	InitializeLib(image, systab);
	ld.image = image;
	Print(L"hv.efi: loading\n");
	st = prepare();
	if (EFI_ERROR(st)) {
		say("cannot prepare the hand-over", st);
		return st;
	}
	Print(L"hv.efi: config=%d bytes images=%d heap=%ld MiB, entering the core\n",
	      (int)ld.bi->config_size, (int)ld.bi->module_count, ld.bi->heap_size / MiB);
	ld.bi->quiesced_functions = pci_quiesce_bus_masters();
	exit_boot_services_and_enter_core(&ld);
}
