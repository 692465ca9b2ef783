/*
 * The IP stack's ARP (guests/lib/net/arp.c) between two netifs wired
 * together in memory: resolution with the first frame held and sent once
 * the answer comes, the cache's expiry, retries and giving up, eviction
 * when full, gratuitous ARP moving an address to a new MAC, conflicts,
 * probes, and requests for someone else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "tests/unit/net_link.h"
#include "guests/lib/net/wire.h"

static struct net_link link;
static uint8_t frame[ETH_FRAME_MAX];

static int setup(void **state)
{
	(void)state;
	net_link_init(&link);
	return 0;
}

static struct arp_msg last_arp(const struct net_queue *q)
{
	struct eth_frame f;
	struct arp_msg m;
	size_t len;
	const uint8_t *p = net_queue_last(q, &len);

	assert_non_null(p);
	assert_int_equal(eth_parse(p, len, &f), NET_DROP_NONE);
	assert_int_equal(f.type, ETH_P_ARP);
	assert_int_equal(arp_parse(f.payload, f.payload_len, &m), NET_DROP_NONE);
	return m;
}

static void test_first_frame_held_until_resolved(void **state)
{
	struct arp_msg m;
	size_t len;
	struct eth_frame f;

	(void)state;
	assert_int_equal(udp_send(&link.a, NET_B_IP, 5000, 7, "x", 1), 0);
	/* Only the request went out; the datagram waits for the answer. */
	assert_int_equal(link.to_b.count, 1);
	assert_int_equal(link.to_b.len[0], ETH_ZLEN); /* 42 bytes padded */
	m = last_arp(&link.to_b);
	assert_int_equal(m.op, ARP_OP_REQUEST);
	assert_int_equal(m.tpa, NET_B_IP);
	assert_int_equal(m.spa, NET_A_IP);
	assert_true(mac_equal(&m.sha, &net_a_mac));
	assert_true(link.a.held.busy);
	assert_int_equal(link.a.stats.tx_held, 1);
	assert_null(arp_lookup(&link.a, NET_B_IP));

	/* b answers (and learns a, who asked for it); a sends the held frame to b's MAC. */
	assert_int_equal(net_link_pump(&link), 3);
	assert_non_null(arp_lookup(&link.b, NET_A_IP));
	assert_true(mac_equal(&arp_lookup(&link.a, NET_B_IP)->mac, &net_b_mac));
	assert_false(link.a.held.busy);
	assert_int_equal(link.b.stats.arp_replies_sent, 1);
	assert_int_equal(link.b.stats.drops[NET_DROP_UDP_PORT], 1); /* nothing on port 7 */
	assert_int_equal(link.b.stats.rx_udp, 1);

	/* Known now: the next datagram goes straight out, no second request. */
	assert_int_equal(udp_send(&link.a, NET_B_IP, 5000, 7, "y", 1), 0);
	assert_int_equal(link.a.stats.arp_requests_sent, 1);
	assert_non_null(net_queue_last(&link.to_b, &len));
	assert_int_equal(eth_parse(link.to_b.frame[0], link.to_b.len[0], &f), NET_DROP_NONE);
	assert_true(mac_equal(&f.dst, &net_b_mac));
	assert_int_equal(f.type, ETH_P_IPV4);
}

static void test_entries_expire(void **state)
{
	(void)state;
	udp_send(&link.a, NET_B_IP, 1, 2, "", 0);
	net_link_pump(&link);
	assert_non_null(arp_lookup(&link.a, NET_B_IP));
	net_link_tick(&link, 60 * NET_HZ - 1);
	assert_non_null(arp_lookup(&link.a, NET_B_IP));
	net_link_tick(&link, 60 * NET_HZ);
	assert_null(arp_lookup(&link.a, NET_B_IP));
	assert_int_equal(link.a.stats.arp_expired, 1);
	/* A clock going backwards keeps the entry gone and brings nothing back early. */
	net_link_tick(&link, 5);
	assert_int_equal(link.a.now, 60 * NET_HZ);
}

static void request_from(uint8_t host, uint32_t target)
{
	struct mac_addr mac = { { 0x52, 0x54, 0x00, 0x00, 0x01, host } };
	size_t len = net_build_arp(frame, ARP_OP_REQUEST, &mac, IP4_ADDR(10, 0, 2, host), target);

	net_input(&link.a, frame, len);
}

static void test_entry_in_use_is_refreshed_before_expiry(void **state)
{
	uint64_t t = 0;

	(void)state;
	udp_send(&link.a, NET_B_IP, 1, 2, "", 0);
	net_link_pump(&link);
	/* A datagram every 10 ticks for three minutes: never held, never a broadcast again. */
	for (t = 10; t <= 180 * NET_HZ; t += 10) {
		net_link_tick(&link, t);
		assert_int_equal(udp_send(&link.a, NET_B_IP, 1, 2, "", 0), 0);
		net_link_pump(&link);
	}
	assert_int_equal(link.a.stats.tx_held, 1); /* the very first one */
	assert_int_equal(link.a.stats.arp_expired, 0);
	assert_int_equal(link.a.stats.arp_requests_sent, 1 + 3); /* one refresh a minute */
	assert_int_equal(link.b.stats.rx_udp, 180 * NET_HZ / 10 + 1);
	assert_int_equal(link.b.stats.arp_replies_sent, 4);
	/* The refreshes went to b's MAC, not to everyone. */
	assert_int_equal(net_drops_total(&link.b.stats), link.b.stats.rx_udp);
}

