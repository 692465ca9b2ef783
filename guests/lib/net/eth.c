/*
 * Ethernet header parsing and building (eth.h). The only length checks a
 * frame gets before the protocol handlers see its payload are here.
 */
#include "guests/lib/net/eth.h"
#include "guests/lib/net/wire.h"
#include "hv/string.h"

const struct mac_addr eth_broadcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

bool eth_is_broadcast(const struct mac_addr *m)
{
	return mac_equal(m, &eth_broadcast);
}

enum net_drop eth_parse(const void *frame, size_t len, struct eth_frame *out)
{
	struct eth_hdr h;

	if (len < ETH_HLEN)
		return NET_DROP_ETH_SHORT;
	if (len > ETH_FRAME_MAX)
		return NET_DROP_ETH_LONG;
	memcpy(&h, frame, sizeof(h));
	out->dst = h.dst;
	out->src = h.src;
	out->type = net_ntohs(h.type);
	out->payload = (const uint8_t *)frame + ETH_HLEN;
	out->payload_len = len - ETH_HLEN;
	return NET_DROP_NONE;
}

size_t eth_put_header(void *buf, const struct mac_addr *dst, const struct mac_addr *src,
		      uint16_t type)
{
	struct eth_hdr h = { .dst = *dst, .src = *src, .type = net_htons(type) };

	memcpy(buf, &h, sizeof(h));
	return ETH_HLEN;
}

size_t eth_pad(void *buf, size_t len)
{
	if (len >= ETH_ZLEN)
		return len;
	memset((uint8_t *)buf + len, 0, ETH_ZLEN - len);
	return ETH_ZLEN;
}
