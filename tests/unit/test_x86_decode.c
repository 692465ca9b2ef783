/*
 * Unit tests for vmm/x86_decode.c. The encodings are true ones: gcc 12 -O2
 * and -Os output for volatile loads and stores (and GNU as for the forms a
 * compiler picks rarely: AH-style registers, segment and 67 prefixes, moffs),
 * disassembled with objdump on the build host; the text after each is
 * objdump's. Every instruction is also decoded from exact-size heap buffers
 * cut at every length, so ASan catches any read past `avail`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/x86_decode.h"

#define LD     false
#define HI     true /* AH-style register */
#define LO     false
#define ST     true
#define EXT_NO X86_EXT_NONE
#define EXT_ZX X86_EXT_ZERO
#define EXT_SX X86_EXT_SIGN
#define NOSEG  X86_SEG_NONE
#define SEG_CS X86_SEG_CS
#define SEG_DS X86_SEG_DS
#define SEG_SS X86_SEG_SS
#define SEG_FS X86_SEG_FS
#define SEG_GS X86_SEG_GS

struct encoding {
	const char *text;
	const char *bytes; /* len bytes, as a string of \x escapes */
	uint8_t len;
	uint8_t size;
	bool write;
	uint8_t reg;
	bool high;
	enum x86_extend extend;
	uint8_t dest_size;
	enum x86_seg seg;
};

struct imm_encoding {
	const char *text;
	const char *bytes;
	uint8_t len;
	uint8_t size;
	uint64_t imm;
};

