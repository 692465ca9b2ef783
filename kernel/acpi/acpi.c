/*
 * ACPI discovery: RSDP -> XSDT/RSDT -> the tables it lists. Everything is
 * read through the caller's map callback and validated before it is used or
 * recorded; see acpi.h for what is fatal and what is only skipped.
 */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/acpi_tables.h"
#include "kernel/acpi/table.h"

/* The RSDP has been 36 bytes since ACPI 2.0; anything near a page is junk. */
#define ACPI_RSDP_MAX_LENGTH PAGE_SIZE

static const void *acpi_map(const struct acpi *acpi, uint64_t pa, uint64_t len)
{
	if (len == 0 || pa + (len - 1) < pa)
		return NULL;
	return acpi->map(acpi->ctx, pa, len);
}

static int acpi_rsdp_refuse(uint64_t pa, const char *reason, int err)
{
	log_error("acpi", "rsdp pa=0x%lx refused reason=%s", pa, reason);
	return err;
}

/* ACPI 2.0+ part: the length field and the extended checksum over it. */
static int acpi_rsdp_read_v2(const struct acpi *acpi, uint64_t pa, struct acpi_rsdp *rsdp)
{
	const void *p = acpi_map(acpi, pa, sizeof(*rsdp));

	if (!p)
		return acpi_rsdp_refuse(pa, "unmapped", -EFAULT);
	memcpy(rsdp, p, sizeof(*rsdp));
	if (rsdp->length < sizeof(*rsdp) || rsdp->length > ACPI_RSDP_MAX_LENGTH) {
		log_error("acpi", "rsdp pa=0x%lx refused reason=bad-length length=%u", pa,
			  rsdp->length);
		return -EINVAL;
	}
	p = acpi_map(acpi, pa, rsdp->length);
	if (!p)
		return acpi_rsdp_refuse(pa, "unmapped", -EFAULT);
	if (acpi_checksum(p, rsdp->length) != 0)
		return acpi_rsdp_refuse(pa, "bad-extended-checksum", -EBADMSG);
	return 0;
}

static int acpi_rsdp_read(const struct acpi *acpi, uint64_t pa, struct acpi_rsdp *rsdp)
{
	const void *p = acpi_map(acpi, pa, ACPI_RSDP_V1_LENGTH);

	memset(rsdp, 0, sizeof(*rsdp));
	if (!p)
		return acpi_rsdp_refuse(pa, "unmapped", -EFAULT);
	memcpy(rsdp, p, ACPI_RSDP_V1_LENGTH);
	if (memcmp(rsdp->signature, "RSD PTR ", sizeof(rsdp->signature)) != 0)
		return acpi_rsdp_refuse(pa, "bad-signature", -EINVAL);
	if (acpi_checksum(p, ACPI_RSDP_V1_LENGTH) != 0)
		return acpi_rsdp_refuse(pa, "bad-checksum", -EBADMSG);
	/* Revision 1 was never defined; such an RSDP has only the 1.0 part. */
	if (rsdp->revision < 2)
		return 0;
	return acpi_rsdp_read_v2(acpi, pa, rsdp);
}

static void acpi_copy_oem_id(struct acpi *acpi, const struct acpi_rsdp *rsdp)
{
	for (size_t i = 0; i < sizeof(rsdp->oem_id); i++) {
		char c = rsdp->oem_id[i];

		acpi->oem_id[i] = (c >= 0x20 && c <= 0x7e) ? c : '?';
	}
	acpi->oem_id[sizeof(rsdp->oem_id)] = '\0';
}

/* The XSDT when the RSDP is 2.0+ and names one; the RSDT otherwise. */
static int acpi_root_select(struct acpi *acpi, uint64_t rsdp_pa, const struct acpi_rsdp *rsdp)
{
	if (rsdp->revision >= 2 && rsdp->xsdt_address != 0) {
		acpi->xsdt = true;
		acpi->root_pa = rsdp->xsdt_address;
		return 0;
	}
	if (rsdp->rsdt_address != 0) {
		acpi->root_pa = rsdp->rsdt_address;
		return 0;
	}
	return acpi_rsdp_refuse(rsdp_pa, "no-root-table", -EINVAL);
}

