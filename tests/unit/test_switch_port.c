/*
 * Switch port policy: a table of requests against ports with different
 * policies (a MAC change one port allows and another refuses, the refusing
 * one keeping its MAC), every refusal path, what a policy change does to
 * the state a guest built up, and the `port set` parser with hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "drivers/nic/switch_port.h"

static const struct mac_addr own = {{0x02, 0x00, 0x00, 0x00, 0x01, 0x01}};
static const struct mac_addr other = {{0x02, 0x00, 0x00, 0x00, 0x09, 0x09}};

static struct switch_port make_port(const struct port_policy *policy)
{
	struct switch_port p;

	assert_int_equal(port_init(&p, 1, "child1", &own, policy, NULL), 0);
	return p;
}

static struct port_policy open_policy(void)
{
	struct port_policy p;

	port_policy_default(&p);
	p.allow_mac_change = p.allow_vlan = p.allow_multicast = p.allow_promisc = true;
	return p;
}

static struct port_policy closed_policy(void)
{
	struct port_policy p;

	port_policy_default(&p);
	p.allow_multicast = false;
	p.max_frame = 1522;
	return p;
}

static struct mbx_request set_mac(const struct mac_addr *m)
{
	return (struct mbx_request){.kind = MBX_REQ_SET_MAC, .u.mac = *m};
}

static struct mbx_request vlan(uint16_t id, bool add)
{
	return (struct mbx_request){.kind = MBX_REQ_SET_VLAN, .u.vlan = {.id = id, .add = add}};
}

static struct mbx_request multicast(uint8_t count)
{
	struct mbx_request r = {.kind = MBX_REQ_SET_MULTICAST, .u.mc.count = count};

	for (unsigned i = 0; i < count; i++)
		r.u.mc.hash[i] = (uint16_t)(i * 7);
	return r;
}

static struct mbx_request promisc(bool uc, bool mc)
{
	return (struct mbx_request){.kind = MBX_REQ_SET_PROMISC,
				    .u.promisc = {.unicast = uc, .multicast = mc}};
}

static struct mbx_request lpe(uint16_t size)
{
	return (struct mbx_request){.kind = MBX_REQ_SET_LPE, .u.max_frame = size};
}

/* --- The policy table ------------------------------------------------------ */

enum which { OPEN, CLOSED, VLAN12 };

struct policy_case {
	const char *what;
	enum which port;
	struct mbx_request req;
	int err;
	const char *reason;
	unsigned changes;
};

static struct port_policy policy_of(enum which w)
{
	struct port_policy p = w == CLOSED ? closed_policy() : open_policy();

	if (w == VLAN12)
		p.vlan = 12;
	return p;
}

