/*
 * The channel ring (guests/lib/ring.c): packets across the wrap (pad
 * packets), full and empty, the signalling rules, the zero-copy calls, two
 * two-thread runs, and a hostile peer that corrupts every shared field and
 * header. The data area is its own allocation so ASan catches any access
 * outside it.
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
	/* At 240 it needs a 16-byte pad to the end first: 16 + 24. */
	assert_int_equal(r->ctrl->pending_send_size, 40);
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
	/* Half of the 56 usable bytes, less the header: 16 is the largest packet. */
	assert_int_equal(ring_max_payload(&r->prod), 16);
	assert_int_equal(put(r, 1, 16, 1), 0);
	assert_int_equal(put(r, 1, 9, 2), 0);
	assert_int_equal(ring_write_space(&r->prod), 8);
	assert_int_equal(put(r, 1, 1, 3), -ENOSPC);
	get_expect(r, 1, 16, 1);
	get_expect(r, 1, 9, 2);
	assert_int_equal(ring_write_space(&r->prod), 56);
	/* At 48 a 24-byte packet takes the 16 bytes to the end exactly. */
	assert_int_equal(put(r, 2, 8, 4), 0);
	assert_int_equal(r->prod.index, 0);
	get_expect(r, 2, 8, 4);
	assert_int_equal(ring_read(&r->cons, NULL, buf, sizeof(buf)), 0);
	rig_free(r);
}

static void test_packet_bigger_than_the_ring(void **state)
{
	struct rig *r = rig_new(64);
	uint8_t buf[128] = {0};
	bool sig = true;

	(void)state;
	assert_int_equal(ring_write(&r->prod, 1, buf, 17, &sig), -EINVAL);
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
	/* All or none: 24 bytes are free, the batch waits for its 240 and the 32-byte pad. */
	assert_int_equal(ring_write_batch(&r->prod, msgs, 5, &sig), -ENOSPC);
	assert_int_equal(r->ctrl->pending_send_size, 272);
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
	/* A batch may take max_payload + 8 = 248 bytes: six 48-byte packets are too many. */
	struct ring_msg many[6];
	for (int i = 0; i < 6; i++)
		many[i] = msgs[0];
	assert_int_equal(ring_write_batch(&r->prod, many, 6, &sig), -EINVAL);
	assert_int_equal(ring_write_batch(&r->prod, many, 5, &sig), 5);
	rig_free(r);
}

/* ---- zero-copy --------------------------------------------------------- */

static bool inside(struct rig *r, const void *p, uint32_t len)
{
	const uint8_t *b = p;

	return b >= r->data && b + len <= r->data + r->size && (uintptr_t)b % 8 == 0;
}

/* Reserves, fills in place (fill(len, seed)): the payload pointer. */
static void *zc_put(struct rig *r, uint16_t type, uint32_t len, uint32_t seed)
{
	void *p = NULL;

	assert_int_equal(ring_reserve(&r->prod, type, len, &p), 0);
	assert_true(inside(r, p, len));
	fill(p, len, seed);
	return p;
}

/* Peeks one packet and checks it is what fill(len, seed) made: its payload pointer. */
static const void *zc_get(struct rig *r, uint16_t type, uint32_t len, uint32_t seed)
{
	uint8_t want[4096];
	const void *p = NULL;
	uint32_t got_len = 0;
	uint16_t got_type = 0;

	fill(want, len, seed);
	assert_int_equal(ring_peek(&r->cons, &got_type, &p, &got_len), 1);
	assert_int_equal(got_type, type);
	assert_int_equal(got_len, len);
	assert_true(inside(r, p, len));
	assert_memory_equal(p, want, len);
	return p;
}

