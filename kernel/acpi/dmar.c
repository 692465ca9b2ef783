/*
 * DMAR parser (VT-d 8.1-8.8): walks the remapping structures, then the
 * device scopes inside each DRHD and RMRR, checking every length before
 * reading and every address before keeping it. See dmar.h for the policy.
 */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/acpi/acpi_tables.h"
#include "kernel/acpi/dmar.h"
#include "kernel/acpi/table.h"

/* Linux refuses narrower widths too: below a page nothing can be mapped. */
#define DMAR_MIN_HAW 12
#define DMAR_MAX_HAW 64

/* Device scope length: 6-byte header plus one or more 2-byte hops. */
#define DMAR_SCOPE_MIN_LENGTH (sizeof(struct acpi_dmar_scope) + sizeof(struct acpi_dmar_path))

static const uint8_t dmar_min_length[] = {
    [DMAR_TYPE_DRHD] = sizeof(struct acpi_dmar_drhd),
    [DMAR_TYPE_RMRR] = sizeof(struct acpi_dmar_rmrr),
    [DMAR_TYPE_ATSR] = sizeof(struct acpi_dmar_atsr),
    [DMAR_TYPE_RHSA] = sizeof(struct acpi_dmar_rhsa),
    [DMAR_TYPE_ANDD] = sizeof(struct acpi_dmar_andd),
    [DMAR_TYPE_SATC] = sizeof(struct acpi_dmar_satc),
};

const char *dmar_type_name(uint16_t type)
{
	static const char *const names[] = {
	    [DMAR_TYPE_DRHD] = "drhd", [DMAR_TYPE_RMRR] = "rmrr", [DMAR_TYPE_ATSR] = "atsr",
	    [DMAR_TYPE_RHSA] = "rhsa", [DMAR_TYPE_ANDD] = "andd", [DMAR_TYPE_SATC] = "satc",
	};

	if (type < ARRAY_SIZE(names))
		return names[type];
	return "unknown";
}

const char *dmar_scope_type_name(uint8_t type)
{
	static const char *const names[] = {
	    [DMAR_SCOPE_PCI_ENDPOINT] = "pci-endpoint",
	    [DMAR_SCOPE_PCI_SUBHIERARCHY] = "pci-subhierarchy",
	    [DMAR_SCOPE_IOAPIC] = "ioapic",
	    [DMAR_SCOPE_HPET] = "hpet",
	    [DMAR_SCOPE_ACPI_NAMESPACE] = "acpi-namespace",
	};

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}

bool dmar_scope_bdf(const struct dmar_scope *scope, struct dmar_bdf *bdf)
{
	if (scope->path_len != 1)
		return false;
	bdf->bus = scope->start_bus;
	bdf->dev = scope->path[0].dev;
	bdf->fn = scope->path[0].fn;
	return true;
}

static int dmar_refuse(const struct acpi_subtable *st, const char *reason, int err)
{
	log_warn("acpi", "dmar refused reason=%s structure=%s offset=%u", reason,
		 dmar_type_name(st->type), st->offset);
	return err;
}

/* Where the device scopes of one DRHD or RMRR go. */
struct dmar_scope_list {
	struct dmar_scope *scopes;
	uint32_t *count;
	uint32_t *unknown_count;
};

static int dmar_scope_refuse(const struct acpi_subtable *st, const struct acpi_subtable *sc,
			     const char *reason, int err)
{
	log_warn("acpi", "dmar refused reason=%s structure=%s offset=%u scope_offset=%u length=%u",
		 reason, dmar_type_name(st->type), st->offset, sc->offset, sc->length);
	return err;
}

static int dmar_scope_path(const struct acpi_subtable *st, const struct acpi_subtable *sc,
			   struct dmar_scope *out)
{
	const uint8_t *p = sc->data + sizeof(struct acpi_dmar_scope);

	out->path_len = (uint8_t)((sc->length - sizeof(struct acpi_dmar_scope)) / 2);
	if (out->path_len > DMAR_MAX_PATH)
		return dmar_scope_refuse(st, sc, "scope-path-too-long", -E2BIG);
	for (uint8_t i = 0; i < out->path_len; i++) {
		out->path[i].dev = p[2 * i];
		out->path[i].fn = p[2 * i + 1];
		if (out->path[i].dev > 31 || out->path[i].fn > 7)
			return dmar_scope_refuse(st, sc, "bad-scope-path", -EINVAL);
	}
	return 0;
}

