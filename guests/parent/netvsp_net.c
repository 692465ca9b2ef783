/*
 * The netvsc messages of a child (guests/lib/netvsc_proto.h) and where its
 * frames go. INIT is answered with the port's MAC and link up; FRAME and
 * FRAME_BATCH go through the software switch (nvsw_route) to the other
 * children's rings and/or out of the PF's own queue, whose frames the NIC
 * switches on to the wire or, by loopback, to VF-attached ports; frames
 * the PF receives from the wire come back through netvsp_wire_rx.
 * SWITCH_DATAPATH moves the port's MAC filter (netvsp_vf.c's hook) and is
 * acknowledged; STATS_REQ gets the port's counters, a STATS_REPLY (the
 * child's own counters, asked by `net stats`) is printed.
 */
#include "guests/lib/guest.h"
#include "guests/parent/netvsp_int.h"
#include "guests/parent/nic.h"
#include "guests/parent/story.h"

#define ETH_TPID_OFF   12
#define VLAN_TPID      0x8100
#define VLAN_HLEN      4
#define WIRE_FRAME_MIN IGB_FRAME_MIN

static uint8_t msg_buf[sizeof(struct nvsp_frame) + NVSP_FRAME_MAX + VLAN_HLEN];

/* --- Delivery ---------------------------------------------------------------- */

/* The frame with its VLAN tag taken off (untag) or a vid tag put in; its new length. */
static size_t vlan_edit(uint8_t *out, const uint8_t *f, size_t len, bool untag, uint16_t vid)
{
	bool tagged = len >= ETH_TPID_OFF + VLAN_HLEN &&
		      (f[ETH_TPID_OFF] << 8 | f[ETH_TPID_OFF + 1]) == VLAN_TPID;

	if (untag && tagged) {
		memcpy(out, f, ETH_TPID_OFF);
		memcpy(out + ETH_TPID_OFF, f + ETH_TPID_OFF + VLAN_HLEN,
		       len - ETH_TPID_OFF - VLAN_HLEN);
		return len - VLAN_HLEN;
	}
	if (untag || tagged || len + VLAN_HLEN > NVSP_FRAME_MAX + VLAN_HLEN) {
		memcpy(out, f, len);
		return len;
	}
	memcpy(out, f, ETH_TPID_OFF);
	out[12] = VLAN_TPID >> 8;
	out[13] = VLAN_TPID & 0xff;
	out[14] = (uint8_t)(vid >> 8 & 0x0f);
	out[15] = (uint8_t)vid;
	memcpy(out + ETH_TPID_OFF + VLAN_HLEN, f + ETH_TPID_OFF, len - ETH_TPID_OFF);
	return len + VLAN_HLEN;
}

/* One frame into a child's parent->child netvsc ring. */
static void deliver(struct netvsp_chan *ch, const uint8_t *f, size_t len)
{
	int n;

	if (!ch || ch->state != NETVSP_OPEN || !ch->net_up)
		return;
	n = nvsp_encode_frame(msg_buf, sizeof(msg_buf), f, len);
	if (n < 0 || netvsp_send(ch, &ch->net_tx, NVSP_RING_PKT_TYPE, msg_buf, (size_t)n)) {
		ch->c.ring_full++;
		return;
	}
	ch->c.syn_rx++;
}

/* Out of the PF's queue; the NIC pads nothing below its minimum, so we do. */
static void wire_tx(struct netvsp_chan *src, const uint8_t *f, size_t len)
{
	static uint8_t pad[NVSP_FRAME_MAX + VLAN_HLEN];
	struct nic *n = nic_get();
	int err;

	if (!n)
		return;
	if (len < WIRE_FRAME_MIN) {
		memcpy(pad, f, len);
		memset(pad + len, 0, WIRE_FRAME_MIN - len);
		f = pad;
		len = WIRE_FRAME_MIN;
	}
	err = igb_tx_frame(&n->pf, f, len);
	if (err == -EBUSY) {
		igb_tx_clean(&n->pf);
		err = igb_tx_frame(&n->pf, f, len);
	}
	if (err && src)
		src->c.wire_busy++;
}

