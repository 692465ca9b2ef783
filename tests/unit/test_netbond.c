/*
 * The child's synthetic/VF bond: the scenarios of issue 6 against a fake
 * pair of paths and a fake parent. Every frame carries a sequence number;
 * the fake paths record what left on which path, so "no frame lost" is
 * checked as every number sent exactly once and in order, across paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "guests/lib/netbond.h"

#define MAX_SENT 4096
#define VF_BDF	 0x0310

static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x01};
static const uint8_t other_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x02, 0x02};

/* The fake world around the bond. */
static struct world {
	uint32_t seq_sent[MAX_SENT];
	enum nvsp_path path_sent[MAX_SENT];
	unsigned nsent;
	int path_result[2];	  /* what tx returns per path (0, -EAGAIN, -EIO) */
	int msg_result;		  /* what send_msg returns */
	struct nvsp_msg msgs[64]; /* SWITCH_DATAPATH requests seen by the parent */
	uint8_t msg_bytes[64][64];
	unsigned nmsgs;
	bool vf_idle;
	char log[8192];
} w;

static int fake_tx(void *ctx, enum nvsp_path path, const void *frame, size_t len)
{
	uint32_t seq;

	(void)ctx;
	assert_true(len >= 18);
	if (w.path_result[path])
		return w.path_result[path];
	memcpy(&seq, (const uint8_t *)frame + 14, 4);
	assert_true(w.nsent < MAX_SENT);
	w.seq_sent[w.nsent] = seq;
	w.path_sent[w.nsent++] = path;
	return 0;
}

static int fake_send_msg(void *ctx, const void *msg, size_t len)
{
	(void)ctx;
	if (w.msg_result)
		return w.msg_result;
	assert_true(w.nmsgs < 64 && len <= 64);
	memcpy(w.msg_bytes[w.nmsgs], msg, len);
	assert_int_equal(
	    nvsp_decode(w.msg_bytes[w.nmsgs], len, NVSP_FROM_CHILD, &w.msgs[w.nmsgs], NULL), 0);
	w.nmsgs++;
	return 0;
}

static bool fake_vf_idle(void *ctx)
{
	(void)ctx;
	return w.vf_idle;
}

static void fake_log(void *ctx, const char *line)
{
	(void)ctx;
	strncat(w.log, line, sizeof(w.log) - strlen(w.log) - 2);
	strcat(w.log, "\n");
}

static const struct netbond_ops ops = {fake_tx, fake_send_msg, fake_vf_idle, fake_log};

static struct netbond nb;
static uint32_t next_seq;
static uint64_t now;

static int setup(void **state)
{
	struct netbond_config cfg = {.hold_limit = 8, .ack_timeout_ms = 100};

	(void)state;
	memset(&w, 0, sizeof(w));
	w.vf_idle = true;
	memcpy(cfg.mac, mac, 6);
	next_seq = 0;
	now = 0;
	assert_int_equal(netbond_init(&nb, &cfg, &ops, NULL), 0);
	return 0;
}

/* Sends the next numbered frame; returns what netbond_tx said. */
static int send_one(void)
{
	uint8_t f[60] = {0};
	int r;

	memcpy(f, other_mac, 6);
	memcpy(f + 6, mac, 6);
	memcpy(f + 14, &next_seq, 4);
	r = netbond_tx(&nb, f, sizeof(f));
	if (r >= 0)
		next_seq++;
	return r;
}

static void send_n(unsigned n, int expect)
{
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(send_one(), expect);
}

static void tick(uint64_t ms)
{
	now += ms;
	netbond_tick(&nb, now);
}

/* Every sequence number taken was sent exactly once, in order. */
static void assert_no_loss(void)
{
	assert_int_equal(w.nsent, next_seq);
	for (unsigned i = 0; i < w.nsent; i++)
		assert_int_equal(w.seq_sent[i], i);
}

static unsigned sent_on(enum nvsp_path path, unsigned from)
{
	unsigned n = 0;

	for (unsigned i = from; i < w.nsent; i++)
		n += w.path_sent[i] == path;
	return n;
}

