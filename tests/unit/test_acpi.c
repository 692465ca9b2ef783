/*
 * Unit tests of kernel/acpi: discovery from the RSDP and the MADT, MCFG,
 * DMAR and FADT parsers, against QEMU-q35-like images and malformed ones.
 * Every refusal is checked for its error code and for the log line naming
 * the problem; images live in exact-size heap blocks so ASan catches any
 * read past a table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "hv/errno.h"
#include "kernel/acpi/acpi.h"
#include "tests/unit/acpi_images.h"
#include "tests/unit/log_capture.h"

static struct fake_mem mem;
static struct acpi acpi;
static struct img t;
static struct madt_info madt;
static struct mcfg_info mcfg;
static struct dmar_info dmar;
static struct fadt_info fadt;

static int setup(void **state)
{
	(void)state;
	log_capture_reset();
	fake_mem_init(&mem);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_mem_free(&mem);
	return 0;
}

static void expect_log(const char *needle)
{
	if (!log_capture_contains(needle))
		fail_msg("log lacks \"%s\"; log was:\n%s", needle, log_capture_text());
}

/* Exact-size heap copy of the first len bytes of an image; with patch, the
 * header's length says len (and the checksum is fixed) when a header fits. */
static uint8_t *cut(const struct img *src, uint32_t len, bool patch)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, src->b, len);
	if (patch && len >= 36)
		sdt_set_length(p, len);
	return p;
}

static int acpi_init_q35(void)
{
	return acpi_init(&acpi, Q35_RSDP_PA, fake_map, &mem);
}

static uint8_t *region(uint64_t pa)
{
	return fake_mem_at(&mem, pa, 1);
}

/* ------------------------------------------------------------------ */
/* Discovery                                                           */

static void test_q35_discovery(void **state)
{
	uint32_t len;
	(void)state;
	q35_platform(&mem);
	assert_int_equal(acpi_init_q35(), 0);
	assert_int_equal(acpi.rsdp_revision, 2);
	assert_true(acpi.xsdt);
	assert_false(acpi.truncated);
	assert_string_equal(acpi.oem_id, "BOCHS ");
	assert_int_equal(acpi.table_count, 4);
	assert_string_equal(acpi.tables[0].signature, "FACP");
	assert_int_equal(acpi.tables[0].length, 244);
	assert_int_equal(acpi.tables[0].revision, 3);
	assert_int_equal(acpi.tables[3].pa, Q35_DMAR_PA);
	assert_ptr_equal(acpi_find_table(&acpi, "APIC", 0, &len), region(Q35_APIC_PA));
	assert_int_equal(len, 144);
	assert_null(acpi_find_table(&acpi, "APIC", 1, &len));
	assert_int_equal(len, 0);
	assert_null(acpi_find_table(&acpi, "SSDT", 0, NULL));
	assert_null(acpi_find_table(&acpi, "API", 0, NULL));
	expect_log("root=xsdt pa=0x7fbfd0e8 entries=4 tables=4");
}

static void test_q35_parsers(void **state)
{
	const void *p;
	uint32_t len, enabled, online;
	struct dmar_bdf bdf;
	(void)state;
	q35_platform(&mem);
	assert_int_equal(acpi_init_q35(), 0);

	p = acpi_find_table(&acpi, "APIC", 0, &len);
	assert_int_equal(acpi_parse_madt(p, len, &madt), 0);
	assert_int_equal(madt.lapic_address, 0xfee00000);
	assert_true(madt.pcat_compat);
	madt_count_cpus(&madt, &enabled, &online);
	assert_int_equal(enabled, 4);
	assert_int_equal(online, 0);
	assert_int_equal(madt.cpus[3].apic_id, 3);
	assert_int_equal(madt.cpus[3].acpi_uid, 3);
	assert_false(madt.cpus[3].x2apic);
	assert_int_equal(madt.ioapic_count, 1);
	assert_int_equal(madt.ioapics[0].address, 0xfec00000);
	assert_int_equal(madt.override_count, 5);
	assert_int_equal(madt.overrides[0].source, 0);
	assert_int_equal(madt.overrides[0].gsi, 2);
	assert_int_equal(madt.overrides[4].flags, 0xd);
	assert_int_equal(madt.lapic_nmi_count, 1);

	p = acpi_find_table(&acpi, "MCFG", 0, &len);
	assert_int_equal(acpi_parse_mcfg(p, len, &mcfg), 0);
	assert_int_equal(mcfg.count, 1);
	assert_int_equal(mcfg.allocations[0].base, 0xb0000000);
	assert_int_equal(mcfg.allocations[0].end_bus, 255);
	assert_null(mcfg_find(&mcfg, 1, 0));
	assert_int_equal(mcfg_config_address(mcfg_find(&mcfg, 0, 3), 3, 1, 2), 0xb030a000);

	p = acpi_find_table(&acpi, "DMAR", 0, &len);
	assert_int_equal(acpi_parse_dmar(p, len, &dmar), 0);
	assert_int_equal(dmar.host_address_width, 48);
	assert_true(dmar.intr_remap);
	assert_false(dmar.x2apic_opt_out);
	assert_int_equal(dmar.drhd_count, 1);
	assert_int_equal(dmar.drhds[0].register_base, 0xfed90000);
	assert_int_equal(dmar.drhds[0].register_size, 4096);
	assert_false(dmar.drhds[0].include_pci_all);
	assert_int_equal(dmar.drhds[0].scope_count, 3);
	assert_int_equal(dmar.drhds[0].scopes[0].type, DMAR_SCOPE_IOAPIC);
	assert_int_equal(dmar.drhds[0].scopes[0].start_bus, 0xff);
	assert_string_equal(dmar_scope_type_name(dmar.drhds[0].scopes[2].type), "pci-subhierarchy");
	assert_true(dmar_scope_bdf(&dmar.drhds[0].scopes[1], &bdf));
	assert_int_equal(bdf.bus, 0);
	assert_int_equal(bdf.dev, 1);
	assert_int_equal(bdf.fn, 0);

	p = acpi_find_table(&acpi, "FACP", 0, &len);
	assert_int_equal(acpi_parse_fadt(p, len, &fadt), 0);
	assert_int_equal(fadt.revision, 3);
	assert_false(fadt.hw_reduced);
	assert_true(fadt.pm_timer_present);
	assert_false(fadt.pm_timer_32bit);
	assert_int_equal(fadt.pm_timer.space_id, ACPI_GAS_SPACE_IO);
	assert_int_equal(fadt.pm_timer.address, 0x608);
	assert_true(fadt.reset_present);
	assert_int_equal(fadt.reset_reg.address, 0xcf9);
	assert_int_equal(fadt.reset_value, 0x0f);
	assert_int_equal(fadt.century, 0x32);
	assert_int_equal(fadt.sci_int, 9);
}

