/*
 * The core's boot sequence, in the order each step depends on the previous
 * one: console, traps, configuration, memory, platform tables, time, CPUs,
 * PCI, then the inventory and the verdict on whether this machine can run
 * the hypervisor. Every step that can fail says why on the console.
 */
#include "hv/core.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/gdt.h"
#include "kernel/arch/smp.h"
#include "kernel/arch/trap.h"
#include "kernel/assess.h"
#include "kernel/boot_config.h"
#include "kernel/debug_fault.h"
#include "kernel/image.h"
#include "kernel/inventory.h"
#include "kernel/log_sink.h"
#include "kernel/memory.h"
#include "kernel/pci_host.h"
#include "kernel/percpu.h"
#include "kernel/platform.h"
#include "kernel/qemu_fw_cfg.h"
#include "kernel/serial.h"
#include "kernel/shutdown.h"
#include "kernel/timer.h"
#include "vmm/vmm.h"

extern uint8_t bsp_stack_base[], bsp_stack_top[];

static uint8_t bsp_ist_stacks[IST_COUNT][CPU_IST_STACK_SIZE] __aligned(16);
static struct config config;
static const struct boot_info *boot_info;

/* Boot CPU's own GDT, TSS and IDT before anything can fault. */
static void early_cpu_setup(void)
{
	struct percpu *bsp = &percpu_area[0];

	bsp->index = 0;
	bsp->stack_base = (uint64_t)(uintptr_t)bsp_stack_base;
	bsp->stack_top = (uint64_t)(uintptr_t)bsp_stack_top;
	for (unsigned i = 0; i < IST_COUNT; i++)
		bsp->tables.ist_top[i] = (uint64_t)(uintptr_t)bsp_ist_stacks[i] + CPU_IST_STACK_SIZE;
	percpu_activate(bsp);
	gdt_load(&bsp->tables);
	idt_init();
	idt_load();
}

static void check_boot_info(const struct boot_info *bi)
{
	if (bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION ||
	    bi->size != sizeof(*bi))
		panic("boot info not understood magic=0x%llx version=%u size=%u",
		      (unsigned long long)bi->magic, bi->version, bi->size);
	image_set_bounds(bi->image_base, bi->image_size);
	log_info("hv", "core started loader=%s image=0x%llx+0x%llx cmdline=\"%s\"", bi->loader,
		 (unsigned long long)bi->image_base, (unsigned long long)bi->image_size,
		 bi->cmdline);
}

/* Before the configuration: a refused one must still end with a verdict. */
static void learn_exit_port(void)
{
	uint16_t port = fw_cfg_debug_exit_port();

	if (port) {
		log_info("hv", "machine announces debug_exit_port=0x%x (qemu fw_cfg)", port);
		shutdown_set_exit_port(port);
	}
}

static void bring_up_memory(const struct boot_info *bi)
{
	int err = memory_init(bi);

	if (!err)
		err = memory_enable_paging(bi);
	if (err)
		panic("memory set-up failed err=%d", err);
	memory_cpu_setup();
}

static void bring_up_cpus(const struct boot_info *bi)
{
	const struct platform *p = platform_get();
	unsigned started;

	apic_init_cpu();
	percpu_area[0].apic_id = apic_id();
	percpu_area[0].online = true;
	platform_calibrate_timer();
	started = smp_start_aps(bi->trampoline_base, p->cpu_apic_ids, p->cpu_count);
	log_info("smp", "cpus online=%u expected=%u started_aps=%u", percpu_online_count(),
		 p->cpu_count, started);
}

static void __noreturn finish_run_mode(const struct assessment *a)
{
	if (a->required_missing) {
		log_error("hv", "refusing to run: this machine can't run the hypervisor "
				"(reasons above; run with hypervisor.mode=check for the full report)");
		hv_finish(HV_VERDICT_UNSUPPORTED);
	}
	if (config_validate_for_machine(&config))
		hv_finish(HV_VERDICT_CONFIG_ERROR);
	debug_fault_raise(config.debug_fault);
	if (config.partition_count == 0) {
		log_info("hv", "ready: no partitions configured, nothing to run");
		hv_finish(HV_VERDICT_OK);
	}
	vmm_run(&config, boot_info);
}

void hv_main(struct boot_info *bi)
{
	struct assessment assessment;

	serial_init(SERIAL_COM1);
	early_cpu_setup();
	boot_info = bi;
	check_boot_info(bi);
	learn_exit_port();
	if (boot_config_load(bi, &config))
		hv_finish(HV_VERDICT_CONFIG_ERROR);
	log_set_level(config.log_level);
	if (config.debug_exit_port)
		shutdown_set_exit_port(config.debug_exit_port);
	bring_up_memory(bi);
	platform_discover(bi);
	bring_up_cpus(bi);
	pci_host_discover(bi);
	inventory_print(bi);
	assess_machine(&config, &assessment);
	if (config.mode == CONFIG_MODE_CHECK)
		hv_finish(assessment.required_missing ? HV_VERDICT_UNSUPPORTED : HV_VERDICT_OK);
	finish_run_mode(&assessment);
}
