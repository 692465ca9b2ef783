/*
 * ARP cache, requests and replies (arp.h). What a neighbour says is taken
 * only for addresses on our link and only from unicast senders; a station
 * claiming our own address is counted as a conflict, never cached.
 */
#include "guests/lib/net/arp.h"
#include "guests/lib/net/netif.h"
#include "guests/lib/net/wire.h"
#include "hv/errno.h"
#include "hv/string.h"

/* The target hardware address of a request: not known yet, sent as zeros. */
static const struct mac_addr unknown;

enum net_drop arp_parse(const void *pkt, size_t len, struct arp_msg *out)
{
	struct arp_pkt a;

	if (len < ARP_LEN)
		return NET_DROP_ARP_SHORT;
	memcpy(&a, pkt, sizeof(a));
	if (net_ntohs(a.htype) != ARP_HTYPE_ETHERNET || net_ntohs(a.ptype) != ETH_P_IPV4 ||
	    a.hlen != ETH_ALEN || a.plen != 4)
		return NET_DROP_ARP_FORMAT;
	out->op = net_ntohs(a.op);
	if (out->op != ARP_OP_REQUEST && out->op != ARP_OP_REPLY)
		return NET_DROP_ARP_OP;
	out->sha = a.sha;
	out->tha = a.tha;
	out->spa = net_ntohl(a.spa);
	out->tpa = net_ntohl(a.tpa);
	return NET_DROP_NONE;
}

size_t arp_put(void *buf, uint16_t op, const struct mac_addr *sha, uint32_t spa,
	       const struct mac_addr *tha, uint32_t tpa)
{
	struct arp_pkt a = {
		.htype = net_htons(ARP_HTYPE_ETHERNET),
		.ptype = net_htons(ETH_P_IPV4),
		.hlen = ETH_ALEN,
		.plen = 4,
		.op = net_htons(op),
		.sha = *sha,
		.spa = net_htonl(spa),
		.tha = *tha,
		.tpa = net_htonl(tpa),
	};

	memcpy(buf, &a, sizeof(a));
	return ARP_LEN;
}

/* One ARP frame, in a buffer of its own: a send may be waiting in nif->tx_buf. */
static int arp_send(struct netif *nif, const struct mac_addr *dst, uint16_t op,
		    const struct mac_addr *tha, uint32_t tpa)
{
	uint8_t frame[ETH_ZLEN];
	size_t len = eth_put_header(frame, dst, &nif->mac, ETH_P_ARP);

	len += arp_put(frame + len, op, &nif->mac, nif->ip, tha, tpa);
	nif->stats.tx_arp++;
	return netif_transmit(nif, frame, len);
}

static struct arp_entry *find(struct netif *nif, uint32_t ip)
{
	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++)
		if (nif->arp[i].state != ARP_FREE && nif->arp[i].ip == ip)
			return &nif->arp[i];
	return NULL;
}

/*
 * A free entry, else the one closest to its deadline (the stalest). A
 * pending lookup evicted takes the frame held for it along.
 */
static struct arp_entry *victim(struct netif *nif)
{
	struct arp_entry *best = &nif->arp[0];

	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++) {
		struct arp_entry *e = &nif->arp[i];

		if (e->state == ARP_FREE)
			return e;
		if (e->deadline < best->deadline)
			best = e;
	}
	if (best->state == ARP_PENDING)
		netif_drop_held(nif, best->ip);
	return best;
}

static void learn(struct netif *nif, struct arp_entry *e, uint32_t ip, const struct mac_addr *mac)
{
	e->ip = ip;
	e->mac = *mac;
	e->state = ARP_VALID;
	e->tries = 0;
	e->deadline = nif->now + nif->timeouts.arp_ttl;
	netif_release_held(nif, ip, mac);
}

/* The sender's claim, checked before it may touch the cache. */
static enum net_drop check_sender(const struct netif *nif, const struct arp_msg *m)
{
	if (m->spa == nif->ip)
		return mac_equal(&m->sha, &nif->mac) ? NET_DROP_ETH_SRC : NET_DROP_ARP_CONFLICT;
	if (!mac_is_valid_unicast(&m->sha))
		return NET_DROP_ARP_SENDER;
	/* 0.0.0.0 is an RFC 5227 probe: answered below, never cached. */
	if (m->spa != 0 && (!netif_on_link(nif, m->spa) || netif_is_broadcast(nif, m->spa)))
		return NET_DROP_ARP_SENDER;
	return NET_DROP_NONE;
}

