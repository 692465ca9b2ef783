/*
 * Ethernet II framing for the guests' IP stack: the 14-byte header
 * (IEEE 802.3 clause 3.1.1: destination, source, EtherType), parsed from
 * untrusted frames and built for ours. Addresses are drivers/nic's
 * struct mac_addr, so the stack, the PF driver and the VF driver share one
 * type and one set of helpers (mac_equal, mac_format, ...).
 */
#ifndef GUESTS_LIB_NET_ETH_H
#define GUESTS_LIB_NET_ETH_H

#include "hv/types.h"
#include "drivers/nic/mbx_decode.h"
#include "guests/lib/net/stats.h"

#define ETH_HLEN 14
#define ETH_ZLEN 60	   /* shortest frame without FCS: shorter ones are padded */
#define ETH_DATA_MAX 1500  /* the payload of an untagged frame (MTU) */
#define ETH_FRAME_MAX 1514 /* header and payload, no FCS (what the NICs hand over) */

#define ETH_P_IPV4 0x0800
#define ETH_P_ARP 0x0806

/* The wire header (IEEE 802.3 "MAC frame"): type is big endian. */
struct eth_hdr {
	struct mac_addr dst;
	struct mac_addr src;
	uint16_t type;
} __packed;
_Static_assert(sizeof(struct eth_hdr) == ETH_HLEN, "Ethernet header is 14 bytes");

/* A parsed frame: the header in host order and the payload inside the caller's frame. */
struct eth_frame {
	struct mac_addr dst, src;
	uint16_t type;
	const uint8_t *payload;
	size_t payload_len;
};

extern const struct mac_addr eth_broadcast;

bool eth_is_broadcast(const struct mac_addr *m);

/* Splits frame[0..len): NET_DROP_NONE, NET_DROP_ETH_SHORT or NET_DROP_ETH_LONG. */
enum net_drop eth_parse(const void *frame, size_t len, struct eth_frame *out);

/* Writes the header at buf (ETH_HLEN bytes); returns ETH_HLEN. */
size_t eth_put_header(void *buf, const struct mac_addr *dst, const struct mac_addr *src,
		      uint16_t type);

/*
 * Zero-fills buf from len up to ETH_ZLEN (buf holds at least ETH_ZLEN
 * bytes) and returns the padded length: the minimum frame leaves no stale
 * buffer bytes on the wire.
 */
size_t eth_pad(void *buf, size_t len);

#endif
