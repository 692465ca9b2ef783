/*
 * The core's memory set-up (see memory.h): page pools from the boot map and
 * the hypervisor's own page tables, built by the shared paging engine.
 */
#include "kernel/memory.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/arch/cpu.h"
#include "kernel/image.h"
#include "kernel/mm/page_pool.h"
#include "kernel/mm/paging.h"
#include "kernel/spinlock.h"

#define LOW_MEMORY_END (1 * MiB) /* real-mode area: never handed out */
#define CPUID_EXT1_EDX_PDPE1GB BIT(26)
#define RAM_FLAGS (PAGE_READ | PAGE_WRITE | PAGE_CACHE_WB)
#define MMIO_FLAGS (PAGE_READ | PAGE_WRITE | PAGE_CACHE_UC)
#define FIRMWARE_FLAGS (PAGE_READ | PAGE_CACHE_WB)

struct hole {
	uint64_t start, end;
	uint32_t flags;
};

static struct page_pool hv_pool, ram_pool;
static struct paging hv_tables;
static bool paging_on;
static struct spinlock memory_lock = SPINLOCK_INIT;
static struct memory_stats stats;

static bool is_ram(uint32_t type)
{
	return type == BOOT_MEM_USABLE || type == BOOT_MEM_HV || type == BOOT_MEM_MODULE ||
	       type == BOOT_MEM_ACPI_RECLAIM || type == BOOT_MEM_ACPI_NVS ||
	       type == BOOT_MEM_FIRMWARE;
}

static int check_map(const struct boot_info *bi)
{
	if (bi->mem_count == 0 || bi->mem_count > BOOT_MAX_MEM_RANGES)
		return -EINVAL;
	for (uint32_t i = 0; i < bi->mem_count; i++) {
		const struct boot_mem_range *r = &bi->mem[i];

		if (!r->size || r->base + r->size < r->base ||
		    (i && r->base < bi->mem[i - 1].base + bi->mem[i - 1].size)) {
			log_error("mem", "boot map range %u base=0x%llx size=0x%llx is not sorted "
				  "and disjoint", i, (unsigned long long)r->base,
				  (unsigned long long)r->size);
			return -EINVAL;
		}
	}
	return 0;
}

static void count_range(const struct boot_mem_range *r)
{
	if (is_ram(r->type)) {
		stats.ram_total += r->size;
		stats.highest_ram = MAX(stats.highest_ram, r->base + r->size);
	}
	if (r->type == BOOT_MEM_USABLE)
		stats.usable += r->size;
	else if (r->type == BOOT_MEM_HV)
		stats.hv_reserved += r->size;
	else if (r->type == BOOT_MEM_MODULE)
		stats.modules += r->size;
	else if (r->type == BOOT_MEM_ACPI_RECLAIM || r->type == BOOT_MEM_ACPI_NVS)
		stats.acpi += r->size;
	else if (r->type == BOOT_MEM_FIRMWARE || r->type == BOOT_MEM_RESERVED)
		stats.firmware += r->size;
}

static int init_hv_pool(const struct boot_info *bi)
{
	uint64_t pages = bi->heap_size / PAGE_SIZE;
	uint64_t bitmap_pages = ALIGN_UP(page_pool_bitmap_bytes(pages), PAGE_SIZE) / PAGE_SIZE;

	if (!bi->heap_base || pages <= bitmap_pages || !IS_ALIGNED(bi->heap_base, PAGE_SIZE))
		return -ENOMEM;
	page_pool_init(&hv_pool, "hv", bi->heap_base, pages,
		       (uint64_t *)(uintptr_t)bi->heap_base);
	page_pool_release_range(&hv_pool, bi->heap_base + bitmap_pages * PAGE_SIZE,
				(pages - bitmap_pages) * PAGE_SIZE);
	return 0;
}