/*
 * RFC 826's merge: a sender already in the cache (pending included) is
 * updated whoever the packet is for, which is how a gratuitous ARP moves
 * an address. A new entry only for a request to us, since we are about to
 * answer it: unsolicited replies never add one (as Linux's arp_accept=0).
 */
static void merge(struct netif *nif, const struct arp_msg *m)
{
	struct arp_entry *e;

	if (m->spa == 0)
		return;
	e = find(nif, m->spa);
	if (!e && m->op == ARP_OP_REQUEST && m->tpa == nif->ip)
		e = victim(nif);
	if (e)
		learn(nif, e, m->spa, &m->sha);
}

void arp_input(struct netif *nif, const struct eth_frame *f)
{
	struct arp_msg m;
	enum net_drop why;

	nif->stats.rx_arp++;
	why = arp_parse(f->payload, f->payload_len, &m);
	if (why == NET_DROP_NONE)
		why = check_sender(nif, &m);
	if (why != NET_DROP_NONE) {
		netif_drop(nif, why);
		return;
	}
	merge(nif, &m);
	if (m.op != ARP_OP_REQUEST || m.tpa != nif->ip) {
		if (m.op == ARP_OP_REQUEST && m.spa != m.tpa)
			netif_drop(nif, NET_DROP_ARP_TARGET);
		return;
	}
	if (arp_send(nif, &m.sha, ARP_OP_REPLY, &m.sha, m.spa) == 0)
		nif->stats.arp_replies_sent++;
}

const struct arp_entry *arp_lookup(const struct netif *nif, uint32_t ip)
{
	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++)
		if (nif->arp[i].state == ARP_VALID && nif->arp[i].ip == ip)
			return &nif->arp[i];
	return NULL;
}

int arp_request(struct netif *nif, uint32_t ip)
{
	nif->stats.arp_requests_sent++;
	return arp_send(nif, &eth_broadcast, ARP_OP_REQUEST, &unknown, ip);
}

/*
 * An entry in use in its last arp_retry ticks is asked for again, unicast
 * (RFC 1122 2.3.2.1), while frames keep going to the MAC it has: the answer
 * renews it before it expires, so a steady stream never stalls on ARP.
 */
static void refresh(struct netif *nif, struct arp_entry *e)
{
	if (e->tries || nif->now + nif->timeouts.arp_retry < e->deadline)
		return;
	e->tries = 1;
	nif->stats.arp_requests_sent++;
	arp_send(nif, &e->mac, ARP_OP_REQUEST, &unknown, e->ip);
}

int arp_resolve(struct netif *nif, uint32_t ip, struct mac_addr *mac)
{
	struct arp_entry *e = find(nif, ip);

	if (e && e->state == ARP_VALID) {
		refresh(nif, e);
		*mac = e->mac;
		return 0;
	}
	if (e)
		return -EAGAIN; /* the retry timer asks again */
	e = victim(nif);
	*e = (struct arp_entry){ .ip = ip, .state = ARP_PENDING, .tries = 1,
				 .deadline = nif->now + nif->timeouts.arp_retry };
	arp_request(nif, ip);
	return -EAGAIN;
}

int arp_announce(struct netif *nif)
{
	nif->stats.arp_announces++;
	return arp_send(nif, &eth_broadcast, ARP_OP_REQUEST, &unknown, nif->ip);
}

static void retry_or_give_up(struct netif *nif, struct arp_entry *e)
{
	if (e->tries >= nif->timeouts.arp_tries) {
		e->state = ARP_FREE;
		netif_drop_held(nif, e->ip);
		return;
	}
	e->tries++;
	e->deadline = nif->now + nif->timeouts.arp_retry;
	arp_request(nif, e->ip);
}

void arp_tick(struct netif *nif)
{
	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++) {
		struct arp_entry *e = &nif->arp[i];

		if (e->state == ARP_FREE || nif->now < e->deadline)
			continue;
		if (e->state == ARP_PENDING) {
			retry_or_give_up(nif, e);
			continue;
		}
		e->state = ARP_FREE;
		nif->stats.arp_expired++;
	}
}

void arp_flush(struct netif *nif)
{
	memset(nif->arp, 0, sizeof(nif->arp));
}
