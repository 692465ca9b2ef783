; Interrupt entry points: one 16-byte entry per vector, so the IDT builder
; finds entry v at idt_entries + 16 * v without a table of absolute addresses
; (which would need run-time relocation in the PE image).
; Each entry pushes a dummy error code where the CPU pushes none, then the
; vector, and joins trap_common, which saves the GPRs in struct trap_frame
; order (kernel/arch/trap.h) and calls trap_dispatch(frame).

bits 64
default rel
section .text

extern trap_dispatch
global idt_entries:function hidden

; Vectors for which the CPU pushes an error code (SDM vol. 3, 6.13).
%define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

align 16
idt_entries:
%assign v 0
%rep 256
	align 16
%if HAS_ERRCODE(v) == 0
	push qword 0
%endif
	push qword v
	jmp trap_common
%assign v v + 1
%endrep

trap_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	mov rdi, rsp
	cld
	; The CPU aligned RSP to 16 before pushing its frame; 22 quadwords keep it.
	call trap_dispatch
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16
	iretq

section .note.GNU-stack noalloc noexec nowrite progbits
