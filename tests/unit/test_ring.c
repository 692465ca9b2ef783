/*
 * The channel ring (guests/lib/ring.c): packets across the wrap, full and
 * empty, the signalling rules, a two-thread run, and a hostile peer that
 * corrupts every shared field. The data area is its own allocation so ASan
 * catches any access outside it.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "guests/lib/ring.h"
#include "hv/errno.h"
#include "hv/string.h"
#include "tests/unit/log_capture.h"

struct rig {
	struct ring_ctrl *ctrl;
	uint8_t *data;
	uint32_t size;
	struct ring_end prod;
	struct ring_end cons;
};

static struct rig *rig_new(uint32_t size)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->ctrl = aligned_alloc(4096, sizeof(struct ring_ctrl));
	r->data = malloc(size);
	r->size = size;
	assert_non_null(r->ctrl);
	assert_non_null(r->data);
	memset(r->data, 0xa5, size);
	assert_int_equal(ring_init_shared(r->ctrl, size), 0);
	assert_int_equal(ring_attach(&r->prod, r->ctrl, r->data, size, RING_PRODUCER), 0);
	assert_int_equal(ring_attach(&r->cons, r->ctrl, r->data, size, RING_CONSUMER), 0);
	log_capture_reset();
	return r;
}

static void rig_free(struct rig *r)
{
	free(r->ctrl);
	free(r->data);
	free(r);
}

static void fill(uint8_t *buf, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 31 + i * 7);
}

static int put(struct rig *r, uint16_t type, uint32_t len, uint32_t seed)
{
	uint8_t buf[4096];
	bool sig;

	fill(buf, len, seed);
	return ring_write(&r->prod, type, buf, len, &sig);
}

/* Reads one packet and checks it is what put(type, len, seed) wrote. */
static void get_expect(struct rig *r, uint16_t type, uint32_t len, uint32_t seed)
{
	uint8_t buf[4096], want[4096];
	uint16_t got_type = 0;

	fill(want, len, seed);
	assert_int_equal(ring_read(&r->cons, &got_type, buf, sizeof(buf)), (int)len);
	assert_int_equal(got_type, type);
	assert_memory_equal(buf, want, len);
}

/* ---- set-up ------------------------------------------------------------ */

static void test_init_refuses_bad_sizes(void **state)
{
	struct ring_ctrl *c = aligned_alloc(4096, sizeof(*c));

	(void)state;
	assert_int_equal(ring_init_shared(c, 0), -EINVAL);
	assert_int_equal(ring_init_shared(c, 60), -EINVAL);
	assert_int_equal(ring_init_shared(c, 4097), -EINVAL);
	assert_int_equal(ring_init_shared(c, RING_MAX_DATA_SIZE + 8), -EINVAL);
	assert_int_equal(ring_init_shared(NULL, 4096), -EINVAL);
	assert_int_equal(ring_init_shared(c, 4096), 0);
	assert_int_equal(c->data_size, 4096);
	assert_int_equal(c->write_index, 0);
	free(c);
}

static void test_attach_checks_the_producer_setup(void **state)
{
	struct ring_ctrl *c = aligned_alloc(4096, sizeof(*c));
	uint8_t data[256];
	struct ring_end e;

	(void)state;
	memset(c, 0, sizeof(*c));
	assert_int_equal(ring_attach(&e, c, data, sizeof(data), RING_CONSUMER), -EAGAIN);
	assert_int_equal(ring_init_shared(c, 128), 0);
	assert_int_equal(ring_attach(&e, c, data, sizeof(data), RING_CONSUMER), -EINVAL);
	assert_int_equal(ring_attach(&e, c, data, 128, (enum ring_role)7), -EINVAL);
	c->feature_bits = 0x80;
	assert_int_equal(ring_attach(&e, c, data, 128, RING_CONSUMER), -ENOTSUP);
	c->feature_bits = 0;
	c->write_index = 200;
	assert_int_equal(ring_attach(&e, c, data, 128, RING_CONSUMER), -EPROTO);
	c->write_index = 0;
	assert_int_equal(ring_attach(&e, c, data, 128, RING_CONSUMER), 0);
	free(c);
}