static void test_rsdp_rev0_rsdt(void **state)
{
	const uint32_t entries[] = {Q35_APIC_PA, Q35_FACP_PA};
	(void)state;
	q35_platform(&mem);
	img_rsdp(&t, 0, Q35_RSDT_PA, 0);
	fake_mem_add_img(&mem, 0xf5000, &t);
	img_rsdt(&t, entries, 2);
	fake_mem_add_img(&mem, Q35_RSDT_PA, &t);
	assert_int_equal(acpi_init(&acpi, 0xf5000, fake_map, &mem), 0);
	assert_false(acpi.xsdt);
	assert_int_equal(acpi.rsdp_revision, 0);
	assert_int_equal(acpi.table_count, 2);
	assert_string_equal(acpi.tables[0].signature, "APIC");
	assert_non_null(acpi_find_table(&acpi, "FACP", 0, NULL));
}

static void test_rsdp_rev2_without_xsdt_uses_rsdt(void **state)
{
	const uint32_t entries[] = {Q35_MCFG_PA};
	(void)state;
	q35_platform(&mem);
	img_rsdp(&t, 2, Q35_RSDT_PA, 0);
	fake_mem_add_img(&mem, 0xf5000, &t);
	img_rsdt(&t, entries, 1);
	fake_mem_add_img(&mem, Q35_RSDT_PA, &t);
	assert_int_equal(acpi_init(&acpi, 0xf5000, fake_map, &mem), 0);
	assert_false(acpi.xsdt);
	assert_int_equal(acpi.table_count, 1);
	assert_string_equal(acpi.tables[0].signature, "MCFG");
}

static void test_rsdp_refusals(void **state)
{
	uint8_t *rsdp;
	uint32_t len;
	(void)state;
	q35_platform(&mem);
	rsdp = region(Q35_RSDP_PA);

	rsdp[0] = 'X';
	assert_int_equal(acpi_init_q35(), -EINVAL);
	expect_log("rsdp pa=0x7fbfe014 refused reason=bad-signature");
	assert_int_equal(acpi.table_count, 0);
	rsdp[0] = 'R';

	rsdp[10] ^= 1; /* inside the first 20 bytes */
	assert_int_equal(acpi_init_q35(), -EBADMSG);
	expect_log("rsdp pa=0x7fbfe014 refused reason=bad-checksum");
	acpi_fix_checksum(rsdp, 20, 8);
	acpi_fix_checksum(rsdp, 36, 32);
	assert_int_equal(acpi_init_q35(), 0);

	rsdp[34] = 1; /* reserved byte: only the extended checksum covers it */
	assert_int_equal(acpi_init_q35(), -EBADMSG);
	expect_log("rsdp pa=0x7fbfe014 refused reason=bad-extended-checksum");

	for (unsigned i = 0; i < 3; i++) {
		len = (const uint32_t[]){20, 35, 0xffffffff}[i];
		memcpy(rsdp + 20, &len, 4);
		acpi_fix_checksum(rsdp, 36, 32);
		log_capture_reset();
		assert_int_equal(acpi_init_q35(), -EINVAL);
		expect_log("rsdp pa=0x7fbfe014 refused reason=bad-length");
	}
}

static void test_rsdp_unmapped(void **state)
{
	(void)state;
	q35_platform(&mem);
	assert_int_equal(acpi_init(&acpi, 0x1000, fake_map, &mem), -EFAULT);
	expect_log("rsdp pa=0x1000 refused reason=unmapped");
	/* A revision 2 RSDP of which only the 1.0 part is readable. */
	img_rsdp(&t, 2, 0, Q35_XSDT_PA);
	fake_mem_add(&mem, 0x2000, t.b, 20);
	log_capture_reset();
	assert_int_equal(acpi_init(&acpi, 0x2000, fake_map, &mem), -EFAULT);
	expect_log("rsdp pa=0x2000 refused reason=unmapped");
	/* Ranges that wrap around the address space are never mapped. */
	assert_int_equal(acpi_init(&acpi, 0xfffffffffffffff0ULL, fake_map, &mem), -EFAULT);
	assert_int_equal(acpi_init(&acpi, Q35_RSDP_PA, NULL, &mem), -EINVAL);
}

static void test_rsdp_without_root(void **state)
{
	(void)state;
	img_rsdp(&t, 0, 0, 0);
	fake_mem_add_img(&mem, 0xf5000, &t);
	assert_int_equal(acpi_init(&acpi, 0xf5000, fake_map, &mem), -EINVAL);
	expect_log("rsdp pa=0xf5000 refused reason=no-root-table");
}

static void test_xsdt_refusals(void **state)
{
	uint8_t *xsdt;
	uint32_t absurd = 0xffffffff;
	(void)state;
	q35_platform(&mem);
	xsdt = region(Q35_XSDT_PA);

	xsdt[40] ^= 0x10;
	assert_int_equal(acpi_init_q35(), -EBADMSG);
	expect_log("root sig=XSDT pa=0x7fbfd0e8 refused reason=bad-checksum");
	xsdt[40] ^= 0x10;

	memcpy(xsdt, "RSDT", 4);
	acpi_fix_checksum(xsdt, 68, 9);
	assert_int_equal(acpi_init_q35(), -EINVAL);
	expect_log("root sig=RSDT pa=0x7fbfd0e8 refused reason=bad-signature expected=XSDT");
	memcpy(xsdt, "XSDT", 4);

	memcpy(xsdt + 4, &absurd, 4);
	assert_int_equal(acpi_init_q35(), -EINVAL);
	expect_log("root sig=XSDT pa=0x7fbfd0e8 refused reason=absurd-length");
}