static void test_policy_table(void **state)
{
	const struct policy_case cases[] = {
	    {"mac change allowed", OPEN, set_mac(&other), 0, "ok", PORT_CHG_MAC},
	    {"mac change refused", CLOSED, set_mac(&other), -EPERM,
	     "MAC change forbidden by port policy", 0},
	    {"own mac re-sent", CLOSED, set_mac(&own), 0, "ok", 0},
	    {"filter add allowed",
	     OPEN,
	     {.kind = MBX_REQ_MAC_FILTER_ADD, .u.mac = other},
	     0,
	     "ok",
	     PORT_CHG_UC_FILTER},
	    {"filter add refused",
	     CLOSED,
	     {.kind = MBX_REQ_MAC_FILTER_ADD, .u.mac = other},
	     -EPERM,
	     "extra unicast MAC forbidden by port policy",
	     0},
	    {"filter clear", CLOSED, {.kind = MBX_REQ_MAC_FILTER_CLEAR}, 0, "ok", 0},
	    {"vlan allowed", OPEN, vlan(100, true), 0, "ok", PORT_CHG_VLAN},
	    {"vlan refused", CLOSED, vlan(100, true), -EPERM,
	     "VLAN tagging forbidden by port policy", 0},
	    {"vlan 0 always", CLOSED, vlan(0, true), 0, "ok", 0},
	    {"vlan removal always", CLOSED, vlan(100, false), 0, "ok", 0},
	    {"port vlan matches", VLAN12, vlan(12, true), 0, "ok", PORT_CHG_VLAN},
	    {"port vlan differs", VLAN12, vlan(13, true), -EPERM,
	     "VLAN differs from the port's VLAN", 0},
	    {"multicast allowed", OPEN, multicast(4), 0, "ok", PORT_CHG_MULTICAST},
	    {"multicast refused", CLOSED, multicast(4), -EPERM,
	     "multicast forbidden by port policy", 0},
	    {"leave all groups", CLOSED, multicast(0), 0, "ok", PORT_CHG_MULTICAST},
	    {"promisc allowed", OPEN, promisc(true, true), 0, "ok", PORT_CHG_PROMISC},
	    {"promisc refused", CLOSED, promisc(true, false), -EPERM,
	     "promiscuous mode forbidden by port policy", 0},
	    {"allmulti refused", CLOSED, promisc(false, true), -EPERM,
	     "all-multicast forbidden by port policy", 0},
	    {"promisc off", CLOSED, promisc(false, false), 0, "ok", 0},
	    {"frame within limit", CLOSED, lpe(1522), 0, "ok", PORT_CHG_FRAME},
	    {"frame above limit", CLOSED, lpe(1523), -ERANGE, "frame size above the port's limit",
	     0},
	    {"jumbo allowed", OPEN, lpe(9022), 0, "ok", PORT_CHG_FRAME},
	    {"reset", CLOSED, {.kind = MBX_REQ_RESET}, 0, "ok", PORT_CHG_ALL & ~PORT_CHG_VF},
	    {"not a request", OPEN, {.kind = MBX_REQ_NONE}, -EINVAL, "not a request", 0},
	    {"bad kind", OPEN, {.kind = MBX_REQ_KIND_COUNT}, -EINVAL, "not a request", 0},
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct policy_case *c = &cases[i];
		struct port_policy pol = policy_of(c->port);
		struct switch_port p = make_port(&pol), before = p;
		const char *why = NULL;
		unsigned chg = 0xdead;
		int err = port_handle(&p, &c->req, &why, &chg);

		if (err != c->err || strcmp(why, c->reason) != 0 || chg != c->changes)
			fail_msg("%s: got %d \"%s\" %#x, want %d \"%s\" %#x", c->what, err, why,
				 chg, c->err, c->reason, c->changes);
		if (err) {
			/* A refusal changes nothing but the refusal counter. */
			assert_memory_equal(&p.state, &before.state, sizeof(p.state));
			assert_int_equal(p.refused, 1);
			assert_int_equal(p.applied, 0);
		} else {
			assert_int_equal(p.applied, 1);
		}
	}
}

/* The scenario: one MAC change, two ports, two outcomes. */
static void test_mac_change_two_ports(void **state)
{
	struct port_policy a_pol = open_policy(), b_pol = closed_policy();
	struct switch_port a = make_port(&a_pol), b = make_port(&b_pol);
	struct mbx_request req = set_mac(&other);
	const char *why;
	unsigned chg;

	(void)state;
	assert_int_equal(port_handle(&a, &req, &why, &chg), 0);
	assert_true(mac_equal(&a.state.mac, &other));
	assert_true(mac_equal(&a.perm_mac, &own)); /* identity never moves */
	assert_int_equal(port_handle(&b, &req, &why, &chg), -EPERM);
	assert_true(mac_equal(&b.state.mac, &own)); /* the original MAC stays in force */
	assert_int_equal(chg, 0);
	/* The reset reply then hands b's VF its own MAC again. */
	req.kind = MBX_REQ_RESET;
	assert_int_equal(port_handle(&a, &req, &why, &chg), 0);
	assert_true(mac_equal(&a.state.mac, &own));
}

/* --- Capacities ------------------------------------------------------------ */

