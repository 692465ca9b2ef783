/*
 * Unit tests for vmm/guest_layout.c. The guest's page tables are checked
 * the way its CPU would use them: a walker here decodes the entries from
 * the memory buffer (bits per the SDM's "4-Level Paging" tables) and
 * translates every page, so the test does not trust the builder's own
 * arithmetic. Large guests get a lazily committed mapping (MAP_NORESERVE):
 * only the pages the builder touches are ever backed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "hv/errno.h"
#include "vmm/guest_layout.h"
#include "tests/unit/log_capture.h"

#define POISON	   0xa5
#define LARGE	   (2 * MiB)
#define ADDR_MASK  0x000ffffffffff000ULL
#define PTE_P	   (1ULL << 0)
#define PTE_RW	   (1ULL << 1)
#define PTE_PS	   (1ULL << 7)
#define PT_REGION  (HV_GUEST_PT_PAGES * PAGE_SIZE)
#define MAX_TABLES 64

/* Guest memory under test: mmap'd so large sizes cost only what is touched. */
static uint8_t *mem;
static uint64_t mem_len;
static struct guest_layout out;

/* Table pages the walker went through, to show they stay in the PT region. */
static uint64_t tables_seen[MAX_TABLES];
static unsigned tables_count;

static void map_mem(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	assert_true(p != MAP_FAILED);
	mem = p;
	mem_len = size;
	memset(mem, POISON, 4 * MiB); /* the builder writes below 2 MiB only */
}

static int teardown(void **state)
{
	(void)state;
	if (mem)
		munmap(mem, mem_len);
	mem = NULL;
	return 0;
}

static struct guest_layout_params params(uint64_t mem_size, unsigned vcpus)
{
	return (struct guest_layout_params){
	    .mem_size = mem_size,
	    .vcpu_count = vcpus,
	    .image = {.entry = 0x2000f0, .load_lo = 0x200000, .load_hi = 0x201360, .segments = 2},
	};
}

static void note_table(uint64_t gpa)
{
	assert_true(gpa >= HV_GUEST_PT_GPA && gpa < HV_GUEST_PT_GPA + PT_REGION);
	assert_true(gpa % PAGE_SIZE == 0);
	for (unsigned i = 0; i < tables_count; i++)
		if (tables_seen[i] == gpa)
			return;
	assert_true(tables_count < MAX_TABLES);
	tables_seen[tables_count++] = gpa;
}

static uint64_t read_entry(uint64_t table, uint64_t index)
{
	uint64_t e;

	memcpy(&e, mem + table + index * 8, 8);
	return e;
}

/*
 * Translates va as the guest's CPU would; false if not present. Every
 * present entry must be P|RW, NX clear, PS only in a PD, no other bits.
 * *leaf gets the size of the page that mapped va.
 */
static bool walk(uint64_t va, uint64_t *pa, uint64_t *leaf)
{
	uint64_t table = out.cr3;

	for (int level = 4; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t e;

		note_table(table);
		e = read_entry(table, (va >> shift) & 511);
		if (!(e & PTE_P))
			return false;
		assert_true((e & PTE_RW) != 0);
		if (level == 2 && (e & PTE_PS)) {
			assert_int_equal(e & ~ADDR_MASK, PTE_P | PTE_RW | PTE_PS);
			assert_int_equal(e & (LARGE - 1) & ADDR_MASK, 0); /* PAT, reserved 20:13 */
			*pa = (e & ADDR_MASK) | (va & (LARGE - 1));
			*leaf = LARGE;
			return true;
		}
		assert_int_equal(e & ~ADDR_MASK, PTE_P | PTE_RW);
		if (level == 1) {
			*pa = (e & ADDR_MASK) | (va & (PAGE_SIZE - 1));
			*leaf = PAGE_SIZE;
			return true;
		}
		table = e & ADDR_MASK;
	}
	return false;
}

static void expect_identity(uint64_t va, uint64_t leaf_size)
{
	uint64_t pa = 0, leaf = 0;

	assert_true(walk(va, &pa, &leaf));
	assert_int_equal(pa, va);
	assert_int_equal(leaf, leaf_size);
}

static void expect_unmapped(uint64_t va)
{
	uint64_t pa, leaf;

	assert_false(walk(va, &pa, &leaf));
}