static void test_evicted_lookup_drops_its_frame(void **state)
{
	(void)state;
	link.to_b.blackhole = true;
	udp_send(&link.a, IP4_ADDR(10, 0, 2, 200), 1, 2, "", 0);
	assert_true(link.a.held.busy);
	/* Neighbours asking for us fill the cache; the pending lookup, due first, goes last. */
	for (uint8_t h = 1; h < ARP_CACHE_SIZE; h++)
		request_from(h, NET_A_IP);
	assert_true(link.a.held.busy);
	request_from(ARP_CACHE_SIZE, NET_A_IP);
	assert_false(link.a.held.busy);
	assert_int_equal(link.a.stats.drops[NET_DROP_TX_ARP_FAILED], 1);
	for (uint8_t h = 1; h <= ARP_CACHE_SIZE; h++)
		assert_non_null(arp_lookup(&link.a, IP4_ADDR(10, 0, 2, h)));
	/* Its retry timer finds nothing left to ask for. */
	netif_tick(&link.a, 10 * NET_HZ);
	assert_int_equal(link.a.stats.arp_requests_sent, 1);
}

static void test_retries_then_gives_up(void **state)
{
	(void)state;
	link.to_b.blackhole = true; /* b never hears a */
	assert_int_equal(udp_send(&link.a, NET_B_IP, 1, 2, "lost", 4), 0);
	assert_int_equal(link.a.stats.arp_requests_sent, 1);
	/* Asking again while pending sends nothing more. */
	assert_int_equal(udp_send(&link.a, NET_B_IP, 1, 2, "lost", 4), 0);
	assert_int_equal(link.a.stats.arp_requests_sent, 1);
	assert_int_equal(link.a.stats.drops[NET_DROP_TX_HELD_OVER], 1);
	netif_tick(&link.a, NET_HZ - 1);
	assert_int_equal(link.a.stats.arp_requests_sent, 1);
	netif_tick(&link.a, NET_HZ);
	assert_int_equal(link.a.stats.arp_requests_sent, 2);
	netif_tick(&link.a, 2 * NET_HZ);
	assert_int_equal(link.a.stats.arp_requests_sent, 3);
	assert_true(link.a.held.busy);
	netif_tick(&link.a, 3 * NET_HZ);
	assert_int_equal(link.a.stats.arp_requests_sent, 3);
	assert_false(link.a.held.busy);
	assert_int_equal(link.a.stats.drops[NET_DROP_TX_ARP_FAILED], 1);
	assert_int_equal(link.to_b.sent, 3);
	/* The next try starts over with a fresh request. */
	udp_send(&link.a, NET_B_IP, 1, 2, "again", 5);
	assert_int_equal(link.a.stats.arp_requests_sent, 4);
}

static void test_cache_full_evicts_stalest(void **state)
{
	(void)state;
	for (uint8_t h = 100; h < 100 + ARP_CACHE_SIZE + 1; h++) {
		netif_tick(&link.a, h); /* later arrivals expire later */
		request_from(h, NET_A_IP);
	}
	assert_int_equal(link.a.stats.arp_replies_sent, ARP_CACHE_SIZE + 1);
	assert_null(arp_lookup(&link.a, IP4_ADDR(10, 0, 2, 100)));
	for (uint8_t h = 101; h < 100 + ARP_CACHE_SIZE + 1; h++)
		assert_non_null(arp_lookup(&link.a, IP4_ADDR(10, 0, 2, h)));
	/* The replies went to each asker, from us. */
	struct arp_msg m = last_arp(&link.to_b);
	assert_int_equal(m.op, ARP_OP_REPLY);
	assert_int_equal(m.tpa, IP4_ADDR(10, 0, 2, 100 + ARP_CACHE_SIZE));
	assert_int_equal(m.spa, NET_A_IP);
	assert_true(mac_equal(&m.sha, &net_a_mac));
	arp_flush(&link.a);
	assert_null(arp_lookup(&link.a, IP4_ADDR(10, 0, 2, 101)));
}

