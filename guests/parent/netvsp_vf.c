/*
 * A port's VF as the NetVSP sees it. When `vf assign` gives a child its
 * port's VF, the child is told (VF_ASSOCIATE) and asks, once its VF driver
 * is up, to move its data path: the hook below then moves the port's MAC
 * filter (RAR entry) from the PF's pool, where unmatched unicast lands as
 * the default pool, to the VF's pool, and back on the way to synthetic
 * (drivers/nic/igb_vf_msg.c igb_vf_attach). Before `vf revoke` takes the
 * VF the child is dissociated and given a bounded time to fail back, with
 * the rings served meanwhile, so a planned revocation loses no frame.
 */
#include "guests/lib/guest.h"
#include "guests/parent/netvsp_int.h"
#include "guests/parent/nic.h"

#define FAILBACK_WAIT_US 3000000 /* the child's bond gives up after 1 s per step */
#define FAILBACK_IDLE_US 1000	 /* HC_IDLE between polls: a doorbell ends it early */

static int move_filter(void *ctx, unsigned port, const struct switch_port *sp, enum nvsp_path to)
{
	struct nic *n = ctx;
	int vf = n ? nic_port_vf(n, sp) : -1;

	(void)port;
	if (vf < 0)
		return -ENODEV;
	return igb_vf_attach(&n->pf, (unsigned)vf, to == NVSP_PATH_VF);
}

const struct nvsw_hooks netvsp_hooks = {.move_filter = move_filter};

static struct netvsp_chan *chan_of_vf(struct nic *n, unsigned vf)
{
	if (!n || vf >= IGB_MAX_VFS || !n->pf.vf_port[vf])
		return NULL;
	for (unsigned i = 0; i < netvsp.count; i++)
		if (netvsp.chans[i].sp == n->pf.vf_port[vf])
			return &netvsp.chans[i];
	return NULL;
}

static void send_assoc(struct netvsp_chan *ch, struct nic *n, unsigned vf, bool on)
{
	uint8_t buf[sizeof(struct nvsp_vf_associate)];
	char bdf[12];
	int len = nvsp_encode_vf_associate(buf, sizeof(buf), on, vf, n->vfs.vf[vf].rid,
					   ch->sp->state.mac.b);

	if (len > 0)
		netvsp_send(ch, &ch->net_tx, NVSP_RING_PKT_TYPE, buf, (size_t)len);
	printf("netvsp vf %s port=%s vf=%u bdf=%s\n", on ? "associate" : "dissociate", ch->name, vf,
	       bdf_format(n->vfs.vf[vf].rid, bdf, sizeof(bdf)));
}

static void associate(struct netvsp_chan *ch, struct nic *n, unsigned vf)
{
	nvsw_port_set_vf(&netvsp.sw, (unsigned)ch->port, true);
	igb_stats_update(&n->pf);
	ch->vf = (int)vf;
	ch->vf_base_tx = n->pf.hw_stats.pool[vf][IGB_POOL_GPTC];
	ch->vf_base_rx = n->pf.hw_stats.pool[vf][IGB_POOL_GPRC];
	send_assoc(ch, n, vf, true);
}

bool netvsp_vf_assigned(unsigned vf)
{
	struct nic *n = nic_get();
	struct netvsp_chan *ch = chan_of_vf(n, vf);

	if (!ch || ch->state != NETVSP_OPEN || !ch->net_up)
		return false;
	associate(ch, n, vf);
	return true;
}

void netvsp_vf_on_init(struct netvsp_chan *ch)
{
	struct nic *n = nic_get();
	int vf = n && ch->sp ? nic_port_vf(n, ch->sp) : -1;

	if (vf >= 0 && ch->vf < 0 && n->vfs.vf[vf].state == VF_ASSIGNED)
		associate(ch, n, (unsigned)vf);
	else if (vf >= 0 && ch->vf == vf)
		send_assoc(ch, n, (unsigned)vf, true); /* the child started over */
}

void netvsp_vf_counts(const struct netvsp_chan *ch, uint64_t *tx, uint64_t *rx)
{
	struct nic *n = nic_get();

	*tx = ch->c.vf_tx;
	*rx = ch->c.vf_rx;
	if (!n || ch->vf < 0)
		return;
	*tx += n->pf.hw_stats.pool[ch->vf][IGB_POOL_GPTC] - ch->vf_base_tx;
	*rx += n->pf.hw_stats.pool[ch->vf][IGB_POOL_GPRC] - ch->vf_base_rx;
}

/* Serves the NIC and the rings until the child's port is synthetic again; the time taken. */
static uint64_t wait_failback(struct netvsp_chan *ch)
{
	uint64_t start = tsc_us(), now = start;

	while (netvsp.sw.ports[ch->port].path == NVSP_PATH_VF && ch->state == NETVSP_OPEN &&
	       now - start < FAILBACK_WAIT_US) {
		nic_poll();
		netvsp_poll();
		if (netvsp.sw.ports[ch->port].path != NVSP_PATH_VF)
			break;
		if (!netvsp_arm()) /* the rings stay masked while we poll: unmask to be rung */
			hc_idle(FAILBACK_IDLE_US);
		now = tsc_us();
	}
	return tsc_us() - start;
}

void netvsp_vf_revoking(unsigned vf)
{
	struct nic *n = nic_get();
	struct netvsp_chan *ch = chan_of_vf(n, vf);
	bool was_vf;
	uint64_t waited = 0;

	if (!ch || ch->vf != (int)vf)
		return;
	was_vf = netvsp.sw.ports[ch->port].path == NVSP_PATH_VF;
	if (ch->state == NETVSP_OPEN) {
		send_assoc(ch, n, vf, false);
		netvsp_poll(); /* rings the doorbell */
		waited = wait_failback(ch);
	}
	igb_stats_update(&n->pf);
	netvsp_vf_counts(ch, &ch->c.vf_tx, &ch->c.vf_rx);
	ch->vf = -1;
	if (netvsp.sw.ports[ch->port].path == NVSP_PATH_VF)
		ch->c.failovers++; /* forced: the child did not come back in time */
	printf("netvsp vf released port=%s vf=%u was=%s by=%s waited_us=%lu\n", ch->name, vf,
	       was_vf ? "vf" : "synthetic",
	       netvsp.sw.ports[ch->port].path == NVSP_PATH_VF ? "force" : "child", waited);
	nvsw_port_set_vf(&netvsp.sw, (unsigned)ch->port, false);
}
