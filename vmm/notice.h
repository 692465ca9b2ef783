/*
 * Notices to a partition about its own devices (offered, being revoked,
 * revoked, DMA faults, quarantine), read with HC_NOTICE. Each partition has
 * its own small queue; the parent additionally gets partition events.
 */
#ifndef VMM_NOTICE_H
#define VMM_NOTICE_H

#include "hv/hypercall.h"

struct partition;

void notice_post(struct partition *p, enum hv_notice_kind kind, uint32_t bdf, uint64_t addr,
		 uint64_t deadline_us);
/* The oldest notice, false when there is none. */
bool notice_take(struct partition *p, struct hv_notice *n);
/* A new run of p starts with none of the last run's notices. */
void notice_clear(struct partition *p);

#endif
