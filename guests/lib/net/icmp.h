/*
 * ICMP echo (RFC 792) for the guests' IP stack: requests to our address
 * are answered with the same identifier, sequence number and data; our own
 * pings are remembered by (destination, identifier, sequence) so a reply is
 * matched to exactly one of them and its round trip measured in ticks.
 * Other ICMP messages are counted and dropped.
 */
#ifndef GUESTS_LIB_NET_ICMP_H
#define GUESTS_LIB_NET_ICMP_H

#include "hv/types.h"
#include "guests/lib/net/ipv4.h"
#include "guests/lib/net/stats.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP_HLEN 8
#define ICMP_PING_SLOTS 8 /* pings awaiting their reply at once */
#define ICMP_DATA_MAX (IPV4_PAYLOAD_MAX - ICMP_HLEN)

/* RFC 792 "Echo or Echo Reply Message"; big endian. */
struct icmp_echo_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t csum;
	uint16_t id;
	uint16_t seq;
} __packed;
_Static_assert(sizeof(struct icmp_echo_hdr) == ICMP_HLEN, "ICMP echo header is 8 bytes");

/* A validated echo message; data inside the caller's frame. */
struct icmp_echo {
	uint8_t type; /* ICMP_ECHO_REQUEST or ICMP_ECHO_REPLY */
	uint16_t id, seq;
	const uint8_t *data;
	size_t data_len;
};

/* What a matched reply tells: who answered which ping, and how late. */
struct icmp_echo_result {
	uint32_t from;
	uint16_t id, seq;
	size_t data_len;
	uint64_t rtt; /* ticks of netif_tick()'s clock between send and reply */
};

typedef void (*icmp_reply_fn)(void *ctx, const struct icmp_echo_result *r);

struct icmp_ping {
	bool busy;
	uint32_t dst;
	uint16_t id, seq;
	uint64_t sent;
};

struct netif;

/* Validates an ICMP message (an IPv4 payload): length, checksum, echo type and code. */
enum net_drop icmp_parse(const void *msg, size_t len, struct icmp_echo *out);

/* Writes an echo message with its checksum at buf; returns ICMP_HLEN + len. */
size_t icmp_put_echo(void *buf, uint8_t type, uint16_t id, uint16_t seq, const void *data,
		     size_t len);

/*
 * Sends an echo request and remembers it (the oldest outstanding ping is
 * given up as timed out when all ICMP_PING_SLOTS are busy). 0 or
 * ipv4_send()'s errors; -EMSGSIZE above ICMP_DATA_MAX.
 */
int icmp_ping(struct netif *nif, uint32_t dst, uint16_t id, uint16_t seq, const void *data,
	      size_t len);

/* Called for every matched echo reply (from net_input's caller's context). */
void icmp_set_reply_handler(struct netif *nif, icmp_reply_fn fn, void *ctx);

/* A received ICMP datagram for us: answer a request, match a reply. */
void icmp_input(struct netif *nif, const struct ipv4_packet *ip);

/* Gives up pings older than the ping timeout (counted in ping_timeouts). */
void icmp_tick(struct netif *nif);

#endif
