/*
 * The channel ring (ring.h, docs/channel.md): a single-producer,
 * single-consumer byte ring of 8-byte aligned packets, after Linux's VMBus
 * ring (drivers/hv/ring_buffer.c): signal on empty -> non-empty only,
 * consumer-side interrupt mask, producer-side pending_send_size.
 *
 * Each side keeps its own index privately and only publishes it, once per
 * batch; its cursor runs ahead over what it reserved or peeked. The peer's
 * index is cached and re-read only when the cached one says empty
 * (consumer) or full (producer), or, for the producer, to decide on a signal
 * while the consumer is unmasked. A polling consumer thus leaves the
 * producer alone. Everything read from the shared page is validated first.
 * The copying calls (ring_write*, ring_read*) are built on the zero-copy
 * ones' per-packet steps.
 */
#include "guests/lib/ring.h"
#include "hv/errno.h"
#include "hv/format.h"
#include "hv/string.h"

#ifdef HV_HOSTED
#include "hv/log.h"
#else
#include "guests/lib/console.h"
#endif

#define HDR_SIZE ((uint32_t)sizeof(struct ring_pkt_hdr))

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ring_put builds headers as words");
_Static_assert(__builtin_offsetof(struct ring_pkt_hdr, len) == 4, "len is the upper word");

static void (*ring_log_fn)(const char *line);

void ring_set_log(void (*fn)(const char *line))
{
	ring_log_fn = fn;
}

static void ring_log_default(const char *line)
{
#ifdef HV_HOSTED
	log_warn("ring", "%s", line);
#else
	printf("ring: %s\n", line);
#endif
}

static const char *role_name(const struct ring_end *e)
{
	return e->role == RING_PRODUCER ? "producer" : "consumer";
}

/* A bad value from the peer: this end stops for good, and says so once. */
static void ring_fail(struct ring_end *e, const char *field, uint32_t value)
{
	char line[160];

	e->stats.protocol_errors++;
	/* No fast path may run on: both send the next call to the checks. */
	e->room = 0;
	e->avail = 0;
	if (e->broken)
		return;
	e->broken = true;
	hv_snprintf(line, sizeof(line), "broken role=%s field=%s value=%#x size=%#x index=%#x",
		    role_name(e), field, value, e->size, e->index);
	(ring_log_fn ? ring_log_fn : ring_log_default)(line);
}

/* Bytes from 'from' forward to 'to', both valid offsets. */
static uint32_t ring_dist(const struct ring_end *e, uint32_t from, uint32_t to)
{
	return to >= from ? to - from : e->size - from + to;
}

static bool ring_offset_ok(const struct ring_end *e, uint32_t v)
{
	return v < e->size && IS_ALIGNED(v, RING_ALIGN);
}

