/*
 * The Multiboot2 boot information as hv.elf reads it: a well-formed one from
 * GRUB's point of view, then broken structure (sizes out of bounds, tags past
 * the end, no end tag) refused whole, and malformed tags (strings without
 * their NUL, modules ending before they start, bad memory map entries)
 * ignored one by one. Then the struct boot_info built from it: modules by
 * name, the configuration, the memory map with the image, modules, heap and
 * trampoline carved out, and refusals of overlapping or nameless modules
 * and of a missing memory map. Last, the RSDP found by the BIOS-area scan
 * (kernel/acpi/rsdp_scan.c) on images of the low 1 MiB when GRUB passed no
 * ACPI tag: EBDA first, then 0xE0000-0xFFFFF, broken candidates skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "boot/multiboot2/mb2_bootinfo.h"
#include "kernel/acpi/rsdp_scan.h"
#include "tests/unit/log_capture.h"

/* ---- building boot information ------------------------------------------ */

struct mbi {
	uint64_t words[2048];
	size_t len; /* bytes used, a multiple of 8 */
};

static struct mbi mbi;
static struct mb2_info info;
static struct boot_info bi;
static uint8_t rsdp_copy[64];

static uint8_t *bytes(void)
{
	return (uint8_t *)mbi.words;
}

static void mbi_begin(void)
{
	memset(&mbi, 0, sizeof(mbi));
	mbi.len = sizeof(struct mb2_info_header);
	log_capture_reset();
}

/* Appends a tag of header + payload; pads to 8 bytes like a loader does. */
static void add_tag(uint32_t type, const void *payload, uint32_t payload_len)
{
	struct mb2_tag h = {.type = type, .size = (uint32_t)sizeof(h) + payload_len};

	memcpy(bytes() + mbi.len, &h, sizeof(h));
	if (payload_len)
		memcpy(bytes() + mbi.len + sizeof(h), payload, payload_len);
	mbi.len += (sizeof(h) + payload_len + 7) & ~(size_t)7;
}

/* Sets total_size; end tag first unless the test wants none. */
static size_t mbi_end(bool with_end_tag)
{
	struct mb2_info_header hdr;

	if (with_end_tag)
		add_tag(MB2_TAG_END, NULL, 0);
	hdr = (struct mb2_info_header){.total_size = (uint32_t)mbi.len};
	memcpy(bytes(), &hdr, sizeof(hdr));
	return mbi.len;
}

static void add_string(uint32_t type, const char *s)
{
	add_tag(type, s, (uint32_t)strlen(s) + 1);
}

static void add_module(uint32_t start, uint32_t end, const char *name)
{
	uint8_t payload[128];
	size_t n = strlen(name) + 1;

	memcpy(payload, &start, 4);
	memcpy(payload + 4, &end, 4);
	memcpy(payload + 8, name, n);
	add_tag(MB2_TAG_MODULE, payload, (uint32_t)(8 + n));
}

struct e820 {
	uint64_t base, len;
	uint32_t type;
};

static void add_mmap_sized(const struct e820 *e, size_t n, uint32_t entry_size)
{
	uint8_t payload[1024] = {0};
	uint32_t version = 0;

	memcpy(payload, &entry_size, 4);
	memcpy(payload + 4, &version, 4);
	for (size_t i = 0; i < n; i++) {
		struct mb2_mmap_entry me = {e[i].base, e[i].len, e[i].type, 0};

		memcpy(payload + 8 + i * entry_size, &me, sizeof(me));
	}
	add_tag(MB2_TAG_MMAP, payload, (uint32_t)(8 + n * entry_size));
}

/* A PC with 512 MiB, as SeaBIOS/Bochs's BIOS report it. */
static const struct e820 pc_map[] = {
    {0x0, 0x9fc00, MB2_MEMORY_AVAILABLE},
    {0x9fc00, 0x400, 2},
    {0xf0000, 0x10000, 2},
    {0x100000, 0x1fef0000, MB2_MEMORY_AVAILABLE},
    {0x1fff0000, 0x10000, MB2_MEMORY_ACPI_RECLAIMABLE},
    {0xfffc0000, 0x40000, 2},
};

