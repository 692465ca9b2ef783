/*
 * ACPI table images and a fake physical address space for the
 * kernel/acpi unit tests (see acpi_images.h). Values follow what QEMU's
 * q35 machine generates (the q35 disassemblies in QEMU's tests/data/acpi).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/acpi_images.h"

void acpi_fix_checksum(void *table, uint32_t len, uint32_t csum_off)
{
	uint8_t *p = table;
	uint8_t sum = 0;

	p[csum_off] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[csum_off] = (uint8_t)(0x100 - sum);
}

void sdt_set_length(void *table, uint32_t len)
{
	memcpy((uint8_t *)table + 4, &len, 4);
	acpi_fix_checksum(table, len, 9);
}

static void img_put(struct img *t, const void *p, uint32_t n)
{
	assert(t->len + n <= IMG_MAX);
	memcpy(t->b + t->len, p, n);
	t->len += n;
}

void img_u8(struct img *t, uint8_t v)
{
	img_put(t, &v, 1);
}

void img_u16(struct img *t, uint16_t v)
{
	img_put(t, &v, 2);
}

void img_u32(struct img *t, uint32_t v)
{
	img_put(t, &v, 4);
}

void img_u64(struct img *t, uint64_t v)
{
	img_put(t, &v, 8);
}

void img_zeros(struct img *t, uint32_t n)
{
	assert(t->len + n <= IMG_MAX);
	memset(t->b + t->len, 0, n);
	t->len += n;
}

void img_put_u16(struct img *t, uint32_t off, uint16_t v)
{
	memcpy(t->b + off, &v, 2);
}

void img_put_u32(struct img *t, uint32_t off, uint32_t v)
{
	memcpy(t->b + off, &v, 4);
}

void img_begin(struct img *t, const char *sig, uint8_t revision)
{
	t->len = 0;
	img_put(t, sig, 4);
	img_u32(t, 0); /* length, set by img_finish */
	img_u8(t, revision);
	img_u8(t, 0); /* checksum */
	img_put(t, "BOCHS ", 6);
	img_put(t, "BXPC", 4);
	img_put(t, sig, 4);
	img_u32(t, 1);	       /* OEM revision */
	img_put(t, "BXPC", 4); /* creator */
	img_u32(t, 1);
}

void img_finish(struct img *t)
{
	sdt_set_length(t->b, t->len);
}

void img_rsdp(struct img *t, uint8_t revision, uint32_t rsdt, uint64_t xsdt)
{
	t->len = 0;
	img_put(t, "RSD PTR ", 8);
	img_u8(t, 0);
	img_put(t, "BOCHS ", 6);
	img_u8(t, revision);
	img_u32(t, rsdt);
	if (revision < 2) {
		acpi_fix_checksum(t->b, 20, 8);
		return;
	}
	img_u32(t, 36);
	img_u64(t, xsdt);
	img_u8(t, 0);
	img_zeros(t, 3);
	acpi_fix_checksum(t->b, 20, 8);
	acpi_fix_checksum(t->b, 36, 32);
}

void img_xsdt(struct img *t, const uint64_t *pa, unsigned n)
{
	img_begin(t, "XSDT", 1);
	for (unsigned i = 0; i < n; i++)
		img_u64(t, pa[i]);
	img_finish(t);
}

void img_rsdt(struct img *t, const uint32_t *pa, unsigned n)
{
	img_begin(t, "RSDT", 1);
	for (unsigned i = 0; i < n; i++)
		img_u32(t, pa[i]);
	img_finish(t);
}

void img_madt_begin(struct img *t, uint32_t lapic_address, uint32_t flags)
{
	img_begin(t, "APIC", 1);
	img_u32(t, lapic_address);
	img_u32(t, flags);
}

void img_madt_lapic(struct img *t, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
	img_u8(t, 0);
	img_u8(t, 8);
	img_u8(t, uid);
	img_u8(t, apic_id);
	img_u32(t, flags);
}

void img_madt_x2apic(struct img *t, uint32_t x2apic_id, uint32_t uid, uint32_t flags)
{
	img_u8(t, 9);
	img_u8(t, 16);
	img_u16(t, 0);
	img_u32(t, x2apic_id);
	img_u32(t, flags);
	img_u32(t, uid);
}

void img_madt_ioapic(struct img *t, uint8_t id, uint32_t address, uint32_t gsi_base)
{
	img_u8(t, 1);
	img_u8(t, 12);
	img_u8(t, id);
	img_u8(t, 0);
	img_u32(t, address);
	img_u32(t, gsi_base);
}

