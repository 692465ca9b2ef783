/* GDT and TSS set-up (see gdt.h). */
#include "kernel/arch/gdt.h"
#include "hv/string.h"

#define DESC_CODE64 0x00209a0000000000ULL /* P, DPL0, code exec/read, L */
#define DESC_DATA 0x0000920000000000ULL	  /* P, DPL0, data read/write */
#define DESC_TSS_AVAILABLE 0x9ULL

struct gdt_pointer {
	uint16_t limit;
	uint64_t base;
} __packed;

/* A 64-bit TSS descriptor takes two GDT slots (SDM 8.2.3). */
static void set_tss_descriptor(uint64_t *slot, uint64_t base, uint32_t limit)
{
	slot[0] = (limit & 0xffffULL) | ((base & 0xffffffULL) << 16) |
		  (DESC_TSS_AVAILABLE << 40) | (1ULL << 47) | ((uint64_t)(limit >> 16) << 48) |
		  (((base >> 24) & 0xffULL) << 56);
	slot[1] = base >> 32;
}

static void load_segments(const struct gdt_pointer *ptr)
{
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "mov %%eax, %%ds\n\t"
			 "mov %%eax, %%es\n\t"
			 "mov %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "mov %%eax, %%fs\n\t"
			 :
			 : "m"(*ptr), "i"(GDT_SEL_CODE), "i"(GDT_SEL_DATA)
			 : "rax", "memory");
}

void gdt_load(struct cpu_tables *t)
{
	struct gdt_pointer ptr = {sizeof(t->gdt) - 1, (uint64_t)(uintptr_t)t->gdt};

	memset(&t->tss, 0, sizeof(t->tss));
	for (unsigned i = 0; i < IST_COUNT; i++)
		t->tss.ist[i] = t->ist_top[i]; /* IST n is ist[n - 1] */
	t->tss.iomap_base = sizeof(t->tss); /* no I/O bitmap */
	t->gdt[0] = 0;
	t->gdt[1] = DESC_CODE64;
	t->gdt[2] = DESC_DATA;
	set_tss_descriptor(&t->gdt[3], (uint64_t)(uintptr_t)&t->tss, sizeof(t->tss) - 1);
	load_segments(&ptr);
	/* GS is not reloaded: its base (per-CPU area) lives in MSR_GS_BASE. */
	__asm__ volatile("ltr %w0" ::"r"(GDT_SEL_TSS));
}