static void test_xsdt_length_not_multiple_of_8(void **state)
{
	const uint64_t entries[] = {Q35_FACP_PA, Q35_APIC_PA};
	(void)state;
	q35_platform(&mem);
	img_xsdt(&t, entries, 2);
	img_u32(&t, 0); /* half an entry */
	img_finish(&t);
	fake_mem_add_img(&mem, 0x9000, &t);
	img_rsdp(&t, 2, 0, 0x9000);
	fake_mem_add_img(&mem, 0xf5000, &t);
	assert_int_equal(acpi_init(&acpi, 0xf5000, fake_map, &mem), -EINVAL);
	expect_log("root sig=XSDT pa=0x9000 refused reason=bad-entry-size");
}

static void test_xsdt_unmapped(void **state)
{
	(void)state;
	img_rsdp(&t, 2, 0, 0xdead0000);
	fake_mem_add_img(&mem, 0xf5000, &t);
	assert_int_equal(acpi_init(&acpi, 0xf5000, fake_map, &mem), -EFAULT);
	expect_log("root sig=???? pa=0xdead0000 refused reason=unmapped");
}

/* The XSDT cut at every length, as memory and as the length field says. */
static void test_xsdt_truncated_every_length(void **state)
{
	static const uint64_t entries[] = {Q35_FACP_PA, Q35_APIC_PA, Q35_MCFG_PA, Q35_DMAR_PA};
	struct img xsdt;
	(void)state;
	img_xsdt(&xsdt, entries, 4);
	for (uint32_t len = 0; len < xsdt.len; len++) {
		fake_mem_init(&mem);
		img_rsdp(&t, 2, 0, Q35_XSDT_PA);
		fake_mem_add_img(&mem, Q35_RSDP_PA, &t);
		fake_mem_add(&mem, Q35_XSDT_PA, xsdt.b, len);
		log_capture_reset();
		assert_int_equal(acpi_init_q35(), -EFAULT);
		expect_log(len < 36 ? "root sig=???? pa=0x7fbfd0e8 refused reason=unmapped"
				    : "root sig=XSDT pa=0x7fbfd0e8 refused reason=unmapped");
		fake_mem_free(&mem);
	}
	for (uint32_t len = 36; len <= xsdt.len; len++) {
		fake_mem_init(&mem);
		q35_platform_entries(&mem, entries, 4);
		sdt_set_length(region(Q35_XSDT_PA), len);
		log_capture_reset();
		if ((len - 36) % 8) {
			assert_int_equal(acpi_init_q35(), -EINVAL);
			expect_log("reason=bad-entry-size");
		} else {
			assert_int_equal(acpi_init_q35(), 0);
			assert_int_equal(acpi.table_count, (len - 36) / 8);
		}
		fake_mem_free(&mem);
	}
	for (uint32_t len = 0; len < 36; len++) {
		fake_mem_init(&mem);
		q35_platform(&mem);
		memcpy(region(Q35_XSDT_PA) + 4, &len, 4);
		log_capture_reset();
		assert_int_equal(acpi_init_q35(), -EINVAL);
		expect_log("root sig=XSDT pa=0x7fbfd0e8 refused reason=short-length");
		fake_mem_free(&mem);
	}
}

static void test_table_refusals_are_skipped(void **state)
{
	uint8_t *apic, *facp, *mcfg_tbl;
	uint32_t v;
	(void)state;
	q35_platform(&mem);
	apic = region(Q35_APIC_PA);
	facp = region(Q35_FACP_PA);
	mcfg_tbl = region(Q35_MCFG_PA);
	apic[50] ^= 0xff;
	v = 0xffffffff;
	memcpy(facp + 4, &v, 4);
	mcfg_tbl[0] = 0x01;
	assert_int_equal(acpi_init_q35(), 0);
	assert_int_equal(acpi.table_count, 1);
	assert_string_equal(acpi.tables[0].signature, "DMAR");
	assert_null(acpi_find_table(&acpi, "APIC", 0, NULL));
	expect_log("table sig=APIC pa=0x7fbf9000 refused reason=bad-checksum");
	expect_log("table sig=FACP pa=0x7fbfa000 refused reason=absurd-length");
	expect_log("table sig=?CFG pa=0x7fbf8000 refused reason=bad-signature");

	v = 35;
	memcpy(facp + 4, &v, 4);
	log_capture_reset();
	assert_int_equal(acpi_init_q35(), 0);
	expect_log("table sig=FACP pa=0x7fbfa000 refused reason=short-length");
}

static void test_table_unmapped_is_skipped(void **state)
{
	const uint64_t entries[] = {0xabc000, Q35_APIC_PA, 0x5000};
	(void)state;
	q35_platform_entries(&mem, entries, 3);
	img_q35_mcfg(&t);
	fake_mem_add(&mem, 0x5000, t.b, t.len - 1); /* header fits, table does not */
	assert_int_equal(acpi_init_q35(), 0);
	assert_int_equal(acpi.table_count, 1);
	expect_log("table sig=???? pa=0xabc000 refused reason=unmapped");
	expect_log("table sig=MCFG pa=0x5000 refused reason=unmapped");
}

/* Each table cut short in memory is skipped; never read past. */
static void test_tables_truncated_every_length(void **state)
{
	static void (*const builders[])(struct img *) = {img_q35_madt, img_q35_mcfg, img_q35_dmar,
							 img_q35_fadt};
	const uint64_t entries[] = {0x5000};
	(void)state;
	for (unsigned b = 0; b < 4; b++) {
		builders[b](&t);
		for (uint32_t len = 0; len <= t.len; len++) {
			fake_mem_init(&mem);
			q35_platform_entries(&mem, entries, 1);
			fake_mem_add(&mem, 0x5000, t.b, len);
			assert_int_equal(acpi_init_q35(), 0);
			assert_int_equal(acpi.table_count, len == t.len ? 1 : 0);
			fake_mem_free(&mem);
		}
	}
}

