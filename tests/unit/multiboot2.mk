UNIT_TESTS += multiboot2
unit-multiboot2-srcs := tests/unit/test_multiboot2.c boot/multiboot2/mb2_parse.c \
	boot/multiboot2/mb2_bootinfo.c boot/bootmap.c lib/string.c \
	kernel/acpi/rsdp_scan.c kernel/acpi/table.c