/* Loads and stores through a register. */
static const struct encoding encodings[] = {
    {"mov %esi,(%rdi)", "\x89\x37", 2, 4, ST, 6, LO, EXT_NO, 4, NOSEG},
    {"mov %rsi,(%rdi)", "\x48\x89\x37", 3, 8, ST, 6, LO, EXT_NO, 8, NOSEG},
    {"mov %si,(%rdi)", "\x66\x89\x37", 3, 2, ST, 6, LO, EXT_NO, 2, NOSEG},
    {"mov %sil,(%rdi)", "\x40\x88\x37", 3, 1, ST, 6, LO, EXT_NO, 1, NOSEG},
    {"mov %dil,(%rsi)", "\x40\x88\x3e", 3, 1, ST, 7, LO, EXT_NO, 1, NOSEG},
    {"mov %spl,(%rdi)", "\x40\x88\x27", 3, 1, ST, 4, LO, EXT_NO, 1, NOSEG},
    {"mov %r10b,(%rdi)", "\x44\x88\x17", 3, 1, ST, 10, LO, EXT_NO, 1, NOSEG},
    {"mov %sil,(%r12)", "\x41\x88\x34\x24", 4, 1, ST, 6, LO, EXT_NO, 1, NOSEG},
    {"mov %bh,(%rcx)", "\x88\x39", 2, 1, ST, 3, HI, EXT_NO, 1, NOSEG},
    {"mov %ch,0x10(%rdx)", "\x88\x6a\x10", 3, 1, ST, 1, HI, EXT_NO, 1, NOSEG},
    {"mov %dh,0x0(%rip)", "\x88\x35\x00\x00\x00\x00", 6, 1, ST, 2, HI, EXT_NO, 1, NOSEG},
    {"mov (%rdi),%eax", "\x8b\x07", 2, 4, LD, 0, LO, EXT_NO, 4, NOSEG},
    {"mov (%rdi),%rax", "\x48\x8b\x07", 3, 8, LD, 0, LO, EXT_NO, 8, NOSEG},
    {"mov (%rdi),%r9", "\x4c\x8b\x0f", 3, 8, LD, 9, LO, EXT_NO, 8, NOSEG},
    {"mov 0x1000(%rdi),%r15d", "\x44\x8b\xbf\x00\x10\x00\x00", 7, 4, LD, 15, LO, EXT_NO, 4, NOSEG},
    {"mov (%r12),%r8d", "\x45\x8b\x04\x24", 4, 4, LD, 8, LO, EXT_NO, 4, NOSEG},
    {"mov (%rdi),%dil", "\x40\x8a\x3f", 3, 1, LD, 7, LO, EXT_NO, 1, NOSEG},
    {"mov (%rdi),%sil", "\x40\x8a\x37", 3, 1, LD, 6, LO, EXT_NO, 1, NOSEG},
    {"mov (%rdi),%bpl", "\x40\x8a\x2f", 3, 1, LD, 5, LO, EXT_NO, 1, NOSEG},
    {"mov 0x7f(%rdi),%r14b", "\x44\x8a\x77\x7f", 4, 1, LD, 14, LO, EXT_NO, 1, NOSEG},
    {"mov (%rbx),%ah", "\x8a\x23", 2, 1, LD, 0, HI, EXT_NO, 1, NOSEG},
    /* addressing forms */
    {"mov %edi,0x0(%rip)", "\x89\x3d\x00\x00\x00\x00", 6, 4, ST, 7, LO, EXT_NO, 4, NOSEG},
    {"mov 0x0(%rip),%eax", "\x8b\x05\x00\x00\x00\x00", 6, 4, LD, 0, LO, EXT_NO, 4, NOSEG},
    {"mov -0x4(%rsp),%eax", "\x8b\x44\x24\xfc", 4, 4, LD, 0, LO, EXT_NO, 4, NOSEG},
    {"mov %eax,(%r12)", "\x41\x89\x04\x24", 4, 4, ST, 0, LO, EXT_NO, 4, NOSEG},
    {"mov %esi,0x0(%r13)", "\x41\x89\x75\x00", 4, 4, ST, 6, LO, EXT_NO, 4, NOSEG},
    {"mov %eax,-0x8(%rbp)", "\x89\x45\xf8", 3, 4, ST, 0, LO, EXT_NO, 4, NOSEG},
    {"mov %eax,0x100(%rbp)", "\x89\x85\x00\x01\x00\x00", 6, 4, ST, 0, LO, EXT_NO, 4, NOSEG},
    {"mov %edx,0x4000(%rdi,%rsi,4)", "\x89\x94\xb7\x00\x40\x00\x00",
     7, 4, ST, 2, LO, EXT_NO, 4, NOSEG},
    {"mov %esi,0x1000(,%rdi,4)", "\x89\x34\xbd\x00\x10\x00\x00", 7, 4, ST, 6, LO, EXT_NO, 4, NOSEG},
    {"mov %rax,0x10(%r13,%r12,2)", "\x4b\x89\x44\x65\x10", 5, 8, ST, 0, LO, EXT_NO, 8, NOSEG},
    {"mov %r9w,0x12345678(%r8,%r15,8)", "\x66\x47\x89\x8c\xf8\x78\x56\x34\x12",
     9, 2, ST, 9, LO, EXT_NO, 2, NOSEG},
    {"mov 0x10,%eax", "\x8b\x04\x25\x10\x00\x00\x00", 7, 4, LD, 0, LO, EXT_NO, 4, NOSEG},
    {"mov (%esi),%eax", "\x67\x8b\x06", 3, 4, LD, 0, LO, EXT_NO, 4, NOSEG},
    /* segment overrides */
    {"mov %gs:0x10,%eax", "\x65\x8b\x04\x25\x10\x00\x00\x00", 8, 4, LD, 0, LO, EXT_NO, 4, SEG_GS},
    {"mov %fs:0x28,%rax", "\x64\x48\x8b\x04\x25\x28\x00\x00\x00",
     9, 8, LD, 0, LO, EXT_NO, 8, SEG_FS},
    {"mov %eax,%cs:(%rdi)", "\x2e\x89\x07", 3, 4, ST, 0, LO, EXT_NO, 4, SEG_CS},
    {"mov %eax,%es:%ds:(%rdi)", "\x26\x3e\x89\x07", 4, 4, ST, 0, LO, EXT_NO, 4, SEG_DS},
    {"mov %eax,%ss:(%rdi)", "\x36\x89\x07", 3, 4, ST, 0, LO, EXT_NO, 4, SEG_SS},
    /* widening loads */
    {"movzwl (%rdi),%eax", "\x0f\xb7\x07", 3, 2, LD, 0, LO, EXT_ZX, 4, NOSEG},
    {"movzbl (%rdi),%eax", "\x0f\xb6\x07", 3, 1, LD, 0, LO, EXT_ZX, 4, NOSEG},
    {"movzbl (%rdi),%edi", "\x0f\xb6\x3f", 3, 1, LD, 7, LO, EXT_ZX, 4, NOSEG},
    {"movzbw (%rdi),%ax", "\x66\x0f\xb6\x07", 4, 1, LD, 0, LO, EXT_ZX, 2, NOSEG},
    {"movzwl 0x80(%rdi),%r11d", "\x44\x0f\xb7\x9f\x80\x00\x00\x00",
     8, 2, LD, 11, LO, EXT_ZX, 4, NOSEG},
    {"movzbl 0x0(%r13),%r13d", "\x45\x0f\xb6\x6d\x00", 5, 1, LD, 13, LO, EXT_ZX, 4, NOSEG},
    {"movsbl (%rdi),%eax", "\x0f\xbe\x07", 3, 1, LD, 0, LO, EXT_SX, 4, NOSEG},
    {"movsbw (%rdi),%ax", "\x66\x0f\xbe\x07", 4, 1, LD, 0, LO, EXT_SX, 2, NOSEG},
    {"movswl (%rdi),%eax", "\x0f\xbf\x07", 3, 2, LD, 0, LO, EXT_SX, 4, NOSEG},
    {"movswq (%rdi),%rax", "\x48\x0f\xbf\x07", 4, 2, LD, 0, LO, EXT_SX, 8, NOSEG},
    {"movsbq 0x8(%rsp),%r12", "\x4c\x0f\xbe\x64\x24\x08", 6, 1, LD, 12, LO, EXT_SX, 8, NOSEG},
    {"movslq (%rdi),%rax", "\x48\x63\x07", 3, 4, LD, 0, LO, EXT_SX, 8, NOSEG},
    {"movslq 0x100(%rip),%r10", "\x4c\x63\x15\x00\x01\x00\x00", 7, 4, LD, 10, LO, EXT_SX, 8, NOSEG},
    /* prefix interplay (SDM vol. 2, 2.2.1): REX.W wins over 66 ... */
    {"data16 mov %rax,(%rdi)", "\x66\x48\x89\x07", 4, 8, ST, 0, LO, EXT_NO, 8, NOSEG},
    /* ... and a REX byte not right before the opcode is ignored */
    {"rex.W data16 mov %ax,(%rdi)", "\x48\x66\x89\x07", 4, 2, ST, 0, LO, EXT_NO, 2, NOSEG},
    {"rex data16 mov %ah,(%rdi)", "\x40\x66\x88\x27", 4, 1, ST, 0, HI, EXT_NO, 1, NOSEG},
    {"rex rex.R mov %r8d,(%rdi)", "\x40\x44\x89\x07", 4, 4, ST, 8, LO, EXT_NO, 4, NOSEG},
};

