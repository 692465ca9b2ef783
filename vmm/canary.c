/* The hypervisor's canary page (see canary.h). */
#include "vmm/canary.h"
#include "hv/log.h"
#include "kernel/memory.h"

#define CANARY_PATTERN 0xc0ffee15deadbeefULL
#define CANARY_WORDS (PAGE_SIZE / sizeof(uint64_t))

static uint64_t *canary;

int canary_init(void)
{
	phys_addr_t pa;
	int err = hv_pages_alloc(1, &pa);

	if (err)
		return err;
	canary = (uint64_t *)(uintptr_t)pa;
	for (unsigned i = 0; i < CANARY_WORDS; i++)
		canary[i] = CANARY_PATTERN ^ i;
	log_info("vmm", "canary hpa=0x%llx", (unsigned long long)pa);
	return 0;
}

uint64_t canary_hpa(void)
{
	return (uint64_t)(uintptr_t)canary;
}

bool canary_check_all(const char *where)
{
	unsigned bad = 0;

	for (unsigned i = 0; canary && i < CANARY_WORDS; i++)
		bad += canary[i] != (CANARY_PATTERN ^ i);
	if (bad)
		log_error("vmm", "canary state=corrupted words=%u where=%s", bad, where);
	else
		log_info("vmm", "canary state=intact where=%s", where);
	return bad == 0;
}
