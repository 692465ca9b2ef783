/*
 * The IDT, shared by all CPUs: every vector is an interrupt gate (IF off on
 * entry); double fault, NMI and machine check run on their own IST stacks so
 * a broken stack still gets reported.
 */
#include "kernel/arch/trap.h"
#include "kernel/arch/gdt.h"
#include "kernel/arch/apic.h"
#include "hv/log.h"

#define IDT_VECTORS 256
#define IDT_ENTRY_SIZE 16
#define GATE_INTERRUPT 0x8e /* P, DPL0, 64-bit interrupt gate */

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes");

struct idt_pointer {
	uint16_t limit;
	uint64_t base;
} __packed;

extern const uint8_t idt_entries[];

static struct idt_gate idt[IDT_VECTORS] __aligned(16);
static irq_handler_fn irq_handlers[IDT_VECTORS];
static uint64_t stray_interrupts;
#define STRAY_LOGGED 8

static uint8_t ist_for(unsigned vector)
{
	switch (vector) {
	case VEC_DOUBLE_FAULT:
		return IST_DOUBLE_FAULT;
	case VEC_NMI:
		return IST_NMI;
	case VEC_MACHINE_CHECK:
		return IST_MACHINE_CHECK;
	default:
		return 0;
	}
}

void idt_init(void)
{
	for (unsigned v = 0; v < IDT_VECTORS; v++) {
		uint64_t target = (uint64_t)(uintptr_t)(idt_entries + v * IDT_ENTRY_SIZE);

		idt[v] = (struct idt_gate){
			.offset_low = target & 0xffff,
			.selector = GDT_SEL_CODE,
			.ist = ist_for(v),
			.type_attr = GATE_INTERRUPT,
			.offset_mid = (target >> 16) & 0xffff,
			.offset_high = target >> 32,
		};
	}
}

void idt_load(void)
{
	struct idt_pointer ptr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};

	__asm__ volatile("lidt %0" ::"m"(ptr));
}

void irq_set_handler(uint8_t vector, irq_handler_fn fn)
{
	irq_handlers[vector] = fn;
}

void trap_dispatch(struct trap_frame *frame)
{
	irq_handler_fn fn = irq_handlers[frame->vector & 0xff];

	if (fn && fn(frame) == TRAP_HANDLED)
		return;
	if (frame->vector < VEC_FIRST_EXTERNAL)
		exception_report(frame);
	if (frame->vector != VEC_SPURIOUS) {
		/* A parked partition's interrupt arriving late: count it, keep the log short. */
		uint64_t n = __atomic_add_fetch(&stray_interrupts, 1, __ATOMIC_RELAXED);

		if (n <= STRAY_LOGGED)
			log_warn("irq", "unexpected interrupt vector=%llu count=%llu",
				 (unsigned long long)frame->vector, (unsigned long long)n);
		apic_eoi();
	}
}
