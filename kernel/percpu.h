/*
 * Per-CPU data, reached through GS (gs:0 holds the area's own address), so
 * the same code runs on every CPU without looking up its own index.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include "kernel/arch/gdt.h"

#define HV_MAX_CPUS 64
#define CPU_STACK_SIZE (16 * KiB)
#define CPU_IST_STACK_SIZE (8 * KiB)

struct percpu {
	struct percpu *self; /* gs:0; must stay first */
	uint32_t index;	     /* dense, 0 = the boot CPU */
	uint32_t apic_id;
	volatile bool online;
	bool in_panic; /* set while this CPU reports a fatal fault */
	volatile bool nmi_kick; /* the next NMI is a kick from another CPU, not an error */
	void *volatile vcpu;	/* the vCPU this CPU runs, once partitions exist */
	uint64_t stack_base;
	uint64_t stack_top;
	struct cpu_tables tables; /* GDT, TSS, IST stacks */
};

extern struct percpu percpu_area[HV_MAX_CPUS];

/* Points GS at cpu's area. Until the boot CPU did this, this_cpu() is CPU 0. */
void percpu_activate(struct percpu *cpu);
struct percpu *this_cpu(void);
unsigned this_cpu_index(void);
unsigned percpu_online_count(void);

#endif
