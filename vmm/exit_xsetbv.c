/*
 * XSETBV from a partition (VMX exits on every one): the value is checked as
 * the processor would check it (xcr0_check.c), against the XCR0 bits the
 * partition's CPUID leaf 0xD shows (passed through from the host), and a
 * refused value raises #GP(0) in the guest. An accepted one is loaded into
 * this CPU's XCR0, which the partition owns: the hypervisor keeps no
 * extended state of its own (general-registers-only build), so nothing of
 * the host needs saving around it.
 */
#include "vmm/exits.h"
#include "hv/log.h"
#include "kernel/arch/cpu.h"
#include "vmm/partition.h"
#include "vmm/xcr0_check.h"

#define CPUID_XSAVE_LEAF 0xd
#define CR4_OSXSAVE	 BIT(18)

static uint64_t supported_xcr0(void)
{
	struct cpuid_result r = cpuid(CPUID_XSAVE_LEAF, 0);

	return ((uint64_t)r.edx << 32) | r.eax;
}

/* XSETBV needs CR4.OSXSAVE in the host too; the host's own CR4 is restored after. */
static void load_xcr0(uint64_t value)
{
	uint64_t cr4 = read_cr4();

	if (!(cr4 & CR4_OSXSAVE))
		write_cr4(cr4 | CR4_OSXSAVE);
	__asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
			 : "memory");
	if (!(cr4 & CR4_OSXSAVE))
		write_cr4(cr4);
}

void exit_xsetbv(struct vcpu *v, const struct vm_exit *e)
{
	const struct vcpu_backend *be = vcpu_backend();
	uint32_t index = (uint32_t)be->get_reg(v, GPR_RCX);
	uint64_t value =
	    ((uint64_t)(uint32_t)be->get_reg(v, GPR_RDX) << 32) | (uint32_t)be->get_reg(v, GPR_RAX);
	const char *why = xcr0_check(index, value, supported_xcr0());

	if (why) {
		log_warn("vmm", "xsetbv refused partition=%s xcr=%u value=0x%llx why=%s",
			 partition_name(v->part), index, (unsigned long long)value, why);
		be->inject_gp(v);
		return;
	}
	load_xcr0(value);
	exit_skip_instruction(v, e->insn_len);
}
