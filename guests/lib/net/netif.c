/*
 * The interface: configuration, the receive entry point, the clock, and
 * the transmit path every protocol file ends in (netif.h).
 */
#include "guests/lib/net/netif.h"
#include "guests/lib/net/wire.h"
#include "hv/errno.h"
#include "hv/string.h"

/* A netmask is ones then zeros: adding its lowest set bit carries out to 0. */
static bool netmask_valid(uint32_t m)
{
	return m != 0 && (uint32_t)(m + (m & -m)) == 0;
}

static bool config_valid(const struct netif_config *c)
{
	uint32_t host = c->ip & ~c->netmask;

	if (!mac_is_valid_unicast(&c->mac) || !c->tx || c->ticks_per_sec == 0)
		return false;
	if (!netmask_valid(c->netmask) || c->netmask == IP4_BROADCAST)
		return false;
	if (c->ip == 0 || host == 0 || host == ~c->netmask)
		return false;
	if (c->gateway && ((c->gateway ^ c->ip) & c->netmask || c->gateway == c->ip))
		return false;
	return true;
}

int netif_init(struct netif *nif, const struct netif_config *cfg)
{
	if (!config_valid(cfg))
		return -EINVAL;
	memset(nif, 0, sizeof(*nif));
	nif->mac = cfg->mac;
	nif->ip = cfg->ip;
	nif->netmask = cfg->netmask;
	nif->gateway = cfg->gateway;
	nif->tx = cfg->tx;
	nif->tx_ctx = cfg->tx_ctx;
	nif->timeouts = (struct netif_timeouts){
		.arp_ttl = 60ull * cfg->ticks_per_sec,
		.arp_retry = cfg->ticks_per_sec,
		.arp_tries = 3,
		.ping_timeout = 5ull * cfg->ticks_per_sec,
	};
	return 0;
}

bool netif_on_link(const struct netif *nif, uint32_t ip)
{
	return ((ip ^ nif->ip) & nif->netmask) == 0;
}

bool netif_is_broadcast(const struct netif *nif, uint32_t ip)
{
	return ip == IP4_BROADCAST || ip == (nif->ip | ~nif->netmask);
}

void netif_drop(struct netif *nif, enum net_drop why)
{
	if ((unsigned)why < NET_DROP_COUNT)
		nif->stats.drops[why]++;
}

/* Frames for us: our address or broadcast, never from a group or from ourselves. */
static enum net_drop check_link(const struct netif *nif, const struct eth_frame *f)
{
	if (!mac_equal(&f->dst, &nif->mac) && !eth_is_broadcast(&f->dst))
		return NET_DROP_ETH_DST;
	if (mac_is_multicast(&f->src) || mac_equal(&f->src, &nif->mac))
		return NET_DROP_ETH_SRC;
	if (f->type != ETH_P_IPV4 && f->type != ETH_P_ARP)
		return NET_DROP_ETH_TYPE;
	return NET_DROP_NONE;
}

void net_input(struct netif *nif, const void *frame, size_t len)
{
	struct eth_frame f;
	enum net_drop why;

	nif->stats.rx_frames++;
	nif->stats.rx_bytes += len;
	why = eth_parse(frame, len, &f);
	if (why == NET_DROP_NONE)
		why = check_link(nif, &f);
	if (why != NET_DROP_NONE) {
		netif_drop(nif, why);
		return;
	}
	if (f.type == ETH_P_ARP)
		arp_input(nif, &f);
	else
		ipv4_input(nif, &f);
}

void netif_tick(struct netif *nif, uint64_t now)
{
	if (now > nif->now)
		nif->now = now; /* a clock going back never brings a deadline nearer */
	arp_tick(nif);
	icmp_tick(nif);
}

int netif_set_mac(struct netif *nif, const struct mac_addr *mac)
{
	if (!mac_is_valid_unicast(mac))
		return -EINVAL;
	nif->mac = *mac;
	return arp_announce(nif);
}

int netif_transmit(struct netif *nif, void *frame, size_t len)
{
	len = eth_pad(frame, len);
	if (nif->tx(nif->tx_ctx, frame, len) != 0) {
		netif_drop(nif, NET_DROP_TX_HOOK);
		return -EIO;
	}
	nif->stats.tx_frames++;
	nif->stats.tx_bytes += len;
	return 0;
}

int netif_hold(struct netif *nif, uint32_t next_hop, const void *frame, size_t len)
{
	struct netif_held *h = &nif->held;

	if (len > sizeof(h->frame))
		return -EMSGSIZE;
	if (h->busy)
		netif_drop(nif, NET_DROP_TX_HELD_OVER);
	h->busy = true;
	h->next_hop = next_hop;
	h->len = len;
	memcpy(h->frame, frame, len);
	nif->stats.tx_held++;
	return 0;
}

void netif_release_held(struct netif *nif, uint32_t ip, const struct mac_addr *mac)
{
	struct netif_held *h = &nif->held;

	if (!h->busy || h->next_hop != ip)
		return;
	h->busy = false;
	eth_put_header(h->frame, mac, &nif->mac, ETH_P_IPV4);
	netif_transmit(nif, h->frame, h->len);
}

void netif_drop_held(struct netif *nif, uint32_t ip)
{
	if (!nif->held.busy || nif->held.next_hop != ip)
		return;
	nif->held.busy = false;
	netif_drop(nif, NET_DROP_TX_ARP_FAILED);
}