/*
 * The checks every table gets before anyone reads past its header. On
 * failure *reason names the problem; *hdr is zeroed when even the header
 * was not mappable.
 */
static int acpi_table_check(const struct acpi *acpi, uint64_t pa, struct acpi_sdt_header *hdr,
			    const char **reason)
{
	const void *p = acpi_map(acpi, pa, sizeof(*hdr));

	memset(hdr, 0, sizeof(*hdr));
	*reason = "unmapped";
	if (!p)
		return -EFAULT;
	memcpy(hdr, p, sizeof(*hdr));
	*reason = "bad-signature";
	if (!acpi_sig_printable(hdr->signature))
		return -EINVAL;
	*reason = "short-length";
	if (hdr->length < sizeof(*hdr))
		return -EINVAL;
	*reason = "absurd-length";
	if (hdr->length > ACPI_MAX_TABLE_LENGTH)
		return -EINVAL;
	*reason = "unmapped";
	p = acpi_map(acpi, pa, hdr->length);
	if (!p)
		return -EFAULT;
	*reason = "bad-checksum";
	if (acpi_checksum(p, hdr->length) != 0)
		return -EBADMSG;
	*reason = NULL;
	return 0;
}

static int acpi_root_refuse(const struct acpi *acpi, const struct acpi_sdt_header *hdr,
			    const char *reason, int err)
{
	char sig[5];

	acpi_sig_to_str(sig, hdr->signature);
	log_error("acpi", "root sig=%s pa=0x%lx refused reason=%s expected=%s", sig, acpi->root_pa,
		  reason, acpi->xsdt ? "XSDT" : "RSDT");
	return err;
}

/* Validates the root table and returns how many entries to walk. */
static int acpi_root_load(struct acpi *acpi, uint32_t *count)
{
	struct acpi_sdt_header hdr;
	uint32_t entry_size = acpi->xsdt ? 8 : 4;
	const char *reason;
	int err = acpi_table_check(acpi, acpi->root_pa, &hdr, &reason);

	if (err)
		return acpi_root_refuse(acpi, &hdr, reason, err);
	if (memcmp(hdr.signature, acpi->xsdt ? "XSDT" : "RSDT", 4) != 0)
		return acpi_root_refuse(acpi, &hdr, "bad-signature", -EINVAL);
	if ((hdr.length - sizeof(hdr)) % entry_size != 0)
		return acpi_root_refuse(acpi, &hdr, "bad-entry-size", -EINVAL);
	*count = (uint32_t)((hdr.length - sizeof(hdr)) / entry_size);
	if (*count > ACPI_MAX_ROOT_ENTRIES) {
		log_warn("acpi", "root pa=0x%lx entries=%u capped=%u", acpi->root_pa, *count,
			 ACPI_MAX_ROOT_ENTRIES);
		*count = ACPI_MAX_ROOT_ENTRIES;
		acpi->truncated = true;
	}
	return 0;
}

/* Re-mapped per entry: the map may be a small window, not the whole root. */
static int acpi_root_entry(const struct acpi *acpi, uint32_t index, uint64_t *pa)
{
	uint32_t size = acpi->xsdt ? 8 : 4;
	uint64_t at = acpi->root_pa + sizeof(struct acpi_sdt_header) + (uint64_t)index * size;
	const void *p = acpi_map(acpi, at, size);
	uint32_t pa32;

	if (!p)
		return -EFAULT;
	if (acpi->xsdt) {
		memcpy(pa, p, sizeof(*pa));
	} else {
		memcpy(&pa32, p, sizeof(pa32));
		*pa = pa32;
	}
	return 0;
}

static const struct acpi_table_ref *acpi_recorded(const struct acpi *acpi, uint64_t pa)
{
	for (uint32_t i = 0; i < acpi->table_count; i++) {
		if (acpi->tables[i].pa == pa)
			return &acpi->tables[i];
	}
	return NULL;
}

