/*
 * Whether a value may be loaded into XCR0 (XSETBV with ECX = 0). VMX makes
 * every XSETBV exit, so the hypervisor must refuse with #GP exactly what the
 * processor would (on SVM XSETBV is not intercepted and the processor checks
 * it itself). Rules: SDM vol. 1, "Extended Control Register (XCR0)", and
 * vol. 2, "XSETBV".
 */
#ifndef VMM_XCR0_CHECK_H
#define VMM_XCR0_CHECK_H

#include "hv/types.h"

#define XCR0_X87       BIT(0)
#define XCR0_SSE       BIT(1)
#define XCR0_AVX       BIT(2)
#define XCR0_BNDREGS   BIT(3)
#define XCR0_BNDCSR    BIT(4)
#define XCR0_OPMASK    BIT(5)
#define XCR0_ZMM_HI256 BIT(6)
#define XCR0_HI16_ZMM  BIT(7)
#define XCR0_PKRU      BIT(9)
#define XCR0_XTILECFG  BIT(17)
#define XCR0_XTILEDATA BIT(18)

/*
 * NULL if XSETBV may load value into XCR index, given the XCR0 bits CPUID
 * leaf 0xD sub-leaf 0 reports (EDX:EAX) as the guest sees it; otherwise the
 * reason the processor raises #GP(0), for the log line.
 */
const char *xcr0_check(uint32_t index, uint64_t value, uint64_t supported);

#endif
