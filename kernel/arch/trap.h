/*
 * Interrupt and exception entry. Every vector enters through an entry point in
 * idt_entry.asm that builds a struct trap_frame and calls trap_dispatch().
 */
#ifndef KERNEL_ARCH_TRAP_H
#define KERNEL_ARCH_TRAP_H

#include "hv/types.h"

#define VEC_DIVIDE_ERROR 0
#define VEC_NMI 2
#define VEC_INVALID_OPCODE 6
#define VEC_DOUBLE_FAULT 8
#define VEC_GENERAL_PROTECTION 13
#define VEC_PAGE_FAULT 14
#define VEC_MACHINE_CHECK 18
#define VEC_FIRST_EXTERNAL 32
#define VEC_APIC_TIMER 0xf0
#define VEC_SPURIOUS 0xff

/* Layout fixed by idt_entry.asm: GPRs as pushed, then vector, error, CPU frame. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap_frame matches idt_entry.asm");

enum trap_result { TRAP_HANDLED, TRAP_UNHANDLED };
typedef enum trap_result (*irq_handler_fn)(struct trap_frame *frame);

void idt_init(void);
void idt_load(void);
void irq_set_handler(uint8_t vector, irq_handler_fn fn);
void trap_dispatch(struct trap_frame *frame);

/* exceptions.c: reports the faulting context and stops the machine. */
void exception_report(const struct trap_frame *frame) __noreturn;

#endif