static const uint8_t rsdp_v1[20] = "RSD PTR \x42"
				   "BOCHS \x00\x00\x00\x00\x00";
static const uint8_t rsdp_v2[36] = "RSD PTR \x42"
				   "BOCHS \x02";

static size_t grub_like(void)
{
	mbi_begin();
	add_string(MB2_TAG_CMDLINE, "check hypervisor.log_level=debug");
	add_string(MB2_TAG_LOADER_NAME, "GRUB 2.06");
	add_module(0x300000, 0x300400, "hv.cfg");
	add_module(0x301000, 0x309000, "guests/parent.elf");
	add_module(0x309000, 0x310800, "guests/child.elf");
	add_tag(MB2_TAG_ACPI_OLD, rsdp_v1, sizeof(rsdp_v1));
	add_tag(MB2_TAG_ACPI_NEW, rsdp_v2, sizeof(rsdp_v2));
	add_mmap_sized(pc_map, ARRAY_SIZE(pc_map), 24);
	add_tag(8, "framebuffer-ish", 15); /* an unknown-to-us tag, odd size */
	return mbi_end(true);
}

/* ---- the tag walk --------------------------------------------------------- */

static void test_parses_what_grub_gives(void **state)
{
	size_t len = grub_like();

	(void)state;
	assert_int_equal(mb2_parse(bytes(), len, &info), 0);
	assert_int_equal(info.total_size, len);
	assert_string_equal(info.cmdline, "check hypervisor.log_level=debug");
	assert_string_equal(info.loader_name, "GRUB 2.06");
	assert_int_equal(info.module_count, 3);
	assert_string_equal(info.modules[1].name, "guests/parent.elf");
	assert_int_equal(info.modules[1].start, 0x301000);
	assert_int_equal(info.modules[1].end, 0x309000);
	assert_ptr_equal(mb2_find_module(&info, "hv.cfg"), &info.modules[0]);
	assert_null(mb2_find_module(&info, "guests/missing.elf"));
	assert_int_equal(info.mmap_count, ARRAY_SIZE(pc_map));
	assert_int_equal(mb2_mmap_entry(&info, 3).base_addr, 0x100000);
	assert_int_equal(mb2_mmap_entry(&info, 4).type, MB2_MEMORY_ACPI_RECLAIMABLE);
	/* Both RSDP copies given: the 2.0 one wins whatever the order. */
	assert_int_equal(info.rsdp_tag, MB2_TAG_ACPI_NEW);
	assert_int_equal(info.rsdp_size, 36);
	assert_false(log_capture_contains("mb2"));
}

static void test_total_size_out_of_bounds_is_refused(void **state)
{
	size_t len = grub_like();
	uint32_t tiny = 8;

	(void)state;
	assert_int_equal(mb2_parse(bytes(), len - 8, &info), -EINVAL); /* past what is readable */
	assert_true(log_capture_contains("total size out of bounds"));
	memcpy(bytes(), &tiny, 4);
	assert_int_equal(mb2_parse(bytes(), len, &info), -EINVAL); /* no room for a tag */
	assert_int_equal(mb2_parse(bytes(), 4, &info), -EINVAL);   /* not even a header */
	assert_true(log_capture_contains("shorter than its header"));
}

static void test_tag_past_the_end_is_refused(void **state)
{
	/* The loader name tag follows the header and the padded command line. */
	const size_t at = 8 + 48;
	struct mb2_tag h;

	(void)state;
	grub_like();
	memcpy(&h, bytes() + at, sizeof(h));
	assert_int_equal(h.type, MB2_TAG_LOADER_NAME);
	h.size = 4096; /* claims more than is left */
	memcpy(bytes() + at, &h, sizeof(h));
	log_capture_reset();
	assert_int_equal(mb2_parse(bytes(), mbi.len, &info), -EINVAL);
	assert_true(log_capture_contains("tag size out of bounds\" offset=56 value=4096"));
}

