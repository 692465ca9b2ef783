/*
 * From Multiboot2 boot information to struct boot_info (see mb2_bootinfo.h).
 * The firmware's map (e820 as GRUB passes it) is byte-granular: usable
 * ranges shrink to whole pages, everything else grows to whole pages, so the
 * core never hands out a page that is partly someone else's. The heap and
 * trampoline are chosen in the merged map, from the top down like UEFI's
 * AllocatePages below a limit, and kept clear of the boot information that
 * is still being read.
 */
#include "boot/multiboot2/mb2_bootinfo.h"
#include "boot/bootmap.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/acpi/acpi_tables.h"
#include "kernel/acpi/rsdp_scan.h"

#define HEAP_FLOOR	 (1 * MiB)
#define HEAP_LIMIT	 (4 * GiB) /* APs load CR3 while still in 32-bit mode */
#define HEAP_ALIGN	 (2 * MiB)
#define TRAMPOLINE_FLOOR PAGE_SIZE  /* page 0 holds the real-mode IVT */
#define TRAMPOLINE_LIMIT 0x9f000ULL /* below the EBDA; a SIPI vector is < 1 MiB */
#define OWNED_MAX	 (BOOT_MAX_MODULES + 8)

struct owned {
	struct boot_mem_range r[OWNED_MAX];
	size_t n;
};

static struct boot_mem_range firmware_map[BOOTMAP_MAX_INPUT];

static bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 < b1 && b0 < a1;
}

static void add_owned(struct owned *o, uint64_t start, uint64_t end, uint32_t type)
{
	uint64_t base = ALIGN_DOWN(start, PAGE_SIZE);

	if (o->n < OWNED_MAX)
		o->r[o->n++] = (struct boot_mem_range){
		    .base = base, .size = ALIGN_UP(end, PAGE_SIZE) - base, .type = type};
}

static void fill_header(struct boot_info *bi, const struct mb2_info *info,
			const struct mb2_layout *layout)
{
	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);
	bi->image_base = layout->image_base;
	bi->image_size = layout->image_end - layout->image_base;
	hv_strlcpy(bi->loader, MB2_LOADER_NAME, sizeof(bi->loader));
	if (info->cmdline &&
	    hv_strlcpy(bi->cmdline, info->cmdline, sizeof(bi->cmdline)) >= sizeof(bi->cmdline))
		log_warn("mb2", "command line truncated max=%zu", sizeof(bi->cmdline) - 1);
}

static void copy_rsdp(struct boot_info *bi, const struct mb2_layout *layout, const void *rsdp,
		      size_t size)
{
	memset(layout->rsdp_copy, 0, layout->rsdp_copy_size);
	memcpy(layout->rsdp_copy, rsdp, MIN(size, layout->rsdp_copy_size));
	bi->rsdp = (uint64_t)(uintptr_t)layout->rsdp_copy;
}

/*
 * Without an ACPI tag (GRUB builds or loaders that pass none) the RSDP is
 * where a BIOS puts it; the scan checked it, so its own length is right.
 */
static void scan_rsdp(struct boot_info *bi, const struct mb2_layout *layout)
{
	const struct acpi_rsdp *rsdp;
	uint64_t pa;

	if (!layout->low_memory_map ||
	    acpi_rsdp_find_bios(layout->low_memory_map, layout->low_memory_ctx, &pa)) {
		log_warn("mb2", "no ACPI RSDP tag and none in the BIOS areas: "
				"the core will find no ACPI tables");
		return;
	}
	rsdp = layout->low_memory_map(layout->low_memory_ctx, pa, ACPI_RSDP_V1_LENGTH);
	copy_rsdp(bi, layout, rsdp,
		  rsdp->revision >= 2 ? sizeof(*rsdp) : (size_t)ACPI_RSDP_V1_LENGTH);
}

static void keep_rsdp(struct boot_info *bi, const struct mb2_info *info,
		      const struct mb2_layout *layout)
{
	if (!info->rsdp) {
		scan_rsdp(bi, layout);
		return;
	}
	copy_rsdp(bi, layout, info->rsdp, info->rsdp_size);
}

static bool overlaps_taken(const struct boot_info *bi, const struct mb2_module *m)
{
	if (bi->config_size &&
	    overlaps(m->start, m->end, bi->config_base, bi->config_base + bi->config_size))
		return true;
	for (uint32_t i = 0; i < bi->module_count; i++)
		if (overlaps(m->start, m->end, bi->modules[i].base,
			     bi->modules[i].base + bi->modules[i].size))
			return true;
	return false;
}

