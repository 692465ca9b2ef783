/*
 * Fatal exceptions in the core: print everything needed to find the bug
 * (vector, error code, RIP as an offset into hv.so for addr2line, control
 * registers, GPRs, a frame-pointer stack trace) and stop the machine.
 * An exception in the core is always a hypervisor bug; guests' faults
 * arrive as VM exits, never here.
 */
#include "kernel/arch/cpu.h"
#include "kernel/arch/trap.h"
#include "kernel/percpu.h"
#include "kernel/shutdown.h"
#include "kernel/image.h"
#include "hv/log.h"

#define TRACE_MAX_FRAMES 16

static const char *const exception_names[32] = {
	"divide-error", "debug", "nmi", "breakpoint", "overflow", "bound-range",
	"invalid-opcode", "device-not-available", "double-fault", "coprocessor-overrun",
	"invalid-tss", "segment-not-present", "stack-fault", "general-protection",
	"page-fault", "reserved-15", "x87-fp", "alignment-check", "machine-check",
	"simd-fp", "virtualization", "control-protection", "reserved-22", "reserved-23",
	"reserved-24", "reserved-25", "reserved-26", "reserved-27", "hypervisor-injection",
	"vmm-communication", "security", "reserved-31",
};

#define U64(x) ((unsigned long long)(x))

static void report_registers(const struct trap_frame *f)
{
	log_error("trap", "rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx", U64(f->rax),
		  U64(f->rbx), U64(f->rcx), U64(f->rdx));
	log_error("trap", "rsi=%016llx rdi=%016llx rbp=%016llx rsp=%016llx", U64(f->rsi),
		  U64(f->rdi), U64(f->rbp), U64(f->rsp));
	log_error("trap", "r8=%016llx r9=%016llx r10=%016llx r11=%016llx", U64(f->r8),
		  U64(f->r9), U64(f->r10), U64(f->r11));
	log_error("trap", "r12=%016llx r13=%016llx r14=%016llx r15=%016llx", U64(f->r12),
		  U64(f->r13), U64(f->r14), U64(f->r15));
	log_error("trap", "cs=%04llx ss=%04llx rflags=%08llx cr0=%08llx cr3=%016llx cr4=%08llx",
		  U64(f->cs), U64(f->ss), U64(f->rflags), U64(read_cr0()), U64(read_cr3()),
		  U64(read_cr4()));
}

static bool frame_on_stack(uint64_t fp, uint64_t lo, uint64_t hi)
{
	return fp >= lo && fp + 16 <= hi && (fp & 7) == 0;
}

/* Frame-pointer walk, bounded by the current stack: a corrupt chain ends it. */
static void report_stack_trace(const struct trap_frame *f)
{
	const struct percpu *cpu = this_cpu();
	uint64_t lo = cpu->stack_base, hi = cpu->stack_top, fp = f->rbp;

	log_error("trap", "trace frame=0 rip=0x%llx offset=0x%llx", U64(f->rip),
		  U64(image_offset(f->rip)));
	for (unsigned i = 1; i < TRACE_MAX_FRAMES && frame_on_stack(fp, lo, hi); i++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)fp;
		uint64_t ret = frame[1];

		if (!image_contains(ret))
			break;
		log_error("trap", "trace frame=%u rip=0x%llx offset=0x%llx", i, U64(ret),
			  U64(image_offset(ret)));
		if (frame[0] <= fp)
			break; /* frames grow upwards; anything else is a loop */
		fp = frame[0];
	}
}

void exception_report(const struct trap_frame *f)
{
	struct percpu *cpu = this_cpu();
	unsigned vec = f->vector & 31;

	if (cpu->in_panic)
		shutdown_stop_self(); /* faulted while reporting: just stop */
	cpu->in_panic = true;
	log_error("trap", "exception vector=%llu name=%s error=0x%llx rip=0x%llx "
		  "rip_offset=0x%llx cr2=0x%llx cpu=%u apic_id=%u",
		  U64(f->vector), exception_names[vec], U64(f->error_code), U64(f->rip),
		  U64(image_offset(f->rip)), U64(read_cr2()), cpu->index, cpu->apic_id);
	report_registers(f);
	report_stack_trace(f);
	log_error("trap", "resolve offsets with: addr2line -f -e build/hv.so OFFSET");
	hv_finish(HV_VERDICT_PANIC);
}
