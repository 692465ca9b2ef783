/*
 * Round trips through the whole IP stack (guests/lib/net/) between two
 * netifs wired together in memory: ping with reply matching and round
 * trip time, timeouts, UDP echo, a sequence-numbered UDP stream, routing
 * through the gateway and to broadcast, the send functions' refusals, and
 * the counters adding up.
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
static struct icmp_echo_result results[8];
static unsigned result_count;

static int setup(void **state)
{
	(void)state;
	net_link_init(&link);
	result_count = 0;
	return 0;
}

static void on_reply(void *ctx, const struct icmp_echo_result *r)
{
	assert_ptr_equal(ctx, &link);
	if (result_count < ARRAY_SIZE(results))
		results[result_count++] = *r;
}

/* a and b know each other's MAC. */
static void resolve(void)
{
	struct mac_addr mac;

	arp_resolve(&link.a, NET_B_IP, &mac);
	net_link_pump(&link);
	assert_int_equal(arp_resolve(&link.a, NET_B_IP, &mac), 0);
}

static void test_ping_round_trip_with_rtt(void **state)
{
	static const char data[] = "0123456789abcdef";

	(void)state;
	icmp_set_reply_handler(&link.a, on_reply, &link);
	resolve();
	net_link_tick(&link, 10);
	assert_int_equal(icmp_ping(&link.a, NET_B_IP, 0x4242, 1, data, sizeof(data)), 0);
	net_link_tick(&link, 13); /* the wire takes 3 ticks */
	net_link_pump(&link);
	assert_int_equal(result_count, 1);
	assert_int_equal(results[0].from, NET_B_IP);
	assert_int_equal(results[0].id, 0x4242);
	assert_int_equal(results[0].seq, 1);
	assert_int_equal(results[0].data_len, sizeof(data));
	assert_int_equal(results[0].rtt, 3);
	assert_int_equal(link.b.stats.echo_answered, 1);
	assert_int_equal(link.a.stats.ping_sent, 1);
	assert_int_equal(link.a.stats.ping_replies, 1);
	/* The same reply again matches nothing. */
	assert_int_equal(icmp_ping(&link.a, NET_B_IP, 0x4242, 2, "", 0), 0);
	net_link_pump(&link);
	assert_int_equal(result_count, 2);
	assert_int_equal(results[1].seq, 2);
	assert_int_equal(results[1].rtt, 0);
	assert_int_equal(net_drops_total(&link.a.stats) + net_drops_total(&link.b.stats), 0);
}

static void test_echo_reply_carries_request_data(void **state)
{
	uint8_t big[ICMP_DATA_MAX];
	uint8_t frame[ETH_FRAME_MAX];
	struct eth_frame f;
	struct ipv4_packet ip;
	struct icmp_echo e;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	resolve();
	len = net_build_ping(frame, ICMP_ECHO_REQUEST, 9, 77, big, sizeof(big));
	assert_int_equal(len, ETH_FRAME_MAX);
	net_input(&link.a, frame, len);
	assert_int_equal(link.to_b.count, 1);
	assert_int_equal(link.to_b.len[0], ETH_FRAME_MAX);
	assert_int_equal(eth_parse(link.to_b.frame[0], link.to_b.len[0], &f), NET_DROP_NONE);
	assert_int_equal(ipv4_parse(f.payload, f.payload_len, &ip), NET_DROP_NONE);
	assert_int_equal(ip.src, NET_A_IP);
	assert_int_equal(ip.dst, NET_B_IP);
	assert_int_equal(ip.ttl, IPV4_TTL_DEFAULT);
	assert_int_equal(icmp_parse(ip.payload, ip.payload_len, &e), NET_DROP_NONE);
	assert_int_equal(e.type, ICMP_ECHO_REPLY);
	assert_int_equal(e.id, 9);
	assert_int_equal(e.seq, 77);
	assert_int_equal(e.data_len, sizeof(big));
	assert_memory_equal(e.data, big, sizeof(big));
	assert_int_equal(icmp_ping(&link.a, NET_B_IP, 1, 1, big, sizeof(big) + 1), -EMSGSIZE);
}

static void test_ping_timeouts(void **state)
{
	(void)state;
	icmp_set_reply_handler(&link.a, on_reply, &link);
	resolve();
	link.to_b.blackhole = true;
	for (uint16_t seq = 1; seq <= ICMP_PING_SLOTS; seq++)
		assert_int_equal(icmp_ping(&link.a, NET_B_IP, 1, seq, "", 0), 0);
	assert_int_equal(link.a.stats.ping_timeouts, 0);
	netif_tick(&link.a, 1);
	/* One more than there are slots: the oldest is given up. */
	assert_int_equal(icmp_ping(&link.a, NET_B_IP, 1, 100, "", 0), 0);
	assert_int_equal(link.a.stats.ping_timeouts, 1);
	netif_tick(&link.a, 5 * NET_HZ - 1);
	assert_int_equal(link.a.stats.ping_timeouts, 1);
	netif_tick(&link.a, 5 * NET_HZ);
	assert_int_equal(link.a.stats.ping_timeouts, ICMP_PING_SLOTS);
	netif_tick(&link.a, 5 * NET_HZ + 1);
	assert_int_equal(link.a.stats.ping_timeouts, ICMP_PING_SLOTS + 1);
	for (unsigned i = 0; i < ICMP_PING_SLOTS; i++)
		assert_false(link.a.ping[i].busy);
	assert_int_equal(result_count, 0);
}

