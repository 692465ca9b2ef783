/*
 * A VMBus-like ring in shared memory (docs/channel.md): one producer, one
 * consumer, variable-length packets, in two pieces of a channel region: a
 * 4 KiB control page and a data area. The peer is untrusted: every index
 * and length read from the shared page is checked before use, and a bad one
 * breaks this end for good (logged once) instead of reading or writing
 * outside the data area.
 *
 * Built into the guest runtime (freestanding) and into host unit tests and
 * the ring benchmark (-DHV_HOSTED).
 */
#ifndef GUESTS_LIB_RING_H
#define GUESTS_LIB_RING_H

#include "hv/types.h"

#define RING_CTRL_SIZE	4096
#define RING_CACHE_LINE 64
/* Packets start and end on this boundary; data_size is a multiple of it. */
#define RING_ALIGN	   8
#define RING_MIN_DATA_SIZE 64
#define RING_MAX_DATA_SIZE (1U << 30)
/* How far ahead of its cursor the consumer prefetches published bytes. */
#define RING_PREFETCH_AHEAD 512
/*
 * How far ahead of its cursor the producer asks for lines to write: free
 * lines the consumer read a lap ago sit in its cache; taking them back
 * early overlaps that transfer with the writes before them.
 */
#define RING_PREFETCHW_AHEAD 512
/* Feature bits the producer may set in ring_ctrl.feature_bits: none yet. */
#define RING_FEATURES_KNOWN 0U

/*
 * The shared control page. Each field has exactly one writer; the fields
 * the producer writes and those the consumer writes sit on different cache
 * lines, so polling one side never steals the other's line.
 */
struct ring_ctrl {
	/* Producer: offset in data[] where the next packet goes. */
	uint32_t write_index;
	/* Producer: bytes it waits for after -ENOSPC, 0 when not waiting. */
	uint32_t pending_send_size;
	uint8_t reserved0[RING_CACHE_LINE - 8];
	/* Consumer: offset in data[] of the next packet to read. */
	uint32_t read_index;
	uint8_t reserved1[RING_CACHE_LINE - 4];
	/* Consumer: 1 = polling, do not signal me; 0 = signal. Rarely written. */
	uint32_t interrupt_mask;
	uint8_t reserved2[RING_CACHE_LINE - 4];
	/* Producer, once in ring_init_shared(): features and the data size. */
	uint32_t feature_bits;
	uint32_t data_size;
	uint8_t reserved3[RING_CTRL_SIZE - 3 * RING_CACHE_LINE - 8];
} __packed;

_Static_assert(sizeof(struct ring_ctrl) == RING_CTRL_SIZE, "ring_ctrl is one page");
_Static_assert(__builtin_offsetof(struct ring_ctrl, read_index) == 64, "read_index line");
_Static_assert(__builtin_offsetof(struct ring_ctrl, interrupt_mask) == 128, "mask line");
_Static_assert(__builtin_offsetof(struct ring_ctrl, feature_bits) == 192, "setup line");

/*
 * Every packet in data[]: this header, len bytes, zero padding to RING_ALIGN.
 * A packet never wraps: when one does not fit before the end of data[], the
 * producer first fills the rest with a pad packet (flags RING_PKT_F_PAD, type
 * 0) and puts it at offset 0, so a consumer can be handed its payload in
 * place (ring_peek).
 */
struct ring_pkt_hdr {
	uint16_t type;
	uint16_t flags; /* 0, or RING_PKT_F_PAD alone */
	uint32_t len;	/* payload bytes, header and padding excluded */
} __packed;

_Static_assert(sizeof(struct ring_pkt_hdr) == RING_ALIGN, "header is one alignment unit");

/* No payload to deliver: skip to offset 0 (len covers the rest of data[]). */
#define RING_PKT_F_PAD 0x0001U

enum ring_role { RING_PRODUCER, RING_CONSUMER };

struct ring_counters {
	uint64_t packets;	  /* written (producer) or read (consumer) */
	uint64_t bytes;		  /* payload bytes of those */
	uint64_t signals;	  /* times this end told its caller to signal the peer */
	uint64_t full;		  /* producer: writes refused with -ENOSPC */
	uint64_t protocol_errors; /* bad values seen in the shared page */
};

/*
 * This side's private state: the peer can't touch it. The cursor runs ahead
 * of the published index by what was reserved (producer) or peeked
 * (consumer) and not yet committed or released. room and avail are what
 * the fast paths may use without looking at the shared page; 0 sends the
 * next call to the slow path, which looks.
 */
