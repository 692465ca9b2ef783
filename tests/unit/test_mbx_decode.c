/*
 * Mailbox decoder: the exact messages Linux's igbvf sends, every refusal
 * path with a hostile message, the reply words igbvf expects back, the
 * request encoder's round trip, and a random storm in which nothing the
 * decoder accepts breaks the protocol's invariants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "drivers/nic/mbx_decode.h"

static const struct mac_addr mac_a = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a}};

static int decode(const uint32_t *w, unsigned n, struct mbx_request *r, const char **why)
{
	return mbx_decode(w, n, r, why);
}

/* --- What igbvf sends ---------------------------------------------------- */

static void test_igbvf_reset(void **state)
{
	const uint32_t w[1] = {0x00000001};
	struct mbx_request r;
	const char *why;

	(void)state;
	assert_int_equal(decode(w, 1, &r, &why), 0);
	assert_int_equal(r.kind, MBX_REQ_RESET);
	assert_string_equal(why, "ok");
	assert_string_equal(mbx_kind_name(r.kind), "reset");
}

static void test_igbvf_set_mac(void **state)
{
	/* e1000_rar_set_vf: memset 12 bytes, id, then the 6 bytes from &msgbuf[1]. */
	const uint32_t w[3] = {0x00000002, 0x00000002, 0x00000a00};
	struct mbx_request r;

	(void)state;
	assert_int_equal(decode(w, 3, &r, NULL), 0);
	assert_int_equal(r.kind, MBX_REQ_SET_MAC);
	assert_memory_equal(r.u.mac.b, mac_a.b, ETH_ALEN);
	assert_int_equal(r.header, 0x00000002);
}

static void test_igbvf_mac_filters(void **state)
{
	const uint32_t clr[3] = {0x00010002, 0, 0};
	const uint32_t add[3] = {0x00020002, 0x00000002, 0x00000a00};
	struct mbx_request r;

	(void)state;
	assert_int_equal(decode(clr, 3, &r, NULL), 0);
	assert_int_equal(r.kind, MBX_REQ_MAC_FILTER_CLEAR);
	assert_int_equal(decode(add, 3, &r, NULL), 0);
	assert_int_equal(r.kind, MBX_REQ_MAC_FILTER_ADD);
	assert_memory_equal(r.u.mac.b, mac_a.b, ETH_ALEN);
}

static void test_igbvf_multicast_ignores_unused_words(void **state)
{
	/* igbvf writes all 16 words from an uninitialised stack buffer. */
	uint32_t w[IGB_MBX_WORDS];
	struct mbx_request r;

	(void)state;
	for (unsigned i = 0; i < IGB_MBX_WORDS; i++)
		w[i] = 0xDEADBEEF;
	w[0] = 0x00030003; /* three hashes */
	w[1] = 0x0123 | 0x0456u << 16;
	w[2] = 0xDEAD0789; /* hash 2 in the low half; the high half is unused */
	assert_int_equal(decode(w, IGB_MBX_WORDS, &r, NULL), 0);
	assert_int_equal(r.kind, MBX_REQ_SET_MULTICAST);
	assert_int_equal(r.u.mc.count, 3);
	assert_int_equal(r.u.mc.hash[0], 0x123);
	assert_int_equal(r.u.mc.hash[1], 0x456);
	assert_int_equal(r.u.mc.hash[2], 0x789);
	assert_false(r.u.mc.overflow);
}

static void test_igbvf_vlan_lpe_promisc(void **state)
{
	const uint32_t add[2] = {0x00010004, 100};
	const uint32_t del[2] = {0x00000004, 100};
	const uint32_t lpe[2] = {0x00000005, 1500 + 14 + 4 + 4};
	const uint32_t pr[1] = {0x00030006};
	struct mbx_request r;

	(void)state;
	assert_int_equal(decode(add, 2, &r, NULL), 0);
	assert_int_equal(r.kind, MBX_REQ_SET_VLAN);
	assert_int_equal(r.u.vlan.id, 100);
	assert_true(r.u.vlan.add);
	assert_int_equal(decode(del, 2, &r, NULL), 0);
	assert_false(r.u.vlan.add);
	assert_int_equal(decode(lpe, 2, &r, NULL), 0);
	assert_int_equal(r.kind, MBX_REQ_SET_LPE);
	assert_int_equal(r.u.max_frame, 1522);
	assert_int_equal(decode(pr, 1, &r, NULL), 0);
	assert_int_equal(r.kind, MBX_REQ_SET_PROMISC);
	assert_true(r.u.promisc.unicast);
	assert_true(r.u.promisc.multicast);
}