static void test_tag_smaller_than_its_header_is_refused(void **state)
{
	struct mb2_tag h = {.type = MB2_TAG_CMDLINE, .size = 4};

	(void)state;
	mbi_begin();
	memcpy(bytes() + mbi.len, &h, sizeof(h));
	mbi.len += 8;
	add_tag(MB2_TAG_END, NULL, 0);
	mbi_end(false);
	assert_int_equal(mb2_parse(bytes(), mbi.len, &info), -EINVAL);
	assert_true(log_capture_contains("tag size out of bounds"));
}

static void test_missing_end_tag_is_refused(void **state)
{
	(void)state;
	mbi_begin();
	add_string(MB2_TAG_CMDLINE, "x");
	mbi_end(false);
	assert_int_equal(mb2_parse(bytes(), mbi.len, &info), -EINVAL);
	assert_true(log_capture_contains("no end tag"));
}

static void test_strings_without_nul_are_ignored(void **state)
{
	(void)state;
	mbi_begin();
	add_tag(MB2_TAG_CMDLINE, "unterminated", 12);
	add_tag(MB2_TAG_LOADER_NAME, "", 0);
	add_string(MB2_TAG_LOADER_NAME, "second");
	mbi_end(true);
	assert_int_equal(mb2_parse(bytes(), mbi.len, &info), 0);
	assert_null(info.cmdline);
	/* An empty tag is ignored, so the second loader name is the first valid one. */
	assert_string_equal(info.loader_name, "second");
	assert_true(log_capture_contains("tag=cmdline reason=\"string without its NUL\""));
}

static void test_bad_modules_are_ignored(void **state)
{
	uint8_t short_module[4] = {0};
	uint8_t no_nul[12] = {0, 0x10, 0, 0, 0, 0x20, 0, 0, 'a', 'b', 'c', 'd'};

	(void)state;
	mbi_begin();
	add_module(0x200000, 0x100000, "backwards");
	add_module(0x200000, 0x200000, "empty");
	add_tag(MB2_TAG_MODULE, short_module, sizeof(short_module));
	add_tag(MB2_TAG_MODULE, no_nul, sizeof(no_nul));
	add_module(0x300000, 0x301000, "good");
	mbi_end(true);
	assert_int_equal(mb2_parse(bytes(), mbi.len, &info), 0);
	assert_int_equal(info.module_count, 1);
	assert_string_equal(info.modules[0].name, "good");
	assert_true(log_capture_contains("ends before it starts"));
	assert_true(log_capture_contains("tag=module reason=\"too short\""));
	assert_true(log_capture_contains("name without its NUL"));
}

static void test_too_many_modules_are_counted(void **state)
{
	char name[16];

	(void)state;
	mbi_begin();
	for (unsigned i = 0; i < MB2_MAX_MODULES + 3; i++) {
		snprintf(name, sizeof(name), "m%u", i);
		add_module(0x400000 + i * 0x1000, 0x400800 + i * 0x1000, name);
	}
	mbi_end(true);
	assert_int_equal(mb2_parse(bytes(), mbi.len, &info), 0);
	assert_int_equal(info.module_count, MB2_MAX_MODULES);
	assert_int_equal(info.modules_dropped, 3);
	assert_true(log_capture_contains("modules ignored count=3"));
}

static void test_bad_memory_maps_are_ignored(void **state)
{
	uint8_t short_mmap[4] = {24, 0, 0, 0};

	(void)state;
	mbi_begin();
	add_mmap_sized(pc_map, 2, 20); /* below the entry's own size */
	add_mmap_sized(pc_map, 2, 28); /* not a multiple of 8 */
	add_tag(MB2_TAG_MMAP, short_mmap, sizeof(short_mmap));
	add_mmap_sized(pc_map, 3, 32); /* a larger entry, as a later version may use */
	add_mmap_sized(pc_map, 6, 24); /* a second map: the first valid one counts */
	mbi_end(true);
	assert_int_equal(mb2_parse(bytes(), mbi.len, &info), 0);
	assert_int_equal(info.mmap_entry_size, 32);
	assert_int_equal(info.mmap_count, 3);
	assert_int_equal(mb2_mmap_entry(&info, 2).base_addr, 0xf0000);
	assert_true(log_capture_contains("bad entry size\" entry_size=20"));
	assert_true(log_capture_contains("bad entry size\" entry_size=28"));
	assert_true(log_capture_contains("tag=mmap reason=\"too short\""));
	assert_true(log_capture_contains("tag=mmap reason=\"given twice"));
}