static void test_capacities(void **state)
{
	struct port_policy pol = open_policy();
	struct switch_port p = make_port(&pol);
	struct mbx_request r;
	const char *why;
	unsigned chg;

	(void)state;
	for (uint16_t v = 1; v <= PORT_VLANS_MAX; v++) {
		r = vlan(v, true);
		assert_int_equal(port_handle(&p, &r, &why, &chg), 0);
	}
	r = vlan(1, true); /* already joined: no room needed */
	assert_int_equal(port_handle(&p, &r, &why, &chg), 0);
	assert_int_equal(chg, 0);
	r = vlan(99, true);
	assert_int_equal(port_handle(&p, &r, &why, &chg), -ENOSPC);
	assert_string_equal(why, "no room for another VLAN");
	r = vlan(3, false);
	assert_int_equal(port_handle(&p, &r, &why, &chg), 0);
	assert_int_equal(chg, PORT_CHG_VLAN);
	assert_int_equal(p.state.vlan_count, PORT_VLANS_MAX - 1);
	r = vlan(99, true);
	assert_int_equal(port_handle(&p, &r, &why, &chg), 0);

	for (unsigned i = 0; i < IGB_MBX_MAC_FILTERS_MAX; i++) {
		r = (struct mbx_request){.kind = MBX_REQ_MAC_FILTER_ADD, .u.mac = other};
		r.u.mac.b[5] = (uint8_t)i;
		assert_int_equal(port_handle(&p, &r, &why, &chg), 0);
	}
	r.u.mac.b[5] = 0x77;
	assert_int_equal(port_handle(&p, &r, &why, &chg), -ENOSPC);
	r.kind = MBX_REQ_MAC_FILTER_CLEAR;
	assert_int_equal(port_handle(&p, &r, &why, &chg), 0);
	assert_int_equal(chg, PORT_CHG_UC_FILTER);
	assert_int_equal(p.state.uc_count, 0);

	pol.max_multicast = 4;
	port_set_policy(&p, &pol);
	r = multicast(5);
	assert_int_equal(port_handle(&p, &r, &why, &chg), -E2BIG);
	assert_string_equal(why, "too many multicast addresses for the port");
	r = multicast(4);
	assert_int_equal(port_handle(&p, &r, &why, &chg), 0);
	assert_int_equal(p.state.mc.count, 4);
}

/* --- Policy changes on a busy port ----------------------------------------- */

