/*
 * NetVSC messages: every type through encode and decode, and the decoder
 * against hostile input: lying lengths, unknown types and versions, wrong
 * direction, out-of-range fields, batches whose entries don't add up, and
 * random mutations of valid messages (ASan watches every read).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "guests/lib/netvsc_proto.h"

static const uint8_t mac1[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x01};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint8_t buf[NVSP_MSG_MAX + 64];

static void fill_frame(uint8_t *f, size_t len, uint8_t seed)
{
	memcpy(f, bcast, 6);
	memcpy(f + 6, mac1, 6);
	for (size_t i = 12; i < len; i++)
		f[i] = (uint8_t)(seed + i);
}

static int decode(const void *b, size_t len, enum nvsp_from from, struct nvsp_msg *m)
{
	const char *why = NULL;
	int r = nvsp_decode(b, len, from, m, &why);

	assert_non_null(why);
	return r;
}

static void set_u16(uint8_t *b, size_t off, uint16_t v)
{
	memcpy(b + off, &v, 2);
}

static void set_u32(uint8_t *b, size_t off, uint32_t v)
{
	memcpy(b + off, &v, 4);
}

/* --- Round trips ------------------------------------------------------- */

static void test_init_roundtrip(void **state)
{
	struct nvsp_msg m;
	int len = nvsp_encode_init(buf, sizeof(buf), 1, 3, 1500);

	(void)state;
	assert_int_equal(len, sizeof(struct nvsp_init));
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), 0);
	assert_int_equal(m.type, NVSP_INIT);
	assert_int_equal(m.version, NVSP_VERSION_1);
	assert_int_equal(m.u.init.version_min, 1);
	assert_int_equal(m.u.init.version_max, 3);
	assert_int_equal(m.u.init.mtu, 1500);
	assert_string_equal(nvsp_type_name(m.type), "init");
}

static void test_init_ack_roundtrip(void **state)
{
	struct nvsp_msg m;
	int len = nvsp_encode_init_ack(buf, sizeof(buf), 0, 1, 1500, mac1, true);

	(void)state;
	assert_int_equal(len, sizeof(struct nvsp_init_ack));
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_PARENT, &m), 0);
	assert_int_equal(m.u.init_ack.status, 0);
	assert_int_equal(m.u.init_ack.version, 1);
	assert_memory_equal(m.u.init_ack.mac, mac1, 6);
	assert_true(m.u.init_ack.link_up);
	/* A refusal carries no usable MAC */
	len = nvsp_encode_init_ack(buf, sizeof(buf), -ENOTSUP, 0, 0, NULL, false);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_PARENT, &m), 0);
	assert_int_equal(m.u.init_ack.status, -ENOTSUP);
}

static void test_small_roundtrips(void **state)
{
	struct nvsp_msg m;
	struct nvsp_stats st = {.tx_frames = 7, .rx_frames = 9, .tx_dropped = 1, .rx_dropped = 2};
	int len;

	(void)state;
	len = nvsp_encode_link(buf, sizeof(buf), true, 1000);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_PARENT, &m), 0);
	assert_true(m.u.link.up);
	assert_int_equal(m.u.link.speed_mbps, 1000);

	len = nvsp_encode_vf_associate(buf, sizeof(buf), true, 3, 0x0311, mac1);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_PARENT, &m), 0);
	assert_true(m.u.vf.associated);
	assert_int_equal(m.u.vf.serial, 3);
	assert_int_equal(m.u.vf.bdf, 0x0311);
	assert_memory_equal(m.u.vf.mac, mac1, 6);
	len = nvsp_encode_vf_associate(buf, sizeof(buf), false, 3, 0x0311, NULL);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_PARENT, &m), 0);
	assert_false(m.u.vf.associated);

	len = nvsp_encode_switch(buf, sizeof(buf), 42, NVSP_PATH_VF);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), 0);
	assert_int_equal(m.u.sw.request_id, 42);
	assert_int_equal(m.u.sw.path, NVSP_PATH_VF);

	len = nvsp_encode_switch_ack(buf, sizeof(buf), 42, -EPERM, NVSP_PATH_SYNTHETIC);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_PARENT, &m), 0);
	assert_int_equal(m.u.ack.request_id, 42);
	assert_int_equal(m.u.ack.status, -EPERM);
	assert_int_equal(m.u.ack.path, NVSP_PATH_SYNTHETIC);

	len = nvsp_encode_stats_req(buf, sizeof(buf), 5);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), 0);
	assert_int_equal(m.u.stats_req.request_id, 5);
	len = nvsp_encode_stats_reply(buf, sizeof(buf), 5, &st);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_PARENT, &m), 0);
	assert_int_equal(m.u.stats.stats.rx_frames, 9);
	assert_int_equal(m.u.stats.stats.rx_dropped, 2);
}

