/*
 * The parent's software switch (netvsp_switch.h). A frame is first
 * classified (destination, VLAN) against its source's policy, then the
 * destinations are picked: unicast by a lookup of the MAC in force (and the
 * extra filters) of every port, broadcast and multicast by replication to
 * every other port allowed to receive it. Ports on the VF path get nothing
 * in software: the NIC's own switch reaches them from the PF's queue.
 */
#include "guests/lib/netvsp_switch.h"
#include "hv/errno.h"
#include "hv/string.h"

#define ETH_TYPE_VLAN 0x8100
#define ETH_HLEN      14
#define VLAN_HLEN     4

static const char *const drop_names[NVSW_DROP_COUNT] = {[NVSW_DROP_NONE] = "none",
							[NVSW_DROP_MALFORMED] = "malformed",
							[NVSW_DROP_SPOOF] = "spoofed_source",
							[NVSW_DROP_VLAN] = "vlan",
							[NVSW_DROP_PORT_DOWN] = "port_down",
							[NVSW_DROP_NO_DEST] = "no_destination"};

const char *nvsw_drop_name(enum nvsw_drop drop)
{
	return (unsigned)drop < NVSW_DROP_COUNT ? drop_names[drop] : "?";
}

static int refuse(const char **reason, const char *why, int err)
{
	if (reason)
		*reason = why;
	return err;
}

void nvsw_init(struct nvsw *sw, const struct nvsw_hooks *hooks, void *hooks_ctx)
{
	memset(sw, 0, sizeof(*sw));
	sw->hooks = hooks;
	sw->hooks_ctx = hooks_ctx;
}

int nvsw_port_add(struct nvsw *sw, struct switch_port *sp)
{
	if (!sp)
		return -EINVAL;
	for (unsigned i = 0; i < sw->count; i++)
		if (sw->ports[i].sp == sp)
			return -EEXIST;
	if (sw->count >= NVSW_PORTS_MAX)
		return -ENOSPC;
	sw->ports[sw->count] = (struct nvsw_port){.sp = sp, .path = NVSP_PATH_SYNTHETIC};
	return (int)sw->count++;
}

int nvsw_port_attach(struct nvsw *sw, unsigned port, bool attached)
{
	if (port >= sw->count)
		return -ENODEV;
	sw->ports[port].attached = attached;
	return 0;
}

/* --- Data-path switching ------------------------------------------------ */

static int move_filter(struct nvsw *sw, unsigned port, enum nvsp_path to)
{
	if (!sw->hooks || !sw->hooks->move_filter)
		return 0;
	return sw->hooks->move_filter(sw->hooks_ctx, port, sw->ports[port].sp, to);
}

int nvsw_set_path(struct nvsw *sw, unsigned port, enum nvsp_path to, const char **reason)
{
	struct nvsw_port *p;
	int err;

	if (port >= sw->count)
		return refuse(reason, "no such port", -ENODEV);
	p = &sw->ports[port];
	if (to == NVSP_PATH_VF && !p->sp->policy.allow_vf)
		return refuse(reason, "port policy forbids a VF", -EPERM);
	if (to == NVSP_PATH_VF && !p->has_vf)
		return refuse(reason, "no VF is the port's", -EPERM);
	if (p->path == to)
		return refuse(reason, "ok", 0);
	err = move_filter(sw, port, to);
	if (err)
		return refuse(reason, "moving the MAC filter failed", err);
	p->path = to;
	p->c.switches++;
	return refuse(reason, "ok", 0);
}

int nvsw_port_set_vf(struct nvsw *sw, unsigned port, bool has_vf)
{
	struct nvsw_port *p;
	int err = 0;

	if (port >= sw->count)
		return -ENODEV;
	p = &sw->ports[port];
	p->has_vf = has_vf;
	if (!has_vf && p->path == NVSP_PATH_VF) {
		err = move_filter(sw, port, NVSP_PATH_SYNTHETIC);
		p->path = NVSP_PATH_SYNTHETIC;
		p->c.switches++;
	}
	return err;
}

int nvsw_handle_switch(struct nvsw *sw, unsigned port, const struct nvsp_msg *req, void *ack,
		       size_t cap, const char **reason)
{
	int status;
	enum nvsp_path now;

	if (req->type != NVSP_SWITCH_DATAPATH)
		return refuse(reason, "not a SWITCH_DATAPATH", -EINVAL);
	status = nvsw_set_path(sw, port, req->u.sw.path, reason);
	now = port < sw->count ? sw->ports[port].path : NVSP_PATH_SYNTHETIC;
	return nvsp_encode_switch_ack(ack, cap, req->u.sw.request_id, status, now);
}

/* --- Classification ----------------------------------------------------- */

struct frame_info {
	struct mac_addr dst, src;
	bool tagged;
	uint16_t tag; /* VLAN id of the tag, if tagged */
};

