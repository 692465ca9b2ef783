/*
 * MADT parser (ACPI 5.2.12): walks the interrupt controller structures,
 * checks each one's length against its type's minimum before reading it
 * (longer ones are fine: later ACPI revisions append fields), and keeps the
 * processors, I/O APICs and overrides in fixed arrays. See madt.h.
 */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/acpi/acpi_tables.h"
#include "kernel/acpi/madt.h"
#include "kernel/acpi/table.h"

#define MADT_XAPIC_ID_INVALID  0xffu
#define MADT_X2APIC_ID_INVALID 0xffffffffu

static const uint8_t madt_min_length[] = {
    [MADT_TYPE_LAPIC] = sizeof(struct acpi_madt_lapic),
    [MADT_TYPE_IOAPIC] = sizeof(struct acpi_madt_ioapic),
    [MADT_TYPE_ISO] = sizeof(struct acpi_madt_iso),
    [MADT_TYPE_NMI_SOURCE] = sizeof(struct acpi_madt_nmi_source),
    [MADT_TYPE_LAPIC_NMI] = sizeof(struct acpi_madt_lapic_nmi),
    [MADT_TYPE_LAPIC_OVERRIDE] = sizeof(struct acpi_madt_lapic_override),
    [MADT_TYPE_X2APIC] = sizeof(struct acpi_madt_x2apic),
    [MADT_TYPE_X2APIC_NMI] = sizeof(struct acpi_madt_x2apic_nmi),
};

const char *madt_type_name(uint8_t type)
{
	static const char *const names[] = {
	    [MADT_TYPE_LAPIC] = "lapic",
	    [MADT_TYPE_IOAPIC] = "ioapic",
	    [MADT_TYPE_ISO] = "interrupt-override",
	    [MADT_TYPE_NMI_SOURCE] = "nmi-source",
	    [MADT_TYPE_LAPIC_NMI] = "lapic-nmi",
	    [MADT_TYPE_LAPIC_OVERRIDE] = "lapic-address-override",
	    [MADT_TYPE_X2APIC] = "x2apic",
	    [MADT_TYPE_X2APIC_NMI] = "x2apic-nmi",
	};

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}

static int madt_full(const char *what, unsigned max)
{
	log_warn("acpi", "madt refused reason=too-many-%s max=%u", what, max);
	return -E2BIG;
}

static const struct madt_cpu *madt_enabled_cpu(const struct madt_info *out, uint32_t apic_id)
{
	for (uint32_t i = 0; i < out->cpu_count; i++) {
		if (out->cpus[i].enabled && out->cpus[i].apic_id == apic_id)
			return &out->cpus[i];
	}
	return NULL;
}

static int madt_add_cpu(struct madt_info *out, uint32_t apic_id, uint32_t uid, uint32_t flags,
			bool x2apic)
{
	bool enabled = flags & MADT_CPU_ENABLED;
	bool online_capable = flags & MADT_CPU_ONLINE_CAPABLE;
	const struct madt_cpu *taken;
	struct madt_cpu *cpu;

	if (!enabled && !online_capable) {
		out->unusable_cpu_count++;
		return 0;
	}
	taken = enabled ? madt_enabled_cpu(out, apic_id) : NULL;
	/*
	 * Some firmware lists a CPU once as local APIC and once as local x2APIC;
	 * that is one CPU, kept once. The same id twice in one kind is broken.
	 */
	if (taken && taken->x2apic != x2apic) {
		log_warn("acpi", "madt cpu listed as lapic and x2apic apic_id=0x%x: kept once",
			 apic_id);
		out->duplicate_cpu_count++;
		return 0;
	}
	if (taken) {
		log_warn("acpi", "madt refused reason=duplicate-apic-id apic_id=0x%x uid=%u",
			 apic_id, uid);
		return -EEXIST;
	}
	if (out->cpu_count == MADT_MAX_CPUS)
		return madt_full("cpus", MADT_MAX_CPUS);
	cpu = &out->cpus[out->cpu_count++];
	cpu->apic_id = apic_id;
	cpu->acpi_uid = uid;
	cpu->flags = flags;
	cpu->x2apic = x2apic;
	cpu->enabled = enabled;
	cpu->online_capable = online_capable;
	return 0;
}

static int madt_lapic(const uint8_t *p, struct madt_info *out)
{
	struct acpi_madt_lapic e;

	memcpy(&e, p, sizeof(e));
	if (e.apic_id == MADT_XAPIC_ID_INVALID) {
		out->unusable_cpu_count++;
		return 0;
	}
	return madt_add_cpu(out, e.apic_id, e.acpi_processor_uid, e.flags, false);
}

static int madt_x2apic(const uint8_t *p, struct madt_info *out)
{
	struct acpi_madt_x2apic e;

	memcpy(&e, p, sizeof(e));
	if (e.x2apic_id == MADT_X2APIC_ID_INVALID) {
		out->unusable_cpu_count++;
		return 0;
	}
	return madt_add_cpu(out, e.x2apic_id, e.acpi_processor_uid, e.flags, true);
}

