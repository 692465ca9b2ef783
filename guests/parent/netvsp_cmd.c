/*
 * What the NetVSP shows: a snapshot per port for the `make run` story
 * (netvsp_port) and the `net` shell command.
 *   net list    one line a port: net port=.. state=.. path=.. mac=.. syn_tx=.. ...
 *   net stats   a STATS_REQ to every open child; each answers with its own
 *               counters, printed as `net stats port=..` when they arrive
 */
#include "guests/lib/guest.h"
#include "guests/parent/netvsp_int.h"
#include "guests/parent/nic.h"

static struct netvsp_port_view view;
static uint32_t stats_request;

unsigned netvsp_port_count(void)
{
	return netvsp.count;
}

static uint64_t port_drops(const struct netvsp_chan *ch)
{
	uint64_t d = ch->c.ring_full + ch->c.wire_busy;

	if (ch->port >= 0)
		for (unsigned r = 0; r < NVSW_DROP_COUNT; r++)
			d += netvsp.sw.ports[ch->port].c.drops[r];
	return d;
}

const struct netvsp_port_view *netvsp_port(unsigned i)
{
	const struct netvsp_chan *ch;

	if (i >= netvsp.count)
		return NULL;
	ch = &netvsp.chans[i];
	memset(&view, 0, sizeof(view));
	view.name = ch->name;
	view.state = netvsp_state_name(ch->state);
	view.path =
	    ch->port >= 0 && netvsp.sw.ports[ch->port].path == NVSP_PATH_VF ? "vf" : "synthetic";
	if (ch->sp)
		view.mac = ch->sp->state.mac;
	view.vf = ch->vf;
	view.syn_tx = ch->c.syn_tx;
	view.syn_rx = ch->c.syn_rx;
	netvsp_vf_counts(ch, &view.vf_tx, &view.vf_rx);
	view.switches = ch->c.switches;
	view.failovers = ch->c.failovers;
	view.drops = port_drops(ch);
	view.malformed = ch->c.malformed;
	view.doorbells = ch->c.doorbells;
	return &view;
}

static void net_list(void)
{
	struct nic *n = nic_get();
	char mac[MAC_STR_LEN];

	if (n)
		igb_stats_update(&n->pf); /* the VF pools' counters */
	for (unsigned i = 0; i < netvsp_port_count(); i++) {
		const struct netvsp_port_view *v = netvsp_port(i);

		printf("net port=%s state=%s path=%s mac=%s vf=%d syn_tx=%lu syn_rx=%lu vf_tx=%lu "
		       "vf_rx=%lu switches=%lu failovers=%lu drops=%lu malformed=%lu "
		       "doorbells=%lu\n",
		       v->name, v->state, v->path, mac_format(&v->mac, mac), v->vf, v->syn_tx,
		       v->syn_rx, v->vf_tx, v->vf_rx, v->switches, v->failovers, v->drops,
		       v->malformed, v->doorbells);
	}
	printf("ok\n");
}

static void net_stats(void)
{
	uint8_t buf[sizeof(struct nvsp_stats_req)];
	unsigned asked = 0;
	int len = nvsp_encode_stats_req(buf, sizeof(buf), ++stats_request);

	for (unsigned i = 0; len > 0 && i < netvsp.count; i++) {
		struct netvsp_chan *ch = &netvsp.chans[i];

		if (ch->state == NETVSP_OPEN && ch->net_up &&
		    !netvsp_send(ch, &ch->net_tx, NVSP_RING_PKT_TYPE, buf, (size_t)len))
			asked++;
	}
	netvsp_poll(); /* rings the doorbells */
	printf("net stats asked=%u request=%u\n", asked, stats_request);
	printf("ok\n");
}

void cmd_net(const char *arg)
{
	if (!*arg || !strcmp(arg, "list"))
		net_list();
	else if (!strcmp(arg, "stats"))
		net_stats();
	else
		printf("error %s\n", errno_name(-EINVAL));
}
