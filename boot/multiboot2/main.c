/*
 * hv.elf's loader side, after boot/multiboot2/entry.asm has reached 64-bit
 * mode with the low 4 GiB identity-mapped: reads the Multiboot2 boot
 * information, learns the heap size from the configuration module, fills
 * the struct boot_info every loader hands over and enters the core exactly
 * as the UEFI loader does. There is no firmware console here: messages go
 * through the core's log on COM1, which the core then keeps using.
 */
#include "boot/multiboot2/mb2_bootinfo.h"
#include "hv/core.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/arch/cpu.h"
#include "kernel/serial.h"
#include "lib/config.h"

#define ADDRESS_LIMIT  (4 * GiB) /* what entry.asm identity-maps */
#define RSDP_COPY_SIZE 64	 /* an ACPI 2.0+ RSDP is 36 bytes */

/* boot/multiboot2/hv.ld */
extern const char ImageBase[], hv_image_end[];

static struct boot_info boot_info;
static struct mb2_info info;
static struct config cfg;
static uint8_t rsdp_copy[RSDP_COPY_SIZE] __aligned(16);

void mb2_main(uint32_t magic, uint64_t info_pa) __noreturn;

/* entry.asm identity-maps the low 4 GiB: low memory is read where it is. */
static const void *identity_map(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	if (pa >= ADDRESS_LIMIT || len > ADDRESS_LIMIT - pa)
		return NULL;
	return (const void *)(uintptr_t)pa;
}

static void __noreturn halt_here(void)
{
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

/* The core re-parses the file and refuses it with a full report; here only heap_mb counts. */
static uint64_t configured_heap_size(void)
{
	const struct mb2_module *m = mb2_find_module(&info, MB2_CONFIG_MODULE);
	struct config_error err;

	config_defaults(&cfg);
	if (!m)
		log_warn("mb2", "no module named " MB2_CONFIG_MODULE
				" (module2 FILE " MB2_CONFIG_MODULE "): default configuration");
	else if (config_parse((const char *)(uintptr_t)m->start, m->end - m->start, &cfg, &err)) {
		log_warn("mb2",
			 "configuration line=%u field=\"%s\" is wrong: the core will refuse it",
			 err.line, err.field);
		config_defaults(&cfg);
	}
	return (uint64_t)cfg.heap_mb * MiB;
}

void mb2_main(uint32_t magic, uint64_t info_pa)
{
	struct mb2_layout layout = {
	    .image_base = (uint64_t)(uintptr_t)ImageBase,
	    .image_end = (uint64_t)(uintptr_t)hv_image_end,
	    .info_base = info_pa,
	    .rsdp_copy = rsdp_copy,
	    .rsdp_copy_size = sizeof(rsdp_copy),
	    .low_memory_map = identity_map,
	};

	serial_init(SERIAL_COM1);
	if (magic != MB2_BOOTLOADER_MAGIC || !info_pa || info_pa >= ADDRESS_LIMIT) {
		log_error("mb2",
			  "not started by a multiboot2 loader magic=0x%x info=0x%llx: halting",
			  magic, (unsigned long long)info_pa);
		halt_here();
	}
	/* Broken boot information still goes to the core (no map), which refuses it. */
	if (mb2_parse((const void *)(uintptr_t)info_pa,
		      MIN(MB2_MAX_INFO_SIZE, ADDRESS_LIMIT - info_pa), &info))
		memset(&info, 0, sizeof(info));
	layout.info_end = info_pa + info.total_size;
	layout.heap_size = configured_heap_size();
	mb2_build_boot_info(&boot_info, &info, &layout);
	hv_core_entry(&boot_info);
}