/* --- Every refusal ------------------------------------------------------- */

struct bad_msg {
	const char *what;
	uint32_t w[IGB_MBX_WORDS];
	unsigned count;
	int err;
	const char *reason;
};

static const struct bad_msg bad[] = {
    {"no words", {1}, 0, -EBADMSG, "bad word count"},
    {"17 words", {1}, 17, -EBADMSG, "bad word count"},
    {"ack flag", {0x80000001}, 1, -EBADMSG, "reply flags in a request"},
    {"nack flag", {0x40000002, 2, 0}, 3, -EBADMSG, "reply flags in a request"},
    {"cts flag", {0x20000001}, 1, -EBADMSG, "reply flags in a request"},
    {"bit 24", {0x01000001}, 1, -EINVAL, "reserved header bits"},
    {"bit 28", {0x10000004, 1}, 2, -EINVAL, "reserved header bits"},
    {"id 0", {0}, 1, -ENOSYS, "unknown message id"},
    {"id 7", {7}, 1, -ENOSYS, "unknown message id"},
    {"api negotiate", {8, 2}, 2, -ENOSYS, "unknown message id"},
    {"pf control id", {0x100}, 1, -ENOSYS, "unknown message id"},
    {"id 0xffff", {0xFFFF}, 1, -ENOSYS, "unknown message id"},
    {"reset msginfo", {0x00010001}, 1, -EINVAL, "reset with msginfo bits"},
    {"mac 1 word", {2}, 1, -EBADMSG, "set-mac shorter than 3 words"},
    {"mac 2 words", {2, 0x02}, 2, -EBADMSG, "set-mac shorter than 3 words"},
    {"mac sub 3", {0x00030002, 2, 0xa00}, 3, -EINVAL, "unknown set-mac sub-command"},
    {"mac sub 0xff", {0x00FF0002, 2, 0xa00}, 3, -EINVAL, "unknown set-mac sub-command"},
    {"mac high bits", {2, 2, 0x00010a00}, 3, -EINVAL, "reserved bits in MAC word"},
    {"filter clr high", {0x00010002, 0, 0xFFFF0000}, 3, -EINVAL, "reserved bits in MAC word"},
    {"zero mac", {2, 0, 0}, 3, -EINVAL, "all-zero MAC"},
    {"zero filter", {0x00020002, 0, 0}, 3, -EINVAL, "all-zero MAC"},
    {"multicast mac", {2, 0x01, 0xa00}, 3, -EINVAL, "multicast MAC"},
    {"broadcast mac", {2, 0xFFFFFFFF, 0xFFFF}, 3, -EINVAL, "multicast MAC"},
    {"mc 31", {0x001F0003}, 16, -E2BIG, "more multicast hashes than fit"},
    {"mc 127", {0x007F0003}, 16, -E2BIG, "more multicast hashes than fit"},
    {"mc overflow short",
     {0x00850003, 1, 2, 3},
     4,
     -EINVAL,
     "multicast overflow flag without a full list"},
    {"mc 3 in 2 words", {0x00030003, 1}, 2, -EBADMSG, "multicast list longer than the message"},
    {"mc 30 in 15 words", {0x001E0003}, 15, -EBADMSG, "multicast list longer than the message"},
    {"mc 1 no words", {0x00010003}, 1, -EBADMSG, "multicast list longer than the message"},
    {"mc hash 13 bits", {0x00020003, 0x10000001}, 2, -EINVAL, "multicast hash above 12 bits"},
    {"mc hash 0xffff", {0x00010003, 0xFFFF}, 2, -EINVAL, "multicast hash above 12 bits"},
    {"vlan sub 2", {0x00020004, 5}, 2, -EINVAL, "unknown set-vlan sub-command"},
    {"vlan 1 word", {0x00010004}, 1, -EBADMSG, "set-vlan shorter than 2 words"},
    {"vlan 4095", {0x00010004, 4095}, 2, -EINVAL, "VLAN id 4095 is reserved"},
    {"vlan 4096", {0x00010004, 4096}, 2, -EINVAL, "VLAN id above 4095"},
    {"vlan high bits", {0x00010004, 0x80000005}, 2, -EINVAL, "VLAN id above 4095"},
    {"lpe msginfo", {0x00010005, 1522}, 2, -EINVAL, "set-lpe with msginfo bits"},
    {"lpe 1 word", {5}, 1, -EBADMSG, "set-lpe shorter than 2 words"},
    {"lpe 0", {5, 0}, 2, -ERANGE, "frame size out of range"},
    {"lpe 63", {5, 63}, 2, -ERANGE, "frame size out of range"},
    {"lpe 16129", {5, 0x3F01}, 2, -ERANGE, "frame size out of range"},
    {"lpe huge", {5, 0xFFFFFFFF}, 2, -ERANGE, "frame size out of range"},
    {"promisc bit 2", {0x00040006}, 1, -EINVAL, "unknown promisc flags"},
    {"promisc bit 7", {0x00800006}, 1, -EINVAL, "unknown promisc flags"},
};

