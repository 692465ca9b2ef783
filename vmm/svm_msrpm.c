/*
 * The SVM MSR permission map (APM 15.11): two bits per MSR (read, write),
 * three 2 KiB blocks for MSRs 0-0x1fff, 0xc0000000-0xc0001fff and
 * 0xc0010000-0xc0011fff. MSRs outside them always exit.
 */
#include "vmm/svm.h"
#include "vmm/msr_policy.h"

struct msrpm_block {
	uint32_t first;
	uint32_t offset;
};

static const struct msrpm_block blocks[] = {
	{0x00000000, 0x0000}, {0xc0000000, 0x0800}, {0xc0010000, 0x1000},
};
#define MSRPM_BLOCK_MSRS 0x2000

static void clear_bit(uint8_t *msrpm, uint32_t msr, unsigned which)
{
	for (unsigned i = 0; i < ARRAY_SIZE(blocks); i++) {
		uint32_t n = msr - blocks[i].first;

		if (msr < blocks[i].first || n >= MSRPM_BLOCK_MSRS)
			continue;
		unsigned bit = n * 2 + which;
		msrpm[blocks[i].offset + bit / 8] &= (uint8_t)~(1u << (bit % 8));
	}
}

void svm_msrpm_open(uint8_t *msrpm)
{
	for (unsigned i = 0; i < guest_msr_passthrough_count; i++) {
		const struct msr_range *r = &guest_msr_passthrough[i];

		for (uint32_t msr = r->first; msr <= r->last; msr++) {
			clear_bit(msrpm, msr, 0);
			if (r->write)
				clear_bit(msrpm, msr, 1);
		}
	}
}
