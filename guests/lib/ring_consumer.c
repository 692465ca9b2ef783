/*
 * The ring's consumer (ring.h): peek and release in place, and the copying
 * reads built on the same steps. The producer's write index is cached and
 * re-read only when the cache says empty; every header is loaded once and
 * checked against what is published before anything is handed out.
 */
#include "guests/lib/ring_int.h"
#include "hv/errno.h"

/*
 * Re-reads the producer's write index. It may only have moved forward, and
 * never past our read index: anything else is a corrupt or hostile producer.
 */
static int ring_refresh_write_index(struct ring_end *e)
{
	/* Acquire: the packet bytes behind the index are visible once we see it. */
	uint32_t w = __atomic_load_n(&e->ctrl->write_index, __ATOMIC_ACQUIRE);

	if (!ring_offset_ok(e, w) ||
	    ring_dist(e, e->index, w) < ring_dist(e, e->index, e->peer_index)) {
		ring_fail(e, "write_index", w);
		return -EPROTO;
	}
	e->peer_index = w;
	return 0;
}

static int ring_check_read(const struct ring_end *e)
{
	if (e->broken)
		return -EPROTO;
	return e->role == RING_CONSUMER ? 0 : -EINVAL;
}

/* Published bytes at the cursor before the end of data[], by the cached write index. */
static uint32_t ring_avail_cached(const struct ring_end *e)
{
	return e->peer_index >= e->cursor ? e->peer_index - e->cursor : e->size - e->cursor;
}

/* When the cached bytes at the cursor are used up: 1 (more), 0 (empty), or < 0. */
static int ring_refill(struct ring_end *e)
{
	int rc = ring_check_read(e);

	if (rc)
		return rc;
	e->avail = ring_avail_cached(e);
	if (e->avail)
		return 1;
	if (ring_refresh_write_index(e))
		return -EPROTO;
	e->avail = ring_avail_cached(e);
	return e->avail != 0;
}

/*
 * A header with flags set: a pad that takes exactly the rest of data[] and
 * is all published moves the cursor to 0 (1: look there); anything else
 * breaks the ring.
 */
static int ring_skip_pad(struct ring_end *e, uint64_t hdr)
{
	uint32_t rest = e->size - e->cursor;

	if ((uint32_t)hdr != RING_PKT_F_PAD << 16) {
		ring_fail(e, "flags", (uint32_t)hdr >> 16);
		return -EPROTO;
	}
	if ((hdr >> 32) + HDR_SIZE != rest || e->avail != rest) {
		ring_fail(e, "len", (uint32_t)(hdr >> 32));
		return -EPROTO;
	}
	e->cursor = 0;
	e->avail = 0;
	return 1;
}

/*
 * The packet at the cursor, checked, without moving past it: 1 and its
 * header word in *hdr, 0 (none published), or < 0. The header is loaded
 * once, as one word, and only that copy is checked and used: the producer
 * may change the shared bytes. (A word, not a struct of its fields: the
 * hot loops keep it in a register.)
 */
static int ring_look_slow(struct ring_end *e, uint64_t *hdr)
{
	for (;;) {
		int rc;

		if (e->avail == 0 && (rc = ring_refill(e)) <= 0)
			return rc;
		*hdr = __atomic_load_n((const uint64_t *)(e->data + e->cursor), __ATOMIC_RELAXED);
		if (ring_hdr_fits(*hdr, e->avail))
			return 1;
		if ((*hdr & 0xffff0000U) == 0) {
			ring_fail(e, "len", (uint32_t)(*hdr >> 32));
			return -EPROTO;
		}
		rc = ring_skip_pad(e, *hdr);
		if (rc <= 0)
			return rc;
	}
}

static uint32_t hdr_len(uint64_t hdr)
{
	return (uint32_t)(hdr >> 32);
}

/* The payload of the packet at the cursor. */
static const uint8_t *ring_payload(const struct ring_end *e)
{
	return e->data + e->cursor + HDR_SIZE;
}

/* Moves the cursor past the packet ring_look_slow() returned. */
static void ring_step(struct ring_end *e, uint64_t hdr)
{
	uint32_t total = ring_pkt_total(hdr_len(hdr));

	e->cursor += total;
	e->avail -= total;
	if (e->cursor == e->size)
		e->cursor = 0;
	e->peeked_packets++;
	e->peeked_bytes += hdr_len(hdr);
}

int ring_peek_slow(struct ring_end *e, uint16_t *type, const void **payload, uint32_t *len)
{
	uint64_t hdr;
	int rc = ring_look_slow(e, &hdr);

	if (rc <= 0)
		return rc;
	*type = (uint16_t)hdr;
	*payload = ring_payload(e);
	*len = hdr_len(hdr);
	ring_step(e, hdr);
	return 1;
}

int ring_release(struct ring_end *e)
{
	uint32_t shared;
	int rc = ring_check_read(e);

	if (rc || e->cursor == e->index)
		return rc;
	shared = __atomic_load_n(&e->ctrl->read_index, __ATOMIC_RELAXED);
	if (shared != e->index) {
		ring_fail(e, "read_index", shared);
		return -EPROTO;
	}
	/* Release: our reads of data[] are done before the producer reuses it. */
	__atomic_store_n(&e->ctrl->read_index, e->cursor, __ATOMIC_RELEASE);
	e->index = e->cursor;
	e->stats.packets += e->peeked_packets;
	e->stats.bytes += e->peeked_bytes;
	e->peeked_packets = 0;
	e->peeked_bytes = 0;
	return 0;
}

/* Every buffer of a batch is there: checked once, not per packet. */
static bool ring_rbufs_ok(const struct ring_rbuf *v, unsigned n)
{
	if (!v || n > INT32_MAX)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (!v[i].buf && v[i].cap)
			return false;
	return true;
}

