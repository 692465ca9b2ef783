/*
 * Segments and task state: the core runs in one flat 64-bit code segment;
 * each CPU has its own GDT and TSS because the TSS holds that CPU's
 * interrupt stacks (IST) for double fault, NMI and machine check.
 */
#ifndef KERNEL_ARCH_GDT_H
#define KERNEL_ARCH_GDT_H

#include "hv/types.h"

#define GDT_SEL_CODE 0x08
#define GDT_SEL_DATA 0x10
#define GDT_SEL_TSS 0x18
#define GDT_ENTRIES 5 /* null, code, data, TSS (two slots) */

#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3
#define IST_COUNT 3

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes (SDM 8.7)");

struct cpu_tables {
	uint64_t gdt[GDT_ENTRIES] __aligned(16);
	struct tss64 tss __aligned(16);
	uint64_t ist_top[IST_COUNT];
};

/* Builds and loads GDT and TSS; t->ist_top must name this CPU's IST stacks. */
void gdt_load(struct cpu_tables *t);

#endif