static int init_ram_pool(const struct boot_info *bi)
{
	uint64_t lo = ~0ULL, hi = 0, pages;
	phys_addr_t bitmap;
	int err;

	for (uint32_t i = 0; i < bi->mem_count; i++)
		if (bi->mem[i].type == BOOT_MEM_USABLE) {
			lo = MIN(lo, bi->mem[i].base);
			hi = MAX(hi, bi->mem[i].base + bi->mem[i].size);
		}
	if (hi <= lo)
		return -ENOMEM;
	lo = ALIGN_DOWN(lo, PAGE_SIZE);
	pages = (ALIGN_UP(hi, PAGE_SIZE) - lo) / PAGE_SIZE;
	err = page_pool_alloc(&hv_pool, ALIGN_UP(page_pool_bitmap_bytes(pages), PAGE_SIZE) /
				      PAGE_SIZE, 1, &bitmap);
	if (err)
		return err;
	page_pool_init(&ram_pool, "ram", lo, pages, (uint64_t *)(uintptr_t)bitmap);
	for (uint32_t i = 0; i < bi->mem_count; i++)
		if (bi->mem[i].type == BOOT_MEM_USABLE)
			page_pool_release_range(&ram_pool, bi->mem[i].base, bi->mem[i].size);
	page_pool_reserve_range(&ram_pool, 0, LOW_MEMORY_END);
	return 0;
}

int memory_init(const struct boot_info *bi)
{
	int err = check_map(bi);

	if (err)
		return err;
	for (uint32_t i = 0; i < bi->mem_count; i++)
		count_range(&bi->mem[i]);
	stats.ranges = bi->mem_count;
	err = init_hv_pool(bi);
	if (!err)
		err = init_ram_pool(bi);
	if (err)
		log_error("mem", "cannot set up page pools err=%d heap=0x%llx+0x%llx", err,
			  (unsigned long long)bi->heap_base, (unsigned long long)bi->heap_size);
	return err;
}

