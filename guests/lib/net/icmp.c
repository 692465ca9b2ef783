/*
 * ICMP echo answering, sending and reply matching (icmp.h).
 */
#include "guests/lib/net/icmp.h"
#include "guests/lib/net/netif.h"
#include "guests/lib/net/wire.h"
#include "hv/errno.h"
#include "hv/string.h"

enum net_drop icmp_parse(const void *msg, size_t len, struct icmp_echo *out)
{
	struct icmp_echo_hdr h;

	if (len < ICMP_HLEN)
		return NET_DROP_ICMP_SHORT;
	if (inet_checksum(msg, len) != 0)
		return NET_DROP_ICMP_CSUM;
	memcpy(&h, msg, sizeof(h));
	if ((h.type != ICMP_ECHO_REQUEST && h.type != ICMP_ECHO_REPLY) || h.code != 0)
		return NET_DROP_ICMP_TYPE;
	out->type = h.type;
	out->id = net_ntohs(h.id);
	out->seq = net_ntohs(h.seq);
	out->data = (const uint8_t *)msg + ICMP_HLEN;
	out->data_len = len - ICMP_HLEN;
	return NET_DROP_NONE;
}

size_t icmp_put_echo(void *buf, uint8_t type, uint16_t id, uint16_t seq, const void *data,
		     size_t len)
{
	struct icmp_echo_hdr h = { .type = type, .id = net_htons(id), .seq = net_htons(seq) };
	uint8_t *p = buf;

	memcpy(p, &h, sizeof(h));
	memmove(p + ICMP_HLEN, data, len);
	h.csum = net_htons(inet_checksum(p, ICMP_HLEN + len));
	memcpy(p, &h, sizeof(h));
	return ICMP_HLEN + len;
}

static int icmp_send(struct netif *nif, uint32_t dst, uint8_t type, uint16_t id, uint16_t seq,
		     const void *data, size_t len)
{
	size_t n = icmp_put_echo(ipv4_payload(nif), type, id, seq, data, len);

	nif->stats.tx_icmp++;
	return ipv4_send(nif, dst, IPV4_PROTO_ICMP, n);
}

static struct icmp_ping *ping_slot(struct netif *nif)
{
	struct icmp_ping *oldest = &nif->ping[0];

	for (unsigned i = 0; i < ICMP_PING_SLOTS; i++) {
		if (!nif->ping[i].busy)
			return &nif->ping[i];
		if (nif->ping[i].sent < oldest->sent)
			oldest = &nif->ping[i];
	}
	nif->stats.ping_timeouts++;
	return oldest;
}

int icmp_ping(struct netif *nif, uint32_t dst, uint16_t id, uint16_t seq, const void *data,
	      size_t len)
{
	struct icmp_ping *slot;
	int err;

	if (len > ICMP_DATA_MAX)
		return -EMSGSIZE;
	err = icmp_send(nif, dst, ICMP_ECHO_REQUEST, id, seq, data, len);
	if (err)
		return err;
	slot = ping_slot(nif);
	*slot = (struct icmp_ping){ .busy = true, .dst = dst, .id = id, .seq = seq,
				    .sent = nif->now };
	nif->stats.ping_sent++;
	return 0;
}

void icmp_set_reply_handler(struct netif *nif, icmp_reply_fn fn, void *ctx)
{
	nif->on_echo_reply = fn;
	nif->echo_ctx = ctx;
}

static void match_reply(struct netif *nif, const struct ipv4_packet *ip, const struct icmp_echo *e)
{
	for (unsigned i = 0; i < ICMP_PING_SLOTS; i++) {
		struct icmp_ping *p = &nif->ping[i];
		struct icmp_echo_result r;

		if (!p->busy || p->dst != ip->src || p->id != e->id || p->seq != e->seq)
			continue;
		p->busy = false;
		nif->stats.ping_replies++;
		r = (struct icmp_echo_result){ .from = ip->src, .id = e->id, .seq = e->seq,
					       .data_len = e->data_len, .rtt = nif->now - p->sent };
		if (nif->on_echo_reply)
			nif->on_echo_reply(nif->echo_ctx, &r);
		return;
	}
	netif_drop(nif, NET_DROP_ICMP_UNMATCHED);
}

void icmp_input(struct netif *nif, const struct ipv4_packet *ip)
{
	struct icmp_echo e;
	enum net_drop why;

	nif->stats.rx_icmp++;
	why = icmp_parse(ip->payload, ip->payload_len, &e);
	if (why == NET_DROP_NONE && e.type == ICMP_ECHO_REQUEST && ip->dst != nif->ip)
		why = NET_DROP_ICMP_BROADCAST; /* no smurf amplifier here */
	if (why != NET_DROP_NONE) {
		netif_drop(nif, why);
		return;
	}
	if (e.type == ICMP_ECHO_REPLY) {
		match_reply(nif, ip, &e);
		return;
	}
	if (icmp_send(nif, ip->src, ICMP_ECHO_REPLY, e.id, e.seq, e.data, e.data_len) == 0)
		nif->stats.echo_answered++;
}

void icmp_tick(struct netif *nif)
{
	for (unsigned i = 0; i < ICMP_PING_SLOTS; i++) {
		struct icmp_ping *p = &nif->ping[i];

		if (p->busy && nif->now - p->sent >= nif->timeouts.ping_timeout) {
			p->busy = false;
			nif->stats.ping_timeouts++;
		}
	}
}
