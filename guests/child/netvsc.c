/*
 * The child's NetVSC (docs/netvsc.md, "As built"): its end of the "vmbus"
 * channel. It sets up the child->parent rings it produces, speaks the
 * control protocol (version, the parent's netvsc offer, open) and netvsc's
 * INIT, then carries frames both ways. Frames to the parent are packed
 * into one FRAME_BATCH per main-loop round (netvsc_flush), so a burst
 * costs one ring packet and at most one doorbell; the parent's rings stay
 * masked while the child is awake (interrupt suppression) and are unmasked
 * and re-checked just before it sleeps (netvsc_arm). While the bond holds
 * frames for a switch, packets wait in the ring rather than be answered
 * into a full hold queue (may_read). Everything the parent writes is validated: a broken
 * ring ends the synthetic NIC (logged), the child goes on.
 *
 * What arrives goes to net_app.c: frames (net_app_rx), the parent's
 * control messages (net_app_msg) and the INIT_ACK (net_app_synthetic_up).
 */
#include "guests/lib/guest.h"
#include "guests/lib/netvsc_proto.h"
#include "guests/lib/vmbus_ctl.h"
#include "guests/lib/vmbus_layout.h"
#include "guests/child/child.h"

#define DRAIN_BUDGET 256
/* Bond room a netvsc packet needs before it is read: a full batch, and a ping or ARP. */
#define NETVSC_RX_ROOM (NVSP_BATCH_MAX + 4)
#define CHILD_MTU      1500

static struct {
	int index; /* channels[] index: the doorbell's argument; < 0 none */
	uint8_t *mem;
	struct ring_end ctl_tx, ctl_rx, net_tx, net_rx;
	bool ctl_rx_up, net_rx_up, init_sent, ready, dead;
	bool signal;
	struct vmbus_ctl_sm sm;
	struct nvsp_batch_builder batch;
	bool batching;
	uint8_t batch_buf[NVSP_MSG_MAX];
	uint8_t rx_buf[NVSP_MSG_MAX];
	struct netvsc_counters c;
} nv = {.index = -ENOENT};

const struct netvsc_counters *netvsc_counters(void)
{
	return &nv.c;
}

bool netvsc_ready(void)
{
	return nv.ready && !nv.dead;
}

static void ring_log(const char *line)
{
	printf("netvsc %s\n", line);
}

static void fail(const char *reason)
{
	if (nv.dead)
		return;
	nv.dead = true;
	printf("netvsc down reason=%s\n", reason);
}

static int send_pkt(struct ring_end *e, uint16_t type, const void *msg, size_t len)
{
	bool signal = false;
	int err;

	if (nv.dead)
		return -EPIPE;
	err = ring_write(e, type, msg, (uint32_t)len, &signal);
	nv.signal |= signal;
	if (err == -EPIPE)
		fail("ring-broken");
	return err;
}

static int ctl_send(const struct vmbus_ctl_msg *m)
{
	uint8_t buf[VMBUS_CTL_MSG_MAX];
	const char *why = "";
	int len = vmbus_ctl_sm_send(&nv.sm, m, &why);

	if (len == 0)
		len = vmbus_ctl_encode(m, buf, sizeof(buf));
	if (len < 0) {
		printf("netvsc error op=%s reason=\"%s\"\n", vmbus_ctl_type_name(m->type), why);
		return len;
	}
	return send_pkt(&nv.ctl_tx, VMBUS_CTL_PKT_TYPE, buf, (size_t)len);
}

static int rings_init(void)
{
	uint8_t *m = nv.mem;
	int err = ring_init_shared(m + VMBUS_CTL_C2P_OFFSET, VMBUS_CTL_DATA_SIZE);

	if (!err)
		err = ring_init_shared(m + VMBUS_NET_C2P_OFFSET, VMBUS_NET_DATA_SIZE);
	if (!err)
		err = ring_attach(&nv.ctl_tx, m + VMBUS_CTL_C2P_OFFSET,
				  m + VMBUS_RING_DATA(VMBUS_CTL_C2P_OFFSET), VMBUS_CTL_DATA_SIZE,
				  RING_PRODUCER);
	if (!err)
		err = ring_attach(&nv.net_tx, m + VMBUS_NET_C2P_OFFSET,
				  m + VMBUS_RING_DATA(VMBUS_NET_C2P_OFFSET), VMBUS_NET_DATA_SIZE,
				  RING_PRODUCER);
	return err;
}

int netvsc_start(const struct hv_guest_boot_info *bi)
{
	struct vmbus_ctl_msg m = {.type = VMBUS_CTL_VERSION_REQ};
	const struct hv_guest_channel *ch;
	int err;

	nv.index = channel_find(bi, VMBUS_CHANNEL_NAME, NULL);
	if (nv.index < 0)
		return nv.index;
	ch = &bi->channels[nv.index];
	nv.mem = ch->size >= HV_GUEST_CHANNEL_SLOT ? channel_map(ch) : NULL;
	err = nv.mem ? rings_init() : -ENOMEM;
	if (err) {
		nv.index = err;
		return err;
	}
	ring_set_log(ring_log);
	vmbus_ctl_sm_init(&nv.sm, VMBUS_CTL_CHILD);
	m.u.version_req.version = VMBUS_CTL_VERSION;
	err = ctl_send(&m);
	netvsc_flush();
	return err;
}

