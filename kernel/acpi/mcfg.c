/*
 * MCFG parser (PCI Firmware Specification 4.1.2): a fixed array of 16-byte
 * allocation structures after a 44-byte header. Every allocation is checked,
 * and checked against the ones before it, before the table is accepted.
 */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/acpi/acpi_tables.h"
#include "kernel/acpi/mcfg.h"
#include "kernel/acpi/table.h"

/* ECAM gives each bus 1 MiB: 32 devices x 8 functions x 4 KiB. */
#define MCFG_BUS_SHIFT 20

static int mcfg_refuse(uint32_t index, const struct mcfg_allocation *a, const char *reason)
{
	log_warn("acpi",
		 "mcfg refused reason=%s index=%u base=0x%lx segment=%u start_bus=%u end_bus=%u",
		 reason, index, a->base, a->segment, a->start_bus, a->end_bus);
	return -EINVAL;
}

static bool mcfg_overlap(const struct mcfg_allocation *a, const struct mcfg_allocation *b)
{
	return a->segment == b->segment && a->start_bus <= b->end_bus && b->start_bus <= a->end_bus;
}

static int mcfg_check(const struct mcfg_info *out, uint32_t index, const struct mcfg_allocation *a)
{
	uint64_t window_end = ((uint64_t)a->end_bus + 1) << MCFG_BUS_SHIFT;

	if (a->start_bus > a->end_bus)
		return mcfg_refuse(index, a, "start-after-end");
	if (!IS_ALIGNED(a->base, MiB))
		return mcfg_refuse(index, a, "misaligned-base");
	if (a->base + window_end < a->base)
		return mcfg_refuse(index, a, "window-wraps");
	for (uint32_t i = 0; i < out->count; i++) {
		if (mcfg_overlap(&out->allocations[i], a))
			return mcfg_refuse(index, a, "overlapping-buses");
	}
	return 0;
}

static int mcfg_add(struct mcfg_info *out, uint32_t index, const uint8_t *p)
{
	struct acpi_mcfg_allocation e;
	struct mcfg_allocation a;
	int err;

	memcpy(&e, p, sizeof(e));
	a.base = e.base_address;
	a.segment = e.segment;
	a.start_bus = e.start_bus;
	a.end_bus = e.end_bus;
	err = mcfg_check(out, index, &a);
	if (err)
		return err;
	out->allocations[out->count++] = a;
	return 0;
}

static int mcfg_walk(const uint8_t *table, uint32_t table_len, struct mcfg_info *out)
{
	uint32_t body = table_len - (uint32_t)sizeof(struct acpi_mcfg);
	uint32_t count = body / sizeof(struct acpi_mcfg_allocation);
	int err;

	if (body % sizeof(struct acpi_mcfg_allocation) != 0) {
		log_warn("acpi", "mcfg refused reason=bad-length length=%u", table_len);
		return -EINVAL;
	}
	if (count > MCFG_MAX_ALLOCATIONS) {
		log_warn("acpi", "mcfg refused reason=too-many-allocations count=%u max=%u", count,
			 MCFG_MAX_ALLOCATIONS);
		return -E2BIG;
	}
	for (uint32_t i = 0; i < count; i++) {
		err = mcfg_add(out, i,
			       table + sizeof(struct acpi_mcfg) +
				   i * sizeof(struct acpi_mcfg_allocation));
		if (err)
			return err;
	}
	return 0;
}

int acpi_parse_mcfg(const void *table, uint32_t len, struct mcfg_info *out)
{
	uint32_t table_len;
	int err;

	memset(out, 0, sizeof(*out));
	err = acpi_table_bounds(table, len, "MCFG", sizeof(struct acpi_mcfg), "mcfg", &table_len);
	if (err)
		return err;
	err = mcfg_walk(table, table_len, out);
	if (err) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	log_info("acpi", "mcfg allocations=%u", out->count);
	return 0;
}

const struct mcfg_allocation *mcfg_find(const struct mcfg_info *mcfg, uint16_t segment, uint8_t bus)
{
	for (uint32_t i = 0; i < mcfg->count; i++) {
		const struct mcfg_allocation *a = &mcfg->allocations[i];

		if (a->segment == segment && a->start_bus <= bus && bus <= a->end_bus)
			return a;
	}
	return NULL;
}

uint64_t mcfg_config_address(const struct mcfg_allocation *alloc, uint8_t bus, uint8_t dev,
			     uint8_t fn)
{
	return alloc->base + ((uint64_t)bus << MCFG_BUS_SHIFT) + ((uint64_t)(dev & 0x1f) << 15) +
	       ((uint64_t)(fn & 0x7) << 12);
}
