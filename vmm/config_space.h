/*
 * The PCI configuration space a partition sees through its ECAM window:
 * the functions it owns, and all-ones for every other one, as if absent.
 * Reads pass through except where the hypervisor keeps its own view (MSI
 * programming, a VF's identity and BARs, which a real VF doesn't decode).
 * Writes are refused (counted, logged) unless a filter lets them through:
 * Command (memory, bus mastering, INTx), MSI (vmm/msi_filter.h), MSI-X
 * enable and function mask, SR-IOV (vmm/sriov_filter.h), VF BAR sizing.
 */
#ifndef VMM_CONFIG_SPACE_H
#define VMM_CONFIG_SPACE_H

#include "hv/types.h"

struct partition;

uint64_t config_space_read(struct partition *p, uint32_t bdf, uint16_t reg, unsigned size);
void config_space_write(struct partition *p, uint32_t bdf, uint16_t reg, unsigned size,
			uint64_t value);
uint64_t config_space_writes_refused(void);

#endif