static const struct nvsp_msg *last_request(void)
{
	assert_true(w.nmsgs > 0);
	assert_int_equal(w.msgs[w.nmsgs - 1].type, NVSP_SWITCH_DATAPATH);
	return &w.msgs[w.nmsgs - 1];
}

static void parent_says(const void *msg, int len)
{
	struct nvsp_msg m;

	assert_true(len > 0);
	assert_int_equal(nvsp_decode(msg, (size_t)len, NVSP_FROM_PARENT, &m, NULL), 0);
	assert_int_equal(netbond_handle_msg(&nb, &m), 0);
}

static void ack(uint32_t id, int32_t status, enum nvsp_path path)
{
	uint8_t b[64];

	parent_says(b, nvsp_encode_switch_ack(b, sizeof(b), id, status, path));
}

static void associate(bool yes, uint32_t bdf, const uint8_t *m)
{
	uint8_t b[64];

	parent_says(b, nvsp_encode_vf_associate(b, sizeof(b), yes, 1, bdf, m));
}

/* Offer, driver ready, association: the bond asks for the VF. */
static uint32_t start_switch(void)
{
	netbond_vf_offered(&nb, VF_BDF);
	assert_int_equal(nb.state, NETBOND_VF_OFFERED);
	netbond_vf_ready(&nb, mac);
	assert_int_equal(nb.state, NETBOND_VF_OFFERED);
	associate(true, VF_BDF, mac);
	assert_int_equal(nb.state, NETBOND_SWITCHING);
	assert_int_equal(last_request()->u.sw.path, NVSP_PATH_VF);
	return last_request()->u.sw.request_id;
}

static void go_vf(void)
{
	ack(start_switch(), 0, NVSP_PATH_VF);
	assert_int_equal(nb.state, NETBOND_VF);
}

/* --- Tests ------------------------------------------------------------- */

static void test_init_refusals(void **state)
{
	struct netbond_config cfg = {0};
	struct netbond_ops no_tx = ops;

	(void)state;
	assert_int_equal(netbond_init(&nb, &cfg, &ops, NULL), -EINVAL); /* zero MAC */
	memcpy(cfg.mac, mac, 6);
	cfg.mac[0] = 0x01;
	assert_int_equal(netbond_init(&nb, &cfg, &ops, NULL), -EINVAL); /* multicast */
	cfg.mac[0] = 0x02;
	cfg.hold_limit = NETBOND_HOLD_MAX + 1;
	assert_int_equal(netbond_init(&nb, &cfg, &ops, NULL), -EINVAL);
	cfg.hold_limit = 0;
	no_tx.tx = NULL;
	assert_int_equal(netbond_init(&nb, &cfg, &no_tx, NULL), -EINVAL);
	assert_int_equal(netbond_init(&nb, &cfg, &ops, NULL), 0);
	assert_int_equal(nb.cfg.hold_limit, NETBOND_HOLD_MAX);
	assert_int_equal(nb.cfg.ack_timeout_ms, NETBOND_ACK_TIMEOUT_MS);
}

static void test_synthetic_start(void **state)
{
	uint8_t tiny[10] = {0};

	(void)state;
	assert_int_equal(nb.state, NETBOND_SYNTHETIC);
	send_n(5, 0);
	assert_int_equal(sent_on(NVSP_PATH_SYNTHETIC, 0), 5);
	assert_int_equal(netbond_tx(&nb, tiny, sizeof(tiny)), -EINVAL);
	assert_int_equal(netbond_tx(&nb, NULL, 60), -EINVAL);
	assert_true(netbond_rx(&nb, NVSP_PATH_SYNTHETIC, 60));
	assert_true(netbond_rx(&nb, NVSP_PATH_VF, 60)); /* accepted even with no VF */
	assert_false(netbond_rx(&nb, (enum nvsp_path)7, 60));
	assert_int_equal(nb.c.rx_old_path, 1);
	assert_true(netbond_vf_releasable(&nb));
	assert_int_equal(w.nmsgs, 0);
}