static void test_tightening_policy_reverts_state(void **state)
{
	struct port_policy pol = open_policy();
	struct switch_port p = make_port(&pol);
	struct mbx_request reqs[] = {
	    set_mac(&other),
	    vlan(12, true),
	    vlan(13, true),
	    multicast(6),
	    promisc(true, true),
	    lpe(9000),
	    {.kind = MBX_REQ_MAC_FILTER_ADD, .u.mac = {{2, 0, 0, 0, 0, 5}}}};
	const char *why;
	unsigned chg;

	(void)state;
	for (unsigned i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		assert_int_equal(port_handle(&p, &reqs[i], &why, &chg), 0);

	pol.vlan = 12; /* guest VLANs other than 12 go */
	chg = port_set_policy(&p, &pol);
	assert_int_equal(chg, PORT_CHG_VLAN);
	assert_int_equal(p.state.vlan_count, 1);
	assert_int_equal(p.state.vlans[0], 12);

	pol = closed_policy();
	chg = port_set_policy(&p, &pol);
	assert_true(chg & PORT_CHG_MAC);
	assert_true(chg & PORT_CHG_UC_FILTER);
	assert_true(chg & PORT_CHG_MULTICAST);
	assert_true(chg & PORT_CHG_PROMISC);
	assert_true(chg & PORT_CHG_VLAN);
	assert_true(chg & PORT_CHG_FRAME);
	assert_false(chg & PORT_CHG_VF);
	assert_true(mac_equal(&p.state.mac, &own));
	assert_int_equal(p.state.uc_count + p.state.mc.count + p.state.vlan_count, 0);
	assert_false(p.state.promisc_unicast || p.state.promisc_multicast);
	assert_int_equal(p.state.max_frame, 1522);

	pol.allow_vf = false;
	assert_int_equal(port_set_policy(&p, &pol), PORT_CHG_VF);
	assert_int_equal(port_set_policy(&p, &pol), 0); /* nothing left to change */
}

static void test_mac_taken(void **state)
{
	struct port_policy pol = open_policy();
	struct switch_port ports[2];
	struct mac_addr third = {{2, 0, 0, 0, 3, 3}};
	struct mbx_request r = set_mac(&third);
	unsigned chg;

	(void)state;
	assert_int_equal(port_init(&ports[0], 0, "a", &own, &pol, NULL), 0);
	assert_int_equal(port_init(&ports[1], 1, "b", &other, &pol, NULL), 0);
	assert_true(port_mac_taken(ports, 2, &ports[1], &own));
	assert_false(port_mac_taken(ports, 2, &ports[0], &own)); /* its own */
	assert_false(port_mac_taken(ports, 2, &ports[1], &third));
	assert_int_equal(port_handle(&ports[0], &r, NULL, &chg), 0);
	assert_true(port_mac_taken(ports, 2, &ports[1], &third)); /* in force on a */
}

static void test_init_validation(void **state)
{
	struct port_policy pol = open_policy(), bad_pol;
	struct switch_port p, untouched;
	const struct mac_addr zero = {{0}}, mc = {{1, 0, 0x5e, 0, 0, 1}};
	const char *why;

	(void)state;
	memset(&p, 0x5a, sizeof(p));
	untouched = p;
	assert_int_equal(port_init(&p, 1, "", &own, &pol, &why), -EINVAL);
	assert_int_equal(port_init(&p, 1, "has space", &own, &pol, &why), -EINVAL);
	assert_int_equal(port_init(&p, 1, "sixteen-chars-xx", &own, &pol, &why), -EINVAL);
	assert_string_equal(why, "bad port name");
	assert_int_equal(port_init(&p, 1, "ok", &zero, &pol, &why), -EINVAL);
	assert_int_equal(port_init(&p, 1, "ok", &mc, &pol, &why), -EINVAL);
	assert_string_equal(why, "port MAC not a unicast address");
	bad_pol = pol;
	bad_pol.vlan = 4095;
	assert_int_equal(port_init(&p, 1, "ok", &own, &bad_pol, &why), -ERANGE);
	bad_pol = pol;
	bad_pol.max_multicast = 31;
	assert_int_equal(port_init(&p, 1, "ok", &own, &bad_pol, &why), -ERANGE);
	bad_pol = pol;
	bad_pol.max_frame = 63;
	assert_int_equal(port_init(&p, 1, "ok", &own, &bad_pol, &why), -ERANGE);
	assert_string_equal(why, "max_frame out of range");
	assert_memory_equal(&p, &untouched, sizeof(p));
	assert_int_equal(port_init(&p, 1, "fifteen-chars-x", &own, &pol, &why), 0);
}

/* --- `port set` -------------------------------------------------------------- */

static void test_parse_good(void **state)
{
	struct port_policy cur, out;
	const char *why;

	(void)state;
	port_policy_default(&cur);
	assert_int_equal(port_policy_parse(&cur, "mac_change=on vlan=12", &out, &why), 0);
	assert_true(out.allow_mac_change);
	assert_int_equal(out.vlan, 12);
	assert_int_equal(out.allow_multicast, cur.allow_multicast); /* unnamed keys kept */
	assert_int_equal(port_policy_parse(&out,
					   "  guest_vlan=on multicast=off promisc=on vf=off "
					   "max_multicast=0 max_frame=16128  ",
					   &out, &why),
			 0);
	assert_true(out.allow_vlan && out.allow_promisc && out.allow_mac_change);
	assert_false(out.allow_multicast || out.allow_vf);
	assert_int_equal(out.max_multicast, 0);
	assert_int_equal(out.max_frame, 16128);
	assert_int_equal(port_policy_parse(&out, "vlan=0", &out, &why), 0);
	assert_int_equal(out.vlan, 0);
}

static void test_parse_refusals(void **state)
{
	static const struct {
		const char *args;
		int err;
		const char *reason;
	} cases[] = {
	    {"", -EINVAL, "nothing to set"},
	    {"    ", -EINVAL, "nothing to set"},
	    {"colour=red", -EINVAL, "unknown key"},
	    {"mac_changes=on", -EINVAL, "unknown key"},
	    {"mac_chang=on", -EINVAL, "unknown key"},
	    {"mac_change", -EINVAL, "expected key=value"},
	    {"=on", -EINVAL, "expected key=value"},
	    {"mac_change=yes", -EINVAL, "expected on or off"},
	    {"mac_change=", -EINVAL, "expected on or off"},
	    {"mac_change=onn", -EINVAL, "expected on or off"},
	    {"mac_change=on mac_change=off", -EINVAL, "key given twice"},
	    {"vlan=", -EINVAL, "expected a number"},
	    {"vlan=-1", -EINVAL, "expected a number"},
	    {"vlan=0x10", -EINVAL, "expected a number"},
	    {"vlan=123456", -EINVAL, "expected a number"},
	    {"vlan=4095", -ERANGE, "vlan out of range (0..4094)"},
	    {"vlan=99999", -ERANGE, "vlan out of range (0..4094)"},
	    {"max_multicast=31", -ERANGE, "max_multicast out of range (0..30)"},
	    {"max_frame=63", -ERANGE, "max_frame out of range (64..16128)"},
	    {"max_frame=16129", -ERANGE, "max_frame out of range (64..16128)"},
	    {"vlan=12 promisc=maybe", -EINVAL, "expected on or off"},
	    {"vlan=12=3", -EINVAL, "expected a number"},
	};
	struct port_policy cur, out;

	(void)state;
	port_policy_default(&cur);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = NULL;
		int err;

		memset(&out, 0x5a, sizeof(out));
		err = port_policy_parse(&cur, cases[i].args, &out, &why);
		if (err != cases[i].err || strcmp(why, cases[i].reason) != 0)
			fail_msg("\"%s\": got %d \"%s\"", cases[i].args, err, why);
		for (unsigned b = 0; b < sizeof(out); b++)
			assert_int_equal(((const uint8_t *)&out)[b], 0x5a); /* untouched */
	}
}

