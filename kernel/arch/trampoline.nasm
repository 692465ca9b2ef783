; Application processor start-up code. Copied at run time to a page below
; 1 MiB (the SIPI vector names the page); the boot CPU fills the parameter
; block before each start. Goes straight from real mode to long mode: with
; CR4.PAE, EFER.LME and the hypervisor's CR3 (below 4 GiB) set, one write of
; CR0.PE|PG enters compatibility mode, and the far jump lands in 64-bit code.
; Position independent: every absolute address is patched in by smp.c.

bits 16
org 0

start:
	jmp short real_mode_entry
	align 8

; Parameter block: layout mirrored by struct trampoline_params in smp.c.
params:
p_cr3:		dd 0		; 0x08 hypervisor PML4, below 4 GiB
p_ready:	dd 0		; 0x0c set to 1 by the AP once in 64-bit C-ready state
p_stack:	dq 0		; 0x10 top of this AP's stack
p_entry:	dq 0		; 0x18 void ap_entry(struct percpu *)
p_percpu:	dq 0		; 0x20 this AP's per-CPU area
p_gdt_limit:	dw gdt_end - gdt - 1	; 0x28 GDT pointer for lgdt (limit, 32-bit base)
p_gdt_base:	dd gdt		; 0x2a offset here, smp.c adds the page base
		dw 0
p_jump_offset:	dd long_mode_entry	; 0x30 far pointer: offset, smp.c adds the base
p_jump_selector: dw 0x08	; 0x34 64-bit code selector
		dw 0
p_efer_bits:	dd 0		; 0x38 EFER bits to set besides LME (NXE)
		dd 0
gdt:				; 0x40
	dq 0
	dq 0x00209a0000000000	; 0x08 64-bit code
	dq 0x0000920000000000	; 0x10 data
gdt_end:

CR0_PE equ 1 << 0
CR0_PG equ 1 << 31
CR4_PAE equ 1 << 5
EFER_MSR equ 0xc0000080
EFER_LME equ 1 << 8

real_mode_entry:
	cli
	cld
	mov ax, cs
	mov ds, ax
	o32 lgdt [p_gdt_limit]
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, [p_cr3]
	mov cr3, eax
	mov ecx, EFER_MSR
	rdmsr
	or eax, EFER_LME
	or eax, [p_efer_bits]
	wrmsr
	mov eax, cr0
	or eax, CR0_PE | CR0_PG
	mov cr0, eax
	jmp far dword [p_jump_offset]

bits 64
long_mode_entry:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, [rel p_stack]
	mov rdi, [rel p_percpu]
	mov rax, [rel p_entry]
	xor ebp, ebp
	; The BSP reuses this page for the next AP only after ap_entry says so.
	call rax
.hang:
	cli
	hlt
	jmp .hang

times 4096 - ($ - $$) db 0xcc