/* --- Sending ---------------------------------------------------------------- */

/* Writes the batch being built, if any; true when it had to stay (ring full). */
static bool batch_write(void)
{
	int len;

	if (!nv.batching)
		return false;
	len = nvsp_batch_finish(&nv.batch);
	if (len > 0 &&
	    send_pkt(&nv.net_tx, NVSP_RING_PKT_TYPE, nv.batch_buf, (size_t)len) == -ENOSPC) {
		nv.c.ring_full++;
		return true; /* kept: the parent signals when there is space */
	}
	nv.batching = false;
	nv.c.batches += len > 0;
	return false;
}

void netvsc_flush(void)
{
	batch_write();
	if (nv.signal && nv.index >= 0 && !nv.dead) {
		nv.signal = false;
		nv.c.doorbells++;
		doorbell_ring((unsigned)nv.index);
	}
}

int netvsc_send_frame(const void *frame, size_t len)
{
	int err;

	if (!netvsc_ready())
		return -ENOTCONN;
	if (!nv.batching) {
		nvsp_batch_begin(&nv.batch, nv.batch_buf, sizeof(nv.batch_buf));
		nv.batching = true;
	}
	err = nvsp_batch_add(&nv.batch, frame, len);
	if (err == -ENOSPC || err == -E2BIG) {
		if (batch_write())
			return -EAGAIN;
		return netvsc_send_frame(frame, len);
	}
	nv.c.tx_frames += !err;
	return err;
}

/*
 * Messages are rare and someone waits for their answer (a SWITCH_DATAPATH
 * holds every frame until its ACK): the doorbell rings at once, not at the
 * end of the main-loop round, which may first read a long backlog.
 */
int netvsc_send_msg(const void *msg, size_t len)
{
	int err;

	/* Frames sent before the message go first: the parent must see them in order. */
	if (batch_write())
		return -EAGAIN;
	err = send_pkt(&nv.net_tx, NVSP_RING_PKT_TYPE, msg, len);
	if (err == -ENOSPC)
		return -EAGAIN;
	netvsc_flush();
	return 0;
}

/* --- Receiving ---------------------------------------------------------------- */

static void send_init(void)
{
	uint8_t buf[sizeof(struct nvsp_init)];
	int len = nvsp_encode_init(buf, sizeof(buf), NVSP_VERSION_MIN, NVSP_VERSION_MAX, CHILD_MTU);

	nv.init_sent = len > 0 && !send_pkt(&nv.net_tx, NVSP_RING_PKT_TYPE, buf, (size_t)len);
}

static void ctl_input(const void *buf, size_t len)
{
	struct vmbus_ctl_msg m, reply = {.type = VMBUS_CTL_OPEN};
	const char *why = "";

	if (vmbus_ctl_decode(buf, len, &m, &why) || vmbus_ctl_sm_recv(&nv.sm, &m, &why)) {
		printf("netvsc refused control reason=\"%s\"\n", why);
		return;
	}
	if (m.type == VMBUS_CTL_OFFER) {
		reply.u.instance.instance_id = m.u.offer.instance_id;
		ctl_send(&reply);
	} else if (m.type == VMBUS_CTL_OPEN_RESULT && nv.sm.state == VMBUS_CTL_ST_OPEN) {
		send_init();
	} else if (m.type == VMBUS_CTL_RESCIND) {
		reply.type = VMBUS_CTL_CLOSE;
		reply.u.instance.instance_id = m.u.instance.instance_id;
		ctl_send(&reply);
		fail("rescinded");
	}
}

static void init_ack(const struct nvsp_msg *m)
{
	char mac[18];
	const uint8_t *b = m->u.init_ack.mac;

	if (m->u.init_ack.status) {
		printf("netvsc init refused err=%s\n", errno_name(m->u.init_ack.status));
		fail("init-refused");
		return;
	}
	hv_snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
		    b[5]);
	printf("netvsc up mac=%s mtu=%u version=%u link=%s\n", mac, m->u.init_ack.mtu,
	       m->u.init_ack.version, m->u.init_ack.link_up ? "up" : "down");
	nv.ready = true;
	net_app_synthetic_up(b, m->u.init_ack.link_up);
}

