/*
 * The vmbus control protocol (guests/lib/vmbus_ctl.c): encoding round
 * trips, malformed messages from the peer, both state machines through the
 * whole handshake, and messages out of order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guests/lib/vmbus_ctl.h"
#include "guests/lib/vmbus_layout.h"
#include "hv/errno.h"
#include "hv/string.h"

static struct vmbus_ctl_msg msg_of(uint16_t type)
{
	struct vmbus_ctl_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	return m;
}

static struct vmbus_ctl_msg version_req(uint32_t v)
{
	struct vmbus_ctl_msg m = msg_of(VMBUS_CTL_VERSION_REQ);

	m.u.version_req.version = v;
	return m;
}

static struct vmbus_ctl_msg version_resp(uint32_t v, uint32_t accepted)
{
	struct vmbus_ctl_msg m = msg_of(VMBUS_CTL_VERSION_RESP);

	m.u.version_resp.version = v;
	m.u.version_resp.accepted = accepted;
	return m;
}

static struct vmbus_ctl_msg instance_msg(uint16_t type, uint32_t id)
{
	struct vmbus_ctl_msg m = msg_of(type);

	m.u.instance.instance_id = id;
	return m;
}

static struct vmbus_ctl_msg open_result(uint32_t id, int32_t status)
{
	struct vmbus_ctl_msg m = msg_of(VMBUS_CTL_OPEN_RESULT);

	m.u.open_result.instance_id = id;
	m.u.open_result.status = status;
	return m;
}

static struct vmbus_ctl_msg offer(uint32_t id)
{
	struct vmbus_ctl_msg m;

	vmbus_ctl_offer_netvsc(&m, id);
	return m;
}

/* Encodes m, decodes the bytes again, and checks both agree. */
static void round_trip(const struct vmbus_ctl_msg *m, int want_len)
{
	uint8_t buf[VMBUS_CTL_MSG_MAX];
	struct vmbus_ctl_msg out;
	const char *why = "unset";

	assert_int_equal(vmbus_ctl_encode(m, buf, sizeof(buf)), want_len);
	assert_int_equal(vmbus_ctl_decode(buf, (size_t)want_len, &out, &why), 0);
	assert_null(why);
	assert_int_equal(out.type, m->type);
	assert_memory_equal(&out.u, &m->u, (size_t)want_len - sizeof(struct vmbus_ctl_hdr));
}

static void test_encode_decode_every_type(void **state)
{
	struct vmbus_ctl_msg m;

	(void)state;
	m = version_req(1);
	round_trip(&m, 12);
	m = version_resp(1, 1);
	round_trip(&m, 16);
	m = offer(7);
	round_trip(&m, 48);
	m = instance_msg(VMBUS_CTL_OPEN, 7);
	round_trip(&m, 12);
	m = open_result(7, -ENOMEM);
	round_trip(&m, 16);
	m = instance_msg(VMBUS_CTL_RESCIND, 7);
	round_trip(&m, 12);
	m = instance_msg(VMBUS_CTL_CLOSE, 7);
	round_trip(&m, 12);
}

static void test_offer_names_the_layout(void **state)
{
	struct vmbus_ctl_msg m = offer(3);

	(void)state;
	assert_string_equal(m.u.offer.class_name, "netvsc");
	assert_int_equal(m.u.offer.p2c.offset, 0x10000);
	assert_int_equal(m.u.offer.c2p.offset, 0x90000);
	assert_int_equal(m.u.offer.p2c.data_size, 508 * 1024);
	assert_int_equal(VMBUS_RING_DATA(VMBUS_NET_C2P_OFFSET), 0x91000);
}

static void test_encode_refuses_bad_messages(void **state)
{
	uint8_t buf[VMBUS_CTL_MSG_MAX];
	struct vmbus_ctl_msg m = msg_of(99);

	(void)state;
	assert_int_equal(vmbus_ctl_encode(&m, buf, sizeof(buf)), -EINVAL);
	m = version_req(0);
	assert_int_equal(vmbus_ctl_encode(&m, buf, sizeof(buf)), -EINVAL);
	m = open_result(1, 5);
	assert_int_equal(vmbus_ctl_encode(&m, buf, sizeof(buf)), -EINVAL);
	m = offer(1);
	assert_int_equal(vmbus_ctl_encode(&m, buf, 47), -ENOSPC);
	assert_int_equal(vmbus_ctl_encode(NULL, buf, sizeof(buf)), -EINVAL);
}