static void test_old_rsdp_alone_is_used(void **state)
{
	(void)state;
	mbi_begin();
	add_tag(MB2_TAG_ACPI_OLD, rsdp_v1, sizeof(rsdp_v1));
	add_tag(MB2_TAG_ACPI_NEW, NULL, 0); /* empty: ignored */
	mbi_end(true);
	assert_int_equal(mb2_parse(bytes(), mbi.len, &info), 0);
	assert_int_equal(info.rsdp_tag, MB2_TAG_ACPI_OLD);
	assert_int_equal(info.rsdp_size, 20);
	assert_true(log_capture_contains("tag=acpi reason=\"empty\""));
}

/* ---- boot_info ------------------------------------------------------------ */

static const struct mb2_layout base_layout = {
    .image_base = 0x200000,
    .image_end = 0x277000,
    .info_base = 0x10000,
    .info_end = 0x11000,
    .heap_size = 32 * MiB,
    .rsdp_copy = rsdp_copy,
    .rsdp_copy_size = sizeof(rsdp_copy),
};

static const struct boot_mem_range *range_at(uint64_t addr)
{
	for (uint32_t i = 0; i < bi.mem_count; i++)
		if (bi.mem[i].base <= addr && addr - bi.mem[i].base < bi.mem[i].size)
			return &bi.mem[i];
	return NULL;
}

static uint32_t type_at(uint64_t addr)
{
	const struct boot_mem_range *r = range_at(addr);

	return r ? r->type : 0;
}

static int build(const struct mb2_layout *layout)
{
	assert_int_equal(mb2_parse(bytes(), mbi.len, &info), 0);
	return mb2_build_boot_info(&bi, &info, layout);
}

static void test_boot_info_from_grub(void **state)
{
	(void)state;
	grub_like();
	assert_int_equal(build(&base_layout), 0);
	assert_int_equal(bi.magic, BOOT_INFO_MAGIC);
	assert_int_equal(bi.size, sizeof(bi));
	assert_string_equal(bi.loader, "multiboot2");
	assert_string_equal(bi.cmdline, "check hypervisor.log_level=debug");
	assert_int_equal(bi.image_base, 0x200000);
	assert_int_equal(bi.image_size, 0x77000);
	/* The configuration by its name, the guests by theirs. */
	assert_int_equal(bi.config_base, 0x300000);
	assert_int_equal(bi.config_size, 0x400);
	assert_int_equal(bi.module_count, 2);
	assert_string_equal(bi.modules[0].name, "guests/parent.elf");
	assert_int_equal(bi.modules[1].base, 0x309000);
	assert_int_equal(bi.modules[1].size, 0x7800);
	/* The RSDP kept in the loader's own copy, the 2.0 one. */
	assert_int_equal(bi.rsdp, (uint64_t)(uintptr_t)rsdp_copy);
	assert_memory_equal(rsdp_copy, rsdp_v2, sizeof(rsdp_v2));
	/* The map: image, modules, heap, trampoline carved out of usable RAM. */
	assert_int_equal(type_at(0x200000), BOOT_MEM_HV);
	assert_int_equal(type_at(0x276fff), BOOT_MEM_HV);
	assert_int_equal(type_at(0x277000), BOOT_MEM_USABLE);
	assert_int_equal(type_at(0x300000), BOOT_MEM_MODULE);
	assert_int_equal(type_at(0x310fff), BOOT_MEM_MODULE); /* rounded up to its page */
	assert_int_equal(type_at(0x1fff0000), BOOT_MEM_ACPI_RECLAIM);
	assert_int_equal(bi.heap_size, 32 * MiB);
	assert_true(bi.heap_base >= MiB && bi.heap_base + bi.heap_size <= 0x1fff0000);
	assert_int_equal(bi.heap_base % (2 * MiB), 0);
	assert_int_equal(type_at(bi.heap_base), BOOT_MEM_HV);
	assert_int_equal(type_at(bi.heap_base + bi.heap_size - 1), BOOT_MEM_HV);
	assert_true(bi.trampoline_base >= 0x1000 && bi.trampoline_base < 0x9f000);
	assert_int_equal(bi.trampoline_base % PAGE_SIZE, 0);
	assert_int_equal(type_at(bi.trampoline_base), BOOT_MEM_HV);
	/* Sorted and disjoint. */
	for (uint32_t i = 1; i < bi.mem_count; i++)
		assert_true(bi.mem[i].base >= bi.mem[i - 1].base + bi.mem[i - 1].size);
	assert_true(log_capture_contains("boot info loader=\"GRUB 2.06\" modules=2"));
}

