/*
 * What the ring's three files share and its users don't see: ring.c (set
 * up, attach, a broken end), ring_producer.c and ring_consumer.c.
 */
#ifndef GUESTS_LIB_RING_INT_H
#define GUESTS_LIB_RING_INT_H

#include "guests/lib/ring.h"

#define HDR_SIZE ((uint32_t)sizeof(struct ring_pkt_hdr))

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "headers are built and read as words");
_Static_assert(__builtin_offsetof(struct ring_pkt_hdr, len) == 4, "len is the upper word");

/* A bad value from the peer: this end stops for good, and says so once. */
void ring_fail(struct ring_end *e, const char *field, uint32_t value);

/* Bytes from 'from' forward to 'to', both valid offsets. */
static inline uint32_t ring_dist(const struct ring_end *e, uint32_t from, uint32_t to)
{
	return to >= from ? to - from : e->size - from + to;
}

static inline bool ring_offset_ok(const struct ring_end *e, uint32_t v)
{
	return v < e->size && IS_ALIGNED(v, RING_ALIGN);
}

/*
 * Copies n bytes between contiguous buffers with a few fixed-size moves:
 * packets are short, and a call per packet into a general memcpy costs more
 * than the copy. The last piece overlaps the one before instead of a byte
 * loop. A fixed-size __builtin_memcpy is inlined as plain moves, also with
 * -fno-builtin, without alignment or aliasing assumptions.
 */
static inline void ring_copy(uint8_t *dst, const uint8_t *src, uint32_t n)
{
	if (n > 64) {
		for (uint32_t off = 0; off + 32 < n; off += 32)
			__builtin_memcpy(dst + off, src + off, 32);
		__builtin_memcpy(dst + n - 32, src + n - 32, 32);
	} else if (n >= 32) {
		__builtin_memcpy(dst, src, 32);
		__builtin_memcpy(dst + n - 32, src + n - 32, 32);
	} else if (n >= 8) {
		for (uint32_t off = 0; off + 8 < n; off += 8)
			__builtin_memcpy(dst + off, src + off, 8);
		__builtin_memcpy(dst + n - 8, src + n - 8, 8);
	} else {
		for (uint32_t i = 0; i < n; i++)
			dst[i] = src[i];
	}
}

#endif
