/*
 * The IP stack's parsers (guests/lib/net/) fed malformed input: each test
 * starts from a well-formed frame, breaks one thing, and checks the frame
 * is refused under the one counter that names what was wrong, without an
 * answer going out and without reading past the bytes given (ASan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/net_link.h"
#include "guests/lib/net/wire.h"

static struct net_link link;
static uint8_t frame[ETH_FRAME_MAX + 64];

static int setup(void **state)
{
	(void)state;
	net_link_init(&link);
	memset(frame, 0, sizeof(frame));
	return 0;
}

/* Hands frame[0..len) to a in a heap copy of exactly len bytes (ASan catches overreads). */
static void feed(size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	memcpy(copy, frame, len);
	net_input(&link.a, copy, len);
	free(copy);
}

static void assert_dropped(enum net_drop why, size_t len)
{
	uint64_t before = link.a.stats.drops[why];

	feed(len);
	assert_int_equal(link.a.stats.drops[why], before + 1);
	assert_int_equal(net_drops_total(&link.a.stats), 1);
	assert_int_equal(link.to_b.count, 0); /* nothing answered */
}

static void test_checksum_vectors(void **state)
{
	/* RFC 1071 section 3's example words sum to 0xddf2. */
	static const uint8_t words[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	static const uint8_t odd[] = { 0x12, 0x34, 0x56 };

	(void)state;
	assert_int_equal(inet_checksum(words, sizeof(words)), (uint16_t)~0xddf2);
	assert_int_equal(inet_checksum(odd, 3), (uint16_t)~(0x1234 + 0x5600));
	assert_int_equal(inet_checksum(NULL, 0), 0xffff);
	/* Carries past 16 bits fold back in. */
	static const uint8_t ff[] = { 0xff, 0xff, 0xff, 0xff, 0x00, 0x02 };
	assert_int_equal(inet_checksum(ff, sizeof(ff)), (uint16_t)~0x0002);
}

static void test_ip4_format_and_names(void **state)
{
	char buf[IP4_STR_LEN];

	(void)state;
	assert_string_equal(ip4_format(IP4_ADDR(255, 255, 255, 255), buf), "255.255.255.255");
	assert_string_equal(ip4_format(NET_A_IP, buf), "10.0.2.15");
	assert_string_equal(net_drop_name(NET_DROP_IP_CSUM), "ip_csum");
	assert_string_equal(net_drop_name(NET_DROP_COUNT), "none");
	for (int i = 1; i < NET_DROP_COUNT; i++) {
		assert_non_null(net_drop_name(i));
		for (int j = 1; j < i; j++)
			assert_string_not_equal(net_drop_name(i), net_drop_name(j));
	}
}

static void test_eth_lengths(void **state)
{
	struct eth_frame f;

	(void)state;
	assert_int_equal(eth_parse(frame, 13, &f), NET_DROP_ETH_SHORT);
	assert_int_equal(eth_parse(frame, ETH_FRAME_MAX + 1, &f), NET_DROP_ETH_LONG);
	eth_put_header(frame, &net_a_mac, &net_b_mac, 0x1234);
	assert_int_equal(eth_parse(frame, ETH_HLEN, &f), NET_DROP_NONE);
	assert_int_equal(f.type, 0x1234);
	assert_int_equal(f.payload_len, 0);
	assert_true(mac_equal(&f.src, &net_b_mac));
	assert_dropped(NET_DROP_ETH_SHORT, 0);
	setup(NULL);
	assert_dropped(NET_DROP_ETH_SHORT, 13);
	setup(NULL);
	assert_dropped(NET_DROP_ETH_LONG, ETH_FRAME_MAX + 1);
}

static void test_eth_addresses_and_types(void **state)
{
	static const struct mac_addr other = { { 0x52, 0x54, 0, 0, 0, 1 } };
	static const struct mac_addr group = { { 0x01, 0x00, 0x5e, 0, 0, 1 } };

	(void)state;
	eth_put_header(frame, &other, &net_b_mac, ETH_P_IPV4);
	assert_dropped(NET_DROP_ETH_DST, 60);
	setup(NULL);
	eth_put_header(frame, &group, &net_b_mac, ETH_P_IPV4); /* multicast: not joined */
	assert_dropped(NET_DROP_ETH_DST, 60);
	setup(NULL);
	eth_put_header(frame, &net_a_mac, &group, ETH_P_IPV4);
	assert_dropped(NET_DROP_ETH_SRC, 60);
	setup(NULL);
	eth_put_header(frame, &eth_broadcast, &net_a_mac, ETH_P_ARP); /* our own, looped */
	assert_dropped(NET_DROP_ETH_SRC, 60);
	setup(NULL);
	eth_put_header(frame, &net_a_mac, &net_b_mac, 0x8100); /* VLAN tag: not ours */
	assert_dropped(NET_DROP_ETH_TYPE, 60);
	setup(NULL);
	eth_put_header(frame, &net_a_mac, &net_b_mac, 0x86dd);
	assert_dropped(NET_DROP_ETH_TYPE, 60);
}

static size_t good_ping(void)
{
	return net_build_ping(frame, ICMP_ECHO_REQUEST, 1, 1, "abcd", 4);
}

static void test_ipv4_header_fields(void **state)
{
	uint8_t *ip = frame + ETH_HLEN;
	size_t len;

	(void)state;
	len = good_ping();
	assert_dropped(NET_DROP_IP_SHORT, ETH_HLEN + 19);
	setup(NULL);
	len = good_ping();
	ip[0] = 0x65, net_fix_ip_csum(frame); /* version 6 */
	assert_dropped(NET_DROP_IP_VERSION, len);
	setup(NULL);
	len = good_ping();
	ip[0] = 0x44; /* IHL 4: the checksum can't even be computed over it */
	assert_dropped(NET_DROP_IP_IHL, len);
	setup(NULL);
	len = good_ping();
	ip[0] = 0x4f; /* 60-byte header in a 32-byte packet */
	assert_dropped(NET_DROP_IP_IHL, len);
	setup(NULL);
	len = good_ping();
	ip[8] ^= 1; /* TTL changed, checksum not */
	assert_dropped(NET_DROP_IP_CSUM, len);
}

static void set_total_len(uint16_t total)
{
	frame[ETH_HLEN + 2] = (uint8_t)(total >> 8);
	frame[ETH_HLEN + 3] = (uint8_t)total;
	net_fix_ip_csum(frame);
}

static void test_ipv4_total_length_lies(void **state)
{
	size_t len;

	(void)state;
	len = good_ping();
	set_total_len(19);
	assert_dropped(NET_DROP_IP_LENGTH, len);
	setup(NULL);
	len = good_ping();
	set_total_len((uint16_t)(len - ETH_HLEN + 1)); /* one byte more than the frame */
	assert_dropped(NET_DROP_IP_LENGTH, len);
	setup(NULL);
	len = good_ping();
	set_total_len(0xffff);
	assert_dropped(NET_DROP_IP_LENGTH, len);
	/* Ethernet padding after the datagram is not payload: still answered. */
	setup(NULL);
	len = good_ping();
	feed(ETH_ZLEN);
	assert_int_equal(net_drops_total(&link.a.stats), 0);
	assert_int_equal(link.a.stats.echo_answered, 1);
	(void)len;
}

static void test_ipv4_fragments_and_ttl(void **state)
{
	uint8_t *ip = frame + ETH_HLEN;
	size_t len;

	(void)state;
	len = good_ping();
	ip[6] = 0x20, net_fix_ip_csum(frame); /* MF */
	assert_dropped(NET_DROP_IP_FRAGMENT, len);
	setup(NULL);
	len = good_ping();
	ip[7] = 0x01, net_fix_ip_csum(frame); /* offset 8 */
	assert_dropped(NET_DROP_IP_FRAGMENT, len);
	setup(NULL);
	len = good_ping();
	ip[6] = 0x40, net_fix_ip_csum(frame); /* DF alone is fine */
	feed(len);
	assert_int_equal(link.a.stats.echo_answered, 1);
	setup(NULL);
	len = good_ping();
	ip[8] = 0, net_fix_ip_csum(frame);
	assert_dropped(NET_DROP_IP_TTL, len);
	setup(NULL);
	len = good_ping();
	ip[8] = 1, net_fix_ip_csum(frame); /* RFC 1122: a host takes TTL 1 */
	feed(len);
	assert_int_equal(link.a.stats.echo_answered, 1);
}

static void test_ipv4_addresses_and_protocol(void **state)
{
	uint8_t *ip = frame + ETH_HLEN;
	size_t len;

	(void)state;
	len = good_ping();
	ip[12] = 224, net_fix_ip_csum(frame); /* multicast source */
	assert_dropped(NET_DROP_IP_SRC, len);
	setup(NULL);
	len = good_ping();
	memset(ip + 12, 0xff, 4), net_fix_ip_csum(frame);
	assert_dropped(NET_DROP_IP_SRC, len);
	setup(NULL);
	len = good_ping();
	memset(ip + 12, 0, 4), net_fix_ip_csum(frame);
	assert_dropped(NET_DROP_IP_SRC, len);
	setup(NULL);
	len = good_ping();
	ip[19] = 99, net_fix_ip_csum(frame); /* 10.0.2.99: someone else */
	assert_dropped(NET_DROP_IP_DST, len);
	setup(NULL);
	len = good_ping();
	ip[9] = 6, net_fix_ip_csum(frame); /* TCP */
	assert_dropped(NET_DROP_IP_PROTO, len);
}

static void test_ipv4_options_skipped(void **state)
{
	uint8_t msg[12];
	size_t n = icmp_put_echo(msg, ICMP_ECHO_REQUEST, 7, 9, "opts", 4);
	size_t len = eth_put_header(frame, &net_a_mac, &net_b_mac, ETH_P_IPV4);
	struct ipv4_packet p;

	(void)state;
	ipv4_put_header(frame + len, NET_B_IP, NET_A_IP, IPV4_PROTO_ICMP, n + 4, 1);
	frame[len] = 0x46; /* IHL 6: one word of options (four NOPs) */
	memset(frame + len + IPV4_HLEN, 1, 4);
	memcpy(frame + len + 24, msg, n);
	net_fix_ip_csum(frame);
	assert_int_equal(ipv4_parse(frame + len, 24 + n, &p), NET_DROP_NONE);
	assert_int_equal(p.payload_len, n);
	assert_ptr_equal(p.payload, frame + len + 24);
	feed(len + 24 + n);
	assert_int_equal(link.a.stats.echo_answered, 1);
}

static void test_icmp_malformed(void **state)
{
	uint8_t *ip = frame + ETH_HLEN;
	uint8_t *icmp = ip + IPV4_HLEN;
	size_t len;

	(void)state;
	len = good_ping();
	set_total_len(IPV4_HLEN + 7); /* truncated ICMP header */
	assert_dropped(NET_DROP_ICMP_SHORT, len);
	setup(NULL);
	len = good_ping();
	set_total_len(IPV4_HLEN + 10); /* data cut short: the checksum no longer adds up */
	assert_dropped(NET_DROP_ICMP_CSUM, len);
	setup(NULL);
	len = good_ping();
	icmp[8] ^= 0x20;
	assert_dropped(NET_DROP_ICMP_CSUM, len);
	setup(NULL);
	len = net_build_ping(frame, 3, 0, 0, "x", 1); /* destination unreachable */
	assert_dropped(NET_DROP_ICMP_TYPE, len);
	setup(NULL);
	len = good_ping();
	icmp[1] = 1, icmp[3] -= 1; /* code 1, checksum kept right */
	assert_dropped(NET_DROP_ICMP_TYPE, len);
	setup(NULL);
	len = good_ping();
	memset(ip + 16, 0xff, 4), net_fix_ip_csum(frame); /* to 255.255.255.255 */
	assert_dropped(NET_DROP_ICMP_BROADCAST, len);
	setup(NULL);
	len = net_build_ping(frame, ICMP_ECHO_REPLY, 1, 1, "", 0);
	assert_dropped(NET_DROP_ICMP_UNMATCHED, len);
}

static uint8_t sink_data[ETH_FRAME_MAX];

/* Keeps the datagram and a copy of its data (the frame is gone after net_input). */
static void bind_sink(struct netif *nif, const struct udp_datagram *d, void *ctx)
{
	(void)nif;
	memcpy(ctx, d, sizeof(*d));
	memcpy(sink_data, d->data, d->data_len);
}

static void test_udp_malformed(void **state)
{
	uint8_t *udp = frame + ETH_HLEN + IPV4_HLEN;
	struct udp_datagram got;
	size_t len;

	(void)state;
	assert_int_equal(udp_bind(&link.a, 9, bind_sink, &got), 0);
	len = net_build_udp(frame, 1000, 9, "hello", 5);
	set_total_len(IPV4_HLEN + 7);
	assert_dropped(NET_DROP_UDP_SHORT, len);
	len = net_build_udp(frame, 1000, 9, "hello", 5);
	udp[5] = 7, udp[6] = udp[7] = 0; /* length 7, no checksum */
	link.a.stats.drops[NET_DROP_UDP_SHORT] = 0;
	assert_dropped(NET_DROP_UDP_LENGTH, len);
	link.a.stats.drops[NET_DROP_UDP_LENGTH] = 0;
	len = net_build_udp(frame, 1000, 9, "hello", 5);
	udp[5] = 14, udp[6] = udp[7] = 0; /* one byte beyond the IP payload */
	assert_dropped(NET_DROP_UDP_LENGTH, len);
	link.a.stats.drops[NET_DROP_UDP_LENGTH] = 0;
	len = net_build_udp(frame, 1000, 9, "hello", 5);
	udp[8] ^= 1;
	assert_dropped(NET_DROP_UDP_CSUM, len);
	link.a.stats.drops[NET_DROP_UDP_CSUM] = 0;
	len = net_build_udp(frame, 1000, 10, "hello", 5);
	assert_dropped(NET_DROP_UDP_PORT, len);
	link.a.stats.drops[NET_DROP_UDP_PORT] = 0;
	len = net_build_udp(frame, 1000, 0, "hello", 5);
	assert_dropped(NET_DROP_UDP_PORT, len);
}

static void test_udp_checksum_optional(void **state)
{
	uint8_t *udp = frame + ETH_HLEN + IPV4_HLEN;
	struct udp_datagram got = { 0 };
	size_t len;

	(void)state;
	assert_int_equal(udp_bind(&link.a, 9, bind_sink, &got), 0);
	len = net_build_udp(frame, 1000, 9, "hello", 5);
	udp[8] ^= 1;
	udp[6] = udp[7] = 0; /* no checksum: the changed byte is not noticed */
	feed(len);
	assert_int_equal(link.a.stats.udp_delivered, 1);
	assert_int_equal(link.a.stats.udp_no_csum, 1);
	assert_false(got.had_csum);
	assert_int_equal(got.data_len, 5);
	assert_memory_equal(sink_data, "iello", 5);
	/* A shorter UDP length than the IP payload: the rest is ignored. */
	len = net_build_udp(frame, 1000, 9, "hello", 5);
	udp[5] = 10, udp[6] = udp[7] = 0;
	feed(len);
	assert_int_equal(link.a.stats.udp_delivered, 2);
	assert_int_equal(got.data_len, 2);
	assert_int_equal(got.sport, 1000);
	assert_int_equal(net_drops_total(&link.a.stats), 0);
}

static void test_arp_malformed(void **state)
{
	static const struct mac_addr group = { { 0x01, 0x00, 0x5e, 0, 0, 1 } };
	uint8_t *arp = frame + ETH_HLEN;
	size_t len;

	(void)state;
	len = net_build_arp(frame, ARP_OP_REQUEST, &net_b_mac, NET_B_IP, NET_A_IP);
	assert_dropped(NET_DROP_ARP_SHORT, ETH_HLEN + 27);
	setup(NULL);
	len = net_build_arp(frame, ARP_OP_REQUEST, &net_b_mac, NET_B_IP, NET_A_IP);
	arp[1] = 6; /* IEEE 802 hardware type */
	assert_dropped(NET_DROP_ARP_FORMAT, len);
	setup(NULL);
	len = net_build_arp(frame, ARP_OP_REQUEST, &net_b_mac, NET_B_IP, NET_A_IP);
	arp[2] = 0x86, arp[3] = 0xdd;
	assert_dropped(NET_DROP_ARP_FORMAT, len);
	setup(NULL);
	len = net_build_arp(frame, ARP_OP_REQUEST, &net_b_mac, NET_B_IP, NET_A_IP);
	arp[4] = 8; /* hlen 8: the addresses would not be where we read them */
	assert_dropped(NET_DROP_ARP_FORMAT, len);
	setup(NULL);
	len = net_build_arp(frame, ARP_OP_REQUEST, &net_b_mac, NET_B_IP, NET_A_IP);
	arp[5] = 16;
	assert_dropped(NET_DROP_ARP_FORMAT, len);
	setup(NULL);
	len = net_build_arp(frame, 3, &net_b_mac, NET_B_IP, NET_A_IP); /* RARP request */
	assert_dropped(NET_DROP_ARP_OP, len);
	setup(NULL);
	len = net_build_arp(frame, ARP_OP_REQUEST, &net_b_mac, NET_B_IP, NET_A_IP);
	memcpy(arp + 8, &group, 6); /* multicast sender hardware address */
	assert_dropped(NET_DROP_ARP_SENDER, len);
	setup(NULL);
	len = net_build_arp(frame, ARP_OP_REQUEST, &net_b_mac, IP4_ADDR(192, 168, 1, 1),
			    NET_A_IP);
	assert_dropped(NET_DROP_ARP_SENDER, len);
	setup(NULL);
	len = net_build_arp(frame, ARP_OP_REQUEST, &net_b_mac, IP4_ADDR(10, 0, 2, 255), NET_A_IP);
	assert_dropped(NET_DROP_ARP_SENDER, len);
	assert_null(arp_lookup(&link.a, IP4_ADDR(10, 0, 2, 255)));
}

static void test_netif_config_validation(void **state)
{
	struct netif_config good = { .mac = net_a_mac, .ip = NET_A_IP, .netmask = NET_MASK,
				     .gateway = NET_B_IP, .tx = (netif_tx_fn)1,
				     .ticks_per_sec = 1 };
	struct netif_config c;
	struct netif n;

	(void)state;
	assert_int_equal(netif_init(&n, &good), 0);
	c = good, c.mac = eth_broadcast;
	assert_int_equal(netif_init(&n, &c), -EINVAL);
	c = good, memset(&c.mac, 0, sizeof(c.mac));
	assert_int_equal(netif_init(&n, &c), -EINVAL);
	c = good, c.netmask = IP4_ADDR(255, 0, 255, 0);
	assert_int_equal(netif_init(&n, &c), -EINVAL);
	c = good, c.netmask = 0;
	assert_int_equal(netif_init(&n, &c), -EINVAL);
	c = good, c.ip = IP4_ADDR(10, 0, 2, 0);
	assert_int_equal(netif_init(&n, &c), -EINVAL);
	c = good, c.ip = IP4_ADDR(10, 0, 2, 255);
	assert_int_equal(netif_init(&n, &c), -EINVAL);
	c = good, c.gateway = IP4_ADDR(10, 0, 3, 1);
	assert_int_equal(netif_init(&n, &c), -EINVAL);
	c = good, c.gateway = c.ip;
	assert_int_equal(netif_init(&n, &c), -EINVAL);
	c = good, c.tx = NULL;
	assert_int_equal(netif_init(&n, &c), -EINVAL);
	c = good, c.ticks_per_sec = 0;
	assert_int_equal(netif_init(&n, &c), -EINVAL);
	c = good, c.gateway = 0, c.netmask = IP4_ADDR(255, 255, 255, 252);
	assert_int_equal(netif_init(&n, &c), -EINVAL); /* .15 is the /30's broadcast */
	c.ip = IP4_ADDR(10, 0, 2, 14);
	assert_int_equal(netif_init(&n, &c), 0);
	assert_int_equal(n.timeouts.arp_retry, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_vectors),
		cmocka_unit_test(test_ip4_format_and_names),
		cmocka_unit_test_setup(test_eth_lengths, setup),
		cmocka_unit_test_setup(test_eth_addresses_and_types, setup),
		cmocka_unit_test_setup(test_ipv4_header_fields, setup),
		cmocka_unit_test_setup(test_ipv4_total_length_lies, setup),
		cmocka_unit_test_setup(test_ipv4_fragments_and_ttl, setup),
		cmocka_unit_test_setup(test_ipv4_addresses_and_protocol, setup),
		cmocka_unit_test_setup(test_ipv4_options_skipped, setup),
		cmocka_unit_test_setup(test_icmp_malformed, setup),
		cmocka_unit_test_setup(test_udp_malformed, setup),
		cmocka_unit_test_setup(test_udp_checksum_optional, setup),
		cmocka_unit_test_setup(test_arp_malformed, setup),
		cmocka_unit_test(test_netif_config_validation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
