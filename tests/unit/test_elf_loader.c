/*
 * Unit tests for vmm/elf_loader.c. Images are built here byte by byte at
 * the gABI's field offsets (not through the loader's structs, so a wrong
 * field in those would show), each in a heap buffer of its exact size so
 * ASan catches any read past the file; plus one real linker output
 * (tests/unit/elf_guest_image.h). Every refusal is also loaded into a
 * guest memory buffer that must come back byte for byte untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/errno.h"
#include "vmm/elf_loader.h"
#include "tests/unit/elf_guest_image.h"
#include "tests/unit/log_capture.h"

#define MEM_SIZE (4 * MiB)
#define MIN_GPA	 (2 * MiB)
#define POISON	 0xa5

/* Elf64_Ehdr field offsets (gABI "ELF Header"). */
#define EH_CLASS     4
#define EH_DATA	     5
#define EH_IDVERSION 6
#define EH_TYPE	     16
#define EH_MACHINE   18
#define EH_VERSION   20
#define EH_ENTRY     24
#define EH_PHOFF     32
#define EH_EHSIZE    52
#define EH_PHENTSIZE 54
#define EH_PHNUM     56
#define EH_SHENTSIZE 58
#define EH_SIZE	     64

/* Elf64_Phdr field offsets (gABI "Program Header"). */
#define PH_TYPE	  0
#define PH_FLAGS  4
#define PH_OFFSET 8
#define PH_VADDR  16
#define PH_PADDR  24
#define PH_FILESZ 32
#define PH_MEMSZ  40
#define PH_ALIGN  48
#define PH_SIZE	  56

#define PT_NULL	     0
#define PT_LOAD	     1
#define PT_DYNAMIC   2
#define PT_INTERP    3
#define PT_NOTE	     4
#define PT_PHDR	     6
#define PT_TLS	     7
#define PT_GNU_STACK 0x6474e551u
#define PF_X	     1
#define PF_W	     2
#define PF_R	     4

struct seg {
	uint32_t type, flags;
	uint64_t offset, paddr, filesz, memsz;
};

/* The image under test; rebuilt by each test, freed by teardown. */
static struct {
	uint8_t *b;
	size_t size;
	uint64_t phoff;
} img;

static uint8_t *mem; /* guest memory, MEM_SIZE bytes */
static uint8_t *ref; /* what mem must hold after the call */

static uint8_t pattern(size_t k)
{
	return (uint8_t)(k * 13 + 7);
}

static void put(uint8_t *b, uint64_t off, uint64_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

static void eh_put(unsigned field, uint64_t v, unsigned width)
{
	put(img.b, field, v, width);
}

static void ph_put(unsigned index, unsigned field, uint64_t v, unsigned width)
{
	put(img.b, img.phoff + index * PH_SIZE + field, v, width);
}

static void set_phdr(unsigned i, const struct seg *s)
{
	ph_put(i, PH_TYPE, s->type, 4);
	ph_put(i, PH_FLAGS, s->flags, 4);
	ph_put(i, PH_OFFSET, s->offset, 8);
	ph_put(i, PH_VADDR, s->paddr, 8);
	ph_put(i, PH_PADDR, s->paddr, 8);
	ph_put(i, PH_FILESZ, s->filesz, 8);
	ph_put(i, PH_MEMSZ, s->memsz, 8);
	ph_put(i, PH_ALIGN, 0x1000, 8);
}

static void build(const struct seg *segs, unsigned n, uint64_t phoff, uint64_t entry, size_t size)
{
	static const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1};

	free(img.b);
	img.b = malloc(size);
	assert_non_null(img.b);
	img.size = size;
	img.phoff = phoff;
	for (size_t k = 0; k < size; k++)
		img.b[k] = pattern(k);
	memcpy(img.b, ident, sizeof(ident));
	memset(img.b + 16, 0, EH_SIZE - 16);
	eh_put(EH_TYPE, 2, 2);	   /* ET_EXEC */
	eh_put(EH_MACHINE, 62, 2); /* EM_X86_64 */
	eh_put(EH_VERSION, 1, 4);
	eh_put(EH_ENTRY, entry, 8);
	eh_put(EH_PHOFF, phoff, 8);
	eh_put(EH_EHSIZE, EH_SIZE, 2);
	eh_put(EH_PHENTSIZE, PH_SIZE, 2);
	eh_put(EH_PHNUM, n, 2);
	eh_put(EH_SHENTSIZE, 64, 2);
	for (unsigned i = 0; i < n; i++)
		set_phdr(i, &segs[i]);
}

