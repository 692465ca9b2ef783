# ACPI discovery and table parsers (kernel/acpi/acpi.h).
core-y += kernel/acpi/acpi.o kernel/acpi/table.o kernel/acpi/madt.o kernel/acpi/mcfg.o \
	kernel/acpi/dmar.o kernel/acpi/fadt.o kernel/acpi/rsdp_scan.o
