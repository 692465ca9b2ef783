# hv.elf's Multiboot2 entry (GRUB), linked with the core by boot/multiboot2/hv.ld.
mb2-y += boot/multiboot2/header.o boot/multiboot2/entry.o boot/multiboot2/main.o \
	boot/multiboot2/mb2_parse.o boot/multiboot2/mb2_bootinfo.o
# Loader-side code shared by every boot path; compiled with the core's flags.
mb2-y += boot/bootmap.o
