/*
 * The legacy-BIOS search for the RSDP (see rsdp_scan.h). Both areas are
 * read through the caller's map callback and every candidate is checked
 * within the bytes of its area.
 */
#include "kernel/acpi/rsdp_scan.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/acpi/acpi_tables.h"
#include "kernel/acpi/table.h"

/* Where an EBDA can be: above the BDA and the IVT, below the VGA hole. */
#define EBDA_LOWEST 0x400ULL
#define EBDA_END    0xa0000ULL

/* The 2.0+ part: a length that fits what is left of the area, and its checksum. */
static bool rsdp_v2_valid(const uint8_t *p, uint64_t left)
{
	struct acpi_rsdp rsdp;

	if (left < sizeof(rsdp))
		return false;
	memcpy(&rsdp, p, sizeof(rsdp));
	return rsdp.length >= sizeof(rsdp) && rsdp.length <= left &&
	       acpi_checksum(p, rsdp.length) == 0;
}

static bool rsdp_valid(const uint8_t *p, uint64_t left)
{
	struct acpi_rsdp rsdp;

	if (left < ACPI_RSDP_V1_LENGTH || memcmp(p, "RSD PTR ", 8) != 0)
		return false;
	if (acpi_checksum(p, ACPI_RSDP_V1_LENGTH) != 0)
		return false;
	memcpy(&rsdp, p, ACPI_RSDP_V1_LENGTH);
	return rsdp.revision < 2 || rsdp_v2_valid(p, left);
}

int64_t acpi_rsdp_scan(const uint8_t *area, uint64_t size)
{
	for (uint64_t off = 0; off + ACPI_RSDP_V1_LENGTH <= size; off += ACPI_RSDP_ALIGN)
		if (rsdp_valid(area + off, size - off))
			return (int64_t)off;
	return -ENOENT;
}

static int scan_area(acpi_map_fn map, void *ctx, uint64_t base, uint64_t size, uint64_t *pa)
{
	const uint8_t *area = map(ctx, base, size);
	int64_t off;

	if (!area)
		return -ENOENT;
	off = acpi_rsdp_scan(area, size);
	if (off < 0)
		return (int)off;
	*pa = base + (uint64_t)off;
	return 0;
}

/* The EBDA's base from the BDA, or 0 when the word there can't be one. */
static uint64_t ebda_base(acpi_map_fn map, void *ctx)
{
	const uint8_t *bda = map(ctx, ACPI_BDA_EBDA_SEGMENT, 2);
	uint64_t base;

	if (!bda)
		return 0;
	base = (uint64_t)(bda[0] | bda[1] << 8) << 4;
	if (base < EBDA_LOWEST || base + ACPI_EBDA_SCAN_SIZE > EBDA_END)
		return 0;
	return base;
}

int acpi_rsdp_find_bios(acpi_map_fn map, void *ctx, uint64_t *pa)
{
	uint64_t ebda = ebda_base(map, ctx);

	if (ebda && !scan_area(map, ctx, ebda, ACPI_EBDA_SCAN_SIZE, pa)) {
		log_info("acpi", "rsdp found by bios scan area=ebda pa=0x%llx",
			 (unsigned long long)*pa);
		return 0;
	}
	if (!scan_area(map, ctx, ACPI_BIOS_AREA_BASE, ACPI_BIOS_AREA_SIZE, pa)) {
		log_info("acpi", "rsdp found by bios scan area=bios-rom pa=0x%llx",
			 (unsigned long long)*pa);
		return 0;
	}
	log_warn("acpi", "rsdp not found by bios scan ebda=0x%llx", (unsigned long long)ebda);
	return -ENOENT;
}