void img_madt_iso(struct img *t, uint8_t source, uint32_t gsi, uint16_t flags)
{
	img_u8(t, 2);
	img_u8(t, 10);
	img_u8(t, 0);
	img_u8(t, source);
	img_u32(t, gsi);
	img_u16(t, flags);
}

void img_q35_madt(struct img *t)
{
	img_madt_begin(t, 0xfee00000, 1);
	for (uint8_t i = 0; i < 4; i++)
		img_madt_lapic(t, i, i, 1);
	img_madt_ioapic(t, 0, 0xfec00000, 0);
	img_madt_iso(t, 0, 2, 0);
	img_madt_iso(t, 5, 5, 0xd);
	img_madt_iso(t, 9, 9, 0xd);
	img_madt_iso(t, 10, 10, 0xd);
	img_madt_iso(t, 11, 11, 0xd);
	/* Local APIC NMI: all processors, LINT1. */
	img_u8(t, 4);
	img_u8(t, 6);
	img_u8(t, 0xff);
	img_u16(t, 0);
	img_u8(t, 1);
	img_finish(t);
}

void img_mcfg_begin(struct img *t)
{
	img_begin(t, "MCFG", 1);
	img_zeros(t, 8);
}

void img_mcfg_alloc(struct img *t, uint64_t base, uint16_t segment, uint8_t start, uint8_t end)
{
	img_u64(t, base);
	img_u16(t, segment);
	img_u8(t, start);
	img_u8(t, end);
	img_u32(t, 0);
}

void img_q35_mcfg(struct img *t)
{
	img_mcfg_begin(t);
	img_mcfg_alloc(t, 0xb0000000, 0, 0, 255);
	img_finish(t);
}

void img_dmar_begin(struct img *t, uint8_t haw_field, uint8_t flags)
{
	img_begin(t, "DMAR", 1);
	img_u8(t, haw_field);
	img_u8(t, flags);
	img_zeros(t, 10);
}

uint32_t img_drhd_begin(struct img *t, uint8_t flags, uint8_t size, uint16_t segment, uint64_t base)
{
	uint32_t start = t->len;

	img_u16(t, 0);
	img_u16(t, 0);
	img_u8(t, flags);
	img_u8(t, size);
	img_u16(t, segment);
	img_u64(t, base);
	return start;
}

uint32_t img_rmrr_begin(struct img *t, uint16_t segment, uint64_t base, uint64_t limit)
{
	uint32_t start = t->len;

	img_u16(t, 1);
	img_u16(t, 0);
	img_u16(t, 0);
	img_u16(t, segment);
	img_u64(t, base);
	img_u64(t, limit);
	return start;
}

void img_struct_end(struct img *t, uint32_t start)
{
	img_put_u16(t, start + 2, (uint16_t)(t->len - start));
}

void img_scope(struct img *t, uint8_t type, uint8_t enum_id, uint8_t bus, const uint8_t *path,
	       unsigned hops)
{
	img_u8(t, type);
	img_u8(t, (uint8_t)(6 + 2 * hops));
	img_u16(t, 0);
	img_u8(t, enum_id);
	img_u8(t, bus);
	img_put(t, path, 2 * hops);
}

void img_q35_dmar(struct img *t)
{
	static const uint8_t ioapic[] = {0, 0}, ep[] = {1, 0}, bridge[] = {2, 0};
	uint32_t drhd;

	img_dmar_begin(t, 47, 1);
	drhd = img_drhd_begin(t, 0, 0, 0, 0xfed90000);
	img_scope(t, 3, 0, 0xff, ioapic, 1);
	img_scope(t, 1, 0, 0, ep, 1);
	img_scope(t, 2, 0, 0, bridge, 1);
	img_struct_end(t, drhd);
	img_finish(t);
}

/* The fields of the FADT both images share, up to and including flags. */
static void img_fadt_v1_body(struct img *t, uint32_t flags)
{
	img_u32(t, 0);	  /* FIRMWARE_CTRL */
	img_u32(t, 0);	  /* DSDT */
	img_u8(t, 1);	  /* INT_MODEL */
	img_u8(t, 0);	  /* Preferred_PM_Profile */
	img_u16(t, 9);	  /* SCI_INT */
	img_u32(t, 0xb2); /* SMI_CMD */
	img_u8(t, 2);
	img_u8(t, 3);
	img_u16(t, 0);
	img_u32(t, 0x600); /* PM1a_EVT_BLK */
	img_u32(t, 0);
	img_u32(t, 0x604); /* PM1a_CNT_BLK */
	img_u32(t, 0);
	img_u32(t, 0);
	img_u32(t, 0x608); /* PM_TMR_BLK */
	img_u32(t, 0x620); /* GPE0_BLK */
	img_u32(t, 0);
	img_u8(t, 4);
	img_u8(t, 2);
	img_u8(t, 0);
	img_u8(t, 4); /* PM_TMR_LEN */
	img_u8(t, 16);
	img_zeros(t, 3);
	img_u16(t, 0xfff);
	img_u16(t, 0xfff);
	img_zeros(t, 8);
	img_u8(t, 0x32); /* CENTURY */
	img_u16(t, 0);	 /* IAPC_BOOT_ARCH */
	img_u8(t, 0);
	img_u32(t, flags);
}

