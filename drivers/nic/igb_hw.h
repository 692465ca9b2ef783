/*
 * What the igb driver needs from the machine it runs on: register access to
 * BAR0, time, and the DMA address of its own memory. The parent partition
 * provides it in igb_io.c (MMIO, TSC, identity-mapped guest-physical
 * memory); host unit tests link a fake device instead (tests/unit/fake_igb.c),
 * chosen at link time, not by #ifdef.
 */
#ifndef DRIVERS_NIC_IGB_HW_H
#define DRIVERS_NIC_IGB_HW_H

#include "hv/types.h"

struct igb_hw {
	volatile uint32_t *regs; /* BAR0 as mapped by the driver (128 KiB) */
};

/* 32-bit register access at a byte offset into BAR0: the only width the NIC takes. */
uint32_t igb_rd(const struct igb_hw *hw, uint32_t reg);
void igb_wr(const struct igb_hw *hw, uint32_t reg, uint32_t val);

/* Busy waits and a monotonic clock, in microseconds. */
void igb_delay_us(uint64_t us);
uint64_t igb_now_us(void);

/*
 * The address the NIC must use to reach p by DMA. The parent's VT-d domain
 * maps its guest-physical memory, which it sees identity-mapped: the
 * address of p is its DMA address.
 */
uint64_t igb_dma_addr(const void *p);

/*
 * Orders the CPU's stores to descriptors before the doorbell store that hands
 * them to the NIC, and the NIC's write-back status before the loads of the
 * rest of a descriptor. On x86 stores are not reordered with older stores
 * (an uncached register store included) and loads not with older loads, so
 * only the compiler has to be held back.
 */
static inline void igb_dma_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Posted writes reach the device before this read returns. */
static inline void igb_flush(const struct igb_hw *hw)
{
	(void)igb_rd(hw, 0x00008 /* IGB_STATUS */);
}

/*
 * Polls reg every step_us until (value & mask) == want or timeout_us passed.
 * 0, or -ETIMEDOUT with *last holding the final value (last may be NULL).
 */
int igb_wait(const struct igb_hw *hw, uint32_t reg, uint32_t mask, uint32_t want,
	     uint64_t timeout_us, uint64_t step_us, uint32_t *last);

#endif