static void test_layout_of_the_control_page(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct ring_ctrl, write_index), 0);
	assert_int_equal(offsetof(struct ring_ctrl, pending_send_size), 4);
	assert_int_equal(offsetof(struct ring_ctrl, read_index), 64);
	assert_int_equal(offsetof(struct ring_ctrl, interrupt_mask), 128);
	assert_int_equal(offsetof(struct ring_ctrl, data_size), 196);
}

/* ---- packets ----------------------------------------------------------- */

static void test_round_trip_keeps_type_and_bytes(void **state)
{
	struct rig *r = rig_new(1024);

	(void)state;
	assert_int_equal(put(r, 7, 1, 1), 0);
	assert_int_equal(put(r, 8, 13, 2), 0);
	assert_int_equal(put(r, 9, 64, 3), 0);
	get_expect(r, 7, 1, 1);
	get_expect(r, 8, 13, 2);
	get_expect(r, 9, 64, 3);
	assert_int_equal(ring_read(&r->cons, NULL, NULL, 0), 0);
	assert_int_equal(r->prod.stats.packets, 3);
	assert_int_equal(r->cons.stats.bytes, 78);
	assert_int_equal(r->prod.stats.bytes, 78);
	rig_free(r);
}

static void test_wraparound_many_times(void **state)
{
	struct rig *r = rig_new(256);

	(void)state;
	/* Odd lengths put headers and payloads at every offset, across the end. */
	for (uint32_t i = 0; i < 2000; i++) {
		uint32_t len = 1 + (i * 37) % 100;

		assert_int_equal(put(r, (uint16_t)i, len, i), 0);
		get_expect(r, (uint16_t)i, len, i);
	}
	assert_int_equal(r->cons.stats.packets, 2000);
	assert_false(ring_broken(&r->cons));
	rig_free(r);
}

static void test_full_then_empty(void **state)
{
	struct rig *r = rig_new(256);
	int n = 0;

	(void)state;
	/* 24-byte packets (8 + 16): 248 usable bytes take 10, the 11th must wait. */
	while (put(r, 1, 16, (uint32_t)n) == 0)
		n++;
	assert_int_equal(n, 10);
	assert_int_equal(put(r, 1, 16, 99), -ENOSPC);
	assert_int_equal(r->ctrl->pending_send_size, 24);
	assert_int_equal(r->prod.stats.full, 2);
	for (int i = 0; i < n; i++)
		get_expect(r, 1, 16, (uint32_t)i);
	assert_int_equal(ring_read(&r->cons, NULL, NULL, 0), 0);
	assert_false(ring_readable(&r->cons));
	assert_int_equal(put(r, 1, 16, 5), 0);
	assert_int_equal(r->ctrl->pending_send_size, 0);
	rig_free(r);
}

static void test_exact_fit(void **state)
{
	struct rig *r = rig_new(64);
	uint8_t buf[64];

	(void)state;
	/* 64 bytes less the free gap and the header: 48 is the largest packet. */
	assert_int_equal(put(r, 1, 48, 1), 0);
	assert_int_equal(ring_write_space(&r->prod), 0);
	assert_int_equal(put(r, 1, 1, 2), -ENOSPC);
	get_expect(r, 1, 48, 1);
	assert_int_equal(ring_write_space(&r->prod), 56);
	/* 41..48 pad to the same 56 bytes: it fits exactly, across the wrap. */
	assert_int_equal(put(r, 2, 41, 3), 0);
	get_expect(r, 2, 41, 3);
	assert_int_equal(ring_read(&r->cons, NULL, buf, sizeof(buf)), 0);
	rig_free(r);
}