static void test_zc_round_trip_in_place(void **state)
{
	struct rig *r = rig_new(1024);
	const void *p;
	void *w[3];
	uint32_t len;
	uint16_t type;
	bool sig = false;

	(void)state;
	w[0] = zc_put(r, 7, 1, 1);
	w[1] = zc_put(r, 8, 13, 2);
	w[2] = zc_put(r, 9, 64, 3);
	/* Nothing is published before the commit. */
	assert_int_equal(r->ctrl->write_index, 0);
	assert_int_equal(ring_peek(&r->cons, &type, &p, &len), 0);
	assert_false(ring_readable(&r->cons));
	assert_int_equal(ring_commit(&r->prod, &sig), 3);
	assert_true(sig);
	assert_int_equal(r->ctrl->write_index, 16 + 24 + 72);
	assert_int_equal(ring_commit(&r->prod, &sig), 0);
	assert_false(sig);
	assert_ptr_equal(zc_get(r, 7, 1, 1), w[0]);
	assert_ptr_equal(zc_get(r, 8, 13, 2), w[1]);
	assert_ptr_equal(zc_get(r, 9, 64, 3), w[2]);
	assert_int_equal(ring_peek(&r->cons, &type, &p, &len), 0);
	/* The producer gets the space back only at the release. */
	assert_int_equal(r->ctrl->read_index, 0);
	assert_int_equal(ring_release(&r->cons), 0);
	assert_int_equal(r->ctrl->read_index, 112);
	assert_int_equal(ring_release(&r->cons), 0);
	assert_int_equal(r->prod.stats.packets, 3);
	assert_int_equal(r->cons.stats.packets, 3);
	assert_int_equal(r->cons.stats.bytes, 78);
	rig_free(r);
}

static void test_zc_reserve_at_the_wrap(void **state)
{
	struct rig *r = rig_new(256);
	const struct ring_pkt_hdr *pad = (const struct ring_pkt_hdr *)(r->data + 240);

	(void)state;
	for (uint32_t i = 0; i < 10; i++) {
		zc_put(r, 1, 16, i);
		assert_int_equal(ring_commit(&r->prod, NULL), 1);
		zc_get(r, 1, 16, i);
		assert_int_equal(ring_release(&r->cons), 0);
	}
	/* At 240, 16 bytes are left: a 24-byte packet goes to 0 after a pad. */
	assert_ptr_equal(zc_put(r, 2, 16, 10), r->data + 8);
	assert_int_equal(pad->flags, RING_PKT_F_PAD);
	assert_int_equal(pad->type, 0);
	assert_int_equal(pad->len, 8);
	/* One that fits to the end exactly takes it, and the cursor wraps to 0. */
	assert_int_equal(ring_commit(&r->prod, NULL), 1);
	assert_ptr_equal(zc_get(r, 2, 16, 10), r->data + 8);
	assert_int_equal(ring_release(&r->cons), 0);
	for (uint32_t i = 0; i < 9; i++)
		zc_put(r, 3, 16, i);
	assert_ptr_equal(zc_put(r, 4, 8, 9), r->data + 240 + 8);
	assert_int_equal(r->prod.cursor, 0);
	assert_int_equal(ring_commit(&r->prod, NULL), 10);
	for (uint32_t i = 0; i < 9; i++)
		zc_get(r, 3, 16, i);
	assert_ptr_equal(zc_get(r, 4, 8, 9), r->data + 248);
	assert_int_equal(ring_release(&r->cons), 0);
	assert_int_equal(r->ctrl->read_index, 0);
	assert_false(ring_broken(&r->cons));
	rig_free(r);
}

