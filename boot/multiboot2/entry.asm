; hv.elf's entry from a Multiboot2 loader (Multiboot2 Specification 3.3):
; 32-bit protected mode, paging off, interrupts off, EAX = the loader magic,
; EBX = the boot information's physical address, no stack. Goes to long mode
; on page tables of its own that identity-map the low 4 GiB with 2 MiB pages
; (the image, the boot information and the modules all lie there), then
; calls mb2_main(magic, info) in C, which enters the core.
;
; The image is linked at a fixed physical address (boot/multiboot2/hv.ld),
; so absolute addresses are right before paging is on.

CR0_PE		equ 1 << 0
CR0_PG		equ 1 << 31
CR4_PAE		equ 1 << 5
MSR_EFER	equ 0xc0000080
EFER_LME	equ 1 << 8
PTE_PRESENT_RW	equ 0x003
PDE_LARGE	equ 0x083		; present, writable, 2 MiB page
LARGE_PAGE	equ 0x200000
TABLE_ENTRIES	equ 512
PD_COUNT	equ 4			; 4 x 1 GiB
CPUID_EXT_MAX	equ 0x80000000
CPUID_EXT_FEAT	equ 0x80000001
CPUID_EXT_LM	equ 1 << 29
COM1		equ 0x3f8
COM1_LSR	equ COM1 + 5
LSR_THRE	equ 0x20
STACK_SIZE	equ 16384

section .text
global mb2_entry:function hidden
extern mb2_main

bits 32
mb2_entry:
	cli
	cld
	mov esp, mb2_stack_top
	mov edi, eax			; magic: first argument of mb2_main
	mov esi, ebx			; boot information: second argument
	call check_long_mode
	call build_tables
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, mb2_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_PE
	mov cr0, eax
	lgdt [mb2_gdt_pointer]
	jmp GDT_CODE64:long_mode

; Clobbers eax, ebx, ecx, edx; keeps edi and esi.
check_long_mode:
	mov eax, CPUID_EXT_MAX
	cpuid
	cmp eax, CPUID_EXT_FEAT
	jb .no
	mov eax, CPUID_EXT_FEAT
	cpuid
	test edx, CPUID_EXT_LM
	jz .no
	ret
.no:
	mov ebx, no_long_mode_msg
	jmp fatal

; PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages.
build_tables:
	mov eax, mb2_pdpt + PTE_PRESENT_RW
	mov [mb2_pml4], eax
	mov dword [mb2_pml4 + 4], 0
	xor ecx, ecx
.pdpt:
	mov eax, ecx
	shl eax, 12			; ecx * 4 KiB
	add eax, mb2_pds + PTE_PRESENT_RW
	mov [mb2_pdpt + ecx * 8], eax
	mov dword [mb2_pdpt + ecx * 8 + 4], 0
	inc ecx
	cmp ecx, PD_COUNT
	jb .pdpt
	xor ecx, ecx
.pd:
	mov eax, ecx
	shl eax, 21			; ecx * 2 MiB
	or eax, PDE_LARGE
	mov [mb2_pds + ecx * 8], eax
	mov dword [mb2_pds + ecx * 8 + 4], 0
	inc ecx
	cmp ecx, PD_COUNT * TABLE_ENTRIES
	jb .pd
	ret

; Prints the NUL-terminated string at ebx on COM1 and stops: nothing else
; can report before the core's console exists.
fatal:
	mov dx, COM1_LSR
.wait:
	in al, dx
	test al, LSR_THRE
	jz .wait
	mov al, [ebx]
	test al, al
	jz .stop
	mov dx, COM1
	out dx, al
	inc ebx
	jmp fatal
.stop:
	cli
	hlt
	jmp .stop

bits 64
long_mode:
	mov ax, GDT_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov esp, mb2_stack_top		; zero-extends: below 4 GiB
	xor ebp, ebp			; ends stack traces here
	call mb2_main			; edi, esi zero-extended by their 32-bit moves
.hang:
	cli
	hlt
	jmp .hang

section .rodata
no_long_mode_msg:
	db "hv.elf: this CPU has no 64-bit mode: halting", 13, 10, 0

align 8
mb2_gdt:
	dq 0
GDT_CODE64 equ $ - mb2_gdt
	dq 0x00209a0000000000		; 64-bit code: present, ring 0, L=1
GDT_DATA equ $ - mb2_gdt
	dq 0x0000920000000000		; data: present, writable
mb2_gdt_end:
mb2_gdt_pointer:
	dw mb2_gdt_end - mb2_gdt - 1
	dd mb2_gdt

section .bss
align 4096
mb2_pml4:
	resb 4096
mb2_pdpt:
	resb 4096
mb2_pds:
	resb 4096 * PD_COUNT
mb2_stack:
	resb STACK_SIZE
mb2_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