static void test_byte_ranges_become_whole_pages(void **state)
{
	(void)state;
	grub_like();
	assert_int_equal(build(&base_layout), 0);
	/* Usable 0..0x9fc00 shrinks to 0x9f000; reserved 0x9fc00.. grows to 0x9f000. */
	assert_int_equal(type_at(0x9efff), BOOT_MEM_HV); /* the trampoline, highest page */
	assert_int_equal(type_at(0x9f000), BOOT_MEM_RESERVED);
	for (uint32_t i = 0; i < bi.mem_count; i++) {
		assert_int_equal(bi.mem[i].base % PAGE_SIZE, 0);
		assert_int_equal(bi.mem[i].size % PAGE_SIZE, 0);
	}
}

static void test_missing_memory_map_gives_an_empty_map(void **state)
{
	(void)state;
	mbi_begin();
	add_module(0x300000, 0x300400, "hv.cfg");
	mbi_end(true);
	assert_int_equal(build(&base_layout), -EINVAL);
	assert_int_equal(bi.mem_count, 0); /* the core refuses it with its own report */
	assert_int_equal(bi.config_size, 0x400);
	assert_true(log_capture_contains("no usable memory map tag"));
}

static void test_unusable_modules_are_left_out(void **state)
{
	(void)state;
	mbi_begin();
	add_module(0x300000, 0x302000, "guests/a.elf");
	add_module(0x301000, 0x303000, "guests/b.elf"); /* overlaps a */
	add_module(0x270000, 0x280000, "guests/c.elf"); /* overlaps the image */
	add_module(0x310000, 0x311000, "");		/* no name */
	add_module(0x320000, 0x321000, "guests/a.elf"); /* a again */
	add_module(0x330000, 0x331000,
		   "guests/a-name-that-is-much-longer-than-sixty-three-characters.elf");
	add_mmap_sized(pc_map, ARRAY_SIZE(pc_map), 24);
	mbi_end(true);
	assert_int_equal(build(&base_layout), 0);
	assert_int_equal(bi.module_count, 1);
	assert_string_equal(bi.modules[0].name, "guests/a.elf");
	assert_true(log_capture_contains("name=\"guests/b.elf\" start=0x301000 end=0x303000 "
					 "reason=\"overlaps another module\""));
	assert_true(log_capture_contains("reason=\"overlaps the hypervisor image\""));
	assert_true(log_capture_contains("reason=\"no name: load it as `module2 FILE NAME`"));
	assert_true(log_capture_contains("reason=\"name given twice"));
	assert_true(log_capture_contains("reason=\"name too long\""));
	/* Left-out modules are ordinary memory again. */
	assert_int_equal(type_at(0x302000), BOOT_MEM_USABLE);
	assert_int_equal(type_at(0x320000), BOOT_MEM_USABLE);
}

static void test_at_most_sixteen_guest_modules(void **state)
{
	char name[16];

	(void)state;
	mbi_begin();
	for (unsigned i = 0; i < BOOT_MAX_MODULES + 2; i++) {
		snprintf(name, sizeof(name), "g%u", i);
		add_module(0x400000 + i * 0x1000, 0x400800 + i * 0x1000, name);
	}
	add_module(0x500000, 0x500100, "hv.cfg"); /* the configuration still counts */
	add_mmap_sized(pc_map, ARRAY_SIZE(pc_map), 24);
	mbi_end(true);
	assert_int_equal(build(&base_layout), 0);
	assert_int_equal(bi.module_count, BOOT_MAX_MODULES);
	assert_int_equal(bi.config_base, 0x500000);
	assert_true(log_capture_contains("name=\"g16\" start=0x410000 end=0x410800 reason=\"too "
					 "many modules\""));
}

