/*
 * The guest's IDT, shared by all its vCPUs. Every vector gets an interrupt
 * gate (IF cleared on entry) to its entry point in isr_entry.asm. The code segment
 * is whatever the hypervisor loaded: read from CS, not assumed.
 */
#include "guests/lib/idt.h"
#include "guests/lib/console.h"
#include "guests/lib/cpu.h"
#include "guests/lib/apic.h"
#include "guests/lib/runtime.h"
#include "hv/errno.h"

#define IDT_ENTRY_SIZE  16
#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */

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

extern const uint8_t isr_entries[];

static struct idt_gate idt[IDT_VECTORS] __aligned(16);
static irq_handler_fn irq_handlers[IDT_VECTORS];

static const char *const exception_names[IDT_FIRST_IRQ] = {
    [0] = "#DE",  [1] = "#DB",	[2] = "NMI",  [3] = "#BP",  [4] = "#OF",  [5] = "#BR",
    [6] = "#UD",  [7] = "#NM",	[8] = "#DF",  [10] = "#TS", [11] = "#NP", [12] = "#SS",
    [13] = "#GP", [14] = "#PF", [16] = "#MF", [17] = "#AC", [18] = "#MC", [19] = "#XM",
    [20] = "#VE", [21] = "#CP", [29] = "#VC", [30] = "#SX",
};

void idt_init(void)
{
	uint16_t cs = cpu_read_cs();

	for (unsigned v = 0; v < IDT_VECTORS; v++) {
		uint64_t target = (uint64_t)(uintptr_t)(isr_entries + v * IDT_ENTRY_SIZE);

		idt[v] = (struct idt_gate){
		    .offset_low = target & 0xffff,
		    .selector = cs,
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

int irq_set_handler(unsigned vector, irq_handler_fn fn)
{
	if (vector < IDT_FIRST_IRQ || vector >= IDT_VECTORS)
		return -EINVAL;
	/* One aligned pointer store: a vCPU taking the interrupt sees old or new. */
	__atomic_store_n(&irq_handlers[vector], fn, __ATOMIC_RELEASE);
	return 0;
}

static __noreturn void report_exception(const struct trap_frame *f)
{
	const char *name = exception_names[f->vector & 31];

	printf("exception vector=%lu name=%s rip=0x%lx error=0x%lx cr2=0x%lx rsp=0x%lx "
	       "rflags=0x%lx\n",
	       f->vector, name ? name : "reserved", f->rip, f->error_code, cpu_read_cr2(), f->rsp,
	       f->rflags);
	printf("exception regs rax=0x%lx rbx=0x%lx rcx=0x%lx rdx=0x%lx rsi=0x%lx rdi=0x%lx "
	       "rbp=0x%lx\n",
	       f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi, f->rbp);
	guest_halt();
}

void idt_dispatch(struct trap_frame *frame)
{
	irq_handler_fn fn;

	if (frame->vector < IDT_FIRST_IRQ)
		report_exception(frame);
	fn = __atomic_load_n(&irq_handlers[frame->vector & 0xff], __ATOMIC_ACQUIRE);
	if (fn) {
		fn(frame);
		return;
	}
	/* A spurious interrupt is not in service: it must not be acknowledged. */
	if (frame->vector == IDT_SPURIOUS_VECTOR)
		return;
	printf("interrupt vector=%lu unhandled rip=0x%lx\n", frame->vector, frame->rip);
	apic_eoi();
}