/* The switch to the VF: frames during SWITCHING are held and released in order. */
static void test_switch_to_vf_no_loss(void **state)
{
	uint32_t id;

	(void)state;
	send_n(3, 0);
	id = start_switch();
	assert_false(netbond_vf_releasable(&nb));
	send_n(5, NETBOND_HELD);
	assert_int_equal(w.nsent, 3);
	netbond_rx(&nb, NVSP_PATH_VF, 60); /* the parent may move the filter before the ACK */
	ack(id, 0, NVSP_PATH_VF);
	assert_int_equal(nb.state, NETBOND_VF);
	assert_int_equal(netbond_path(&nb), NVSP_PATH_VF);
	send_n(4, 0);
	assert_no_loss();
	assert_int_equal(sent_on(NVSP_PATH_SYNTHETIC, 0), 3);
	assert_int_equal(sent_on(NVSP_PATH_VF, 0), 9);
	assert_int_equal(nb.c.switches, 1);
	assert_int_equal(nb.c.held, 5);
	assert_int_equal(nb.c.hold_max, 5);
	assert_int_equal(nb.c.tx[NVSP_PATH_VF], 9);
	assert_non_null(strstr(w.log, "event=state from=switching to=vf"));
}

/* Planned failover under a continuous stream: VF TX drains, then the switch, no loss. */
static void test_planned_failover_no_loss(void **state)
{
	(void)state;
	go_vf();
	send_n(10, 0);
	w.vf_idle = false; /* frames still in the VF's TX queue */
	netbond_vf_revoking(&nb, false);
	assert_int_equal(nb.state, NETBOND_FAILING_BACK);
	assert_int_equal(last_request()->u.sw.path, NVSP_PATH_VF); /* no to_synthetic yet */
	send_n(3, NETBOND_HELD);
	tick(10);
	assert_int_equal(w.nmsgs, 1);
	w.vf_idle = true; /* drained */
	tick(10);
	assert_int_equal(w.nmsgs, 2);
	assert_int_equal(last_request()->u.sw.path, NVSP_PATH_SYNTHETIC);
	send_n(2, NETBOND_HELD);
	netbond_rx(&nb, NVSP_PATH_VF, 60); /* in flight on the old path: still taken */
	ack(last_request()->u.sw.request_id, 0, NVSP_PATH_SYNTHETIC);
	assert_int_equal(nb.state, NETBOND_SYNTHETIC);
	assert_true(netbond_vf_releasable(&nb));
	send_n(5, 0);
	assert_no_loss();
	assert_int_equal(sent_on(NVSP_PATH_VF, 0), 10);
	assert_int_equal(sent_on(NVSP_PATH_SYNTHETIC, 0), 10);
	assert_int_equal(nb.c.failovers, 1);
	assert_int_equal(nb.c.undrained, 0);
	assert_int_equal(nb.c.backpressure, 0);
	assert_int_equal(nb.c.rx[NVSP_PATH_VF], 1);
}

/* The ACK never comes: back to synthetic with a log; the late ACK changes nothing. */
static void test_late_ack(void **state)
{
	uint32_t id;

	(void)state;
	id = start_switch();
	send_n(2, NETBOND_HELD);
	tick(99);
	assert_int_equal(nb.state, NETBOND_SWITCHING);
	tick(1);
	assert_int_equal(nb.state, NETBOND_VF_OFFERED);
	assert_int_equal(netbond_path(&nb), NVSP_PATH_SYNTHETIC);
	assert_int_equal(nb.c.timeouts, 1);
	assert_non_null(strstr(w.log, "event=ack_timeout req=1 path=vf state=switching"));
	/* A resync tells the parent where the traffic is, in case it switched late. */
	assert_int_equal(last_request()->u.sw.path, NVSP_PATH_SYNTHETIC);
	assert_int_equal(sent_on(NVSP_PATH_SYNTHETIC, 0), 2);
	ack(id, 0, NVSP_PATH_VF); /* the late one */
	assert_int_equal(nb.c.late_acks, 1);
	assert_int_equal(netbond_path(&nb), NVSP_PATH_SYNTHETIC);
	assert_non_null(strstr(w.log, "event=late_ack req=1"));
	ack(last_request()->u.sw.request_id, 0, NVSP_PATH_SYNTHETIC);
	assert_int_equal(nb.c.late_acks, 1);
	/* No retry loop: the VF is tried again on a new offer or association. */
	tick(500);
	assert_int_equal(w.nmsgs, 2);
	associate(true, VF_BDF, mac);
	assert_int_equal(nb.state, NETBOND_SWITCHING);
	send_n(1, NETBOND_HELD);
	ack(last_request()->u.sw.request_id, 0, NVSP_PATH_VF);
	assert_int_equal(nb.state, NETBOND_VF);
	assert_no_loss();
}