static void test_heap_and_trampoline_avoid_the_boot_information(void **state)
{
	struct mb2_layout layout = base_layout;

	(void)state;
	grub_like();
	/* Boot information where the heap would go, then where the trampoline would. */
	layout.info_base = 0x1f000000;
	layout.info_end = 0x1f002000;
	assert_int_equal(build(&layout), 0);
	assert_int_equal(bi.heap_base, 0x1d000000);
	assert_int_equal(bi.heap_base + bi.heap_size, layout.info_base);
	layout.info_base = 0x9e800;
	layout.info_end = 0x9f000;
	assert_int_equal(build(&layout), 0);
	assert_int_equal(bi.trampoline_base, 0x9d000);
}

static void test_no_room_for_the_heap(void **state)
{
	struct mb2_layout layout = base_layout;

	(void)state;
	grub_like();
	layout.heap_size = 1024 * MiB;
	assert_int_equal(build(&layout), -ENOMEM);
	assert_int_equal(bi.heap_base, 0);
	assert_true(bi.mem_count > 0); /* the map stays, for the core's report */
	assert_true(log_capture_contains("no room for the heap size=0x40000000"));
}

static void test_heap_stays_below_4g(void **state)
{
	const struct e820 big[] = {
	    {0x0, 0x9fc00, MB2_MEMORY_AVAILABLE},
	    {0x100000, 0xbff00000, MB2_MEMORY_AVAILABLE},
	    {0x100000000ULL, 0x100000000ULL, MB2_MEMORY_AVAILABLE},
	};

	(void)state;
	mbi_begin();
	add_mmap_sized(big, ARRAY_SIZE(big), 24);
	mbi_end(true);
	assert_int_equal(build(&base_layout), 0);
	assert_int_equal(bi.heap_base + bi.heap_size, 0xc0000000ULL);
	assert_int_equal(type_at(0x100000000ULL), BOOT_MEM_USABLE);
}

static void test_bad_map_entries_and_missing_rsdp(void **state)
{
	const struct e820 odd[] = {
	    {0x0, 0x9fc00, MB2_MEMORY_AVAILABLE},
	    {0x100000, 0x1ff00000, MB2_MEMORY_AVAILABLE},
	    {0xfffffffffffff000ULL, 0x2000, MB2_MEMORY_AVAILABLE}, /* wraps */
	    {0x30000000, 0, MB2_MEMORY_AVAILABLE},		   /* empty */
	    {0x30000000, 0x1000, MB2_MEMORY_BADRAM},
	    {0x40000000, 0x800, MB2_MEMORY_AVAILABLE}, /* less than a page */
	};

	(void)state;
	mbi_begin();
	add_mmap_sized(odd, ARRAY_SIZE(odd), 24);
	mbi_end(true);
	assert_int_equal(build(&base_layout), 0);
	assert_true(log_capture_contains("memory map entry ignored index=2"));
	assert_true(log_capture_contains("reason=\"wraps\""));
	assert_int_equal(type_at(0x30000000), BOOT_MEM_UNUSABLE);
	assert_int_equal(type_at(0x40000000), 0);
	assert_int_equal(bi.rsdp, 0);
	assert_true(log_capture_contains("no ACPI RSDP tag"));
}

static void test_long_command_line_is_cut(void **state)
{
	char line[400];

	(void)state;
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	mbi_begin();
	add_string(MB2_TAG_CMDLINE, line);
	add_mmap_sized(pc_map, ARRAY_SIZE(pc_map), 24);
	mbi_end(true);
	assert_int_equal(build(&base_layout), 0);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_LEN - 1);
	assert_true(log_capture_contains("command line truncated"));
}

/* ---- RSDP from the BIOS areas ---------------------------------------------- */

