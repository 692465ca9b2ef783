/*
 * x2APIC access for guests. The timer counts at the rate the hypervisor
 * measured (boot_info.apic_timer_hz, divide-by-1); the smallest divider
 * that keeps the count within 32 bits gives the finest resolution.
 */
#include "guests/lib/apic.h"
#include "guests/lib/cpu.h"
#include "guests/lib/idt.h"
#include "guests/lib/runtime.h"
#include "hv/errno.h"

#define APIC_TIMER_MAX_SHIFT 7 /* divide by 1, 2, 4 ... 128 */
#define US_PER_S	     1000000ULL

void apic_init(void)
{
	cpu_wrmsr(X2APIC_TPR, 0);
	cpu_wrmsr(X2APIC_SVR, X2APIC_SVR_ENABLE | IDT_SPURIOUS_VECTOR);
}

uint32_t apic_id(void)
{
	return (uint32_t)cpu_rdmsr(X2APIC_ID);
}

void apic_eoi(void)
{
	cpu_wrmsr(X2APIC_EOI, 0);
}

/* Divide configuration register encoding of 2^shift (SDM vol. 3, figure 11-10). */
static uint32_t divide_value(unsigned shift)
{
	if (shift == 0)
		return 0xb;
	return ((shift - 1) & 3) | (((shift - 1) & 4) << 1);
}

/* Programs the timer for ticks at the undivided rate; -EINVAL if they don't fit. */
static int timer_program(uint8_t vector, uint64_t ticks, uint64_t mode)
{
	unsigned shift = 0;

	while ((ticks >> shift) > UINT32_MAX && shift < APIC_TIMER_MAX_SHIFT)
		shift++;
	if ((ticks >> shift) == 0 || (ticks >> shift) > UINT32_MAX)
		return -EINVAL;
	cpu_wrmsr(X2APIC_TIMER_INITIAL, 0);
	cpu_wrmsr(X2APIC_TIMER_DIVIDE, divide_value(shift));
	cpu_wrmsr(X2APIC_LVT_TIMER, mode | vector);
	cpu_wrmsr(X2APIC_TIMER_INITIAL, ticks >> shift);
	return 0;
}

int apic_timer_periodic(uint8_t vector, uint32_t hz)
{
	uint64_t rate = guest_boot_info()->apic_timer_hz;

	if (!rate)
		return -ENODEV;
	if (!hz)
		return -EINVAL;
	return timer_program(vector, rate / hz, X2APIC_LVT_TIMER_PERIODIC);
}

int apic_timer_oneshot(uint8_t vector, uint64_t us)
{
	uint64_t rate = guest_boot_info()->apic_timer_hz;
	uint64_t ticks;

	if (!rate)
		return -ENODEV;
	if (us / US_PER_S >= UINT64_MAX / rate)
		return -EINVAL;
	/* Split so that us * rate cannot overflow. */
	ticks = us / US_PER_S * rate + us % US_PER_S * rate / US_PER_S;
	return timer_program(vector, ticks, 0);
}

void apic_timer_stop(void)
{
	cpu_wrmsr(X2APIC_LVT_TIMER, X2APIC_LVT_MASKED);
	cpu_wrmsr(X2APIC_TIMER_INITIAL, 0);
}

void apic_self_ipi(uint8_t vector)
{
	cpu_wrmsr(X2APIC_SELF_IPI, vector);
}

void apic_write_icr(uint64_t icr)
{
	cpu_wrmsr(X2APIC_ICR, icr);
}

int apic_send_ipi(unsigned vcpu, uint8_t vector)
{
	const struct hv_guest_boot_info *bi = guest_boot_info();

	if (vcpu >= bi->vcpu_count || vcpu >= HV_GUEST_MAX_VCPUS)
		return -EINVAL;
	/* Physical destination, fixed mode; "assert" as the SDM asks for all but INIT de-assert. */
	apic_write_icr((uint64_t)bi->apic_ids[vcpu] << X2APIC_ICR_DEST_SHIFT | X2APIC_ICR_ASSERT |
		       X2APIC_ICR_MODE_FIXED | vector);
	return 0;
}
