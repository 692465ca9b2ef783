; The core's entry from any loader: hv_core_entry(struct boot_info *bi).
; Runs on whatever stack the loader had (firmware memory that the core will
; hand out), so it first moves to the boot CPU's own stack in the image.

bits 64
default rel

section .text
global hv_core_entry:function hidden
global bsp_stack_base:data hidden
global bsp_stack_top:data hidden
extern hv_main

hv_core_entry:
	cli
	cld
	lea rsp, [bsp_stack_top]
	xor ebp, ebp			; ends stack traces here
	call hv_main			; rdi = boot info, untouched
.hang:
	cli
	hlt
	jmp .hang

section .bss
align 4096
bsp_stack_base:
	resb 32768
bsp_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