static void test_reply_must_match_sender_id_and_seq(void **state)
{
	uint8_t frame[ETH_FRAME_MAX];
	size_t len;

	(void)state;
	icmp_set_reply_handler(&link.a, on_reply, &link);
	resolve();
	link.to_b.blackhole = true;
	assert_int_equal(icmp_ping(&link.a, NET_B_IP, 5, 6, "", 0), 0);
	len = net_build_ping(frame, ICMP_ECHO_REPLY, 5, 7, "", 0);
	net_input(&link.a, frame, len);
	len = net_build_ping(frame, ICMP_ECHO_REPLY, 4, 6, "", 0);
	net_input(&link.a, frame, len);
	assert_int_equal(link.a.stats.drops[NET_DROP_ICMP_UNMATCHED], 2);
	len = net_build_ping(frame, ICMP_ECHO_REPLY, 5, 6, "", 0);
	net_input(&link.a, frame, len);
	assert_int_equal(result_count, 1);
	assert_int_equal(link.a.stats.ping_replies, 1);
}

static uint8_t got_data[ETH_FRAME_MAX];
static struct udp_datagram got;
static unsigned got_count;

static void sink(struct netif *nif, const struct udp_datagram *d, void *ctx)
{
	assert_ptr_equal(nif, &link.a);
	assert_ptr_equal(ctx, &got);
	got = *d;
	memcpy(got_data, d->data, d->data_len);
	got_count++;
}

static void test_udp_echo(void **state)
{
	uint8_t big[UDP_DATA_MAX];

	(void)state;
	got_count = 0;
	memset(big, 0x5a, sizeof(big));
	assert_int_equal(udp_echo_start(&link.b, UDP_ECHO_PORT), 0);
	assert_int_equal(udp_bind(&link.a, 40000, sink, &got), 0);
	assert_int_equal(udp_send(&link.a, NET_B_IP, 40000, UDP_ECHO_PORT, "ping?", 5), 0);
	net_link_pump(&link);
	assert_int_equal(got_count, 1);
	assert_int_equal(got.src, NET_B_IP);
	assert_int_equal(got.sport, UDP_ECHO_PORT);
	assert_int_equal(got.dport, 40000);
	assert_true(got.had_csum);
	assert_memory_equal(got_data, "ping?", 5);
	assert_int_equal(udp_send(&link.a, NET_B_IP, 40000, UDP_ECHO_PORT, big, sizeof(big)), 0);
	net_link_pump(&link);
	assert_int_equal(got_count, 2);
	assert_int_equal(got.data_len, UDP_DATA_MAX);
	assert_int_equal(udp_send(&link.a, NET_B_IP, 1, 2, big, sizeof(big) + 1), -EMSGSIZE);
	assert_int_equal(link.b.stats.udp_delivered, 2);
	assert_int_equal(link.b.stats.rx_udp, 2);
	assert_int_equal(link.b.stats.tx_udp, 2);
}

static void test_udp_bindings(void **state)
{
	(void)state;
	assert_int_equal(udp_bind(&link.a, 0, sink, NULL), -EINVAL);
	assert_int_equal(udp_bind(&link.a, 1, NULL, NULL), -EINVAL);
	for (uint16_t p = 1; p <= UDP_BINDINGS; p++)
		assert_int_equal(udp_bind(&link.a, p, sink, NULL), 0);
	assert_int_equal(udp_bind(&link.a, 1, sink, NULL), -EEXIST);
	assert_int_equal(udp_bind(&link.a, 99, sink, NULL), -ENOSPC);
	assert_int_equal(udp_unbind(&link.a, 2), 0);
	assert_int_equal(udp_unbind(&link.a, 2), -ENOENT);
	assert_int_equal(udp_unbind(&link.a, 0), -ENOENT);
	assert_int_equal(udp_bind(&link.a, 99, sink, NULL), 0);
}

