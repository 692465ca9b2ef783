/*
 * MADT ("APIC") decoded: the local APIC address, the processors, the I/O
 * APICs and the interrupt source overrides. The core needs these to start
 * application processors and to route legacy interrupts.
 *
 * Processor entries with neither Enabled nor Online Capable set are not
 * kept (ACPI says to ignore them; firmware lists hundreds for hot-plug
 * slots), nor are those with the invalid ids 0xff (xAPIC) and 0xffffffff
 * (x2APIC); both are counted in unusable_cpu_count. Whether to honour
 * Online Capable (defined since ACPI 6.3) is the caller's choice: the bit
 * is reported as found.
 */
#ifndef KERNEL_ACPI_MADT_H
#define KERNEL_ACPI_MADT_H

#include "hv/types.h"

#define MADT_MAX_CPUS	   256
#define MADT_MAX_IOAPICS   16
#define MADT_MAX_OVERRIDES 32

/* MADT flags. */
#define MADT_FLAG_PCAT_COMPAT BIT(0) /* dual 8259s present: mask them */

/* Local APIC / x2APIC flags. */
#define MADT_CPU_ENABLED	BIT(0)
#define MADT_CPU_ONLINE_CAPABLE BIT(1)

/* Interrupt Controller Structure types. */
#define MADT_TYPE_LAPIC		 0
#define MADT_TYPE_IOAPIC	 1
#define MADT_TYPE_ISO		 2
#define MADT_TYPE_NMI_SOURCE	 3
#define MADT_TYPE_LAPIC_NMI	 4
#define MADT_TYPE_LAPIC_OVERRIDE 5
#define MADT_TYPE_X2APIC	 9
#define MADT_TYPE_X2APIC_NMI	 10

struct madt_cpu {
	uint32_t apic_id; /* xAPIC or x2APIC id */
	uint32_t acpi_uid;
	uint32_t flags; /* MADT_CPU_* as found */
	bool x2apic;	/* from a Processor Local x2APIC structure */
	bool enabled;
	bool online_capable;
};

struct madt_ioapic {
	uint8_t id;
	uint32_t address;
	uint32_t gsi_base;
};

struct madt_override {
	uint8_t bus;
	uint8_t source; /* bus-relative IRQ */
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags */
};

struct madt_info {
	uint64_t lapic_address; /* the 64-bit override if there is one */
	bool lapic_address_overridden;
	uint32_t flags;
	bool pcat_compat;
	uint32_t cpu_count;
	struct madt_cpu cpus[MADT_MAX_CPUS];
	uint32_t ioapic_count;
	struct madt_ioapic ioapics[MADT_MAX_IOAPICS];
	uint32_t override_count;
	struct madt_override overrides[MADT_MAX_OVERRIDES];
	uint32_t nmi_source_count;
	uint32_t lapic_nmi_count; /* Local APIC NMI and Local x2APIC NMI */
	uint32_t unusable_cpu_count;
	uint32_t duplicate_cpu_count; /* listed both as local APIC and x2APIC */
	uint32_t unknown_count; /* subtable types skipped */
};

/*
 * Decodes the MADT in [table, table+len). Returns 0, -EINVAL for a
 * malformed table or subtable, -EEXIST for two enabled processors with one
 * APIC id, -E2BIG when an array above would overflow (nothing is silently
 * dropped). Each failure is logged; on failure *out is zeroed.
 */
int acpi_parse_madt(const void *table, uint32_t len, struct madt_info *out);

/* Processors with Enabled set, and those with only Online Capable set. */
void madt_count_cpus(const struct madt_info *madt, uint32_t *enabled, uint32_t *online_capable);

const char *madt_type_name(uint8_t type);

#endif