static int parse(const uint8_t *f, size_t len, struct frame_info *fi)
{
	uint16_t type;

	if (!f || len < ETH_HLEN || len > NVSP_FRAME_MAX)
		return -EINVAL;
	memcpy(fi->dst.b, f, ETH_ALEN);
	memcpy(fi->src.b, f + ETH_ALEN, ETH_ALEN);
	type = (uint16_t)(f[12] << 8 | f[13]);
	fi->tagged = type == ETH_TYPE_VLAN;
	fi->tag = 0;
	if (!fi->tagged)
		return 0;
	if (len < ETH_HLEN + VLAN_HLEN)
		return -EINVAL;
	fi->tag = (uint16_t)((f[14] << 8 | f[15]) & 0xfff);
	return 0;
}

static bool same_mac(const struct mac_addr *a, const struct mac_addr *b)
{
	return memcmp(a->b, b->b, ETH_ALEN) == 0;
}

static bool group_mac(const struct mac_addr *m)
{
	return m->b[0] & 1;
}

static bool broadcast_mac(const struct mac_addr *m)
{
	static const struct mac_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

	return same_mac(m, &bcast);
}

/* Does the port receive for mac: its MAC in force or one of its extra filters? */
static bool port_owns(const struct switch_port *sp, const struct mac_addr *mac)
{
	if (same_mac(&sp->state.mac, mac))
		return true;
	for (unsigned i = 0; i < sp->state.uc_count && i < IGB_MBX_MAC_FILTERS_MAX; i++)
		if (same_mac(&sp->state.uc_filter[i], mac))
			return true;
	return false;
}

/* Anti-spoofing: a synthetic port sends with the MAC in force only (as the VF's pool would). */
static bool source_ok(const struct switch_port *sp, const struct mac_addr *src)
{
	return !group_mac(src) && same_mac(&sp->state.mac, src);
}

/* The VLAN a port's frame belongs to, or -1 when its tag isn't allowed. */
static int source_vlan(const struct switch_port *sp, const struct frame_info *fi)
{
	/* No tag, or a priority-only tag: the port's VLAN (none on an untagged port). */
	if (!fi->tagged || fi->tag == 0)
		return sp->policy.vlan;
	if (!sp->policy.allow_vlan)
		return -1;
	if (sp->policy.vlan && fi->tag != sp->policy.vlan)
		return -1;
	return fi->tag;
}

/* Access port (port VLAN set): its VLAN only. Otherwise untagged, or any VLAN if allowed. */
static bool vlan_member(const struct switch_port *sp, uint16_t vid)
{
	if (sp->policy.vlan)
		return vid == sp->policy.vlan;
	return vid == 0 || sp->policy.allow_vlan;
}

static bool wants_group(const struct switch_port *sp, const struct mac_addr *dst)
{
	return broadcast_mac(dst) || sp->policy.allow_multicast;
}

static bool promiscuous(const struct switch_port *sp)
{
	return sp->policy.allow_promisc && sp->state.promisc_unicast;
}

/* --- Destinations ------------------------------------------------------- */

static void deliver(struct nvsw *sw, unsigned q, const struct frame_info *fi, struct nvsw_route *r)
{
	const struct switch_port *sp = sw->ports[q].sp;

	r->ports |= 1u << q;
	if (fi->tagged && sp->policy.vlan)
		r->untag |= 1u << q;
	if (!fi->tagged && r->vid && !sp->policy.vlan)
		r->tag |= 1u << q;
}

/* A synthetic copy for q? Never for the source, a detached port or one on its VF. */
static bool copy_ok(const struct nvsw *sw, unsigned q, unsigned src, uint16_t vid)
{
	const struct nvsw_port *p = &sw->ports[q];

	return q != src && p->attached && p->path == NVSP_PATH_SYNTHETIC && vlan_member(p->sp, vid);
}

static void replicate(struct nvsw *sw, unsigned src, const struct frame_info *fi,
		      struct nvsw_route *r)
{
	for (unsigned q = 0; q < sw->count; q++)
		if (copy_ok(sw, q, src, r->vid) && wants_group(sw->ports[q].sp, &fi->dst))
			deliver(sw, q, fi, r);
}

static int lookup(const struct nvsw *sw, const struct mac_addr *mac)
{
	for (unsigned q = 0; q < sw->count; q++)
		if (port_owns(sw->ports[q].sp, mac))
			return (int)q;
	return -1;
}

/* Unicast from a synthetic port: another synthetic port, the NIC (VF ports), or the wire. */
static enum nvsw_drop unicast_from_port(struct nvsw *sw, unsigned src, const struct frame_info *fi,
					struct nvsw_route *r)
{
	int q = lookup(sw, &fi->dst);

	if (q < 0) {
		r->wire = true;
		return NVSW_DROP_NONE;
	}
	if ((unsigned)q == src)
		return NVSW_DROP_NO_DEST;
	if (!vlan_member(sw->ports[q].sp, r->vid))
		return NVSW_DROP_VLAN;
	if (sw->ports[q].path == NVSP_PATH_VF) {
		r->wire = true; /* the NIC's loopback puts it in the VF's pool */
		return NVSW_DROP_NONE;
	}
	if (!sw->ports[q].attached)
		return NVSW_DROP_PORT_DOWN;
	deliver(sw, (unsigned)q, fi, r);
	return NVSW_DROP_NONE;
}