static void test_frame_roundtrip(void **state)
{
	uint8_t f[NVSP_FRAME_MAX];
	struct nvsp_msg m;
	int len;

	(void)state;
	fill_frame(f, sizeof(f), 1);
	f[12] = 0x81; /* a VLAN-tagged full-size frame is 1518 bytes */
	f[13] = 0x00;
	len = nvsp_encode_frame(buf, sizeof(buf), f, sizeof(f));
	assert_int_equal(len, sizeof(struct nvsp_frame) + NVSP_FRAME_MAX);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), 0);
	assert_int_equal(m.u.frame.len, NVSP_FRAME_MAX);
	assert_memory_equal(m.u.frame.data, f, sizeof(f));
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_PARENT, &m), 0);
}

static void test_batch_roundtrip(void **state)
{
	static const uint16_t lens[] = {14, 60, 61, 1518, 15};
	uint8_t f[NVSP_FRAME_MAX];
	struct nvsp_batch_builder b;
	struct nvsp_batch_iter it;
	struct nvsp_msg m;
	const uint8_t *p;
	uint16_t l;
	unsigned n = 0;
	int len;

	(void)state;
	assert_int_equal(nvsp_batch_begin(&b, buf, sizeof(buf)), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(lens); i++) {
		fill_frame(f, lens[i], (uint8_t)i);
		assert_int_equal(nvsp_batch_add(&b, f, lens[i]), 0);
	}
	len = nvsp_batch_finish(&b);
	assert_true(len > 0);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_PARENT, &m), 0);
	assert_int_equal(m.u.batch.count, ARRAY_SIZE(lens));
	nvsp_batch_iter_init(&it, &m);
	while (nvsp_batch_next(&it, &p, &l)) {
		fill_frame(f, lens[n], (uint8_t)n);
		assert_int_equal(l, lens[n]);
		assert_memory_equal(p, f, l);
		n++;
	}
	assert_int_equal(n, ARRAY_SIZE(lens));
}

static void test_batch_builder_limits(void **state)
{
	uint8_t f[NVSP_FRAME_MAX];
	uint8_t small[64];
	struct nvsp_batch_builder b;
	unsigned n = 0;

	(void)state;
	fill_frame(f, sizeof(f), 0);
	assert_int_equal(nvsp_batch_begin(&b, small, 16), -ENOSPC);
	assert_int_equal(nvsp_batch_begin(&b, buf, sizeof(buf)), 0);
	assert_int_equal(nvsp_batch_finish(&b), -ENODATA);
	assert_int_equal(nvsp_batch_add(&b, f, 13), -EINVAL);
	assert_int_equal(nvsp_batch_add(&b, f, 1519), -EINVAL);
	/* Full frames: the message limit stops the batch, never an overflow. */
	while (nvsp_batch_add(&b, f, sizeof(f)) == 0)
		n++;
	assert_int_equal(nvsp_batch_add(&b, f, sizeof(f)), -ENOSPC);
	assert_int_equal(n, (NVSP_MSG_MAX - 16) / (4 + 1520));
	assert_true(nvsp_batch_finish(&b) <= NVSP_MSG_MAX);
	/* Small frames: the count limit stops it. */
	assert_int_equal(nvsp_batch_begin(&b, buf, sizeof(buf)), 0);
	for (n = 0; n < NVSP_BATCH_MAX; n++)
		assert_int_equal(nvsp_batch_add(&b, f, 60), 0);
	assert_int_equal(nvsp_batch_add(&b, f, 60), -E2BIG);
	assert_int_equal(nvsp_batch_finish(&b), 16 + 64 * 64);
}

