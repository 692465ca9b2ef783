/*
 * Unit tests for vmm/guest_walk.c: guest page tables built in a fake
 * guest-physical memory of scattered 4 KiB frames. The read callback
 * refuses any read that leaves a frame, so the tests also prove the walker
 * never asks for more than one page at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/guest_walk.h"
#include "hv/errno.h"
#include "tests/unit/log_capture.h"

#define P      (1ULL << 0)
#define RW     (1ULL << 1)
#define US     (1ULL << 2)
#define PS     (1ULL << 7)
#define PAT_LG (1ULL << 12) /* PAT bit of a 2 MiB / 1 GiB leaf */
#define XD     (1ULL << 63)
#define TABLE  (P | RW | US)

#define MAX_FRAMES 24
#define CR3	   0x1000ULL

struct frame {
	uint64_t gpa;
	uint8_t data[4096];
};

struct guest_mem {
	struct frame frames[MAX_FRAMES];
	unsigned nframes;
	uint64_t next_table; /* where the next page table goes */
	uint64_t refuse;     /* a frame the callback refuses, or 1 for none */
	unsigned reads;
};

static struct guest_mem mem;

static struct frame *frame_at(uint64_t gpa)
{
	for (unsigned i = 0; i < mem.nframes; i++) {
		if (mem.frames[i].gpa == (gpa & ~0xfffULL))
			return &mem.frames[i];
	}
	return NULL;
}

static uint8_t *frame_add(uint64_t gpa)
{
	struct frame *f = frame_at(gpa);

	if (!f) {
		assert_true(mem.nframes < MAX_FRAMES);
		f = &mem.frames[mem.nframes++];
		f->gpa = gpa & ~0xfffULL;
		memset(f->data, 0, sizeof(f->data));
	}
	return f->data;
}

static int fake_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	struct guest_mem *m = ctx;
	struct frame *f = frame_at(gpa);

	assert_ptr_equal(m, &mem);
	m->reads++;
	if (!f || f->gpa == m->refuse || (gpa & 0xfff) + len > 4096)
		return -EFAULT;
	memcpy(buf, f->data + (gpa & 0xfff), len);
	return 0;
}

/* The entry of the table at table_gpa that covers gva at the level of shift. */
static uint64_t *entry_in(uint64_t table_gpa, unsigned shift, uint64_t gva)
{
	uint8_t *table = frame_add(table_gpa);

	return (uint64_t *)(table + ((gva >> shift) & 511) * 8);
}

/* The entry of the walk for gva at the level of shift (39, 30, 21, 12). */
static uint64_t *entry_for(uint64_t gva, unsigned shift)
{
	uint64_t table = CR3;

	for (unsigned s = 39; s > shift; s -= 9)
		table = *entry_in(table, s, gva) & 0x000ffffffffff000ULL;
	return entry_in(table, shift, gva);
}

/* Maps gva to gpa with a leaf of 1 << leaf_shift bytes, tables made as needed. */
static void map(uint64_t gva, uint64_t gpa, unsigned leaf_shift, uint64_t leaf_flags)
{
	uint64_t table = CR3;
	uint64_t *e;

	for (unsigned s = 39; s > leaf_shift; s -= 9) {
		e = entry_in(table, s, gva);
		if (!(*e & P)) {
			*e = mem.next_table | TABLE;
			frame_add(mem.next_table);
			mem.next_table += 0x1000;
		}
		table = *e & 0x000ffffffffff000ULL;
	}
	*entry_in(table, leaf_shift, gva) = gpa | leaf_flags | P | (leaf_shift > 12 ? PS : 0);
}

static int setup(void **state)
{
	(void)state;
	memset(&mem, 0, sizeof(mem));
	mem.next_table = 0x2000;
	mem.refuse = 1;
	frame_add(CR3);
	log_capture_reset();
	return 0;
}

static int walk(uint64_t cr3, uint64_t gva, struct guest_walk_result *res)
{
	return guest_walk(cr3, gva, fake_read, &mem, res);
}

static void test_4k(void **state)
{
	struct guest_walk_result res;

	(void)state;
	map(0x00007f0012345000ULL, 0x40000, 12, RW | US);
	assert_int_equal(walk(CR3, 0x00007f0012345123ULL, &res), 0);
	assert_int_equal(res.gpa, 0x40123);
	assert_int_equal(res.page_size, 4096);
	assert_true(res.writable);
	assert_true(res.user);
	assert_false(res.nx);
	assert_int_equal(mem.reads, 4);
	/* A PTE's bit 7 is PAT, not a page size. */
	*entry_for(0x00007f0012345000ULL, 12) |= PS;
	assert_int_equal(walk(CR3, 0x00007f0012345fffULL, &res), 0);
	assert_int_equal(res.gpa, 0x40fff);
}