static bool union_is_zero(const struct mbx_request *r)
{
	static const uint8_t zero[sizeof(r->u)];

	return memcmp(&r->u, zero, sizeof(r->u)) == 0;
}

static void test_every_refusal(void **state)
{
	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mbx_request r;
		const char *why = NULL;
		int err = decode(bad[i].w, bad[i].count, &r, &why);

		if (err != bad[i].err || strcmp(why, bad[i].reason) != 0)
			fail_msg("%s: got %d \"%s\", want %d \"%s\"", bad[i].what, err, why,
				 bad[i].err, bad[i].reason);
		assert_int_equal(r.kind, MBX_REQ_NONE);
		assert_true(union_is_zero(&r));
		if (bad[i].count >= 1 && bad[i].count <= IGB_MBX_WORDS)
			assert_int_equal(r.header, bad[i].w[0]); /* for the NACK */
	}
}

static void test_boundaries_accepted(void **state)
{
	uint32_t w[IGB_MBX_WORDS] = {0};
	struct mbx_request r;

	(void)state;
	w[0] = 0x009E0003; /* 30 hashes + overflow: 15 hash words */
	for (unsigned i = 1; i < IGB_MBX_WORDS; i++)
		w[i] = 0x0FFF0FFF;
	assert_int_equal(decode(w, 16, &r, NULL), 0);
	assert_int_equal(r.u.mc.count, 30);
	assert_true(r.u.mc.overflow);
	assert_int_equal(r.u.mc.hash[29], 0xFFF);
	w[0] = 0x00000003; /* leave every group */
	assert_int_equal(decode(w, 1, &r, NULL), 0);
	assert_int_equal(r.u.mc.count, 0);
	w[0] = 0x00010004;
	w[1] = 4094;
	assert_int_equal(decode(w, 2, &r, NULL), 0);
	w[1] = 0;
	assert_int_equal(decode(w, 2, &r, NULL), 0);
	w[0] = 5;
	w[1] = 64;
	assert_int_equal(decode(w, 2, &r, NULL), 0);
	w[1] = 0x3F00;
	assert_int_equal(decode(w, 2, &r, NULL), 0);
	w[0] = 6; /* promisc all off */
	assert_int_equal(decode(w, 1, &r, NULL), 0);
	assert_false(r.u.promisc.unicast || r.u.promisc.multicast);
}

/* --- Replies -------------------------------------------------------------- */

static void test_reply_words(void **state)
{
	(void)state;
	/* igbvf's e1000_set_vfta_vf: NACK check after clearing CTS. */
	assert_int_equal(mbx_reply_word(0x00000004, false, true) & ~IGB_MBX_CTS,
			 IGB_MBX_VF_SET_VLAN | IGB_MBX_NACK);
	assert_int_equal(mbx_reply_word(0x00010004, true, true), 0xA0010004);
	assert_int_equal(mbx_reply_word(0x00000002, false, false), 0x40000002);
	/* Flags a VF smuggled into the header never flip the answer. */
	assert_int_equal(mbx_reply_word(0xE0000002, false, false), 0x40000002);
	assert_int_equal(mbx_control_word(true), 0x20000100);
	assert_int_equal(mbx_control_word(false), 0x00000100);
}