/* Code at 0x200000, data with a bss tail at 0x201000, a GNU_STACK. */
#define GOOD_SIZE  0x380
#define GOOD_ENTRY 0x200010
static const struct seg good_segs[] = {
    {PT_LOAD, PF_R | PF_X, 0x100, 0x200000, 0x200, 0x200},
    {PT_LOAD, PF_R | PF_W, 0x300, 0x201000, 0x80, 0x1000},
    {PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0},
};

static void build_good(void)
{
	build(good_segs, ARRAY_SIZE(good_segs), EH_SIZE, GOOD_ENTRY, GOOD_SIZE);
}

static int setup(void **state)
{
	(void)state;
	mem = malloc(MEM_SIZE);
	ref = malloc(MEM_SIZE);
	assert_non_null(mem);
	assert_non_null(ref);
	memset(mem, POISON, MEM_SIZE);
	memset(ref, POISON, MEM_SIZE);
	log_capture_reset();
	build_good();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(img.b);
	img.b = NULL;
	free(mem);
	free(ref);
	return 0;
}

static void expect_ok(struct elf_image_info *info)
{
	log_capture_reset();
	assert_int_equal(elf_validate(img.b, img.size, MIN_GPA, MEM_SIZE, info), 0);
	assert_false(log_capture_contains("refused"));
}

/* Refused by both calls with err and reason; info and mem left untouched. */
static void expect_refused(int err, const char *reason)
{
	struct elf_image_info info, before;

	memset(&info, 0x5a, sizeof(info));
	before = info;
	log_capture_reset();
	assert_int_equal(elf_validate(img.b, img.size, MIN_GPA, MEM_SIZE, &info), err);
	assert_true(log_capture_contains(reason));
	assert_memory_equal(&info, &before, sizeof(info));

	assert_int_equal(elf_load(img.b, img.size, mem, MEM_SIZE, MIN_GPA, &info), err);
	assert_memory_equal(&info, &before, sizeof(info));
	assert_int_equal(memcmp(mem, ref, MEM_SIZE), 0);
}

static void test_accepts_built_image(void **state)
{
	struct elf_image_info info;

	(void)state;
	expect_ok(&info);
	assert_int_equal(info.entry, GOOD_ENTRY);
	assert_int_equal(info.load_lo, 0x200000);
	assert_int_equal(info.load_hi, 0x202000);
	assert_int_equal(info.segments, 2);
	expect_ok(NULL);
}

static void test_load_copies_and_zeroes_bss(void **state)
{
	struct elf_image_info info;

	(void)state;
	assert_int_equal(elf_load(img.b, img.size, mem, MEM_SIZE, MIN_GPA, &info), 0);
	memcpy(ref + 0x200000, img.b + 0x100, 0x200);
	memcpy(ref + 0x201000, img.b + 0x300, 0x80);
	memset(ref + 0x201080, 0, 0x1000 - 0x80);
	assert_int_equal(memcmp(mem, ref, MEM_SIZE), 0);
	assert_int_equal(info.entry, GOOD_ENTRY);
	assert_int_equal(elf_load(img.b, img.size, mem, MEM_SIZE, MIN_GPA, NULL), 0);
}

/* The loader must not assume an aligned file buffer (UBSan checks). */
static void test_unaligned_file(void **state)
{
	uint8_t *shifted = malloc(img.size + 1);

	(void)state;
	memcpy(shifted + 1, img.b, img.size);
	assert_int_equal(elf_load(shifted + 1, img.size, mem, MEM_SIZE, MIN_GPA, NULL), 0);
	assert_memory_equal(mem + 0x201000, img.b + 0x300, 0x80);
	free(shifted);
}