/* Page 0 unmapped, the rest of the first 2 MiB in 4 KiB pages, 2 MiB leaves above. */
static void check_tables(uint64_t mem_size)
{
	tables_count = 0;
	expect_unmapped(0);
	expect_unmapped(0xfff);
	for (uint64_t va = PAGE_SIZE; va < LARGE; va += PAGE_SIZE) {
		expect_identity(va, PAGE_SIZE);
		expect_identity(va + PAGE_SIZE - 1, PAGE_SIZE);
	}
	for (uint64_t va = LARGE; va < mem_size; va += LARGE) {
		expect_identity(va, LARGE);
		expect_identity(va + LARGE - 1, LARGE);
	}
	expect_unmapped(mem_size);
	expect_unmapped(ALIGN_UP(mem_size, GiB) + LARGE);
	expect_unmapped(512 * GiB);
	expect_unmapped((1ULL << 47) - PAGE_SIZE);
	assert_int_equal(tables_count, guest_layout_pt_pages(mem_size));
}

static void build_ok(const struct guest_layout_params *p)
{
	log_capture_reset();
	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(guest_layout_build(mem, p, &out), 0);
	assert_false(log_capture_contains("refused"));
}

static void test_tables_smallest_guest(void **state)
{
	struct guest_layout_params p = params(GUEST_MIN_MEM, 1);

	(void)state;
	map_mem(GUEST_MIN_MEM);
	build_ok(&p);
	assert_int_equal(out.cr3, HV_GUEST_PT_GPA);
	check_tables(GUEST_MIN_MEM);
	assert_int_equal(guest_layout_pt_pages(GUEST_MIN_MEM), 4);
}

/* Two page directories and more: entries land in the right PD and PDPT slot. */
static void test_tables_across_gib(void **state)
{
	const uint64_t size = 4 * GiB + LARGE;
	struct guest_layout_params p = params(size, 4);

	(void)state;
	map_mem(size);
	build_ok(&p);
	check_tables(size);
	assert_int_equal(guest_layout_pt_pages(size), 1 + 1 + 5 + 1);
}

static void expect_refused(const struct guest_layout_params *p, int err, const char *reason)
{
	struct guest_layout before;

	memset(&out, 0x5a, sizeof(out));
	before = out;
	log_capture_reset();
	assert_int_equal(guest_layout_build(mem, p, &out), err);
	assert_true(log_capture_contains(reason));
	assert_memory_equal(&out, &before, sizeof(out));
	for (uint64_t i = 0; i < 4 * MiB; i++)
		if (mem[i] != POISON)
			fail_msg("byte 0x%llx written on refusal", (unsigned long long)i);
}

/* 32 table pages cover 29 GiB: PML4, PDPT, 29 PDs, the first 2 MiB's PT. */
static void test_largest_guest_and_e2big(void **state)
{
	const uint64_t most = 29 * GiB;
	struct guest_layout_params p = params(most + LARGE, 1);

	(void)state;
	map_mem(most + LARGE);
	assert_int_equal(guest_layout_pt_pages(most), HV_GUEST_PT_PAGES);
	expect_refused(&p, -E2BIG, "reason=page-tables-too-big");
	p.mem_size = 1024 * GiB; /* several PDPTs: refused long before */
	expect_refused(&p, -E2BIG, "reason=page-tables-too-big");
	p.mem_size = most;
	build_ok(&p);
	check_tables(most);
}

static void test_refuses_bad_mem_size(void **state)
{
	static const uint64_t sizes[] = {0,	  LARGE,       6 * MiB, 8 * MiB + PAGE_SIZE,
					 9 * MiB, 10 * MiB - 1};
	struct guest_layout_params p = params(0, 1);

	(void)state;
	map_mem(16 * MiB);
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		p.mem_size = sizes[i];
		expect_refused(&p, -EINVAL, "reason=bad-mem-size");
	}
	p.mem_size = 10 * MiB;
	build_ok(&p);
}

