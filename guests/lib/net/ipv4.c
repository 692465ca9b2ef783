/*
 * IPv4 receive validation and send path (ipv4.h). Every field read from a
 * received header is checked against the bytes actually received before
 * anything behind it is looked at.
 */
#include "guests/lib/net/ipv4.h"
#include "guests/lib/net/arp.h"
#include "guests/lib/net/icmp.h"
#include "guests/lib/net/netif.h"
#include "guests/lib/net/udp.h"
#include "guests/lib/net/wire.h"
#include "hv/errno.h"
#include "hv/format.h"
#include "hv/string.h"

uint32_t inet_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
		sum = (sum & 0xffff) + (sum >> 16); /* keep the carries from piling up */
	}
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

uint16_t inet_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t inet_checksum(const void *data, size_t len)
{
	return inet_csum_fold(inet_csum_add(0, data, len));
}

char *ip4_format(uint32_t ip, char buf[IP4_STR_LEN])
{
	hv_snprintf(buf, IP4_STR_LEN, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 0xff, ip >> 8 & 0xff,
		    ip & 0xff);
	return buf;
}

/* The header's own fields: what the header says about itself and the bytes received. */
static enum net_drop check_header(const struct ipv4_hdr *h, const void *pkt, size_t len)
{
	size_t hlen = (size_t)(h->ver_ihl & 0xf) * 4;
	size_t total = net_ntohs(h->total_len);

	if (h->ver_ihl >> 4 != 4)
		return NET_DROP_IP_VERSION;
	if (hlen < IPV4_HLEN || hlen > len)
		return NET_DROP_IP_IHL;
	if (inet_checksum(pkt, hlen) != 0)
		return NET_DROP_IP_CSUM;
	if (total < hlen || total > len)
		return NET_DROP_IP_LENGTH;
	if (net_ntohs(h->frag) & (IPV4_FRAG_MF | IPV4_FRAG_OFFSET))
		return NET_DROP_IP_FRAGMENT;
	if (h->ttl == 0)
		return NET_DROP_IP_TTL;
	return NET_DROP_NONE;
}

enum net_drop ipv4_parse(const void *pkt, size_t len, struct ipv4_packet *out)
{
	struct ipv4_hdr h;
	enum net_drop why;
	size_t hlen;

	if (len < IPV4_HLEN)
		return NET_DROP_IP_SHORT;
	memcpy(&h, pkt, sizeof(h));
	why = check_header(&h, pkt, len);
	if (why != NET_DROP_NONE)
		return why;
	hlen = (size_t)(h.ver_ihl & 0xf) * 4;
	out->src = net_ntohl(h.src);
	out->dst = net_ntohl(h.dst);
	out->proto = h.proto;
	out->ttl = h.ttl;
	out->id = net_ntohs(h.id);
	out->payload = (const uint8_t *)pkt + hlen;
	out->payload_len = net_ntohs(h.total_len) - hlen;
	return NET_DROP_NONE;
}

size_t ipv4_put_header(void *buf, uint32_t src, uint32_t dst, uint8_t proto, size_t payload_len,
		       uint16_t id)
{
	struct ipv4_hdr h = {
		.ver_ihl = 4 << 4 | IPV4_HLEN / 4,
		.total_len = net_htons((uint16_t)(IPV4_HLEN + payload_len)),
		.id = net_htons(id),
		.ttl = IPV4_TTL_DEFAULT,
		.proto = proto,
		.src = net_htonl(src),
		.dst = net_htonl(dst),
	};

	h.csum = net_htons(inet_checksum(&h, sizeof(h)));
	memcpy(buf, &h, sizeof(h));
	return IPV4_HLEN;
}

uint8_t *ipv4_payload(struct netif *nif)
{
	return nif->tx_buf + ETH_HLEN + IPV4_HLEN;
}

/* The address the frame goes to on our link: dst itself, the gateway, or none (0). */
static uint32_t next_hop(const struct netif *nif, uint32_t dst)
{
	if (netif_on_link(nif, dst))
		return dst;
	return nif->gateway;
}

int ipv4_send(struct netif *nif, uint32_t dst, uint8_t proto, size_t payload_len)
{
	size_t len = ETH_HLEN + IPV4_HLEN + payload_len;
	struct mac_addr mac = eth_broadcast;
	uint32_t hop = 0;

	if (payload_len > IPV4_PAYLOAD_MAX)
		return -EMSGSIZE;
	if (dst == 0 || dst == nif->ip)
		return -EINVAL;
	if (!netif_is_broadcast(nif, dst)) {
		hop = next_hop(nif, dst);
		if (hop == 0) {
			netif_drop(nif, NET_DROP_TX_NO_ROUTE);
			return -ENOENT;
		}
	}
	ipv4_put_header(nif->tx_buf + ETH_HLEN, nif->ip, dst, proto, payload_len, nif->ip_id++);
	nif->stats.tx_ipv4++;
	if (hop && arp_resolve(nif, hop, &mac) != 0)
		return netif_hold(nif, hop, nif->tx_buf, len);
	eth_put_header(nif->tx_buf, &mac, &nif->mac, ETH_P_IPV4);
	return netif_transmit(nif, nif->tx_buf, len);
}

/* Addresses a host takes: ours, the limited broadcast and our net's broadcast. */
static enum net_drop check_addresses(const struct netif *nif, const struct ipv4_packet *p)
{
	if (p->src == 0 || netif_is_broadcast(nif, p->src) || p->src >> 28 == 0xe)
		return NET_DROP_IP_SRC;
	if (p->dst != nif->ip && !netif_is_broadcast(nif, p->dst))
		return NET_DROP_IP_DST;
	return NET_DROP_NONE;
}

void ipv4_input(struct netif *nif, const struct eth_frame *f)
{
	struct ipv4_packet p;
	enum net_drop why;

	nif->stats.rx_ipv4++;
	why = ipv4_parse(f->payload, f->payload_len, &p);
	if (why == NET_DROP_NONE)
		why = check_addresses(nif, &p);
	if (why != NET_DROP_NONE) {
		netif_drop(nif, why);
		return;
	}
	if (p.proto == IPV4_PROTO_ICMP)
		icmp_input(nif, &p);
	else if (p.proto == IPV4_PROTO_UDP)
		udp_input(nif, &p);
	else
		netif_drop(nif, NET_DROP_IP_PROTO);
}
