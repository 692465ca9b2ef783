/*
 * The channel ring (ring.h, docs/channel.md): a single-producer,
 * single-consumer byte ring of 8-byte aligned packets, after Linux's VMBus
 * ring (drivers/hv/ring_buffer.c): signal on empty -> non-empty only,
 * consumer-side interrupt mask, producer-side pending_send_size.
 *
 * Each side keeps its own index privately and only publishes it; the peer's
 * index is cached and re-read only when the cached one says empty (consumer)
 * or full (producer), or, for the producer, to decide on a signal while the
 * consumer is unmasked. A polling consumer thus leaves the producer alone.
 * Everything read from the shared page is validated first.
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

static uint32_t ring_advance(const struct ring_end *e, uint32_t pos, uint32_t n)
{
	uint32_t left = e->size - pos;

	return n < left ? pos + n : n - left;
}

static bool ring_offset_ok(const struct ring_end *e, uint32_t v)
{
	return v < e->size && IS_ALIGNED(v, RING_ALIGN);
}

/* Bytes a packet of len payload bytes takes, header and padding included. */
static uint32_t ring_pkt_total(uint32_t len)
{
	return HDR_SIZE + ALIGN_UP(len, RING_ALIGN);
}

/* The largest payload: one alignment unit always stays free (full != empty). */
static uint32_t ring_max_payload(const struct ring_end *e)
{
	return e->size - RING_ALIGN - HDR_SIZE;
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

/* pos and size are multiples of 8: a wrapped copy splits on a word boundary. */
static inline void ring_copy_in(struct ring_end *e, uint32_t pos, const void *src, uint32_t n)
{
	uint32_t first = MIN(n, e->size - pos);

	ring_copy(e->data + pos, src, first);
	if (n > first)
		ring_copy(e->data, (const uint8_t *)src + first, n - first);
}

static inline void ring_copy_out(const struct ring_end *e, uint32_t pos, void *dst, uint32_t n)
{
	uint32_t first = MIN(n, e->size - pos);

	ring_copy(dst, e->data + pos, first);
	if (n > first)
		ring_copy((uint8_t *)dst + first, e->data, n - first);
}

int ring_init_shared(void *ctrl_page, uint32_t data_size)
{
	struct ring_ctrl *c = ctrl_page;

	if (!c || data_size < RING_MIN_DATA_SIZE || data_size > RING_MAX_DATA_SIZE ||
	    !IS_ALIGNED(data_size, RING_ALIGN))
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
	e->peer_index = e->role == RING_PRODUCER ? r : w;
	return 0;
}

int ring_attach(struct ring_end *e, void *ctrl_page, void *data, uint32_t data_size,
		enum ring_role role)
{
	struct ring_ctrl *c = ctrl_page;
	uint32_t shared_size;

	if (!e || !c || !data || (role != RING_PRODUCER && role != RING_CONSUMER))
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	shared_size = __atomic_load_n(&c->data_size, __ATOMIC_ACQUIRE);
	if (shared_size == 0)
		return -EAGAIN;
	if (shared_size != data_size || !IS_ALIGNED(data_size, RING_ALIGN) ||
	    data_size < RING_MIN_DATA_SIZE || data_size > RING_MAX_DATA_SIZE)
		return -EINVAL;
	if (__atomic_load_n(&c->feature_bits, __ATOMIC_RELAXED) & ~RING_FEATURES_KNOWN)
		return -ENOTSUP;
	e->ctrl = c;
	e->data = data;
	e->size = data_size;
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
	/* Acquire: the consumer's copies out of that space are done before we reuse it. */
	uint32_t r = __atomic_load_n(&e->ctrl->read_index, __ATOMIC_ACQUIRE);

	if (!ring_offset_ok(e, r) ||
	    ring_dist(e, e->peer_index, r) > ring_dist(e, e->peer_index, e->index)) {
		ring_fail(e, "read_index", r);
		return -EPIPE;
	}
	e->peer_index = r;
	return 0;
}

static uint32_t ring_free_cached(const struct ring_end *e)
{
	return e->size - RING_ALIGN - ring_dist(e, e->peer_index, e->index);
}

uint32_t ring_write_space(struct ring_end *e)
{
	if (e->broken || e->role != RING_PRODUCER || ring_refresh_read_index(e))
		return 0;
	return ring_free_cached(e);
}

/*
 * Makes sure total bytes are free. When they are not, tells the consumer
 * how much we wait for and looks once more: the consumer may have freed
 * space before it could see pending_send_size (the race its fence closes).
 * A retry for the same size finds it already set and only looks again.
 */
static int ring_reserve(struct ring_end *e, uint32_t total)
{
	if (ring_free_cached(e) >= total)
		return 0;
	if (ring_refresh_read_index(e))
		return -EPIPE;
	if (ring_free_cached(e) >= total)
		return 0;
	if (e->pending != total) {
		__atomic_store_n(&e->ctrl->pending_send_size, total, __ATOMIC_RELAXED);
		e->pending = total;
		/* Orders the pending_send_size store before the read_index load (store->load). */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (ring_refresh_read_index(e))
			return -EPIPE;
		if (ring_free_cached(e) >= total)
			return 0;
	}
	e->stats.full++;
	return -ENOSPC;
}

/* Bytes the whole batch takes, or why it can never be written. */
static int ring_batch_bytes(struct ring_end *e, const struct ring_msg *msgs, unsigned n,
			    uint32_t *total, uint32_t *payload)
{
	uint32_t max = ring_max_payload(e);
	uint64_t sum = 0, bytes = 0;

	if (e->broken)
		return -EPIPE;
	if (e->role != RING_PRODUCER || !msgs || n == 0)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		uint32_t len = msgs[i].len;

		/* len - 1 wraps for 0: one compare refuses empty and too long. */
		if (!msgs[i].buf || len - 1 >= max)
			return -EINVAL;
		sum += ring_pkt_total(len);
		bytes += len;
	}
	/* Each term is below 2^32: the sum of 2^32 of them cannot wrap 64 bits. */
	if (sum > e->size - RING_ALIGN)
		return -EINVAL;
	*total = (uint32_t)sum;
	*payload = (uint32_t)bytes;
	return 0;
}