/*
 * Unicast from the PF's queue. A frame for a port on its VF reaches this
 * queue only if the NIC took it before the MAC filter moved to the VF's
 * pool: it goes to the synthetic port (its child accepts both paths).
 */
static enum nvsw_drop unicast_from_wire(struct nvsw *sw, const struct frame_info *fi,
					struct nvsw_route *r)
{
	int q = lookup(sw, &fi->dst);

	if (q < 0) {
		for (unsigned i = 0; i < sw->count; i++)
			if (copy_ok(sw, i, NVSW_WIRE, r->vid) && promiscuous(sw->ports[i].sp))
				deliver(sw, i, fi, r);
		return r->ports ? NVSW_DROP_NONE : NVSW_DROP_NO_DEST;
	}
	if (!sw->ports[q].attached)
		return NVSW_DROP_PORT_DOWN;
	if (!vlan_member(sw->ports[q].sp, r->vid))
		return NVSW_DROP_VLAN;
	if (sw->ports[q].path == NVSP_PATH_VF)
		sw->ports[q].c.rx_late++;
	deliver(sw, (unsigned)q, fi, r);
	return NVSW_DROP_NONE;
}

static enum nvsw_drop from_port(struct nvsw *sw, unsigned src, const struct frame_info *fi,
				struct nvsw_route *r)
{
	const struct nvsw_port *p = &sw->ports[src];
	int vid;

	if (!p->attached)
		return NVSW_DROP_PORT_DOWN;
	if (!source_ok(p->sp, &fi->src))
		return NVSW_DROP_SPOOF;
	vid = source_vlan(p->sp, fi);
	if (vid < 0)
		return NVSW_DROP_VLAN;
	r->vid = (uint16_t)vid;
	r->tag_on_wire = r->vid && !fi->tagged;
	if (!group_mac(&fi->dst))
		return unicast_from_port(sw, src, fi, r);
	replicate(sw, src, fi, r);
	r->wire = true;
	return NVSW_DROP_NONE;
}

static enum nvsw_drop from_wire(struct nvsw *sw, const struct frame_info *fi, struct nvsw_route *r)
{
	r->vid = fi->tagged ? fi->tag : 0;
	if (!group_mac(&fi->dst))
		return unicast_from_wire(sw, fi, r);
	/* Ports on their VF get broadcasts from the NIC's own replication. */
	replicate(sw, NVSW_WIRE, fi, r);
	return NVSW_DROP_NONE;
}

static void count(struct nvsw *sw, unsigned src, const struct nvsw_route *r)
{
	if (src != NVSW_WIRE && r->drop == NVSW_DROP_NONE)
		sw->ports[src].c.tx++;
	if (src != NVSW_WIRE && r->drop != NVSW_DROP_NONE)
		sw->ports[src].c.drops[r->drop]++;
	if (r->drop != NVSW_DROP_NONE)
		sw->drops[r->drop]++;
	sw->wire_out += r->wire;
	for (unsigned q = 0; q < sw->count; q++)
		if (r->ports & (1u << q))
			sw->ports[q].c.rx++;
}

static int destinations(const struct nvsw_route *r)
{
	int n = r->wire;

	for (uint32_t m = r->ports; m; m &= m - 1)
		n++;
	return n;
}

int nvsw_route(struct nvsw *sw, unsigned src, const void *frame, size_t len, struct nvsw_route *out)
{
	struct frame_info fi;
	struct nvsw_route r = {0};

	if (src != NVSW_WIRE && src >= sw->count)
		return -EINVAL;
	if (src == NVSW_WIRE)
		sw->wire_in++;
	if (parse(frame, len, &fi))
		r.drop = NVSW_DROP_MALFORMED;
	else if (src == NVSW_WIRE)
		r.drop = from_wire(sw, &fi, &r);
	else
		r.drop = from_port(sw, src, &fi, &r);
	if (r.drop != NVSW_DROP_NONE)
		r = (struct nvsw_route){.drop = r.drop};
	else if (!r.ports && !r.wire)
		r.drop = NVSW_DROP_NO_DEST;
	count(sw, src, &r);
	*out = r;
	return destinations(&r);
}

int nvsw_port_stats(const struct nvsw *sw, unsigned port, struct nvsp_stats *out)
{
	const struct nvsw_port_counters *c;
	uint64_t dropped = 0;

	if (port >= sw->count)
		return -ENODEV;
	c = &sw->ports[port].c;
	for (unsigned i = 1; i < NVSW_DROP_COUNT; i++)
		dropped += c->drops[i];
	*out = (struct nvsp_stats){.tx_frames = c->tx, .rx_frames = c->rx, .tx_dropped = dropped};
	return 0;
}