/* Stores of an immediate. */
static const struct imm_encoding imm_encodings[] = {
    {"movb $0xab,(%rdi)", "\xc6\x07\xab", 3, 1, 0xab},
    {"movb $0x80,(%rsp)", "\xc6\x04\x24\x80", 4, 1, 0x80},
    {"movb $0x7,0x0(%rip)", "\xc6\x05\x00\x00\x00\x00\x07", 7, 1, 0x07},
    {"movw $0xbeef,(%rdi)", "\x66\xc7\x07\xef\xbe", 5, 2, 0xbeef},
    {"movw $0xffff,(%rdi)", "\x66\xc7\x07\xff\xff", 5, 2, 0xffff},
    {"movw $0x1234,0x10(%rdi)", "\x66\xc7\x47\x10\x34\x12", 6, 2, 0x1234},
    {"movl $0xdeadbeef,(%rdi)", "\xc7\x07\xef\xbe\xad\xde", 6, 4, 0xdeadbeef},
    {"movl $0x5,-0x4(%rsp)", "\xc7\x44\x24\xfc\x05\x00\x00\x00", 8, 4, 5},
    {"movl $0x11223344,0x0(%rip)", "\xc7\x05\x00\x00\x00\x00\x44\x33\x22\x11", 10, 4, 0x11223344},
    {"movq $0xfffffffffffffffe,(%rdi)", "\x48\xc7\x07\xfe\xff\xff\xff",
     7, 8, 0xfffffffffffffffeULL},
    {"movq $0x12345678,(%rdi)", "\x48\xc7\x07\x78\x56\x34\x12", 7, 8, 0x12345678},
    {"movq $0xffffffff80000000,(%rdi)", "\x48\xc7\x07\x00\x00\x00\x80",
     7, 8, 0xffffffff80000000ULL},
    {"movq $0x7fffffff,0x0(%r13)", "\x49\xc7\x45\x00\xff\xff\xff\x7f", 8, 8, 0x7fffffff},
    {"movq $0xffffffffffffffff,0x10(%rip)", "\x48\xc7\x05\x10\x00\x00\x00\xff\xff\xff\xff",
     11, 8, ~0ULL},
};