static void test_duplicate_and_null_pointers(void **state)
{
	const uint64_t entries[] = {Q35_FACP_PA, Q35_APIC_PA, Q35_APIC_PA, 0, Q35_FACP_PA};
	(void)state;
	q35_platform_entries(&mem, entries, 5);
	assert_int_equal(acpi_init_q35(), 0);
	assert_int_equal(acpi.table_count, 2);
	expect_log("table sig=APIC pa=0x7fbf9000 skipped reason=duplicate index=2");
	expect_log("table sig=FACP pa=0x7fbfa000 skipped reason=duplicate index=4");
	expect_log("root entry index=3 skipped reason=null");
}

static void test_table_list_full_and_instances(void **state)
{
	uint64_t entries[70];
	uint32_t len;
	(void)state;
	img_begin(&t, "SSDT", 2);
	img_zeros(&t, 4);
	for (unsigned i = 0; i < 70; i++) {
		entries[i] = 0x100000 + i * 0x1000;
		img_put_u32(&t, 36, i);
		img_finish(&t);
		fake_mem_add_img(&mem, entries[i], &t);
	}
	q35_platform_entries(&mem, entries, 70);
	assert_int_equal(acpi_init_q35(), 0);
	assert_int_equal(acpi.table_count, ACPI_MAX_TABLES);
	assert_true(acpi.truncated);
	expect_log("table sig=SSDT pa=0x140000 dropped reason=table-list-full max=64");
	const uint8_t *ssdt = acpi_find_table(&acpi, "SSDT", 63, &len);
	assert_non_null(ssdt);
	assert_int_equal(len, 40);
	assert_int_equal(ssdt[36], 63);
	assert_null(acpi_find_table(&acpi, "SSDT", 64, NULL));
}

static void test_root_entries_capped(void **state)
{
	static uint64_t entries[300];
	(void)state;
	q35_platform_entries(&mem, entries, 300);
	assert_int_equal(acpi_init_q35(), 0);
	assert_true(acpi.truncated);
	expect_log("entries=300 capped=256");
	expect_log("root entry index=255 skipped reason=null");
	assert_false(log_capture_contains("index=256"));
}

/* ------------------------------------------------------------------ */
/* MADT                                                                */

static void test_madt_truncated_every_length(void **state)
{
	static const uint32_t ends[] = {44, 52, 60, 68, 76, 88, 98, 108, 118, 128, 138, 144};
	(void)state;
	img_q35_madt(&t);
	assert_int_equal(t.len, 144);
	for (uint32_t len = 0; len <= t.len; len++) {
		bool at_end = false;
		uint8_t *p = cut(&t, len, false);

		assert_int_equal(acpi_parse_madt(p, len, &madt), len == t.len ? 0 : -EINVAL);
		free(p);
		for (unsigned i = 0; i < ARRAY_SIZE(ends); i++)
			at_end |= ends[i] == len;
		p = cut(&t, len, true);
		log_capture_reset();
		assert_int_equal(acpi_parse_madt(p, len, &madt), at_end ? 0 : -EINVAL);
		if (!at_end) {
			expect_log("madt refused reason=");
			assert_int_equal(madt.cpu_count, 0);
		}
		free(p);
	}
}

static void test_madt_bad_subtable_lengths(void **state)
{
	(void)state;
	for (uint8_t sublen = 0; sublen < 2; sublen++) {
		img_madt_begin(&t, 0xfee00000, 0);
		img_u8(&t, 0);
		img_u8(&t, sublen);
		img_zeros(&t, 6);
		img_finish(&t);
		log_capture_reset();
		assert_int_equal(acpi_parse_madt(t.b, t.len, &madt), -EINVAL);
		expect_log("madt refused reason=bad-subtable-length offset=44 type=0 length=");
	}
	/* An x2APIC entry whose length runs past the end of the table. */
	img_madt_begin(&t, 0xfee00000, 0);
	img_madt_lapic(&t, 0, 0, 1);
	img_u8(&t, 9);
	img_u8(&t, 16);
	img_zeros(&t, 8);
	img_finish(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &madt), -EINVAL);
	expect_log("reason=bad-subtable-length offset=52 type=9 length=16");
	/* A processor entry shorter than the structure. */
	img_madt_begin(&t, 0xfee00000, 0);
	img_u8(&t, 0);
	img_u8(&t, 6);
	img_zeros(&t, 4);
	img_finish(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &madt), -EINVAL);
	expect_log("madt refused reason=short-subtable offset=44 type=lapic length=6 min=8");
}

static void test_madt_unknown_and_unusable(void **state)
{
	uint32_t enabled, online;
	(void)state;
	img_begin(&t, "APIC", 5);
	img_u32(&t, 0xfee00000);
	img_u32(&t, 0);
	img_u8(&t, 0x7f); /* unknown type, skipped by its length */
	img_u8(&t, 3);
	img_u8(&t, 0xaa);
	img_madt_lapic(&t, 0, 0, 1);
	img_madt_lapic(&t, 1, 1, 0);	/* disabled: ignored */
	img_madt_lapic(&t, 2, 0xff, 1); /* invalid id: ignored */
	img_madt_lapic(&t, 3, 0, 0);	/* disabled duplicate: harmless */
	img_madt_x2apic(&t, 0x100, 4, 1);
	img_madt_x2apic(&t, 0x101, 5, 2); /* online capable only */
	img_madt_x2apic(&t, 0xffffffff, 6, 1);
	img_u8(&t, 5); /* 64-bit local APIC address override */
	img_u8(&t, 12);
	img_u16(&t, 0);
	img_u64(&t, 0x1fee00000ULL);
	img_finish(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &madt), 0);
	assert_int_equal(madt.unknown_count, 1);
	assert_int_equal(madt.unusable_cpu_count, 4);
	assert_int_equal(madt.cpu_count, 3);
	assert_true(madt.cpus[1].x2apic);
	assert_int_equal(madt.cpus[1].apic_id, 0x100);
	assert_int_equal(madt.cpus[2].acpi_uid, 5);
	assert_true(madt.cpus[2].online_capable);
	madt_count_cpus(&madt, &enabled, &online);
	assert_int_equal(enabled, 2);
	assert_int_equal(online, 1);
	assert_true(madt.lapic_address_overridden);
	assert_int_equal(madt.lapic_address, 0x1fee00000ULL);
	assert_false(madt.pcat_compat);
	assert_string_equal(madt_type_name(9), "x2apic");
	assert_string_equal(madt_type_name(0x7f), "unknown");
}