struct ring_end {
	struct ring_ctrl *ctrl; /* shared: only __atomic accesses */
	uint8_t *data;
	uint32_t size;	      /* data_size, fixed at attach */
	uint32_t max_payload; /* ring_max_payload(), fixed at attach */
	uint32_t index;	      /* own index as published (producer: write, consumer: read) */
	uint32_t cursor;      /* own position past reserved / peeked packets */
	uint32_t peer_index;  /* last validated value of the peer's index */
	uint32_t room;	      /* producer: free bytes at cursor, before the end */
	uint32_t avail;	      /* consumer: published bytes at cursor, before the end */
	uint32_t pending;     /* producer: what pending_send_size says */
	/*
	 * Reserved, not committed (producer) and peeked, not released
	 * (consumer). Interleaved by role: two counters updated together must
	 * not be neighbours, or the compiler merges their stores into one wide
	 * store that the next narrow load cannot forward from (a stall per
	 * packet on AMD Zen).
	 */
	uint32_t reserved_packets;
	uint32_t peeked_packets;
	uint32_t reserved_bytes;
	uint32_t peeked_bytes;
	enum ring_role role;
	bool broken;
	bool masked; /* consumer: interrupt_mask is set */
	struct ring_counters stats;
};

/* One message of a batch write. */
struct ring_msg {
	uint16_t type;
	uint32_t len;
	const void *buf;
};

/* One buffer of a batch read: the caller sets buf and cap, the ring the rest. */
struct ring_rbuf {
	void *buf;
	uint32_t cap;
	uint32_t len;
	uint16_t type;
};

/* Producer side, once, before the consumer attaches: a clean control page. */
int ring_init_shared(void *ctrl_page, uint32_t data_size);

/*
 * Binds e to a ring. The consumer checks that the producer set the ring up
 * (-EAGAIN while data_size is still 0) for the same size and known features.
 */
int ring_attach(struct ring_end *e, void *ctrl_page, void *data, uint32_t data_size,
		enum ring_role role);

/*
 * The largest payload of one packet: about half the ring. A packet or batch
 * of at most max_payload + RING_ALIGN bytes (headers and padding included)
 * fits an empty ring wherever it starts, the pad before the wrap included.
 */
uint32_t ring_max_payload(const struct ring_end *e);

/*
 * Writes one packet. 0: written, *signal_peer says whether the consumer must
 * be signalled (the ring went empty -> non-empty and it did not mask).
 * -ENOSPC: full, pending_send_size is set so the consumer signals when the
 * space is there. -EPIPE: broken. -EINVAL: len is 0 or can never fit.
 * signal_peer NULL: this producer never signals (its consumer only polls);
 * the ring then skips the signal check and the full fence it costs.
 */
int ring_write(struct ring_end *e, uint16_t type, const void *buf, uint32_t len, bool *signal_peer);

/*
 * Writes all of msgs[0..n) in order, publishing once, or none: n, or what
 * ring_write would say for one packet of the batch's total size. All or
 * none keeps a producer from trickling packets into a nearly full ring.
 */
int ring_write_batch(struct ring_end *e, const struct ring_msg *msgs, unsigned n,
		     bool *signal_peer);

/* Bytes a packet of len payload bytes takes in data[]: header, payload, padding. */
static inline uint32_t ring_pkt_total(uint32_t len)
{
	return (uint32_t)sizeof(struct ring_pkt_hdr) + ALIGN_UP(len, RING_ALIGN);
}

/*
 * A header word at the consumer's cursor, against the avail published bytes
 * there before the end of data[] (a multiple of 8, at least 8): flags 0 (a
 * pad or a bad header goes to the slow path) and 1 <= len <= avail - 8 in
 * one compare (len - 1 wraps for 0), which is exactly "header and padded
 * payload fit".
 */
static inline bool ring_hdr_fits(uint64_t hdr, uint32_t avail)
{
	return (hdr & 0xffff0000U) == 0 && (uint32_t)(hdr >> 32) - 1 < avail - RING_ALIGN;
}

/*
 * Consumer: the lines the producer wrote take long to come over from its
 * cache; ask for them early, but only for published bytes, so that a line
 * the producer still writes is not pulled away from it.
 */
static inline void ring_prefetch_ahead(const struct ring_end *e)
{
	if (e->avail > RING_PREFETCH_AHEAD)
		__builtin_prefetch(e->data + e->cursor + RING_PREFETCH_AHEAD, 0);
}

/*
 * PREFETCHW: the line comes in exclusive, ready for the stores, where
 * __builtin_prefetch(p, 1) is a plain read prefetch unless built with
 * -mprfchw. CPUs without it (Intel before Broadwell) run it as a NOP.
 */
static inline void ring_prefetch_write(const void *p)
{
	__asm__ volatile("prefetchw %0" : : "m"(*(const volatile uint8_t *)p));
}

/* ring_reserve() and ring_peek() off their fast paths: checks, wrap, refill. */
int ring_reserve_slow(struct ring_end *e, uint16_t type, uint32_t len, void **payload);
int ring_peek_slow(struct ring_end *e, uint16_t *type, const void **payload, uint32_t *len);