/* Decodes from a heap buffer of exactly avail bytes, so ASan sees overreads. */
static int decode_exact(const void *bytes, size_t avail, struct x86_insn *out)
{
	uint8_t *copy = malloc(avail);
	int err;

	assert_non_null(copy);
	memcpy(copy, bytes, avail);
	err = x86_decode_mmio(copy, avail, out);
	free(copy);
	return err;
}

/* Every shorter fetch asks for more bytes and leaves *out alone. */
static void check_truncations(const char *text, const void *bytes, size_t len)
{
	struct x86_insn insn, untouched;

	memset(&untouched, 0xa5, sizeof(untouched));
	for (size_t avail = 0; avail < len; avail++) {
		insn = untouched;
		if (decode_exact(bytes, avail, &insn) != -EAGAIN)
			fail_msg("%s: avail=%zu not -EAGAIN", text, avail);
		assert_memory_equal(&insn, &untouched, sizeof(insn));
	}
}

static void test_register_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(encodings) / sizeof(encodings[0]); i++) {
		const struct encoding *e = &encodings[i];
		struct x86_insn insn;

		if (decode_exact(e->bytes, e->len, &insn) != 0)
			fail_msg("%s: refused", e->text);
		if (insn.length != e->len || insn.size != e->size || insn.write != e->write ||
		    insn.reg != e->reg || insn.reg_high_byte != e->high ||
		    insn.extend != e->extend || insn.dest_size != e->dest_size ||
		    insn.seg != e->seg || insn.has_imm)
			fail_msg("%s: len=%u size=%u write=%d reg=%u high=%d ext=%d dest=%u seg=%d",
				 e->text, insn.length, insn.size, insn.write, insn.reg,
				 insn.reg_high_byte, insn.extend, insn.dest_size, insn.seg);
		check_truncations(e->text, e->bytes, e->len);
	}
}

static void test_immediate_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(imm_encodings) / sizeof(imm_encodings[0]); i++) {
		const struct imm_encoding *e = &imm_encodings[i];
		struct x86_insn insn;

		if (decode_exact(e->bytes, e->len, &insn) != 0)
			fail_msg("%s: refused", e->text);
		if (insn.length != e->len || insn.size != e->size || !insn.write ||
		    !insn.has_imm || insn.imm != e->imm || insn.reg_high_byte)
			fail_msg("%s: len=%u size=%u write=%d imm=%d 0x%llx", e->text, insn.length,
				 insn.size, insn.write, insn.has_imm, (unsigned long long)insn.imm);
		check_truncations(e->text, e->bytes, e->len);
	}
}

