/* Local APIC access, x2APIC or xAPIC (see apic.h). SDM vol. 3, ch. 10/11. */
#include "kernel/arch/apic.h"
#include "kernel/arch/cpu.h"
#include "kernel/arch/trap.h"
#include "kernel/memory.h"
#include "kernel/percpu.h"
#include "kernel/shutdown.h"

/* Register offsets in the xAPIC page; the x2APIC MSR is 0x800 + offset / 16. */
#define APIC_ID 0x020
#define APIC_VERSION 0x030
#define APIC_TPR 0x080
#define APIC_EOI 0x0b0
#define APIC_SVR 0x0f0
#define APIC_SVR_ENABLE BIT(8)
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define APIC_ICR_DELIVERY_PENDING BIT(12)
#define APIC_ICR_FIXED (0u << 8)
#define APIC_ICR_NMI (4u << 8)
#define APIC_ICR_INIT (5u << 8)
#define APIC_ICR_STARTUP (6u << 8)
#define APIC_ICR_ASSERT BIT(14)
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_LVT_MASKED BIT(16)
#define APIC_LVT_TIMER_PERIODIC BIT(17)
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3e0
#define APIC_TIMER_DIVIDE_BY_1 0xb
#define X2APIC_MSR_BASE 0x800
#define XAPIC_DEFAULT_BASE 0xfee00000ULL
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ULL
#define CPUID_1_ECX_X2APIC BIT(21)

#define PIC_MASTER_DATA 0x21 /* 8259 interrupt mask registers (OCW1) */
#define PIC_SLAVE_DATA 0xa1
#define PIC_MASK_ALL 0xff

static bool x2apic;
static bool ready;
static uint64_t xapic_base;

static uint32_t apic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + (reg >> 4));
	return mmio_read32(xapic_base + reg);
}

static void apic_write(uint32_t reg, uint32_t val)
{
	if (x2apic)
		wrmsr(X2APIC_MSR_BASE + (reg >> 4), val);
	else
		mmio_write32(xapic_base + reg, val);
}

static void apic_write_icr(uint32_t dest, uint32_t low)
{
	if (x2apic) {
		wrmsr(X2APIC_MSR_BASE + (APIC_ICR_LOW >> 4), ((uint64_t)dest << 32) | low);
		return;
	}
	apic_write(APIC_ICR_HIGH, dest << 24);
	apic_write(APIC_ICR_LOW, low);
	while (apic_read(APIC_ICR_LOW) & APIC_ICR_DELIVERY_PENDING)
		cpu_relax();
}

static void enable_mode(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	base |= MSR_IA32_APIC_BASE_EN;
	wrmsr(MSR_IA32_APIC_BASE, base);
	if (x2apic)
		wrmsr(MSR_IA32_APIC_BASE, base | MSR_IA32_APIC_BASE_EXTD);
}

static enum trap_result nmi_handler(struct trap_frame *frame)
{
	(void)frame;
	if (shutdown_in_progress())
		shutdown_stop_self();
	if (__atomic_exchange_n(&this_cpu()->nmi_kick, false, __ATOMIC_ACQ_REL))
		return TRAP_HANDLED;
	return TRAP_UNHANDLED;
}

/*
 * A BIOS (Bochs's, or any machine booted through GRUB's Multiboot2) leaves
 * both 8259s unmasked with the PIT ticking on IRQ 0, which then reaches the
 * boot CPU in virtual-wire mode as vector 8: in a partition's guest, as a
 * spurious "#DF". The hypervisor uses local APICs only.
 */
static void mask_legacy_pics(void)
{
	outb(PIC_MASTER_DATA, PIC_MASK_ALL);
	outb(PIC_SLAVE_DATA, PIC_MASK_ALL);
}

void apic_init_cpu(void)
{
	if (!ready) {
		mask_legacy_pics();
		x2apic = cpuid(1, 0).ecx & CPUID_1_ECX_X2APIC;
		if (!x2apic) {
			uint64_t pa = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR_MASK;

			xapic_base = (uint64_t)(uintptr_t)memory_map_mmio(
				pa ? pa : XAPIC_DEFAULT_BASE, PAGE_SIZE);
		}
		irq_set_handler(VEC_NMI, nmi_handler);
	}
	enable_mode();
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | VEC_SPURIOUS);
	ready = true;
}

bool apic_is_x2apic(void)
{
	return x2apic;
}

bool apic_ready(void)
{
	return ready;
}

uint32_t apic_id(void)
{
	uint32_t id = apic_read(APIC_ID);

	return x2apic ? id : id >> 24;
}

uint32_t apic_version(void)
{
	return apic_read(APIC_VERSION);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

void apic_send_fixed_ipi(uint32_t dest, uint8_t vector)
{
	apic_write_icr(dest, APIC_ICR_FIXED | APIC_ICR_ASSERT | vector);
}

void apic_send_nmi(uint32_t dest)
{
	apic_write_icr(dest, APIC_ICR_NMI | APIC_ICR_ASSERT);
}

void apic_send_init(uint32_t dest)
{
	apic_write_icr(dest, APIC_ICR_INIT | APIC_ICR_ASSERT);
}

void apic_send_startup(uint32_t dest, uint8_t page)
{
	apic_write_icr(dest, APIC_ICR_STARTUP | APIC_ICR_ASSERT | page);
}

void apic_kick_cpu(unsigned index)
{
	__atomic_store_n(&percpu_area[index].nmi_kick, true, __ATOMIC_RELEASE);
	apic_send_nmi(percpu_area[index].apic_id);
}

void apic_stop_other_cpus(void)
{
	unsigned self = this_cpu_index();

	if (!ready)
		return;
	for (unsigned i = 0; i < HV_MAX_CPUS; i++)
		if (i != self && percpu_area[i].online)
			apic_send_nmi(percpu_area[i].apic_id);
}

void apic_timer_start_oneshot(uint32_t initial, uint8_t vector, bool masked)
{
	apic_write(APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_BY_1);
	apic_write(APIC_LVT_TIMER, vector | (masked ? APIC_LVT_MASKED : 0));
	apic_write(APIC_TIMER_INITIAL, initial);
}

void apic_timer_start_periodic(uint32_t initial, uint8_t vector)
{
	apic_write(APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_BY_1);
	apic_write(APIC_LVT_TIMER, vector | APIC_LVT_TIMER_PERIODIC);
	apic_write(APIC_TIMER_INITIAL, initial);
}

uint32_t apic_timer_current(void)
{
	return apic_read(APIC_TIMER_CURRENT);
}

void apic_timer_stop(void)
{
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_TIMER_INITIAL, 0);
}
