/*
 * Decoder for the one instruction a guest used to touch an emulated MMIO
 * page (PCI ECAM config space, later device registers). Without SVM decode
 * assists and next-RIP (QEMU/TCG offers neither) the nested page fault only
 * gives the guest-physical address; the hypervisor fetches the bytes at the
 * guest's RIP (vmm/guest_walk.h) and decodes them here to learn the access
 * size, direction, register or immediate, and the instruction length to
 * advance RIP by.
 *
 * Only what compilers emit for volatile loads and stores in 64-bit mode
 * (CS.L = 1; the caller refuses other modes): MOV 88/89/8A/8B, MOV
 * immediate C6/C7, MOVZX 0F B6/B7, MOVSX 0F BE/BF, MOVSXD 63. Opcodes and
 * encodings per Intel SDM vol. 2 (chapter 2 "Instruction Format", MOV,
 * MOVZX, MOVSX/MOVSXD) and AMD APM vol. 3 chapter 1.
 *
 * Pure logic: reads only the bytes given, never past `avail`.
 */
#ifndef VMM_X86_DECODE_H
#define VMM_X86_DECODE_H

#include "hv/errno.h"
#include "hv/types.h"


#define X86_INSN_MAX_LEN 15 /* longer instructions raise #GP on hardware */

/* Segment override prefix seen last; in 64-bit mode only FS and GS add a base. */
enum x86_seg {
	X86_SEG_NONE,
	X86_SEG_ES,
	X86_SEG_CS,
	X86_SEG_SS,
	X86_SEG_DS,
	X86_SEG_FS,
	X86_SEG_GS
};

enum x86_extend { X86_EXT_NONE, X86_EXT_ZERO, X86_EXT_SIGN };

struct x86_insn {
	uint8_t length;		/* bytes, 1..15 */
	uint8_t size;		/* access size in bytes: 1, 2, 4, 8 */
	bool write;		/* guest stores to memory (else loads) */
	bool has_imm;		/* store of an immediate: imm, not a register */
	uint64_t imm;		/* sign-extended to 64 bits, then truncated to size */
	uint8_t reg;		/* register operand 0..15, rax = 0 ... r15 = 15 */
	bool reg_high_byte;	/* AH/CH/DH/BH: bits 15:8 of reg (then reg is 0..3) */
	enum x86_extend extend; /* loads: how size bytes widen to dest_size */
	uint8_t dest_size;	/* loads: register width written; 4 clears bits 63:32 */
	enum x86_seg seg;	/* segment override prefix, X86_SEG_NONE if none */
};

/*
 * Decodes one instruction from the first `avail` bytes fetched at RIP.
 * Returns 0 and fills *out, or:
 *   -EAGAIN  the instruction continues past avail (< 15): fetch more bytes;
 *   -EINVAL  not a memory access (ModRM mod = 11), an encoding that raises
 *            #UD (C6/C7 with reg != 0), or longer than 15 bytes;
 *   -ENOTSUP a valid instruction this decoder does not emulate: any other
 *            opcode, LOCK, REP/REPNE prefixes, the moffs forms A0-A3.
 * Nothing is written to *out on failure.
 */
int x86_decode_mmio(const uint8_t *bytes, size_t avail, struct x86_insn *out);

/* The value a store writes, truncated to in->size (the immediate for has_imm). */
uint64_t x86_reg_read(const uint64_t gprs[16], const struct x86_insn *in);

/*
 * Applies a load of `value` (its low in->size bytes count) to the register
 * file with the x86 rules: widened by in->extend, then an 8- or 16-bit
 * destination keeps the register's other bits (AH-style destinations write
 * bits 15:8), a 32-bit destination zeroes bits 63:32, a 64-bit one is whole.
 */
void x86_reg_write_load(uint64_t gprs[16], const struct x86_insn *in, uint64_t value);

#endif
