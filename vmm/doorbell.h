/*
 * Channel doorbells (HC_CHANNEL_SIGNAL): a partition rings the peer of one
 * of its shared-memory channels, which then takes HV_CHANNEL_VECTOR on its
 * vCPU 0. Each channel end has a rate limit: a partition ringing faster is
 * dropped, not stopped, since its peer polls its rings on its own tick and
 * nothing waits on a lost doorbell for longer than that.
 */
#ifndef VMM_DOORBELL_H
#define VMM_DOORBELL_H

#include "lib/config.h"

struct partition;

/* Per channel end since boot; what the log lines and the partition status report. */
struct doorbell_counts {
	uint64_t sent;
	uint64_t dropped;
};

/* The rate limit of every channel end, signals per second (config doorbell_limit). */
void doorbell_configure(const struct config *cfg);

/*
 * Rings the peer of from->channels[index]. 0 sent; -EINVAL no such channel;
 * -ENOTCONN the peer is not running; -EAGAIN dropped by the rate limit.
 */
int doorbell_signal(struct partition *from, unsigned index);

/* One end's counters; zero for an index p has no channel at. */
struct doorbell_counts doorbell_counts(const struct partition *p, unsigned index);
/* The sum over all of p's channel ends. */
struct doorbell_counts doorbell_totals(const struct partition *p);

#endif
