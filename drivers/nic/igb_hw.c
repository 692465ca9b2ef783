/*
 * Helpers built on the platform contract of igb_hw.h: bounded register
 * polls. Every wait for the NIC ends, by the condition or by its timeout.
 */
#include "drivers/nic/igb_hw.h"
#include "hv/errno.h"

int igb_wait(const struct igb_hw *hw, uint32_t reg, uint32_t mask, uint32_t want,
	     uint64_t timeout_us, uint64_t step_us, uint32_t *last)
{
	uint64_t waited = 0;
	uint32_t v;

	for (;;) {
		v = igb_rd(hw, reg);
		if ((v & mask) == want || waited >= timeout_us)
			break;
		igb_delay_us(step_us);
		waited += step_us;
	}
	if (last)
		*last = v;
	return (v & mask) == want ? 0 : -ETIMEDOUT;
}
