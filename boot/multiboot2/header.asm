; The Multiboot2 header of hv.elf (Multiboot2 Specification 3.1): GRUB
; looks for it in the first 32 KiB of the file, 8-byte aligned, and loads
; the ELF segments at their physical addresses. The only request: modules
; page-aligned, so each lies in pages of its own that the boot map can
; mark as module memory without touching its neighbours.

MB2_HEADER_MAGIC	equ 0xe85250d6
MB2_ARCH_I386		equ 0		; 32-bit protected mode
MB2_TAG_END		equ 0
MB2_TAG_MODULE_ALIGN	equ 6

section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header:
	dd MB2_HEADER_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	align 8
	dw MB2_TAG_MODULE_ALIGN, 0	; type, flags
	dd 8				; size
	align 8
	dw MB2_TAG_END, 0
	dd 8
mb2_header_end:

section .note.GNU-stack noalloc noexec nowrite progbits