static void test_vcpu_count_limits(void **state)
{
	struct guest_layout_params p = params(16 * MiB, 0);

	(void)state;
	map_mem(16 * MiB);
	expect_refused(&p, -EINVAL, "reason=no-vcpu");
	p.vcpu_count = HV_GUEST_MAX_VCPUS + 1;
	expect_refused(&p, -ENOSPC, "reason=too-many-vcpus vcpus=0x11");

	p.vcpu_count = HV_GUEST_MAX_VCPUS;
	build_ok(&p);
	for (unsigned i = 0; i < HV_GUEST_MAX_VCPUS; i++)
		assert_int_equal(out.stack_top[i], 16 * MiB - i * HV_GUEST_STACK_SIZE);
	assert_int_equal(out.free_hi, 16 * MiB - HV_GUEST_MAX_VCPUS * HV_GUEST_STACK_SIZE);
}

static void test_stacks_and_free_range(void **state)
{
	struct guest_layout_params p = params(8 * MiB, 3);

	(void)state;
	map_mem(8 * MiB);
	build_ok(&p);
	assert_int_equal(out.stack_top[0], 8 * MiB);
	assert_int_equal(out.stack_top[1], 8 * MiB - 64 * KiB);
	assert_int_equal(out.stack_top[2], 8 * MiB - 128 * KiB);
	for (unsigned i = 3; i < HV_GUEST_MAX_VCPUS; i++)
		assert_int_equal(out.stack_top[i], 0);
	assert_int_equal(out.free_lo, 0x202000); /* 0x201360 up to a page */
	assert_int_equal(out.free_hi, 8 * MiB - 3 * 64 * KiB);
}

static void test_stacks_must_not_reach_image(void **state)
{
	struct guest_layout_params p = params(8 * MiB, 1);

	(void)state;
	map_mem(8 * MiB);
	p.image.load_hi = 8 * MiB - HV_GUEST_STACK_SIZE + 1;
	expect_refused(&p, -ENOSPC, "reason=stacks-overlap-image");
	p.vcpu_count = HV_GUEST_MAX_VCPUS;
	p.image.load_hi = 7 * MiB + 1;
	expect_refused(&p, -ENOSPC, "reason=stacks-overlap-image");

	/* Touching is fine and leaves no free memory. */
	p.image.load_hi = 7 * MiB;
	build_ok(&p);
	assert_int_equal(out.free_lo, 7 * MiB);
	assert_int_equal(out.free_hi, 7 * MiB);
}

static void test_refuses_image_outside_memory(void **state)
{
	struct guest_layout_params p = params(8 * MiB, 1);

	(void)state;
	map_mem(8 * MiB);
	p.image.load_lo = HV_GUEST_IMAGE_MIN_GPA - PAGE_SIZE;
	expect_refused(&p, -EINVAL, "reason=image-outside-memory");
	p = params(8 * MiB, 1);
	p.image.load_hi = 8 * MiB + PAGE_SIZE;
	expect_refused(&p, -EINVAL, "reason=image-outside-memory");
	p = params(8 * MiB, 1);
	p.image.load_hi = p.image.load_lo; /* no image at all */
	expect_refused(&p, -EINVAL, "reason=image-outside-memory");
}

static uint64_t read_u64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, mem + gpa, 8);
	return v;
}

/*
 * Flat 64-bit code (P, DPL 0, S, execute/read, accessed; G, L, D clear) and
 * data (P, S, read/write, accessed; G, D/B): the classic encodings.
 */
static void test_gdt(void **state)
{
	struct guest_layout_params p = params(8 * MiB, 1);

	(void)state;
	map_mem(8 * MiB);
	build_ok(&p);
	assert_int_equal(out.gdt_gpa, HV_GUEST_GDT_GPA);
	assert_int_equal(out.gdt_limit, 3 * 8 - 1);
	assert_int_equal(out.code_sel, 0x08);
	assert_int_equal(out.data_sel, 0x10);
	assert_int_equal(read_u64(HV_GUEST_GDT_GPA), 0);
	assert_int_equal(read_u64(HV_GUEST_GDT_GPA + out.code_sel), 0x00af9b000000ffffULL);
	assert_int_equal(read_u64(HV_GUEST_GDT_GPA + out.data_sel), 0x00cf93000000ffffULL);
	for (uint64_t off = 24; off < PAGE_SIZE; off++)
		assert_int_equal(mem[HV_GUEST_GDT_GPA + off], 0);
}