static void test_version_choose(void **state)
{
	uint16_t v = 0;

	(void)state;
	assert_int_equal(nvsp_version_choose(1, 1, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(nvsp_version_choose(0, 9, &v), 0);
	assert_int_equal(v, NVSP_VERSION_MAX);
	assert_int_equal(nvsp_version_choose(2, 5, &v), -ENOTSUP);
	assert_int_equal(nvsp_version_choose(3, 1, &v), -ENOTSUP);
	assert_int_equal(nvsp_version_choose(0, 0, &v), -ENOTSUP);
}

static void test_encoders_refuse(void **state)
{
	uint8_t f[20] = {0};
	static const uint8_t mcast[6] = {0x01, 0, 0x5e, 0, 0, 1};

	(void)state;
	assert_int_equal(nvsp_encode_init(buf, 8, 1, 1, 1500), -ENOSPC);
	assert_int_equal(nvsp_encode_init(buf, sizeof(buf), 2, 1, 1500), -EINVAL);
	assert_int_equal(nvsp_encode_init(buf, sizeof(buf), 1, 1, 1501), -EINVAL);
	assert_int_equal(nvsp_encode_init_ack(buf, sizeof(buf), 0, 1, 1500, mcast, true), -EINVAL);
	assert_int_equal(nvsp_encode_init_ack(buf, sizeof(buf), 1, 1, 1500, mac1, true), -EINVAL);
	assert_int_equal(nvsp_encode_frame(buf, sizeof(buf), f, 13), -EINVAL);
	assert_int_equal(nvsp_encode_frame(buf, 20, f, 20), -ENOSPC);
	assert_int_equal(nvsp_encode_vf_associate(buf, sizeof(buf), true, 0, 0x10000, mac1),
			 -EINVAL);
	assert_int_equal(nvsp_encode_vf_associate(buf, sizeof(buf), true, 0, 1, NULL), -EINVAL);
	assert_int_equal(nvsp_encode_switch(buf, sizeof(buf), 1, (enum nvsp_path)2), -EINVAL);
	assert_int_equal(nvsp_encode_switch_ack(buf, sizeof(buf), 1, 5, NVSP_PATH_VF), -EINVAL);
	assert_int_equal(nvsp_encode_stats_reply(buf, sizeof(buf), 1, NULL), -EINVAL);
	assert_int_equal(nvsp_encode_link(buf, 15, true, 0), -ENOSPC);
}

/* --- Hostile input: headers ------------------------------------------- */

static void test_header_refusals(void **state)
{
	struct nvsp_msg m = {.type = 0x55};
	const char *why;
	int len;

	(void)state;
	len = nvsp_encode_switch(buf, sizeof(buf), 1, NVSP_PATH_VF);
	assert_int_equal(nvsp_decode(buf, 7, NVSP_FROM_CHILD, &m, &why), -EBADMSG);
	assert_string_equal(why, "shorter than a header");
	assert_int_equal(nvsp_decode(NULL, 16, NVSP_FROM_CHILD, &m, &why), -EBADMSG);
	assert_int_equal(nvsp_decode(buf, NVSP_MSG_MAX + 1, NVSP_FROM_CHILD, &m, &why), -E2BIG);
	set_u16(buf, 0, 2); /* version */
	assert_int_equal(nvsp_decode(buf, (size_t)len, NVSP_FROM_CHILD, &m, &why), -ENOTSUP);
	assert_string_equal(why, "unknown message version");
	set_u16(buf, 0, 0);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), -ENOTSUP);
	set_u16(buf, 0, 1);
	for (unsigned t = 0; t < 0x10000; t += (t < 16 ? 1 : 251)) {
		if (t >= 1 && t < NVSP_TYPE_COUNT)
			continue;
		set_u16(buf, 2, (uint16_t)t);
		assert_int_equal(nvsp_decode(buf, (size_t)len, NVSP_FROM_CHILD, &m, &why),
				 -ENOTSUP);
		assert_string_equal(why, "unknown message type");
		assert_string_equal(nvsp_type_name((uint16_t)t), "unknown");
	}
	set_u16(buf, 2, NVSP_SWITCH_DATAPATH);
	set_u32(buf, 4, (uint32_t)len + 1); /* header says longer than the packet */
	assert_int_equal(nvsp_decode(buf, (size_t)len, NVSP_FROM_CHILD, &m, &why), -EBADMSG);
	assert_string_equal(why, "header length disagrees with the packet");
	set_u32(buf, 4, 0xffffffffu);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), -EBADMSG);
	assert_int_equal(m.type, 0x55); /* untouched on failure */
}

