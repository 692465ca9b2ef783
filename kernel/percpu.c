/* Per-CPU areas (see percpu.h). */
#include "kernel/percpu.h"
#include "kernel/arch/cpu.h"

struct percpu percpu_area[HV_MAX_CPUS];
static bool gs_ready;

void percpu_activate(struct percpu *cpu)
{
	cpu->self = cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)cpu);
	gs_ready = true;
}

struct percpu *this_cpu(void)
{
	struct percpu *self;

	if (!gs_ready)
		return &percpu_area[0];
	__asm__ volatile("movq %%gs:0, %0" : "=r"(self));
	return self;
}

unsigned this_cpu_index(void)
{
	return this_cpu()->index;
}

unsigned percpu_online_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < HV_MAX_CPUS; i++)
		n += percpu_area[i].online;
	return n;
}