static void test_2m(void **state)
{
	struct guest_walk_result res;

	(void)state;
	map(0xffff800000200000ULL, 0x40200000, 21, RW | PAT_LG);
	assert_int_equal(walk(CR3, 0xffff8000003abcdeULL, &res), 0);
	assert_int_equal(res.gpa, 0x403abcde); /* PAT (bit 12) is not address */
	assert_int_equal(res.page_size, 2 * 1024 * 1024);
	assert_true(res.writable);
	assert_false(res.user);
	assert_int_equal(mem.reads, 3);
}

static void test_1g(void **state)
{
	struct guest_walk_result res;

	(void)state;
	map(0xffffffffc0000000ULL, 0x140000000ULL, 30, PAT_LG);
	assert_int_equal(walk(CR3, 0xffffffffd2345678ULL, &res), 0);
	assert_int_equal(res.gpa, 0x152345678ULL);
	assert_int_equal(res.page_size, 1024 * 1024 * 1024);
	assert_false(res.writable);
	assert_int_equal(mem.reads, 2);
}

static void test_highest_address_bits(void **state)
{
	struct guest_walk_result res;

	(void)state;
	map(0x1000000, 0x000ffffffffff000ULL, 12, 0);
	assert_int_equal(walk(CR3, 0x1000abc, &res), 0);
	assert_int_equal(res.gpa, 0x000ffffffffffabcULL);
}

/* CR3 bits outside 51:12 (PCID, PWT/PCD, LAM, no-flush) are not address. */
static void test_cr3_low_and_high_bits(void **state)
{
	struct guest_walk_result res;

	(void)state;
	map(0x400000, 0x9000, 12, 0);
	assert_int_equal(
	    walk(CR3 | 0xabc | (1ULL << 63) | (1ULL << 62) | (1ULL << 61), 0x400010, &res), 0);
	assert_int_equal(res.gpa, 0x9010);
}

static void test_permissions_accumulate(void **state)
{
	const uint64_t gva = 0x0000123456789000ULL;
	struct guest_walk_result res;

	(void)state;
	map(gva, 0x50000, 12, RW | US);
	*entry_for(gva, 30) &= ~RW; /* read-only above */
	*entry_for(gva, 39) &= ~US; /* supervisor above */
	*entry_for(gva, 21) |= XD;  /* no-execute above */
	assert_int_equal(walk(CR3, gva, &res), 0);
	assert_false(res.writable);
	assert_false(res.user);
	assert_true(res.nx);
	assert_int_equal(res.gpa, 0x50000);
}

/* Bits 62:52 are software-available (or protection keys): ignored, not reserved. */
static void test_ignored_high_bits(void **state)
{
	const uint64_t gva = 0x0000000080000000ULL;
	const uint64_t avl = 0x7ff0000000000000ULL;
	struct guest_walk_result res;

	(void)state;
	map(gva, 0x60000, 12, RW);
	for (unsigned s = 12; s <= 39; s += 9)
		*entry_for(gva, s) |= avl;
	assert_int_equal(walk(CR3, gva + 8, &res), 0);
	assert_int_equal(res.gpa, 0x60008);
	assert_false(res.nx);
}

static void test_not_present_each_level(void **state)
{
	const uint64_t gva = 0x0000700000000000ULL;
	struct guest_walk_result res;

	(void)state;
	for (unsigned s = 12; s <= 39; s += 9) {
		map(gva, 0x70000, 12, 0);
		assert_int_equal(walk(CR3, gva, &res), 0);
		*entry_for(gva, s) &= ~P;
		log_capture_reset();
		assert_int_equal(walk(CR3, gva, &res), -ENOENT);
		assert_true(log_capture_contains("reason=not-present"));
		*entry_for(gva, s) |= P;
	}
	/* Nothing ever mapped in this half of the address space. */
	assert_int_equal(walk(CR3, 0xffff900000000000ULL, &res), -ENOENT);
}

