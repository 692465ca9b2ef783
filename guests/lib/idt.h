/*
 * Interrupts and exceptions in a guest. Exceptions (vectors 0..31) print
 * what happened and halt the vCPU: a guest's own fault is its own business,
 * the hypervisor is not involved. Vectors 32..255 call the handler
 * installed for them; a handler acknowledges its interrupt itself
 * (apic_eoi()) when it came from the local APIC.
 */
#ifndef GUESTS_LIB_IDT_H
#define GUESTS_LIB_IDT_H

#include "hv/types.h"

#define IDT_FIRST_IRQ	    32
#define IDT_VECTORS	    256
#define IDT_SPURIOUS_VECTOR 0xff /* apic_init() points the APIC's spurious vector here */

/* What the entry points save, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code; /* 0 for vectors without one */
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "frame layout of isr_entry.asm");

typedef void (*irq_handler_fn)(struct trap_frame *frame);

/* Fills the IDT once (the runtime does this on vCPU 0 before main). */
void idt_init(void);
/* Loads the IDT on the calling vCPU (the runtime does it on every vCPU). */
void idt_load(void);
/* vector 32..255; fn NULL removes the handler. -EINVAL for other vectors. */
int irq_set_handler(unsigned vector, irq_handler_fn fn);

/* Called by isr_entry.asm. */
void idt_dispatch(struct trap_frame *frame);

#endif
