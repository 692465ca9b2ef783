; The ELF entry point of every guest, run by every vCPU (guest_abi.h):
; RDI = boot info, RSI = vCPU index, RSP = top of this vCPU's stack, which
; are already guest_entry()'s arguments. Clears the frame-pointer chain and
; aligns the stack as the System V ABI wants before a call (16 bytes), then
; stays in C.

bits 64
default rel
section .text

extern guest_entry
global _start:function

_start:
	cld
	xor ebp, ebp
	and rsp, -16
	call guest_entry
.halt:	; guest_entry never returns; should it, this vCPU stops here
	cli
	hlt
	jmp .halt

section .note.GNU-stack noalloc noexec nowrite progbits
