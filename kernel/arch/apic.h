/*
 * The local APIC of each CPU, in x2APIC mode when the CPU has it (MSR
 * access, 32-bit ids), else xAPIC (MMIO at the APIC base). Callers don't
 * care which: the same functions serve both.
 */
#ifndef KERNEL_ARCH_APIC_H
#define KERNEL_ARCH_APIC_H

#include "hv/types.h"

/* Boot CPU first: picks the mode and maps the xAPIC page if needed. */
void apic_init_cpu(void);
bool apic_is_x2apic(void);
bool apic_ready(void);
uint32_t apic_id(void);
uint32_t apic_version(void);
void apic_eoi(void);

void apic_send_fixed_ipi(uint32_t dest, uint8_t vector);
void apic_send_nmi(uint32_t dest);
void apic_send_init(uint32_t dest);
void apic_send_startup(uint32_t dest, uint8_t page);
/* NMIs another CPU as a kick: it leaves the guest (or HLT) and looks at its requests. */
void apic_kick_cpu(unsigned index);
/* NMIs every other online CPU; their NMI handler parks them. */
void apic_stop_other_cpus(void);

/* Timer: divide-by-1, one-shot counting down from initial. */
void apic_timer_start_oneshot(uint32_t initial, uint8_t vector, bool masked);
void apic_timer_start_periodic(uint32_t initial, uint8_t vector);
uint32_t apic_timer_current(void);
void apic_timer_stop(void);

#endif
