/*
 * The text side of switch ports, for the parent's shell: parsing `port set`
 * arguments into a validated policy change, and the `port list` line. The
 * keys of both are the same, so a listed policy can be typed back.
 */
#include "drivers/nic/switch_port.h"
#include "hv/errno.h"
#include "hv/format.h"
#include "hv/string.h"

static int refuse(const char **why, const char *text, int err)
{
	*why = text;
	return err;
}

/* --- `port set` arguments ----------------------------------------------- */

#define PORT_ARGS_MAX 256 /* longer input is refused, never scanned past */

static void set_mac_change(struct port_policy *p, unsigned v)
{
	p->allow_mac_change = v;
}

static void set_guest_vlan(struct port_policy *p, unsigned v)
{
	p->allow_vlan = v;
}

static void set_multicast(struct port_policy *p, unsigned v)
{
	p->allow_multicast = v;
}

static void set_promisc(struct port_policy *p, unsigned v)
{
	p->allow_promisc = v;
}

static void set_vf(struct port_policy *p, unsigned v)
{
	p->allow_vf = v;
}

static void set_vlan(struct port_policy *p, unsigned v)
{
	p->vlan = (uint16_t)v;
}

static void set_max_multicast(struct port_policy *p, unsigned v)
{
	p->max_multicast = (uint8_t)v;
}

static void set_max_frame(struct port_policy *p, unsigned v)
{
	p->max_frame = (uint16_t)v;
}

struct policy_key {
	const char *name;
	bool is_bool;
	unsigned min, max; /* numbers only */
	void (*set)(struct port_policy *p, unsigned v);
	const char *range_reason;
};

static const struct policy_key policy_keys[] = {
    {"mac_change", true, 0, 1, set_mac_change, NULL},
    {"guest_vlan", true, 0, 1, set_guest_vlan, NULL},
    {"multicast", true, 0, 1, set_multicast, NULL},
    {"promisc", true, 0, 1, set_promisc, NULL},
    {"vf", true, 0, 1, set_vf, NULL},
    {"vlan", false, 0, PORT_VLAN_MAX, set_vlan, "vlan out of range (0..4094)"},
    {"max_multicast", false, 0, IGB_MBX_MC_MAX, set_max_multicast,
     "max_multicast out of range (0..30)"},
    {"max_frame", false, IGB_MBX_LPE_MIN, IGB_MBX_LPE_MAX, set_max_frame,
     "max_frame out of range (64..16128)"},
};

/* A piece of the argument string: [s, s + len). */
struct span {
	const char *s;
	size_t len;
};

static bool span_is(struct span sp, const char *word)
{
	return strlen(word) == sp.len && strncmp(sp.s, word, sp.len) == 0;
}

static int find_key(struct span key)
{
	for (unsigned i = 0; i < ARRAY_SIZE(policy_keys); i++)
		if (span_is(key, policy_keys[i].name))
			return (int)i;
	return -1;
}

static int parse_bool(struct span v, unsigned *out, const char **why)
{
	if (span_is(v, "on"))
		*out = 1;
	else if (span_is(v, "off"))
		*out = 0;
	else
		return refuse(why, "expected on or off", -EINVAL);
	return 0;
}

/* Decimal, no sign, at most 5 digits: no overflow to worry about. */
static int parse_number(struct span v, const struct policy_key *k, unsigned *out, const char **why)
{
	unsigned n = 0;

	if (v.len == 0 || v.len > 5)
		return refuse(why, "expected a number", -EINVAL);
	for (size_t i = 0; i < v.len; i++) {
		if (v.s[i] < '0' || v.s[i] > '9')
			return refuse(why, "expected a number", -EINVAL);
		n = n * 10 + (unsigned)(v.s[i] - '0');
	}
	if (n < k->min || n > k->max)
		return refuse(why, k->range_reason, -ERANGE);
	*out = n;
	return 0;
}

static int parse_pair(struct span key, struct span val, struct port_policy *p, unsigned *seen,
		      const char **why)
{
	int i = find_key(key);
	unsigned v;
	int err;

	if (i < 0)
		return refuse(why, "unknown key", -EINVAL);
	if (*seen & (1u << i))
		return refuse(why, "key given twice", -EINVAL);
	err = policy_keys[i].is_bool ? parse_bool(val, &v, why)
				     : parse_number(val, &policy_keys[i], &v, why);
	if (err)
		return err;
	*seen |= 1u << i;
	policy_keys[i].set(p, v);
	return 0;
}

/* One "key=value" token starting at *s; advances *s past it. */
static int parse_token(const char **s, struct port_policy *p, unsigned *seen, const char **why)
{
	const char *start = *s, *end = start, *eq = NULL;

	while (*end && *end != ' ') {
		if (*end == '=' && !eq)
			eq = end;
		end++;
	}
	*s = end;
	if (!eq || eq == start)
		return refuse(why, "expected key=value", -EINVAL);
	return parse_pair((struct span){start, (size_t)(eq - start)},
			  (struct span){eq + 1, (size_t)(end - eq - 1)}, p, seen, why);
}

int port_policy_parse(const struct port_policy *cur, const char *args, struct port_policy *out,
		      const char **reason)
{
	struct port_policy p = *cur;
	const char *why = "ok", *s = args;
	unsigned seen = 0;
	int err = 0;

	if (strnlen(args, PORT_ARGS_MAX) >= PORT_ARGS_MAX)
		err = refuse(&why, "arguments too long", -EINVAL);
	while (!err) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		err = parse_token(&s, &p, &seen, &why);
	}
	if (!err && !seen)
		err = refuse(&why, "nothing to set", -EINVAL);
	if (!err)
		err = port_policy_validate(&p, &why);
	if (!err)
		*out = p;
	if (reason)
		*reason = why;
	return err;
}

/* --- `port list` -------------------------------------------------------- */

static const char *on_off(bool v)
{
	return v ? "on" : "off";
}

int port_format(const struct switch_port *port, char *buf, size_t size)
{
	const struct port_policy *p = &port->policy;
	char perm[MAC_STR_LEN], cur[MAC_STR_LEN];
	struct strbuf sb = STRBUF_INIT(buf, size);

	strbuf_printf(&sb, "port=%u name=%s mac=%s cur_mac=%s vlan=%u", port->id, port->name,
		      mac_format(&port->perm_mac, perm), mac_format(&port->state.mac, cur),
		      p->vlan);
	strbuf_printf(&sb, " mac_change=%s guest_vlan=%s multicast=%s promisc=%s vf=%s",
		      on_off(p->allow_mac_change), on_off(p->allow_vlan),
		      on_off(p->allow_multicast), on_off(p->allow_promisc), on_off(p->allow_vf));
	strbuf_printf(&sb, " max_multicast=%u max_frame=%u applied=%llu refused=%llu",
		      p->max_multicast, p->max_frame, (unsigned long long)port->applied,
		      (unsigned long long)port->refused);
	return (int)sb.pos;
}
