/*
 * UDP receive, send, port table and echo service (udp.h).
 */
#include "guests/lib/net/udp.h"
#include "guests/lib/net/netif.h"
#include "guests/lib/net/wire.h"
#include "hv/errno.h"
#include "hv/string.h"

uint16_t udp_checksum(uint32_t src, uint32_t dst, const void *udp, size_t len)
{
	/* RFC 768's pseudo header: source, destination, zero, protocol, UDP length. */
	uint8_t pseudo[12] = {
		(uint8_t)(src >> 24), (uint8_t)(src >> 16), (uint8_t)(src >> 8), (uint8_t)src,
		(uint8_t)(dst >> 24), (uint8_t)(dst >> 16), (uint8_t)(dst >> 8), (uint8_t)dst,
		0, IPV4_PROTO_UDP, (uint8_t)(len >> 8), (uint8_t)len,
	};

	return inet_csum_fold(inet_csum_add(inet_csum_add(0, pseudo, sizeof(pseudo)), udp, len));
}

enum net_drop udp_parse(const struct ipv4_packet *ip, struct udp_datagram *out)
{
	struct udp_hdr h;
	size_t len;

	if (ip->payload_len < UDP_HLEN)
		return NET_DROP_UDP_SHORT;
	memcpy(&h, ip->payload, sizeof(h));
	len = net_ntohs(h.len);
	if (len < UDP_HLEN || len > ip->payload_len)
		return NET_DROP_UDP_LENGTH;
	if (h.csum != 0 && udp_checksum(ip->src, ip->dst, ip->payload, len) != 0)
		return NET_DROP_UDP_CSUM;
	*out = (struct udp_datagram){
		.src = ip->src,
		.dst = ip->dst,
		.sport = net_ntohs(h.sport),
		.dport = net_ntohs(h.dport),
		.data = ip->payload + UDP_HLEN,
		.data_len = len - UDP_HLEN,
		.had_csum = h.csum != 0,
	};
	return NET_DROP_NONE;
}

static struct udp_binding *bound(struct netif *nif, uint16_t port)
{
	for (unsigned i = 0; i < UDP_BINDINGS; i++)
		if (nif->udp[i].port == port)
			return &nif->udp[i];
	return NULL;
}

int udp_bind(struct netif *nif, uint16_t port, udp_handler_fn fn, void *ctx)
{
	struct udp_binding *b;

	if (port == 0 || !fn)
		return -EINVAL;
	if (bound(nif, port))
		return -EEXIST;
	b = bound(nif, 0);
	if (!b)
		return -ENOSPC;
	*b = (struct udp_binding){ .port = port, .fn = fn, .ctx = ctx };
	return 0;
}

int udp_unbind(struct netif *nif, uint16_t port)
{
	struct udp_binding *b = port ? bound(nif, port) : NULL;

	if (!b)
		return -ENOENT;
	*b = (struct udp_binding){ 0 };
	return 0;
}

static void echo(struct netif *nif, const struct udp_datagram *d, void *ctx)
{
	(void)ctx;
	/* A reply to a broadcast goes from our own address, as it does for any host. */
	udp_send(nif, d->src, d->dport, d->sport, d->data, d->data_len);
}

int udp_echo_start(struct netif *nif, uint16_t port)
{
	return udp_bind(nif, port, echo, NULL);
}

int udp_send(struct netif *nif, uint32_t dst, uint16_t sport, uint16_t dport, const void *data,
	     size_t len)
{
	uint8_t *p = ipv4_payload(nif);
	struct udp_hdr h = {
		.sport = net_htons(sport),
		.dport = net_htons(dport),
		.len = net_htons((uint16_t)(UDP_HLEN + len)),
	};
	uint16_t sum;

	if (len > UDP_DATA_MAX)
		return -EMSGSIZE;
	memcpy(p, &h, sizeof(h));
	memmove(p + UDP_HLEN, data, len);
	sum = udp_checksum(nif->ip, dst, p, UDP_HLEN + len);
	h.csum = net_htons(sum ? sum : 0xffff); /* 0 would mean "no checksum" */
	memcpy(p, &h, sizeof(h));
	nif->stats.tx_udp++;
	return ipv4_send(nif, dst, IPV4_PROTO_UDP, UDP_HLEN + len);
}

void udp_input(struct netif *nif, const struct ipv4_packet *ip)
{
	struct udp_datagram d;
	struct udp_binding *b;
	enum net_drop why;

	nif->stats.rx_udp++;
	why = udp_parse(ip, &d);
	b = why == NET_DROP_NONE ? bound(nif, d.dport) : NULL;
	if (why == NET_DROP_NONE && (!b || d.dport == 0))
		why = NET_DROP_UDP_PORT;
	if (why != NET_DROP_NONE) {
		netif_drop(nif, why);
		return;
	}
	nif->stats.udp_delivered++;
	if (!d.had_csum)
		nif->stats.udp_no_csum++;
	b->fn(nif, &d, b->ctx);
}
