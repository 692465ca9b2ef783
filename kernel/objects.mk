# The core's own world: console, log, time, memory glue, platform discovery.
core-y += kernel/main.o kernel/serial.o kernel/log.o kernel/percpu.o kernel/shutdown.o \
	kernel/image.o kernel/timer.o
core-y += kernel/memory.o kernel/boot_config.o kernel/debug_fault.o
core-y += kernel/platform.o
core-y += kernel/pci_host.o kernel/pci_legacy.o
core-y += kernel/assess.o kernel/inventory.o
core-y += kernel/qemu_fw_cfg.o
core-y += kernel/cpu_idle.o