static int dmar_scope_add(const struct acpi_subtable *st, const struct acpi_subtable *sc,
			  const struct dmar_scope_list *list)
{
	struct acpi_dmar_scope e;
	struct dmar_scope *out;
	int err;

	if (sc->length < DMAR_SCOPE_MIN_LENGTH || (sc->length - sizeof(e)) % 2 != 0)
		return dmar_scope_refuse(st, sc, "bad-scope-length", -EINVAL);
	memcpy(&e, sc->data, sizeof(e));
	if (e.type < DMAR_SCOPE_PCI_ENDPOINT || e.type > DMAR_SCOPE_ACPI_NAMESPACE) {
		(*list->unknown_count)++;
		log_warn("acpi", "dmar scope skipped reason=unknown-type type=%u offset=%u", e.type,
			 st->offset);
		return 0;
	}
	if (*list->count == DMAR_MAX_SCOPES)
		return dmar_scope_refuse(st, sc, "too-many-scopes", -E2BIG);
	out = &list->scopes[*list->count];
	out->type = e.type;
	out->flags = e.flags;
	out->enumeration_id = e.enumeration_id;
	out->start_bus = e.start_bus;
	err = dmar_scope_path(st, sc, out);
	if (err)
		return err;
	(*list->count)++;
	return 0;
}

static int dmar_scopes(const struct acpi_subtable *st, uint32_t start,
		       const struct dmar_scope_list *list)
{
	struct acpi_walk walk;
	struct acpi_subtable sc;
	int ret;

	acpi_walk_init(&walk, st->data, start, st->length, 2);
	while ((ret = acpi_walk_next(&walk, &sc)) > 0) {
		ret = dmar_scope_add(st, &sc, list);
		if (ret)
			return ret;
	}
	if (ret < 0)
		return dmar_scope_refuse(st, &sc, "bad-scope-length", -EINVAL);
	return 0;
}

static bool dmar_ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

/* Checks a decoded DRHD against the table and the DRHDs before it. */
static int dmar_drhd_check(const struct acpi_subtable *st, const struct dmar_info *info,
			   const struct dmar_drhd *d)
{
	uint64_t base = d->register_base;

	if (base == 0 || !IS_ALIGNED(base, PAGE_SIZE) || base + d->register_size < base)
		return dmar_refuse(st, "bad-register-base", -EINVAL);
	for (uint32_t i = 0; i < info->drhd_count; i++) {
		const struct dmar_drhd *o = &info->drhds[i];

		if (o->register_base == base)
			return dmar_refuse(st, "duplicate-register-base", -EEXIST);
		if (dmar_ranges_overlap(base, d->register_size, o->register_base, o->register_size))
			return dmar_refuse(st, "overlapping-register-base", -EEXIST);
		if (d->include_pci_all && o->include_pci_all && d->segment == o->segment)
			return dmar_refuse(st, "second-include-pci-all", -EEXIST);
	}
	return 0;
}

static void dmar_drhd_decode(const struct acpi_dmar_drhd *e, struct dmar_drhd *d)
{
	d->flags = e->flags;
	d->include_pci_all = e->flags & DMAR_DRHD_INCLUDE_PCI_ALL;
	d->segment = e->segment;
	d->register_base = e->register_base;
	d->register_size = PAGE_SIZE << (e->size & 0xf);
}

static int dmar_drhd(const struct acpi_subtable *st, struct dmar_info *info)
{
	struct acpi_dmar_drhd e;
	struct dmar_drhd *d;
	struct dmar_scope_list list;
	int err;

	if (info->drhd_count == DMAR_MAX_DRHDS)
		return dmar_refuse(st, "too-many-drhds", -E2BIG);
	memcpy(&e, st->data, sizeof(e));
	d = &info->drhds[info->drhd_count];
	dmar_drhd_decode(&e, d);
	err = dmar_drhd_check(st, info, d);
	if (err)
		return err;
	list = (struct dmar_scope_list){d->scopes, &d->scope_count, &info->unknown_scope_count};
	err = dmar_scopes(st, sizeof(e), &list);
	if (err)
		return err;
	info->drhd_count++;
	return 0;
}

