/*
 * The VMX MSR bitmap (SDM vol. 3, "MSR-Bitmap Address"): one 4 KiB page of
 * four 1 KiB maps, one bit per MSR, 1 = exit. Reads of MSRs 0-0x1fff, reads
 * of 0xc0000000-0xc0001fff, then writes of each. MSRs outside both ranges
 * always exit. Built from the same list as the SVM permission map.
 */
#include "vmm/vmx.h"
#include "vmm/msr_policy.h"

#define RANGE_MSRS 0x2000u
#define HIGH_FIRST 0xc0000000u
#define READ_LOW 0x000u
#define READ_HIGH 0x400u
#define WRITE_LOW 0x800u
#define WRITE_HIGH 0xc00u

static void clear_bit(uint8_t *bitmap, uint32_t msr, bool write)
{
	uint32_t offset, n;

	if (msr < RANGE_MSRS) {
		n = msr;
		offset = write ? WRITE_LOW : READ_LOW;
	} else if (msr >= HIGH_FIRST && msr - HIGH_FIRST < RANGE_MSRS) {
		n = msr - HIGH_FIRST;
		offset = write ? WRITE_HIGH : READ_HIGH;
	} else {
		return;
	}
	bitmap[offset + n / 8] &= (uint8_t)~(1u << (n % 8));
}

void vmx_msr_bitmap_open(uint8_t *bitmap)
{
	for (unsigned i = 0; i < guest_msr_passthrough_count; i++) {
		const struct msr_range *r = &guest_msr_passthrough[i];

		for (uint32_t msr = r->first; msr <= r->last; msr++) {
			clear_bit(bitmap, msr, false);
			if (r->write)
				clear_bit(bitmap, msr, true);
		}
	}
}
