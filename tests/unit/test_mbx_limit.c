/*
 * Mailbox flood brake: messages within the rate are served, a flood mutes
 * the VF for a while and is counted, malformed messages mute sooner, the
 * clock doing odd things never unmutes early, and a VF flooding garbage
 * through the real decoder is muted while its neighbour keeps being served.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include "drivers/nic/mbx_decode.h"
#include "drivers/nic/mbx_limit.h"

static const struct mbx_limit_config cfg = {
    .window_ticks = 100,
    .max_messages = 10,
    .max_malformed = 3,
    .mute_ticks = 1000,
};

static void test_config_validation(void **state)
{
	struct mbx_limit_config c = cfg;
	const char *why;

	(void)state;
	assert_int_equal(mbx_limit_config_validate(&c, &why), 0);
	c.window_ticks = 0;
	assert_int_equal(mbx_limit_config_validate(&c, &why), -EINVAL);
	assert_string_equal(why, "window_ticks is 0");
	c = cfg;
	c.max_messages = 0;
	assert_int_equal(mbx_limit_config_validate(&c, &why), -EINVAL);
	c = cfg;
	c.mute_ticks = 0;
	assert_int_equal(mbx_limit_config_validate(&c, NULL), -EINVAL);
	c = cfg;
	c.max_malformed = 0; /* allowed: the first malformed message mutes */
	assert_int_equal(mbx_limit_config_validate(&c, NULL), 0);
}

static void test_steady_rate_never_mutes(void **state)
{
	struct mbx_limit l;

	(void)state;
	mbx_limit_init(&l, 0);
	for (uint64_t t = 0; t < 100000; t += 10) { /* one message every 10 ticks */
		assert_int_equal(mbx_limit_admit(&l, &cfg, t), MBX_SERVE);
		assert_false(mbx_limit_account(&l, &cfg, t, MBX_ACCEPTED));
	}
	assert_int_equal(l.accepted, 10000);
	assert_int_equal(l.mutes + l.dropped, 0);
}

static void test_flood_mutes_then_recovers(void **state)
{
	struct mbx_limit l;

	(void)state;
	mbx_limit_init(&l, 50);
	for (unsigned i = 0; i < cfg.max_messages; i++)
		assert_int_equal(mbx_limit_admit(&l, &cfg, 50 + i), MBX_SERVE);
	assert_int_equal(mbx_limit_admit(&l, &cfg, 60), MBX_MUTE_NOW);
	assert_true(mbx_limit_is_muted(&l, 60));
	for (uint64_t t = 61; t < 60 + cfg.mute_ticks; t += 7)
		assert_int_equal(mbx_limit_admit(&l, &cfg, t), MBX_DROP);
	assert_int_equal(l.mutes, 1);
	assert_int_equal(l.dropped, 1 + (cfg.mute_ticks - 1 + 6) / 7);
	/* The mute is over: served again, with a fresh window. */
	assert_int_equal(mbx_limit_admit(&l, &cfg, 60 + cfg.mute_ticks), MBX_SERVE);
	assert_false(mbx_limit_is_muted(&l, 60 + cfg.mute_ticks));
	assert_int_equal(l.in_window, 1);
}

static void test_window_boundary(void **state)
{
	struct mbx_limit l;

	(void)state;
	mbx_limit_init(&l, 0);
	for (unsigned i = 0; i < cfg.max_messages; i++)
		assert_int_equal(mbx_limit_admit(&l, &cfg, 99), MBX_SERVE);
	/* Tick 100 starts a new window: a burst at a window's edge is allowed. */
	for (unsigned i = 0; i < cfg.max_messages; i++)
		assert_int_equal(mbx_limit_admit(&l, &cfg, 100), MBX_SERVE);
	assert_int_equal(mbx_limit_admit(&l, &cfg, 199), MBX_MUTE_NOW);
}

static void test_malformed_mutes_sooner(void **state)
{
	struct mbx_limit l;

	(void)state;
	mbx_limit_init(&l, 0);
	for (unsigned i = 0; i < cfg.max_malformed; i++) {
		assert_int_equal(mbx_limit_admit(&l, &cfg, i), MBX_SERVE);
		assert_false(mbx_limit_account(&l, &cfg, i, MBX_MALFORMED));
	}
	assert_int_equal(mbx_limit_admit(&l, &cfg, 5), MBX_SERVE);
	assert_true(mbx_limit_account(&l, &cfg, 5, MBX_MALFORMED)); /* log once */
	assert_int_equal(mbx_limit_admit(&l, &cfg, 6), MBX_DROP);
	assert_int_equal(l.malformed, cfg.max_malformed + 1);
	assert_int_equal(l.mutes, 1);
	/* Refusals by policy are not malformed: they never mute on their own. */
	mbx_limit_init(&l, 0);
	for (unsigned i = 0; i < cfg.max_messages; i++) {
		assert_int_equal(mbx_limit_admit(&l, &cfg, 0), MBX_SERVE);
		assert_false(mbx_limit_account(&l, &cfg, 0, MBX_REFUSED));
	}
	assert_int_equal(l.refused, cfg.max_messages);
	assert_int_equal(l.mutes, 0);
}