/* A revocation while the switch is in flight: straight back, the VF never carried a frame. */
static void test_revoke_during_switching(void **state)
{
	uint32_t id;

	(void)state;
	id = start_switch();
	send_n(2, NETBOND_HELD);
	w.vf_idle = false; /* irrelevant: nothing was ever given to the VF */
	netbond_vf_revoking(&nb, false);
	assert_int_equal(nb.state, NETBOND_FAILING_BACK);
	assert_int_equal(last_request()->u.sw.path, NVSP_PATH_SYNTHETIC);
	assert_int_not_equal(last_request()->u.sw.request_id, id);
	ack(id, 0, NVSP_PATH_VF); /* the parent answers the to_vf first (ring order) */
	assert_int_equal(nb.state, NETBOND_FAILING_BACK);
	assert_int_equal(nb.c.late_acks, 1);
	send_n(1, NETBOND_HELD);
	ack(last_request()->u.sw.request_id, 0, NVSP_PATH_SYNTHETIC);
	assert_int_equal(nb.state, NETBOND_SYNTHETIC);
	assert_no_loss();
	assert_int_equal(sent_on(NVSP_PATH_VF, 0), 0);
	assert_int_equal(nb.c.switches, 0);
}

/* A full hold queue pushes back; nothing is dropped, the retry succeeds. */
static void test_backpressure(void **state)
{
	(void)state;
	start_switch();
	send_n(8, NETBOND_HELD); /* hold_limit */
	assert_int_equal(send_one(), -EAGAIN);
	assert_int_equal(send_one(), -EAGAIN);
	assert_int_equal(nb.c.backpressure, 2);
	ack(last_request()->u.sw.request_id, 0, NVSP_PATH_VF);
	send_n(3, 0);
	assert_no_loss();
	assert_int_equal(nb.c.hold_max, 8);
}

/* The room a reader may fill: unbounded when stable, what is left of the queue in a switch. */
static void test_hold_room(void **state)
{
	(void)state;
	assert_int_equal(netbond_hold_room(&nb), UINT32_MAX);
	start_switch();
	assert_int_equal(netbond_hold_room(&nb), 8);
	send_n(5, NETBOND_HELD);
	assert_int_equal(netbond_hold_room(&nb), 3);
	send_n(3, NETBOND_HELD);
	assert_int_equal(netbond_hold_room(&nb), 0);
	assert_int_equal(send_one(), -EAGAIN);
	/* Released onto a full path: still held, so still bounded. */
	w.path_result[NVSP_PATH_VF] = -EAGAIN;
	ack(last_request()->u.sw.request_id, 0, NVSP_PATH_VF);
	assert_int_equal(netbond_hold_room(&nb), 0);
	w.path_result[NVSP_PATH_VF] = 0;
	tick(1);
	assert_int_equal(netbond_hold_room(&nb), UINT32_MAX);
	assert_no_loss();
}

