/*
 * Decodes the MOV-family instruction behind an MMIO nested page fault (see
 * vmm/x86_decode.h). Layout of an instruction in 64-bit mode (SDM vol. 2,
 * 2.1 and 2.2.1): legacy prefixes, an optional REX byte right before the
 * opcode, one or two opcode bytes, ModRM, optional SIB, displacement,
 * immediate. The memory operand's address is not computed (the fault gives
 * the guest-physical address) but every byte of it is counted, since the
 * length is what RIP advances by.
 */
#include "vmm/x86_decode.h"
#include "hv/errno.h"

/* REX prefix bits (SDM vol. 2, 2.2.1.2). */
#define REX_B BIT(0) /* extends ModRM.rm or SIB.base: not needed, no address is formed */
#define REX_X BIT(1) /* extends SIB.index: likewise */
#define REX_R BIT(2) /* extends ModRM.reg: the register operand */
#define REX_W BIT(3) /* 64-bit operand size, wins over 66 */

#define MODRM_MOD(m) ((m) >> 6)
#define MODRM_REG(m) (((m) >> 3) & 7)
#define MODRM_RM(m)  ((m) & 7)
#define SIB_BASE(s)  ((s) & 7)

#define OPCODE_ESCAPE 0x0f /* two-byte opcodes: 0F xx */

/* What an opcode does; the table below lists the emulated ones. */
#define FORM_WRITE BIT(0) /* stores to memory (else loads from it) */
#define FORM_BYTE  BIT(1) /* 8-bit operation: r8 register operand, size 1 */
#define FORM_IMM   BIT(2) /* stores an immediate; ModRM.reg must be 0 (/0) */
#define FORM_ZERO  BIT(3) /* load widened with zeros (MOVZX) */
#define FORM_SIGN  BIT(4) /* load widened with the sign bit (MOVSX, MOVSXD) */

struct mmio_form {
	uint16_t opcode;  /* one-byte opcode, or 0x0Fxx for a two-byte one */
	uint8_t flags;	  /* FORM_* */
	uint8_t src_size; /* widening loads: bytes read from memory */
};

/*
 * The moffs forms A0-A3 (64-bit absolute addresses) are left out: compilers
 * do not emit them for pointers, and they are refused like any other opcode.
 */
static const struct mmio_form mmio_forms[] = {
    {0x88, FORM_WRITE | FORM_BYTE, 0},		  /* MOV r/m8, r8 */
    {0x89, FORM_WRITE, 0},			  /* MOV r/m16/32/64, r */
    {0x8a, FORM_BYTE, 0},			  /* MOV r8, r/m8 */
    {0x8b, 0, 0},				  /* MOV r, r/m16/32/64 */
    {0xc6, FORM_WRITE | FORM_BYTE | FORM_IMM, 0}, /* MOV r/m8, imm8 (C6 /0) */
    {0xc7, FORM_WRITE | FORM_IMM, 0},		  /* MOV r/m, imm16/32 (C7 /0) */
    {0x63, FORM_SIGN, 4},			  /* MOVSXD r, r/m32 */
    {0x0fb6, FORM_ZERO, 1},			  /* MOVZX r, r/m8 */
    {0x0fb7, FORM_ZERO, 2},			  /* MOVZX r, r/m16 */
    {0x0fbe, FORM_SIGN, 1},			  /* MOVSX r, r/m8 */
    {0x0fbf, FORM_SIGN, 2},			  /* MOVSX r, r/m16 */
};

/* Bytes fetched at RIP and how many of them the instruction has used. */
struct cursor {
	const uint8_t *bytes;
	size_t avail;
	size_t pos;
};

/* Prefixes seen before the opcode. */
struct prefixes {
	bool opsize16; /* 66 */
	uint8_t rex;   /* 0 if none, else the REX byte (40-4F) */
	enum x86_seg seg;
};

/*
 * Takes the next n bytes (n <= 8) as a little-endian value. A byte beyond
 * 15 makes the instruction invalid whatever was fetched; a byte beyond what
 * was fetched means the fetch stopped short (page end) and must go on.
 */
static int cursor_take(struct cursor *c, size_t n, uint64_t *value)
{
	uint64_t v = 0;

	if (c->pos + n > X86_INSN_MAX_LEN)
		return -EINVAL;
	if (c->pos + n > c->avail)
		return -EAGAIN;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	*value = v;
	return 0;
}