static void test_packet_bigger_than_the_ring(void **state)
{
	struct rig *r = rig_new(64);
	uint8_t buf[128] = {0};
	bool sig = true;

	(void)state;
	assert_int_equal(ring_write(&r->prod, 1, buf, 49, &sig), -EINVAL);
	assert_false(sig);
	assert_int_equal(ring_write(&r->prod, 1, buf, 0, &sig), -EINVAL);
	assert_int_equal(ring_write(&r->prod, 1, NULL, 4, &sig), -EINVAL);
	assert_int_equal(ring_write(&r->prod, 1, buf, UINT32_MAX, &sig), -EINVAL);
	assert_int_equal(ring_write(&r->cons, 1, buf, 4, &sig), -EINVAL);
	assert_int_equal(r->ctrl->pending_send_size, 0);
	assert_false(ring_broken(&r->prod));
	rig_free(r);
}

static void test_small_buffer_leaves_the_packet(void **state)
{
	struct rig *r = rig_new(256);
	uint8_t buf[8];

	(void)state;
	assert_int_equal(put(r, 3, 20, 4), 0);
	assert_int_equal(ring_read(&r->cons, NULL, buf, sizeof(buf)), -EMSGSIZE);
	get_expect(r, 3, 20, 4);
	rig_free(r);
}

static void test_batches(void **state)
{
	struct rig *r = rig_new(512);
	uint8_t payload[5][40], out[8][64];
	struct ring_msg msgs[5];
	struct ring_rbuf v[8];
	bool sig = false;

	(void)state;
	for (int i = 0; i < 5; i++) {
		fill(payload[i], 40, (uint32_t)i);
		msgs[i] =
		    (struct ring_msg){.type = (uint16_t)(10 + i), .len = 40, .buf = payload[i]};
	}
	assert_int_equal(ring_write_batch(&r->prod, msgs, 5, &sig), 5);
	assert_true(sig);
	/* 48-byte packets: 10 take 480 of the 504 usable bytes. */
	assert_int_equal(ring_write_batch(&r->prod, msgs, 5, &sig), 5);
	assert_false(sig);
	/* All or none: 24 bytes are free, the batch waits for its 240. */
	assert_int_equal(ring_write_batch(&r->prod, msgs, 5, &sig), -ENOSPC);
	assert_int_equal(r->ctrl->pending_send_size, 240);
	assert_int_equal(ring_write_batch(&r->prod, msgs, 0, &sig), -EINVAL);
	assert_int_equal(ring_write_batch(&r->prod, NULL, 1, &sig), -EINVAL);
	msgs[3].len = 0;
	assert_int_equal(ring_write_batch(&r->prod, msgs, 5, &sig), -EINVAL);
	msgs[3].len = 40;
	for (int i = 0; i < 8; i++)
		v[i] = (struct ring_rbuf){.buf = out[i], .cap = 64};
	assert_int_equal(ring_read_batch(&r->cons, v, 8), 8);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(v[i].type, 10 + i % 5);
		assert_memory_equal(out[i], payload[i % 5], 40);
	}
	v[0].cap = 4;
	assert_int_equal(ring_read_batch(&r->cons, v, 8), -EMSGSIZE);
	v[1].buf = NULL;
	assert_int_equal(ring_read_batch(&r->cons, v, 8), -EINVAL);
	v[1].buf = out[1];
	assert_int_equal(ring_read_batch(&r->cons, NULL, 8), -EINVAL);
	v[0].cap = 64;
	assert_int_equal(ring_read_batch(&r->cons, v, 8), 2);
	assert_int_equal(ring_read_batch(&r->cons, v, 8), 0);
	/* Eleven 48-byte packets can never fit in 504 bytes. */
	struct ring_msg many[11];
	for (int i = 0; i < 11; i++)
		many[i] = msgs[0];
	assert_int_equal(ring_write_batch(&r->prod, many, 11, &sig), -EINVAL);
	assert_int_equal(ring_write_batch(&r->prod, many, 10, &sig), 10);
	rig_free(r);
}

/* ---- signalling -------------------------------------------------------- */