static void test_zc_full_sets_pending_for_everything_reserved(void **state)
{
	struct rig *r = rig_new(256);
	const void *cp;
	uint32_t len;
	uint16_t type;
	void *p;
	int n = 0;

	(void)state;
	/* 32-byte packets: 7 fit the 248 usable bytes, the 8th needs 32 of 24. */
	while (ring_reserve(&r->prod, 1, 24, &p) == 0)
		n++;
	assert_int_equal(n, 7);
	/* 224 reserved + 32 is more than the ring holds: only a commit helps, no wait. */
	assert_int_equal(r->ctrl->pending_send_size, 0);
	assert_int_equal(ring_commit(&r->prod, NULL), 7);
	assert_int_equal(ring_reserve(&r->prod, 1, 24, &p), -ENOSPC);
	assert_int_equal(r->ctrl->pending_send_size, 32);
	for (int i = 0; i < 2; i++)
		assert_int_equal(ring_peek(&r->cons, &type, &cp, &len), 1);
	assert_false(ring_read_end(&r->cons)); /* peeked, not released */
	assert_int_equal(ring_release(&r->cons), 0);
	assert_true(ring_read_end(&r->cons));
	assert_int_equal(ring_reserve(&r->prod, 1, 24, &p), 0);
	assert_ptr_equal(p, r->data + 224 + 8);
	assert_int_equal(r->prod.cursor, 0);
	/* With one reserved, the wait covers it too. */
	assert_int_equal(ring_reserve(&r->prod, 1, 56, &p), -ENOSPC);
	assert_int_equal(r->ctrl->pending_send_size, 32 + 64);
	assert_int_equal(ring_commit(&r->prod, NULL), 1);
	assert_int_equal(r->ctrl->pending_send_size, 0);
	rig_free(r);
}

static void test_zc_refuses_wrong_role_and_length(void **state)
{
	struct rig *r = rig_new(256);
	const void *cp;
	void *p = NULL;
	uint32_t len;
	uint16_t type;

	(void)state;
	assert_int_equal(ring_reserve(&r->cons, 1, 8, &p), -EINVAL);
	assert_int_equal(ring_commit(&r->cons, NULL), -EINVAL);
	assert_int_equal(ring_peek(&r->prod, &type, &cp, &len), -EINVAL);
	assert_int_equal(ring_release(&r->prod), -EINVAL);
	assert_int_equal(ring_reserve(&r->prod, 1, 0, &p), -EINVAL);
	assert_int_equal(ring_reserve(&r->prod, 1, ring_max_payload(&r->prod) + 1, &p), -EINVAL);
	assert_int_equal(ring_reserve(&r->prod, 1, UINT32_MAX, &p), -EINVAL);
	assert_null(p);
	assert_int_equal(ring_reserve(&r->prod, 1, ring_max_payload(&r->prod), &p), 0);
	assert_int_equal(ring_commit(&r->prod, NULL), 1);
	assert_int_equal(r->ctrl->pending_send_size, 0);
	rig_free(r);
}

static void test_zc_mixes_with_the_copying_calls(void **state)
{
	struct rig *r = rig_new(256);

	(void)state;
	/* Odd lengths put pads at many offsets, both ways round. */
	for (uint32_t i = 0; i < 2000; i++) {
		uint32_t len = 1 + (i * 37) % 100;

		if (i % 2) {
			zc_put(r, (uint16_t)i, len, i);
			assert_int_equal(ring_commit(&r->prod, NULL), 1);
			get_expect(r, (uint16_t)i, len, i);
		} else {
			assert_int_equal(put(r, (uint16_t)i, len, i), 0);
			zc_get(r, (uint16_t)i, len, i);
			assert_int_equal(ring_release(&r->cons), 0);
		}
	}
	/* ring_read releases what was peeked before it. */
	assert_int_equal(put(r, 1, 8, 1), 0);
	assert_int_equal(put(r, 2, 8, 2), 0);
	zc_get(r, 1, 8, 1);
	get_expect(r, 2, 8, 2);
	assert_int_equal(r->ctrl->read_index, r->ctrl->write_index);
	assert_int_equal(r->cons.stats.packets, 2002);
	assert_false(ring_broken(&r->cons));
	rig_free(r);
}