static void test_reserved_bits(void **state)
{
	struct guest_walk_result res;

	(void)state;
	/* PS in a PML4E */
	map(0x8000000000ULL, 0x1000000, 12, 0);
	*entry_for(0x8000000000ULL, 39) |= PS;
	assert_int_equal(walk(CR3, 0x8000000000ULL, &res), -EINVAL);
	assert_true(log_capture_contains("level=pml4e"));
	assert_true(log_capture_contains("reason=reserved-bits"));

	/* bits 29:13 of a 1 GiB leaf, each end */
	map(0x10000000000ULL, 0x40000000, 30, 0);
	assert_int_equal(walk(CR3, 0x10000000000ULL, &res), 0);
	*entry_for(0x10000000000ULL, 30) |= 1ULL << 13;
	assert_int_equal(walk(CR3, 0x10000000000ULL, &res), -EINVAL);
	*entry_for(0x10000000000ULL, 30) ^= (1ULL << 13) | (1ULL << 29);
	assert_int_equal(walk(CR3, 0x10000000000ULL, &res), -EINVAL);
	assert_true(log_capture_contains("level=pdpte"));

	/* bits 20:13 of a 2 MiB leaf */
	map(0x20000000000ULL, 0x200000, 21, 0);
	assert_int_equal(walk(CR3, 0x20000000000ULL, &res), 0);
	*entry_for(0x20000000000ULL, 21) |= 1ULL << 20;
	assert_int_equal(walk(CR3, 0x20000000000ULL, &res), -EINVAL);
	assert_true(log_capture_contains("level=pde"));
}

static void test_non_canonical(void **state)
{
	static const uint64_t bad[] = {0x0000800000000000ULL, 0xffff7fffffffffffULL,
				       0x8000000000000000ULL, 0x00ff000000000000ULL};
	struct guest_walk_result res;

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(walk(CR3, bad[i], &res), -EINVAL);
	assert_int_equal(mem.reads, 0);
	assert_true(log_capture_contains("reason=non-canonical"));
}

static void test_table_unreadable(void **state)
{
	const uint64_t gva = 0x0000000040000000ULL;
	struct guest_walk_result res;

	(void)state;
	map(gva, 0x80000, 12, 0);
	/* The PML4 itself refused. */
	mem.refuse = CR3;
	assert_int_equal(walk(CR3, gva, &res), -EFAULT);
	assert_true(log_capture_contains("reason=table-unreadable"));
	mem.refuse = 1;
	/* A PDE pointing outside guest memory. */
	*entry_for(gva, 21) = 0x7654321000ULL | TABLE;
	log_capture_reset();
	assert_int_equal(walk(CR3, gva, &res), -EFAULT);
	assert_true(log_capture_contains("level=pte entry_gpa=0x7654321000"));
	/* CR3 outside guest memory. */
	assert_int_equal(walk(0xdead000, gva, &res), -EFAULT);
}

static int fetch(uint64_t gva, void *buf, size_t len)
{
	return guest_fetch(CR3, gva, buf, len, fake_read, &mem);
}

/* Fills the frame at gpa with bytes counting up from first. */
static void fill(uint64_t gpa, uint8_t first)
{
	uint8_t *data = frame_add(gpa);

	for (unsigned i = 0; i < 4096; i++)
		data[i] = (uint8_t)(first + i);
}

static void test_fetch_in_page(void **state)
{
	uint8_t buf[15];

	(void)state;
	map(0xffffffff81000000ULL, 0x100000, 12, 0);
	fill(0x100000, 0);
	assert_int_equal(fetch(0xffffffff81000010ULL, buf, sizeof(buf)), 15);
	for (unsigned i = 0; i < 15; i++)
		assert_int_equal(buf[i], 0x10 + i);
}

static void test_fetch_across_pages(void **state)
{
	uint8_t buf[15];

	(void)state;
	/* Two virtually adjacent pages in unrelated frames. */
	map(0x401000, 0x300000, 12, 0);
	map(0x402000, 0x200000, 12, 0);
	fill(0x300000, 0);
	fill(0x200000, 0x80);
	assert_int_equal(fetch(0x401ffa, buf, sizeof(buf)), 15);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(buf[i], (uint8_t)(0xfa + i));
	for (unsigned i = 6; i < 15; i++)
		assert_int_equal(buf[i], 0x80 + i - 6);
}