static void test_refuses_bad_magic(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		build_good();
		img.b[i] ^= 0x20;
		expect_refused(-EINVAL, "reason=bad-magic");
	}
}

static void test_refuses_other_class_or_order(void **state)
{
	(void)state;
	eh_put(EH_CLASS, 1, 1); /* ELFCLASS32 */
	expect_refused(-ENOTSUP, "reason=not-elfclass64 ei_class=0x1");
	eh_put(EH_CLASS, 0, 1); /* ELFCLASSNONE */
	expect_refused(-ENOTSUP, "reason=not-elfclass64");
	build_good();
	eh_put(EH_DATA, 2, 1); /* ELFDATA2MSB */
	expect_refused(-ENOTSUP, "reason=not-little-endian");
}

static void test_refuses_bad_version(void **state)
{
	(void)state;
	eh_put(EH_IDVERSION, 0, 1);
	expect_refused(-EINVAL, "reason=bad-version ei_version=0x0");
	build_good();
	eh_put(EH_VERSION, 2, 4);
	expect_refused(-EINVAL, "reason=bad-version e_version=0x2");
}

static void test_refuses_machine_and_type(void **state)
{
	static const uint16_t machines[] = {0, 3 /* EM_386 */, 183 /* EM_AARCH64 */};
	static const uint16_t types[] = {0, 1 /* ET_REL */, 3 /* ET_DYN */, 4 /* ET_CORE */};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(machines); i++) {
		build_good();
		eh_put(EH_MACHINE, machines[i], 2);
		expect_refused(-ENOTSUP, "reason=not-x86-64");
	}
	for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
		build_good();
		eh_put(EH_TYPE, types[i], 2);
		expect_refused(-ENOTSUP, "reason=not-et-exec");
	}
}

static void test_refuses_header_sizes(void **state)
{
	static const uint16_t ehsizes[] = {0, 52, 63, 65};
	static const uint16_t phentsizes[] = {0, 32, 55, 57, 64};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(ehsizes); i++) {
		build_good();
		eh_put(EH_EHSIZE, ehsizes[i], 2);
		expect_refused(-EINVAL, "reason=bad-ehsize");
	}
	for (unsigned i = 0; i < ARRAY_SIZE(phentsizes); i++) {
		build_good();
		eh_put(EH_PHENTSIZE, phentsizes[i], 2);
		expect_refused(-EINVAL, "reason=bad-phentsize");
	}
}

static void test_phnum_limits(void **state)
{
	struct seg segs[ELF_MAX_PHNUM + 1] = {{0}};
	size_t size = EH_SIZE + (ELF_MAX_PHNUM + 1) * PH_SIZE + 0x200;

	(void)state;
	eh_put(EH_PHNUM, 0, 2);
	expect_refused(-EINVAL, "reason=bad-phnum e_phnum=0x0");
	eh_put(EH_PHNUM, 0xffff, 2); /* PN_XNUM: extended numbering, not for us */
	expect_refused(-EINVAL, "reason=bad-phnum");

	/* 64 headers (PT_NULL but the last) pass, 65 do not. */
	segs[ELF_MAX_PHNUM - 1] =
	    (struct seg){PT_LOAD, PF_R | PF_X, size - 0x200, 0x200000, 0x200, 0x200};
	build(segs, ELF_MAX_PHNUM, EH_SIZE, 0x200000, size);
	expect_ok(NULL);
	segs[ELF_MAX_PHNUM] = segs[ELF_MAX_PHNUM - 1];
	segs[ELF_MAX_PHNUM - 1].type = PT_NULL;
	build(segs, ELF_MAX_PHNUM + 1, EH_SIZE, 0x200000, size);
	expect_refused(-EINVAL, "reason=bad-phnum e_phnum=0x41");
}

