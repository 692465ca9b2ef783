/*
 * The parent's software switch: three children and two VFs (VF-path ports
 * reached through the wire, the third child on the synthetic path),
 * broadcast and multicast replication, anti-spoofing on the synthetic path,
 * VLAN rules of the port policy, the switch moment (frames in flight), the
 * data-path switch with its filter hook, and malformed frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "guests/lib/netvsp_switch.h"

enum { A, B, C, D };

static struct switch_port sp[4];
static struct nvsw sw;
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
static const uint8_t outside[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

/* What the PF driver's hook was asked to do. */
static struct {
	unsigned calls, port;
	enum nvsp_path to;
	int result;
} hook;

static int move_filter(void *ctx, unsigned port, const struct switch_port *p, enum nvsp_path to)
{
	(void)ctx;
	assert_ptr_equal(p, &sp[port]);
	hook.calls++;
	hook.port = port;
	hook.to = to;
	return hook.result;
}

static const struct nvsw_hooks hooks = {move_filter};

static const uint8_t *mac_of(unsigned i)
{
	return sp[i].perm_mac.b;
}

static int setup(void **state)
{
	static const char *const names[] = {"child1", "child2", "child3", "child4"};
	struct port_policy pol;

	(void)state;
	memset(&hook, 0, sizeof(hook));
	port_policy_default(&pol);
	nvsw_init(&sw, &hooks, NULL);
	for (unsigned i = 0; i < 4; i++) {
		struct mac_addr m = {{0x02, 0, 0, 0, 0, (uint8_t)(i + 1)}};

		assert_int_equal(port_init(&sp[i], i, names[i], &m, &pol, NULL), 0);
		assert_int_equal(nvsw_port_add(&sw, &sp[i]), (int)i);
		if (i != D)
			assert_int_equal(nvsw_port_attach(&sw, i, true), 0);
	}
	return 0;
}

static size_t frame(uint8_t *f, const uint8_t *dst, const uint8_t *src, int vlan)
{
	memset(f, 0, 64);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	if (vlan < 0) {
		f[12] = 0x08;
		return 60;
	}
	f[12] = 0x81;
	f[14] = (uint8_t)(vlan >> 8);
	f[15] = (uint8_t)vlan;
	f[16] = 0x08;
	return 64;
}

static int route(unsigned src, const uint8_t *dst, const uint8_t *smac, int vlan,
		 struct nvsw_route *r)
{
	uint8_t f[64];

	return nvsw_route(&sw, src, f, frame(f, dst, smac, vlan), r);
}

static void to_vf(unsigned port)
{
	assert_int_equal(nvsw_port_set_vf(&sw, port, true), 0);
	assert_int_equal(nvsw_set_path(&sw, port, NVSP_PATH_VF, NULL), 0);
	assert_int_equal(hook.port, port);
	assert_int_equal(hook.to, NVSP_PATH_VF);
}

/* --- Tests ------------------------------------------------------------- */

static void test_port_table(void **state)
{
	static struct switch_port extra[NVSW_PORTS_MAX];
	unsigned n = 4;

	(void)state;
	assert_int_equal(nvsw_port_add(&sw, &sp[A]), -EEXIST);
	assert_int_equal(nvsw_port_add(&sw, NULL), -EINVAL);
	for (; n < NVSW_PORTS_MAX; n++)
		assert_int_equal(nvsw_port_add(&sw, &extra[n]), (int)n);
	assert_int_equal(nvsw_port_add(&sw, &extra[0]), -ENOSPC);
	assert_int_equal(nvsw_port_attach(&sw, NVSW_PORTS_MAX, true), -ENODEV);
	assert_int_equal(nvsw_port_set_vf(&sw, NVSW_PORTS_MAX, true), -ENODEV);
	assert_string_equal(nvsw_drop_name(NVSW_DROP_SPOOF), "spoofed_source");
	assert_string_equal(nvsw_drop_name(NVSW_DROP_COUNT), "?");
}