/* What follows the instruction in the fetch does not change it. */
static void test_trailing_bytes_ignored(void **state)
{
	uint8_t buf[64];
	struct x86_insn insn;

	(void)state;
	memset(buf, 0xf0, sizeof(buf)); /* LOCK prefixes: refused if ever read */
	memcpy(buf, (const uint8_t[]){0x41, 0x89, 0x75, 0x00}, 4);
	assert_int_equal(x86_decode_mmio(buf, X86_INSN_MAX_LEN, &insn), 0);
	assert_int_equal(insn.length, 4);
	assert_int_equal(x86_decode_mmio(buf, sizeof(buf), &insn), 0); /* avail > 15 */
	assert_int_equal(insn.length, 4);
}

struct refusal {
	const char *text;
	uint8_t bytes[X86_INSN_MAX_LEN];
	uint8_t len;
	int err;
};

static const struct refusal refusals[] = {
    {"lock mov %eax,(%rdi)", {0xf0, 0x89, 0x07}, 3, -ENOTSUP},
    {"lock addl $0x1,(%rdi)", {0xf0, 0x83, 0x07, 0x01}, 4, -ENOTSUP},
    {"lock alone", {0xf0}, 1, -ENOTSUP},
    {"rex lock mov", {0x48, 0xf0, 0x89, 0x07}, 4, -ENOTSUP},
    {"rep movsb", {0xf3, 0xa4}, 2, -ENOTSUP},
    {"repz mov %eax,(%rdi)", {0xf3, 0x89, 0x07}, 3, -ENOTSUP},
    {"repnz mov %eax,(%rdi)", {0xf2, 0x89, 0x07}, 3, -ENOTSUP},
    {"repz movzbl", {0xf3, 0x0f, 0xb6, 0x07}, 4, -ENOTSUP},
    {"mov %eax,%ecx", {0x89, 0xc1}, 2, -EINVAL},
    {"mov %ecx,%eax (8b)", {0x8b, 0xc1}, 2, -EINVAL},
    {"mov %al,%cl", {0x88, 0xc1}, 2, -EINVAL},
    {"mov $1,%eax (c7 /0)", {0xc7, 0xc0, 1, 0, 0, 0}, 6, -EINVAL},
    {"movzbl %al,%eax", {0x0f, 0xb6, 0xc0}, 3, -EINVAL},
    {"movslq %eax,%rax", {0x48, 0x63, 0xc0}, 3, -EINVAL},
    {"xbegin", {0xc7, 0xf8, 0, 0, 0, 0}, 6, -EINVAL},
    {"xabort $0", {0xc6, 0xf8, 0x00}, 3, -EINVAL},
    {"c6 /1 (#UD)", {0xc6, 0x0f, 0x01}, 3, -EINVAL},
    {"c7 /2 (#UD)", {0xc7, 0x17, 1, 0, 0, 0}, 6, -EINVAL},
    {"movabs 0x1000,%eax", {0xa1, 0x00, 0x10, 0, 0, 0, 0, 0, 0}, 9, -ENOTSUP},
    {"movabs %al,0x1000", {0xa2, 0x00, 0x10, 0, 0, 0, 0, 0, 0}, 9, -ENOTSUP},
    {"addl $0x1,(%rdi)", {0x83, 0x07, 0x01}, 3, -ENOTSUP},
    {"add %eax,(%rdi)", {0x01, 0x07}, 2, -ENOTSUP},
    {"xchg %eax,(%rdi)", {0x87, 0x07}, 2, -ENOTSUP},
    {"incl (%rdi)", {0xff, 0x07}, 2, -ENOTSUP},
    {"test %eax,(%rdi)", {0x85, 0x07}, 2, -ENOTSUP},
    {"movups (%rdi),%xmm0", {0x0f, 0x10, 0x07}, 3, -ENOTSUP},
    {"movnti %eax,(%rdi)", {0x0f, 0xc3, 0x07}, 3, -ENOTSUP},
    {"vmovdqu (%rdi),%ymm0", {0xc5, 0xfe, 0x6f, 0x07}, 4, -ENOTSUP},
    {"mov $imm,%eax (b8)", {0xb8, 1, 0, 0, 0}, 5, -ENOTSUP},
};

