; The assembled AP trampoline (kernel/arch/trampoline.nasm), carried in the
; image as data; smp.c copies it below 1 MiB and patches its parameters.
bits 64
section .rodata
global trampoline_blob:data hidden
global trampoline_blob_end:data hidden
align 16
trampoline_blob:
	incbin "trampoline.bin"
trampoline_blob_end:

section .note.GNU-stack noalloc noexec nowrite progbits