static void test_phdrs_at_file_end(void **state)
{
	const size_t table = ARRAY_SIZE(good_segs) * PH_SIZE;
	const uint64_t wrap_to_64 = UINT64_MAX - table + 1 + EH_SIZE; /* phoff + table == 64 */
	const uint64_t bad[] = {GOOD_SIZE - table + 1, GOOD_SIZE, UINT64_MAX, wrap_to_64,
				1ULL << 63};

	(void)state;
	/* The table may end exactly at the end of the file... */
	build(good_segs, ARRAY_SIZE(good_segs), GOOD_SIZE - table, GOOD_ENTRY, GOOD_SIZE);
	expect_ok(NULL);
	/* ...but not one byte later, nor wrap around. */
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		build_good();
		eh_put(EH_PHOFF, bad[i], 8);
		expect_refused(-EINVAL, "reason=phdrs-outside-file");
	}
}

static void test_refuses_filesz_above_memsz(void **state)
{
	(void)state;
	ph_put(1, PH_FILESZ, 0x1001, 8);
	expect_refused(-EINVAL, "reason=filesz-above-memsz phdr=1");
}

static void test_refuses_segment_outside_file(void **state)
{
	(void)state;
	ph_put(1, PH_FILESZ, 0x81, 8); /* ends one byte past the file */
	expect_refused(-EINVAL, "reason=segment-outside-file phdr=1");

	build_good();
	ph_put(0, PH_OFFSET, UINT64_MAX - 0xff, 8); /* offset + filesz wraps to 0x100 */
	expect_refused(-EINVAL, "reason=segment-outside-file phdr=0");

	build_good();
	ph_put(1, PH_OFFSET, UINT64_MAX, 8);
	ph_put(1, PH_FILESZ, 0, 8);
	expect_refused(-EINVAL, "reason=segment-outside-file phdr=1");
}

static void set_paddr(unsigned index, uint64_t paddr)
{
	ph_put(index, PH_PADDR, paddr, 8);
	ph_put(index, PH_VADDR, paddr, 8);
}

static void test_segment_memory_bounds(void **state)
{
	struct elf_image_info info;

	(void)state;
	set_paddr(1, MEM_SIZE - 0x1000); /* ends exactly at the end of memory */
	expect_ok(&info);
	assert_int_equal(info.load_hi, MEM_SIZE);

	set_paddr(1, MEM_SIZE - 0xfff);
	expect_refused(-ERANGE, "reason=segment-outside-memory phdr=1");
	set_paddr(1, MEM_SIZE);
	expect_refused(-ERANGE, "reason=segment-outside-memory phdr=1");
	set_paddr(1, MIN_GPA - 0x1000);
	expect_refused(-ERANGE, "reason=segment-outside-memory phdr=1");
	set_paddr(1, UINT64_MAX - 0xfff); /* paddr + memsz wraps to 0 */
	expect_refused(-ERANGE, "reason=segment-outside-memory phdr=1");

	build_good();
	ph_put(1, PH_MEMSZ, 0x1000 - 0x201000ULL, 8); /* paddr + memsz wraps to 0x1000 */
	expect_refused(-ERANGE, "reason=segment-outside-memory phdr=1");
}

static void test_refuses_vaddr_not_paddr(void **state)
{
	(void)state;
	ph_put(0, PH_VADDR, 0xffffffff80200000ULL, 8); /* a higher-half link */
	expect_refused(-ENOTSUP, "reason=vaddr-not-paddr phdr=0");
}

static void test_overlap(void **state)
{
	(void)state;
	set_paddr(1, 0x2001ff); /* shares the code segment's last byte */
	expect_refused(-EINVAL, "reason=segments-overlap phdr=1");
	set_paddr(1, 0x200000); /* identical start */
	expect_refused(-EINVAL, "reason=segments-overlap phdr=1");

	build_good(); /* data segment around the whole code segment */
	set_paddr(0, 0x204000);
	eh_put(EH_ENTRY, 0x204000, 8);
	ph_put(1, PH_MEMSZ, 0x10000, 8);
	expect_refused(-EINVAL, "reason=segments-overlap phdr=1");

	/* Found whatever the order in the table: the later entry below the earlier one. */
	build_good();
	set_paddr(0, 0x201800);
	ph_put(0, PH_MEMSZ, 0x200, 8);
	eh_put(EH_ENTRY, 0x201800, 8);
	set_paddr(1, 0x201000);
	expect_refused(-EINVAL, "reason=segments-overlap phdr=1");

	build_good();
	set_paddr(1, 0x200200); /* adjacent is fine */
	expect_ok(NULL);
}

