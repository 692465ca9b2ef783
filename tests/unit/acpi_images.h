/*
 * Builders of ACPI table images for the kernel/acpi unit tests, and a fake
 * physical address space to present them through acpi_map_fn. Each region
 * of the fake space is its own heap block of exactly the region's size, so
 * AddressSanitizer reports any read past what the code under test mapped.
 */
#ifndef TESTS_UNIT_ACPI_IMAGES_H
#define TESTS_UNIT_ACPI_IMAGES_H

#include <stdbool.h>
#include <stdint.h>

/* ---- table images ---- */
#define IMG_MAX 8192

struct img {
	uint8_t b[IMG_MAX];
	uint32_t len;
};

/* Recomputes the byte at csum_off so that len bytes sum to zero. */
void acpi_fix_checksum(void *table, uint32_t len, uint32_t csum_off);
/* Sets the SDT header's length field to len and fixes the checksum over len bytes. */
void sdt_set_length(void *table, uint32_t len);

void img_begin(struct img *t, const char *sig, uint8_t revision);
void img_u8(struct img *t, uint8_t v);
void img_u16(struct img *t, uint16_t v);
void img_u32(struct img *t, uint32_t v);
void img_u64(struct img *t, uint64_t v);
void img_zeros(struct img *t, uint32_t n);
void img_put_u16(struct img *t, uint32_t off, uint16_t v);
void img_put_u32(struct img *t, uint32_t off, uint32_t v);
/* Length = bytes written so far, checksum fixed. */
void img_finish(struct img *t);

void img_rsdp(struct img *t, uint8_t revision, uint32_t rsdt, uint64_t xsdt);
void img_xsdt(struct img *t, const uint64_t *pa, unsigned n);
void img_rsdt(struct img *t, const uint32_t *pa, unsigned n);

void img_madt_begin(struct img *t, uint32_t lapic_address, uint32_t flags);
void img_madt_lapic(struct img *t, uint8_t uid, uint8_t apic_id, uint32_t flags);
void img_madt_x2apic(struct img *t, uint32_t x2apic_id, uint32_t uid, uint32_t flags);
void img_madt_ioapic(struct img *t, uint8_t id, uint32_t address, uint32_t gsi_base);
void img_madt_iso(struct img *t, uint8_t source, uint32_t gsi, uint16_t flags);

void img_mcfg_begin(struct img *t);
void img_mcfg_alloc(struct img *t, uint64_t base, uint16_t segment, uint8_t start, uint8_t end);

void img_dmar_begin(struct img *t, uint8_t haw_field, uint8_t flags);
/* Begin a DRHD or RMRR; scopes follow; img_struct_end patches its length. */
uint32_t img_drhd_begin(struct img *t, uint8_t flags, uint8_t size, uint16_t segment,
			uint64_t base);
uint32_t img_rmrr_begin(struct img *t, uint16_t segment, uint64_t base, uint64_t limit);
void img_struct_end(struct img *t, uint32_t start);
/* A device scope with hops (device, function) pairs from path. */
void img_scope(struct img *t, uint8_t type, uint8_t enum_id, uint8_t bus, const uint8_t *path,
	       unsigned hops);

/* QEMU q35 as OVMF presents it (see tests/data/acpi/q35 in QEMU). */
void img_q35_madt(struct img *t);
void img_q35_mcfg(struct img *t);
void img_q35_dmar(struct img *t);
void img_q35_fadt(struct img *t);     /* revision 3, 244 bytes */
void img_pc_fadt_rev1(struct img *t); /* QEMU pc: revision 1, 116 bytes */

/* ---- fake physical memory ---- */
#define FAKE_MAX_REGIONS 96

struct fake_region {
	uint64_t pa;
	uint64_t len;
	uint8_t *data;
};

struct fake_mem {
	unsigned count;
	struct fake_region regions[FAKE_MAX_REGIONS];
};

void fake_mem_init(struct fake_mem *m);
/* Copies len bytes of data (zeros if data is NULL) into a new region. */
uint8_t *fake_mem_add(struct fake_mem *m, uint64_t pa, const void *data, uint64_t len);
uint8_t *fake_mem_add_img(struct fake_mem *m, uint64_t pa, const struct img *t);
void fake_mem_free(struct fake_mem *m);
/* Writable view of [pa, pa+len) if one region holds it, else NULL. */
uint8_t *fake_mem_at(struct fake_mem *m, uint64_t pa, uint64_t len);
/* The acpi_map_fn: ctx is a struct fake_mem. */
const void *fake_map(void *ctx, uint64_t pa, uint64_t len);

/* Where q35_platform puts things. */
#define Q35_RSDP_PA 0x7fbfe014ULL
#define Q35_XSDT_PA 0x7fbfd0e8ULL
#define Q35_RSDT_PA 0x7fbfd000ULL
#define Q35_FACP_PA 0x7fbfa000ULL
#define Q35_APIC_PA 0x7fbf9000ULL
#define Q35_MCFG_PA 0x7fbf8000ULL
#define Q35_DMAR_PA 0x7fbf7000ULL

/* RSDP rev 2 -> XSDT listing entries[n] -> FACP, APIC, MCFG, DMAR. */
void q35_platform_entries(struct fake_mem *m, const uint64_t *entries, unsigned n);
/* The same with the four tables listed once each. */
void q35_platform(struct fake_mem *m);

#endif