static int madt_ioapic(const uint8_t *p, struct madt_info *out)
{
	struct acpi_madt_ioapic e;
	struct madt_ioapic *io;

	if (out->ioapic_count == MADT_MAX_IOAPICS)
		return madt_full("ioapics", MADT_MAX_IOAPICS);
	memcpy(&e, p, sizeof(e));
	io = &out->ioapics[out->ioapic_count++];
	io->id = e.ioapic_id;
	io->address = e.ioapic_address;
	io->gsi_base = e.gsi_base;
	return 0;
}

static int madt_iso(const uint8_t *p, struct madt_info *out)
{
	struct acpi_madt_iso e;
	struct madt_override *iso;

	if (out->override_count == MADT_MAX_OVERRIDES)
		return madt_full("overrides", MADT_MAX_OVERRIDES);
	memcpy(&e, p, sizeof(e));
	iso = &out->overrides[out->override_count++];
	iso->bus = e.bus;
	iso->source = e.source;
	iso->gsi = e.gsi;
	iso->flags = e.flags;
	return 0;
}

/* ACPI allows at most one; two would leave the address ambiguous. */
static int madt_lapic_override(const uint8_t *p, struct madt_info *out)
{
	struct acpi_madt_lapic_override e;

	if (out->lapic_address_overridden) {
		log_warn("acpi", "madt refused reason=duplicate-lapic-override");
		return -EINVAL;
	}
	memcpy(&e, p, sizeof(e));
	out->lapic_address = e.lapic_address;
	out->lapic_address_overridden = true;
	return 0;
}

static int madt_dispatch(const struct acpi_subtable *sub, struct madt_info *out)
{
	switch (sub->type) {
	case MADT_TYPE_LAPIC:
		return madt_lapic(sub->data, out);
	case MADT_TYPE_X2APIC:
		return madt_x2apic(sub->data, out);
	case MADT_TYPE_IOAPIC:
		return madt_ioapic(sub->data, out);
	case MADT_TYPE_ISO:
		return madt_iso(sub->data, out);
	case MADT_TYPE_LAPIC_OVERRIDE:
		return madt_lapic_override(sub->data, out);
	case MADT_TYPE_NMI_SOURCE:
		out->nmi_source_count++;
		return 0;
	case MADT_TYPE_LAPIC_NMI:
	case MADT_TYPE_X2APIC_NMI:
		out->lapic_nmi_count++;
		return 0;
	default:
		out->unknown_count++;
		return 0;
	}
}

static int madt_subtable(const struct acpi_subtable *sub, struct madt_info *out)
{
	uint8_t min = sub->type < ARRAY_SIZE(madt_min_length) ? madt_min_length[sub->type] : 0;

	if (sub->length < min) {
		log_warn("acpi",
			 "madt refused reason=short-subtable offset=%u type=%s length=%u min=%u",
			 sub->offset, madt_type_name((uint8_t)sub->type), sub->length, min);
		return -EINVAL;
	}
	return madt_dispatch(sub, out);
}

static int madt_walk(const void *table, uint32_t table_len, struct madt_info *out)
{
	struct acpi_walk walk;
	struct acpi_subtable sub;
	int ret;

	acpi_walk_init(&walk, table, sizeof(struct acpi_madt), table_len, 2);
	while ((ret = acpi_walk_next(&walk, &sub)) > 0) {
		ret = madt_subtable(&sub, out);
		if (ret)
			return ret;
	}
	if (ret < 0)
		log_warn("acpi",
			 "madt refused reason=bad-subtable-length offset=%u type=%u length=%u",
			 sub.offset, sub.type, sub.length);
	return ret;
}

int acpi_parse_madt(const void *table, uint32_t len, struct madt_info *out)
{
	struct acpi_madt madt;
	uint32_t table_len;
	int err;

	memset(out, 0, sizeof(*out));
	err = acpi_table_bounds(table, len, "APIC", sizeof(madt), "madt", &table_len);
	if (err)
		return err;
	memcpy(&madt, table, sizeof(madt));
	out->lapic_address = madt.lapic_address;
	out->flags = madt.flags;
	out->pcat_compat = madt.flags & MADT_FLAG_PCAT_COMPAT;
	err = madt_walk(table, table_len, out);
	if (err) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	log_info("acpi", "madt lapic=0x%lx cpus=%u ioapics=%u overrides=%u unusable=%u",
		 out->lapic_address, out->cpu_count, out->ioapic_count, out->override_count,
		 out->unusable_cpu_count);
	return 0;
}

void madt_count_cpus(const struct madt_info *madt, uint32_t *enabled, uint32_t *online_capable)
{
	*enabled = 0;
	*online_capable = 0;
	for (uint32_t i = 0; i < madt->cpu_count; i++) {
		if (madt->cpus[i].enabled)
			(*enabled)++;
		else if (madt->cpus[i].online_capable)
			(*online_capable)++;
	}
}
