/*
 * UDP (RFC 768) for the guests' IP stack: validated receive with a small
 * table of bound ports, send with a checksum always filled in, and an echo
 * service (RFC 862) on any port. A received checksum of 0 means the sender
 * computed none (allowed over IPv4) and is accepted and counted; any other
 * value must be right.
 */
#ifndef GUESTS_LIB_NET_UDP_H
#define GUESTS_LIB_NET_UDP_H

#include "hv/types.h"
#include "guests/lib/net/ipv4.h"
#include "guests/lib/net/stats.h"

#define UDP_HLEN 8
#define UDP_BINDINGS 4 /* ports bound at once */
#define UDP_ECHO_PORT 7
#define UDP_DATA_MAX (IPV4_PAYLOAD_MAX - UDP_HLEN)

/* RFC 768 "Format"; big endian. */
struct udp_hdr {
	uint16_t sport;
	uint16_t dport;
	uint16_t len; /* header and data */
	uint16_t csum;
} __packed;
_Static_assert(sizeof(struct udp_hdr) == UDP_HLEN, "UDP header is 8 bytes");

/* A validated datagram; data inside the caller's frame. */
struct udp_datagram {
	uint32_t src, dst;
	uint16_t sport, dport;
	const uint8_t *data;
	size_t data_len;
	bool had_csum;
};

struct netif;

typedef void (*udp_handler_fn)(struct netif *nif, const struct udp_datagram *d, void *ctx);

struct udp_binding {
	uint16_t port; /* 0: free */
	udp_handler_fn fn;
	void *ctx;
};

/* The checksum over the pseudo header and udp[0..len) as it would go on the wire. */
uint16_t udp_checksum(uint32_t src, uint32_t dst, const void *udp, size_t len);

/* Validates ip's payload as UDP: lengths, and the checksum unless it is 0. */
enum net_drop udp_parse(const struct ipv4_packet *ip, struct udp_datagram *out);

/* 0, -EINVAL (port 0 or no handler), -EEXIST (bound), -ENOSPC (table full). */
int udp_bind(struct netif *nif, uint16_t port, udp_handler_fn fn, void *ctx);
/* 0 or -ENOENT. */
int udp_unbind(struct netif *nif, uint16_t port);
/* Binds port to the echo service: every datagram goes back to its sender. */
int udp_echo_start(struct netif *nif, uint16_t port);

/* Sends data[0..len) from sport to dst:dport: ipv4_send()'s results, or -EMSGSIZE. */
int udp_send(struct netif *nif, uint32_t dst, uint16_t sport, uint16_t dport, const void *data,
	     size_t len);

/* A received UDP datagram for us: validated, handed to its port's handler. */
void udp_input(struct netif *nif, const struct ipv4_packet *ip);

#endif