/* Decodes len bytes of buf and expects err with a reason containing why. */
static void decode_fails(const void *buf, size_t len, int err, const char *why)
{
	struct vmbus_ctl_msg out;
	const char *reason = NULL;

	assert_int_equal(vmbus_ctl_decode(buf, len, &out, &reason), err);
	assert_non_null(reason);
	assert_non_null(strstr(reason, why));
}

static size_t encoded(const struct vmbus_ctl_msg *m, uint8_t *buf)
{
	int n = vmbus_ctl_encode(m, buf, VMBUS_CTL_MSG_MAX);

	assert_true(n > 0);
	return (size_t)n;
}

static void test_decode_short_and_long(void **state)
{
	uint8_t buf[VMBUS_CTL_MSG_MAX + 8] = {0};
	struct vmbus_ctl_msg m = offer(1);
	size_t n = encoded(&m, buf);

	(void)state;
	decode_fails(buf, 0, -EBADMSG, "shorter than a header");
	decode_fails(buf, 7, -EBADMSG, "shorter than a header");
	decode_fails(NULL, 8, -EBADMSG, "");
	/* Cut anywhere inside the body: the header's len no longer agrees. */
	for (size_t cut = 8; cut < n; cut++)
		decode_fails(buf, cut, -EBADMSG, "disagrees");
	decode_fails(buf, n + 1, -EBADMSG, "disagrees");
	decode_fails(buf, sizeof(buf), -EBADMSG, "longer than any message");
}

static void test_decode_wrong_version_and_type(void **state)
{
	uint8_t buf[VMBUS_CTL_MSG_MAX];
	struct vmbus_ctl_msg m = version_req(1);
	size_t n = encoded(&m, buf);
	struct vmbus_ctl_hdr *h = (struct vmbus_ctl_hdr *)buf;

	(void)state;
	h->version = 2;
	decode_fails(buf, n, -EPROTO, "header version");
	h->version = VMBUS_CTL_VERSION;
	h->type = 0;
	decode_fails(buf, n, -EBADMSG, "unknown message type");
	h->type = 8;
	decode_fails(buf, n, -EBADMSG, "unknown message type");
	h->type = 0xffff;
	decode_fails(buf, n, -EBADMSG, "unknown message type");
}

static void test_decode_lying_lengths(void **state)
{
	uint8_t buf[VMBUS_CTL_MSG_MAX];
	struct vmbus_ctl_msg m = instance_msg(VMBUS_CTL_OPEN, 1);
	size_t n = encoded(&m, buf);
	struct vmbus_ctl_hdr *h = (struct vmbus_ctl_hdr *)buf;

	(void)state;
	h->len = 0xffffffff;
	decode_fails(buf, n, -EBADMSG, "disagrees");
	h->len = 40;
	decode_fails(buf, n, -EBADMSG, "disagrees");
	/* Length consistent with the bytes, but not the size of an OPEN. */
	h->len = 8;
	memset(buf + n, 0, 4);
	decode_fails(buf, n + 4, -EBADMSG, "not the size of the type's body");
	/* An OPEN's bytes claiming to be an OFFER. */
	h->len = 4;
	h->type = VMBUS_CTL_OFFER;
	decode_fails(buf, n, -EBADMSG, "not the size");
}

static void test_decode_bad_contents(void **state)
{
	uint8_t buf[VMBUS_CTL_MSG_MAX];
	struct vmbus_ctl_msg m = offer(1);
	size_t n = encoded(&m, buf);
	struct vmbus_ctl_offer *o = (struct vmbus_ctl_offer *)(buf + 8);

	(void)state;
	memset(o->class_name, 'a', sizeof(o->class_name));
	decode_fails(buf, n, -EBADMSG, "class name");
	memcpy(o->class_name, "net\0x", 6);
	decode_fails(buf, n, -EBADMSG, "class name");
	memcpy(o->class_name, "Net", 4);
	decode_fails(buf, n, -EBADMSG, "class name");
	memcpy(o->class_name, "net", 4);
	decode_fails(buf, n, -EBADMSG, "class name"); /* and bytes after the NUL */
	memset(o->class_name, 0, sizeof(o->class_name));
	memcpy(o->class_name, "netvsc", 6);
	o->reserved = 1;
	decode_fails(buf, n, -EBADMSG, "reserved");
	o->reserved = 0;
	o->p2c.offset = 0; /* over the control rings */
	decode_fails(buf, n, -EBADMSG, "outside");
	o->p2c.offset = 0x10010; /* not page aligned */
	decode_fails(buf, n, -EBADMSG, "outside");
	o->p2c.offset = 0x1ff000; /* runs past the 2 MiB slot */
	decode_fails(buf, n, -EBADMSG, "outside");
	o->p2c.offset = 0x10000;
	o->p2c.data_size = 0xfffff000; /* end wraps 32 bits */
	decode_fails(buf, n, -EBADMSG, "outside");
	o->p2c.data_size = 508 * 1024;
	o->c2p.offset = 0x80000; /* inside p2c */
	decode_fails(buf, n, -EBADMSG, "overlap");

	m = version_resp(1, 2);
	/* Encoding refuses it: craft it by hand. */
	assert_int_equal(vmbus_ctl_encode(&m, buf, sizeof(buf)), -EINVAL);
	m = version_resp(1, 1);
	n = encoded(&m, buf);
	((struct vmbus_ctl_version_resp *)(buf + 8))->accepted = 2;
	decode_fails(buf, n, -EBADMSG, "accepted");

	m = open_result(1, 0);
	n = encoded(&m, buf);
	((struct vmbus_ctl_open_result *)(buf + 8))->status = 1;
	decode_fails(buf, n, -EBADMSG, "open status");
	((struct vmbus_ctl_open_result *)(buf + 8))->status = INT32_MIN;
	decode_fails(buf, n, -EBADMSG, "open status");
}

