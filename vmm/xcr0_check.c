/*
 * XSETBV's #GP(0) conditions (see xcr0_check.h), one per state component
 * group that the architecture ties together.
 */
#include "vmm/xcr0_check.h"

#define XCR0_BND    (XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_AVX512 (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_XTILE  (XCR0_XTILECFG | XCR0_XTILEDATA)

/* A group of components that must be enabled all together or not at all. */
static bool partial(uint64_t value, uint64_t group)
{
	uint64_t set = value & group;

	return set && set != group;
}

const char *xcr0_check(uint32_t index, uint64_t value, uint64_t supported)
{
	if (index != 0)
		return "xcr-index-not-0";
	if (value & ~supported)
		return "xcr0-unsupported-bits";
	if (!(value & XCR0_X87))
		return "xcr0-x87-clear";
	if ((value & XCR0_AVX) && !(value & XCR0_SSE))
		return "xcr0-avx-without-sse";
	if (partial(value, XCR0_BND))
		return "xcr0-mpx-partial";
	if (partial(value, XCR0_AVX512))
		return "xcr0-avx512-partial";
	if ((value & XCR0_AVX512) && !(value & XCR0_AVX))
		return "xcr0-avx512-without-avx";
	if (partial(value, XCR0_XTILE))
		return "xcr0-amx-partial";
	return NULL;
}