static void test_madt_duplicates(void **state)
{
	(void)state;
	img_madt_begin(&t, 0xfee00000, 1);
	img_madt_lapic(&t, 0, 0, 1);
	img_madt_lapic(&t, 1, 1, 1);
	img_madt_lapic(&t, 2, 1, 1);
	img_finish(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &madt), -EEXIST);
	expect_log("madt refused reason=duplicate-apic-id apic_id=0x1 uid=2");
	assert_int_equal(madt.cpu_count, 0);
	/* The same CPU as xAPIC and x2APIC entry (seen in real firmware): kept once. */
	img_madt_begin(&t, 0xfee00000, 1);
	img_madt_lapic(&t, 0, 7, 1);
	img_madt_x2apic(&t, 7, 8, 1);
	img_finish(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &madt), 0);
	assert_int_equal(madt.cpu_count, 1);
	assert_int_equal(madt.duplicate_cpu_count, 1);
	assert_false(madt.cpus[0].x2apic);
	expect_log("madt cpu listed as lapic and x2apic apic_id=0x7: kept once");
	/* Two x2APIC entries with one id: broken. */
	img_madt_begin(&t, 0xfee00000, 1);
	img_madt_x2apic(&t, 0x300, 1, 1);
	img_madt_x2apic(&t, 0x300, 2, 1);
	img_finish(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &madt), -EEXIST);
	/* Two address overrides. */
	img_madt_begin(&t, 0xfee00000, 1);
	for (int i = 0; i < 2; i++) {
		img_u8(&t, 5);
		img_u8(&t, 12);
		img_zeros(&t, 10);
	}
	img_finish(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &madt), -EINVAL);
	expect_log("madt refused reason=duplicate-lapic-override");
}

static void test_madt_limits(void **state)
{
	(void)state;
	img_madt_begin(&t, 0xfee00000, 1);
	for (uint32_t i = 0; i < MADT_MAX_CPUS; i++)
		img_madt_x2apic(&t, i, i, 1);
	img_finish(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &madt), 0);
	assert_int_equal(madt.cpu_count, MADT_MAX_CPUS);
	img_madt_x2apic(&t, 999, 999, 1);
	img_finish(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &madt), -E2BIG);
	expect_log("madt refused reason=too-many-cpus max=256");
	img_madt_begin(&t, 0xfee00000, 1);
	for (uint32_t i = 0; i <= MADT_MAX_IOAPICS; i++)
		img_madt_ioapic(&t, (uint8_t)i, 0xfec00000 + i * 0x1000, i * 24);
	img_finish(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &madt), -E2BIG);
	expect_log("madt refused reason=too-many-ioapics max=16");
	img_q35_mcfg(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.len, &madt), -EINVAL);
	expect_log("madt refused reason=bad-signature sig=MCFG");
	assert_int_equal(acpi_parse_madt(NULL, 0, &madt), -EINVAL);
}

/* ------------------------------------------------------------------ */
/* MCFG                                                                */

static void test_mcfg_truncated_every_length(void **state)
{
	(void)state;
	img_mcfg_begin(&t);
	img_mcfg_alloc(&t, 0xb0000000, 0, 0, 127);
	img_mcfg_alloc(&t, 0xc0000000, 0, 128, 255);
	img_finish(&t);
	for (uint32_t len = 0; len <= t.len; len++) {
		bool whole = len >= 44 && (len - 44) % 16 == 0;
		uint8_t *p = cut(&t, len, true);

		log_capture_reset();
		assert_int_equal(acpi_parse_mcfg(p, len, &mcfg), whole ? 0 : -EINVAL);
		if (whole)
			assert_int_equal(mcfg.count, (len - 44) / 16);
		else
			expect_log("mcfg refused reason=");
		free(p);
	}
	assert_non_null(mcfg_find(&mcfg, 0, 200));
	assert_int_equal(mcfg_find(&mcfg, 0, 200)->base, 0xc0000000);
}

static void mcfg_expect(int err, const char *log)
{
	log_capture_reset();
	img_finish(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.len, &mcfg), err);
	if (log)
		expect_log(log);
	if (err)
		assert_int_equal(mcfg.count, 0);
}

static void test_mcfg_refusals(void **state)
{
	(void)state;
	img_mcfg_begin(&t);
	img_mcfg_alloc(&t, 0xb0000000, 0, 0, 127);
	img_mcfg_alloc(&t, 0xc0000000, 0, 127, 200);
	mcfg_expect(-EINVAL, "mcfg refused reason=overlapping-buses index=1 base=0xc0000000 "
			     "segment=0 start_bus=127 end_bus=200");

	img_mcfg_begin(&t);
	img_mcfg_alloc(&t, 0xb0000000, 0, 0, 255);
	img_mcfg_alloc(&t, 0xc0000000, 1, 0, 255); /* another segment: fine */
	mcfg_expect(0, NULL);
	assert_int_equal(mcfg.count, 2);
	assert_int_equal(mcfg_find(&mcfg, 1, 9)->base, 0xc0000000);

	img_mcfg_begin(&t);
	img_mcfg_alloc(&t, 0xb0000000, 0, 9, 8);
	mcfg_expect(-EINVAL, "mcfg refused reason=start-after-end index=0");

	img_mcfg_begin(&t);
	img_mcfg_alloc(&t, 0xb0080000, 0, 0, 8);
	mcfg_expect(-EINVAL, "mcfg refused reason=misaligned-base index=0 base=0xb0080000");

	img_mcfg_begin(&t);
	img_mcfg_alloc(&t, 0xfffffffffff00000ULL, 0, 0, 1);
	mcfg_expect(-EINVAL, "mcfg refused reason=window-wraps");

	img_mcfg_begin(&t);
	for (uint8_t i = 0; i <= MCFG_MAX_ALLOCATIONS; i++)
		img_mcfg_alloc(&t, 0xb0000000, i, 0, 0);
	mcfg_expect(-E2BIG, "mcfg refused reason=too-many-allocations count=17 max=16");
}