static void test_refusals(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *r = &refusals[i];
		struct x86_insn insn, untouched;
		int err;

		memset(&untouched, 0x5a, sizeof(untouched));
		insn = untouched;
		err = decode_exact(r->bytes, r->len, &insn);
		if (err != r->err)
			fail_msg("%s: err=%d, expected %d", r->text, err, r->err);
		assert_memory_equal(&insn, &untouched, sizeof(insn));
	}
}

/* n prefixes (66) before "mov %ax,(%rdi)" (89 07), in an exact-size buffer. */
static int decode_prefixed(size_t n, size_t avail, struct x86_insn *insn)
{
	uint8_t bytes[32];

	memset(bytes, 0x66, n);
	bytes[n] = 0x89;
	bytes[n + 1] = 0x07;
	return decode_exact(bytes, avail, insn);
}

static void test_length_limit(void **state)
{
	struct x86_insn insn;

	(void)state;
	/* 13 prefixes + 2 bytes = 15: the longest legal instruction. */
	assert_int_equal(decode_prefixed(13, 15, &insn), 0);
	assert_int_equal(insn.length, 15);
	assert_int_equal(insn.size, 2);
	/* 14 prefixes: the ModRM would be byte 16. */
	assert_int_equal(decode_prefixed(14, 16, &insn), -EINVAL);
	assert_int_equal(decode_prefixed(14, 15, &insn), -EINVAL);
	/* 16 prefixes: refused before the opcode. */
	assert_int_equal(decode_prefixed(16, 18, &insn), -EINVAL);
	assert_int_equal(decode_prefixed(16, 15, &insn), -EINVAL);
	/* A short fetch cannot tell yet: more bytes, then the refusal. */
	assert_int_equal(decode_prefixed(16, 14, &insn), -EAGAIN);
}

/* 12 prefixes + mov 0x10,%eax (8b 04 25 disp32): the displacement ends at byte 19. */
static void test_length_limit_in_displacement(void **state)
{
	uint8_t bytes[19];
	struct x86_insn insn;

	(void)state;
	memset(bytes, 0x66, 12);
	memcpy(bytes + 12, (const uint8_t[]){0x8b, 0x04, 0x25, 0x10, 0, 0, 0}, 7);
	assert_int_equal(decode_exact(bytes, 14, &insn), -EAGAIN);
	assert_int_equal(decode_exact(bytes, 15, &insn), -EINVAL);
	assert_int_equal(decode_exact(bytes, sizeof(bytes), &insn), -EINVAL);
	/* An immediate past byte 15: 9 prefixes + movl $imm32,0x0(%rip) = 19 bytes. */
	memset(bytes, 0x3e, 9);
	memcpy(bytes + 9, (const uint8_t[]){0xc7, 0x05, 0, 0, 0, 0, 1, 0, 0, 0}, 10);
	assert_int_equal(decode_exact(bytes, sizeof(bytes), &insn), -EINVAL);
}

