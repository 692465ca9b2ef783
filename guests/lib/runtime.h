/*
 * The guest runtime's start and end (docs/guest-sdk.md). crt0.asm enters
 * guest_entry() on every vCPU with the registers guest_abi.h describes.
 * vCPU 0 clears .bss, sets up the runtime (hypercall instruction, IDT) and
 * calls main(); the other vCPUs wait for that, load the IDT and call
 * secondary_main().
 */
#ifndef GUESTS_LIB_RUNTIME_H
#define GUESTS_LIB_RUNTIME_H

#include "hv/guest_abi.h"

/* The program's entry on vCPU 0. Its return value is printed, then vCPU 0 halts. */
int main(const struct hv_guest_boot_info *bi);
/*
 * The program's entry on vCPUs 1..vcpu_count-1. The runtime's weak default
 * idles with interrupts on; when it returns the vCPU halts.
 */
void secondary_main(const struct hv_guest_boot_info *bi, unsigned vcpu);

/* The boot info the hypervisor passed in RDI (valid once main runs). */
const struct hv_guest_boot_info *guest_boot_info(void);

/* Stops this vCPU for good: interrupts off, HLT in a loop. */
__noreturn void guest_halt(void);
/* Idles this vCPU for good: interrupt handlers keep running. */
__noreturn void guest_idle(void);

/* Called by crt0.asm with RDI and RSI as the hypervisor set them. */
__noreturn void guest_entry(const struct hv_guest_boot_info *bi, uint64_t vcpu);

#endif