uint32_t ring_max_payload(const struct ring_end *e)
{
	return e->max_payload;
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

static bool ring_size_ok(uint32_t data_size)
{
	return data_size >= RING_MIN_DATA_SIZE && data_size <= RING_MAX_DATA_SIZE &&
	       IS_ALIGNED(data_size, RING_ALIGN);
}

int ring_init_shared(void *ctrl_page, uint32_t data_size)
{
	struct ring_ctrl *c = ctrl_page;

	if (!c || !ring_size_ok(data_size))
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->feature_bits = RING_FEATURES_KNOWN;
	/* Last, with release: a consumer that sees the size sees zeroed indices. */
	__atomic_store_n(&c->data_size, data_size, __ATOMIC_RELEASE);
	return 0;
}

/* Reads both indices of a ring being attached; either may be mid-stream. */
static int ring_attach_indices(struct ring_end *e)
{
	uint32_t w = __atomic_load_n(&e->ctrl->write_index, __ATOMIC_ACQUIRE);
	uint32_t r = __atomic_load_n(&e->ctrl->read_index, __ATOMIC_ACQUIRE);

	if (!ring_offset_ok(e, w) || !ring_offset_ok(e, r))
		return -EPROTO;
	e->index = e->role == RING_PRODUCER ? w : r;
	e->cursor = e->index;
	e->peer_index = e->role == RING_PRODUCER ? r : w;
	return 0;
}

int ring_attach(struct ring_end *e, void *ctrl_page, void *data, uint32_t data_size,
		enum ring_role role)
{
	struct ring_ctrl *c = ctrl_page;
	uint32_t shared_size;

	/* data 8-byte aligned: headers are loaded as one word. */
	if (!e || !c || !data || !IS_ALIGNED((uintptr_t)data, RING_ALIGN) ||
	    (role != RING_PRODUCER && role != RING_CONSUMER))
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	shared_size = __atomic_load_n(&c->data_size, __ATOMIC_ACQUIRE);
	if (shared_size == 0)
		return -EAGAIN;
	if (shared_size != data_size || !ring_size_ok(data_size))
		return -EINVAL;
	if (__atomic_load_n(&c->feature_bits, __ATOMIC_RELAXED) & ~RING_FEATURES_KNOWN)
		return -ENOTSUP;
	e->ctrl = c;
	e->data = data;
	e->size = data_size;
	/* Half the usable bytes, whole units, less the header (see ring.h). */
	e->max_payload = ALIGN_DOWN((data_size - RING_ALIGN) / 2, RING_ALIGN) - HDR_SIZE;
	e->role = role;
	return ring_attach_indices(e);
}

bool ring_broken(const struct ring_end *e)
{
	return e->broken;
}

/* ---- producer ---------------------------------------------------------- */

/*
 * Re-reads the consumer's read index. It may only have moved forward within
 * what we published: anything else is a corrupt or hostile consumer.
 */
static int ring_refresh_read_index(struct ring_end *e)
{
	/* Acquire: the consumer's reads of that space are done before we reuse it. */
	uint32_t r = __atomic_load_n(&e->ctrl->read_index, __ATOMIC_ACQUIRE);

	if (!ring_offset_ok(e, r) ||
	    ring_dist(e, e->peer_index, r) > ring_dist(e, e->peer_index, e->index)) {
		ring_fail(e, "read_index", r);
		return -EPIPE;
	}
	e->peer_index = r;
	return 0;
}

/* Free bytes from the published index, by the cached read index. */
static uint32_t ring_free_cached(const struct ring_end *e)
{
	return e->size - RING_ALIGN - ring_dist(e, e->peer_index, e->index);
}

/* Free bytes from the cursor, i.e. after what is reserved. */
static uint32_t ring_free_at_cursor(const struct ring_end *e)
{
	return ring_free_cached(e) - ring_dist(e, e->index, e->cursor);
}

uint32_t ring_write_space(struct ring_end *e)
{
	if (e->broken || e->role != RING_PRODUCER || ring_refresh_read_index(e))
		return 0;
	return ring_free_at_cursor(e);
}

/*
 * Makes sure need bytes are free at the cursor. When they are not, tells
 * the consumer how much we wait for (counted from the published index, as
 * it counts) and looks once more: the consumer may have freed space before
 * it could see pending_send_size (the race its fence closes). A retry for
 * the same size finds it already set and only looks again.
 */
static int ring_make_room(struct ring_end *e, uint32_t need)
{
	uint32_t wait = ring_dist(e, e->index, e->cursor) + need;

	if (ring_free_at_cursor(e) >= need)
		return 0;
	if (ring_refresh_read_index(e))
		return -EPIPE;
	if (ring_free_at_cursor(e) >= need)
		return 0;
	/* More than the ring holds: only committing what is reserved can help. */
	if (e->pending != wait && wait <= e->size - RING_ALIGN) {
		__atomic_store_n(&e->ctrl->pending_send_size, wait, __ATOMIC_RELAXED);
		e->pending = wait;
		/* Orders the pending_send_size store before the read_index load (store->load). */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (ring_refresh_read_index(e))
			return -EPIPE;
		if (ring_free_at_cursor(e) >= need)
			return 0;
	}
	e->stats.full++;
	return -ENOSPC;
}

/* Bytes a packet of total bytes needs at pos: its own, and a pad if it would wrap. */
static uint32_t ring_need_at(const struct ring_end *e, uint32_t pos, uint32_t total)
{
	return total > e->size - pos ? e->size - pos + total : total;
}

/* Free bytes at the cursor before the end of data[], by the cached read index. */
static uint32_t ring_room(const struct ring_end *e)
{
	return MIN(ring_free_at_cursor(e), e->size - e->cursor);
}

/*
 * Writes the header of a packet at the cursor, after a pad to the end when
 * it would not fit before it, and moves the cursor past it. The room is
 * there (ring_make_room). Returns where its payload goes.
 */
static inline uint8_t *ring_place(struct ring_end *e, uint16_t type, uint32_t len, uint32_t total)
{
	uint32_t left = e->size - e->cursor;
	uint8_t *slot;
	/* struct ring_pkt_hdr as one word: type, flags 0, len (little-endian). */
	uint64_t hdr = (uint64_t)len << 32 | type;

	if (total > left) {
		uint64_t pad = (uint64_t)(left - HDR_SIZE) << 32 | RING_PKT_F_PAD << 16;

		__builtin_memcpy(e->data + e->cursor, &pad, HDR_SIZE);
		e->cursor = 0;
	}
	slot = e->data + e->cursor;
	__builtin_memcpy(slot, &hdr, HDR_SIZE);
	e->cursor += total;
	if (e->cursor == e->size)
		e->cursor = 0;
	return slot + HDR_SIZE;
}

static int ring_check_write(const struct ring_end *e)
{
	if (e->broken)
		return -EPIPE;
	return e->role == RING_PRODUCER ? 0 : -EINVAL;
}

int ring_reserve_slow(struct ring_end *e, uint16_t type, uint32_t len, void **payload)
{
	uint32_t total = ring_pkt_total(len);
	int rc = ring_check_write(e);

	if (rc == 0 && len - 1 >= e->max_payload)
		rc = -EINVAL;
	if (rc == 0)
		rc = ring_make_room(e, ring_need_at(e, e->cursor, total));
	if (rc)
		return rc;
	*payload = ring_place(e, type, len, total);
	e->room = ring_room(e);
	e->reserved_packets++;
	e->reserved_bytes += len;
	return 0;
}

/* Forgets reserved packets: nothing of them was published. */
static void ring_unreserve(struct ring_end *e, uint32_t cursor, uint32_t packets, uint32_t bytes)
{
	e->cursor = cursor;
	e->reserved_packets = packets;
	e->reserved_bytes = bytes;
	e->room = 0;
}

/* Whether the consumer wants a signal for data published after old_index. */
static bool ring_should_signal(struct ring_end *e, uint32_t old_index)
{
	/*
	 * Orders the write_index store before the mask and read_index loads:
	 * otherwise a consumer unmasking and finding the ring empty at the same
	 * time as we read the old mask would sleep on a packet nobody signals.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&e->ctrl->interrupt_mask, __ATOMIC_RELAXED))
		return false;
	if (ring_refresh_read_index(e))
		return false;
	/* It had read everything before this write: empty -> non-empty. */
	return e->peer_index == old_index;
}

/* Publishes the cursor as the write index; false if the ring broke. */
static bool ring_publish_write(struct ring_end *e, bool *signal_peer)
{
	uint32_t shared = __atomic_load_n(&e->ctrl->write_index, __ATOMIC_RELAXED);
	uint32_t old_index = e->index;
	bool signal;

	if (shared != old_index) {
		ring_fail(e, "write_index", shared);
		return false;
	}
	/* Release: the packet bytes are in data[] before the consumer can see the index. */
	__atomic_store_n(&e->ctrl->write_index, e->cursor, __ATOMIC_RELEASE);
	e->index = e->cursor;
	if (e->pending) {
		__atomic_store_n(&e->ctrl->pending_send_size, 0, __ATOMIC_RELAXED);
		e->pending = 0;
	}
	/* A caller that never signals (its consumer only polls) skips the fence. */
	if (!signal_peer)
		return true;
	signal = ring_should_signal(e, old_index);
	if (signal)
		e->stats.signals++;
	*signal_peer = signal;
	return !e->broken;
}

int ring_commit(struct ring_end *e, bool *signal_peer)
{
	uint32_t n = e->reserved_packets;
	int rc = ring_check_write(e);

	if (signal_peer)
		*signal_peer = false;
	if (rc || n == 0)
		return rc;
	if (!ring_publish_write(e, signal_peer))
		return -EPIPE;
	e->stats.packets += n;
	e->stats.bytes += e->reserved_bytes;
	e->reserved_packets = 0;
	e->reserved_bytes = 0;
	return (int)n;
}

/*
 * Bytes the whole batch needs at the cursor, pad included, or -EINVAL if
 * it can never be written. Checked once so that the copies need no checks.
 */
static int ring_batch_need(const struct ring_end *e, const struct ring_msg *msgs, unsigned n,
			   uint32_t *need, uint32_t *bytes)
{
	uint32_t pos = e->cursor, sum = 0, pad = 0, payload = 0;

	if (!msgs || n == 0)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		uint32_t len = msgs[i].len, total = ring_pkt_total(len);

		/* len - 1 wraps for 0; the sum stays below 2^32 while below max_payload. */
		if (!msgs[i].buf || len - 1 >= e->max_payload ||
		    sum + total > e->max_payload + HDR_SIZE)
			return -EINVAL;
		if (total > e->size - pos) {
			pad = e->size - pos;
			pos = 0;
		}
		sum += total;
		payload += len;
		pos += total;
		if (pos == e->size)
			pos = 0;
	}
	*need = sum + pad;
	*bytes = payload;
	return 0;
}

