/*
 * Byte order and IPv4 address helpers shared by the guests' IP stack
 * (guests/lib/net/). Wire headers are read by copying them into packed
 * structs (no casts of frame bytes to struct pointers: the guest flags keep
 * strict aliasing on) and their multi-byte fields are big endian.
 */
#ifndef GUESTS_LIB_NET_WIRE_H
#define GUESTS_LIB_NET_WIRE_H

#include "hv/types.h"

static inline uint16_t net_htons(uint16_t v)
{
	return __builtin_bswap16(v);
}

static inline uint16_t net_ntohs(uint16_t v)
{
	return __builtin_bswap16(v);
}

static inline uint32_t net_htonl(uint32_t v)
{
	return __builtin_bswap32(v);
}

static inline uint32_t net_ntohl(uint32_t v)
{
	return __builtin_bswap32(v);
}

/* An IPv4 address in host order, as struct netif and every API of the stack keep them. */
#define IP4_ADDR(a, b, c, d)                                                                      \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define IP4_BROADCAST 0xffffffffu

/* "255.255.255.255" and its terminating NUL. */
#define IP4_STR_LEN 16

/* Writes the dotted quad of ip (host order) into buf; returns buf. */
char *ip4_format(uint32_t ip, char buf[IP4_STR_LEN]);

#endif