static void test_signal_only_on_empty_to_nonempty(void **state)
{
	struct rig *r = rig_new(1024);
	uint8_t b[8] = {0};
	bool sig = false;

	(void)state;
	assert_int_equal(ring_write(&r->prod, 1, b, 8, &sig), 0);
	assert_true(sig);
	assert_int_equal(ring_write(&r->prod, 1, b, 8, &sig), 0);
	assert_false(sig);
	assert_int_equal(ring_read(&r->cons, NULL, b, 8), 8);
	/* Not drained yet: still non-empty, no signal. */
	assert_int_equal(ring_write(&r->prod, 1, b, 8, &sig), 0);
	assert_false(sig);
	while (ring_read(&r->cons, NULL, b, 8) > 0)
		;
	assert_int_equal(ring_write(&r->prod, 1, b, 8, &sig), 0);
	assert_true(sig);
	assert_int_equal(r->prod.stats.signals, 2);
	rig_free(r);
}

static void test_masked_consumer_gets_no_signal_and_loses_nothing(void **state)
{
	struct rig *r = rig_new(1024);
	uint8_t b[8] = {0};
	bool sig = true;

	(void)state;
	ring_read_begin(&r->cons);
	assert_int_equal(r->ctrl->interrupt_mask, 1);
	assert_int_equal(ring_write(&r->prod, 1, b, 8, &sig), 0);
	assert_false(sig);
	/* The consumer drained before that write and ends its poll: it must see it. */
	assert_false(ring_read_end(&r->cons));
	assert_int_equal(r->ctrl->interrupt_mask, 0);
	assert_true(ring_readable(&r->cons));
	assert_int_equal(ring_read(&r->cons, NULL, b, 8), 8);
	assert_false(ring_readable(&r->cons));
	assert_int_equal(ring_write(&r->prod, 1, b, 8, &sig), 0);
	assert_true(sig);
	rig_free(r);
}

static void test_pending_send_size_wakes_the_producer(void **state)
{
	struct rig *r = rig_new(256);
	uint8_t b[200] = {0};
	bool sig;

	(void)state;
	for (int i = 0; i < 7; i++)
		assert_int_equal(ring_write(&r->prod, 1, b, 24, &sig), 0);
	/* 7 x 32 bytes leave 24 of 248 free: a 104-byte packet must wait. */
	assert_int_equal(ring_write(&r->prod, 2, b, 96, &sig), -ENOSPC);
	assert_int_equal(r->ctrl->pending_send_size, 104);
	assert_false(ring_read_end(&r->cons));
	for (int i = 0; i < 2; i++)
		assert_int_equal(ring_read(&r->cons, NULL, b, sizeof(b)), 24);
	assert_false(ring_read_end(&r->cons)); /* 88 free: not yet */
	assert_int_equal(ring_read(&r->cons, NULL, b, sizeof(b)), 24);
	assert_true(ring_read_end(&r->cons)); /* 120 free */
	assert_int_equal(r->cons.stats.signals, 1);
	assert_int_equal(ring_write(&r->prod, 2, b, 96, &sig), 0);
	assert_int_equal(r->ctrl->pending_send_size, 0);
	assert_false(ring_read_end(&r->cons));
	rig_free(r);
}

static void test_polling_producer_skips_the_check(void **state)
{
	struct rig *r = rig_new(1024);
	uint8_t b[8] = {0};
	bool sig = false;

	(void)state;
	assert_int_equal(ring_write(&r->prod, 1, b, 8, NULL), 0);
	assert_int_equal(r->prod.stats.signals, 0);
	assert_int_equal(ring_read(&r->cons, NULL, b, 8), 8);
	assert_int_equal(ring_write(&r->prod, 1, b, 8, &sig), 0);
	assert_true(sig);
	assert_int_equal(r->prod.stats.signals, 1);
	rig_free(r);
}

/* ---- two threads ------------------------------------------------------- */

#define SPSC_MESSAGES 1000000U
#define SPSC_MAX_LEN  120U