static void test_requests_for_others(void **state)
{
	(void)state;
	request_from(50, IP4_ADDR(10, 0, 2, 51));
	assert_int_equal(link.a.stats.drops[NET_DROP_ARP_TARGET], 1);
	assert_int_equal(link.to_b.count, 0);
	assert_null(arp_lookup(&link.a, IP4_ADDR(10, 0, 2, 50))); /* not added: not our business */
	/* A reply nobody asked for from a stranger is not cached either. */
	struct mac_addr mac = { { 0x52, 0x54, 0, 0, 2, 2 } };
	size_t len = net_build_arp(frame, ARP_OP_REPLY, &mac, IP4_ADDR(10, 0, 2, 60), NET_A_IP);
	memcpy(frame, &net_a_mac, 6);
	net_input(&link.a, frame, len);
	assert_null(arp_lookup(&link.a, IP4_ADDR(10, 0, 2, 60)));
	assert_int_equal(net_drops_total(&link.a.stats), 1);
}

static void test_gratuitous_arp_moves_address(void **state)
{
	static const struct mac_addr vf_mac = { { 0x02, 0x54, 0x00, 0x12, 0x34, 0x01 } };
	struct eth_frame f;
	struct arp_msg m;

	(void)state;
	udp_send(&link.a, NET_B_IP, 1, 2, "", 0);
	net_link_pump(&link);
	assert_true(mac_equal(&arp_lookup(&link.b, NET_A_IP)->mac, &net_a_mac));

	/* a switches data path: new MAC, announced to everyone. */
	assert_int_equal(netif_set_mac(&link.a, &eth_broadcast), -EINVAL);
	assert_int_equal(netif_set_mac(&link.a, &vf_mac), 0);
	m = last_arp(&link.to_b);
	assert_int_equal(eth_parse(link.to_b.frame[0], link.to_b.len[0], &f), NET_DROP_NONE);
	assert_true(eth_is_broadcast(&f.dst));
	assert_true(mac_equal(&f.src, &vf_mac));
	assert_int_equal(m.op, ARP_OP_REQUEST);
	assert_int_equal(m.spa, NET_A_IP);
	assert_int_equal(m.tpa, NET_A_IP);
	assert_true(mac_equal(&m.sha, &vf_mac));
	assert_int_equal(link.a.stats.arp_announces, 1);
	net_link_pump(&link);
	/* b updated its entry and sends to the new MAC; it did not answer. */
	assert_true(mac_equal(&arp_lookup(&link.b, NET_A_IP)->mac, &vf_mac));
	assert_int_equal(link.b.stats.arp_replies_sent, 1);
	assert_int_equal(net_drops_total(&link.b.stats), 1); /* the first datagram's port */
	udp_send(&link.b, NET_A_IP, 2, 1, "", 0);
	assert_int_equal(eth_parse(link.to_a.frame[0], link.to_a.len[0], &f), NET_DROP_NONE);
	assert_true(mac_equal(&f.dst, &vf_mac));
	net_link_pump(&link);
	assert_int_equal(link.a.stats.drops[NET_DROP_UDP_PORT], 1); /* reached a */
}

static void test_conflict_and_probe(void **state)
{
	static const struct mac_addr thief = { { 0x52, 0x54, 0, 0, 6, 6 } };
	size_t len;

	(void)state;
	len = net_build_arp(frame, ARP_OP_REQUEST, &thief, NET_A_IP, NET_A_IP);
	net_input(&link.a, frame, len);
	assert_int_equal(link.a.stats.drops[NET_DROP_ARP_CONFLICT], 1);
	assert_int_equal(link.to_b.count, 0);
	/* RFC 5227 probe (sender 0.0.0.0) for our address: answered, prober not cached. */
	len = net_build_arp(frame, ARP_OP_REQUEST, &thief, 0, NET_A_IP);
	net_input(&link.a, frame, len);
	assert_int_equal(link.a.stats.arp_replies_sent, 1);
	assert_null(arp_lookup(&link.a, 0));
	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++)
		assert_int_equal(link.a.arp[i].state, ARP_FREE);
}

static void test_tx_hook_failure_counted(void **state)
{
	(void)state;
	link.to_b.fail = true;
	assert_int_equal(arp_request(&link.a, NET_B_IP), -EIO);
	assert_int_equal(link.a.stats.drops[NET_DROP_TX_HOOK], 1);
	assert_int_equal(link.a.stats.tx_frames, 0);
	assert_int_equal(arp_announce(&link.a), -EIO);
	assert_int_equal(link.a.stats.drops[NET_DROP_TX_HOOK], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_first_frame_held_until_resolved, setup),
		cmocka_unit_test_setup(test_entries_expire, setup),
		cmocka_unit_test_setup(test_entry_in_use_is_refreshed_before_expiry, setup),
		cmocka_unit_test_setup(test_evicted_lookup_drops_its_frame, setup),
		cmocka_unit_test_setup(test_retries_then_gives_up, setup),
		cmocka_unit_test_setup(test_cache_full_evicts_stalest, setup),
		cmocka_unit_test_setup(test_requests_for_others, setup),
		cmocka_unit_test_setup(test_gratuitous_arp_moves_address, setup),
		cmocka_unit_test_setup(test_conflict_and_probe, setup),
		cmocka_unit_test_setup(test_tx_hook_failure_counted, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
