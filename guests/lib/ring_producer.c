/*
 * The ring's producer (ring.h): reserve and commit in place, and the
 * copying writes built on the same steps. The consumer's read index is
 * cached and re-read only when the cache says full or a signal is to be
 * decided; a value it could not have written breaks this end.
 */
#include "guests/lib/ring_int.h"
#include "hv/errno.h"

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
