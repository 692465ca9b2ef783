/*
 * MCFG decoded: where each PCI segment's ECAM (memory-mapped configuration
 * space) lives and which buses it covers. The PCI code reads config space
 * only through these windows.
 */
#ifndef KERNEL_ACPI_MCFG_H
#define KERNEL_ACPI_MCFG_H

#include "hv/types.h"

#define MCFG_MAX_ALLOCATIONS 16

struct mcfg_allocation {
	uint64_t base; /* ECAM address of bus 0 of the segment, 1 MiB aligned */
	uint16_t segment;
	uint8_t start_bus;
	uint8_t end_bus; /* inclusive */
};

struct mcfg_info {
	uint32_t count;
	struct mcfg_allocation allocations[MCFG_MAX_ALLOCATIONS];
};

/*
 * Decodes the MCFG in [table, table+len). Refuses (-EINVAL, logged) a
 * length that is not a whole number of allocations, start_bus > end_bus, a
 * base that is not 1 MiB aligned or whose window wraps, and bus ranges that
 * overlap within one segment; -E2BIG for more than MCFG_MAX_ALLOCATIONS.
 * On failure *out is zeroed.
 */
int acpi_parse_mcfg(const void *table, uint32_t len, struct mcfg_info *out);

/* The allocation covering segment:bus, or NULL. */
const struct mcfg_allocation *mcfg_find(const struct mcfg_info *mcfg, uint16_t segment,
					uint8_t bus);

/* ECAM address of a function's 4 KiB config space (PCIe 7.2.2). */
uint64_t mcfg_config_address(const struct mcfg_allocation *alloc, uint8_t bus, uint8_t dev,
			     uint8_t fn);

#endif