static uint32_t spsc_len(uint32_t i)
{
	return 8 + (i * 2654435761U >> 7) % (SPSC_MAX_LEN - 8);
}

static uint32_t checksum(const uint8_t *p, uint32_t n)
{
	uint32_t s = 2166136261U;

	for (uint32_t i = 0; i < n; i++)
		s = (s ^ p[i]) * 16777619U;
	return s;
}

/* Payload: seq, then bytes from seq, then a checksum over both. */
static void *spsc_producer(void *arg)
{
	struct ring_end *e = arg;
	uint8_t buf[SPSC_MAX_LEN];

	for (uint32_t i = 0; i < SPSC_MESSAGES;) {
		uint32_t len = spsc_len(i), sum;
		bool sig;

		memcpy(buf, &i, 4);
		for (uint32_t k = 4; k < len - 4; k++)
			buf[k] = (uint8_t)(i + k);
		sum = checksum(buf, len - 4);
		memcpy(buf + len - 4, &sum, 4);
		int rc = ring_write(e, (uint16_t)i, buf, len, &sig);
		if (rc == 0)
			i++;
		else if (rc != -ENOSPC)
			return (void *)(intptr_t)rc;
		else
			sched_yield(); /* the CPUs may be shared with other tests */
	}
	return NULL;
}

static void test_two_threads_million_messages(void **state)
{
	struct rig *r = rig_new(64 * 1024);
	struct timespec t0, t1;
	uint8_t buf[SPSC_MAX_LEN];
	pthread_t th;
	void *ret;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pthread_create(&th, NULL, spsc_producer, &r->prod), 0);
	for (uint32_t i = 0; i < SPSC_MESSAGES;) {
		uint16_t type;
		uint32_t seq, sum;
		int n = ring_read(&r->cons, &type, buf, sizeof(buf));

		assert_true(n >= 0);
		if (n == 0) {
			sched_yield();
			continue;
		}
		assert_int_equal((uint32_t)n, spsc_len(i));
		memcpy(&seq, buf, 4);
		memcpy(&sum, buf + n - 4, 4);
		assert_int_equal(seq, i);
		assert_int_equal(type, (uint16_t)i);
		assert_int_equal(sum, checksum(buf, (uint32_t)n - 4));
		i++;
	}
	assert_int_equal(pthread_join(th, &ret), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_null(ret);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("spsc: %u messages in %.3f s\n", SPSC_MESSAGES, s);
	assert_true(s < 2.0);
	assert_false(ring_broken(&r->cons));
	rig_free(r);
}

/* ---- hostile peer ------------------------------------------------------ */

/* A consumer-side read after corruption: -EPROTO now and from then on. */
static void expect_consumer_broken(struct rig *r, const char *field)
{
	uint8_t buf[4096];

	assert_int_equal(ring_read(&r->cons, NULL, buf, sizeof(buf)), -EPROTO);
	assert_true(ring_broken(&r->cons));
	assert_int_equal(ring_read(&r->cons, NULL, buf, sizeof(buf)), -EPROTO);
	assert_false(ring_readable(&r->cons));
	assert_false(ring_read_end(&r->cons));
	assert_true(r->cons.stats.protocol_errors >= 1);
	assert_true(log_capture_contains(field));
	assert_true(log_capture_contains("broken role=consumer"));
}

static void test_hostile_write_index_out_of_range(void **state)
{
	static const uint32_t bad[] = {256, 257, 0x10000, UINT32_MAX, 12 /* misaligned */};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rig *r = rig_new(256);

		r->ctrl->write_index = bad[i];
		expect_consumer_broken(r, "field=write_index");
		rig_free(r);
	}
}

