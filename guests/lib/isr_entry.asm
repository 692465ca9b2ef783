; Interrupt and exception entry for guests: one 16-byte entry per vector, so
; entry v is at isr_entries + 16 * v. An entry pushes a zero where the CPU pushes
; no error code, then the vector, and joins isr_common, which saves the
; general registers in struct trap_frame order (guests/lib/idt.h) and calls
; idt_dispatch(frame). Registers are restored from the frame on return, so
; a handler may change them.

bits 64
default rel
section .text

extern idt_dispatch
global isr_entries:function hidden

; Vectors for which the CPU pushes an error code: #DF #TS #NP #SS #GP #PF
; #AC #CP #VC #SX (AMD APM vol. 2, 8.2; Intel SDM vol. 3, 6.13).
%define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			   (v) == 21 || (v) == 29 || (v) == 30)

align 16
isr_entries:
%assign v 0
%rep 256
	align 16
%if HAS_ERROR_CODE(v) == 0
	push qword 0
%endif
	push qword v
	jmp isr_common
%assign v v + 1
%endrep

isr_common:
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
	; The System V ABI wants DF clear at calls; the interrupted code may have set it.
	cld
	; In 64-bit mode the CPU aligns RSP to 16 before it pushes its 5 or 6
	; quadwords; with the error code slot, vector and 15 registers the frame
	; is 22 quadwords, so RSP is 16-byte aligned at the call as the ABI wants.
	call idt_dispatch
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
	add rsp, 16		; vector and error code
	iretq

section .note.GNU-stack noalloc noexec nowrite progbits
