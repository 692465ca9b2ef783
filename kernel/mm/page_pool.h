/*
 * Physical page pool: a bitmap allocator over one contiguous physical span,
 * for page tables, VMCBs/VMCSs, IOMMU structures and guest memory carving.
 * A pool starts with every page in use; boot code releases what the memory
 * map says is free and reserves what it must keep. No locking inside: the
 * caller serialises access to one pool.
 */
#ifndef KERNEL_MM_PAGE_POOL_H
#define KERNEL_MM_PAGE_POOL_H

#include "hv/types.h"

struct page_pool {
	const char *name;
	phys_addr_t base; /* 4 KiB aligned */
	uint64_t pages;
	uint64_t *bitmap; /* bit set = page in use; bits past `pages` stay set */
	uint64_t free_pages;
	uint64_t next_hint; /* where the next search starts (next fit) */
};

/* Bytes of bitmap a pool of `pages` pages needs (whole 64-bit words). */
size_t page_pool_bitmap_bytes(uint64_t pages);

/* All pages start in use. An unaligned base is refused by making the pool empty. */
void page_pool_init(struct page_pool *p, const char *name, phys_addr_t base, uint64_t pages,
		    uint64_t *bitmap);

/* Marks free the whole pages inside [base, base + size), clipped to the pool. */
void page_pool_release_range(struct page_pool *p, phys_addr_t base, uint64_t size);

/* Marks in use every page [base, base + size) touches, clipped to the pool. */
void page_pool_reserve_range(struct page_pool *p, phys_addr_t base, uint64_t size);

/*
 * Allocates `pages` contiguous pages whose physical address is aligned to
 * align_pages pages (a power of two; 0 counts as 1). Pages are not zeroed.
 * -EINVAL for pages == 0 or a bad alignment, -ENOMEM if no run fits.
 */
int page_pool_alloc(struct page_pool *p, uint64_t pages, uint64_t align_pages, phys_addr_t *pa);

/*
 * Returns pages to the pool. -EINVAL (logged, nothing changed) if the run is
 * empty, unaligned, not wholly inside the pool or has any page already free.
 */
int page_pool_free(struct page_pool *p, phys_addr_t pa, uint64_t pages);

uint64_t page_pool_free_pages(const struct page_pool *p);

/* Pages in the longest run of free pages. */
uint64_t page_pool_largest_free(const struct page_pool *p);

#endif