/* A peek after corruption: -EPROTO, no pointer, and from then on. */
static void expect_peek_broken(struct rig *r, const char *field)
{
	const void *p = NULL;
	uint32_t len;
	uint16_t type;

	assert_int_equal(ring_peek(&r->cons, &type, &p, &len), -EPROTO);
	assert_null(p);
	assert_int_equal(ring_peek(&r->cons, &type, &p, &len), -EPROTO);
	assert_int_equal(ring_release(&r->cons), -EPROTO);
	assert_true(log_capture_contains(field));
}

static void test_zc_peek_hostile_lengths(void **state)
{
	/* Published: 120 bytes (a 112-byte packet). 113 overruns them, 0 is empty. */
	static const uint32_t bad[] = {0, 113, 120, 248, 0x80000000U, UINT32_MAX};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rig *r = rig_new(256);

		zc_put(r, 1, 112, 1);
		assert_int_equal(ring_commit(&r->prod, NULL), 1);
		((struct ring_pkt_hdr *)r->data)->len = bad[i];
		expect_peek_broken(r, "field=len");
		rig_free(r);
	}
}

static void test_zc_peek_hostile_packet_over_the_end(void **state)
{
	struct rig *r = rig_new(256);
	struct ring_pkt_hdr h = {.type = 1, .flags = 0, .len = 16};

	(void)state;
	for (uint32_t i = 0; i < 10; i++) {
		assert_int_equal(put(r, 1, 16, i), 0);
		get_expect(r, 1, 16, i);
	}
	/* At 240, a 24-byte packet "wrapping" to 0, with all of it published. */
	memcpy(r->data + 240, &h, sizeof(h));
	r->ctrl->write_index = 8;
	expect_peek_broken(r, "field=len value=0x10");
	rig_free(r);
}

/*
 * Random headers and write indices: whatever the producer puts there, a
 * peek either refuses or hands out a payload inside the data area, which is
 * read whole (ASan checks it).
 */
