/*
 * The igb platform contract (igb_hw.h) in the parent partition: BAR0 is
 * mapped uncached at its host address (the hypervisor maps device BARs with
 * GPA == HPA), time comes from the TSC the hypervisor calibrated, and guest
 * memory is identity-mapped, so a pointer is its guest-physical (= DMA)
 * address.
 */
#include "drivers/nic/igb_hw.h"
#include "guests/lib/tsc.h"

uint32_t igb_rd(const struct igb_hw *hw, uint32_t reg)
{
	return hw->regs[reg / 4];
}

void igb_wr(const struct igb_hw *hw, uint32_t reg, uint32_t val)
{
	hw->regs[reg / 4] = val;
}

void igb_delay_us(uint64_t us)
{
	tsc_delay_us(us);
}

uint64_t igb_now_us(void)
{
	return tsc_us();
}

uint64_t igb_dma_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}
