/*
 * Per-VF accounting of mailbox traffic, and the flood brake: a VF that
 * sends more than max_messages in one window of ticks, or more than
 * max_malformed malformed messages in one window, is muted for mute_ticks.
 * While muted its messages are dropped unanswered (the PF only releases
 * the mailbox), so one hostile child costs the PF a bounded amount of work
 * and the other VFs keep being served.
 *
 * Pure and tick-driven: the caller passes the current tick in. Windows are
 * fixed (they restart when a message arrives a full window after the
 * current one started), which bounds any VF to max_messages served
 * messages per window, and none while muted.
 */
#ifndef DRIVERS_NIC_MBX_LIMIT_H
#define DRIVERS_NIC_MBX_LIMIT_H

#include "hv/types.h"

struct mbx_limit_config {
	uint64_t window_ticks;	/* length of one counting window, > 0 */
	uint32_t max_messages;	/* served per window before muting, > 0 */
	uint32_t max_malformed; /* malformed per window before muting */
	uint64_t mute_ticks;	/* how long a mute lasts, > 0 */
};

struct mbx_limit {
	/* Totals, for `nic stats`. */
	uint64_t accepted;  /* granted requests */
	uint64_t refused;   /* well-formed requests the policy refused */
	uint64_t malformed; /* messages the decoder refused */
	uint64_t dropped;   /* messages not served because the VF was muted */
	uint64_t mutes;	    /* times the VF was muted */
	/* The current window and mute. */
	uint64_t window_start;
	uint32_t in_window;
	uint32_t malformed_in_window;
	bool muted;
	uint64_t muted_until;
};

enum mbx_verdict {
	MBX_SERVE,    /* decode it, answer it, then mbx_limit_account() */
	MBX_DROP,     /* muted: release the mailbox, no reply */
	MBX_MUTE_NOW, /* this message tipped the VF over: drop it and log once */
};

enum mbx_outcome {
	MBX_ACCEPTED,
	MBX_REFUSED,
	MBX_MALFORMED,
};

/* 0, or -EINVAL with *reason when a field is zero where it must not be. */
int mbx_limit_config_validate(const struct mbx_limit_config *c, const char **reason);

/* All counters zero, window starting at now, not muted. */
void mbx_limit_init(struct mbx_limit *l, uint64_t now);
/*
 * Forgets the window and any mute but keeps the totals: for a VF that was
 * reset or changed hands, so a new child does not inherit a mute.
 */
void mbx_limit_clear(struct mbx_limit *l, uint64_t now);

/* A message arrived at tick now: serve it or not. */
enum mbx_verdict mbx_limit_admit(struct mbx_limit *l, const struct mbx_limit_config *c,
				 uint64_t now);
/*
 * What became of a served message. Returns true when it muted the VF
 * (too many malformed messages in this window): log once.
 */
bool mbx_limit_account(struct mbx_limit *l, const struct mbx_limit_config *c, uint64_t now,
		       enum mbx_outcome outcome);

bool mbx_limit_is_muted(const struct mbx_limit *l, uint64_t now);

#endif
