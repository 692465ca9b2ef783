/*
 * Single x86 instructions a guest needs, as inline functions. A guest runs
 * at CPL 0 on a CPU of its own, so it may use all of them; the hypervisor
 * decides which ones it lets through (docs/guest-sdk.md).
 */
#ifndef GUESTS_LIB_CPU_H
#define GUESTS_LIB_CPU_H

#include "hv/types.h"

#define MSR_IA32_APIC_BASE 0x1b
#define MSR_EFER	   0xc0000080
#define MSR_EFER_SVME	   BIT(12)

#define RFLAGS_IF BIT(9)
#define CR4_LA57  BIT(12)

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpu_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t cpu_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
			 : "memory");
}

static inline uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t cpu_read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t cpu_read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline uint64_t cpu_read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline uint16_t cpu_read_cs(void)
{
	uint16_t v;

	__asm__ volatile("mov %%cs, %0" : "=r"(v));
	return v;
}

static inline void cpu_invlpg(uint64_t addr)
{
	__asm__ volatile("invlpg (%0)" ::"r"(addr) : "memory");
}

static inline void cpu_cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline void cpu_sti(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void cpu_pause(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/*
 * Waits for the next interrupt with interrupts off before and after. STI
 * takes effect only after the next instruction, so an interrupt that became
 * pending after the caller's last check still wakes this HLT: no lost wakeup.
 */
static inline void cpu_wait_interrupt(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

static inline uint64_t cpu_read_rflags(void)
{
	uint64_t v;

	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

#endif