/* ------------------------------------------------------------------ */
/* DMAR                                                                */

static const uint8_t hop_00_14_0[] = {0x14, 0};

static void dmar_expect(int err, const char *log)
{
	log_capture_reset();
	img_finish(&t);
	assert_int_equal(acpi_parse_dmar(t.b, t.len, &dmar), err);
	if (log)
		expect_log(log);
	if (err)
		assert_int_equal(dmar.drhd_count + dmar.rmrr_count, 0);
}

static void test_dmar_truncated_every_length(void **state)
{
	/* 0: no structure at all; then a DRHD holding 0 to 3 whole scopes. */
	static const uint32_t drhd_ends[] = {0, 16, 24, 32, 40};
	(void)state;
	img_q35_dmar(&t);
	assert_int_equal(t.len, 88);
	for (uint32_t len = 0; len <= t.len; len++) {
		uint8_t *p = cut(&t, len, false);

		assert_int_equal(acpi_parse_dmar(p, len, &dmar), len == t.len ? 0 : -EINVAL);
		free(p);
		p = cut(&t, len, true);
		log_capture_reset();
		assert_int_equal(acpi_parse_dmar(p, len, &dmar),
				 len == 48 || len == 88 ? 0 : -EINVAL);
		free(p);
	}
	/* The DRHD's own length cut too: only whole scopes are accepted. */
	for (uint16_t dlen = 0; dlen <= 40; dlen++) {
		bool whole = false;

		img_q35_dmar(&t);
		t.len = 48 + dlen;
		img_put_u16(&t, 50, dlen);
		for (unsigned i = 0; i < ARRAY_SIZE(drhd_ends); i++)
			whole |= drhd_ends[i] == dlen;
		dmar_expect(whole ? 0 : -EINVAL, NULL);
		if (dlen == 0)
			assert_int_equal(dmar.drhd_count, 0);
		else if (dlen < 4)
			expect_log("dmar refused reason=bad-structure-length offset=48");
		else if (dlen < 16)
			expect_log("dmar refused reason=short-structure structure=drhd offset=48");
		else if (!whole)
			expect_log("reason=bad-scope-length structure=drhd offset=48");
		else
			assert_int_equal(dmar.drhds[0].scope_count, (dlen - 16) / 8);
	}
}

static void test_dmar_bad_scopes(void **state)
{
	static const uint8_t lens[] = {0, 1, 6, 7, 9, 11};
	const uint8_t nine_hops[18] = {0};
	const uint8_t bad_dev[] = {32, 0};
	uint32_t d;
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(lens); i++) {
		img_dmar_begin(&t, 47, 0);
		d = img_drhd_begin(&t, 0, 0, 0, 0xfed90000);
		img_u8(&t, DMAR_SCOPE_PCI_ENDPOINT);
		img_u8(&t, lens[i]);
		img_zeros(&t, 10);
		img_struct_end(&t, d);
		dmar_expect(-EINVAL,
			    "dmar refused reason=bad-scope-length structure=drhd offset=48 "
			    "scope_offset=16");
	}
	/* A scope running past the end of its DRHD. */
	img_dmar_begin(&t, 47, 0);
	d = img_drhd_begin(&t, 0, 0, 0, 0xfed90000);
	img_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, hop_00_14_0, 1);
	img_struct_end(&t, d);
	img_put_u16(&t, d + 2, 23);
	img_u8(&t, 0);
	dmar_expect(-EINVAL, "reason=bad-scope-length structure=drhd offset=48 scope_offset=16");

	img_dmar_begin(&t, 47, 0);
	d = img_drhd_begin(&t, 0, 0, 0, 0xfed90000);
	img_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, nine_hops, 9);
	img_struct_end(&t, d);
	dmar_expect(-E2BIG, "dmar refused reason=scope-path-too-long");

	img_dmar_begin(&t, 47, 0);
	d = img_rmrr_begin(&t, 0, 0x7f000000, 0x7f0fffff);
	img_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, bad_dev, 1);
	img_struct_end(&t, d);
	dmar_expect(-EINVAL, "dmar refused reason=bad-scope-path structure=rmrr offset=48");

	img_dmar_begin(&t, 47, 0);
	d = img_drhd_begin(&t, 0, 0, 0, 0xfed90000);
	for (unsigned i = 0; i <= DMAR_MAX_SCOPES; i++)
		img_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, (uint8_t)i, hop_00_14_0, 1);
	img_struct_end(&t, d);
	dmar_expect(-E2BIG, "dmar refused reason=too-many-scopes");
}