static void ring_put(struct ring_end *e, uint16_t type, const void *buf, uint32_t len)
{
	/* struct ring_pkt_hdr as one word: type, flags 0, len (little-endian). */
	uint64_t hdr = (uint64_t)len << 32 | type;
	uint32_t total = ring_pkt_total(len), pos = e->index;

	/* The header never wraps: index and size are multiples of its size. */
	__builtin_memcpy(e->data + pos, &hdr, HDR_SIZE);
	if (total < e->size - pos) { /* the common case: no wrap, no index back to 0 */
		ring_copy(e->data + pos + HDR_SIZE, buf, len);
		e->index = pos + total;
		return;
	}
	ring_copy_in(e, ring_advance(e, pos, HDR_SIZE), buf, len);
	e->index = ring_advance(e, pos, total);
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

/* Publishes what ring_put wrote since old_index; false if the ring broke. */
static bool ring_publish_write(struct ring_end *e, uint32_t old_index, bool *signal_peer)
{
	uint32_t shared = __atomic_load_n(&e->ctrl->write_index, __ATOMIC_RELAXED);
	bool signal;

	if (shared != old_index) {
		ring_fail(e, "write_index", shared);
		return false;
	}
	/* Release: the packet bytes are in data[] before the consumer can see the index. */
	__atomic_store_n(&e->ctrl->write_index, e->index, __ATOMIC_RELEASE);
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

int ring_write_batch(struct ring_end *e, const struct ring_msg *msgs, unsigned n, bool *signal_peer)
{
	uint32_t old_index = e->index, total = 0, payload = 0;
	int rc;

	if (signal_peer)
		*signal_peer = false;
	rc = ring_batch_bytes(e, msgs, n, &total, &payload);
	if (rc == 0)
		rc = ring_reserve(e, total);
	if (rc)
		return rc;
	for (unsigned i = 0; i < n; i++)
		ring_put(e, msgs[i].type, msgs[i].buf, msgs[i].len);
	if (!ring_publish_write(e, old_index, signal_peer))
		return -EPIPE;
	e->stats.packets += n;
	e->stats.bytes += payload;
	return (int)n;
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

/* Where a batch read is: the next packet, bytes published from there on. */
struct ring_cursor {
	uint32_t pos;
	uint32_t avail;
	uint32_t bytes; /* payload read so far */
};

/* Re-reads the write index once what was known to be published is read. */
static int ring_avail(struct ring_end *e, struct ring_cursor *c)
{
	if (c->avail)
		return 0;
	if (ring_refresh_write_index(e))
		return -EPROTO;
	c->avail = ring_dist(e, c->pos, e->peer_index);
	return 0;
}

static int ring_check_hdr(struct ring_end *e, const struct ring_pkt_hdr *h, uint32_t avail)
{
	if (h->flags) {
		ring_fail(e, "flags", h->flags);
		return -EPROTO;
	}
	/* Bound len first (len - 1 wraps for 0): ring_pkt_total() must not wrap. */
	if (h->len - 1 >= ring_max_payload(e) || ring_pkt_total(h->len) > avail) {
		ring_fail(e, "len", h->len);
		return -EPROTO;
	}
	return 0;
}

/*
 * Reads the packet at *pos into v without publishing. The header is copied
 * once and only the copy is checked and used: the producer may change the
 * shared bytes under us.
 */
static int ring_get(struct ring_end *e, struct ring_cursor *c, struct ring_rbuf *v)
{
	struct ring_pkt_hdr hdr;
	uint32_t total;
	int rc = ring_avail(e, c);

	if (rc || c->avail == 0)
		return rc;
	__builtin_memcpy(&hdr, e->data + c->pos, HDR_SIZE);
	rc = ring_check_hdr(e, &hdr, c->avail);
	if (rc)
		return rc;
	if (hdr.len > v->cap)
		return -EMSGSIZE;
	total = ring_pkt_total(hdr.len);
	if (total < e->size - c->pos) { /* the common case: no wrap */
		ring_copy(v->buf, e->data + c->pos + HDR_SIZE, hdr.len);
		c->pos += total;
	} else {
		ring_copy_out(e, ring_advance(e, c->pos, HDR_SIZE), v->buf, hdr.len);
		c->pos = ring_advance(e, c->pos, total);
	}
	v->len = hdr.len;
	v->type = hdr.type;
	c->avail -= total;
	c->bytes += hdr.len;
	return 1;
}

static int ring_publish_read(struct ring_end *e, uint32_t pos)
{
	uint32_t shared = __atomic_load_n(&e->ctrl->read_index, __ATOMIC_RELAXED);

	if (shared != e->index) {
		ring_fail(e, "read_index", shared);
		return -EPROTO;
	}
	/* Release: our copies out of data[] are done before the producer reuses it. */
	__atomic_store_n(&e->ctrl->read_index, pos, __ATOMIC_RELEASE);
	e->index = pos;
	return 0;
}

static int ring_check_read(const struct ring_end *e)
{
	if (e->broken)
		return -EPROTO;
	return e->role == RING_CONSUMER ? 0 : -EINVAL;
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

int ring_read_batch(struct ring_end *e, struct ring_rbuf *v, unsigned n)
{
	struct ring_cursor c = {.pos = e->index, .avail = ring_dist(e, e->index, e->peer_index)};
	unsigned i;
	int rc = ring_check_read(e);

	if (rc)
		return rc;
	if (!ring_rbufs_ok(v, n))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		rc = ring_get(e, &c, &v[i]);
		if (rc <= 0)
			break;
	}
	if (rc == -EPROTO || (rc < 0 && i == 0))
		return rc;
	if (i == 0)
		return 0;
	rc = ring_publish_read(e, c.pos);
	if (rc)
		return rc;
	e->stats.packets += i;
	e->stats.bytes += c.bytes;
	return (int)i;
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
	signal = ring_producer_unblocked(e);
	if (signal)
		e->stats.signals++;
	return signal;
}

bool ring_readable(struct ring_end *e)
{
	if (ring_check_read(e))
		return false;
	if (e->peer_index != e->index)
		return true;
	return ring_refresh_write_index(e) == 0 && e->peer_index != e->index;
}