static void test_entry_must_be_code(void **state)
{
	static const uint64_t bad[] = {0x201000, 0x100000, 0x200200, 0, UINT64_MAX};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		build_good();
		eh_put(EH_ENTRY, bad[i], 8);
		expect_refused(-EINVAL, "reason=entry-not-in-code");
	}
	build_good();
	eh_put(EH_ENTRY, 0x2001ff, 8); /* last byte of code */
	expect_ok(NULL);
	eh_put(EH_ENTRY, 0x200000, 8);
	expect_ok(NULL);

	/* Not in the zeroed tail of the code segment either. */
	ph_put(0, PH_MEMSZ, 0x400, 8);
	eh_put(EH_ENTRY, 0x200300, 8);
	expect_refused(-EINVAL, "reason=entry-not-in-code");

	/* Nor in a segment without PF_X, whatever else is executable. */
	build_good();
	ph_put(0, PH_FLAGS, PF_R, 4);
	ph_put(1, PH_FLAGS, PF_R | PF_W | PF_X, 4);
	expect_refused(-EINVAL, "reason=entry-not-in-code");

	/* Nor in an executable header that loads nothing. */
	build_good();
	ph_put(0, PH_FLAGS, PF_R, 4);
	ph_put(2, PH_TYPE, PT_NOTE, 4);
	ph_put(2, PH_FLAGS, PF_X, 4);
	ph_put(2, PH_OFFSET, 0x100, 8);
	ph_put(2, PH_PADDR, 0x200000, 8);
	ph_put(2, PH_FILESZ, 0x200, 8);
	expect_refused(-EINVAL, "reason=entry-not-in-code");
}

static void test_refuses_dynamic(void **state)
{
	(void)state;
	ph_put(2, PH_TYPE, PT_INTERP, 4);
	expect_refused(-ENOTSUP, "reason=not-static phdr=2 type=0x3");
	ph_put(2, PH_TYPE, PT_DYNAMIC, 4);
	expect_refused(-ENOTSUP, "reason=not-static phdr=2 type=0x2");
}

static void test_ignores_other_types(void **state)
{
	static const uint32_t types[] = {PT_NULL, PT_NOTE,	PT_PHDR,
					 PT_TLS,  PT_GNU_STACK, 0x6474e552 /* PT_GNU_RELRO */};
	struct elf_image_info info;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
		build_good();
		ph_put(2, PH_TYPE, types[i], 4);
		ph_put(2, PH_OFFSET, UINT64_MAX, 8); /* never looked at */
		ph_put(2, PH_PADDR, 0x200000, 8);
		ph_put(2, PH_FILESZ, UINT64_MAX, 8);
		ph_put(2, PH_MEMSZ, 1, 8);
		expect_ok(&info);
		assert_int_equal(info.segments, 2);
		assert_int_equal(elf_load(img.b, img.size, mem, MEM_SIZE, MIN_GPA, NULL), 0);
	}
}

static void test_empty_load_segments(void **state)
{
	struct elf_image_info info;

	(void)state;
	/* An empty PT_LOAD inside another loads nothing and overlaps nothing. */
	ph_put(2, PH_TYPE, PT_LOAD, 4);
	set_paddr(2, 0x200100);
	expect_ok(&info);
	assert_int_equal(info.segments, 2);
	assert_int_equal(info.load_lo, 0x200000);
	assert_int_equal(info.load_hi, 0x202000);

	/* Nothing but empty ones: nothing to run. */
	ph_put(0, PH_TYPE, PT_NOTE, 4);
	ph_put(1, PH_TYPE, PT_NOTE, 4);
	expect_refused(-EINVAL, "reason=no-load-segment");
}

/*
 * Every prefix of a valid file shorter than `needed` (headers and segment
 * bytes) is refused without a read past its end; longer ones only lose
 * what the loader does not use (section headers) and pass.
 */
