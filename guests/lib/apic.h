/*
 * The local APIC of the CPU a vCPU runs on, in x2APIC mode (MSRs
 * 0x800-0x8ff). Partitions own their CPUs, so this is the physical APIC:
 * timer and EOI go straight to it; IPIs go through the hypervisor's check
 * and reach only the partition's own CPUs (boot_info.apic_ids[]).
 */
#ifndef GUESTS_LIB_APIC_H
#define GUESTS_LIB_APIC_H

#include "hv/types.h"

/* x2APIC registers as MSRs (Intel SDM vol. 3, table 11-6 "x2APIC MSRs"). */
#define X2APIC_ID		  0x802
#define X2APIC_VERSION		  0x803
#define X2APIC_TPR		  0x808
#define X2APIC_EOI		  0x80b
#define X2APIC_SVR		  0x80f
#define X2APIC_SVR_ENABLE	  BIT(8)
#define X2APIC_ESR		  0x828
#define X2APIC_ICR		  0x830
#define X2APIC_ICR_MODE_FIXED	  (0ULL << 8)
#define X2APIC_ICR_MODE_NMI	  (4ULL << 8)
#define X2APIC_ICR_MODE_INIT	  (5ULL << 8)
#define X2APIC_ICR_ASSERT	  BIT(14)
#define X2APIC_ICR_DEST_SHIFT	  32
#define X2APIC_LVT_TIMER	  0x832
#define X2APIC_LVT_MASKED	  BIT(16)
#define X2APIC_LVT_TIMER_PERIODIC BIT(17)
#define X2APIC_TIMER_INITIAL	  0x838
#define X2APIC_TIMER_CURRENT	  0x839
#define X2APIC_TIMER_DIVIDE	  0x83e
#define X2APIC_SELF_IPI		  0x83f

/* Per vCPU: software-enables the APIC, spurious vector IDT_SPURIOUS_VECTOR, TPR 0. */
void apic_init(void);
uint32_t apic_id(void);
void apic_eoi(void);

/*
 * Timer interrupts at vector: hz per second, or once after us. Rates come
 * from boot_info.apic_timer_hz; -ENODEV when the hypervisor gave none,
 * -EINVAL for a zero or unreachable rate.
 */
int apic_timer_periodic(uint8_t vector, uint32_t hz);
int apic_timer_oneshot(uint8_t vector, uint64_t us);
void apic_timer_stop(void);

void apic_self_ipi(uint8_t vector);
/* Fixed IPI to another vCPU of this partition, by vCPU index: -EINVAL if none. */
int apic_send_ipi(unsigned vcpu, uint8_t vector);
/* A raw ICR value, unchecked: the hypervisor decides what it allows. */
void apic_write_icr(uint64_t icr);

#endif
