/*
 * Two netifs joined by in-memory frame queues, and frame builders for the
 * IP stack's tests (net_link.h).
 */
#include <stdlib.h>
#include <string.h>
#include "tests/unit/net_link.h"
#include "guests/lib/net/wire.h"

const struct mac_addr net_a_mac = { { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 } };
const struct mac_addr net_b_mac = { { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc } };

static int queue_tx(void *ctx, const void *frame, size_t len)
{
	struct net_queue *q = ctx;

	if (q->fail)
		return -1;
	q->sent++;
	if (q->blackhole || q->count == NET_LINK_QUEUE)
		return 0;
	memcpy(q->frame[q->count], frame, len);
	q->len[q->count++] = len;
	return 0;
}

static void init_one(struct netif *n, const struct mac_addr *mac, uint32_t ip, uint32_t gw,
		     struct net_queue *q)
{
	struct netif_config c = { .mac = *mac, .ip = ip, .netmask = NET_MASK, .gateway = gw,
				  .tx = queue_tx, .tx_ctx = q, .ticks_per_sec = NET_HZ };

	if (netif_init(n, &c) != 0)
		abort();
}

void net_link_init(struct net_link *l)
{
	memset(l, 0, sizeof(*l));
	init_one(&l->a, &net_a_mac, NET_A_IP, NET_B_IP, &l->to_b);
	init_one(&l->b, &net_b_mac, NET_B_IP, 0, &l->to_a);
}

/* Takes the queue's frames first: delivering may queue new ones. */
static unsigned drain(struct net_queue *q, struct netif *to)
{
	static uint8_t frames[NET_LINK_QUEUE][ETH_FRAME_MAX];
	size_t lens[NET_LINK_QUEUE];
	unsigned n = q->count;

	memcpy(frames, q->frame, sizeof(frames));
	memcpy(lens, q->len, sizeof(lens));
	q->count = 0;
	for (unsigned i = 0; i < n; i++)
		net_input(to, frames[i], lens[i]);
	return n;
}

unsigned net_link_pump(struct net_link *l)
{
	unsigned total = 0;

	for (int round = 0; round < 32; round++) {
		unsigned n = drain(&l->to_b, &l->b) + drain(&l->to_a, &l->a);

		if (n == 0)
			break;
		total += n;
	}
	return total;
}

void net_link_tick(struct net_link *l, uint64_t now)
{
	netif_tick(&l->a, now);
	netif_tick(&l->b, now);
}

const uint8_t *net_queue_last(const struct net_queue *q, size_t *len)
{
	if (q->count == 0)
		return NULL;
	*len = q->len[q->count - 1];
	return q->frame[q->count - 1];
}

size_t net_build_ipv4(uint8_t *buf, const struct mac_addr *dst, const struct mac_addr *src,
		      uint32_t ip_src, uint32_t ip_dst, uint8_t proto, const void *payload,
		      size_t len)
{
	size_t n = eth_put_header(buf, dst, src, ETH_P_IPV4);

	n += ipv4_put_header(buf + n, ip_src, ip_dst, proto, len, 0x1234);
	memcpy(buf + n, payload, len);
	return n + len;
}

size_t net_build_ping(uint8_t *buf, uint8_t type, uint16_t id, uint16_t seq, const void *data,
		      size_t len)
{
	uint8_t msg[ETH_DATA_MAX];
	size_t n = icmp_put_echo(msg, type, id, seq, data, len);

	return net_build_ipv4(buf, &net_a_mac, &net_b_mac, NET_B_IP, NET_A_IP, IPV4_PROTO_ICMP,
			      msg, n);
}

size_t net_build_udp(uint8_t *buf, uint16_t sport, uint16_t dport, const void *data, size_t len)
{
	uint8_t msg[ETH_DATA_MAX];
	struct udp_hdr h = { .sport = net_htons(sport), .dport = net_htons(dport),
			     .len = net_htons((uint16_t)(UDP_HLEN + len)) };
	uint16_t sum;

	memcpy(msg, &h, sizeof(h));
	memcpy(msg + UDP_HLEN, data, len);
	sum = udp_checksum(NET_B_IP, NET_A_IP, msg, UDP_HLEN + len);
	h.csum = net_htons(sum ? sum : 0xffff);
	memcpy(msg, &h, sizeof(h));
	return net_build_ipv4(buf, &net_a_mac, &net_b_mac, NET_B_IP, NET_A_IP, IPV4_PROTO_UDP,
			      msg, UDP_HLEN + len);
}

size_t net_build_arp(uint8_t *buf, uint16_t op, const struct mac_addr *sha, uint32_t spa,
		     uint32_t tpa)
{
	static const struct mac_addr zero;
	size_t n = eth_put_header(buf, &eth_broadcast, sha, ETH_P_ARP);

	return n + arp_put(buf + n, op, sha, spa, &zero, tpa);
}

void net_fix_ip_csum(uint8_t *frame)
{
	uint8_t *ip = frame + ETH_HLEN;
	size_t hlen = (size_t)(ip[0] & 0xf) * 4;
	uint16_t sum;

	ip[10] = ip[11] = 0;
	sum = inet_checksum(ip, hlen);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
}