static int dmar_rmrr_check(const struct acpi_subtable *st, const struct acpi_dmar_rmrr *e)
{
	if (e->base_address > e->limit_address)
		return dmar_refuse(st, "rmrr-base-above-limit", -EINVAL);
	if (!IS_ALIGNED(e->base_address, PAGE_SIZE))
		return dmar_refuse(st, "rmrr-misaligned-base", -EINVAL);
	if (!IS_ALIGNED(e->limit_address + 1, PAGE_SIZE))
		return dmar_refuse(st, "rmrr-misaligned-limit", -EINVAL);
	return 0;
}

static int dmar_rmrr(const struct acpi_subtable *st, struct dmar_info *info)
{
	struct acpi_dmar_rmrr e;
	struct dmar_rmrr *r;
	struct dmar_scope_list list;
	int err;

	if (info->rmrr_count == DMAR_MAX_RMRRS)
		return dmar_refuse(st, "too-many-rmrrs", -E2BIG);
	memcpy(&e, st->data, sizeof(e));
	err = dmar_rmrr_check(st, &e);
	if (err)
		return err;
	r = &info->rmrrs[info->rmrr_count];
	r->segment = e.segment;
	r->base = e.base_address;
	r->limit = e.limit_address;
	list = (struct dmar_scope_list){r->scopes, &r->scope_count, &info->unknown_scope_count};
	err = dmar_scopes(st, sizeof(e), &list);
	if (err)
		return err;
	info->rmrr_count++;
	return 0;
}

static int dmar_structure(const struct acpi_subtable *st, struct dmar_info *info)
{
	uint8_t min = st->type < ARRAY_SIZE(dmar_min_length) ? dmar_min_length[st->type] : 0;

	if (st->length < min)
		return dmar_refuse(st, "short-structure", -EINVAL);
	switch (st->type) {
	case DMAR_TYPE_DRHD:
		return dmar_drhd(st, info);
	case DMAR_TYPE_RMRR:
		return dmar_rmrr(st, info);
	case DMAR_TYPE_ATSR:
		info->atsr_count++;
		return 0;
	case DMAR_TYPE_RHSA:
		info->rhsa_count++;
		return 0;
	case DMAR_TYPE_ANDD:
		info->andd_count++;
		return 0;
	case DMAR_TYPE_SATC:
		info->satc_count++;
		return 0;
	default:
		info->unknown_count++;
		return 0;
	}
}

static int dmar_walk(const void *table, uint32_t table_len, struct dmar_info *info)
{
	struct acpi_walk walk;
	struct acpi_subtable st;
	int ret;

	acpi_walk_init(&walk, table, sizeof(struct acpi_dmar), table_len, 4);
	while ((ret = acpi_walk_next(&walk, &st)) > 0) {
		ret = dmar_structure(&st, info);
		if (ret)
			return ret;
	}
	if (ret < 0)
		log_warn("acpi", "dmar refused reason=bad-structure-length offset=%u length=%u",
			 st.offset, st.length);
	return ret;
}

static int dmar_header(const void *table, struct dmar_info *info)
{
	struct acpi_dmar dmar;
	uint32_t haw;

	memcpy(&dmar, table, sizeof(dmar));
	haw = (uint32_t)dmar.host_address_width + 1;
	if (haw < DMAR_MIN_HAW || haw > DMAR_MAX_HAW) {
		log_warn("acpi", "dmar refused reason=bad-host-address-width haw=%u", haw);
		return -EINVAL;
	}
	info->host_address_width = haw;
	info->flags = dmar.flags;
	info->intr_remap = dmar.flags & DMAR_FLAG_INTR_REMAP;
	info->x2apic_opt_out = dmar.flags & DMAR_FLAG_X2APIC_OPT_OUT;
	info->dma_ctrl_platform_opt_in = dmar.flags & DMAR_FLAG_DMA_CTRL_PLATFORM_OPT_IN;
	return 0;
}

int acpi_parse_dmar(const void *table, uint32_t len, struct dmar_info *out)
{
	uint32_t table_len;
	int err;

	memset(out, 0, sizeof(*out));
	err = acpi_table_bounds(table, len, "DMAR", sizeof(struct acpi_dmar), "dmar", &table_len);
	if (!err)
		err = dmar_header(table, out);
	if (!err)
		err = dmar_walk(table, table_len, out);
	if (err) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	log_info("acpi", "dmar haw=%u flags=0x%x drhds=%u rmrrs=%u", out->host_address_width,
		 out->flags, out->drhd_count, out->rmrr_count);
	return 0;
}