static void test_unicast_between_synthetic_ports(void **state)
{
	struct nvsw_route r;

	(void)state;
	assert_int_equal(route(A, mac_of(B), mac_of(A), -1, &r), 1);
	assert_int_equal(r.ports, 1u << B);
	assert_false(r.wire);
	assert_int_equal(route(A, outside, mac_of(A), -1, &r), 1); /* unknown: out the wire */
	assert_true(r.wire);
	assert_int_equal(r.ports, 0);
	assert_int_equal(route(NVSW_WIRE, mac_of(C), outside, -1, &r), 1);
	assert_int_equal(r.ports, 1u << C);
	assert_int_equal(route(A, mac_of(A), mac_of(A), -1, &r), 0); /* to itself */
	assert_int_equal(r.drop, NVSW_DROP_NO_DEST);
	assert_int_equal(route(A, mac_of(D), mac_of(A), -1, &r), 0); /* D not attached */
	assert_int_equal(r.drop, NVSW_DROP_PORT_DOWN);
	assert_int_equal(route(D, mac_of(A), mac_of(D), -1, &r), 0);
	assert_int_equal(r.drop, NVSW_DROP_PORT_DOWN);
	assert_int_equal(route(NVSW_WIRE, outside, mac_of(A), -1, &r), 0);
	assert_int_equal(r.drop, NVSW_DROP_NO_DEST);
	assert_int_equal(route(9, mac_of(A), mac_of(B), -1, &r), -EINVAL);
	assert_int_equal(sw.ports[A].c.tx, 2);
	assert_int_equal(sw.ports[B].c.rx, 1);
	assert_int_equal(sw.ports[A].c.drops[NVSW_DROP_NO_DEST], 1);
	assert_int_equal(sw.wire_in, 2);
	assert_int_equal(sw.wire_out, 1);
}

static void test_broadcast_replication(void **state)
{
	struct nvsw_route r;
	struct port_policy pol = sp[C].policy;

	(void)state;
	assert_int_equal(route(A, bcast, mac_of(A), -1, &r), 3);
	assert_int_equal(r.ports, (1u << B) | (1u << C)); /* not A itself, not detached D */
	assert_true(r.wire);
	assert_int_equal(route(NVSW_WIRE, bcast, outside, -1, &r), 3);
	assert_int_equal(r.ports, (1u << A) | (1u << B) | (1u << C));
	assert_false(r.wire);
	/* Multicast only to ports allowed to receive it; broadcast still to all. */
	pol.allow_multicast = false;
	port_set_policy(&sp[C], &pol);
	assert_int_equal(route(A, mcast, mac_of(A), -1, &r), 2);
	assert_int_equal(r.ports, 1u << B);
	assert_int_equal(route(A, bcast, mac_of(A), -1, &r), 3);
	assert_int_equal(sw.ports[C].c.rx, 3);
}

static void test_spoofed_source_dropped(void **state)
{
	struct nvsw_route r;

	(void)state;
	assert_int_equal(route(A, mac_of(B), mac_of(B), -1, &r), 0); /* B's MAC from A */
	assert_int_equal(r.drop, NVSW_DROP_SPOOF);
	assert_int_equal(r.ports, 0);
	assert_false(r.wire);
	assert_int_equal(route(A, bcast, outside, -1, &r), 0);
	assert_int_equal(r.drop, NVSW_DROP_SPOOF);
	assert_int_equal(route(A, mac_of(B), bcast, -1, &r), 0); /* group source */
	assert_int_equal(route(A, mac_of(B), mac_of(A), -1, &r), 1);
	assert_int_equal(sw.ports[A].c.drops[NVSW_DROP_SPOOF], 3);
	assert_int_equal(sw.drops[NVSW_DROP_SPOOF], 3);
	assert_int_equal(sw.ports[A].c.tx, 1);
	assert_int_equal(sw.ports[B].c.rx, 1);
	/* The MAC in force counts, not the permanent one, once a change was granted. */
	sp[A].state.mac = (struct mac_addr){{0x02, 0, 0, 0, 0, 0x77}};
	assert_int_equal(route(A, mac_of(B), mac_of(A), -1, &r), 0);
	assert_int_equal(route(A, mac_of(B), sp[A].state.mac.b, -1, &r), 1);
}