int ring_write_batch(struct ring_end *e, const struct ring_msg *msgs, unsigned n, bool *signal_peer)
{
	uint32_t cursor = e->cursor, packets = e->reserved_packets, bytes = e->reserved_bytes;
	uint32_t need = 0, payload = 0;
	int rc = ring_check_write(e);

	if (signal_peer)
		*signal_peer = false;
	if (rc == 0)
		rc = ring_batch_need(e, msgs, n, &need, &payload);
	if (rc == 0)
		rc = ring_make_room(e, need);
	if (rc)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		uint32_t len = msgs[i].len;

		ring_copy(ring_place(e, msgs[i].type, len, ring_pkt_total(len)), msgs[i].buf, len);
	}
	e->room = ring_room(e);
	e->reserved_packets += n;
	e->reserved_bytes += payload;
	rc = ring_commit(e, signal_peer);
	if (rc < 0)
		ring_unreserve(e, cursor, packets, bytes);
	return rc < 0 ? rc : (int)n;
}

int ring_write(struct ring_end *e, uint16_t type, const void *buf, uint32_t len, bool *signal_peer)
{
	struct ring_msg msg = {.type = type, .len = len, .buf = buf};
	int rc = ring_write_batch(e, &msg, 1, signal_peer);

	return rc < 0 ? rc : 0;
}

/* ---- consumer ---------------------------------------------------------- */

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