static void test_zc_peek_never_points_outside(void **state)
{
	uint32_t seed = 12345, sum = 0, seen = 0, refused = 0;

	(void)state;
	for (int round = 0; round < 5000; round++) {
		struct rig *r = rig_new(128);
		const void *p;
		uint32_t len;
		uint16_t type;
		int rc;

		for (uint32_t i = 0; i < r->size; i++) {
			seed = seed * 1103515245U + 12345U;
			r->data[i] = (uint8_t)(seed >> 16);
			/* Make small lengths and pads likely. */
			if (i % 8 >= 5 || (i % 8 == 3 && seed % 4))
				r->data[i] = 0;
			if (i % 8 == 2)
				r->data[i] = seed % 3 == 0 ? RING_PKT_F_PAD : 0;
			if (i % 8 == 4)
				r->data[i] &= 0x3f;
		}
		r->ctrl->write_index = (seed >> 8) % 16 * 8;
		while ((rc = ring_peek(&r->cons, &type, &p, &len)) == 1) {
			assert_true(inside(r, p, len));
			for (uint32_t i = 0; i < len; i++)
				sum += ((const uint8_t *)p)[i];
			seen++;
		}
		assert_true(rc == 0 || rc == -EPROTO);
		refused += rc == -EPROTO;
		rig_free(r);
	}
	print_message("fuzz: %u packets handed out, %u rings refused (sum %u)\n", seen, refused,
		      sum);
	/* Both outcomes must be common, or the test proves little. */
	assert_true(seen > 1000 && refused > 1000);
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
	/* 7 x 32 bytes leave 24 of 248 free: a 104-byte packet must wait (after a 32-byte pad). */
	assert_int_equal(ring_write(&r->prod, 2, b, 96, &sig), -ENOSPC);
	assert_int_equal(r->ctrl->pending_send_size, 136);
	assert_false(ring_read_end(&r->cons));
	for (int i = 0; i < 3; i++)
		assert_int_equal(ring_read(&r->cons, NULL, b, sizeof(b)), 24);
	assert_false(ring_read_end(&r->cons)); /* 120 free: not yet */
	assert_int_equal(ring_read(&r->cons, NULL, b, sizeof(b)), 24);
	assert_true(ring_read_end(&r->cons)); /* 152 free */
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

/* The same stream through the zero-copy calls, in batches of up to 16. */
static void *spsc_zc_producer(void *arg)
{
	struct ring_end *e = arg;

	for (uint32_t i = 0; i < SPSC_MESSAGES;) {
		uint32_t len = spsc_len(i), sum;
		uint8_t *buf;
		int rc = ring_reserve(e, (uint16_t)i, len, (void **)&buf);

		if (rc == 0) {
			memcpy(buf, &i, 4);
			for (uint32_t k = 4; k < len - 4; k++)
				buf[k] = (uint8_t)(i + k);
			sum = checksum(buf, len - 4);
			memcpy(buf + len - 4, &sum, 4);
			i++;
			if (i % 16 == 0 && ring_commit(e, NULL) < 0)
				return (void *)(intptr_t)-EPIPE;
		} else if (rc != -ENOSPC) {
			return (void *)(intptr_t)rc;
		} else {
			ring_commit(e, NULL);
			sched_yield();
		}
	}
	return ring_commit(e, NULL) < 0 ? (void *)(intptr_t)-EPIPE : NULL;
}

static void test_two_threads_zero_copy(void **state)
{
	struct rig *r = rig_new(64 * 1024);
	pthread_t th;
	void *ret;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, spsc_zc_producer, &r->prod), 0);
	for (uint32_t i = 0; i < SPSC_MESSAGES;) {
		const uint8_t *p;
		uint32_t len, seq, sum;
		uint16_t type;
		int rc = ring_peek(&r->cons, &type, (const void **)&p, &len);

		assert_true(rc >= 0);
		if (rc == 0) {
			assert_int_equal(ring_release(&r->cons), 0);
			sched_yield();
			continue;
		}
		assert_int_equal(len, spsc_len(i));
		memcpy(&seq, p, 4);
		memcpy(&sum, p + len - 4, 4);
		assert_int_equal(seq, i);
		assert_int_equal(type, (uint16_t)i);
		assert_int_equal(sum, checksum(p, len - 4));
		/* Only now: after the release the producer may overwrite these bytes. */
		if (++i % 32 == 0)
			assert_int_equal(ring_release(&r->cons), 0);
	}
	assert_int_equal(ring_release(&r->cons), 0);
	assert_int_equal(pthread_join(th, &ret), 0);
	assert_null(ret);
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
	/* 113: one byte more than the 120 published bytes hold. */
	static const uint32_t bad[] = {0, 113, 241, 0x7ffffff8, UINT32_MAX - 3, UINT32_MAX};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rig *r = rig_new(256);

		/* Publish the largest packet so only len itself can be wrong. */
		assert_int_equal(put(r, 1, 112, 1), 0);
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

/* A rig whose producer wrote a pad at 48 and a 16-byte packet at 0; the consumer is at 48. */
static struct rig *rig_with_pad(void)
{
	struct rig *r = rig_new(64);

	assert_int_equal(put(r, 1, 16, 1), 0);
	assert_int_equal(put(r, 1, 16, 2), 0);
	get_expect(r, 1, 16, 1);
	get_expect(r, 1, 16, 2);
	/* 48: the next 24-byte packet does not fit before the end: pad, then 0. */
	assert_int_equal(put(r, 3, 16, 3), 0);
	assert_int_equal(r->prod.index, 24);
	assert_int_equal(((struct ring_pkt_hdr *)(r->data + 48))->flags, RING_PKT_F_PAD);
	assert_int_equal(((struct ring_pkt_hdr *)(r->data + 48))->len, 8);
	return r;
}