/* ---- state machines ------------------------------------------------------ */

static void step(struct vmbus_ctl_sm *sm, bool send, struct vmbus_ctl_msg m,
		 enum vmbus_ctl_state want)
{
	const char *why = NULL;
	int rc = send ? vmbus_ctl_sm_send(sm, &m, &why) : vmbus_ctl_sm_recv(sm, &m, &why);

	if (rc)
		print_error("step %s: %s\n", vmbus_ctl_type_name(m.type), why);
	assert_int_equal(rc, 0);
	assert_string_equal(vmbus_ctl_state_name(sm->state), vmbus_ctl_state_name(want));
}

static void refused(struct vmbus_ctl_sm *sm, bool send, struct vmbus_ctl_msg m,
		    const char *why_part)
{
	enum vmbus_ctl_state before = sm->state;
	const char *why = NULL;
	int rc = send ? vmbus_ctl_sm_send(sm, &m, &why) : vmbus_ctl_sm_recv(sm, &m, &why);

	assert_int_equal(rc, send ? -EINVAL : -EPROTO);
	assert_non_null(why);
	assert_non_null(strstr(why, why_part));
	assert_int_equal(sm->state, before);
}

enum { SENDS = true, RECEIVES = false };

/* Both ends through the whole life of one device, in lock step. */
static void test_handshake_open_rescind_close(void **state)
{
	struct vmbus_ctl_sm p, c;

	(void)state;
	vmbus_ctl_sm_init(&p, VMBUS_CTL_PARENT);
	vmbus_ctl_sm_init(&c, VMBUS_CTL_CHILD);
	step(&c, SENDS, version_req(1), VMBUS_CTL_ST_CONTACTING);
	step(&p, RECEIVES, version_req(1), VMBUS_CTL_ST_CONTACTING);
	step(&p, SENDS, version_resp(1, 1), VMBUS_CTL_ST_CONNECTED);
	step(&c, RECEIVES, version_resp(1, 1), VMBUS_CTL_ST_CONNECTED);
	assert_int_equal(c.version, 1);
	step(&p, SENDS, offer(42), VMBUS_CTL_ST_OFFERED);
	step(&c, RECEIVES, offer(42), VMBUS_CTL_ST_OFFERED);
	assert_int_equal(c.offer.c2p.offset, VMBUS_NET_C2P_OFFSET);
	step(&c, SENDS, instance_msg(VMBUS_CTL_OPEN, 42), VMBUS_CTL_ST_OPENING);
	step(&p, RECEIVES, instance_msg(VMBUS_CTL_OPEN, 42), VMBUS_CTL_ST_OPENING);
	step(&p, SENDS, open_result(42, 0), VMBUS_CTL_ST_OPEN);
	step(&c, RECEIVES, open_result(42, 0), VMBUS_CTL_ST_OPEN);
	step(&p, SENDS, instance_msg(VMBUS_CTL_RESCIND, 42), VMBUS_CTL_ST_RESCINDED);
	step(&c, RECEIVES, instance_msg(VMBUS_CTL_RESCIND, 42), VMBUS_CTL_ST_RESCINDED);
	step(&c, SENDS, instance_msg(VMBUS_CTL_CLOSE, 42), VMBUS_CTL_ST_CLOSED);
	step(&p, RECEIVES, instance_msg(VMBUS_CTL_CLOSE, 42), VMBUS_CTL_ST_CLOSED);
}

