# x86-64 mechanics of the core: entry, segments, interrupts, APIC, SMP.
core-y += kernel/arch/entry.o kernel/arch/gdt.o kernel/arch/idt.o kernel/arch/idt_entry.o \
	kernel/arch/exceptions.o kernel/arch/apic.o kernel/arch/smp.o \
	kernel/arch/trampoline_blob.o