/* A full path during the release: the rest stays held and new frames queue behind it. */
static void test_path_full_keeps_order(void **state)
{
	(void)state;
	start_switch();
	send_n(4, NETBOND_HELD);
	w.path_result[NVSP_PATH_VF] = -EAGAIN;
	ack(last_request()->u.sw.request_id, 0, NVSP_PATH_VF);
	assert_int_equal(nb.hold_count, 4);
	send_n(2, NETBOND_HELD); /* may not overtake */
	assert_int_equal(send_one(), NETBOND_HELD);
	w.path_result[NVSP_PATH_VF] = 0;
	tick(1);
	assert_int_equal(nb.hold_count, 0);
	send_n(1, 0);
	assert_no_loss();
	/* A stable path that is full pushes back directly. */
	w.path_result[NVSP_PATH_VF] = -EAGAIN;
	assert_int_equal(send_one(), -EAGAIN);
	w.path_result[NVSP_PATH_VF] = -EIO; /* refused for good: counted */
	assert_int_equal(send_one(), -EIO);
	assert_int_equal(nb.c.tx_errors, 1);
}

static void test_dissociate_and_back(void **state)
{
	(void)state;
	go_vf();
	send_n(2, 0);
	associate(false, VF_BDF, NULL);
	assert_int_equal(nb.state, NETBOND_FAILING_BACK);
	ack(last_request()->u.sw.request_id, 0, NVSP_PATH_SYNTHETIC);
	assert_int_equal(nb.state, NETBOND_VF_OFFERED); /* the VF is still ours */
	send_n(2, 0);
	associate(true, VF_BDF, mac);
	assert_int_equal(nb.state, NETBOND_SWITCHING);
	ack(last_request()->u.sw.request_id, 0, NVSP_PATH_VF);
	send_n(2, 0);
	assert_no_loss();
	assert_int_equal(nb.c.switches, 2);
	assert_int_equal(nb.c.failovers, 1);
	assert_int_equal(sent_on(NVSP_PATH_SYNTHETIC, 0), 2);
}

static void test_migration(void **state)
{
	(void)state;
	go_vf();
	netbond_migrating(&nb, true);
	assert_int_equal(nb.state, NETBOND_FAILING_BACK);
	ack(last_request()->u.sw.request_id, 0, NVSP_PATH_SYNTHETIC);
	assert_int_equal(nb.state, NETBOND_SYNTHETIC);
	associate(true, VF_BDF, mac); /* still migrating: stay */
	assert_int_equal(nb.state, NETBOND_SYNTHETIC);
	netbond_migrating(&nb, false);
	assert_int_equal(nb.state, NETBOND_SWITCHING);
}

static void test_parent_refuses(void **state)
{
	(void)state;
	ack(start_switch(), -EPERM, NVSP_PATH_SYNTHETIC);
	assert_int_equal(nb.state, NETBOND_VF_OFFERED);
	assert_int_equal(nb.c.refused, 1);
	assert_non_null(strstr(w.log, "event=switch_refused status=-1"));
	tick(1000);
	assert_int_equal(w.nmsgs, 1);	 /* no retry loop */
	netbond_vf_offered(&nb, VF_BDF); /* a new offer: the driver must come up again */
	assert_int_equal(w.nmsgs, 1);
	netbond_vf_ready(&nb, mac);
	assert_int_equal(nb.state, NETBOND_SWITCHING);
}

static void test_mismatches_never_switch(void **state)
{
	(void)state;
	netbond_vf_ready(&nb, mac); /* no VF offered yet */
	assert_non_null(strstr(w.log, "reason=no_vf_offered"));
	netbond_vf_offered(&nb, VF_BDF);
	netbond_vf_ready(&nb, other_mac);
	assert_non_null(strstr(w.log, "reason=vf_mac_differs"));
	associate(true, VF_BDF, mac);
	assert_int_equal(nb.state, NETBOND_VF_OFFERED);
	associate(true, VF_BDF, other_mac);
	assert_non_null(strstr(w.log, "event=associate_refused reason=mac_differs"));
	netbond_vf_ready(&nb, mac);
	assert_int_equal(nb.state, NETBOND_VF_OFFERED);
	associate(true, VF_BDF + 1, mac); /* another VF than the one offered */
	assert_int_equal(nb.state, NETBOND_VF_OFFERED);
	assert_int_equal(w.nmsgs, 0);
	associate(true, VF_BDF, mac);
	assert_int_equal(nb.state, NETBOND_SWITCHING);
}

