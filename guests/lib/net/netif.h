/*
 * A network interface of the guests' IP stack: one Ethernet port with one
 * IPv4 address, the driver's transmit hook, and all of the stack's state
 * (ARP cache, outstanding pings, bound UDP ports, one frame held while
 * ARP resolves, counters). No dynamic allocation: a struct netif is the
 * whole stack for one port, and every buffer in it is bounded by
 * ETH_FRAME_MAX.
 *
 * Single-threaded: net_input(), netif_tick() and the send functions run
 * from the guest's main loop (never from an interrupt handler), and the
 * tx hook is called from inside them. The clock is the caller's: netif_tick()
 * passes the current tick, and every timeout is in those ticks.
 */
#ifndef GUESTS_LIB_NET_NETIF_H
#define GUESTS_LIB_NET_NETIF_H

#include "hv/types.h"
#include "guests/lib/net/arp.h"
#include "guests/lib/net/eth.h"
#include "guests/lib/net/icmp.h"
#include "guests/lib/net/ipv4.h"
#include "guests/lib/net/stats.h"
#include "guests/lib/net/udp.h"

/* Hands one frame (len <= ETH_FRAME_MAX, padded to ETH_ZLEN) to the driver: 0 or < 0. */
typedef int (*netif_tx_fn)(void *ctx, const void *frame, size_t len);

struct netif_config {
	struct mac_addr mac;		/* a valid unicast address */
	uint32_t ip, netmask, gateway;	/* host order; gateway 0: none */
	netif_tx_fn tx;
	void *tx_ctx;
	uint32_t ticks_per_sec;		/* of the clock given to netif_tick() */
};

/* In ticks; netif_init() derives them from ticks_per_sec, a test may set them after. */
struct netif_timeouts {
	uint64_t arp_ttl;	/* a learned address is kept this long (60 s) */
	uint64_t arp_retry;	/* between requests for a pending address (1 s) */
	unsigned arp_tries;	/* requests before giving up (3) */
	uint64_t ping_timeout;	/* an unanswered ping is given up after (5 s) */
};

/* The one frame kept while ARP resolves its next hop (ipv4_send). */
struct netif_held {
	bool busy;
	uint32_t next_hop;
	size_t len;
	uint8_t frame[ETH_FRAME_MAX];
};

struct netif {
	struct mac_addr mac;
	uint32_t ip, netmask, gateway;
	netif_tx_fn tx;
	void *tx_ctx;
	uint64_t now;
	struct netif_timeouts timeouts;
	uint16_t ip_id;
	struct arp_entry arp[ARP_CACHE_SIZE];
	struct icmp_ping ping[ICMP_PING_SLOTS];
	struct udp_binding udp[UDP_BINDINGS];
	icmp_reply_fn on_echo_reply;
	void *echo_ctx;
	struct netif_held held;
	uint8_t tx_buf[ETH_FRAME_MAX]; /* every send is built here */
	struct net_counters stats;
};

/*
 * Validates cfg (unicast MAC, non-zero address that is neither the net's
 * nor its broadcast, contiguous netmask, gateway on the link or 0, a tx
 * hook, ticks_per_sec > 0) and resets nif to it. 0 or -EINVAL.
 */
int netif_init(struct netif *nif, const struct netif_config *cfg);

/* Takes one received frame; everything about it ends up in nif->stats. */
void net_input(struct netif *nif, const void *frame, size_t len);

/* Advances the clock to now: ARP expiry and retries, ping timeouts. */
void netif_tick(struct netif *nif, uint64_t now);

/*
 * Moves the interface to another MAC (a data path switch) and announces it
 * with a gratuitous ARP. 0, -EINVAL (not unicast) or the announcement's -EIO.
 */
int netif_set_mac(struct netif *nif, const struct mac_addr *mac);

bool netif_on_link(const struct netif *nif, uint32_t ip);
/* The limited broadcast or our net's directed broadcast. */
bool netif_is_broadcast(const struct netif *nif, uint32_t ip);

/* For the protocol files: pad, hand to the tx hook, count. 0 or -EIO. */
int netif_transmit(struct netif *nif, void *frame, size_t len);
void netif_drop(struct netif *nif, enum net_drop why);
/* Keeps frame (its Ethernet header written on release) until next_hop resolves; 0 or -EMSGSIZE. */
int netif_hold(struct netif *nif, uint32_t next_hop, const void *frame, size_t len);
/* ARP learned ip: sends the frame held for it, if any. */
void netif_release_held(struct netif *nif, uint32_t ip, const struct mac_addr *mac);
/* ARP gave up on ip: drops the frame held for it, if any. */
void netif_drop_held(struct netif *nif, uint32_t ip);

#endif