static void test_clock_oddities(void **state)
{
	struct mbx_limit l;
	struct mbx_limit_config c = cfg;

	(void)state;
	mbx_limit_init(&l, 1000);
	for (unsigned i = 0; i < c.max_messages; i++)
		mbx_limit_admit(&l, &c, 1000);
	/* Time running backwards restarts the window rather than wrapping the age. */
	assert_int_equal(mbx_limit_admit(&l, &c, 10), MBX_SERVE);
	assert_int_equal(l.window_start, 10);
	/* ...and a mute stays in force however the clock moves before it ends. */
	for (unsigned i = 1; i < c.max_messages; i++)
		mbx_limit_admit(&l, &c, 10);
	assert_int_equal(mbx_limit_admit(&l, &c, 10), MBX_MUTE_NOW);
	assert_int_equal(mbx_limit_admit(&l, &c, 0), MBX_DROP);
	/* A mute reaching past the end of time saturates. */
	c.mute_ticks = UINT64_MAX;
	mbx_limit_init(&l, UINT64_MAX - 5);
	for (unsigned i = 0; i < c.max_messages; i++)
		mbx_limit_admit(&l, &c, UINT64_MAX - 5);
	assert_int_equal(mbx_limit_admit(&l, &c, UINT64_MAX - 5), MBX_MUTE_NOW);
	assert_int_equal(l.muted_until, UINT64_MAX);
	assert_int_equal(mbx_limit_admit(&l, &c, UINT64_MAX - 1), MBX_DROP);
}

static void test_clear_keeps_totals(void **state)
{
	struct mbx_limit l;

	(void)state;
	mbx_limit_init(&l, 0);
	for (unsigned i = 0; i <= cfg.max_messages; i++)
		mbx_limit_admit(&l, &cfg, 0);
	assert_true(mbx_limit_is_muted(&l, 1));
	mbx_limit_clear(&l, 2); /* the VF was reset and given to another child */
	assert_false(mbx_limit_is_muted(&l, 2));
	assert_int_equal(mbx_limit_admit(&l, &cfg, 2), MBX_SERVE);
	assert_int_equal(l.mutes, 1);
	assert_int_equal(l.dropped, 1);
}

/* --- A VF flooding garbage next to a well-behaved one -------------------- */

static uint64_t rng = 88172645463325252ull;

static uint32_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

struct vf_sim {
	struct mbx_limit limit;
	unsigned served;
};

/* What the PF's mailbox task does for one message: admit, decode, account. */
static void pf_receive(struct vf_sim *vf, const uint32_t *w, unsigned n, uint64_t now)
{
	struct mbx_request req;

	if (mbx_limit_admit(&vf->limit, &cfg, now) != MBX_SERVE)
		return;
	vf->served++;
	mbx_limit_account(&vf->limit, &cfg, now,
			  mbx_decode(w, n, &req, NULL) ? MBX_MALFORMED : MBX_ACCEPTED);
}

static void test_garbage_flood_next_to_good_vf(void **state)
{
	struct vf_sim bad, good;
	const uint32_t lpe[2] = {IGB_MBX_VF_SET_LPE, 1522};

	(void)state;
	mbx_limit_init(&bad.limit, 0);
	mbx_limit_init(&good.limit, 0);
	bad.served = good.served = 0;
	for (uint64_t now = 0; now < 10000; now++) {
		for (unsigned i = 0; i < 50; i++) { /* 50 garbage messages per tick */
			uint32_t w[IGB_MBX_WORDS];

			for (unsigned j = 0; j < IGB_MBX_WORDS; j++)
				w[j] = next_random();
			pf_receive(&bad, w, 1 + next_random() % IGB_MBX_WORDS, now);
		}
		if (now % 20 == 0)
			pf_receive(&good, lpe, 2, now);
	}
	/* The good VF lost nothing. */
	assert_int_equal(good.served, 500);
	assert_int_equal(good.limit.accepted, 500);
	assert_int_equal(good.limit.dropped + good.limit.malformed, 0);
	/* The bad one cost the PF at most a few messages per mute period. */
	uint64_t periods = 10000 / cfg.mute_ticks + 1;
	assert_true(bad.served <= periods * (cfg.max_malformed + 1) * 2);
	assert_true(bad.limit.mutes >= periods - 1);
	assert_int_equal(bad.limit.dropped + bad.served, 500000);
	assert_int_equal(bad.limit.accepted + bad.limit.malformed, bad.served);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_validation),
	    cmocka_unit_test(test_steady_rate_never_mutes),
	    cmocka_unit_test(test_flood_mutes_then_recovers),
	    cmocka_unit_test(test_window_boundary),
	    cmocka_unit_test(test_malformed_mutes_sooner),
	    cmocka_unit_test(test_clock_oddities),
	    cmocka_unit_test(test_clear_keeps_totals),
	    cmocka_unit_test(test_garbage_flood_next_to_good_vf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
