/* Application processor start-up (see smp.h; SDM vol. 3, 9.4 and 10.6.1). */
#include "kernel/arch/smp.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/cpu.h"
#include "kernel/arch/trap.h"
#include "kernel/memory.h"
#include "kernel/percpu.h"
#include "kernel/timer.h"
#include "kernel/cpu_idle.h"

#define INIT_DEASSERT_DELAY_US 10000
#define SIPI_DELAY_US 200
#define AP_ONLINE_TIMEOUT_US 1000000

/* Mirrors the parameter block at offset 8 of trampoline.nasm. */
struct trampoline_params {
	uint32_t cr3;
	volatile uint32_t ready;
	uint64_t stack;
	uint64_t entry;
	uint64_t percpu;
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t pad0;
	uint32_t jump_offset;
	uint16_t jump_selector;
	uint16_t pad1;
	uint32_t efer_bits;
	uint32_t pad2;
} __packed;
_Static_assert(sizeof(struct trampoline_params) == 0x38, "trampoline parameter block");
_Static_assert(__builtin_offsetof(struct trampoline_params, gdt_limit) == 0x20,
	       "gdt pointer at 0x28 of the trampoline");
#define TRAMPOLINE_PARAMS_OFFSET 8

extern const uint8_t trampoline_blob[], trampoline_blob_end[];

static struct trampoline_params *params;

static void ap_entry(struct percpu *cpu) __noreturn;

static void ap_entry(struct percpu *cpu)
{
	percpu_activate(cpu);
	gdt_load(&cpu->tables);
	idt_load();
	memory_cpu_setup();
	apic_init_cpu();
	cpu->apic_id = apic_id();
	cpu->online = true;
	log_info("smp", "cpu online index=%u apic_id=%u x2apic=%s", cpu->index, cpu->apic_id,
		 apic_is_x2apic() ? "yes" : "no");
	/* Last: the boot CPU reuses the trampoline and may stop the machine after this. */
	__atomic_store_n(&params->ready, 1, __ATOMIC_RELEASE);
	cpu_idle();
}

int smp_prepare_cpu_tables(unsigned index)
{
	struct percpu *cpu = &percpu_area[index];
	phys_addr_t stack, ist;
	int err;

	err = hv_pages_alloc(CPU_STACK_SIZE / PAGE_SIZE, &stack);
	if (!err)
		err = hv_pages_alloc(IST_COUNT * CPU_IST_STACK_SIZE / PAGE_SIZE, &ist);
	if (err)
		return err;
	cpu->index = index;
	cpu->stack_base = stack;
	cpu->stack_top = stack + CPU_STACK_SIZE;
	for (unsigned i = 0; i < IST_COUNT; i++)
		cpu->tables.ist_top[i] = ist + (i + 1) * CPU_IST_STACK_SIZE;
	return 0;
}

static void install_trampoline(uint64_t page)
{
	size_t len = (size_t)(trampoline_blob_end - trampoline_blob);

	memcpy((void *)(uintptr_t)page, trampoline_blob, len);
	params = (struct trampoline_params *)(uintptr_t)(page + TRAMPOLINE_PARAMS_OFFSET);
	params->cr3 = (uint32_t)memory_root_table();
	params->gdt_base += (uint32_t)page;
	params->jump_offset += (uint32_t)page;
	params->entry = (uint64_t)(uintptr_t)ap_entry;
	params->efer_bits = MSR_EFER_NXE;
}

static bool wait_online(void)
{
	uint64_t deadline = timer_deadline_after_us(AP_ONLINE_TIMEOUT_US);

	while (!__atomic_load_n(&params->ready, __ATOMIC_ACQUIRE))
		if (timer_deadline_passed(deadline))
			return false;
	return true;
}

static bool start_one(uint64_t page, struct percpu *cpu, uint32_t apic)
{
	params->ready = 0;
	params->stack = cpu->stack_top;
	params->percpu = (uint64_t)(uintptr_t)cpu;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* parameters visible before INIT */
	apic_send_init(apic);
	timer_delay_us(INIT_DEASSERT_DELAY_US);
	for (int sipi = 0; sipi < 2 && !params->ready; sipi++) {
		apic_send_startup(apic, (uint8_t)(page >> PAGE_SHIFT));
		timer_delay_us(SIPI_DELAY_US);
	}
	return wait_online();
}

unsigned smp_start_aps(uint64_t page, const uint32_t *apic_ids, unsigned count)
{
	uint32_t self = apic_id();
	unsigned next = 1, started = 0;

	if (!page || page >= 0x100000 || (page & (PAGE_SIZE - 1))) {
		log_error("smp", "no usable trampoline page pa=0x%llx", (unsigned long long)page);
		return 0;
	}
	install_trampoline(page);
	for (unsigned i = 0; i < count && next < HV_MAX_CPUS; i++) {
		struct percpu *cpu = &percpu_area[next];

		if (apic_ids[i] == self)
			continue;
		if (smp_prepare_cpu_tables(next)) {
			log_error("smp", "no memory for cpu index=%u", next);
			break;
		}
		/* A slot whose CPU timed out is never reused: it may still arrive. */
		next++;
		if (start_one(page, cpu, apic_ids[i]))
			started++;
		else
			log_error("smp", "cpu did not come up apic_id=%u", apic_ids[i]);
	}
	return started;
}
