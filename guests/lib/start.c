/*
 * The runtime's start on each vCPU and its end. Only vCPU 0 prepares
 * shared state; the others wait until it is done, because clearing .bss
 * under a running vCPU would wipe what it had written there.
 */
#include "guests/lib/runtime.h"
#include "guests/lib/console.h"
#include "guests/lib/cpu.h"
#include "guests/lib/hypercalls.h"
#include "guests/lib/idt.h"
#include "hv/string.h"

/* Linker-script symbols (guests/guest.ld). */
extern char __bss_start[], __bss_end[];

/*
 * In .data, not .bss: it must read 0 before vCPU 0 clears .bss and must not
 * be cleared after it was set. The image is loaded afresh on every start.
 */
static uint32_t runtime_ready __attribute__((section(".data")));
static const struct hv_guest_boot_info *boot_info;

const struct hv_guest_boot_info *guest_boot_info(void)
{
	return boot_info;
}

__noreturn void guest_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

__noreturn void guest_idle(void)
{
	for (;;)
		__asm__ volatile("sti; hlt" ::: "memory");
}

__attribute__((weak)) void secondary_main(const struct hv_guest_boot_info *bi, unsigned vcpu)
{
	(void)bi;
	(void)vcpu;
	guest_idle();
}

static void runtime_init(const struct hv_guest_boot_info *bi)
{
	memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
	boot_info = bi;
	hc_detect_instruction();
	idt_init();
	/*
	 * Full barrier: the secondaries must see the cleared .bss and the IDT
	 * once they see the flag (rep stosb stores may be weakly ordered).
	 */
	__atomic_store_n(&runtime_ready, 1, __ATOMIC_SEQ_CST);
}

static __noreturn void primary_start(const struct hv_guest_boot_info *bi)
{
	int status;

	runtime_init(bi);
	idt_load();
	status = main(bi);
	printf("exit status=%d\n", status);
	guest_halt();
}

static __noreturn void secondary_start(const struct hv_guest_boot_info *bi, unsigned vcpu)
{
	while (!__atomic_load_n(&runtime_ready, __ATOMIC_ACQUIRE))
		cpu_pause();
	idt_load();
	secondary_main(bi, vcpu);
	guest_halt();
}

__noreturn void guest_entry(const struct hv_guest_boot_info *bi, uint64_t vcpu)
{
	if (vcpu == 0)
		primary_start(bi);
	secondary_start(bi, (unsigned)vcpu);
}