static void *identity(void *ctx, phys_addr_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static int alloc_table(void *ctx, phys_addr_t *pa)
{
	int err = page_pool_alloc(&hv_pool, 1, 1, pa);

	(void)ctx;
	if (!err) {
		memset((void *)(uintptr_t)*pa, 0, PAGE_SIZE);
		stats.pt_pages++;
	}
	return err;
}

static void free_table(void *ctx, phys_addr_t pa)
{
	(void)ctx;
	page_pool_free(&hv_pool, pa, 1);
	stats.pt_pages--;
}

static const struct paging_mm hv_mm = {identity, alloc_table, free_table, NULL};

/* Maps [start, end) with flags, except the holes, which get their own flags. */
static int map_with_holes(uint64_t start, uint64_t end, uint32_t flags, const struct hole *holes,
			  unsigned n)
{
	uint64_t at = start;
	int err = 0;

	for (unsigned i = 0; i < n && !err; i++) {
		uint64_t hs = MAX(holes[i].start, at), he = MIN(holes[i].end, end);

		if (hs >= he)
			continue;
		if (hs > at)
			err = paging_map(&hv_tables, at, at, hs - at, flags);
		if (!err)
			err = paging_map(&hv_tables, hs, hs, he - hs, holes[i].flags);
		at = he;
	}
	if (!err && at < end)
		err = paging_map(&hv_tables, at, at, end - at, flags);
	return err;
}

/* Sorted: the image's code pages, the rest of the image, the AP trampoline. */
static unsigned special_ranges(const struct boot_info *bi, struct hole *h)
{
	uint64_t text = (uint64_t)(uintptr_t)_text;
	uint64_t etext = ALIGN_UP((uint64_t)(uintptr_t)_etext, PAGE_SIZE);
	uint64_t image_end = ALIGN_UP(bi->image_base + bi->image_size, PAGE_SIZE);
	unsigned n = 0;

	if (bi->trampoline_base)
		h[n++] = (struct hole){bi->trampoline_base, bi->trampoline_base + PAGE_SIZE,
				       RAM_FLAGS | PAGE_EXEC};
	h[n++] = (struct hole){bi->image_base, text, FIRMWARE_FLAGS};
	h[n++] = (struct hole){text, etext, PAGE_READ | PAGE_EXEC | PAGE_CACHE_WB};
	h[n++] = (struct hole){etext, image_end, RAM_FLAGS};
	return n;
}

int memory_enable_paging(const struct boot_info *bi)
{
	uint32_t leaves = PAGING_LEAF_2M;
	struct hole holes[4];
	unsigned n = special_ranges(bi, holes);
	int err;

	if (cpuid(0x80000001, 0).edx & CPUID_EXT1_EDX_PDPE1GB)
		leaves |= PAGING_LEAF_1G;
	err = paging_init(&hv_tables, &paging_format_x86_64, 4, leaves, &hv_mm);
	for (uint32_t i = 0; i < bi->mem_count && !err; i++) {
		const struct boot_mem_range *r = &bi->mem[i];
		uint64_t start = MAX(r->base, PAGE_SIZE); /* page 0 stays unmapped */

		if (is_ram(r->type) && start < r->base + r->size)
			err = map_with_holes(start, r->base + r->size, RAM_FLAGS, holes, n);
	}
	if (err) {
		log_error("mem", "building the hypervisor page tables failed err=%d", err);
		return err;
	}
	memory_cpu_setup();
	write_cr3(hv_tables.root);
	paging_on = true;
	log_info("mem", "paging on root=0x%llx table_pages=%llu leaves=4K%s%s",
		 (unsigned long long)hv_tables.root, (unsigned long long)stats.pt_pages,
		 leaves & PAGING_LEAF_2M ? ",2M" : "", leaves & PAGING_LEAF_1G ? ",1G" : "");
	return 0;
}

void memory_cpu_setup(void)
{
	wrmsr(MSR_IA32_PAT, paging_x86_pat_value());
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | MSR_EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
}

uint64_t memory_root_table(void)
{
	return hv_tables.root;
}

static bool page_mapped(uint64_t pa)
{
	phys_addr_t out;
	uint32_t flags;
	uint64_t size;

	return paging_query(&hv_tables, pa, &out, &flags, &size) == 0;
}

/* Maps the pages of [pa, pa+size) not mapped yet; already mapped ones stay as they are. */
static void *map_missing(phys_addr_t pa, uint64_t size, uint32_t flags)
{
	uint64_t start = ALIGN_DOWN(pa, PAGE_SIZE), end = ALIGN_UP(pa + size, PAGE_SIZE);
	uint64_t irq = spin_lock_irqsave(&memory_lock);
	int err = 0;

	if (!paging_on || !size || !start || end < start)
		err = paging_on ? -EINVAL : 0;
	for (uint64_t p = start; paging_on && !err && p < end; p += PAGE_SIZE)
		if (!page_mapped(p))
			err = paging_map(&hv_tables, p, p, PAGE_SIZE, flags);
	spin_unlock_irqrestore(&memory_lock, irq);
	if (err) {
		log_error("mem", "cannot map pa=0x%llx size=0x%llx err=%d",
			  (unsigned long long)pa, (unsigned long long)size, err);
		return NULL;
	}
	return (void *)(uintptr_t)pa;
}

void *memory_map_mmio(phys_addr_t pa, uint64_t size)
{
	return map_missing(pa, size, MMIO_FLAGS);
}

const void *memory_map_firmware(phys_addr_t pa, uint64_t size)
{
	return map_missing(pa, size, FIRMWARE_FLAGS);
}

int hv_pages_alloc(uint64_t pages, phys_addr_t *pa)
{
	uint64_t irq = spin_lock_irqsave(&memory_lock);
	int err = page_pool_alloc(&hv_pool, pages, 1, pa);

	spin_unlock_irqrestore(&memory_lock, irq);
	if (!err)
		memset((void *)(uintptr_t)*pa, 0, pages * PAGE_SIZE);
	return err;
}

void hv_pages_free(phys_addr_t pa, uint64_t pages)
{
	uint64_t irq = spin_lock_irqsave(&memory_lock);

	page_pool_free(&hv_pool, pa, pages);
	spin_unlock_irqrestore(&memory_lock, irq);
}

int ram_pages_alloc(uint64_t pages, uint64_t align_pages, phys_addr_t *pa)
{
	uint64_t irq = spin_lock_irqsave(&memory_lock);
	int err = page_pool_alloc(&ram_pool, pages, align_pages, pa);

	spin_unlock_irqrestore(&memory_lock, irq);
	return err;
}

uint64_t ram_largest_free(void)
{
	return page_pool_largest_free(&ram_pool) * PAGE_SIZE;
}

const struct paging_mm *memory_table_mm(void)
{
	return &hv_mm;
}

void memory_get_stats(struct memory_stats *st)
{
	*st = stats;
	st->hv_pool_free = page_pool_free_pages(&hv_pool) * PAGE_SIZE;
	st->ram_pool_free = page_pool_free_pages(&ram_pool) * PAGE_SIZE;
}