/* The VF vanished: no drain to wait for, the loss is counted. */
static void test_surprise_removal(void **state)
{
	(void)state;
	go_vf();
	send_n(3, 0);
	w.vf_idle = false;
	netbond_vf_revoking(&nb, true);
	assert_int_equal(nb.state, NETBOND_FAILING_BACK);
	assert_int_equal(last_request()->u.sw.path, NVSP_PATH_SYNTHETIC);
	assert_int_equal(nb.c.undrained, 1);
	ack(last_request()->u.sw.request_id, 0, NVSP_PATH_SYNTHETIC);
	assert_int_equal(nb.state, NETBOND_SYNTHETIC);
}

static void test_drain_and_ack_timeouts(void **state)
{
	(void)state;
	go_vf();
	w.vf_idle = false;
	netbond_vf_revoking(&nb, false);
	send_n(2, NETBOND_HELD);
	tick(99);
	assert_int_equal(w.nmsgs, 1);
	tick(1); /* the VF never drains: ask anyway */
	assert_int_equal(w.nmsgs, 2);
	assert_non_null(strstr(w.log, "event=drain_timeout"));
	tick(100); /* and the ACK never comes: synthetic anyway */
	assert_int_equal(nb.state, NETBOND_SYNTHETIC);
	assert_int_equal(nb.c.timeouts, 2);
	assert_int_equal(nb.c.failovers, 1);
	assert_non_null(strstr(w.log, "event=failback_refused status=-110"));
	assert_no_loss();
}

/* A full control ring: the request goes out on a later tick, the timer runs from the first try. */
static void test_request_retried(void **state)
{
	(void)state;
	w.msg_result = -EAGAIN;
	netbond_vf_offered(&nb, VF_BDF);
	netbond_vf_ready(&nb, mac);
	associate(true, VF_BDF, mac);
	assert_int_equal(nb.state, NETBOND_SWITCHING);
	assert_int_equal(w.nmsgs, 0);
	tick(10);
	assert_int_equal(w.nmsgs, 0);
	w.msg_result = 0;
	tick(10);
	assert_int_equal(w.nmsgs, 1);
	tick(10);
	assert_int_equal(w.nmsgs, 1); /* sent once */
	ack(last_request()->u.sw.request_id, 0, NVSP_PATH_VF);
	assert_int_equal(nb.state, NETBOND_VF);
}

static void test_other_messages(void **state)
{
	uint8_t b[64];
	struct nvsp_msg m;
	int len = nvsp_encode_link(b, sizeof(b), true, 1000);

	(void)state;
	assert_int_equal(nvsp_decode(b, (size_t)len, NVSP_FROM_PARENT, &m, NULL), 0);
	assert_int_equal(netbond_handle_msg(&nb, &m), -ENOTSUP);
	assert_string_equal(netbond_state_name(NETBOND_FAILING_BACK), "failing_back");
	assert_string_equal(netbond_state_name((enum netbond_state)9), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_init_refusals, setup),
	    cmocka_unit_test_setup(test_synthetic_start, setup),
	    cmocka_unit_test_setup(test_switch_to_vf_no_loss, setup),
	    cmocka_unit_test_setup(test_planned_failover_no_loss, setup),
	    cmocka_unit_test_setup(test_late_ack, setup),
	    cmocka_unit_test_setup(test_hold_room, setup),
	    cmocka_unit_test_setup(test_revoke_during_switching, setup),
	    cmocka_unit_test_setup(test_backpressure, setup),
	    cmocka_unit_test_setup(test_path_full_keeps_order, setup),
	    cmocka_unit_test_setup(test_dissociate_and_back, setup),
	    cmocka_unit_test_setup(test_migration, setup),
	    cmocka_unit_test_setup(test_parent_refuses, setup),
	    cmocka_unit_test_setup(test_mismatches_never_switch, setup),
	    cmocka_unit_test_setup(test_surprise_removal, setup),
	    cmocka_unit_test_setup(test_drain_and_ack_timeouts, setup),
	    cmocka_unit_test_setup(test_request_retried, setup),
	    cmocka_unit_test_setup(test_other_messages, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
