/*
 * Table helpers shared by ACPI discovery and the parsers (see table.h).
 * Everything here reads only inside the bounds it is given: firmware tables
 * are untrusted input.
 */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/acpi/acpi_tables.h"
#include "kernel/acpi/table.h"

uint8_t acpi_checksum(const void *data, uint64_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;

	for (uint64_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

static bool acpi_char_printable(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

bool acpi_sig_printable(const char sig[4])
{
	for (int i = 0; i < 4; i++) {
		if (!acpi_char_printable(sig[i]))
			return false;
	}
	return true;
}

void acpi_sig_to_str(char out[5], const char sig[4])
{
	for (int i = 0; i < 4; i++)
		out[i] = acpi_char_printable(sig[i]) ? sig[i] : '?';
	out[4] = '\0';
}

int acpi_table_bounds(const void *table, uint32_t len, const char *sig, uint32_t min_len,
		      const char *what, uint32_t *table_len)
{
	struct acpi_sdt_header hdr;

	if (!table || len < sizeof(hdr)) {
		log_warn("acpi", "%s refused reason=short-buffer len=%u", what, len);
		return -EINVAL;
	}
	memcpy(&hdr, table, sizeof(hdr));
	if (memcmp(hdr.signature, sig, 4) != 0) {
		char found[5];

		acpi_sig_to_str(found, hdr.signature);
		log_warn("acpi", "%s refused reason=bad-signature sig=%s", what, found);
		return -EINVAL;
	}
	if (hdr.length < min_len) {
		log_warn("acpi", "%s refused reason=short-length length=%u min=%u", what,
			 hdr.length, min_len);
		return -EINVAL;
	}
	if (hdr.length > len) {
		log_warn("acpi", "%s refused reason=truncated length=%u len=%u", what, hdr.length,
			 len);
		return -EINVAL;
	}
	*table_len = hdr.length;
	return 0;
}

void acpi_walk_init(struct acpi_walk *w, const void *base, uint32_t start, uint32_t end,
		    uint8_t header_size)
{
	w->base = base;
	w->offset = start;
	w->end = end;
	w->header_size = header_size;
}

static void acpi_walk_read_header(const struct acpi_walk *w, struct acpi_subtable *sub)
{
	const uint8_t *p = w->base + w->offset;

	if (w->header_size == 2) {
		sub->type = p[0];
		sub->length = p[1];
	} else {
		sub->type = (uint16_t)(p[0] | p[1] << 8);
		sub->length = (uint16_t)(p[2] | p[3] << 8);
	}
}

int acpi_walk_next(struct acpi_walk *w, struct acpi_subtable *sub)
{
	uint32_t left;

	if (w->offset >= w->end)
		return 0;
	left = w->end - w->offset;
	sub->data = w->base + w->offset;
	sub->offset = w->offset;
	sub->type = 0;
	sub->length = 0;
	if (left < w->header_size)
		return -EINVAL;
	acpi_walk_read_header(w, sub);
	if (sub->length < w->header_size || sub->length > left)
		return -EINVAL;
	w->offset += sub->length;
	return 1;
}