static int cursor_byte(struct cursor *c, uint8_t *byte)
{
	uint64_t v = 0;
	int err = cursor_take(c, 1, &v);

	*byte = (uint8_t)v;
	return err;
}

static enum x86_seg segment_prefix(uint8_t b)
{
	switch (b) {
	case 0x26:
		return X86_SEG_ES;
	case 0x2e:
		return X86_SEG_CS;
	case 0x36:
		return X86_SEG_SS;
	case 0x3e:
		return X86_SEG_DS;
	case 0x64:
		return X86_SEG_FS;
	case 0x65:
		return X86_SEG_GS;
	default:
		return X86_SEG_NONE;
	}
}

/*
 * Classifies one prefix byte into *p. Returns 1 for a prefix, 0 for the
 * first opcode byte, -ENOTSUP for prefixes whose instructions are not plain
 * accesses (LOCK: read-modify-write; F2/F3: REP string or SSE forms).
 * A REX byte counts only right before the opcode (SDM vol. 2, 2.2.1): a
 * legacy prefix after it cancels it.
 */
static int take_prefix(uint8_t b, struct prefixes *p)
{
	enum x86_seg seg = segment_prefix(b);

	if (b >= 0x40 && b <= 0x4f) {
		p->rex = b;
		return 1;
	}
	if (b == 0xf0 || b == 0xf2 || b == 0xf3)
		return -ENOTSUP;
	if (b != 0x66 && b != 0x67 && seg == X86_SEG_NONE)
		return 0;
	p->rex = 0;
	if (b == 0x66)
		p->opsize16 = true;
	if (seg != X86_SEG_NONE)
		p->seg = seg;
	/* 67 (32-bit addressing) keeps the ModRM/SIB layout: nothing to record. */
	return 1;
}

/* Reads prefixes and the opcode (0x0Fxx for two-byte opcodes). */
static int decode_opcode(struct cursor *c, struct prefixes *p, uint16_t *opcode)
{
	uint8_t b;
	int err;

	/* Bounded: cursor_byte() refuses the 16th byte. */
	do {
		err = cursor_byte(c, &b);
		if (err)
			return err;
		err = take_prefix(b, p);
		if (err < 0)
			return err;
	} while (err == 1);
	*opcode = b;
	if (b != OPCODE_ESCAPE)
		return 0;
	err = cursor_byte(c, &b);
	*opcode = (uint16_t)(OPCODE_ESCAPE << 8 | b);
	return err;
}

static const struct mmio_form *find_form(uint16_t opcode)
{
	for (size_t i = 0; i < ARRAY_SIZE(mmio_forms); i++) {
		if (mmio_forms[i].opcode == opcode)
			return &mmio_forms[i];
	}
	return NULL;
}

/*
 * Consumes the SIB byte and displacement that follow a ModRM byte (SDM
 * vol. 2, tables 2-2 and 2-3). The special cases depend on the 3-bit fields
 * alone, not on REX.B: rm = 100 always means a SIB byte (so [r12] needs
 * one), mod = 00 with rm = 101 is RIP-relative disp32 (so [r13] is encoded
 * with a zero disp8), and SIB base = 101 with mod = 00 means disp32 and no
 * base.
 */
static int skip_memory_operand(struct cursor *c, uint8_t modrm)
{
	unsigned mod = MODRM_MOD(modrm);
	size_t disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	uint64_t sib, ignored;
	int err;

	if (mod == 3)
		return -EINVAL; /* register operand: no memory access to emulate */
	if (MODRM_RM(modrm) == 4) {
		err = cursor_take(c, 1, &sib);
		if (err)
			return err;
		if (mod == 0 && SIB_BASE(sib) == 5)
			disp = 4;
	} else if (mod == 0 && MODRM_RM(modrm) == 5) {
		disp = 4;
	}
	return disp ? cursor_take(c, disp, &ignored) : 0;
}

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : BIT(8 * size) - 1;
}

static uint64_t sign_extend(uint64_t value, unsigned size)
{
	unsigned shift = 64 - 8 * size;

	if (size == 0 || size >= 8)
		return value;
	return (uint64_t)((int64_t)(value << shift) >> shift);
}

/* Access size, register width and widening from the form and the prefixes. */
static void set_sizes(const struct mmio_form *form, const struct prefixes *p, struct x86_insn *insn)
{
	uint8_t opsize = (p->rex & REX_W) ? 8 : p->opsize16 ? 2 : 4;

	insn->extend = X86_EXT_NONE;
	if (form->flags & FORM_BYTE) {
		insn->size = 1;
		insn->dest_size = 1;
	} else if (form->src_size) {
		insn->size = MIN(form->src_size, opsize);
		insn->dest_size = opsize;
		if (insn->size < opsize)
			insn->extend = (form->flags & FORM_SIGN) ? X86_EXT_SIGN : X86_EXT_ZERO;
	} else {
		insn->size = opsize;
		insn->dest_size = opsize;
	}
}