static void test_parse_long_input(void **state)
{
	char args[400];
	struct port_policy cur, out;
	const char *why;

	(void)state;
	port_policy_default(&cur);
	memset(args, ' ', sizeof(args) - 1);
	args[sizeof(args) - 1] = '\0';
	memcpy(args + 300, "vf=on", 5);
	assert_int_equal(port_policy_parse(&cur, args, &out, &why), -EINVAL);
	assert_string_equal(why, "arguments too long");
}

static void test_format_round_trip(void **state)
{
	struct port_policy pol = open_policy(), back;
	struct switch_port p;
	char line[256];
	const char *policy_part;
	int n;

	(void)state;
	pol.vlan = 7;
	assert_int_equal(port_init(&p, 3, "web", &own, &pol, NULL), 0);
	n = port_format(&p, line, sizeof(line));
	assert_int_equal(n, (int)strlen(line));
	assert_non_null(strstr(line, "port=3 name=web mac=02:00:00:00:01:01 "
				     "cur_mac=02:00:00:00:01:01 vlan=7 mac_change=on"));
	/* The policy keys of a listed line can be typed back with `port set`. */
	policy_part = strstr(line, "vlan=");
	char policy_text[200];
	strncpy(policy_text, policy_part, sizeof(policy_text) - 1);
	policy_text[sizeof(policy_text) - 1] = '\0';
	*strstr(policy_text, " applied=") = '\0';
	port_policy_default(&back);
	assert_int_equal(port_policy_parse(&back, policy_text, &back, NULL), 0);
	assert_memory_equal(&back, &pol, sizeof(pol));
	assert_true(port_format(&p, line, 10) > 10); /* cut, but says how long it is */
	assert_int_equal(strlen(line), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy_table),
	    cmocka_unit_test(test_mac_change_two_ports),
	    cmocka_unit_test(test_capacities),
	    cmocka_unit_test(test_tightening_policy_reverts_state),
	    cmocka_unit_test(test_mac_taken),
	    cmocka_unit_test(test_init_validation),
	    cmocka_unit_test(test_parse_good),
	    cmocka_unit_test(test_parse_refusals),
	    cmocka_unit_test(test_parse_long_input),
	    cmocka_unit_test(test_format_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