static bool name_taken(const struct boot_info *bi, const char *name)
{
	for (uint32_t i = 0; i < bi->module_count; i++)
		if (!strcmp(bi->modules[i].name, name))
			return true;
	return !strcmp(name, MB2_CONFIG_MODULE) && bi->config_size;
}

/* Why module m can't be used, or NULL. */
static const char *module_problem(const struct boot_info *bi, const struct mb2_module *m,
				  const struct mb2_layout *layout)
{
	if (!m->name[0])
		return "no name: load it as `module2 FILE NAME`, NAME as the configuration says";
	if (strlen(m->name) >= BOOT_MODULE_NAME_LEN)
		return "name too long";
	if (overlaps(m->start, m->end, layout->image_base, layout->image_end))
		return "overlaps the hypervisor image";
	if (overlaps_taken(bi, m))
		return "overlaps another module";
	if (name_taken(bi, m->name))
		return "name given twice, the first one counts";
	if (strcmp(m->name, MB2_CONFIG_MODULE) && bi->module_count == BOOT_MAX_MODULES)
		return "too many modules";
	return NULL;
}

static void take_module(struct boot_info *bi, const struct mb2_module *m)
{
	struct boot_module *bm;

	if (!strcmp(m->name, MB2_CONFIG_MODULE)) {
		bi->config_base = m->start;
		bi->config_size = m->end - m->start;
		return;
	}
	bm = &bi->modules[bi->module_count++];
	bm->base = m->start;
	bm->size = m->end - m->start;
	hv_strlcpy(bm->name, m->name, sizeof(bm->name));
}

static void take_modules(struct boot_info *bi, const struct mb2_info *info,
			 const struct mb2_layout *layout, struct owned *owned)
{
	for (uint32_t i = 0; i < info->module_count; i++) {
		const struct mb2_module *m = &info->modules[i];
		const char *problem = module_problem(bi, m, layout);

		if (problem) {
			log_warn("mb2",
				 "module ignored name=\"%s\" start=0x%llx end=0x%llx "
				 "reason=\"%s\"",
				 m->name, (unsigned long long)m->start, (unsigned long long)m->end,
				 problem);
			continue;
		}
		take_module(bi, m);
		add_owned(owned, m->start, m->end, BOOT_MEM_MODULE);
	}
}

static uint32_t boot_type(uint32_t mb2_type)
{
	switch (mb2_type) {
	case MB2_MEMORY_AVAILABLE:
		return BOOT_MEM_USABLE;
	case MB2_MEMORY_ACPI_RECLAIMABLE:
		return BOOT_MEM_ACPI_RECLAIM;
	case MB2_MEMORY_NVS:
		return BOOT_MEM_ACPI_NVS;
	case MB2_MEMORY_BADRAM:
		return BOOT_MEM_UNUSABLE;
	default:
		return BOOT_MEM_RESERVED;
	}
}

/* Usable memory shrinks to whole pages, anything else grows to them. */
static bool page_range(const struct mb2_mmap_entry *e, struct boot_mem_range *out)
{
	uint64_t end = e->base_addr + e->length;

	out->type = boot_type(e->type);
	if (out->type == BOOT_MEM_USABLE) {
		out->base = ALIGN_UP(e->base_addr, PAGE_SIZE);
		end = ALIGN_DOWN(end, PAGE_SIZE);
	} else {
		out->base = ALIGN_DOWN(e->base_addr, PAGE_SIZE);
		end = ALIGN_UP(end, PAGE_SIZE);
	}
	out->size = end > out->base ? end - out->base : 0;
	return out->size != 0;
}

static size_t translate_map(const struct mb2_info *info)
{
	size_t n = 0;

	for (uint32_t i = 0; i < info->mmap_count; i++) {
		struct mb2_mmap_entry e = mb2_mmap_entry(info, i);

		if (n == ARRAY_SIZE(firmware_map)) {
			log_warn("mb2", "memory map truncated entries=%u kept=%zu",
				 info->mmap_count, n);
			break;
		}
		if (e.length == 0)
			continue;
		if (e.base_addr + e.length < e.base_addr ||
		    e.base_addr + e.length > UINT64_MAX - PAGE_SIZE) {
			log_warn("mb2",
				 "memory map entry ignored index=%u base=0x%llx length=0x%llx "
				 "reason=\"wraps\"",
				 i, (unsigned long long)e.base_addr, (unsigned long long)e.length);
			continue;
		}
		n += page_range(&e, &firmware_map[n]);
	}
	return n;
}

