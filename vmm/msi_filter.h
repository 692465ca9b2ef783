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

/*
 * Why a message (address, upper address, data) can't be let through for p:
 * not an interrupt, logical or redirectable, a CPU p doesn't have, not fixed
 * delivery, or a vector below 32. NULL when it may.
 */
const char *msi_message_invalid(const struct partition *p, uint32_t addr, uint32_t addr_hi,
				uint32_t data);
/*
 * The address/data the device gets for a valid message msg of bdf: an IRTE's
 * remappable form when interrupt remapping is on, else the message itself.
 */
int msi_message_route(uint32_t bdf, uint16_t msg, uint32_t addr, uint32_t data,
		      uint32_t *dev_addr, uint32_t *dev_data);

/* true when reg lies in bdf's MSI capability; *value is what the owner reads there. */
bool msi_filter_read(uint32_t bdf, uint16_t reg, unsigned size, uint64_t *value);

#endif
