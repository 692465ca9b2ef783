/*
 * The entry into the hypervisor core, the one call every loader makes.
 * Called with interrupts off, in 64-bit mode, with all memory named in the
 * boot info identity-mapped. The core switches to its own stack, GDT, IDT
 * and page tables before relying on anything else.
 */
#ifndef HV_CORE_H
#define HV_CORE_H

#include "hv/boot_info.h"

void hv_core_entry(struct boot_info *bi) __noreturn;

/* The C side of the entry, on the core's own boot stack. */
void hv_main(struct boot_info *bi) __noreturn;

#endif
