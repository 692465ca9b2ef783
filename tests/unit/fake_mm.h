/*
 * A fake physical memory for table builders under test (the paging engine,
 * VT-d context tables): 4 KiB pages from the host heap behind fake physical
 * addresses, with counters to find leaks and a switch to make the k-th
 * allocation fail.
 */
#ifndef TESTS_UNIT_FAKE_MM_H
#define TESTS_UNIT_FAKE_MM_H

#include "kernel/mm/paging.h"

#define FAKE_BASE 0x0000004000000000ULL /* fake physical address of slot 0 */
#define FAKE_SLOTS 4096

struct fake_mm {
	void *slot[FAKE_SLOTS];
	unsigned next;
	unsigned long calls;   /* alloc_table calls */
	unsigned long fail_at; /* that call (1-based) fails; 0 = never */
	long live;
	unsigned long allocs, frees;
};

extern struct fake_mm fake;
extern const struct paging_mm fake_mm_ops;

void *fake_phys_to_virt(void *ctx, phys_addr_t pa);

#endif
