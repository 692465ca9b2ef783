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
 *
 * This file: setting a ring up, attaching an end, a broken end.
 * ring_producer.c and ring_consumer.c: each side's calls.
 */
#include "guests/lib/ring_int.h"
#include "hv/errno.h"
#include "hv/format.h"
#include "hv/string.h"

#ifdef HV_HOSTED
#include "hv/log.h"
#else
#include "guests/lib/console.h"
#endif

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
void ring_fail(struct ring_end *e, const char *field, uint32_t value)
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



uint32_t ring_max_payload(const struct ring_end *e)
{
	return e->max_payload;
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
