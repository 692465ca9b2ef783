/*
 * The NetVSP's channels (netvsp.h): every "vmbus" channel of the parent
 * gets its parent->child rings set up here, and the main loop drains the
 * child->parent rings of all of them on every wakeup (a doorbell, the PF's
 * interrupt or the tick: doorbells may be merged or throttled, so the tick
 * alone must keep things moving). The rings stay masked while the parent
 * is awake and it polls on briefly after frames to a child, so a burst and
 * its answers cost one doorbell (netvsp_keep_polling). A channel whose
 * ring breaks is closed and the others go on; a child started again gets
 * its channel set up anew (netvsp_child_started, docs/channel.md).
 */
#include "guests/lib/guest.h"
#include "guests/lib/vmbus_layout.h"
#include "guests/parent/netvsp_int.h"
#include "guests/parent/nic.h"

#define DRAIN_BUDGET	 256  /* packets per ring per poll: one child can't starve the rest */
#define MALFORMED_LOGGED 4    /* log lines per channel; the counter sees them all */
#define NETVSP_LINGER_US 1000 /* polling on after the last frame given to a child */

struct netvsp netvsp;

static const char *const state_names[] = {"waiting", "connected", "open", "closed"};

const char *netvsp_state_name(enum netvsp_state s)
{
	return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

struct netvsp_chan *netvsp_chan_of_port(unsigned port)
{
	for (unsigned i = 0; i < netvsp.count; i++)
		if (netvsp.chans[i].port == (int)port)
			return &netvsp.chans[i];
	return NULL;
}

static void ring_log(const char *line)
{
	printf("netvsp %s\n", line);
}

/* The producer ends of the parent->child rings, made clean before the child looks. */
static int rings_init(struct netvsp_chan *ch)
{
	uint8_t *m = ch->mem;
	int err = ring_init_shared(m + VMBUS_CTL_P2C_OFFSET, VMBUS_CTL_DATA_SIZE);

	if (!err)
		err = ring_init_shared(m + VMBUS_NET_P2C_OFFSET, VMBUS_NET_DATA_SIZE);
	if (!err)
		err = ring_attach(&ch->ctl_tx, m + VMBUS_CTL_P2C_OFFSET,
				  m + VMBUS_RING_DATA(VMBUS_CTL_P2C_OFFSET), VMBUS_CTL_DATA_SIZE,
				  RING_PRODUCER);
	if (!err)
		err = ring_attach(&ch->net_tx, m + VMBUS_NET_P2C_OFFSET,
				  m + VMBUS_RING_DATA(VMBUS_NET_P2C_OFFSET), VMBUS_NET_DATA_SIZE,
				  RING_PRODUCER);
	return err;
}

static void chan_setup(const struct hv_guest_boot_info *bi, unsigned index)
{
	const struct hv_guest_channel *c = &bi->channels[index];
	struct netvsp_chan *ch = &netvsp.chans[netvsp.count];
	struct nic *n = nic_get();
	int err;

	memset(ch, 0, sizeof(*ch));
	ch->index = index;
	ch->port = ch->vf = -1;
	hv_snprintf(ch->name, sizeof(ch->name), "%.*s", HV_NAME_LEN, c->peer);
	ch->mem = c->size >= HV_GUEST_CHANNEL_SLOT ? channel_map(c) : NULL;
	err = ch->mem ? rings_init(ch) : -ENOMEM;
	if (err) {
		printf("netvsp error port=%s err=%s\n", ch->name, errno_name(err));
		return;
	}
	vmbus_ctl_sm_init(&ch->sm, VMBUS_CTL_PARENT);
	ch->sp = n ? nic_port_find(n, ch->name) : NULL;
	if (ch->sp)
		ch->port = nvsw_port_add(&netvsp.sw, ch->sp);
	netvsp.count++;
}

void netvsp_start(const struct hv_guest_boot_info *bi)
{
	nvsw_init(&netvsp.sw, &netvsp_hooks, nic_get());
	ring_set_log(ring_log);
	for (uint32_t i = 0; i < bi->channel_count && i < HV_GUEST_MAX_CHANNELS; i++)
		if (!strncmp(bi->channels[i].name, VMBUS_CHANNEL_NAME, HV_NAME_LEN))
			chan_setup(bi, i);
	netvsp.up = true;
	printf("netvsp ready channels=%u ports=%u wire=%s\n", netvsp.count, netvsp.sw.count,
	       nic_get() ? "pf" : "none");
}

int netvsp_send(struct netvsp_chan *ch, struct ring_end *e, uint16_t type, const void *msg,
		size_t len)
{
	bool signal = false;
	int err;

	if (ch->state == NETVSP_CLOSED)
		return -EPIPE;
	err = ring_write(e, type, msg, (uint32_t)len, &signal);
	ch->signal |= signal;
	if (err == -EPIPE)
		netvsp_close(ch, "ring-broken");
	return err;
}

void netvsp_close(struct netvsp_chan *ch, const char *reason)
{
	if (ch->state == NETVSP_CLOSED)
		return;
	ch->state = NETVSP_CLOSED;
	if (ch->port >= 0)
		nvsw_port_attach(&netvsp.sw, (unsigned)ch->port, false);
	printf("netvsp channel closed port=%s reason=%s malformed=%lu syn_tx=%lu syn_rx=%lu "
	       "ring_errors=%lu doorbells=%lu\n",
	       ch->name, reason, ch->c.malformed, ch->c.syn_tx, ch->c.syn_rx,
	       ch->ctl_rx.stats.protocol_errors + ch->net_rx.stats.protocol_errors +
		   ch->ctl_tx.stats.protocol_errors + ch->net_tx.stats.protocol_errors,
	       ch->c.doorbells);
}

void netvsp_malformed(struct netvsp_chan *ch, const char *what, const char *reason)
{
	ch->c.malformed++;
	if (ch->c.malformed <= MALFORMED_LOGGED)
		printf("netvsp malformed port=%s what=%s reason=\"%s\" count=%lu\n", ch->name, what,
		       reason ? reason : "", ch->c.malformed);
	if (ch->c.malformed > NETVSP_MALFORMED_MAX)
		netvsp_close(ch, "malformed");
}

/* The child's ends appear once it initialised them (-EAGAIN before). */
static void attach_rx(struct netvsp_chan *ch)
{
	uint8_t *m = ch->mem;

	if (!ch->ctl_rx_up)
		ch->ctl_rx_up = !ring_attach(&ch->ctl_rx, m + VMBUS_CTL_C2P_OFFSET,
					     m + VMBUS_RING_DATA(VMBUS_CTL_C2P_OFFSET),
					     VMBUS_CTL_DATA_SIZE, RING_CONSUMER);
	if (!ch->net_rx_up)
		ch->net_rx_up = !ring_attach(&ch->net_rx, m + VMBUS_NET_C2P_OFFSET,
					     m + VMBUS_RING_DATA(VMBUS_NET_C2P_OFFSET),
					     VMBUS_NET_DATA_SIZE, RING_CONSUMER);
}

typedef void (*input_fn)(struct netvsp_chan *ch, const void *buf, size_t len);

/* One packet: the right type for its ring, else refused. */
static void packet(struct netvsp_chan *ch, uint16_t type, uint16_t want, input_fn fn,
		   const void *buf, int len)
{
	if (type != want)
		netvsp_malformed(ch, "packet", "wrong ring packet type");
	else
		fn(ch, buf, (size_t)len);
}

static int drain(struct netvsp_chan *ch, struct ring_end *e, uint16_t want, input_fn fn)
{
	static uint8_t buf[NVSP_MSG_MAX];
	unsigned budget = DRAIN_BUDGET;
	uint16_t type;
	int n = 0;

	ring_read_begin(e);
	do {
		while (budget && (n = ring_read(e, &type, buf, sizeof(buf))) > 0) {
			budget--;
			packet(ch, type, want, fn, buf, n);
			if (ch->state == NETVSP_CLOSED)
				return -EPIPE;
		}
		if (n < 0)
			return n; /* -EPROTO: broken; -EMSGSIZE: a packet no message can be */
		/* Room for a waiting child? Then masked again: we are awake (netvsp_arm). */
		if (ring_read_end(e))
			ch->signal = true; /* the child waits for space */
		ring_read_begin(e);
	} while (budget && ring_readable(e));
	return 0;
}

static void poll_chan(struct netvsp_chan *ch)
{
	int err = 0;

	if (ch->state == NETVSP_CLOSED)
		return;
	attach_rx(ch);
	if (ch->ctl_rx_up)
		err = drain(ch, &ch->ctl_rx, VMBUS_CTL_PKT_TYPE, netvsp_ctl_input);
	if (!err && ch->net_rx_up && ch->state == NETVSP_OPEN)
		err = drain(ch, &ch->net_rx, NVSP_RING_PKT_TYPE, netvsp_net_input);
	if (err == -EPROTO)
		netvsp_close(ch, "ring-broken");
	else if (err == -EMSGSIZE)
		netvsp_close(ch, "oversized-packet");
}

/* After every channel was served: one frame may have filled another child's ring. */
static void ring_doorbells(void)
{
	for (unsigned i = 0; i < netvsp.count; i++) {
		struct netvsp_chan *ch = &netvsp.chans[i];

		if (!ch->signal || ch->state == NETVSP_CLOSED)
			continue;
		ch->signal = false;
		ch->c.doorbells++;
		doorbell_ring(ch->index); /* -EAGAIN (throttled) is harmless: the child polls */
	}
}

/*
 * The child's region was zeroed inside the start hypercall, which nothing
 * of ours ran during (one main loop): forget everything about the old
 * rings, set up our producer ends anew and wait for the child's, as at
 * boot. Its port leaves the VF path (the new child starts synthetic) and is
 * detached until the new INIT.
 */
static void chan_reset(struct netvsp_chan *ch)
{
	const char *why = "";
	int err;

	if (ch->port >= 0) {
		if (netvsp.sw.ports[ch->port].path == NVSP_PATH_VF)
			nvsw_set_path(&netvsp.sw, (unsigned)ch->port, NVSP_PATH_SYNTHETIC, &why);
		nvsw_port_attach(&netvsp.sw, (unsigned)ch->port, false);
	}
	memset(&ch->ctl_tx, 0, sizeof(ch->ctl_tx));
	memset(&ch->net_tx, 0, sizeof(ch->net_tx));
	memset(&ch->ctl_rx, 0, sizeof(ch->ctl_rx));
	memset(&ch->net_rx, 0, sizeof(ch->net_rx));
	ch->ctl_rx_up = ch->net_rx_up = ch->net_up = ch->signal = false;
	vmbus_ctl_sm_init(&ch->sm, VMBUS_CTL_PARENT);
	err = rings_init(ch);
	ch->state = err ? NETVSP_CLOSED : NETVSP_WAITING;
	printf("netvsp channel reset port=%s reason=child-started state=%s%s%s\n", ch->name,
	       netvsp_state_name(ch->state), err ? " err=" : "", err ? errno_name(err) : "");
}

void netvsp_child_started(const char *name)
{
	for (unsigned i = 0; netvsp.up && i < netvsp.count; i++)
		if (!strcmp(netvsp.chans[i].name, name) && netvsp.chans[i].mem)
			chan_reset(&netvsp.chans[i]);
}

/*
 * Before the parent sleeps: unmask every child's rings (they stay masked
 * while it is awake, see drain) and re-check; true when a packet came
 * meanwhile. Doorbells owed are rung.
 */
bool netvsp_arm(void)
{
	bool pending = false;

	for (unsigned i = 0; i < netvsp.count; i++) {
		struct netvsp_chan *ch = &netvsp.chans[i];

		if (ch->state == NETVSP_CLOSED)
			continue;
		if (ch->ctl_rx_up) {
			ch->signal |= ring_read_end(&ch->ctl_rx);
			pending |= ring_readable(&ch->ctl_rx);
		}
		if (ch->net_rx_up && ch->state == NETVSP_OPEN) {
			ch->signal |= ring_read_end(&ch->net_rx);
			pending |= ring_readable(&ch->net_rx);
		}
	}
	ring_doorbells();
	return pending;
}

/*
 * Frames given to children: their answers come back on the rings, which is
 * what polling on saves doorbells for. Frames a child sends to the wire
 * start no spin: their answers come as the PF's interrupt, and under TCG a
 * spinning vCPU slows QEMU's delivery of them (docs/netvsc.md).
 */
static uint64_t frames_to_children(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < netvsp.count; i++)
		n += netvsp.chans[i].c.syn_rx;
	return n;
}

bool netvsp_keep_polling(void)
{
	static uint64_t seen, until_us;
	uint64_t frames, now;

	if (!netvsp.up)
		return false;
	frames = frames_to_children();
	now = tsc_us();
	if (frames != seen) {
		seen = frames;
		until_us = now + NETVSP_LINGER_US;
	}
	return now < until_us || netvsp_arm();
}

void netvsp_poll(void)
{
	if (!netvsp.up)
		return;
	netvsp_link_poll();
	for (unsigned i = 0; i < netvsp.count; i++)
		poll_chan(&netvsp.chans[i]);
	ring_doorbells();
}