/* Issue 6: three children, two VFs. A and B on their VFs, C stays synthetic and works. */
static void test_three_children_two_vfs(void **state)
{
	struct nvsw_route r;
	const char *why;

	(void)state;
	to_vf(A);
	to_vf(B);
	assert_int_equal(hook.calls, 2);
	assert_int_equal(nvsw_set_path(&sw, C, NVSP_PATH_VF, &why), -EPERM);
	assert_string_equal(why, "no VF is the port's");
	/* C to A and B: out through the PF's queue, the NIC delivers to the VF pools. */
	assert_int_equal(route(C, mac_of(A), mac_of(C), -1, &r), 1);
	assert_true(r.wire);
	assert_int_equal(r.ports, 0);
	assert_int_equal(route(C, mac_of(B), mac_of(C), -1, &r), 1);
	assert_true(r.wire);
	/* C's broadcast: no synthetic copies for VF-path ports. */
	assert_int_equal(route(C, bcast, mac_of(C), -1, &r), 1);
	assert_int_equal(r.ports, 0);
	assert_true(r.wire);
	/* The wire's broadcast: C only (the NIC replicates to the VF pools). */
	assert_int_equal(route(NVSW_WIRE, bcast, outside, -1, &r), 1);
	assert_int_equal(r.ports, 1u << C);
	/* From the wire to C (a VF-path child's frame looped back by the NIC). */
	assert_int_equal(route(NVSW_WIRE, mac_of(C), mac_of(A), -1, &r), 1);
	assert_int_equal(r.ports, 1u << C);
	/* A frame A sent synthetic before its switch is still switched. */
	assert_int_equal(route(A, mac_of(C), mac_of(A), -1, &r), 1);
	assert_int_equal(r.ports, 1u << C);
	assert_int_equal(sw.ports[C].c.rx, 3);
}

/* The switch moment: a frame for A the PF's queue took before the filter moved. */
static void test_in_flight_at_switch(void **state)
{
	struct nvsw_route r;

	(void)state;
	to_vf(A);
	assert_int_equal(route(NVSW_WIRE, mac_of(A), outside, -1, &r), 1);
	assert_int_equal(r.ports, 1u << A);
	assert_int_equal(sw.ports[A].c.rx_late, 1);
	assert_int_equal(sw.ports[A].c.rx, 1);
}

static void test_set_path_rules(void **state)
{
	struct port_policy pol = sp[A].policy;
	const char *why;

	(void)state;
	assert_int_equal(nvsw_set_path(&sw, 9, NVSP_PATH_VF, &why), -ENODEV);
	pol.allow_vf = false;
	port_set_policy(&sp[A], &pol);
	nvsw_port_set_vf(&sw, A, true);
	assert_int_equal(nvsw_set_path(&sw, A, NVSP_PATH_VF, &why), -EPERM);
	assert_string_equal(why, "port policy forbids a VF");
	pol.allow_vf = true;
	port_set_policy(&sp[A], &pol);
	hook.result = -EIO; /* the PF driver couldn't move the filter */
	assert_int_equal(nvsw_set_path(&sw, A, NVSP_PATH_VF, &why), -EIO);
	assert_string_equal(why, "moving the MAC filter failed");
	assert_int_equal(sw.ports[A].path, NVSP_PATH_SYNTHETIC);
	hook.result = 0;
	assert_int_equal(nvsw_set_path(&sw, A, NVSP_PATH_VF, &why), 0);
	assert_int_equal(nvsw_set_path(&sw, A, NVSP_PATH_VF, &why), 0); /* already: no hook */
	assert_int_equal(hook.calls, 2);
	assert_int_equal(sw.ports[A].c.switches, 1);
	/* The VF taken away under the port: synthetic whatever the hook says. */
	hook.result = -EIO;
	assert_int_equal(nvsw_port_set_vf(&sw, A, false), -EIO);
	assert_int_equal(sw.ports[A].path, NVSP_PATH_SYNTHETIC);
	assert_int_equal(hook.to, NVSP_PATH_SYNTHETIC);
	assert_int_equal(nvsw_port_set_vf(&sw, A, false), 0); /* nothing more to move */
	assert_int_equal(hook.calls, 3);
}