static void test_pad_is_skipped(void **state)
{
	struct rig *r = rig_with_pad();

	(void)state;
	get_expect(r, 3, 16, 3);
	assert_int_equal(r->cons.index, 24);
	assert_int_equal(r->cons.stats.packets, 3);
	rig_free(r);
}

static void test_hostile_header_at_wrap(void **state)
{
	/* A packet running over the end; pads that stop short, run past, or carry other flags. */
	static const struct {
		struct ring_pkt_hdr h;
		const char *field;
	} bad[] = {
	    {{.type = 1, .flags = 0, .len = 9}, "field=len value=0x9"},
	    {{.type = 0, .flags = RING_PKT_F_PAD, .len = 0}, "field=len value=0"},
	    {{.type = 0, .flags = RING_PKT_F_PAD, .len = 16}, "field=len value=0x10"},
	    {{.type = 0, .flags = RING_PKT_F_PAD | 2, .len = 8}, "field=flags value=0x3"},
	    {{.type = 7, .flags = RING_PKT_F_PAD, .len = 8}, "field=flags"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rig *r = rig_with_pad();

		memcpy(r->data + 48, &bad[i].h, sizeof(bad[i].h));
		expect_consumer_broken(r, bad[i].field);
		rig_free(r);
	}
}

static void test_hostile_pad_not_all_published(void **state)
{
	struct rig *r = rig_new(64);
	struct ring_pkt_hdr pad = {.type = 0, .flags = RING_PKT_F_PAD, .len = 8};

	(void)state;
	assert_int_equal(put(r, 1, 16, 1), 0);
	assert_int_equal(put(r, 1, 16, 2), 0);
	get_expect(r, 1, 16, 1);
	get_expect(r, 1, 16, 2);
	/* A pad at 48 taking 16 bytes, with only 8 of them published. */
	memcpy(r->data + 48, &pad, sizeof(pad));
	r->ctrl->write_index = 56;
	expect_consumer_broken(r, "field=len");
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
	    cmocka_unit_test(test_pad_is_skipped),
	    cmocka_unit_test(test_zc_round_trip_in_place),
	    cmocka_unit_test(test_zc_reserve_at_the_wrap),
	    cmocka_unit_test(test_zc_full_sets_pending_for_everything_reserved),
	    cmocka_unit_test(test_zc_refuses_wrong_role_and_length),
	    cmocka_unit_test(test_zc_mixes_with_the_copying_calls),
	    cmocka_unit_test(test_zc_peek_hostile_lengths),
	    cmocka_unit_test(test_zc_peek_hostile_packet_over_the_end),
	    cmocka_unit_test(test_zc_peek_never_points_outside),
	    cmocka_unit_test(test_signal_only_on_empty_to_nonempty),
	    cmocka_unit_test(test_masked_consumer_gets_no_signal_and_loses_nothing),
	    cmocka_unit_test(test_pending_send_size_wakes_the_producer),
	    cmocka_unit_test(test_polling_producer_skips_the_check),
	    cmocka_unit_test(test_two_threads_million_messages),
	    cmocka_unit_test(test_two_threads_zero_copy),
	    cmocka_unit_test(test_hostile_write_index_out_of_range),
	    cmocka_unit_test(test_hostile_write_index_rewound),
	    cmocka_unit_test(test_hostile_len_beyond_written_region),
	    cmocka_unit_test(test_hostile_len_huge_or_zero),
	    cmocka_unit_test(test_hostile_flags),
	    cmocka_unit_test(test_hostile_header_at_wrap),
	    cmocka_unit_test(test_hostile_pad_not_all_published),
	    cmocka_unit_test(test_hostile_producer_moves_read_index),
	    cmocka_unit_test(test_hostile_pending_send_size),
	    cmocka_unit_test(test_hostile_read_index),
	    cmocka_unit_test(test_hostile_consumer_moves_write_index),
	    cmocka_unit_test(test_broken_is_logged_once),
	    cmocka_unit_test(test_log_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