/*
 * This end's read position, in locals while a batch read walks the
 * packets: where a header is depends on the length in the one before, and
 * that chain must stay in registers, not go through *e once per packet
 * (store, then reload: several cycles a packet).
 */
struct ring_walk {
	uint32_t pos;
	uint32_t avail;
	uint32_t packets;
	uint32_t bytes;
};

static void ring_walk_begin(const struct ring_end *e, struct ring_walk *w)
{
	*w = (struct ring_walk){.pos = e->cursor, .avail = e->avail};
}

static void ring_walk_end(struct ring_end *e, const struct ring_walk *w)
{
	e->cursor = w->pos;
	e->avail = w->avail;
	e->peeked_packets += w->packets;
	e->peeked_bytes += w->bytes;
}

/* The header at the walk's position, checked: 1, 0 (none published), or < 0. */
static inline int ring_walk_look(struct ring_end *e, struct ring_walk *w, uint64_t *hdr)
{
	int rc;

	if (w->avail) {
		*hdr = __atomic_load_n((const uint64_t *)(e->data + w->pos), __ATOMIC_RELAXED);
		if (ring_hdr_fits(*hdr, w->avail)) {
			if (w->avail > RING_PREFETCH_AHEAD)
				__builtin_prefetch(e->data + w->pos + RING_PREFETCH_AHEAD, 0);
			return 1;
		}
	}
	/* Off the fast path: refill, pad or failure, on *e itself. */
	ring_walk_end(e, w);
	rc = ring_look_slow(e, hdr);
	ring_walk_begin(e, w);
	return rc;
}

static inline void ring_walk_step(struct ring_end *e, struct ring_walk *w, uint64_t hdr)
{
	uint32_t total = ring_pkt_total(hdr_len(hdr));

	w->pos += total;
	w->avail -= total;
	if (w->pos == e->size)
		w->pos = 0;
	w->packets++;
	w->bytes += hdr_len(hdr);
}

/* Copies up to n packets out: how many, or the first one's error. */
static int ring_copy_out(struct ring_end *e, struct ring_rbuf *v, unsigned n)
{
	struct ring_walk w;
	uint64_t hdr;
	unsigned i;
	int rc = 0;

	ring_walk_begin(e, &w);
	for (i = 0; i < n; i++) {
		rc = ring_walk_look(e, &w, &hdr);
		if (rc <= 0)
			break;
		if (hdr_len(hdr) > v[i].cap) {
			rc = -EMSGSIZE;
			break;
		}
		ring_copy(v[i].buf, e->data + w.pos + HDR_SIZE, hdr_len(hdr));
		v[i].len = hdr_len(hdr);
		v[i].type = (uint16_t)hdr;
		ring_walk_step(e, &w, hdr);
	}
	ring_walk_end(e, &w);
	if (rc == -EPROTO || (rc < 0 && i == 0))
		return rc;
	return (int)i;
}

int ring_read_batch(struct ring_end *e, struct ring_rbuf *v, unsigned n)
{
	int got, rc = ring_check_read(e);

	if (rc)
		return rc;
	if (!ring_rbufs_ok(v, n))
		return -EINVAL;
	got = ring_copy_out(e, v, n);
	if (got <= 0)
		return got;
	rc = ring_release(e);
	return rc ? rc : got;
}

int ring_read(struct ring_end *e, uint16_t *type, void *buf, uint32_t cap)
{
	struct ring_rbuf v = {.buf = buf, .cap = cap};
	int rc = ring_read_batch(e, &v, 1);

	if (rc <= 0)
		return rc;
	if (type)
		*type = v.type;
	return (int)v.len;
}

void ring_read_begin(struct ring_end *e)
{
	/* Written only on change: the producer reads this line on every publish. */
	if (e->role != RING_CONSUMER || e->masked)
		return;
	__atomic_store_n(&e->ctrl->interrupt_mask, 1, __ATOMIC_RELAXED);
	e->masked = true;
}

/* Whether the producer waits for space that it now has. */
static bool ring_producer_unblocked(struct ring_end *e)
{
	uint32_t pending = __atomic_load_n(&e->ctrl->pending_send_size, __ATOMIC_RELAXED);
	uint32_t free_bytes;

	if (pending == 0)
		return false;
	if (pending > e->size - RING_ALIGN || !IS_ALIGNED(pending, RING_ALIGN)) {
		ring_fail(e, "pending_send_size", pending);
		return false;
	}
	free_bytes = e->size - RING_ALIGN - ring_dist(e, e->index, e->peer_index);
	return free_bytes >= pending;
}

bool ring_read_end(struct ring_end *e)
{
	bool signal;

	if (ring_check_read(e))
		return false;
	if (e->masked) {
		__atomic_store_n(&e->ctrl->interrupt_mask, 0, __ATOMIC_RELAXED);
		e->masked = false;
	}
	/*
	 * Orders our interrupt_mask and read_index stores before the
	 * write_index and pending_send_size loads; pairs with the producer's
	 * fences, so either it sees the unmask (and signals) or we see its
	 * packet; either it sees our read index or we see it waiting.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (ring_refresh_write_index(e))
		return false;
	e->avail = 0; /* the cached count is stale: look again */
	signal = ring_producer_unblocked(e);
	if (signal)
		e->stats.signals++;
	return signal;
}

bool ring_readable(struct ring_end *e)
{
	if (ring_check_read(e))
		return false;
	if (e->peer_index != e->cursor)
		return true;
	return ring_refresh_write_index(e) == 0 && e->peer_index != e->cursor;
}