static void test_handle_switch_message(void **state)
{
	uint8_t req[64], ack[64];
	struct nvsp_msg m, a;
	const char *why;
	int len;

	(void)state;
	len = nvsp_encode_switch(req, sizeof(req), 77, NVSP_PATH_VF);
	assert_int_equal(nvsp_decode(req, (size_t)len, NVSP_FROM_CHILD, &m, NULL), 0);
	len = nvsw_handle_switch(&sw, B, &m, ack, sizeof(ack), &why);
	assert_int_equal(nvsp_decode(ack, (size_t)len, NVSP_FROM_PARENT, &a, NULL), 0);
	assert_int_equal(a.u.ack.request_id, 77);
	assert_int_equal(a.u.ack.status, -EPERM); /* B has no VF */
	assert_int_equal(a.u.ack.path, NVSP_PATH_SYNTHETIC);
	nvsw_port_set_vf(&sw, B, true);
	len = nvsw_handle_switch(&sw, B, &m, ack, sizeof(ack), &why);
	assert_int_equal(nvsp_decode(ack, (size_t)len, NVSP_FROM_PARENT, &a, NULL), 0);
	assert_int_equal(a.u.ack.status, 0);
	assert_int_equal(a.u.ack.path, NVSP_PATH_VF);
	len = nvsp_encode_link(req, sizeof(req), true, 0);
	assert_int_equal(nvsp_decode(req, (size_t)len, NVSP_FROM_PARENT, &m, NULL), 0);
	assert_int_equal(nvsw_handle_switch(&sw, B, &m, ack, sizeof(ack), &why), -EINVAL);
}

static void test_vlan_rules(void **state)
{
	struct port_policy access12 = sp[A].policy, trunk = sp[C].policy;
	struct nvsw_route r;

	(void)state;
	access12.vlan = 12;
	port_set_policy(&sp[A], &access12);
	port_set_policy(&sp[B], &access12);
	trunk.allow_vlan = true;
	port_set_policy(&sp[C], &trunk);
	/* Untagged from an access port: VLAN 12, tagged on the wire and for the trunk. */
	assert_int_equal(route(A, bcast, mac_of(A), -1, &r), 3);
	assert_int_equal(r.vid, 12);
	assert_true(r.tag_on_wire);
	assert_int_equal(r.ports, (1u << B) | (1u << C));
	assert_int_equal(r.tag, 1u << C);
	assert_int_equal(r.untag, 0);
	/* The access port may not tag itself. */
	assert_int_equal(route(A, bcast, mac_of(A), 13, &r), 0);
	assert_int_equal(r.drop, NVSW_DROP_VLAN);
	/* Priority-only tag: the port's VLAN. */
	assert_int_equal(route(A, mac_of(B), mac_of(A), 0, &r), 1);
	assert_int_equal(r.untag, 1u << B);
	/* The trunk tags VLAN 12 towards B (untagged for it); VLAN 13 reaches nobody local. */
	assert_int_equal(route(C, mac_of(B), mac_of(C), 12, &r), 1);
	assert_int_equal(r.untag, 1u << B);
	assert_int_equal(route(C, mac_of(B), mac_of(C), 13, &r), 0);
	assert_int_equal(r.drop, NVSW_DROP_VLAN);
	assert_int_equal(route(C, bcast, mac_of(C), 13, &r), 1); /* wire only */
	assert_int_equal(r.ports, 0);
	/* From the wire: tagged 12 to the access ports (untagged) and the trunk. */
	assert_int_equal(route(NVSW_WIRE, bcast, outside, 12, &r), 3);
	assert_int_equal(r.untag, (1u << A) | (1u << B));
	/* Untagged from the wire: the trunk only (it takes untagged too). */
	assert_int_equal(route(NVSW_WIRE, bcast, outside, -1, &r), 1);
	assert_int_equal(r.ports, 1u << C);
	assert_int_equal(route(NVSW_WIRE, mac_of(A), outside, -1, &r), 0);
	assert_int_equal(r.drop, NVSW_DROP_VLAN);
}