void netvsp_route(unsigned src, const uint8_t *frame, size_t len)
{
	static uint8_t edited[NVSP_FRAME_MAX + VLAN_HLEN];
	struct nvsw_route r;

	if (nvsw_route(&netvsp.sw, src, frame, len, &r) <= 0)
		return; /* counted by the switch, per reason */
	for (unsigned i = 0; i < netvsp.sw.count; i++) {
		uint32_t bit = 1u << i;
		const uint8_t *f = frame;
		size_t n = len;

		if (!(r.ports & bit))
			continue;
		if ((r.untag | r.tag) & bit) {
			n = vlan_edit(edited, frame, len, r.untag & bit, r.vid);
			f = edited;
		}
		deliver(netvsp_chan_of_port(i), f, n);
	}
	if (!r.wire)
		return;
	if (r.tag_on_wire) {
		len = vlan_edit(edited, frame, len, false, r.vid);
		frame = edited;
	}
	wire_tx(src == NVSW_WIRE ? NULL : netvsp_chan_of_port(src), frame, len);
}

/* The wire's link (the PF's) is every synthetic NIC's: told to each open child on a change. */
void netvsp_link_poll(void)
{
	uint8_t buf[sizeof(struct nvsp_link)];
	struct nic *n = nic_get();
	bool up = n && n->pf.link.up;
	int len;

	if (up == netvsp.link_up)
		return;
	netvsp.link_up = up;
	len = nvsp_encode_link(buf, sizeof(buf), up, up ? n->pf.link.speed : 0);
	for (unsigned i = 0; len > 0 && i < netvsp.count; i++) {
		struct netvsp_chan *ch = &netvsp.chans[i];

		if (ch->state == NETVSP_OPEN && ch->net_up)
			netvsp_send(ch, &ch->net_tx, NVSP_RING_PKT_TYPE, buf, (size_t)len);
	}
	printf("netvsp link=%s\n", up ? "up" : "down");
}

/*
 * A frame from a synthetic port that the NIC looped back to the PF's own
 * pool (broadcast and multicast reach every pool, the sender's included):
 * the software switch delivered it already.
 */
static bool own_loopback(const uint8_t *frame, size_t len)
{
	if (len < 2 * ETH_ALEN)
		return false;
	for (unsigned i = 0; i < netvsp.sw.count; i++) {
		const struct nvsw_port *p = &netvsp.sw.ports[i];

		if (p->attached && p->path == NVSP_PATH_SYNTHETIC &&
		    !memcmp(frame + ETH_ALEN, p->sp->state.mac.b, ETH_ALEN))
			return true;
	}
	return false;
}

void netvsp_wire_rx(const uint8_t *frame, size_t len)
{
	if (!netvsp.up || !netvsp.sw.count)
		return;
	if (own_loopback(frame, len)) {
		netvsp.loopback_dropped++;
		return;
	}
	netvsp_route(NVSW_WIRE, frame, len);
}

/* --- Messages ------------------------------------------------------------------ */

static void answer_init(struct netvsp_chan *ch, const struct nvsp_msg *m)
{
	uint8_t ack[sizeof(struct nvsp_init_ack)];
	char mac[MAC_STR_LEN];
	uint16_t version = NVSP_VERSION_1, mtu = MIN(m->u.init.mtu, (uint16_t)NETVSP_MTU);
	int status = nvsp_version_choose(m->u.init.version_min, m->u.init.version_max, &version);
	int len;

	if (!status && (!ch->sp || ch->port < 0))
		status = -ENODEV; /* no NIC, no switch port: no network for this child */
	len = nvsp_encode_init_ack(ack, sizeof(ack), status, version, mtu,
				   ch->sp ? ch->sp->state.mac.b : NULL, !status && netvsp.link_up);
	if (len < 0 || netvsp_send(ch, &ch->net_tx, NVSP_RING_PKT_TYPE, ack, (size_t)len))
		return;
	printf("netvsp init port=%s status=%s version=%u mtu=%u mac=%s\n", ch->name,
	       status ? errno_name(status) : "ok", version, mtu,
	       ch->sp ? mac_format(&ch->sp->state.mac, mac) : "none");
	if (status)
		return;
	ch->net_up = true;
	nvsw_port_attach(&netvsp.sw, (unsigned)ch->port, true);
	netvsp_vf_on_init(ch);
}

