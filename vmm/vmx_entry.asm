; The one place that enters a VMX guest:
;   int vmx_enter(uint64_t *gprs, uint64_t launched)
; The guest's VMCS is current. Returns 0 after a VM exit, 1 if VMLAUNCH/
; VMRESUME failed with VMfailValid (reason in the VM-instruction error
; field), 2 with VMfailInvalid. Called with interrupts off; a VM exit
; leaves them off (RFLAGS is cleared). Guest RSP, RIP and RFLAGS live in the
; VMCS; every other GPR, RAX included, in gprs[] (struct vcpu, encoding
; order).

bits 64
default rel
section .text
global vmx_enter:function hidden

%define G(r) (8 * r)
RAX_ equ 0
RCX_ equ 1
RDX_ equ 2
RBX_ equ 3
RBP_ equ 5
RSI_ equ 6
RDI_ equ 7
VMCS_HOST_RSP equ 0x6c14
VMCS_HOST_RIP equ 0x6c16

vmx_enter:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	push rdi			; gprs: at [rsp] again when the exit lands
	mov rax, VMCS_HOST_RSP
	vmwrite rax, rsp
	mov rax, VMCS_HOST_RIP
	lea rdx, [.exit]
	vmwrite rax, rdx
	test rsi, rsi			; launched? The MOVs below keep the flags.
	mov rax, [rdi + G(RAX_)]
	mov rcx, [rdi + G(RCX_)]
	mov rdx, [rdi + G(RDX_)]
	mov rbx, [rdi + G(RBX_)]
	mov rbp, [rdi + G(RBP_)]
	mov rsi, [rdi + G(RSI_)]
	mov r8, [rdi + G(8)]
	mov r9, [rdi + G(9)]
	mov r10, [rdi + G(10)]
	mov r11, [rdi + G(11)]
	mov r12, [rdi + G(12)]
	mov r13, [rdi + G(13)]
	mov r14, [rdi + G(14)]
	mov r15, [rdi + G(15)]
	mov rdi, [rdi + G(RDI_)]
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:
	; Still in the host with the guest's GPRs loaded; CF or ZF says why.
	mov eax, 1
	mov edx, 2
	cmovc eax, edx
	add rsp, 8			; gprs
	jmp .restore

.exit:
	; VM exit: RSP is HOST_RSP, so [rsp] is gprs; every GPR is the guest's.
	push rdi
	mov rdi, [rsp + 8]
	mov [rdi + G(RAX_)], rax
	mov [rdi + G(RCX_)], rcx
	mov [rdi + G(RDX_)], rdx
	mov [rdi + G(RBX_)], rbx
	mov [rdi + G(RBP_)], rbp
	mov [rdi + G(RSI_)], rsi
	mov [rdi + G(8)], r8
	mov [rdi + G(9)], r9
	mov [rdi + G(10)], r10
	mov [rdi + G(11)], r11
	mov [rdi + G(12)], r12
	mov [rdi + G(13)], r13
	mov [rdi + G(14)], r14
	mov [rdi + G(15)], r15
	pop rax				; the guest's RDI
	mov [rdi + G(RDI_)], rax
	add rsp, 8			; gprs
	xor eax, eax
.restore:
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
