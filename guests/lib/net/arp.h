/*
 * ARP (RFC 826) for Ethernet and IPv4: a small cache whose entries expire
 * by tick, requests with retries for our own lookups, replies to requests
 * for our address, and the gratuitous announcement (RFC 5227 section 2.3)
 * that tells the link our address moved to another MAC, as after a switch
 * between the synthetic and the VF data path.
 */
#ifndef GUESTS_LIB_NET_ARP_H
#define GUESTS_LIB_NET_ARP_H

#include "hv/types.h"
#include "guests/lib/net/eth.h"
#include "guests/lib/net/stats.h"

#define ARP_CACHE_SIZE 8
#define ARP_LEN 28 /* the Ethernet/IPv4 packet */
#define ARP_HTYPE_ETHERNET 1
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

/* RFC 826 "Packet format", for Ethernet (hlen 6) and IPv4 (plen 4); big endian. */
struct arp_pkt {
	uint16_t htype;
	uint16_t ptype;
	uint8_t hlen;
	uint8_t plen;
	uint16_t op;
	struct mac_addr sha; /* sender hardware address */
	uint32_t spa;	     /* sender protocol address */
	struct mac_addr tha; /* target hardware address */
	uint32_t tpa;	     /* target protocol address */
} __packed;
_Static_assert(sizeof(struct arp_pkt) == ARP_LEN, "Ethernet/IPv4 ARP packet is 28 bytes");

/* A validated packet, addresses in host order. */
struct arp_msg {
	uint16_t op;
	struct mac_addr sha, tha;
	uint32_t spa, tpa;
};

enum arp_state {
	ARP_FREE,
	ARP_PENDING, /* request sent, no answer yet */
	ARP_VALID,
};

struct arp_entry {
	uint32_t ip;
	struct mac_addr mac;  /* ARP_VALID only */
	uint8_t state;	      /* enum arp_state */
	uint8_t tries;	      /* requests sent while pending */
	uint64_t deadline;    /* tick: VALID expires, PENDING retries or gives up */
};

struct netif;

/*
 * Validates pkt[0..len): at least ARP_LEN bytes (Ethernet padding may
 * follow), Ethernet/IPv4 types and lengths, request or reply.
 */
enum net_drop arp_parse(const void *pkt, size_t len, struct arp_msg *out);

/* Writes an ARP_LEN-byte packet at buf; returns ARP_LEN. */
size_t arp_put(void *buf, uint16_t op, const struct mac_addr *sha, uint32_t spa,
	       const struct mac_addr *tha, uint32_t tpa);

/* A received ARP frame: learn, answer, release frames held for the sender. */
void arp_input(struct netif *nif, const struct eth_frame *f);

/*
 * The MAC of ip (on our link) into *mac: 0 when cached (an entry near its
 * expiry is asked for again, unicast, while still used); -EAGAIN when not
 * (a request is sent unless one is already pending).
 */
int arp_resolve(struct netif *nif, uint32_t ip, struct mac_addr *mac);

/* The valid entry for ip, or NULL. */
const struct arp_entry *arp_lookup(const struct netif *nif, uint32_t ip);

/* Broadcasts a request for ip; 0 or the tx hook's failure (-EIO). */
int arp_request(struct netif *nif, uint32_t ip);

/*
 * Gratuitous ARP: a broadcast request with sender and target address both
 * ours (RFC 5227's announcement), so neighbours update their caches to our
 * current MAC. 0 or -EIO.
 */
int arp_announce(struct netif *nif);

/* Expires valid entries, resends pending requests, gives up after the last try. */
void arp_tick(struct netif *nif);

/* Forgets every entry (frames held for a lookup are dropped by the caller). */
void arp_flush(struct netif *nif);

#endif
