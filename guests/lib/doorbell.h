/*
 * Doorbells of shared-memory channels (docs/hypercalls.md, HC_CHANNEL_SIGNAL):
 * ringing makes the hypervisor send HV_CHANNEL_VECTOR to the channel's peer,
 * on its vCPU 0. A doorbell says only "look at your channels": it carries no
 * data, several may merge into one interrupt, and the hypervisor drops those
 * over its rate limit, so a receiver also polls its rings on its own tick.
 */
#ifndef GUESTS_LIB_DOORBELL_H
#define GUESTS_LIB_DOORBELL_H

#include "hv/guest_abi.h"

/*
 * Rings the peer of boot_info.channels[channel_index]: 0 sent, -EAGAIN
 * dropped by the hypervisor's rate limit (harmless: the peer polls),
 * -ENOTCONN the peer is not running, -EINVAL no such channel.
 */
int doorbell_ring(unsigned channel_index);

/*
 * Takes HV_CHANNEL_VECTOR in this partition (deliveries go to vCPU 0,
 * which needs its APIC on: tick_start() does it). fn runs in the interrupt,
 * with interrupts off: it must only set flags for the main loop. The
 * library counts the interrupt and acknowledges it; fn may be NULL.
 */
void doorbell_set_handler(void (*fn)(void));
/* Takes the vector, counting only, and leaves a handler already set in place. */
void doorbell_enable(void);

/* Interrupts taken at HV_CHANNEL_VECTOR (handler entries, not polls). */
uint64_t doorbell_received(void);
/* tsc_us() when the last one was taken, 0 before the first: for latency figures. */
uint64_t doorbell_last_us(void);

/*
 * Test aid: the boot tests' mailbox, in the last page of a "vmbus" channel
 * (reserved by the channel layout, guests/lib/vmbus_layout.h). Index 0 is
 * written by the parent, 1 by the child; rang_us is the writer's tsc_us()
 * just before it rang.
 */
#define DOORBELL_MAILBOX_OFFSET (HV_GUEST_CHANNEL_SLOT - PAGE_SIZE)
#define DOORBELL_MAILBOX_TEXT	240

struct doorbell_mailbox {
	uint64_t rang_us[2];
	char text[2][DOORBELL_MAILBOX_TEXT];
};
_Static_assert(sizeof(struct doorbell_mailbox) <= PAGE_SIZE, "one page");

#endif
