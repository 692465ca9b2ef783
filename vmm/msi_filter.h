/*
 * MSI programming by a device's owner, checked by the hypervisor: the owner
 * writes its function's MSI capability (address, data, control), and a
 * write that would leave MSI enabled towards a CPU the owner doesn't have,
 * in another delivery mode than fixed, with a vector below 32, in logical
 * or redirectable mode, or with several messages, is refused and the
 * device keeps its previous, valid setting. The MSI then reaches the
 * owner's IDT directly (interrupts pass through). Interrupt remapping will
 * enforce the same in hardware; until then this filter is what holds.
 */
#ifndef VMM_MSI_FILTER_H
#define VMM_MSI_FILTER_H

#include "vmm/partition.h"

/* true when reg lies in bdf's MSI capability; then the write was applied or refused. */
bool msi_filter_write(struct partition *p, uint32_t bdf, uint16_t reg, unsigned size,
		      uint64_t value);

/* true when reg lies in bdf's MSI capability; *value is what the owner reads there. */
bool msi_filter_read(uint32_t bdf, uint16_t reg, unsigned size, uint64_t *value);

#endif
