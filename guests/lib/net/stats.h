/*
 * What the IP stack counts: frames and packets per protocol and every
 * reason a frame was not taken or a packet not sent. Nothing the stack
 * drops goes uncounted, so a test (or the guest's own report) can tell a
 * malformed frame from one that was simply not for us.
 */
#ifndef GUESTS_LIB_NET_STATS_H
#define GUESTS_LIB_NET_STATS_H

#include "hv/types.h"

/*
 * The verdict of every parser of the stack: NET_DROP_NONE (accepted) or
 * the one counter the frame is dropped under. A classification for the
 * counters, not an error code: the send functions return errno codes.
 */
enum net_drop {
	NET_DROP_NONE,
	NET_DROP_ETH_SHORT,	  /* shorter than an Ethernet header */
	NET_DROP_ETH_LONG,	  /* longer than ETH_FRAME_MAX */
	NET_DROP_ETH_DST,	  /* neither our address nor broadcast */
	NET_DROP_ETH_SRC,	  /* multicast/broadcast source, or our own address */
	NET_DROP_ETH_TYPE,	  /* neither IPv4 nor ARP (VLAN tags included) */
	NET_DROP_ARP_SHORT,	  /* fewer than 28 bytes */
	NET_DROP_ARP_FORMAT,	  /* hardware/protocol type or length not Ethernet/IPv4 */
	NET_DROP_ARP_OP,	  /* neither request nor reply */
	NET_DROP_ARP_SENDER,	  /* sender address not a unicast MAC, or IP outside our net */
	NET_DROP_ARP_TARGET,	  /* a request for someone else's address */
	NET_DROP_ARP_CONFLICT,	  /* another station claims our IP address */
	NET_DROP_IP_SHORT,	  /* fewer than 20 bytes */
	NET_DROP_IP_VERSION,	  /* version is not 4 */
	NET_DROP_IP_IHL,	  /* header length below 5 words or beyond the packet */
	NET_DROP_IP_LENGTH,	  /* total length below the header or beyond the frame */
	NET_DROP_IP_CSUM,	  /* header checksum wrong */
	NET_DROP_IP_FRAGMENT,	  /* a fragment (MF set or offset non-zero): not reassembled */
	NET_DROP_IP_TTL,	  /* TTL 0, which no sender may send (RFC 1122 3.2.1.7) */
	NET_DROP_IP_SRC,	  /* broadcast, multicast or zero source address */
	NET_DROP_IP_DST,	  /* not our address nor a broadcast one */
	NET_DROP_IP_PROTO,	  /* neither ICMP nor UDP */
	NET_DROP_ICMP_SHORT,	  /* fewer than 8 bytes */
	NET_DROP_ICMP_CSUM,	  /* checksum wrong */
	NET_DROP_ICMP_TYPE,	  /* not an echo request/reply with code 0 */
	NET_DROP_ICMP_BROADCAST,  /* echo request to a broadcast address: not answered */
	NET_DROP_ICMP_UNMATCHED,  /* echo reply to no ping of ours */
	NET_DROP_UDP_SHORT,	  /* fewer than 8 bytes */
	NET_DROP_UDP_LENGTH,	  /* length field below 8 or beyond the IP payload */
	NET_DROP_UDP_CSUM,	  /* non-zero checksum that is wrong */
	NET_DROP_UDP_PORT,	  /* no socket bound to the destination port */
	NET_DROP_TX_NO_ROUTE,	  /* off-net destination and no gateway */
	NET_DROP_TX_ARP_FAILED,	  /* held for an address that never answered ARP */
	NET_DROP_TX_HELD_OVER,	  /* held frame replaced by a newer one */
	NET_DROP_TX_HOOK,	  /* the driver's tx hook failed */
	NET_DROP_COUNT
};

struct net_counters {
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
	uint64_t rx_arp, tx_arp, rx_ipv4, tx_ipv4;
	uint64_t rx_icmp, tx_icmp, rx_udp, tx_udp;
	uint64_t arp_replies_sent;  /* answers to requests for our address */
	uint64_t arp_requests_sent; /* our own lookups, retries included */
	uint64_t arp_announces;	    /* gratuitous ARP sent */
	uint64_t arp_expired;	    /* cache entries timed out */
	uint64_t echo_answered;	    /* echo requests answered */
	uint64_t ping_sent, ping_replies, ping_timeouts;
	uint64_t udp_delivered;	    /* datagrams handed to a bound port */
	uint64_t udp_no_csum;	    /* of which arrived without a checksum (allowed) */
	uint64_t tx_held;	    /* frames held while ARP resolved their next hop */
	uint64_t drops[NET_DROP_COUNT];
};

/* "eth_short", "ip_csum", ... for reports; "none" for NET_DROP_NONE or out of range. */
const char *net_drop_name(enum net_drop why);
uint64_t net_drops_total(const struct net_counters *c);

#endif