static void test_promiscuous(void **state)
{
	struct port_policy pol = sp[B].policy;
	struct nvsw_route r;

	(void)state;
	pol.allow_promisc = true;
	port_set_policy(&sp[B], &pol);
	sp[B].state.promisc_unicast = true;
	assert_int_equal(route(NVSW_WIRE, outside, outside, -1, &r), 1);
	assert_int_equal(r.ports, 1u << B);
	/* Granted state without the policy is not enough. */
	sp[C].state.promisc_unicast = true;
	assert_int_equal(route(NVSW_WIRE, outside, outside, -1, &r), 1);
	assert_int_equal(r.ports, 1u << B);
	/* A promiscuous port on its VF gets nothing in software either. */
	to_vf(B);
	assert_int_equal(route(NVSW_WIRE, outside, outside, -1, &r), 0);
	assert_int_equal(r.drop, NVSW_DROP_NO_DEST);
}

static void test_malformed(void **state)
{
	uint8_t f[1600] = {0};
	struct nvsw_route r;

	(void)state;
	frame(f, mac_of(B), mac_of(A), -1);
	assert_int_equal(nvsw_route(&sw, A, f, 13, &r), 0);
	assert_int_equal(r.drop, NVSW_DROP_MALFORMED);
	assert_int_equal(nvsw_route(&sw, A, f, 1519, &r), 0);
	assert_int_equal(nvsw_route(&sw, A, NULL, 60, &r), 0);
	frame(f, mac_of(B), mac_of(A), 5);
	assert_int_equal(nvsw_route(&sw, A, f, 17, &r), 0); /* tag cut short */
	assert_int_equal(nvsw_route(&sw, NVSW_WIRE, f, 16, &r), 0);
	assert_int_equal(sw.drops[NVSW_DROP_MALFORMED], 5);
	assert_int_equal(sw.ports[A].c.drops[NVSW_DROP_MALFORMED], 4);
	frame(f, mac_of(B), mac_of(A), -1);
	assert_int_equal(nvsw_route(&sw, A, f, 1518, &r), 1);
}

static void test_stats(void **state)
{
	struct nvsw_route r;
	struct nvsp_stats st;

	(void)state;
	route(A, mac_of(B), mac_of(A), -1, &r);
	route(A, mac_of(B), mac_of(C), -1, &r);
	route(B, mac_of(A), mac_of(B), -1, &r);
	assert_int_equal(nvsw_port_stats(&sw, A, &st), 0);
	assert_int_equal(st.tx_frames, 1);
	assert_int_equal(st.rx_frames, 1);
	assert_int_equal(st.tx_dropped, 1);
	assert_int_equal(nvsw_port_stats(&sw, 99, &st), -ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_port_table, setup),
	    cmocka_unit_test_setup(test_unicast_between_synthetic_ports, setup),
	    cmocka_unit_test_setup(test_broadcast_replication, setup),
	    cmocka_unit_test_setup(test_spoofed_source_dropped, setup),
	    cmocka_unit_test_setup(test_three_children_two_vfs, setup),
	    cmocka_unit_test_setup(test_in_flight_at_switch, setup),
	    cmocka_unit_test_setup(test_set_path_rules, setup),
	    cmocka_unit_test_setup(test_handle_switch_message, setup),
	    cmocka_unit_test_setup(test_vlan_rules, setup),
	    cmocka_unit_test_setup(test_promiscuous, setup),
	    cmocka_unit_test_setup(test_malformed, setup),
	    cmocka_unit_test_setup(test_stats, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