static void test_refusals_send_the_ends_back(void **state)
{
	struct vmbus_ctl_sm c;

	(void)state;
	vmbus_ctl_sm_init(&c, VMBUS_CTL_CHILD);
	step(&c, SENDS, version_req(1), VMBUS_CTL_ST_CONTACTING);
	step(&c, RECEIVES, version_resp(1, 0), VMBUS_CTL_ST_IDLE);
	step(&c, SENDS, version_req(1), VMBUS_CTL_ST_CONTACTING);
	step(&c, RECEIVES, version_resp(1, 1), VMBUS_CTL_ST_CONNECTED);
	step(&c, RECEIVES, offer(5), VMBUS_CTL_ST_OFFERED);
	step(&c, SENDS, instance_msg(VMBUS_CTL_OPEN, 5), VMBUS_CTL_ST_OPENING);
	step(&c, RECEIVES, open_result(5, -ENOMEM), VMBUS_CTL_ST_OFFERED);
	assert_int_equal(c.open_status, -ENOMEM);
	step(&c, SENDS, instance_msg(VMBUS_CTL_OPEN, 5), VMBUS_CTL_ST_OPENING);
	step(&c, RECEIVES, open_result(5, 0), VMBUS_CTL_ST_OPEN);
	step(&c, SENDS, instance_msg(VMBUS_CTL_CLOSE, 5), VMBUS_CTL_ST_CLOSED);
}

static void test_child_refuses_out_of_order(void **state)
{
	struct vmbus_ctl_sm c;

	(void)state;
	vmbus_ctl_sm_init(&c, VMBUS_CTL_CHILD);
	refused(&c, RECEIVES, offer(1), "not allowed in this state");
	refused(&c, RECEIVES, version_resp(1, 1), "not allowed in this state");
	refused(&c, SENDS, instance_msg(VMBUS_CTL_OPEN, 0), "not allowed in this state");
	refused(&c, RECEIVES, version_req(1), "not for this role");
	refused(&c, SENDS, offer(1), "not for this role");
	step(&c, SENDS, version_req(1), VMBUS_CTL_ST_CONTACTING);
	refused(&c, SENDS, version_req(1), "not allowed in this state");
	refused(&c, RECEIVES, version_resp(2, 1), "does not speak");
	step(&c, RECEIVES, version_resp(1, 1), VMBUS_CTL_ST_CONNECTED);
	refused(&c, RECEIVES, instance_msg(VMBUS_CTL_RESCIND, 0), "not allowed in this state");
	refused(&c, RECEIVES, open_result(0, 0), "not allowed in this state");
	step(&c, RECEIVES, offer(9), VMBUS_CTL_ST_OFFERED);
	refused(&c, RECEIVES, offer(9), "not allowed in this state");
	refused(&c, SENDS, instance_msg(VMBUS_CTL_OPEN, 8), "instance id");
	refused(&c, SENDS, instance_msg(VMBUS_CTL_CLOSE, 9), "not allowed in this state");
	step(&c, SENDS, instance_msg(VMBUS_CTL_OPEN, 9), VMBUS_CTL_ST_OPENING);
	refused(&c, RECEIVES, open_result(8, 0), "instance id");
	refused(&c, RECEIVES, open_result(9, 3), "open status");
	step(&c, RECEIVES, open_result(9, 0), VMBUS_CTL_ST_OPEN);
	refused(&c, RECEIVES, instance_msg(VMBUS_CTL_RESCIND, 8), "instance id");
	step(&c, SENDS, instance_msg(VMBUS_CTL_CLOSE, 9), VMBUS_CTL_ST_CLOSED);
	/* A RESCIND that crossed the CLOSE is taken; nothing else is. */
	step(&c, RECEIVES, instance_msg(VMBUS_CTL_RESCIND, 9), VMBUS_CTL_ST_CLOSED);
	refused(&c, RECEIVES, instance_msg(VMBUS_CTL_RESCIND, 8), "instance id");
	refused(&c, RECEIVES, offer(9), "not allowed in this state");
	refused(&c, SENDS, instance_msg(VMBUS_CTL_OPEN, 9), "not allowed in this state");
}