/* The highest aligned [start, start+size) of usable memory within [floor, limit). */
static int pick(const struct boot_info *bi, uint64_t floor, uint64_t limit, uint64_t size,
		uint64_t align, const struct mb2_layout *layout, uint64_t *out)
{
	for (uint32_t i = bi->mem_count; i-- > 0;) {
		const struct boot_mem_range *r = &bi->mem[i];
		uint64_t lo = MAX(r->base, floor), top = MIN(r->base + r->size, limit);

		if (r->type != BOOT_MEM_USABLE)
			continue;
		/* Twice at most: below the boot information if the first try hits it. */
		for (int attempt = 0; attempt < 2 && top >= lo + size; attempt++) {
			uint64_t start = ALIGN_DOWN(top - size, align);

			if (start < lo)
				break;
			if (!overlaps(start, start + size, layout->info_base, layout->info_end)) {
				*out = start;
				return 0;
			}
			top = layout->info_base;
		}
	}
	return -ENOMEM;
}

static int reserve_hypervisor_memory(struct boot_info *bi, const struct mb2_layout *layout,
				     struct owned *owned)
{
	if (!layout->heap_size || pick(bi, HEAP_FLOOR, HEAP_LIMIT, layout->heap_size, HEAP_ALIGN,
				       layout, &bi->heap_base)) {
		log_error("mb2", "no room for the heap size=0x%llx below 4 GiB",
			  (unsigned long long)layout->heap_size);
		return -ENOMEM;
	}
	bi->heap_size = layout->heap_size;
	add_owned(owned, bi->heap_base, bi->heap_base + bi->heap_size, BOOT_MEM_HV);
	if (pick(bi, TRAMPOLINE_FLOOR, TRAMPOLINE_LIMIT, PAGE_SIZE, PAGE_SIZE, layout,
		 &bi->trampoline_base)) {
		log_error("mb2", "no free page below 0x%llx for the AP trampoline",
			  TRAMPOLINE_LIMIT);
		return -ENOMEM;
	}
	add_owned(owned, bi->trampoline_base, bi->trampoline_base + PAGE_SIZE, BOOT_MEM_HV);
	return 0;
}

static int map_or_refuse(struct boot_info *bi, size_t n, const struct owned *owned)
{
	int err = bootmap_build(bi, firmware_map, n, owned->r, owned->n);

	if (err) {
		log_error("mb2", "memory map unusable err=%d", err);
		bi->mem_count = 0; /* the core refuses an empty map, loudly */
	}
	return err;
}

static int build_map(struct boot_info *bi, const struct mb2_info *info,
		     const struct mb2_layout *layout, struct owned *owned)
{
	size_t n = translate_map(info);
	int err;

	if (n == 0) {
		log_error("mb2", "no usable memory map tag: the core can't be given any memory");
		return -EINVAL;
	}
	err = map_or_refuse(bi, n, owned);
	if (!err)
		err = reserve_hypervisor_memory(bi, layout, owned);
	/* Again, with the heap and trampoline carved out of usable memory. */
	if (!err)
		err = map_or_refuse(bi, n, owned);
	return err;
}

int mb2_build_boot_info(struct boot_info *bi, const struct mb2_info *info,
			const struct mb2_layout *layout)
{
	struct owned owned = {.n = 0};
	int err;

	fill_header(bi, info, layout);
	keep_rsdp(bi, info, layout);
	add_owned(&owned, layout->image_base, layout->image_end, BOOT_MEM_HV);
	take_modules(bi, info, layout, &owned);
	err = build_map(bi, info, layout, &owned);
	log_info("mb2",
		 "boot info loader=\"%s\" modules=%u config_bytes=%llu heap=0x%llx+0x%llx "
		 "trampoline=0x%llx ranges=%u rsdp=0x%llx",
		 info->loader_name ? info->loader_name : "unknown", bi->module_count,
		 (unsigned long long)bi->config_size, (unsigned long long)bi->heap_base,
		 (unsigned long long)bi->heap_size, (unsigned long long)bi->trampoline_base,
		 bi->mem_count, (unsigned long long)bi->rsdp);
	return err;
}