/*
 * Zero-copy producer: reserves a packet of len payload bytes after those
 * reserved before, writes its header and points *payload at its len bytes
 * in data[] (contiguous, 8-byte aligned) for the caller to fill in place.
 * The consumer sees nothing before ring_commit(). 0, -EINVAL (len 0 or
 * above ring_max_payload(), or not the producer), -EPIPE (broken), or
 * -ENOSPC: pending_send_size now covers everything reserved plus this
 * packet; commit what was reserved, then wait or retry.
 *
 * Inline: it runs per packet. Its fast path only uses the room cached at
 * the last slow call, which never reaches past the end of data[].
 */
static inline int ring_reserve(struct ring_end *e, uint16_t type, uint32_t len, void **payload)
{
	uint32_t total = ring_pkt_total(len);
	/* struct ring_pkt_hdr as one word: type, flags 0, len (little-endian). */
	uint64_t hdr = (uint64_t)len << 32 | type;
	uint8_t *slot;

	/* len - 1 wraps for 0: one compare refuses empty and too long. */
	if (len - 1 >= e->max_payload || total > e->room)
		return ring_reserve_slow(e, type, len, payload);
	slot = e->data + e->cursor;
	/* Only free space: a line the consumer may still read is not pulled away. */
	if (e->room > RING_PREFETCHW_AHEAD)
		ring_prefetch_write(slot + RING_PREFETCHW_AHEAD);
	__builtin_memcpy(slot, &hdr, sizeof(hdr));
	*payload = slot + sizeof(hdr);
	e->room -= total;
	e->cursor += total;
	if (e->cursor == e->size)
		e->cursor = 0;
	e->reserved_packets++;
	e->reserved_bytes += len;
	return 0;
}

/*
 * Publishes every reserved packet with one index store: how many (0 when
 * none was reserved), or -EPIPE. *signal_peer as for ring_write.
 */
int ring_commit(struct ring_end *e, bool *signal_peer);

/*
 * Zero-copy consumer: the next packet after those peeked before, in place.
 * 1: *payload points at its *len bytes in data[] (contiguous, 8-byte
 * aligned), valid until ring_release(). 0: nothing more is published.
 * -EPROTO: broken. -EINVAL: not the consumer. Header and bounds are checked
 * before the pointer is handed out, but the bytes stay the producer's to
 * scribble on: treat them as hostile, copy out what must stay as checked,
 * and expect a second read to differ.
 *
 * Inline: it runs per packet. The header is loaded once, as one word, and
 * only that copy is checked and used.
 */
static inline int ring_peek(struct ring_end *e, uint16_t *type, const void **payload, uint32_t *len)
{
	uint64_t hdr;
	uint32_t n, total;

	if (e->avail == 0)
		return ring_peek_slow(e, type, payload, len);
	hdr = __atomic_load_n((const uint64_t *)(e->data + e->cursor), __ATOMIC_RELAXED);
	n = (uint32_t)(hdr >> 32);
	if (!ring_hdr_fits(hdr, e->avail))
		return ring_peek_slow(e, type, payload, len);
	total = ring_pkt_total(n);
	ring_prefetch_ahead(e);
	*type = (uint16_t)hdr;
	*payload = e->data + e->cursor + sizeof(struct ring_pkt_hdr);
	*len = n;
	e->avail -= total;
	e->cursor += total;
	if (e->cursor == e->size)
		e->cursor = 0;
	e->peeked_packets++;
	e->peeked_bytes += n;
	return 1;
}

/* Gives every peeked packet back to the producer (one index store): 0 or -EPROTO. */
int ring_release(struct ring_end *e);

/*
 * Reads one packet into buf. >0: its length (packets are never empty).
 * 0: the ring is empty. -EMSGSIZE: cap too small, the
 * packet stays. -EPROTO: the shared page is corrupt, this end is broken.
 */
int ring_read(struct ring_end *e, uint16_t *type, void *buf, uint32_t cap);

/*
 * Reads up to n packets into v[], publishing the read index once (packets
 * peeked before are released with them). Returns
 * how many were read (0: empty; it stops before a packet bigger than its
 * buffer), -EMSGSIZE if that is the first, -EPROTO, or -EINVAL (v is NULL
 * or has a NULL buf with a non-zero cap).
 */
int ring_read_batch(struct ring_end *e, struct ring_rbuf *v, unsigned n);

/* Consumer about to poll: ask the producer not to signal. */
void ring_read_begin(struct ring_end *e);

/*
 * Consumer done draining: unmask, then re-read the write index so that a
 * packet written while masked is seen by ring_readable(). True when the
 * producer waits for space (pending_send_size) and now has it: signal it.
 */
bool ring_read_end(struct ring_end *e);

/* Consumer: is a packet waiting? (Re-reads the write index.) */
bool ring_readable(struct ring_end *e);

/* Producer: bytes a write could use now, header included. */
uint32_t ring_write_space(struct ring_end *e);

bool ring_broken(const struct ring_end *e);

/*
 * Where ring events go (the one line of a broken ring). Default: the guest
 * console, or log_warn() under HV_HOSTED; NULL restores the default.
 */
void ring_set_log(void (*fn)(const char *line));

#endif
