/*
 * IPv4 (RFC 791) for the guests' IP stack: the Internet checksum
 * (RFC 1071), validation of received headers, header building and the
 * send path (route to the next hop, resolve it by ARP, hand the frame to
 * the driver). No options are sent, none are interpreted on receive, and
 * fragments are refused and counted: every datagram the stack speaks fits
 * one Ethernet frame.
 */
#ifndef GUESTS_LIB_NET_IPV4_H
#define GUESTS_LIB_NET_IPV4_H

#include "hv/types.h"
#include "guests/lib/net/eth.h"
#include "guests/lib/net/stats.h"

#define IPV4_HLEN 20 /* without options */
#define IPV4_PROTO_ICMP 1
#define IPV4_PROTO_UDP 17
#define IPV4_TTL_DEFAULT 64
#define IPV4_PAYLOAD_MAX (ETH_DATA_MAX - IPV4_HLEN)

/* RFC 791 section 3.1 "Internet Header Format": multi-byte fields big endian. */
struct ipv4_hdr {
	uint8_t ver_ihl; /* version (4) in the high nibble, header length in words */
	uint8_t tos;
	uint16_t total_len;
	uint16_t id;
	uint16_t frag; /* flags (reserved, DF, MF) and the fragment offset in 8 bytes */
	uint8_t ttl;
	uint8_t proto;
	uint16_t csum;
	uint32_t src;
	uint32_t dst;
} __packed;
_Static_assert(sizeof(struct ipv4_hdr) == IPV4_HLEN, "IPv4 header is 20 bytes");

#define IPV4_FRAG_MF 0x2000
#define IPV4_FRAG_OFFSET 0x1fff

/* A validated datagram: addresses in host order, payload inside the caller's frame. */
struct ipv4_packet {
	uint32_t src, dst;
	uint8_t proto, ttl;
	uint16_t id;
	const uint8_t *payload;
	size_t payload_len; /* from total length: Ethernet padding is not payload */
};

struct netif;

/* Adds len bytes as big-endian 16-bit words (an odd tail byte padded with 0). */
uint32_t inet_csum_add(uint32_t sum, const void *data, size_t len);
/* Folds the carries and complements: 0 when data summed with its checksum in place. */
uint16_t inet_csum_fold(uint32_t sum);
uint16_t inet_checksum(const void *data, size_t len);

/*
 * Validates pkt[0..len) (an Ethernet payload): length, version, IHL,
 * header checksum, total length against len, fragments, TTL. Returns
 * NET_DROP_NONE with *out filled or the reason it is refused.
 */
enum net_drop ipv4_parse(const void *pkt, size_t len, struct ipv4_packet *out);

/* Writes a 20-byte header with its checksum at buf; returns IPV4_HLEN. */
size_t ipv4_put_header(void *buf, uint32_t src, uint32_t dst, uint8_t proto, size_t payload_len,
		       uint16_t id);

/* Where the payload of the next ipv4_send() is written (IPV4_PAYLOAD_MAX bytes). */
uint8_t *ipv4_payload(struct netif *nif);

/*
 * Sends the payload_len bytes at ipv4_payload(nif) to dst. 0 when sent or
 * held while ARP resolves the next hop; -EMSGSIZE above IPV4_PAYLOAD_MAX;
 * -EINVAL for address 0 or our own; -ENOENT for an off-net address without
 * gateway; -EIO when the driver's tx hook failed.
 */
int ipv4_send(struct netif *nif, uint32_t dst, uint8_t proto, size_t payload_len);

/* A received IPv4 frame: validated, checked to be ours, handed to ICMP or UDP. */
void ipv4_input(struct netif *nif, const struct eth_frame *f);

#endif