static void test_direction(void **state)
{
	struct nvsp_msg m;
	const char *why;
	int len;

	(void)state;
	len = nvsp_encode_vf_associate(buf, sizeof(buf), true, 1, 2, mac1);
	assert_int_equal(nvsp_decode(buf, (size_t)len, NVSP_FROM_CHILD, &m, &why), -EPERM);
	assert_string_equal(why, "type not allowed from this side");
	len = nvsp_encode_switch_ack(buf, sizeof(buf), 1, 0, NVSP_PATH_VF);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), -EPERM);
	len = nvsp_encode_init_ack(buf, sizeof(buf), 0, 1, 1500, mac1, true);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), -EPERM);
	len = nvsp_encode_link(buf, sizeof(buf), false, 0);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), -EPERM);
	len = nvsp_encode_switch(buf, sizeof(buf), 1, NVSP_PATH_VF);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_PARENT, &m), -EPERM);
	len = nvsp_encode_init(buf, sizeof(buf), 1, 1, 1500);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_PARENT, &m), -EPERM);
	/* Counters may be asked for either way (the parent's `net stats` asks the children). */
	len = nvsp_encode_stats_req(buf, sizeof(buf), 5);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_PARENT, &m), 0);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), 0);
}

static void test_fixed_sizes(void **state)
{
	struct nvsp_msg m;
	const char *why;
	int len;

	(void)state;
	len = nvsp_encode_switch_ack(buf, sizeof(buf), 1, 0, NVSP_PATH_VF);
	set_u32(buf, 4, (uint32_t)len - 1);
	assert_int_equal(nvsp_decode(buf, (size_t)len - 1, NVSP_FROM_PARENT, &m, &why), -EBADMSG);
	assert_string_equal(why, "message shorter than its type");
	set_u32(buf, 4, (uint32_t)len + 4);
	assert_int_equal(nvsp_decode(buf, (size_t)len + 4, NVSP_FROM_PARENT, &m, &why), -EBADMSG);
	assert_string_equal(why, "message longer than its type");
}

/* --- Hostile input: fields --------------------------------------------- */

struct field_case {
	const char *what;
	int (*build)(void);
	size_t off;
	unsigned width;
	uint32_t value;
	enum nvsp_from from;
	int err;
};

static int b_init(void)
{
	return nvsp_encode_init(buf, sizeof(buf), 1, 1, 1500);
}
static int b_ack(void)
{
	return nvsp_encode_init_ack(buf, sizeof(buf), 0, 1, 1500, mac1, true);
}
static int b_link(void)
{
	return nvsp_encode_link(buf, sizeof(buf), true, 10);
}
static int b_assoc(void)
{
	return nvsp_encode_vf_associate(buf, sizeof(buf), true, 1, 0x300, mac1);
}
static int b_switch(void)
{
	return nvsp_encode_switch(buf, sizeof(buf), 1, NVSP_PATH_VF);
}
static int b_swack(void)
{
	return nvsp_encode_switch_ack(buf, sizeof(buf), 1, 0, NVSP_PATH_VF);
}

static const struct field_case field_cases[] = {
    {"init min > max", b_init, 8, 2, 2, NVSP_FROM_CHILD, -EBADMSG},
    {"init min 0", b_init, 8, 2, 0, NVSP_FROM_CHILD, -EBADMSG},
    {"init mtu 67", b_init, 12, 2, 67, NVSP_FROM_CHILD, -EBADMSG},
    {"init mtu 9000", b_init, 12, 2, 9000, NVSP_FROM_CHILD, -EBADMSG},
    {"ack status positive", b_ack, 8, 4, 3, NVSP_FROM_PARENT, -EBADMSG},
    {"ack version 7", b_ack, 12, 2, 7, NVSP_FROM_PARENT, -ENOTSUP},
    {"ack mtu 0", b_ack, 14, 2, 0, NVSP_FROM_PARENT, -EBADMSG},
    {"ack multicast MAC", b_ack, 16, 1, 0x03, NVSP_FROM_PARENT, -EBADMSG},
    {"ack link 2", b_ack, 22, 1, 2, NVSP_FROM_PARENT, -EBADMSG},
    {"link up 9", b_link, 8, 1, 9, NVSP_FROM_PARENT, -EBADMSG},
    {"assoc flag 2", b_assoc, 22, 1, 2, NVSP_FROM_PARENT, -EBADMSG},
    {"assoc bdf 17 bits", b_assoc, 12, 4, 0x10000, NVSP_FROM_PARENT, -EBADMSG},
    {"assoc broadcast MAC", b_assoc, 16, 1, 0xff, NVSP_FROM_PARENT, -EBADMSG},
    {"switch path 2", b_switch, 12, 1, 2, NVSP_FROM_CHILD, -EBADMSG},
    {"ack path 200", b_swack, 16, 1, 200, NVSP_FROM_PARENT, -EBADMSG},
    {"ack status positive", b_swack, 12, 4, 1, NVSP_FROM_PARENT, -EBADMSG},
};