static void test_parent_refuses_out_of_order(void **state)
{
	struct vmbus_ctl_sm p;
	struct vmbus_ctl_msg junk = msg_of(42);
	const char *why;

	(void)state;
	vmbus_ctl_sm_init(&p, VMBUS_CTL_PARENT);
	refused(&p, SENDS, offer(1), "not allowed in this state");
	refused(&p, RECEIVES, instance_msg(VMBUS_CTL_OPEN, 0), "not allowed in this state");
	refused(&p, RECEIVES, instance_msg(VMBUS_CTL_CLOSE, 0), "not allowed in this state");
	refused(&p, RECEIVES, open_result(0, 0), "not for this role");
	refused(&p, RECEIVES, junk, "not for this role");
	refused(&p, RECEIVES, version_req(0), "version 0");
	step(&p, RECEIVES, version_req(3), VMBUS_CTL_ST_CONTACTING);
	refused(&p, RECEIVES, version_req(1), "not allowed in this state");
	step(&p, SENDS, version_resp(1, 1), VMBUS_CTL_ST_CONNECTED);
	step(&p, SENDS, offer(4), VMBUS_CTL_ST_OFFERED);
	refused(&p, RECEIVES, instance_msg(VMBUS_CTL_OPEN, 5), "instance id");
	refused(&p, RECEIVES, instance_msg(VMBUS_CTL_CLOSE, 4), "not allowed in this state");
	step(&p, RECEIVES, instance_msg(VMBUS_CTL_OPEN, 4), VMBUS_CTL_ST_OPENING);
	refused(&p, RECEIVES, instance_msg(VMBUS_CTL_OPEN, 4), "not allowed in this state");
	step(&p, SENDS, open_result(4, 0), VMBUS_CTL_ST_OPEN);
	step(&p, RECEIVES, instance_msg(VMBUS_CTL_CLOSE, 4), VMBUS_CTL_ST_CLOSED);
	refused(&p, SENDS, instance_msg(VMBUS_CTL_RESCIND, 4), "not allowed in this state");
	assert_int_equal(vmbus_ctl_sm_recv(&p, NULL, &why), -EINVAL);
}

/* The parent rescinds while the child's OPEN is on its way. */
static void test_rescind_crossing_open(void **state)
{
	struct vmbus_ctl_sm p, c;

	(void)state;
	vmbus_ctl_sm_init(&p, VMBUS_CTL_PARENT);
	vmbus_ctl_sm_init(&c, VMBUS_CTL_CHILD);
	step(&p, RECEIVES, version_req(1), VMBUS_CTL_ST_CONTACTING);
	step(&p, SENDS, version_resp(1, 1), VMBUS_CTL_ST_CONNECTED);
	step(&p, SENDS, offer(2), VMBUS_CTL_ST_OFFERED);
	step(&c, SENDS, version_req(1), VMBUS_CTL_ST_CONTACTING);
	step(&c, RECEIVES, version_resp(1, 1), VMBUS_CTL_ST_CONNECTED);
	step(&c, RECEIVES, offer(2), VMBUS_CTL_ST_OFFERED);
	step(&c, SENDS, instance_msg(VMBUS_CTL_OPEN, 2), VMBUS_CTL_ST_OPENING);
	step(&p, SENDS, instance_msg(VMBUS_CTL_RESCIND, 2), VMBUS_CTL_ST_RESCINDED);
	step(&p, RECEIVES, instance_msg(VMBUS_CTL_OPEN, 2), VMBUS_CTL_ST_RESCINDED);
	refused(&p, SENDS, open_result(2, 0), "not allowed in this state");
	step(&c, RECEIVES, instance_msg(VMBUS_CTL_RESCIND, 2), VMBUS_CTL_ST_RESCINDED);
	step(&c, SENDS, instance_msg(VMBUS_CTL_CLOSE, 2), VMBUS_CTL_ST_CLOSED);
	step(&p, RECEIVES, instance_msg(VMBUS_CTL_CLOSE, 2), VMBUS_CTL_ST_CLOSED);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(vmbus_ctl_type_name(VMBUS_CTL_OPEN_RESULT), "OPEN_RESULT");
	assert_string_equal(vmbus_ctl_type_name(0), "?");
	assert_string_equal(vmbus_ctl_type_name(0xffff), "?");
	assert_string_equal(vmbus_ctl_state_name(VMBUS_CTL_ST_RESCINDED), "rescinded");
	assert_string_equal(vmbus_ctl_state_name((enum vmbus_ctl_state)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode_decode_every_type),
	    cmocka_unit_test(test_offer_names_the_layout),
	    cmocka_unit_test(test_encode_refuses_bad_messages),
	    cmocka_unit_test(test_decode_short_and_long),
	    cmocka_unit_test(test_decode_wrong_version_and_type),
	    cmocka_unit_test(test_decode_lying_lengths),
	    cmocka_unit_test(test_decode_bad_contents),
	    cmocka_unit_test(test_handshake_open_rescind_close),
	    cmocka_unit_test(test_refusals_send_the_ends_back),
	    cmocka_unit_test(test_child_refuses_out_of_order),
	    cmocka_unit_test(test_parent_refuses_out_of_order),
	    cmocka_unit_test(test_rescind_crossing_open),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
