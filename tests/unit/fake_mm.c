/* The fake physical memory of the table tests (see fake_mm.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/fake_mm.h"

struct fake_mm fake;

void *fake_phys_to_virt(void *ctx, phys_addr_t pa)
{
	struct fake_mm *m = ctx;
	uint64_t slot = (pa - FAKE_BASE) / PAGE_SIZE;

	assert_true(pa >= FAKE_BASE && slot < FAKE_SLOTS);
	assert_true(IS_ALIGNED(pa, PAGE_SIZE));
	assert_non_null(m->slot[slot]);
	return m->slot[slot];
}

static int fake_alloc_table(void *ctx, phys_addr_t *pa)
{
	struct fake_mm *m = ctx;

	if (++m->calls == m->fail_at)
		return -ENOMEM;
	for (unsigned n = 0; n < FAKE_SLOTS; n++) {
		unsigned s = (m->next + n) % FAKE_SLOTS;

		if (m->slot[s])
			continue;
		m->slot[s] = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
		assert_non_null(m->slot[s]);
		memset(m->slot[s], 0, PAGE_SIZE);
		m->next = s + 1;
		m->live++;
		m->allocs++;
		*pa = FAKE_BASE + s * PAGE_SIZE;
		return 0;
	}
	return -ENOMEM;
}

static void fake_free_table(void *ctx, phys_addr_t pa)
{
	struct fake_mm *m = ctx;

	free(fake_phys_to_virt(ctx, pa));
	m->slot[(pa - FAKE_BASE) / PAGE_SIZE] = NULL;
	m->live--;
	m->frees++;
}

const struct paging_mm fake_mm_ops = {
	.phys_to_virt = fake_phys_to_virt,
	.alloc_table = fake_alloc_table,
	.free_table = fake_free_table,
	.ctx = &fake,
};
