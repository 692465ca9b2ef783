; The one place that enters an SVM guest:
;   void svm_enter(uint64_t vmcb_pa, uint64_t *gprs, uint64_t host_area_pa)
; Called with GIF = 0 (CLGI) so no NMI can see the guest's TR/FS/GS between
; VMLOAD and VMRUN, or before the host's are back. Guest RAX and RSP live in
; the VMCB; the other GPRs in gprs[] (struct vcpu, encoding order).

bits 64
default rel
section .text
global svm_enter:function hidden

%define G(r) (8 * r)
RAX_ equ 0
RCX_ equ 1
RDX_ equ 2
RBX_ equ 3
RBP_ equ 5
RSI_ equ 6
RDI_ equ 7

svm_enter:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	push rsi			; gprs
	push rdx			; host area
	mov rax, rdi			; VMRUN, VMLOAD, VMSAVE take the VMCB in RAX
	vmload				; guest FS, GS, TR, LDTR, KernelGSBase, STAR...
	mov rcx, [rsi + G(RCX_)]
	mov rdx, [rsi + G(RDX_)]
	mov rbx, [rsi + G(RBX_)]
	mov rbp, [rsi + G(RBP_)]
	mov rdi, [rsi + G(RDI_)]
	mov r8, [rsi + G(8)]
	mov r9, [rsi + G(9)]
	mov r10, [rsi + G(10)]
	mov r11, [rsi + G(11)]
	mov r12, [rsi + G(12)]
	mov r13, [rsi + G(13)]
	mov r14, [rsi + G(14)]
	mov r15, [rsi + G(15)]
	mov rsi, [rsi + G(RSI_)]
	vmrun
	; #VMEXIT: host RAX (the VMCB), RSP and RIP are back; GIF = 0.
	vmsave
	push rax
	mov rax, [rsp + 16]		; gprs
	mov [rax + G(RCX_)], rcx
	mov [rax + G(RDX_)], rdx
	mov [rax + G(RBX_)], rbx
	mov [rax + G(RBP_)], rbp
	mov [rax + G(RSI_)], rsi
	mov [rax + G(RDI_)], rdi
	mov [rax + G(8)], r8
	mov [rax + G(9)], r9
	mov [rax + G(10)], r10
	mov [rax + G(11)], r11
	mov [rax + G(12)], r12
	mov [rax + G(13)], r13
	mov [rax + G(14)], r14
	mov [rax + G(15)], r15
	pop rax
	mov rax, [rsp]			; host area
	vmload				; the host's TR, GS base and the rest again
	add rsp, 16
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