static uint8_t low_memory[1 * MiB];

static const void *low_map(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	if (pa > sizeof(low_memory) || len > sizeof(low_memory) - pa)
		return NULL;
	return low_memory + pa;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* An RSDP at pa: revision 0 (20 bytes) or 2 (length bytes); checksums right. */
static void put_rsdp(uint64_t pa, uint8_t revision, uint32_t length, uint32_t xsdt)
{
	uint8_t *p = low_memory + pa;

	memset(p, 0, revision >= 2 ? length : 20);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "TESTID", 6);
	p[15] = revision;
	p[16] = 0xe0; /* RSDT at 0x7fe00e0 */
	p[17] = 0x00;
	p[18] = 0xfe;
	p[19] = 0x07;
	p[8] = (uint8_t)-sum(p, 20);
	if (revision < 2)
		return;
	memcpy(p + 20, &length, 4);
	memcpy(p + 24, &xsdt, 4);
	p[32] = (uint8_t)-sum(p, length);
}

static void set_ebda_segment(uint16_t seg)
{
	low_memory[0x40e] = (uint8_t)seg;
	low_memory[0x40f] = (uint8_t)(seg >> 8);
}

static int rsdp_images_reset(void **state)
{
	(void)state;
	memset(low_memory, 0, sizeof(low_memory));
	log_capture_reset();
	return 0;
}

static int find(uint64_t *pa)
{
	return acpi_rsdp_find_bios(low_map, NULL, pa);
}

static void test_rsdp_in_ebda_comes_first(void **state)
{
	struct mb2_layout layout = base_layout;
	uint64_t pa = 0;

	(void)state;
	set_ebda_segment(0x9fc0);
	put_rsdp(0x9fc40, 2, 36, 0x7fe0100);
	put_rsdp(0xf5a10, 0, 0, 0);
	assert_int_equal(find(&pa), 0);
	assert_int_equal(pa, 0x9fc40);
	/* No ACPI tag: the loader keeps its own copy of the one found */
	layout.low_memory_map = low_map;
	mbi_begin();
	add_mmap_sized(pc_map, ARRAY_SIZE(pc_map), 24);
	mbi_end(true);
	assert_int_equal(build(&layout), 0);
	assert_int_equal(bi.rsdp, (uint64_t)(uintptr_t)rsdp_copy);
	assert_memory_equal(rsdp_copy, low_memory + 0x9fc40, 36);
	assert_true(log_capture_contains("rsdp found by bios scan area=ebda pa=0x9fc40"));
}

/* Only the EBDA's first KiB is searched; then the BIOS area, v1 RSDPs too. */
static void test_rsdp_in_bios_area(void **state)
{
	struct mb2_layout layout = base_layout;
	uint64_t pa = 0;
	static const uint8_t zero[44];

	(void)state;
	set_ebda_segment(0x9fc0);
	put_rsdp(0x9fc00 + 1024, 2, 36, 0); /* past the first KiB */
	put_rsdp(0xfe300, 0, 0, 0);
	assert_int_equal(find(&pa), 0);
	assert_int_equal(pa, 0xfe300);
	layout.low_memory_map = low_map;
	mbi_begin();
	add_mmap_sized(pc_map, ARRAY_SIZE(pc_map), 24);
	mbi_end(true);
	memset(rsdp_copy, 0xa5, sizeof(rsdp_copy));
	assert_int_equal(build(&layout), 0);
	assert_memory_equal(rsdp_copy, low_memory + 0xfe300, 20);
	assert_memory_equal(rsdp_copy + 20, zero, sizeof(zero)); /* nothing past a v1 RSDP */
}

/* Candidates with a wrong checksum, extended checksum or length, or unaligned, are passed. */
static void test_broken_rsdp_candidates_are_skipped(void **state)
{
	uint64_t pa = 0;

	(void)state;
	put_rsdp(0xe0000, 0, 0, 0);
	low_memory[0xe0000 + 9] ^= 1; /* checksum now wrong */
	put_rsdp(0xe0020, 2, 36, 0x1000);
	low_memory[0xe0020 + 24] ^= 1; /* extended checksum now wrong */
	put_rsdp(0xe0060, 2, 20, 0);	/* a 2.0 length shorter than the structure */
	put_rsdp(0xe00a8, 0, 0, 0);	/* valid but not on a 16-byte boundary */
	put_rsdp(0xf0000, 2, 36, 0x2000);
	assert_int_equal(find(&pa), 0);
	assert_int_equal(pa, 0xf0000);
}