static void test_field_refusals(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(field_cases); i++) {
		const struct field_case *c = &field_cases[i];
		struct nvsp_msg m;
		int len = c->build();

		assert_true(len > 0);
		assert_int_equal(decode(buf, (size_t)len, c->from, &m), 0);
		memcpy(buf + c->off, &c->value, c->width);
		if (decode(buf, (size_t)len, c->from, &m) != c->err)
			fail_msg("case '%s' not refused with %d", c->what, c->err);
	}
}

static int frame_msg(uint16_t frame_len)
{
	uint8_t f[NVSP_FRAME_MAX];

	fill_frame(f, frame_len, 0);
	return nvsp_encode_frame(buf, sizeof(buf), f, frame_len);
}

static void test_frame_refusals(void **state)
{
	struct nvsp_msg m;
	const char *why;
	int len;

	(void)state;
	len = frame_msg(100);
	set_u16(buf, 8, 101); /* frame_len lies: longer than the message */
	assert_int_equal(nvsp_decode(buf, (size_t)len, NVSP_FROM_CHILD, &m, &why), -EBADMSG);
	assert_string_equal(why, "frame_len disagrees with the message length");
	set_u16(buf, 8, 99); /* shorter: trailing bytes */
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), -EBADMSG);
	set_u16(buf, 8, 13);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), -EBADMSG);
	set_u16(buf, 8, 0xffff);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), -E2BIG);
	/* A 1519-byte frame whose lengths agree is still too long. */
	len = frame_msg(1518);
	buf[len] = 0;
	set_u16(buf, 8, 1519);
	set_u32(buf, 4, (uint32_t)len + 1);
	assert_int_equal(nvsp_decode(buf, (size_t)len + 1, NVSP_FROM_CHILD, &m, &why), -E2BIG);
	assert_string_equal(why, "frame longer than 1518");
	/* Header alone, no frame. */
	len = frame_msg(14);
	set_u32(buf, 4, 16);
	assert_int_equal(decode(buf, 16, NVSP_FROM_CHILD, &m), -EBADMSG);
}

static int batch_msg(unsigned n, uint16_t frame_len)
{
	uint8_t f[NVSP_FRAME_MAX];
	struct nvsp_batch_builder b;

	fill_frame(f, frame_len, 0);
	assert_int_equal(nvsp_batch_begin(&b, buf, sizeof(buf)), 0);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(nvsp_batch_add(&b, f, frame_len), 0);
	return nvsp_batch_finish(&b);
}

static void test_batch_refusals(void **state)
{
	struct nvsp_msg m;
	const char *why;
	int len;

	(void)state;
	len = batch_msg(3, 60); /* entries of 64 bytes at 16, 80, 144 */
	set_u16(buf, 8, 4);	/* count says one more than there is */
	assert_int_equal(nvsp_decode(buf, (size_t)len, NVSP_FROM_CHILD, &m, &why), -EBADMSG);
	assert_string_equal(why, "batch entry header past the end");
	set_u16(buf, 8, 2); /* one less: bytes left over */
	assert_int_equal(nvsp_decode(buf, (size_t)len, NVSP_FROM_CHILD, &m, &why), -EBADMSG);
	assert_string_equal(why, "bytes after the last batch entry");
	set_u16(buf, 8, 0);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), -EBADMSG);
	set_u16(buf, 8, 65);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), -E2BIG);
	set_u16(buf, 8, 3);
	set_u16(buf, 144, 64); /* last entry runs past the end */
	assert_int_equal(nvsp_decode(buf, (size_t)len, NVSP_FROM_CHILD, &m, &why), -EBADMSG);
	assert_string_equal(why, "batch frame past the end");
	set_u16(buf, 144, 0xfff0);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), -E2BIG);
	set_u16(buf, 144, 0);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), -EBADMSG);
	set_u16(buf, 144, 60);
	set_u16(buf, 80, 56); /* middle entry shorter: the walk reads frame bytes as a header */
	assert_true(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m) < 0);
	set_u16(buf, 80, 60);
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), 0);
	/* Batch header with no entries at all. */
	set_u32(buf, 4, 16);
	set_u16(buf, 8, 1);
	assert_int_equal(decode(buf, 16, NVSP_FROM_CHILD, &m), -EBADMSG);
}