static void img_gas(struct img *t, uint8_t space, uint8_t width, uint64_t address)
{
	img_u8(t, space);
	img_u8(t, width);
	img_u8(t, 0);
	img_u8(t, 0);
	img_u64(t, address);
}

void img_q35_fadt(struct img *t)
{
	img_begin(t, "FACP", 3);
	img_fadt_v1_body(t, 0x84a5); /* RESET_REG_SUP among them */
	img_gas(t, 1, 8, 0xcf9);     /* RESET_REG */
	img_u8(t, 0x0f);	     /* RESET_VALUE */
	img_zeros(t, 3 + 8 + 8);     /* ARM flags, minor version, X_FIRMWARE_CTRL, X_DSDT */
	img_gas(t, 1, 32, 0x600);    /* X_PM1a_EVT_BLK */
	img_gas(t, 0, 0, 0);
	img_gas(t, 1, 16, 0x604); /* X_PM1a_CNT_BLK */
	img_gas(t, 0, 0, 0);
	img_gas(t, 0, 0, 0);
	img_gas(t, 1, 32, 0x608); /* X_PM_TMR_BLK */
	img_gas(t, 1, 128, 0x620);
	img_gas(t, 0, 0, 0);
	img_finish(t);
	assert(t->len == 244);
}

void img_pc_fadt_rev1(struct img *t)
{
	img_begin(t, "FACP", 1);
	img_fadt_v1_body(t, 0x80a5);
	img_finish(t);
	assert(t->len == 116);
}

void fake_mem_init(struct fake_mem *m)
{
	memset(m, 0, sizeof(*m));
}

uint8_t *fake_mem_add(struct fake_mem *m, uint64_t pa, const void *data, uint64_t len)
{
	struct fake_region *r;

	assert(m->count < FAKE_MAX_REGIONS);
	r = &m->regions[m->count++];
	r->pa = pa;
	r->len = len;
	r->data = malloc(len ? len : 1);
	assert(r->data);
	if (data)
		memcpy(r->data, data, len);
	else
		memset(r->data, 0, len);
	return r->data;
}

uint8_t *fake_mem_add_img(struct fake_mem *m, uint64_t pa, const struct img *t)
{
	return fake_mem_add(m, pa, t->b, t->len);
}

void fake_mem_free(struct fake_mem *m)
{
	for (unsigned i = 0; i < m->count; i++)
		free(m->regions[i].data);
	m->count = 0;
}

uint8_t *fake_mem_at(struct fake_mem *m, uint64_t pa, uint64_t len)
{
	for (unsigned i = 0; i < m->count; i++) {
		const struct fake_region *r = &m->regions[i];

		if (pa >= r->pa && len <= r->len && pa - r->pa <= r->len - len)
			return r->data + (pa - r->pa);
	}
	return NULL;
}

const void *fake_map(void *ctx, uint64_t pa, uint64_t len)
{
	return fake_mem_at(ctx, pa, len);
}

void q35_platform_entries(struct fake_mem *m, const uint64_t *entries, unsigned n)
{
	static struct img t;

	img_rsdp(&t, 2, 0, Q35_XSDT_PA);
	fake_mem_add_img(m, Q35_RSDP_PA, &t);
	img_xsdt(&t, entries, n);
	fake_mem_add_img(m, Q35_XSDT_PA, &t);
	img_q35_fadt(&t);
	fake_mem_add_img(m, Q35_FACP_PA, &t);
	img_q35_madt(&t);
	fake_mem_add_img(m, Q35_APIC_PA, &t);
	img_q35_mcfg(&t);
	fake_mem_add_img(m, Q35_MCFG_PA, &t);
	img_q35_dmar(&t);
	fake_mem_add_img(m, Q35_DMAR_PA, &t);
}

void q35_platform(struct fake_mem *m)
{
	static const uint64_t entries[] = {Q35_FACP_PA, Q35_APIC_PA, Q35_MCFG_PA, Q35_DMAR_PA};

	q35_platform_entries(m, entries, 4);
}
