/*
 * ACPI table discovery: from the RSDP through the XSDT (or RSDT) to a list
 * of validated tables, and parsers for the tables the core needs (MADT,
 * MCFG, DMAR, FADT; declared in their own headers, included at the end).
 *
 * Pure logic: no MMIO and no global state. Every firmware byte is read
 * through a map callback, so unit tests can present a fake physical address
 * space, and every table is validated before it is recorded: mappable,
 * printable signature, 36 <= length <= 4 MiB, checksum over the whole
 * length. A bad RSDP or root table fails acpi_init; a bad table the root
 * points to is logged and skipped, since the rest may still be usable.
 *
 * Errors: -EFAULT (not mappable), -EINVAL (malformed), -EBADMSG (checksum).
 */
#ifndef KERNEL_ACPI_ACPI_H
#define KERNEL_ACPI_ACPI_H

#include "hv/types.h"

#define ACPI_MAX_TABLES 64
/* Root entries walked at most; past ACPI_MAX_TABLES nothing is kept anyway. */
#define ACPI_MAX_ROOT_ENTRIES 256

/*
 * Returns a pointer to [pa, pa+len) if that whole range is readable, else
 * NULL. The pointer must stay valid for as long as the caller reads through
 * it; acpi_init never keeps one past its return.
 */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t pa, uint64_t len);

struct acpi_table_ref {
	char signature[5]; /* NUL-terminated */
	uint64_t pa;
	uint32_t length;
	uint8_t revision;
};

struct acpi {
	uint8_t rsdp_revision;
	char oem_id[7]; /* from the RSDP, non-printable bytes replaced by '?' */
	bool xsdt;	/* root is the XSDT (else the RSDT) */
	bool truncated; /* root had more entries or tables than kept */
	uint64_t root_pa;
	uint32_t table_count;
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
	acpi_map_fn map;
	void *ctx;
};

/*
 * Validates the RSDP at rsdp_pa and its root table, then records every
 * valid table the root points to (each address once). Returns 0, or a
 * negative code if the RSDP or the root table is unusable.
 */
int acpi_init(struct acpi *acpi, uint64_t rsdp_pa, acpi_map_fn map, void *ctx);

/*
 * The instance-th (from 0) recorded table with signature sig, mapped again
 * through the map callback, its length in *len (if len is not NULL).
 * NULL if there is no such table.
 */
const void *acpi_find_table(const struct acpi *acpi, const char *sig, unsigned instance,
			    uint32_t *len);

#include "kernel/acpi/dmar.h"
#include "kernel/acpi/fadt.h"
#include "kernel/acpi/madt.h"
#include "kernel/acpi/mcfg.h"

#endif
