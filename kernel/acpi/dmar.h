/*
 * DMAR decoded (Intel VT-d specification, chapter 8): the remapping
 * hardware units (DRHD) with the devices each one covers, and the reserved
 * memory regions (RMRR) devices keep DMA-ing into. The VT-d driver builds
 * its unit list and identity maps from this; everything it gets here has
 * been checked, so it never has to re-validate firmware bytes.
 *
 * Policy: a DMAR that is wrong in any part is refused as a whole, since a
 * partial view of the IOMMUs leaves devices unprotected. Unknown structure
 * and device scope types are skipped by their length (forward compatible)
 * and counted. struct dmar_info is ~17 KiB: keep it off small stacks.
 */
#ifndef KERNEL_ACPI_DMAR_H
#define KERNEL_ACPI_DMAR_H

#include "hv/types.h"

#define DMAR_MAX_DRHDS	8
#define DMAR_MAX_RMRRS	16
#define DMAR_MAX_SCOPES 32 /* per DRHD or RMRR */
#define DMAR_MAX_PATH	8  /* (device, function) hops per scope */

/* DMAR flags. */
#define DMAR_FLAG_INTR_REMAP		   BIT(0)
#define DMAR_FLAG_X2APIC_OPT_OUT	   BIT(1)
#define DMAR_FLAG_DMA_CTRL_PLATFORM_OPT_IN BIT(2)

/* DRHD flags. */
#define DMAR_DRHD_INCLUDE_PCI_ALL BIT(0)

/* Remapping structure types. */
#define DMAR_TYPE_DRHD 0
#define DMAR_TYPE_RMRR 1
#define DMAR_TYPE_ATSR 2
#define DMAR_TYPE_RHSA 3
#define DMAR_TYPE_ANDD 4
#define DMAR_TYPE_SATC 5

/* Device scope types. */
#define DMAR_SCOPE_PCI_ENDPOINT	    1
#define DMAR_SCOPE_PCI_SUBHIERARCHY 2
#define DMAR_SCOPE_IOAPIC	    3
#define DMAR_SCOPE_HPET		    4
#define DMAR_SCOPE_ACPI_NAMESPACE   5

struct dmar_path {
	uint8_t dev; /* <= 31 */
	uint8_t fn;  /* <= 7 */
};

struct dmar_scope {
	uint8_t type; /* DMAR_SCOPE_* */
	uint8_t flags;
	uint8_t enumeration_id; /* IOAPIC id, HPET number, ACPI device number */
	uint8_t start_bus;
	uint8_t path_len; /* >= 1 */
	struct dmar_path path[DMAR_MAX_PATH];
};

struct dmar_drhd {
	uint8_t flags;
	bool include_pci_all;
	uint16_t segment;
	uint64_t register_base; /* 4 KiB aligned, nonzero */
	uint64_t register_size; /* bytes: 2^N pages from the Size field */
	uint32_t scope_count;
	struct dmar_scope scopes[DMAR_MAX_SCOPES];
};

struct dmar_rmrr {
	uint16_t segment;
	uint64_t base;	/* 4 KiB aligned */
	uint64_t limit; /* last byte; limit + 1 is 4 KiB aligned */
	uint32_t scope_count;
	struct dmar_scope scopes[DMAR_MAX_SCOPES];
};

struct dmar_info {
	uint32_t host_address_width; /* bits: HAW field + 1 */
	uint8_t flags;
	bool intr_remap;
	bool x2apic_opt_out;
	bool dma_ctrl_platform_opt_in;
	uint32_t drhd_count;
	struct dmar_drhd drhds[DMAR_MAX_DRHDS];
	uint32_t rmrr_count;
	struct dmar_rmrr rmrrs[DMAR_MAX_RMRRS];
	uint32_t atsr_count;
	uint32_t rhsa_count;
	uint32_t andd_count;
	uint32_t satc_count;
	uint32_t unknown_count;	      /* remapping structures of unknown type */
	uint32_t unknown_scope_count; /* device scopes of unknown type */
};

/*
 * Decodes the DMAR in [table, table+len). Returns 0; -EINVAL for anything
 * malformed (lengths, host address width outside 12..64, register base,
 * RMRR bounds, device scope length or path); -EEXIST for two DRHDs whose
 * register ranges overlap or two INCLUDE_PCI_ALL DRHDs in one segment;
 * -E2BIG when an array above would overflow. Each failure is logged with
 * the offset of the structure; on failure *out is zeroed.
 */
int acpi_parse_dmar(const void *table, uint32_t len, struct dmar_info *out);

struct dmar_bdf {
	uint8_t bus;
	uint8_t dev;
	uint8_t fn;
};

/*
 * A scope whose path has one hop names start_bus:dev.fn directly: returns
 * true with it in *bdf. A longer path goes through bridges whose secondary
 * bus numbers only config space knows, so the caller walks scope->path
 * itself; returns false.
 */
bool dmar_scope_bdf(const struct dmar_scope *scope, struct dmar_bdf *bdf);

const char *dmar_type_name(uint16_t type);
const char *dmar_scope_type_name(uint8_t type);

#endif
