/*
 * The VF driver's platform contract (igbvf_hw.h) in a child partition: the
 * VF's BAR0 is mapped uncached at the address its configuration space shows
 * (the hypervisor maps assigned BARs GPA == HPA), time is the TSC the
 * hypervisor calibrated, and the child's memory is identity-mapped, so a
 * pointer is its guest-physical address, which is the DMA address the VF
 * uses through the child's own VT-d domain.
 */
#include "drivers/nic/igbvf_hw.h"
#include "guests/lib/tsc.h"

uint32_t igbvf_rd(const struct igbvf_hw *hw, uint32_t reg)
{
	return hw->regs[reg / 4];
}

void igbvf_wr(const struct igbvf_hw *hw, uint32_t reg, uint32_t val)
{
	hw->regs[reg / 4] = val;
}

void igbvf_delay_us(uint64_t us)
{
	tsc_delay_us(us);
}

uint64_t igbvf_now_us(void)
{
	return tsc_us();
}

uint64_t igbvf_dma_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}
