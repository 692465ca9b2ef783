/* The idle loop of every CPU without a vCPU (see cpu_idle.h). */
#include "kernel/cpu_idle.h"
#include "kernel/arch/cpu.h"
#include "kernel/percpu.h"

static void (*volatile runner)(void *vcpu) __noreturn;

void cpu_idle_set_runner(void (*run)(void *vcpu) __noreturn)
{
	runner = run;
}

void cpu_idle(void)
{
	for (;;) {
		void *vcpu = this_cpu()->vcpu;

		if (vcpu && runner)
			runner(vcpu);
		/* sti's one-instruction shadow: no wake-up is lost between the check and hlt. */
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
}