static void net_input(const void *buf, size_t len)
{
	struct nvsp_msg m;
	struct nvsp_batch_iter it;
	const uint8_t *f;
	uint16_t flen;
	const char *why = "";

	if (nvsp_decode(buf, len, NVSP_FROM_PARENT, &m, &why)) {
		nv.c.malformed++;
		printf("netvsc refused message reason=\"%s\"\n", why);
		return;
	}
	if (m.type == NVSP_INIT_ACK) {
		init_ack(&m);
	} else if (m.type == NVSP_FRAME) {
		nv.c.rx_frames++;
		net_app_rx(NVSP_PATH_SYNTHETIC, m.u.frame.data, m.u.frame.len);
	} else if (m.type == NVSP_FRAME_BATCH) {
		nvsp_batch_iter_init(&it, &m);
		while (nvsp_batch_next(&it, &f, &flen)) {
			nv.c.rx_frames++;
			net_app_rx(NVSP_PATH_SYNTHETIC, f, flen);
		}
	} else {
		net_app_msg(&m);
	}
}

typedef void (*input_fn)(const void *buf, size_t len);

/*
 * May one more packet be read? A netvsc packet carries up to
 * NVSP_BATCH_MAX frames and each may be answered (an echo): while the
 * bond holds frames (a switch) the rest wait in the ring, not in the stack,
 * which would drop what the bond can't take. The control ring always is.
 */
static bool may_read(const struct ring_end *e)
{
	if (e != &nv.net_rx || net_app_rx_room() >= NETVSC_RX_ROOM)
		return true;
	nv.c.rx_deferred++;
	return false;
}

static int drain(struct ring_end *e, uint16_t want, input_fn fn)
{
	unsigned budget = DRAIN_BUDGET;
	uint16_t type;
	int n = 0;

	ring_read_begin(e); /* no doorbells while we are awake (netvsc_arm) */
	do {
		while (budget && may_read(e) &&
		       (n = ring_read(e, &type, nv.rx_buf, sizeof(nv.rx_buf))) > 0) {
			budget--;
			if (type == want)
				fn(nv.rx_buf, (size_t)n);
			else
				nv.c.malformed++;
		}
		if (n < 0)
			return n;
		/* Room for a waiting parent? Then masked again: we are awake (netvsc_arm). */
		if (ring_read_end(e))
			nv.signal = true; /* the parent waits for space */
		ring_read_begin(e);
	} while (budget && may_read(e) && ring_readable(e));
	return 0;
}

/*
 * Interrupt suppression, NAPI's way: the parent->child rings stay masked
 * while the child is awake (its main loop polls them on every round) and
 * are unmasked only here, just before it sleeps, with the re-check that
 * closes the race: true when a packet came meanwhile (don't sleep).
 */
bool netvsc_arm(void)
{
	bool pending = false;

	if (nv.index < 0 || nv.dead)
		return false;
	if (nv.ctl_rx_up) {
		nv.signal |= ring_read_end(&nv.ctl_rx);
		pending |= ring_readable(&nv.ctl_rx);
	}
	if (nv.net_rx_up) {
		nv.signal |= ring_read_end(&nv.net_rx);
		pending |= ring_readable(&nv.net_rx) && net_app_rx_room() >= NETVSC_RX_ROOM;
	}
	netvsc_flush();
	return pending;
}

static void attach_rx(void)
{
	uint8_t *m = nv.mem;

	if (!nv.ctl_rx_up)
		nv.ctl_rx_up = !ring_attach(&nv.ctl_rx, m + VMBUS_CTL_P2C_OFFSET,
					    m + VMBUS_RING_DATA(VMBUS_CTL_P2C_OFFSET),
					    VMBUS_CTL_DATA_SIZE, RING_CONSUMER);
	if (!nv.net_rx_up)
		nv.net_rx_up = !ring_attach(&nv.net_rx, m + VMBUS_NET_P2C_OFFSET,
					    m + VMBUS_RING_DATA(VMBUS_NET_P2C_OFFSET),
					    VMBUS_NET_DATA_SIZE, RING_CONSUMER);
}

void netvsc_poll(void)
{
	int err = 0;

	if (nv.index < 0 || nv.dead)
		return;
	attach_rx();
	if (nv.ctl_rx_up)
		err = drain(&nv.ctl_rx, VMBUS_CTL_PKT_TYPE, ctl_input);
	if (!err && nv.net_rx_up && nv.init_sent)
		err = drain(&nv.net_rx, NVSP_RING_PKT_TYPE, net_input);
	if (err)
		fail(err == -EPROTO ? "ring-broken" : "oversized-packet");
}

/* --- Test aids (hostile=ring|netmsg, guests/child/netvsc_hostile.c) --------------- */

uint8_t *netvsc_region(void)
{
	return nv.index >= 0 ? nv.mem : NULL;
}

int netvsc_kick(void)
{
	return nv.index >= 0 ? doorbell_ring((unsigned)nv.index) : -ENOTCONN;
}

int netvsc_send_raw(const void *msg, size_t len)
{
	batch_write();
	return send_pkt(&nv.net_tx, NVSP_RING_PKT_TYPE, msg, len);
}