static void check_truncations(const uint8_t *file, size_t size, size_t needed)
{
	for (size_t len = 0; len <= size; len++) {
		uint8_t *cut = malloc(len ? len : 1);
		int expected = len < needed ? -EINVAL : 0;

		assert_non_null(cut);
		memcpy(cut, file, len);
		assert_int_equal(elf_validate(cut, len, MIN_GPA, MEM_SIZE, NULL), expected);
		if (expected)
			assert_int_equal(elf_load(cut, len, mem, MEM_SIZE, MIN_GPA, NULL),
					 expected);
		free(cut);
	}
	/* The segments of these files all lie here; nothing else could be written. */
	assert_int_equal(memcmp(mem + MIN_GPA, ref + MIN_GPA, 0x10000), 0);
}

static void test_truncated_at_every_length(void **state)
{
	(void)state;
	check_truncations(img.b, img.size, GOOD_SIZE);
	/* Its last segment byte is at 0x157; section headers follow. */
	check_truncations(elf_guest_image, sizeof(elf_guest_image), 0x158);
	log_capture_reset();
	assert_int_equal(elf_validate(img.b, 63, MIN_GPA, MEM_SIZE, NULL), -EINVAL);
	assert_true(log_capture_contains("reason=truncated-header file_size=0x3f"));
}

static void build_real(void)
{
	free(img.b);
	img.size = sizeof(elf_guest_image);
	img.b = malloc(img.size);
	assert_non_null(img.b);
	memcpy(img.b, elf_guest_image, img.size);
	img.phoff = EH_SIZE;
}

static void test_real_guest_loads(void **state)
{
	static const uint8_t seed[8] = {0xcd, 0xab, 0x34, 0x12};
	struct elf_image_info info;

	(void)state;
	build_real();
	assert_int_equal(elf_load(img.b, img.size, mem, MEM_SIZE, MIN_GPA, &info), 0);
	assert_int_equal(info.entry, 0x2000f0);
	assert_int_equal(info.load_lo, 0x200000);
	assert_int_equal(info.load_hi, 0x201360);
	assert_int_equal(info.segments, 2);
	assert_memory_equal(mem + 0x200143, "hello", 6);
	assert_memory_equal(mem + 0x201150, seed, sizeof(seed));

	memcpy(ref + 0x200000, elf_guest_image, 0x149);
	memcpy(ref + 0x201150, elf_guest_image + 0x150, 8);
	memset(ref + 0x201158, 0, 0x210 - 8);
	assert_int_equal(memcmp(mem, ref, MEM_SIZE), 0);
}

static void test_real_guest_refused(void **state)
{
	(void)state;
	build_real();
	log_capture_reset();
	assert_int_equal(elf_validate(img.b, img.size, MIN_GPA, 0x201300, NULL), -ERANGE);
	assert_true(log_capture_contains("reason=segment-outside-memory phdr=1"));
	assert_int_equal(elf_validate(img.b, img.size, 0x201000, MEM_SIZE, NULL), -ERANGE);

	ph_put(0, PH_FLAGS, PF_R, 4); /* code no longer executable */
	expect_refused(-EINVAL, "reason=entry-not-in-code e_entry=0x2000f0");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_accepts_built_image),
	    T(test_load_copies_and_zeroes_bss),
	    T(test_unaligned_file),
	    T(test_refuses_bad_magic),
	    T(test_refuses_other_class_or_order),
	    T(test_refuses_bad_version),
	    T(test_refuses_machine_and_type),
	    T(test_refuses_header_sizes),
	    T(test_phnum_limits),
	    T(test_phdrs_at_file_end),
	    T(test_refuses_filesz_above_memsz),
	    T(test_refuses_segment_outside_file),
	    T(test_segment_memory_bounds),
	    T(test_refuses_vaddr_not_paddr),
	    T(test_overlap),
	    T(test_entry_must_be_code),
	    T(test_refuses_dynamic),
	    T(test_ignores_other_types),
	    T(test_empty_load_segments),
	    T(test_truncated_at_every_length),
	    T(test_real_guest_loads),
	    T(test_real_guest_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