static void test_hostile_write_index_rewound(void **state)
{
	struct rig *r = rig_new(256);
	uint8_t buf[64];

	(void)state;
	assert_int_equal(put(r, 1, 16, 1), 0);
	assert_int_equal(put(r, 1, 16, 2), 0);
	get_expect(r, 1, 16, 1);
	/*
	 * The consumer saw 48 and is at 24; a producer going back to 24 takes a
	 * packet back. (Back to 8 would look like 240 bytes written: only the
	 * packet headers can tell, and they are checked.)
	 */
	r->ctrl->write_index = 24;
	assert_false(ring_read_end(&r->cons));
	assert_int_equal(ring_read(&r->cons, NULL, buf, sizeof(buf)), -EPROTO);
	assert_true(log_capture_contains("field=write_index value=0x18"));
	rig_free(r);
}

static void test_hostile_len_beyond_written_region(void **state)
{
	struct rig *r = rig_new(256);
	struct ring_pkt_hdr *h = (struct ring_pkt_hdr *)r->data;

	(void)state;
	assert_int_equal(put(r, 1, 16, 1), 0);
	h->len = 17; /* 8 + 24 > the 24 bytes published */
	expect_consumer_broken(r, "field=len value=0x11");
	rig_free(r);
}

static void test_hostile_len_huge_or_zero(void **state)
{
	static const uint32_t bad[] = {0, 241, 0x7ffffff8, UINT32_MAX - 3, UINT32_MAX};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rig *r = rig_new(256);

		/* Publish nearly everything so only len itself can be wrong. */
		assert_int_equal(put(r, 1, 200, 1), 0);
		((struct ring_pkt_hdr *)r->data)->len = bad[i];
		expect_consumer_broken(r, "field=len");
		rig_free(r);
	}
}

static void test_hostile_flags(void **state)
{
	struct rig *r = rig_new(256);

	(void)state;
	assert_int_equal(put(r, 1, 16, 1), 0);
	((struct ring_pkt_hdr *)r->data)->flags = 0x8000;
	expect_consumer_broken(r, "field=flags");
	rig_free(r);
}

static void test_hostile_header_at_wrap(void **state)
{
	struct rig *r = rig_new(64);
	uint8_t buf[64];

	(void)state;
	/* The second packet's header is at 48, its payload wraps to the start. */
	assert_int_equal(put(r, 1, 40, 1), 0);
	get_expect(r, 1, 40, 1);
	assert_int_equal(put(r, 1, 40, 2), 0);
	assert_int_equal(r->prod.index, 32);
	assert_int_equal(r->cons.index, 48);
	((struct ring_pkt_hdr *)(r->data + 48))->len = 48;
	assert_int_equal(ring_read(&r->cons, NULL, buf, sizeof(buf)), -EPROTO);
	rig_free(r);
}

static void test_hostile_producer_moves_read_index(void **state)
{
	struct rig *r = rig_new(256);
	uint8_t buf[64];

	(void)state;
	assert_int_equal(put(r, 1, 16, 1), 0);
	r->ctrl->read_index = 24;
	assert_int_equal(ring_read(&r->cons, NULL, buf, sizeof(buf)), -EPROTO);
	assert_true(log_capture_contains("role=consumer field=read_index"));
	assert_true(ring_broken(&r->cons));
	rig_free(r);
}

static void test_hostile_pending_send_size(void **state)
{
	struct rig *r = rig_new(256);

	(void)state;
	r->ctrl->pending_send_size = 0x10000;
	assert_false(ring_read_end(&r->cons));
	assert_true(ring_broken(&r->cons));
	assert_true(log_capture_contains("field=pending_send_size"));
	rig_free(r);
}

/* A producer after a corrupt read index: -EPIPE now and from then on. */
static void expect_producer_broken(struct rig *r, const char *field)
{
	uint8_t b[8] = {0};
	bool sig;

	/* Room enough: the check is the one before deciding on a signal. */
	assert_int_equal(ring_write(&r->prod, 1, b, 8, &sig), -EPIPE);
	assert_true(ring_broken(&r->prod));
	assert_int_equal(ring_write(&r->prod, 1, b, 8, &sig), -EPIPE);
	assert_int_equal(ring_write_space(&r->prod), 0);
	assert_true(log_capture_contains(field));
	assert_true(log_capture_contains("broken role=producer"));
}