/* Inside a 2 MiB page the callback still gets one 4 KiB page per read. */
static void test_fetch_across_4k_in_large_page(void **state)
{
	uint8_t buf[15];

	(void)state;
	map(0xffffffff80000000ULL, 0x1000000, 21, 0);
	fill(0x1000000, 0);
	fill(0x1001000, 0x40);
	assert_int_equal(fetch(0xffffffff80000ff8ULL, buf, sizeof(buf)), 15);
	assert_int_equal(buf[0], 0xf8);
	assert_int_equal(buf[8], 0x40);
}

static void test_fetch_stops_at_unusable_page(void **state)
{
	uint8_t buf[15];

	(void)state;
	map(0x401000, 0x300000, 12, 0);
	fill(0x300000, 0);
	/* next page not mapped: the bytes of the first, quietly */
	log_capture_reset();
	assert_int_equal(fetch(0x401ffb, buf, sizeof(buf)), 5);
	assert_int_equal(buf[4], 0xff);
	assert_false(log_capture_contains("guest_walk"));
	/* next page not executable */
	map(0x402000, 0x200000, 12, 0);
	fill(0x200000, 0);
	*entry_for(0x402000, 12) |= XD;
	assert_int_equal(fetch(0x401ffb, buf, sizeof(buf)), 5);
	/* next page's frame unreadable */
	*entry_for(0x402000, 12) &= ~XD;
	assert_int_equal(fetch(0x401ffb, buf, sizeof(buf)), 15);
	mem.refuse = 0x200000;
	assert_int_equal(fetch(0x401ffb, buf, sizeof(buf)), 5);
}

/* The last bytes before a non-canonical address or the end of the address space. */
static void test_fetch_at_address_space_ends(void **state)
{
	uint8_t buf[15];

	(void)state;
	map(0x00007ffffffff000ULL, 0x300000, 12, 0);
	map(0xfffffffffffff000ULL, 0x200000, 12, 0);
	map(0, 0x100000, 12, 0);
	fill(0x300000, 0);
	fill(0x200000, 0);
	fill(0x100000, 0);
	assert_int_equal(fetch(0x00007ffffffffff8ULL, buf, sizeof(buf)), 8);
	assert_int_equal(fetch(0xfffffffffffffff8ULL, buf, sizeof(buf)), 8);
}

static void test_fetch_refusals(void **state)
{
	uint8_t buf[16];

	(void)state;
	map(0x401000, 0x300000, 12, 0);
	assert_int_equal(fetch(0x401000, buf, 0), -EINVAL);
	assert_int_equal(guest_fetch(CR3, 0x401000, buf, 4097, fake_read, &mem), -EINVAL);
	/* first page not mapped */
	assert_int_equal(fetch(0x500000, buf, 15), -ENOENT);
	/* first page's frame not in guest memory */
	assert_int_equal(fetch(0x401000, buf, 15), -EFAULT);
	assert_true(log_capture_contains("reason=unreadable"));
	/* first page not executable */
	fill(0x300000, 0);
	assert_int_equal(fetch(0x401000, buf, 15), 15);
	*entry_for(0x401000, 39) |= XD;
	assert_int_equal(fetch(0x401000, buf, 15), -EPERM);
	assert_true(log_capture_contains("reason=not-executable"));
	/* non-canonical */
	assert_int_equal(fetch(0x0000800000000000ULL, buf, 15), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_4k, setup),
	    cmocka_unit_test_setup(test_2m, setup),
	    cmocka_unit_test_setup(test_1g, setup),
	    cmocka_unit_test_setup(test_highest_address_bits, setup),
	    cmocka_unit_test_setup(test_cr3_low_and_high_bits, setup),
	    cmocka_unit_test_setup(test_permissions_accumulate, setup),
	    cmocka_unit_test_setup(test_ignored_high_bits, setup),
	    cmocka_unit_test_setup(test_not_present_each_level, setup),
	    cmocka_unit_test_setup(test_reserved_bits, setup),
	    cmocka_unit_test_setup(test_non_canonical, setup),
	    cmocka_unit_test_setup(test_table_unreadable, setup),
	    cmocka_unit_test_setup(test_fetch_in_page, setup),
	    cmocka_unit_test_setup(test_fetch_across_pages, setup),
	    cmocka_unit_test_setup(test_fetch_across_4k_in_large_page, setup),
	    cmocka_unit_test_setup(test_fetch_stops_at_unusable_page, setup),
	    cmocka_unit_test_setup(test_fetch_at_address_space_ends, setup),
	    cmocka_unit_test_setup(test_fetch_refusals, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