/* A candidate whose 2.0 length runs past the area, and a signature too near the end. */
static void test_rsdp_scan_stays_in_its_area(void **state)
{
	(void)state;
	put_rsdp(0xe0000, 2, 36, 0);
	assert_int_equal(acpi_rsdp_scan(low_memory + 0xe0000, 36), 0);
	assert_int_equal(acpi_rsdp_scan(low_memory + 0xe0000, 35), -ENOENT);
	put_rsdp(0xe1000, 0, 0, 0);
	assert_int_equal(acpi_rsdp_scan(low_memory + 0xe1000, 20), 0);
	assert_int_equal(acpi_rsdp_scan(low_memory + 0xe1000, 19), -ENOENT);
	assert_int_equal(acpi_rsdp_scan(low_memory + 0xe0ff0, 0x30), 0x10);
}

/* An EBDA segment that can't be one is not followed; nothing anywhere is reported. */
static void test_no_rsdp_in_bios_areas(void **state)
{
	struct mb2_layout layout = base_layout;
	uint64_t pa = 0;

	(void)state;
	set_ebda_segment(0xa000); /* the VGA hole */
	put_rsdp(0xa0000, 0, 0, 0);
	assert_int_equal(find(&pa), -ENOENT);
	assert_true(log_capture_contains("rsdp not found by bios scan ebda=0x0"));
	layout.low_memory_map = low_map;
	mbi_begin();
	add_mmap_sized(pc_map, ARRAY_SIZE(pc_map), 24);
	mbi_end(true);
	assert_int_equal(build(&layout), 0);
	assert_int_equal(bi.rsdp, 0);
	assert_true(log_capture_contains("none in the BIOS areas"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parses_what_grub_gives),
	    cmocka_unit_test(test_total_size_out_of_bounds_is_refused),
	    cmocka_unit_test(test_tag_past_the_end_is_refused),
	    cmocka_unit_test(test_tag_smaller_than_its_header_is_refused),
	    cmocka_unit_test(test_missing_end_tag_is_refused),
	    cmocka_unit_test(test_strings_without_nul_are_ignored),
	    cmocka_unit_test(test_bad_modules_are_ignored),
	    cmocka_unit_test(test_too_many_modules_are_counted),
	    cmocka_unit_test(test_bad_memory_maps_are_ignored),
	    cmocka_unit_test(test_old_rsdp_alone_is_used),
	    cmocka_unit_test(test_boot_info_from_grub),
	    cmocka_unit_test(test_byte_ranges_become_whole_pages),
	    cmocka_unit_test(test_missing_memory_map_gives_an_empty_map),
	    cmocka_unit_test(test_unusable_modules_are_left_out),
	    cmocka_unit_test(test_at_most_sixteen_guest_modules),
	    cmocka_unit_test(test_heap_and_trampoline_avoid_the_boot_information),
	    cmocka_unit_test(test_no_room_for_the_heap),
	    cmocka_unit_test(test_heap_stays_below_4g),
	    cmocka_unit_test(test_bad_map_entries_and_missing_rsdp),
	    cmocka_unit_test(test_long_command_line_is_cut),
	    cmocka_unit_test_setup(test_rsdp_in_ebda_comes_first, rsdp_images_reset),
	    cmocka_unit_test_setup(test_rsdp_in_bios_area, rsdp_images_reset),
	    cmocka_unit_test_setup(test_broken_rsdp_candidates_are_skipped, rsdp_images_reset),
	    cmocka_unit_test_setup(test_rsdp_scan_stays_in_its_area, rsdp_images_reset),
	    cmocka_unit_test_setup(test_no_rsdp_in_bios_areas, rsdp_images_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