static void test_reset_reply(void **state)
{
	uint32_t w[IGB_MBX_RESET_REPLY_WORDS];
	const struct mac_addr mc = {{0x01, 0, 0x5e, 0, 0, 1}};

	(void)state;
	assert_int_equal(mbx_encode_reset_reply(&mac_a, w), 3);
	/* e1000_reset_hw_vf compares word 0 whole, then copies 6 bytes from &msgbuf[1]. */
	assert_int_equal(w[0], 0x80000001);
	assert_int_equal(w[1], 0x00000002);
	assert_int_equal(w[2], 0x00000a00);
	assert_int_equal(mbx_encode_reset_reply(NULL, w), 3);
	assert_int_equal(w[0], 0x40000001);
	assert_int_equal(w[1] | w[2], 0);
	mbx_encode_reset_reply(&mc, w);
	assert_int_equal(w[0], 0x40000001);
	assert_int_equal(w[1] | w[2], 0);
}

/* --- Request encoder ------------------------------------------------------ */

static void test_encode_round_trip(void **state)
{
	struct mbx_request reqs[8] = {
	    {.kind = MBX_REQ_RESET},
	    {.kind = MBX_REQ_SET_MAC, .u.mac = mac_a},
	    {.kind = MBX_REQ_MAC_FILTER_CLEAR},
	    {.kind = MBX_REQ_MAC_FILTER_ADD, .u.mac = mac_a},
	    {.kind = MBX_REQ_SET_MULTICAST, .u.mc = {.count = 5, .hash = {1, 2, 3, 4, 0xFFF}}},
	    {.kind = MBX_REQ_SET_VLAN, .u.vlan = {.id = 42, .add = true}},
	    {.kind = MBX_REQ_SET_LPE, .u.max_frame = 9018},
	    {.kind = MBX_REQ_SET_PROMISC, .u.promisc = {.multicast = true}},
	};

	(void)state;
	for (unsigned i = 0; i < 8; i++) {
		uint32_t w[IGB_MBX_WORDS];
		struct mbx_request back;
		int n = mbx_encode_request(&reqs[i], w);

		assert_true(n >= 1 && n <= IGB_MBX_WORDS);
		assert_int_equal(decode(w, (unsigned)n, &back, NULL), 0);
		assert_int_equal(back.kind, reqs[i].kind);
		assert_memory_equal(&back.u, &reqs[i].u, sizeof(back.u));
	}
}

static void test_encode_refuses_bad_requests(void **state)
{
	uint32_t w[IGB_MBX_WORDS];
	struct mbx_request r = {.kind = MBX_REQ_SET_VLAN, .u.vlan = {.id = 4095}};

	(void)state;
	assert_int_equal(mbx_encode_request(&r, w), -EINVAL);
	r = (struct mbx_request){.kind = MBX_REQ_SET_MULTICAST, .u.mc = {.count = 31}};
	assert_int_equal(mbx_encode_request(&r, w), -EINVAL);
	r = (struct mbx_request){.kind = MBX_REQ_SET_MAC}; /* zero MAC */
	assert_int_equal(mbx_encode_request(&r, w), -EINVAL);
	r = (struct mbx_request){.kind = MBX_REQ_NONE};
	assert_int_equal(mbx_encode_request(&r, w), -EINVAL);
	r.kind = MBX_REQ_KIND_COUNT;
	assert_int_equal(mbx_encode_request(&r, w), -EINVAL);
	assert_string_equal(mbx_kind_name(MBX_REQ_KIND_COUNT), "none");
}

/* --- MAC helpers ------------------------------------------------------------ */