static void test_dmar_drhd_refusals(void **state)
{
	uint32_t d;
	(void)state;
	img_dmar_begin(&t, 47, 0);
	img_struct_end(&t, img_drhd_begin(&t, 0, 0, 0, 0xfed90000));
	img_struct_end(&t, img_drhd_begin(&t, 0, 0, 1, 0xfed90000));
	dmar_expect(-EEXIST,
		    "dmar refused reason=duplicate-register-base structure=drhd offset=64");

	img_dmar_begin(&t, 47, 0);
	img_struct_end(&t, img_drhd_begin(&t, 0, 1, 0, 0xfed90000)); /* 8 KiB */
	img_struct_end(&t, img_drhd_begin(&t, 0, 0, 0, 0xfed91000));
	dmar_expect(-EEXIST, "dmar refused reason=overlapping-register-base");

	img_dmar_begin(&t, 47, 0);
	img_struct_end(&t, img_drhd_begin(&t, 1, 0, 0, 0xfed90000));
	img_struct_end(&t, img_drhd_begin(&t, 1, 0, 0, 0xfed91000));
	dmar_expect(-EEXIST, "dmar refused reason=second-include-pci-all");

	img_dmar_begin(&t, 47, 0);
	img_struct_end(&t, img_drhd_begin(&t, 1, 0, 0, 0xfed90000));
	img_struct_end(&t, img_drhd_begin(&t, 1, 2, 1, 0xfed94000));
	dmar_expect(0, NULL);
	assert_int_equal(dmar.drhd_count, 2);
	assert_true(dmar.drhds[1].include_pci_all);
	assert_int_equal(dmar.drhds[1].segment, 1);
	assert_int_equal(dmar.drhds[1].register_size, 16384);

	for (int i = 0; i < 3; i++) {
		img_dmar_begin(&t, 47, 0);
		img_struct_end(&t, img_drhd_begin(&t, 0, (uint8_t)(i == 2 ? 0xf : 0), 0,
						  (const uint64_t[]){0, 0xfed90800,
								     0xfffffffffffff000ULL}[i]));
		dmar_expect(-EINVAL, "dmar refused reason=bad-register-base structure=drhd");
	}

	img_dmar_begin(&t, 47, 0);
	for (unsigned i = 0; i <= DMAR_MAX_DRHDS; i++)
		img_struct_end(&t, img_drhd_begin(&t, 0, 0, 0, 0xfed90000 + i * 0x1000));
	dmar_expect(-E2BIG, "dmar refused reason=too-many-drhds");

	img_dmar_begin(&t, 47, 0);
	d = img_drhd_begin(&t, 0, 0, 0, 0xfed90000);
	img_u8(&t, 0x7f); /* reserved scope type: skipped by its length */
	img_u8(&t, 8);
	img_zeros(&t, 6);
	img_scope(&t, DMAR_SCOPE_HPET, 0, 0, hop_00_14_0, 1);
	img_struct_end(&t, d);
	dmar_expect(0, "dmar scope skipped reason=unknown-type type=127 offset=48");
	assert_int_equal(dmar.unknown_scope_count, 1);
	assert_int_equal(dmar.drhds[0].scope_count, 1);
}

static void test_dmar_rmrr(void **state)
{
	static const struct {
		uint64_t base, limit;
		const char *log;
	} bad[] = {
	    {0x7f100000, 0x7f0fffff, "dmar refused reason=rmrr-base-above-limit"},
	    {0x7f000800, 0x7f0fffff, "dmar refused reason=rmrr-misaligned-base"},
	    {0x7f000000, 0x7f0ffffe, "dmar refused reason=rmrr-misaligned-limit"},
	};
	const uint8_t two_hops[] = {0x1c, 0, 0, 0};
	struct dmar_bdf bdf;
	uint32_t r;
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		img_dmar_begin(&t, 47, 0);
		img_struct_end(&t, img_rmrr_begin(&t, 0, bad[i].base, bad[i].limit));
		dmar_expect(-EINVAL, bad[i].log);
	}
	img_dmar_begin(&t, 38, 7);
	img_struct_end(&t, img_drhd_begin(&t, 1, 0, 0, 0xfed90000));
	r = img_rmrr_begin(&t, 0, 0x7f000000, 0x7f0fffff);
	img_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, hop_00_14_0, 1);
	img_scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, two_hops, 2);
	img_struct_end(&t, r);
	dmar_expect(0, NULL);
	assert_int_equal(dmar.host_address_width, 39);
	assert_true(dmar.intr_remap && dmar.x2apic_opt_out && dmar.dma_ctrl_platform_opt_in);
	assert_int_equal(dmar.rmrr_count, 1);
	assert_int_equal(dmar.rmrrs[0].base, 0x7f000000);
	assert_int_equal(dmar.rmrrs[0].limit, 0x7f0fffff);
	assert_int_equal(dmar.rmrrs[0].scope_count, 2);
	assert_true(dmar_scope_bdf(&dmar.rmrrs[0].scopes[0], &bdf));
	assert_int_equal(bdf.dev, 0x14);
	/* Behind a bridge: the path is kept for the VT-d driver to walk. */
	assert_false(dmar_scope_bdf(&dmar.rmrrs[0].scopes[1], &bdf));
	assert_int_equal(dmar.rmrrs[0].scopes[1].path_len, 2);
	assert_int_equal(dmar.rmrrs[0].scopes[1].path[0].dev, 0x1c);

	img_dmar_begin(&t, 47, 0);
	for (unsigned i = 0; i <= DMAR_MAX_RMRRS; i++)
		img_struct_end(&t, img_rmrr_begin(&t, 0, 0x1000 * i, 0x1000 * i + 0xfff));
	dmar_expect(-E2BIG, "dmar refused reason=too-many-rmrrs");
}

static void test_dmar_structures(void **state)
{
	(void)state;
	for (uint16_t len = 0; len < 4; len++) {
		img_dmar_begin(&t, 47, 0);
		img_u16(&t, 2);
		img_u16(&t, len);
		img_zeros(&t, 4);
		dmar_expect(-EINVAL, "dmar refused reason=bad-structure-length offset=48 length=");
	}
	img_dmar_begin(&t, 47, 0);
	img_u16(&t, DMAR_TYPE_RMRR);
	img_u16(&t, 16);
	img_zeros(&t, 12);
	dmar_expect(-EINVAL, "dmar refused reason=short-structure structure=rmrr offset=48");

	img_dmar_begin(&t, 47, 0);
	for (uint16_t type = DMAR_TYPE_ATSR; type <= 0x99; type++) {
		uint16_t len = type == DMAR_TYPE_RHSA ? 20 : 8;

		if (type > DMAR_TYPE_SATC && type < 0x99)
			continue;
		img_u16(&t, type);
		img_u16(&t, len);
		img_zeros(&t, len - 4u);
	}
	dmar_expect(0, NULL);
	assert_int_equal(dmar.atsr_count + dmar.rhsa_count + dmar.andd_count + dmar.satc_count, 4);
	assert_int_equal(dmar.unknown_count, 1);
	assert_string_equal(dmar_type_name(DMAR_TYPE_SATC), "satc");
	assert_string_equal(dmar_scope_type_name(0), "unknown");

	img_dmar_begin(&t, 5, 0);
	dmar_expect(-EINVAL, "dmar refused reason=bad-host-address-width haw=6");
	img_dmar_begin(&t, 64, 0);
	dmar_expect(-EINVAL, "dmar refused reason=bad-host-address-width haw=65");
}

/* ------------------------------------------------------------------ */
/* FADT                                                                */

