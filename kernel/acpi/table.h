/*
 * Helpers every ACPI reader shares: checksums, printable signatures, the
 * bounds check a parser does before it reads a table, and one bounded walk
 * over subtables. Internal to kernel/acpi; nothing here logs on success.
 */
#ifndef KERNEL_ACPI_TABLE_H
#define KERNEL_ACPI_TABLE_H

#include "hv/types.h"

/* Refuse any table longer than this: real tables are kilobytes at most. */
#define ACPI_MAX_TABLE_LENGTH (4 * MiB)

/* Sum of len bytes modulo 256; a valid ACPI structure sums to zero. */
uint8_t acpi_checksum(const void *data, uint64_t len);

/* True if all four signature bytes are printable ASCII. */
bool acpi_sig_printable(const char sig[4]);

/* Copies a 4-byte signature into a NUL-terminated string, '?' for bytes
 * that are not printable, so log lines stay readable whatever firmware says. */
void acpi_sig_to_str(char out[5], const char sig[4]);

/*
 * Checks a table handed to a parser: at least a header in the buffer, the
 * expected signature, header length >= min_len and inside the buffer.
 * Logs "<what> refused reason=..." and returns -EINVAL on failure; on
 * success stores the table's own length (<= len) in *table_len.
 */
int acpi_table_bounds(const void *table, uint32_t len, const char *sig, uint32_t min_len,
		      const char *what, uint32_t *table_len);

/*
 * A walk over subtables that start with a type and a length, either one
 * byte each (MADT, DMAR device scopes) or two (DMAR remapping structures).
 * Every step advances by at least the header size, so a walk ends.
 */
struct acpi_walk {
	const uint8_t *base;
	uint32_t offset;     /* next subtable */
	uint32_t end;	     /* first byte after the last subtable */
	uint8_t header_size; /* 2 or 4 */
};

struct acpi_subtable {
	const uint8_t *data;
	uint32_t offset; /* from base */
	uint16_t type;
	uint16_t length;
};

void acpi_walk_init(struct acpi_walk *w, const void *base, uint32_t start, uint32_t end,
		    uint8_t header_size);

/*
 * Returns 1 with *sub filled, 0 at the end, or -EINVAL when the next
 * subtable's header or body does not fit, or its length is shorter than its
 * own header (0 or 1 would never advance). *sub then names the culprit
 * (length is 0 when not even the header fits).
 */
int acpi_walk_next(struct acpi_walk *w, struct acpi_subtable *sub);

#endif