static void acpi_record(struct acpi *acpi, uint64_t pa, const struct acpi_sdt_header *hdr)
{
	struct acpi_table_ref *ref = &acpi->tables[acpi->table_count++];

	memcpy(ref->signature, hdr->signature, 4);
	ref->signature[4] = '\0';
	ref->pa = pa;
	ref->length = hdr->length;
	ref->revision = hdr->revision;
	log_debug("acpi", "table sig=%s pa=0x%lx length=%u revision=%u", ref->signature, pa,
		  ref->length, ref->revision);
}

static void acpi_add_table(struct acpi *acpi, uint32_t index, uint64_t pa)
{
	const struct acpi_table_ref *dup = acpi_recorded(acpi, pa);
	struct acpi_sdt_header hdr;
	const char *reason;
	char sig[5];

	if (pa == 0) {
		log_warn("acpi", "root entry index=%u skipped reason=null", index);
		return;
	}
	if (dup) {
		log_warn("acpi", "table sig=%s pa=0x%lx skipped reason=duplicate index=%u",
			 dup->signature, pa, index);
		return;
	}
	if (acpi_table_check(acpi, pa, &hdr, &reason) != 0) {
		acpi_sig_to_str(sig, hdr.signature);
		log_warn("acpi", "table sig=%s pa=0x%lx refused reason=%s", sig, pa, reason);
		return;
	}
	if (acpi->table_count == ACPI_MAX_TABLES) {
		acpi_sig_to_str(sig, hdr.signature);
		log_warn("acpi", "table sig=%s pa=0x%lx dropped reason=table-list-full max=%u", sig,
			 pa, ACPI_MAX_TABLES);
		acpi->truncated = true;
		return;
	}
	acpi_record(acpi, pa, &hdr);
}

static void acpi_add_tables(struct acpi *acpi, uint32_t count)
{
	uint64_t pa;

	for (uint32_t i = 0; i < count; i++) {
		if (acpi_root_entry(acpi, i, &pa) != 0) {
			log_warn("acpi", "root entry index=%u skipped reason=unmapped", i);
			continue;
		}
		acpi_add_table(acpi, i, pa);
	}
}

int acpi_init(struct acpi *acpi, uint64_t rsdp_pa, acpi_map_fn map, void *ctx)
{
	struct acpi_rsdp rsdp;
	uint32_t count;
	int err;

	memset(acpi, 0, sizeof(*acpi));
	acpi->map = map;
	acpi->ctx = ctx;
	if (!map)
		return -EINVAL;
	err = acpi_rsdp_read(acpi, rsdp_pa, &rsdp);
	if (err)
		return err;
	acpi->rsdp_revision = rsdp.revision;
	acpi_copy_oem_id(acpi, &rsdp);
	err = acpi_root_select(acpi, rsdp_pa, &rsdp);
	if (!err)
		err = acpi_root_load(acpi, &count);
	if (err)
		return err;
	acpi_add_tables(acpi, count);
	log_info("acpi", "rsdp pa=0x%lx revision=%u oem=%s root=%s pa=0x%lx entries=%u tables=%u",
		 rsdp_pa, acpi->rsdp_revision, acpi->oem_id, acpi->xsdt ? "xsdt" : "rsdt",
		 acpi->root_pa, count, acpi->table_count);
	return 0;
}

const void *acpi_find_table(const struct acpi *acpi, const char *sig, unsigned instance,
			    uint32_t *len)
{
	const void *p;

	if (len)
		*len = 0;
	if (!sig || strnlen(sig, 5) != 4)
		return NULL;
	for (uint32_t i = 0; i < acpi->table_count; i++) {
		const struct acpi_table_ref *ref = &acpi->tables[i];

		if (memcmp(ref->signature, sig, 4) != 0)
			continue;
		if (instance > 0) {
			instance--;
			continue;
		}
		p = acpi_map(acpi, ref->pa, ref->length);
		if (p && len)
			*len = ref->length;
		return p;
	}
	return NULL;
}