static void test_fadt_truncated_every_length(void **state)
{
	const uint16_t x_port = 0x708;
	(void)state;
	img_q35_fadt(&t);
	img_put_u16(&t, 212, x_port); /* X_PM_TMR_BLK differs from PM_TMR_BLK */
	for (uint32_t len = 0; len <= t.len; len++) {
		uint8_t *p = cut(&t, len, false);

		assert_int_equal(acpi_parse_fadt(p, len, &fadt), len == t.len ? 0 : -EINVAL);
		free(p);
		p = cut(&t, len, true);
		log_capture_reset();
		if (len < 116) {
			assert_int_equal(acpi_parse_fadt(p, len, &fadt), -EINVAL);
			expect_log("fadt refused reason=");
		} else {
			assert_int_equal(acpi_parse_fadt(p, len, &fadt), 0);
			assert_int_equal(fadt.pm_timer.address, len >= 220 ? x_port : 0x608);
			assert_int_equal(fadt.reset_present, len >= 129);
			assert_int_equal(fadt.minor_revision, 0);
		}
		free(p);
	}
	sdt_set_length(t.b, 115);
	assert_int_equal(acpi_parse_fadt(t.b, 244, &fadt), -EINVAL);
	expect_log("fadt refused reason=short-length length=115 min=116");
}

static void test_fadt_rev1(void **state)
{
	(void)state;
	img_pc_fadt_rev1(&t);
	img_put_u16(&t, 109, 0x3); /* reserved in ACPI 1.0: must be ignored */
	img_finish(&t);
	assert_int_equal(acpi_parse_fadt(t.b, t.len, &fadt), 0);
	assert_int_equal(fadt.revision, 1);
	assert_true(fadt.pm_timer_present);
	assert_int_equal(fadt.pm_timer.space_id, ACPI_GAS_SPACE_IO);
	assert_int_equal(fadt.pm_timer.address, 0x608);
	assert_int_equal(fadt.pm_timer.bit_width, 32);
	assert_false(fadt.reset_present);
	assert_int_equal(fadt.iapc_boot_arch, 0);
	assert_false(fadt.has_8042);
	assert_int_equal(fadt.century, 0x32);
}

static void fadt_expect(void)
{
	img_finish(&t);
	log_capture_reset();
	assert_int_equal(acpi_parse_fadt(t.b, t.len, &fadt), 0);
}

static void test_fadt_fields(void **state)
{
	uint32_t flags;
	(void)state;
	img_q35_fadt(&t);
	img_put_u16(&t, 109, 0xf);
	memcpy(&flags, t.b + 112, 4);
	img_put_u32(&t, 112, flags | BIT(8));
	t.b[208] = ACPI_GAS_SPACE_MEMORY;
	img_put_u32(&t, 212, 0xfed00000);
	fadt_expect();
	assert_true(fadt.legacy_devices && fadt.has_8042);
	assert_true(fadt.vga_not_present && fadt.msi_not_supported);
	assert_true(fadt.pm_timer_32bit);
	assert_int_equal(fadt.pm_timer.space_id, ACPI_GAS_SPACE_MEMORY);
	assert_int_equal(fadt.pm_timer.address, 0xfed00000);

	t.b[208] = ACPI_GAS_SPACE_PCI;
	fadt_expect();
	assert_false(fadt.pm_timer_present);
	expect_log("fadt pm-timer ignored reason=bad-space space=2");

	img_q35_fadt(&t);
	t.b[91] = 3; /* PM_TMR_LEN */
	fadt_expect();
	assert_false(fadt.pm_timer_present);
	expect_log("fadt pm-timer ignored reason=bad-length pm_tmr_len=3");

	img_q35_fadt(&t);
	memcpy(&flags, t.b + 112, 4);
	img_put_u32(&t, 112, flags | BIT(20));
	fadt_expect();
	assert_true(fadt.hw_reduced);
	assert_false(fadt.pm_timer_present);

	img_q35_fadt(&t);
	img_put_u32(&t, 120, 0); /* RESET_REG address */
	fadt_expect();
	assert_false(fadt.reset_present);
	expect_log("fadt reset-register ignored reason=bad-register space=1 address=0x0");

	img_q35_fadt(&t);
	img_put_u32(&t, 76, 0); /* PM_TMR_BLK */
	img_put_u32(&t, 212, 0);
	img_put_u32(&t, 140, 0x7fbe0000); /* X_DSDT */
	img_put_u32(&t, 40, 0x1234);
	fadt_expect();
	assert_false(fadt.pm_timer_present);
	assert_int_equal(fadt.dsdt, 0x7fbe0000);
	assert_string_equal(acpi_gas_space_name(ACPI_GAS_SPACE_IO), "io");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(test_q35_discovery),
	    T(test_q35_parsers),
	    T(test_rsdp_rev0_rsdt),
	    T(test_rsdp_rev2_without_xsdt_uses_rsdt),
	    T(test_rsdp_refusals),
	    T(test_rsdp_unmapped),
	    T(test_rsdp_without_root),
	    T(test_xsdt_refusals),
	    T(test_xsdt_length_not_multiple_of_8),
	    T(test_xsdt_unmapped),
	    T(test_xsdt_truncated_every_length),
	    T(test_table_refusals_are_skipped),
	    T(test_table_unmapped_is_skipped),
	    T(test_tables_truncated_every_length),
	    T(test_duplicate_and_null_pointers),
	    T(test_table_list_full_and_instances),
	    T(test_root_entries_capped),
	    T(test_madt_truncated_every_length),
	    T(test_madt_bad_subtable_lengths),
	    T(test_madt_unknown_and_unusable),
	    T(test_madt_duplicates),
	    T(test_madt_limits),
	    T(test_mcfg_truncated_every_length),
	    T(test_mcfg_refusals),
	    T(test_dmar_truncated_every_length),
	    T(test_dmar_bad_scopes),
	    T(test_dmar_drhd_refusals),
	    T(test_dmar_rmrr),
	    T(test_dmar_structures),
	    T(test_fadt_truncated_every_length),
	    T(test_fadt_rev1),
	    T(test_fadt_fields),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