static void from_child(struct netvsp_chan *ch, const uint8_t *f, size_t len)
{
	ch->c.syn_tx++;
	netvsp_route((unsigned)ch->port, f, len);
}

static void batch(struct netvsp_chan *ch, const struct nvsp_msg *m)
{
	struct nvsp_batch_iter it;
	const uint8_t *f;
	uint16_t len;

	nvsp_batch_iter_init(&it, m);
	while (nvsp_batch_next(&it, &f, &len))
		from_child(ch, f, len);
}

static void switch_path(struct netvsp_chan *ch, const struct nvsp_msg *m)
{
	uint8_t ack[sizeof(struct nvsp_switch_ack)];
	enum nvsp_path before = netvsp.sw.ports[ch->port].path, after;
	const char *why = "";
	int len = nvsw_handle_switch(&netvsp.sw, (unsigned)ch->port, m, ack, sizeof(ack), &why);

	after = netvsp.sw.ports[ch->port].path;
	ch->c.switches += before != after && after == NVSP_PATH_VF;
	ch->c.failovers += before != after && after == NVSP_PATH_SYNTHETIC;
	if (after == m->u.sw.path)
		why = "";
	printf("netvsp switch port=%s request=%u want=%s path=%s%s%s%s\n", ch->name,
	       m->u.sw.request_id, m->u.sw.path == NVSP_PATH_VF ? "vf" : "synthetic",
	       after == NVSP_PATH_VF ? "vf" : "synthetic", *why ? " refused=\"" : "", why,
	       *why ? "\"" : "");
	if (len > 0)
		netvsp_send(ch, &ch->net_tx, NVSP_RING_PKT_TYPE, ack, (size_t)len);
}

static void stats_reply(struct netvsp_chan *ch, uint32_t request_id)
{
	uint8_t buf[sizeof(struct nvsp_stats_reply)];
	struct nvsp_stats st;
	int len;

	if (nvsw_port_stats(&netvsp.sw, (unsigned)ch->port, &st))
		return;
	len = nvsp_encode_stats_reply(buf, sizeof(buf), request_id, &st);
	if (len > 0)
		netvsp_send(ch, &ch->net_tx, NVSP_RING_PKT_TYPE, buf, (size_t)len);
}

static void print_child_stats(const struct netvsp_chan *ch, const struct nvsp_msg *m)
{
	const struct nvsp_stats *s = &m->u.stats.stats;

	printf("net stats port=%s request=%u tx=%lu rx=%lu tx_dropped=%lu rx_dropped=%lu\n",
	       ch->name, m->u.stats.request_id, s->tx_frames, s->rx_frames, s->tx_dropped,
	       s->rx_dropped);
	story_child_stats(ch->name, s);
}

static void dispatch(struct netvsp_chan *ch, const struct nvsp_msg *m)
{
	switch (m->type) {
	case NVSP_INIT:
		answer_init(ch, m);
		break;
	case NVSP_FRAME:
		from_child(ch, m->u.frame.data, m->u.frame.len);
		break;
	case NVSP_FRAME_BATCH:
		batch(ch, m);
		break;
	case NVSP_SWITCH_DATAPATH:
		switch_path(ch, m);
		break;
	case NVSP_STATS_REQ:
		stats_reply(ch, m->u.stats_req.request_id);
		break;
	case NVSP_STATS_REPLY:
		print_child_stats(ch, m);
		break;
	default:
		netvsp_malformed(ch, nvsp_type_name(m->type), "not expected by the parent");
	}
}

void netvsp_net_input(struct netvsp_chan *ch, const void *buf, size_t len)
{
	struct nvsp_msg m;
	const char *why = "";

	if (nvsp_decode(buf, len, NVSP_FROM_CHILD, &m, &why)) {
		netvsp_malformed(ch, "netvsc", why);
		return;
	}
	if (!ch->net_up && m.type != NVSP_INIT) {
		netvsp_malformed(ch, nvsp_type_name(m.type), "before INIT");
		return;
	}
	dispatch(ch, &m);
}