static void test_mac_helpers(void **state)
{
	char buf[MAC_STR_LEN];
	struct mac_addr m = {{0}};
	const char *bad_text[] = {"",
				  "02:00:00:00:00",
				  "02:00:00:00:00:0g",
				  "02:00:00:00:00:0a:",
				  "2:00:00:00:00:0a",
				  "02-00-00-00-00-0a",
				  "02:00:00:00:00:0a0"};

	(void)state;
	assert_string_equal(mac_format(&mac_a, buf), "02:00:00:00:00:0a");
	assert_int_equal(mac_parse("02:00:00:00:00:0A", &m), 0);
	assert_true(mac_equal(&m, &mac_a));
	for (unsigned i = 0; i < sizeof(bad_text) / sizeof(bad_text[0]); i++) {
		struct mac_addr untouched = mac_a;

		assert_int_equal(mac_parse(bad_text[i], &untouched), -EINVAL);
		assert_true(mac_equal(&untouched, &mac_a));
	}
	assert_true(mac_is_valid_unicast(&mac_a));
	m = (struct mac_addr){{0}};
	assert_true(mac_is_zero(&m));
	assert_false(mac_is_valid_unicast(&m));
	m.b[0] = 0x33;
	assert_true(mac_is_multicast(&m));
}

/* --- A random storm -------------------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Small ids and MSGINFO most of the time, so the decoders' insides get hit. */
static void random_message(uint32_t w[IGB_MBX_WORDS])
{
	for (unsigned i = 0; i < IGB_MBX_WORDS; i++)
		w[i] = next_random();
	if (next_random() % 4)
		w[0] = (next_random() % 8) | (next_random() % 4) << IGB_MBX_MSGINFO_SHIFT;
	if (next_random() % 2)
		w[1] &= 0x1FFF;
}

static void check_invariants(const struct mbx_request *r)
{
	switch (r->kind) {
	case MBX_REQ_SET_MAC:
	case MBX_REQ_MAC_FILTER_ADD:
		assert_true(mac_is_valid_unicast(&r->u.mac));
		break;
	case MBX_REQ_SET_MULTICAST:
		assert_true(r->u.mc.count <= IGB_MBX_MC_MAX);
		for (unsigned i = 0; i < r->u.mc.count; i++)
			assert_true(r->u.mc.hash[i] <= IGB_MBX_MC_HASH_MASK);
		break;
	case MBX_REQ_SET_VLAN:
		assert_true(r->u.vlan.id < 4095);
		break;
	case MBX_REQ_SET_LPE:
		assert_true(r->u.max_frame >= IGB_MBX_LPE_MIN && r->u.max_frame <= IGB_MBX_LPE_MAX);
		break;
	default:
		assert_true(r->kind > MBX_REQ_NONE && r->kind < MBX_REQ_KIND_COUNT);
	}
}

static void test_random_storm(void **state)
{
	unsigned accepted = 0;

	(void)state;
	for (unsigned i = 0; i < 200000; i++) {
		uint32_t w[IGB_MBX_WORDS], again[IGB_MBX_WORDS];
		struct mbx_request r, back;
		unsigned n = next_random() % (IGB_MBX_WORDS + 2);
		const char *why = NULL;
		int err;

		random_message(w);
		err = decode(w, n, &r, &why);
		assert_non_null(why);
		if (err) {
			assert_int_equal(r.kind, MBX_REQ_NONE);
			continue;
		}
		accepted++;
		check_invariants(&r);
		int m = mbx_encode_request(&r, again);
		assert_true(m > 0);
		assert_int_equal(decode(again, (unsigned)m, &back, NULL), 0);
		assert_memory_equal(&back.u, &r.u, sizeof(r.u));
	}
	assert_true(accepted > 1000); /* the storm did reach the decoders */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_igbvf_reset),
	    cmocka_unit_test(test_igbvf_set_mac),
	    cmocka_unit_test(test_igbvf_mac_filters),
	    cmocka_unit_test(test_igbvf_multicast_ignores_unused_words),
	    cmocka_unit_test(test_igbvf_vlan_lpe_promisc),
	    cmocka_unit_test(test_every_refusal),
	    cmocka_unit_test(test_boundaries_accepted),
	    cmocka_unit_test(test_reply_words),
	    cmocka_unit_test(test_reset_reply),
	    cmocka_unit_test(test_encode_round_trip),
	    cmocka_unit_test(test_encode_refuses_bad_requests),
	    cmocka_unit_test(test_mac_helpers),
	    cmocka_unit_test(test_random_storm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
