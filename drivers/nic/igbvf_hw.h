/*
 * What the VF driver needs from the partition it runs in: 32-bit access to
 * the VF's BAR0, a microsecond clock and busy wait, and the DMA address of
 * its own memory. A child provides it in igbvf_io.c (MMIO, TSC, identity-
 * mapped guest-physical memory behind the child's own VT-d domain); the host
 * unit tests link a fake VF instead (tests/unit/fake_igbvf.c), chosen at
 * link time. Separate from igb_hw.h so the PF's fake and the VF's fake can
 * run in one test, the PF answering the VF's mailbox.
 */
#ifndef DRIVERS_NIC_IGBVF_HW_H
#define DRIVERS_NIC_IGBVF_HW_H

#include "hv/types.h"

struct igbvf_hw {
	volatile uint32_t *regs; /* BAR0 as mapped by the child (16 KiB) */
};

uint32_t igbvf_rd(const struct igbvf_hw *hw, uint32_t reg);
void igbvf_wr(const struct igbvf_hw *hw, uint32_t reg, uint32_t val);
void igbvf_delay_us(uint64_t us);
uint64_t igbvf_now_us(void);
uint64_t igbvf_dma_addr(const void *p);

/*
 * Descriptor stores before the tail store that hands them to the VF, and
 * the VF's DD write-back before the loads of the rest of a descriptor. x86
 * keeps stores in order with stores (uncached ones included) and loads with
 * loads: only the compiler must be held back.
 */
static inline void igbvf_dma_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

#endif
