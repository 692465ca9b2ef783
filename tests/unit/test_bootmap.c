/*
 * The loader's memory map normalisation: overlaps resolved to the stronger
 * type, owned allocations carved out of usable memory, adjacent ranges of
 * one type merged, holes kept, broken input refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include "boot/bootmap.h"

static struct boot_info bi;

#define R(b, s, t) {.base = (b), .size = (s), .type = (t)}

static void assert_range(unsigned i, uint64_t base, uint64_t size, uint32_t type)
{
	assert_true(i < bi.mem_count);
	assert_int_equal(bi.mem[i].base, base);
	assert_int_equal(bi.mem[i].size, size);
	assert_int_equal(bi.mem[i].type, type);
}

static void test_sorts_and_merges(void **state)
{
	const struct boot_mem_range in[] = {
		R(0x200000, 0x100000, BOOT_MEM_USABLE), R(0x0, 0x100000, BOOT_MEM_USABLE),
		R(0x100000, 0x100000, BOOT_MEM_USABLE), R(0x400000, 0x1000, BOOT_MEM_ACPI_NVS),
	};

	(void)state;
	assert_int_equal(bootmap_build(&bi, in, 4, NULL, 0), 0);
	assert_int_equal(bi.mem_count, 2);
	assert_range(0, 0x0, 0x300000, BOOT_MEM_USABLE);
	assert_range(1, 0x400000, 0x1000, BOOT_MEM_ACPI_NVS); /* the hole stays a hole */
}

static void test_overlap_takes_stronger_type(void **state)
{
	const struct boot_mem_range in[] = {
		R(0x0, 0x400000, BOOT_MEM_USABLE),
		R(0x100000, 0x1000, BOOT_MEM_RESERVED),
		R(0x3ff000, 0x2000, BOOT_MEM_ACPI_RECLAIM),
	};

	(void)state;
	assert_int_equal(bootmap_build(&bi, in, 3, NULL, 0), 0);
	assert_int_equal(bi.mem_count, 4);
	assert_range(0, 0x0, 0x100000, BOOT_MEM_USABLE);
	assert_range(1, 0x100000, 0x1000, BOOT_MEM_RESERVED);
	assert_range(2, 0x101000, 0x2fe000, BOOT_MEM_USABLE);
	assert_range(3, 0x3ff000, 0x2000, BOOT_MEM_ACPI_RECLAIM);
}

static void test_owned_carved_from_usable_only(void **state)
{
	const struct boot_mem_range in[] = {
		R(0x0, 0x100000, BOOT_MEM_USABLE),
		R(0x100000, 0x1000, BOOT_MEM_FIRMWARE),
	};
	const struct boot_mem_range owned[] = {
		R(0x10000, 0x2000, BOOT_MEM_HV),
		R(0x12000, 0x1000, BOOT_MEM_MODULE),
		R(0x100000, 0x1000, BOOT_MEM_HV), /* over firmware memory: firmware wins */
	};

	(void)state;
	assert_int_equal(bootmap_build(&bi, in, 2, owned, 3), 0);
	assert_int_equal(bi.mem_count, 5);
	assert_range(0, 0x0, 0x10000, BOOT_MEM_USABLE);
	assert_range(1, 0x10000, 0x2000, BOOT_MEM_HV);
	assert_range(2, 0x12000, 0x1000, BOOT_MEM_MODULE);
	assert_range(3, 0x13000, 0xed000, BOOT_MEM_USABLE);
	assert_range(4, 0x100000, 0x1000, BOOT_MEM_FIRMWARE);
}

static void test_refuses_wrapping_range(void **state)
{
	const struct boot_mem_range in[] = {R(0xfffffffffffff000ULL, 0x2000, BOOT_MEM_USABLE)};

	(void)state;
	assert_int_equal(bootmap_build(&bi, in, 1, NULL, 0), -EINVAL);
}

static void test_zero_sized_ranges_ignored(void **state)
{
	const struct boot_mem_range in[] = {R(0x1000, 0, BOOT_MEM_RESERVED),
					    R(0x0, 0x2000, BOOT_MEM_USABLE)};

	(void)state;
	assert_int_equal(bootmap_build(&bi, in, 2, NULL, 0), 0);
	assert_int_equal(bi.mem_count, 1);
	assert_range(0, 0x0, 0x2000, BOOT_MEM_USABLE);
}

static void test_too_many_ranges(void **state)
{
	static struct boot_mem_range in[BOOTMAP_MAX_INPUT + 1];

	(void)state;
	/* Alternating types can't merge: more pieces than the boot info holds. */
	for (unsigned i = 0; i < BOOTMAP_MAX_INPUT; i++)
		in[i] = (struct boot_mem_range)R(i * 0x1000ULL, 0x1000,
						 i % 2 ? BOOT_MEM_USABLE : BOOT_MEM_RESERVED);
	assert_int_equal(bootmap_build(&bi, in, BOOTMAP_MAX_INPUT, NULL, 0), -E2BIG);
	assert_int_equal(bootmap_build(&bi, in, BOOTMAP_MAX_INPUT + 1, NULL, 0), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorts_and_merges),
		cmocka_unit_test(test_overlap_takes_stronger_type),
		cmocka_unit_test(test_owned_carved_from_usable_only),
		cmocka_unit_test(test_refuses_wrapping_range),
		cmocka_unit_test(test_zero_sized_ranges_ignored),
		cmocka_unit_test(test_too_many_ranges),
	};

	return cmocka_run_group_tests_name("bootmap", tests, NULL, NULL);
}
