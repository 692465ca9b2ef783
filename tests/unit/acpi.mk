UNIT_TESTS += acpi
unit-acpi-srcs := tests/unit/test_acpi.c tests/unit/acpi_images.c kernel/acpi/acpi.c \
	kernel/acpi/table.c kernel/acpi/madt.c kernel/acpi/mcfg.c kernel/acpi/dmar.c \
	kernel/acpi/fadt.c