/* Only the GDT page and the page-table region change; unused table pages are cleared. */
static void test_writes_only_its_pages(void **state)
{
	struct guest_layout_params p = params(8 * MiB, 2);

	(void)state;
	map_mem(8 * MiB);
	memset(mem, POISON, 8 * MiB);
	build_ok(&p);
	for (uint64_t gpa = 0; gpa < 8 * MiB; gpa++) {
		bool gdt = gpa >= HV_GUEST_GDT_GPA && gpa < HV_GUEST_GDT_GPA + PAGE_SIZE;
		bool pt = gpa >= HV_GUEST_PT_GPA && gpa < HV_GUEST_PT_GPA + PT_REGION;

		if (!gdt && !pt && mem[gpa] != POISON)
			fail_msg("byte 0x%llx written", (unsigned long long)gpa);
	}
	for (uint64_t gpa = HV_GUEST_PT_GPA + guest_layout_pt_pages(8 * MiB) * PAGE_SIZE;
	     gpa < HV_GUEST_PT_GPA + PT_REGION; gpa++)
		assert_int_equal(mem[gpa], 0);
}

static void expect_range(const struct hv_guest_boot_info *bi, unsigned i, uint64_t base,
			 uint64_t size, uint32_t type)
{
	assert_int_equal(bi->mem[i].base, base);
	assert_int_equal(bi->mem[i].size, size);
	assert_int_equal(bi->mem[i].type, type);
	assert_int_equal(bi->mem[i].reserved, 0);
}

static void test_boot_info(void **state)
{
	struct guest_layout_params p = params(8 * MiB, 2);
	struct hv_guest_boot_info bi, zero;
	const uint64_t stacks = 8 * MiB - 2 * HV_GUEST_STACK_SIZE;

	(void)state;
	map_mem(8 * MiB);
	build_ok(&p);
	memset(&bi, 0x5a, sizeof(bi));
	guest_boot_info_init(&bi, &p, &out);
	assert_int_equal(bi.magic, HV_GUEST_BOOT_MAGIC);
	assert_memory_equal(&bi.magic, "UGSTBOOT", 8);
	assert_int_equal(bi.version, HV_GUEST_BOOT_VERSION);
	assert_int_equal(bi.size, sizeof(bi));
	assert_int_equal(bi.memory_size, 8 * MiB);
	assert_int_equal(bi.vcpu_count, 2);
	assert_int_equal(bi.mem_count, 3);
	expect_range(&bi, 0, 0, 0x202000, HV_GUEST_MEM_RESERVED);
	expect_range(&bi, 1, 0x202000, stacks - 0x202000, HV_GUEST_MEM_FREE);
	expect_range(&bi, 2, stacks, 2 * HV_GUEST_STACK_SIZE, HV_GUEST_MEM_RESERVED);

	/* Everything the caller fills starts cleared. */
	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(&bi.apic_ids, &zero.apic_ids,
			    sizeof(bi) - offsetof(struct hv_guest_boot_info, apic_ids));
	assert_memory_equal(bi.name, zero.name, sizeof(bi.name));
	assert_int_equal(bi.partition_id, 0);
	assert_int_equal(bi.mem[3].size, 0);
}

static void test_boot_info_without_free_memory(void **state)
{
	struct guest_layout_params p = params(8 * MiB, 1);
	struct hv_guest_boot_info bi;

	(void)state;
	map_mem(8 * MiB);
	p.image.load_hi = 8 * MiB - HV_GUEST_STACK_SIZE;
	build_ok(&p);
	guest_boot_info_init(&bi, &p, &out);
	assert_int_equal(bi.mem_count, 2);
	expect_range(&bi, 0, 0, p.image.load_hi, HV_GUEST_MEM_RESERVED);
	expect_range(&bi, 1, p.image.load_hi, HV_GUEST_STACK_SIZE, HV_GUEST_MEM_RESERVED);
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_tables_smallest_guest),
	    T(test_tables_across_gib),
	    T(test_largest_guest_and_e2big),
	    T(test_refuses_bad_mem_size),
	    T(test_vcpu_count_limits),
	    T(test_stacks_and_free_range),
	    T(test_stacks_must_not_reach_image),
	    T(test_refuses_image_outside_memory),
	    T(test_gdt),
	    T(test_writes_only_its_pages),
	    T(test_boot_info),
	    T(test_boot_info_without_free_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
