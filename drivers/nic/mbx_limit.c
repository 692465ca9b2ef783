/* Per-VF mailbox rate limit and counters (see mbx_limit.h). */
#include "drivers/nic/mbx_limit.h"
#include "hv/errno.h"
#include "hv/string.h"

int mbx_limit_config_validate(const struct mbx_limit_config *c, const char **reason)
{
	const char *why = "ok";
	int err = 0;

	if (c->window_ticks == 0) {
		why = "window_ticks is 0";
		err = -EINVAL;
	} else if (c->max_messages == 0) {
		why = "max_messages is 0";
		err = -EINVAL;
	} else if (c->mute_ticks == 0) {
		why = "mute_ticks is 0";
		err = -EINVAL;
	}
	if (reason)
		*reason = why;
	return err;
}

void mbx_limit_clear(struct mbx_limit *l, uint64_t now)
{
	l->window_start = now;
	l->in_window = 0;
	l->malformed_in_window = 0;
	l->muted = false;
	l->muted_until = 0;
}

void mbx_limit_init(struct mbx_limit *l, uint64_t now)
{
	memset(l, 0, sizeof(*l));
	mbx_limit_clear(l, now);
}

bool mbx_limit_is_muted(const struct mbx_limit *l, uint64_t now)
{
	return l->muted && now < l->muted_until;
}

/* A new window when this one is over, or when time ran backwards. */
static void roll_window(struct mbx_limit *l, const struct mbx_limit_config *c, uint64_t now)
{
	if (now < l->window_start || now - l->window_start >= c->window_ticks)
		mbx_limit_clear(l, now);
}

static void mute(struct mbx_limit *l, const struct mbx_limit_config *c, uint64_t now)
{
	l->muted = true;
	/* Saturate: a mute reaching past the end of time lasts until then. */
	l->muted_until = now > UINT64_MAX - c->mute_ticks ? UINT64_MAX : now + c->mute_ticks;
	l->mutes++;
}

enum mbx_verdict mbx_limit_admit(struct mbx_limit *l, const struct mbx_limit_config *c,
				 uint64_t now)
{
	if (l->muted) {
		/* A clock that runs backwards only makes the mute last longer. */
		if (mbx_limit_is_muted(l, now)) {
			l->dropped++;
			return MBX_DROP;
		}
		mbx_limit_clear(l, now);
	}
	roll_window(l, c, now);
	if (l->in_window >= c->max_messages) {
		mute(l, c, now);
		l->dropped++;
		return MBX_MUTE_NOW;
	}
	l->in_window++;
	return MBX_SERVE;
}

bool mbx_limit_account(struct mbx_limit *l, const struct mbx_limit_config *c, uint64_t now,
		       enum mbx_outcome outcome)
{
	switch (outcome) {
	case MBX_ACCEPTED:
		l->accepted++;
		return false;
	case MBX_REFUSED:
		l->refused++;
		return false;
	default:
		break;
	}
	l->malformed++;
	if (l->muted || ++l->malformed_in_window <= c->max_malformed)
		return false;
	mute(l, c, now);
	return true;
}