/*
 * The register named by ModRM.reg. Without any REX prefix, 8-bit register
 * numbers 4-7 are AH, CH, DH, BH (bits 15:8 of rax, rcx, rdx, rbx); with
 * one, even 40, they are SPL, BPL, SIL, DIL (SDM vol. 2, 3.7.2.1).
 */
static void set_register(const struct mmio_form *form, const struct prefixes *p, uint8_t modrm,
			 struct x86_insn *insn)
{
	uint8_t reg = MODRM_REG(modrm);

	insn->reg_high_byte = false;
	if ((form->flags & FORM_BYTE) && !p->rex && reg >= 4) {
		insn->reg_high_byte = true;
		reg -= 4;
	}
	insn->reg = (uint8_t)(reg | ((p->rex & REX_R) ? 8 : 0));
}

/* Immediates are at most 32 bits, sign-extended to a 64-bit operand. */
static int take_immediate(struct cursor *c, struct x86_insn *insn)
{
	unsigned imm_size = MIN(insn->size, 4);
	uint64_t imm;
	int err = cursor_take(c, imm_size, &imm);

	if (err)
		return err;
	insn->imm = sign_extend(imm, imm_size) & size_mask(insn->size);
	return 0;
}

/* Everything after the opcode: ModRM, SIB, displacement, immediate. */
static int decode_operands(struct cursor *c, const struct mmio_form *form, const struct prefixes *p,
			   struct x86_insn *insn)
{
	uint8_t modrm;
	int err = cursor_byte(c, &modrm);

	if (err)
		return err;
	/* C6/C7 with reg != 0 are #UD (mod = 11: XABORT/XBEGIN, not accesses). */
	if ((form->flags & FORM_IMM) && MODRM_REG(modrm) != 0)
		return -EINVAL;
	err = skip_memory_operand(c, modrm);
	if (err)
		return err;
	set_sizes(form, p, insn);
	insn->write = form->flags & FORM_WRITE;
	insn->has_imm = form->flags & FORM_IMM;
	insn->imm = 0;
	insn->seg = p->seg;
	if (insn->has_imm) {
		insn->reg = 0;
		insn->reg_high_byte = false;
		return take_immediate(c, insn);
	}
	set_register(form, p, modrm, insn);
	return 0;
}

int x86_decode_mmio(const uint8_t *bytes, size_t avail, struct x86_insn *out)
{
	struct cursor c = {.bytes = bytes, .avail = avail, .pos = 0};
	struct prefixes p = {.opsize16 = false, .rex = 0, .seg = X86_SEG_NONE};
	const struct mmio_form *form;
	struct x86_insn insn;
	uint16_t opcode;
	int err;

	err = decode_opcode(&c, &p, &opcode);
	if (err)
		return err;
	form = find_form(opcode);
	if (!form)
		return -ENOTSUP;
	err = decode_operands(&c, form, &p, &insn);
	if (err)
		return err;
	insn.length = (uint8_t)c.pos;
	*out = insn;
	return 0;
}

uint64_t x86_reg_read(const uint64_t gprs[16], const struct x86_insn *in)
{
	uint64_t value;

	if (in->has_imm)
		return in->imm & size_mask(in->size);
	/* & 15: a corrupted descriptor must not index outside the register file. */
	value = gprs[in->reg & 15];
	if (in->reg_high_byte)
		value >>= 8;
	return value & size_mask(in->size);
}

void x86_reg_write_load(uint64_t gprs[16], const struct x86_insn *in, uint64_t value)
{
	uint64_t *reg = &gprs[in->reg & 15];
	unsigned shift = in->reg_high_byte ? 8 : 0;
	uint64_t mask;

	value &= size_mask(in->size);
	if (in->extend == X86_EXT_SIGN)
		value = sign_extend(value, in->size);
	if (in->dest_size >= 4) {
		/* A 32-bit destination clears bits 63:32 (SDM vol. 1, 3.4.1.1). */
		*reg = value & size_mask(in->dest_size);
		return;
	}
	mask = size_mask(in->dest_size) << shift;
	*reg = (*reg & ~mask) | ((value << shift) & mask);
}