/* A stream whose payload carries a 32-bit sequence number, as the failover tests send. */
static void test_udp_stream_counts_gaps(void **state)
{
	uint32_t last = 0, seen;
	unsigned gaps = 0, count = 0;

	(void)state;
	got_count = 0;
	assert_int_equal(udp_bind(&link.a, 9000, sink, &got), 0);
	resolve();
	for (uint32_t seq = 1; seq <= 20; seq++) {
		uint32_t be = net_htonl(seq);

		link.to_a.blackhole = seq == 7 || seq == 8; /* the switch loses two */
		assert_int_equal(udp_send(&link.b, NET_A_IP, 9001, 9000, &be, sizeof(be)), 0);
		net_link_pump(&link);
		if (got_count == count)
			continue;
		count = got_count;
		memcpy(&seen, got_data, sizeof(seen));
		gaps += net_ntohl(seen) - last - 1;
		last = net_ntohl(seen);
	}
	assert_int_equal(got_count, 18);
	assert_int_equal(gaps, 2);
	assert_int_equal(last, 20);
	assert_int_equal(link.b.stats.tx_udp, 20);
	assert_int_equal(link.a.stats.udp_delivered, 18);
}

static void test_routing(void **state)
{
	struct eth_frame f;
	struct ipv4_packet ip;

	(void)state;
	/* Off our net: through the gateway (b), whose MAC it gets; b is no router. */
	assert_int_equal(udp_send(&link.a, IP4_ADDR(8, 8, 8, 8), 1, 53, "q", 1), 0);
	net_link_pump(&link);
	assert_int_equal(link.b.stats.drops[NET_DROP_IP_DST], 1);
	assert_non_null(arp_lookup(&link.a, NET_B_IP));
	/* b has no gateway: nowhere to send. */
	assert_int_equal(udp_send(&link.b, IP4_ADDR(8, 8, 8, 8), 1, 53, "q", 1), -ENOENT);
	assert_int_equal(link.b.stats.drops[NET_DROP_TX_NO_ROUTE], 1);
	assert_int_equal(udp_send(&link.b, 0, 1, 53, "q", 1), -EINVAL);
	assert_int_equal(udp_send(&link.b, NET_B_IP, 1, 53, "q", 1), -EINVAL);
	/* Broadcast: no ARP, Ethernet broadcast, and the other side takes it. */
	assert_int_equal(udp_echo_start(&link.b, 7), 0);
	link.to_b.count = 0;
	assert_int_equal(udp_send(&link.a, IP4_ADDR(10, 0, 2, 255), 1, 7, "all", 3), 0);
	assert_int_equal(link.to_b.count, 1);
	assert_int_equal(eth_parse(link.to_b.frame[0], link.to_b.len[0], &f), NET_DROP_NONE);
	assert_true(eth_is_broadcast(&f.dst));
	assert_int_equal(ipv4_parse(f.payload, f.payload_len, &ip), NET_DROP_NONE);
	assert_int_equal(ip.dst, IP4_ADDR(10, 0, 2, 255));
	net_link_pump(&link);
	assert_int_equal(link.b.stats.udp_delivered, 1);
	/* b's echo went back to a's address, unicast, from b's own address. */
	assert_int_equal(link.a.stats.drops[NET_DROP_UDP_PORT], 1);
}

static void test_counters_add_up(void **state)
{
	const struct net_counters *a = &link.a.stats, *b = &link.b.stats;

	(void)state;
	icmp_set_reply_handler(&link.a, on_reply, &link);
	udp_echo_start(&link.b, 7);
	udp_bind(&link.a, 7000, sink, &got);
	for (uint16_t i = 0; i < 3; i++) {
		icmp_ping(&link.a, NET_B_IP, 1, i, "", 0);
		udp_send(&link.a, NET_B_IP, 7000, 7, "u", 1);
		net_link_pump(&link);
	}
	/* Three pings and datagrams each way, one ARP exchange (the first ping was held, the
	 * first datagram replaced it). */
	assert_int_equal(a->drops[NET_DROP_TX_HELD_OVER], 1);
	assert_int_equal(a->ping_replies, 2);
	assert_int_equal(a->tx_frames, a->tx_arp + a->tx_ipv4 - 1);
	assert_int_equal(b->rx_frames, b->rx_arp + b->rx_ipv4);
	assert_int_equal(b->rx_ipv4, b->rx_icmp + b->rx_udp);
	assert_int_equal(a->rx_frames, b->tx_frames);
	assert_int_equal(b->rx_frames, a->tx_frames);
	assert_int_equal(a->tx_bytes, b->rx_bytes);
	assert_int_equal(b->echo_answered, 2);
	assert_int_equal(b->udp_delivered, 3);
	assert_int_equal(a->udp_delivered, 3);
	assert_int_equal(net_drops_total(a), 1);
	assert_int_equal(net_drops_total(b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ping_round_trip_with_rtt, setup),
		cmocka_unit_test_setup(test_echo_reply_carries_request_data, setup),
		cmocka_unit_test_setup(test_ping_timeouts, setup),
		cmocka_unit_test_setup(test_reply_must_match_sender_id_and_seq, setup),
		cmocka_unit_test_setup(test_udp_echo, setup),
		cmocka_unit_test_setup(test_udp_bindings, setup),
		cmocka_unit_test_setup(test_udp_stream_counts_gaps, setup),
		cmocka_unit_test_setup(test_routing, setup),
		cmocka_unit_test_setup(test_counters_add_up, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
