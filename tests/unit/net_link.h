/*
 * Test fixtures for the guests' IP stack (guests/lib/net/): two netifs
 * wired together through frame queues in memory, so a frame one sends is
 * delivered to the other only when the test pumps, never recursively from
 * inside the sender's tx hook. Also builders of well-formed frames that
 * the parser tests then break one field at a time.
 */
#ifndef TESTS_UNIT_NET_LINK_H
#define TESTS_UNIT_NET_LINK_H

#include "guests/lib/net/netif.h"

#define NET_LINK_QUEUE 16

struct net_queue {
	unsigned count;
	size_t len[NET_LINK_QUEUE];
	uint8_t frame[NET_LINK_QUEUE][ETH_FRAME_MAX];
	unsigned sent;	   /* frames ever queued */
	bool fail;	   /* the tx hook reports failure */
	bool blackhole;	   /* frames are counted, never delivered */
};

struct net_link {
	struct netif a, b;
	struct net_queue to_b, to_a; /* what a sent, what b sent */
};

#define NET_A_IP IP4_ADDR(10, 0, 2, 15)
#define NET_B_IP IP4_ADDR(10, 0, 2, 2)
#define NET_MASK IP4_ADDR(255, 255, 255, 0)
#define NET_HZ 100

extern const struct mac_addr net_a_mac, net_b_mac;

/* a and b on 10.0.2.0/24 (b is also a's gateway), empty queues. */
void net_link_init(struct net_link *l);
/* Delivers queued frames both ways until none are left; returns how many. */
unsigned net_link_pump(struct net_link *l);
/* Both clocks to now. */
void net_link_tick(struct net_link *l, uint64_t now);

/* The newest frame in q (NULL if empty). */
const uint8_t *net_queue_last(const struct net_queue *q, size_t *len);

/* Frame builders: return the frame's length (no padding). */
size_t net_build_ipv4(uint8_t *buf, const struct mac_addr *dst, const struct mac_addr *src,
		      uint32_t ip_src, uint32_t ip_dst, uint8_t proto, const void *payload,
		      size_t len);
size_t net_build_ping(uint8_t *buf, uint8_t type, uint16_t id, uint16_t seq, const void *data,
		      size_t len); /* b -> a */
size_t net_build_udp(uint8_t *buf, uint16_t sport, uint16_t dport, const void *data,
		     size_t len); /* b -> a */
size_t net_build_arp(uint8_t *buf, uint16_t op, const struct mac_addr *sha, uint32_t spa,
		     uint32_t tpa); /* broadcast */
/* Recomputes the IPv4 header checksum of a frame built above after a field changed. */
void net_fix_ip_csum(uint8_t *frame);

#endif