static void test_hostile_read_index(void **state)
{
	/* 128 is past what was written; 12 misaligned; 256 and beyond out of range. */
	static const uint32_t bad[] = {128, 12, 256, UINT32_MAX};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rig *r = rig_new(256);

		assert_int_equal(put(r, 1, 16, 1), 0);
		r->ctrl->read_index = bad[i];
		expect_producer_broken(r, "field=read_index");
		rig_free(r);
	}
}

static void test_hostile_consumer_moves_write_index(void **state)
{
	struct rig *r = rig_new(256);

	(void)state;
	assert_int_equal(put(r, 1, 16, 1), 0);
	r->ctrl->write_index = 0;
	assert_int_equal(put(r, 1, 16, 2), -EPIPE);
	assert_true(log_capture_contains("role=producer field=write_index"));
	assert_int_equal(put(r, 1, 16, 3), -EPIPE);
	rig_free(r);
}

static void test_broken_is_logged_once(void **state)
{
	struct rig *r = rig_new(256);
	uint8_t buf[8];

	(void)state;
	r->ctrl->write_index = 3;
	for (int i = 0; i < 5; i++)
		assert_int_equal(ring_read(&r->cons, NULL, buf, sizeof(buf)), -EPROTO);
	const char *text = log_capture_text();
	const char *first = strstr(text, "broken");
	assert_non_null(first);
	assert_null(strstr(first + 1, "broken"));
	rig_free(r);
}

static char hook_line[256];
static void hook(const char *line)
{
	hv_strlcpy(hook_line, line, sizeof(hook_line));
}

static void test_log_hook(void **state)
{
	struct rig *r = rig_new(256);
	uint8_t buf[8];

	(void)state;
	ring_set_log(hook);
	r->ctrl->write_index = 1000;
	assert_int_equal(ring_read(&r->cons, NULL, buf, sizeof(buf)), -EPROTO);
	ring_set_log(NULL);
	assert_string_equal(
	    hook_line, "broken role=consumer field=write_index value=0x3e8 size=0x100 index=0");
	assert_false(log_capture_contains("broken"));
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_refuses_bad_sizes),
	    cmocka_unit_test(test_attach_checks_the_producer_setup),
	    cmocka_unit_test(test_layout_of_the_control_page),
	    cmocka_unit_test(test_round_trip_keeps_type_and_bytes),
	    cmocka_unit_test(test_wraparound_many_times),
	    cmocka_unit_test(test_full_then_empty),
	    cmocka_unit_test(test_exact_fit),
	    cmocka_unit_test(test_packet_bigger_than_the_ring),
	    cmocka_unit_test(test_small_buffer_leaves_the_packet),
	    cmocka_unit_test(test_batches),
	    cmocka_unit_test(test_signal_only_on_empty_to_nonempty),
	    cmocka_unit_test(test_masked_consumer_gets_no_signal_and_loses_nothing),
	    cmocka_unit_test(test_pending_send_size_wakes_the_producer),
	    cmocka_unit_test(test_polling_producer_skips_the_check),
	    cmocka_unit_test(test_two_threads_million_messages),
	    cmocka_unit_test(test_hostile_write_index_out_of_range),
	    cmocka_unit_test(test_hostile_write_index_rewound),
	    cmocka_unit_test(test_hostile_len_beyond_written_region),
	    cmocka_unit_test(test_hostile_len_huge_or_zero),
	    cmocka_unit_test(test_hostile_flags),
	    cmocka_unit_test(test_hostile_header_at_wrap),
	    cmocka_unit_test(test_hostile_producer_moves_read_index),
	    cmocka_unit_test(test_hostile_pending_send_size),
	    cmocka_unit_test(test_hostile_read_index),
	    cmocka_unit_test(test_hostile_consumer_moves_write_index),
	    cmocka_unit_test(test_broken_is_logged_once),
	    cmocka_unit_test(test_log_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