static uint32_t xorshift32(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random bytes, biased towards prefixes and the emulated opcodes. */
static uint8_t random_byte(uint32_t *seed)
{
	static const uint8_t likely[] = {0x66, 0x67, 0x2e, 0x64, 0x65, 0x40, 0x44, 0x48, 0x4c,
					 0x41, 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0x63, 0x0f,
					 0xb6, 0xb7, 0xbe, 0xbf, 0x04, 0x05, 0x24, 0x25, 0x45};
	uint32_t r = xorshift32(seed);

	return (r & 1) ? likely[(r >> 8) % sizeof(likely)] : (uint8_t)(r >> 8);
}

/*
 * Whatever the bytes, the decoder stays inside them (ASan, exact-size heap
 * buffers), returns one of its codes, and an accepted instruction decodes
 * the same from exactly its own bytes.
 */
static void test_random_bytes(void **state)
{
	uint32_t seed = 0x2545f491;
	unsigned accepted = 0;

	(void)state;
	for (unsigned i = 0; i < 50000; i++) {
		uint8_t bytes[17];
		size_t avail = xorshift32(&seed) % sizeof(bytes);
		struct x86_insn a, b;
		int err;

		for (size_t j = 0; j < avail; j++)
			bytes[j] = random_byte(&seed);
		err = decode_exact(bytes, avail, &a);
		if (err == -EAGAIN || err == -EINVAL || err == -ENOTSUP)
			continue;
		assert_int_equal(err, 0);
		accepted++;
		assert_true(a.length >= 2 && a.length <= avail && a.length <= X86_INSN_MAX_LEN);
		assert_int_equal(decode_exact(bytes, a.length, &b), 0);
		assert_int_equal(a.length, b.length);
		assert_int_equal(a.size, b.size);
		assert_int_equal(a.reg, b.reg);
		assert_int_equal(a.imm, b.imm);
	}
	assert_true(accepted > 1000); /* the bias does reach the decoder's paths */
}

static struct x86_insn decode_ok(const uint8_t *bytes, size_t len)
{
	struct x86_insn insn;

	assert_int_equal(decode_exact(bytes, len, &insn), 0);
	return insn;
}

#define DECODE(...)                                                                                \
	decode_ok((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

#define R0 0x1122334455667788ULL

static uint64_t load(struct x86_insn insn, unsigned reg, uint64_t before, uint64_t value)
{
	uint64_t gprs[16];

	for (unsigned i = 0; i < 16; i++)
		gprs[i] = 0xdead0000dead0000ULL + i;
	gprs[reg] = before;
	x86_reg_write_load(gprs, &insn, value);
	for (unsigned i = 0; i < 16; i++) {
		if (i != reg)
			assert_int_equal(gprs[i], 0xdead0000dead0000ULL + i);
	}
	return gprs[reg];
}

static void test_write_load_plain(void **state)
{
	(void)state;
	/* mov (%rdi),%al: merges the low byte; bits above the size are ignored. */
	assert_int_equal(load(DECODE(0x8a, 0x07), 0, R0, 0x12ab), 0x11223344556677abULL);
	/* mov (%rbx),%ah: bits 15:8 of rax. */
	assert_int_equal(load(DECODE(0x8a, 0x23), 0, R0, 0xab), 0x112233445566ab88ULL);
	/* mov (%rdi),%sil with REX: rsi's low byte, not dh. */
	assert_int_equal(load(DECODE(0x40, 0x8a, 0x37), 6, R0, 0xab), 0x11223344556677abULL);
	/* mov 0x7f(%rdi),%r14b */
	assert_int_equal(load(DECODE(0x44, 0x8a, 0x77, 0x7f), 14, R0, 0xab),
			 0x11223344556677abULL);
	/* mov (%rdi),%ax: merges 16 bits */
	assert_int_equal(load(DECODE(0x66, 0x8b, 0x07), 0, R0, 0xffffabcd), 0x112233445566abcdULL);
	/* mov (%rdi),%eax: zero-extends to 64 */
	assert_int_equal(load(DECODE(0x8b, 0x07), 0, ~0ULL, 0x89abcdef), 0x89abcdefULL);
	/* mov 0x1000(%rdi),%r15d */
	assert_int_equal(load(DECODE(0x44, 0x8b, 0xbf, 0, 0x10, 0, 0), 15, ~0ULL, 0xfedcba98),
			 0xfedcba98ULL);
	/* mov (%rdi),%r9 */
	assert_int_equal(load(DECODE(0x4c, 0x8b, 0x0f), 9, 0, 0x8877665544332211ULL),
			 0x8877665544332211ULL);
}

static void test_write_load_widening(void **state)
{
	(void)state;
	/* movzbl (%rdi),%eax */
	assert_int_equal(load(DECODE(0x0f, 0xb6, 0x07), 0, ~0ULL, 0xff), 0xffULL);
	/* movzbw (%rdi),%ax keeps bits 63:16 */
	assert_int_equal(load(DECODE(0x66, 0x0f, 0xb6, 0x07), 0, R0, 0x80), 0x1122334455660080ULL);
	/* movzwl 0x80(%rdi),%r11d */
	assert_int_equal(load(DECODE(0x44, 0x0f, 0xb7, 0x9f, 0x80, 0, 0, 0), 11, ~0ULL, 0x12348765),
			 0x8765ULL);
	/* movsbl (%rdi),%eax */
	assert_int_equal(load(DECODE(0x0f, 0xbe, 0x07), 0, ~0ULL, 0x80), 0xffffff80ULL);
	assert_int_equal(load(DECODE(0x0f, 0xbe, 0x07), 0, ~0ULL, 0x7f), 0x7fULL);
	/* movsbw (%rdi),%ax keeps bits 63:16 */
	assert_int_equal(load(DECODE(0x66, 0x0f, 0xbe, 0x07), 0, R0, 0x80), 0x112233445566ff80ULL);
	/* movswq (%rdi),%rax */
	assert_int_equal(load(DECODE(0x48, 0x0f, 0xbf, 0x07), 0, 0, 0x8000),
			 0xffffffffffff8000ULL);
	/* movsbq 0x8(%rsp),%r12 */
	assert_int_equal(load(DECODE(0x4c, 0x0f, 0xbe, 0x64, 0x24, 0x08), 12, 0, 0xfe), ~1ULL);
	/* movslq (%rdi),%rax */
	assert_int_equal(load(DECODE(0x48, 0x63, 0x07), 0, 0, 0x80000000), 0xffffffff80000000ULL);
	assert_int_equal(load(DECODE(0x48, 0x63, 0x07), 0, ~0ULL, 0x7fffffff), 0x7fffffffULL);
}

static uint64_t store(struct x86_insn insn, unsigned reg, uint64_t value)
{
	uint64_t gprs[16] = {0};

	for (unsigned i = 0; i < 16; i++)
		gprs[i] = ~0ULL;
	gprs[reg] = value;
	return x86_reg_read(gprs, &insn);
}

static void test_reg_read(void **state)
{
	(void)state;
	assert_int_equal(store(DECODE(0x89, 0x37), 6, R0), 0x55667788ULL);
	assert_int_equal(store(DECODE(0x48, 0x89, 0x37), 6, R0), R0);
	assert_int_equal(store(DECODE(0x66, 0x89, 0x37), 6, R0), 0x7788ULL);
	assert_int_equal(store(DECODE(0x40, 0x88, 0x37), 6, R0), 0x88ULL); /* sil */
	assert_int_equal(store(DECODE(0x88, 0x39), 3, R0), 0x77ULL);	   /* bh */
	assert_int_equal(store(DECODE(0x88, 0x6a, 0x10), 1, R0), 0x77ULL); /* ch */
	assert_int_equal(store(DECODE(0x44, 0x88, 0x17), 10, R0), 0x88ULL); /* r10b */
	assert_int_equal(store(DECODE(0x66, 0x47, 0x89, 0x8c, 0xf8, 0x78, 0x56, 0x34, 0x12), 9, R0),
			 0x7788ULL);
	/* immediates: the register file does not matter */
	assert_int_equal(store(DECODE(0xc7, 0x07, 0xef, 0xbe, 0xad, 0xde), 0, R0), 0xdeadbeefULL);
	assert_int_equal(store(DECODE(0x66, 0xc7, 0x07, 0xff, 0xff), 0, R0), 0xffffULL);
	assert_int_equal(store(DECODE(0xc6, 0x07, 0x80), 0, R0), 0x80ULL);
	assert_int_equal(store(DECODE(0x48, 0xc7, 0x07, 0, 0, 0, 0x80), 0, R0),
			 0xffffffff80000000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_register_forms),
	    cmocka_unit_test(test_immediate_forms),
	    cmocka_unit_test(test_trailing_bytes_ignored),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_length_limit),
	    cmocka_unit_test(test_length_limit_in_displacement),
	    cmocka_unit_test(test_random_bytes),
	    cmocka_unit_test(test_write_load_plain),
	    cmocka_unit_test(test_write_load_widening),
	    cmocka_unit_test(test_reg_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
