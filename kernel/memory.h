/*
 * The core's memory: two page pools and the hypervisor's own page tables.
 * - hv pool: the pages the loader reserved for the hypervisor (boot info
 *   heap_base/heap_size, below 4 GiB): stacks, page tables, per-CPU data.
 * - ram pool: every other usable page: partitions' memory comes from here.
 * All RAM is identity-mapped in the hypervisor's tables (VA == PA), the
 * image with code read-only and data non-executable; MMIO is mapped
 * uncached on demand, page 0 never.
 */
#ifndef KERNEL_MEMORY_H
#define KERNEL_MEMORY_H

#include "hv/boot_info.h"

struct memory_stats {
	uint64_t ram_total;	/* bytes of RAM in the map, any type */
	uint64_t usable;	/* free for partitions at boot */
	uint64_t hv_reserved;	/* image + heap + boot data */
	uint64_t modules;	/* configuration and guest images */
	uint64_t acpi;		/* ACPI reclaim + NVS */
	uint64_t firmware;	/* runtime services, reserved */
	uint64_t hv_pool_free;
	uint64_t ram_pool_free;
	uint64_t highest_ram;	/* end of the highest RAM range */
	uint64_t pt_pages;	/* page-table pages of the hypervisor's own tables */
	unsigned ranges;
};

/* Validates the boot map and sets up both pools. */
int memory_init(const struct boot_info *bi);
/* Builds the hypervisor's page tables with the paging engine and loads them. */
int memory_enable_paging(const struct boot_info *bi);
/* Per-CPU register set-up the tables rely on (PAT, NX, WP); every CPU. */
void memory_cpu_setup(void);
uint64_t memory_root_table(void);

/* Identity-maps [pa, pa+size) uncached (device registers). NULL on failure. */
void *memory_map_mmio(phys_addr_t pa, uint64_t size);
/* Identity-maps firmware data (ACPI tables) read-only, write-back. */
const void *memory_map_firmware(phys_addr_t pa, uint64_t size);

int hv_pages_alloc(uint64_t pages, phys_addr_t *pa);
void hv_pages_free(phys_addr_t pa, uint64_t pages);
/* Partition memory: contiguous, aligned to align_pages (a power of two). */
int ram_pages_alloc(uint64_t pages, uint64_t align_pages, phys_addr_t *pa);
uint64_t ram_largest_free(void);

struct paging_mm;
/* Table pages for any tables the hypervisor builds (its own, nested, VT-d). */
const struct paging_mm *memory_table_mm(void);

void memory_get_stats(struct memory_stats *st);

#endif