/* The iterator stays inside the message even when handed a forged one. */
static void test_batch_iter_forged(void **state)
{
	struct nvsp_msg m;
	struct nvsp_batch_iter it;
	const uint8_t *p;
	uint16_t l;
	unsigned n = 0;
	int len = batch_msg(2, 60);

	(void)state;
	assert_int_equal(decode(buf, (size_t)len, NVSP_FROM_CHILD, &m), 0);
	m.u.batch.count = 40; /* never validated this way */
	nvsp_batch_iter_init(&it, &m);
	while (nvsp_batch_next(&it, &p, &l))
		n++;
	assert_int_equal(n, 2);
	m.type = NVSP_FRAME;
	nvsp_batch_iter_init(&it, &m);
	assert_false(nvsp_batch_next(&it, &p, &l));
}

/* --- Random mutations -------------------------------------------------- */

static void check_decoded(const struct nvsp_msg *m, const uint8_t *b, size_t len)
{
	struct nvsp_batch_iter it;
	const uint8_t *p;
	uint16_t l;
	unsigned n = 0;

	if (m->type == NVSP_FRAME) {
		assert_true(m->u.frame.data >= b && m->u.frame.data + m->u.frame.len <= b + len);
		assert_in_range(m->u.frame.len, NVSP_FRAME_MIN, NVSP_FRAME_MAX);
	}
	if (m->type != NVSP_FRAME_BATCH)
		return;
	nvsp_batch_iter_init(&it, m);
	while (nvsp_batch_next(&it, &p, &l)) {
		assert_true(p >= b && p + l <= b + len);
		n++;
	}
	assert_int_equal(n, m->u.batch.count);
}

static void test_mutations(void **state)
{
	static uint8_t copy[NVSP_MSG_MAX];
	int (*const builders[])(void) = {b_init, b_ack, b_link, b_assoc, b_switch, b_swack};
	unsigned accepted = 0, refused = 0;

	(void)state;
	srand(6);
	for (unsigned round = 0; round < 20000; round++) {
		unsigned kind = (unsigned)rand() % (ARRAY_SIZE(builders) + 2);
		int len = kind < ARRAY_SIZE(builders)	 ? builders[kind]()
			  : kind == ARRAY_SIZE(builders) ? frame_msg((uint16_t)(14 + rand() % 200))
							 : batch_msg(1 + (unsigned)rand() % 5, 60);
		size_t cut = (size_t)len - (size_t)(rand() % 3 == 0 ? rand() % (len + 1) : 0);
		struct nvsp_msg m;

		for (int flips = rand() % 4; flips >= 0; flips--)
			buf[rand() % len] ^= (uint8_t)(1u << (rand() % 8));
		/* An exact-size heap copy: ASan catches any read past cut. */
		memcpy(copy, buf, cut);
		uint8_t *heap = malloc(cut ? cut : 1);
		memcpy(heap, copy, cut);
		if (nvsp_decode(heap, cut, (enum nvsp_from)(round & 1), &m, NULL) == 0) {
			check_decoded(&m, heap, cut);
			accepted++;
		} else {
			refused++;
		}
		free(heap);
	}
	assert_true(accepted > 0 && refused > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_roundtrip),    cmocka_unit_test(test_init_ack_roundtrip),
	    cmocka_unit_test(test_small_roundtrips),  cmocka_unit_test(test_frame_roundtrip),
	    cmocka_unit_test(test_batch_roundtrip),   cmocka_unit_test(test_batch_builder_limits),
	    cmocka_unit_test(test_version_choose),    cmocka_unit_test(test_encoders_refuse),
	    cmocka_unit_test(test_header_refusals),   cmocka_unit_test(test_direction),
	    cmocka_unit_test(test_fixed_sizes),	      cmocka_unit_test(test_field_refusals),
	    cmocka_unit_test(test_frame_refusals),    cmocka_unit_test(test_batch_refusals),
	    cmocka_unit_test(test_batch_iter_forged), cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
