/*
 * The child's network (docs/netvsc.md, "As built"): the IP stack of
 * guests/lib/net on one interface whose frames go through the bond
 * (guests/lib/netbond.h) of the synthetic NIC (netvsc.c) and the VF
 * (vf_net.c). Traffic starts synthetic; when the hypervisor offers a VF,
 * its driver comes up with the port's MAC and the parent associates it,
 * the bond asks the parent to move the data path to the VF; on
 * dissociation or revocation it fails back first and only then lets the VF
 * go. Frames from both paths go into the stack. It always answers ARP,
 * ICMP echo and UDP echo (port 7). Options (command line):
 *   ip=a.b.c.d   address (default 10.0.2.<15 + partition id>), /24
 *   gw=a.b.c.d   gateway (default 10.0.2.2)
 *   net=off      no network at all (nor with doorbell=..., the doorbell tests)
 *   ping=a.b.c.d pingn=<count, 0 forever> pingms=<interval>: pings, one
 *                `ping reply` line each, `ping stats` every 10 s and at the end
 *   pingquiet    no `ping reply` lines, only `ping stats` (the make run story)
 * Lines: `net up ip=.. mac=.. path=synthetic`, `net path=vf|synthetic
 * reason=..` on every switch, `net stats ...` when the parent asks.
 */
#include "guests/lib/guest.h"
#include "guests/lib/netbond.h"
#include "guests/lib/net/netif.h"
#include "guests/lib/net/wire.h"
#include "guests/child/child.h"

#define OPT_MAX		  20
#define PING_ID		  0x4e56
#define PING_DATA	  32
#define PING_DEFAULT_MS	  1000
#define PING_STATS_US	  10000000
#define PING_LINGER_US	  2000000 /* after the last ping: its reply may still come */
#define NETMASK		  IP4_ADDR(255, 255, 255, 0)
#define DEFAULT_GW	  IP4_ADDR(10, 0, 2, 2)
#define DEFAULT_HOST_BASE 15
#define NET_LINGER_US	  1000 /* polling on after the last synthetic frame received */

static struct {
	bool enabled, up, link;
	uint32_t ip, gw, partition;
	struct netif nif;
	struct netbond nb;
	enum nvsp_path path; /* last printed */
	const char *why;     /* what the bond was last told: the reason of a path change */
	/* What happened to the VF before the bond existed. */
	bool vf_offered, vf_ready;
	uint32_t vf_bdf;
	uint8_t vf_mac[NVSP_ETH_ALEN];
	bool vf_revoking;
	uint64_t db_seen, irq_seen;
	uint64_t linger_frames, linger_until_us; /* synthetic frames seen, poll until */
	uint64_t window_start_us, window_held;	 /* the switch under way began (0: none) */
	const char *window_to;
	/* Pings. */
	uint32_t ping_dst;
	uint64_t ping_count, ping_interval_us, ping_next_us, ping_stats_us, ping_done_us;
	uint64_t ping_sent, ping_received;
	bool ping_over, ping_quiet;
} na;

static bool option(const char *cmdline, const char *key, char *val)
{
	return cmdline_get(cmdline, CHILD_CMDLINE_SIZE, key, val, OPT_MAX) == 0;
}

static int parse_ip(const char *s, uint32_t *ip)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 4; i++) {
		unsigned part = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 3)
			part = part * 10 + (unsigned)(*s++ - '0'), digits++;
		if (!digits || part > 255 || *s != (i == 3 ? '\0' : '.'))
			return -EINVAL;
		s += i < 3;
		v = v << 8 | part;
	}
	*ip = v;
	return 0;
}

static void ip_option(const char *cmdline, const char *key, uint32_t *ip)
{
	char val[OPT_MAX];

	if (option(cmdline, key, val) && parse_ip(val, ip))
		printf("net error option=%s value=%s reason=not-an-address\n", key, val);
}

static uint64_t num_option(const char *cmdline, const char *key, uint64_t def)
{
	char val[OPT_MAX];
	uint64_t v = def;

	if (option(cmdline, key, val) && parse_u64(val, &v))
		v = def;
	return v;
}

/* --- The bond's means ------------------------------------------------------------ */

static int bond_tx(void *ctx, enum nvsp_path path, const void *frame, size_t len)
{
	(void)ctx;
	if (path == NVSP_PATH_VF)
		return vf_net_send(frame, len);
	return netvsc_send_frame(frame, len);
}

static int bond_send_msg(void *ctx, const void *msg, size_t len)
{
	(void)ctx;
	return netvsc_send_msg(msg, len);
}

static bool bond_vf_tx_idle(void *ctx)
{
	(void)ctx;
	return vf_net_tx_idle();
}

static void bond_log(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

static const struct netbond_ops bond_ops = {
    .tx = bond_tx, .send_msg = bond_send_msg, .vf_tx_idle = bond_vf_tx_idle, .log = bond_log};

/*
 * The switch window: from the bond's request (SWITCHING or FAILING_BACK)
 * to the parent's ACK, while every frame sent is held. Printed as `net
 * switch window_us=.. held=<this window> hold_max=<ever>` (docs/netvsc.md:
 * what the hold queue must cover).
 */
static void window_check(void)
{
	bool busy = na.nb.state == NETBOND_SWITCHING || na.nb.state == NETBOND_FAILING_BACK;

	if (busy && !na.window_start_us) {
		na.window_start_us = tsc_us();
		na.window_held = na.nb.c.held;
		na.window_to = na.nb.state == NETBOND_SWITCHING ? "vf" : "synthetic";
	} else if (!busy && na.window_start_us) {
		printf("net switch to=%s window_us=%lu held=%lu hold_max=%lu backpressure=%lu "
		       "deferred=%lu\n",
		       na.window_to, tsc_us() - na.window_start_us, na.nb.c.held - na.window_held,
		       na.nb.c.hold_max, na.nb.c.backpressure, netvsc_counters()->rx_deferred);
		na.window_start_us = 0;
	}
}

/* Prints `net path=...` when the bond's path changed since the last look. */
static void path_check(void)
{
	enum nvsp_path now = netbond_path(&na.nb);

	window_check();
	if (!na.up || now == na.path)
		return;
	na.path = now;
	printf("net path=%s reason=%s switches=%lu failovers=%lu held=%lu\n",
	       now == NVSP_PATH_VF ? "vf" : "synthetic", na.why, na.nb.c.switches,
	       na.nb.c.failovers, na.nb.c.held);
}

/* --- The stack ------------------------------------------------------------------- */

/*
 * The wire is there: announce ourselves and learn the gateway now, so the
 * first burst of echo replies to it needs no ARP (the stack holds only one
 * frame while an address resolves).
 */
static void link_came_up(void)
{
	struct mac_addr mac;

	arp_announce(&na.nif);
	if (na.gw)
		arp_resolve(&na.nif, na.gw, &mac);
}

static int stack_tx(void *ctx, const void *frame, size_t len)
{
	int err = netbond_tx(&na.nb, frame, len);

	(void)ctx;
	return err == NETBOND_HELD ? 0 : err;
}

static void on_echo_reply(void *ctx, const struct icmp_echo_result *r)
{
	char from[IP4_STR_LEN];

	(void)ctx;
	na.ping_received++;
	if (na.ping_quiet)
		return;
	printf("ping reply from=%s seq=%u rtt_us=%lu path=%s\n", ip4_format(r->from, from), r->seq,
	       r->rtt, na.path == NVSP_PATH_VF ? "vf" : "synthetic");
}

static void stack_up(const uint8_t mac[NVSP_ETH_ALEN])
{
	struct netif_config cfg = {.ip = na.ip,
				   .netmask = NETMASK,
				   .gateway = na.gw,
				   .tx = stack_tx,
				   .ticks_per_sec = 1000000};
	char ip[IP4_STR_LEN], m[MAC_STR_LEN];
	int err;

	memcpy(cfg.mac.b, mac, NVSP_ETH_ALEN);
	err = netif_init(&na.nif, &cfg);
	if (!err)
		err = udp_echo_start(&na.nif, UDP_ECHO_PORT);
	if (err) {
		printf("net error err=%s ip=%s\n", errno_name(err), ip4_format(na.ip, ip));
		return;
	}
	icmp_set_reply_handler(&na.nif, on_echo_reply, NULL);
	na.up = true;
	printf("net up ip=%s mac=%s path=synthetic\n", ip4_format(na.ip, ip),
	       mac_format(&cfg.mac, m));
	arp_announce(&na.nif);
}

void net_app_synthetic_up(const uint8_t mac[NVSP_ETH_ALEN], bool link_up)
{
	struct netbond_config cfg = {0};
	int err;

	if (na.up)
		return;
	memcpy(cfg.mac, mac, NVSP_ETH_ALEN);
	err = netbond_init(&na.nb, &cfg, &bond_ops, NULL);
	if (err) {
		printf("net error op=bond err=%s\n", errno_name(err));
		return;
	}
	na.nb.now_ms = tsc_us() / 1000;
	stack_up(mac);
	na.link = link_up; /* the wire's: the children reach each other either way */
	printf("net link=%s\n", link_up ? "up" : "down");
	if (na.up && link_up)
		link_came_up();
	na.why = "offer";
	if (na.up && na.vf_offered)
		netbond_vf_offered(&na.nb, na.vf_bdf);
	if (na.up && na.vf_ready)
		netbond_vf_ready(&na.nb, na.vf_mac);
	path_check();
}

uint32_t net_app_rx_room(void)
{
	return na.up ? netbond_hold_room(&na.nb) : UINT32_MAX;
}

void net_app_rx(enum nvsp_path path, const void *frame, size_t len)
{
	if (!na.up)
		return;
	netbond_rx(&na.nb, path, len);
	netif_tick(&na.nif, tsc_us()); /* the stack's clock at arrival: round trips in us */
	net_input(&na.nif, frame, len);
}

/* --- Statistics -------------------------------------------------------------------- */

static void stats_answer(uint32_t request_id)
{
	uint8_t buf[sizeof(struct nvsp_stats_reply)];
	struct nvsp_stats s = {0};
	const struct netbond_counters *c = &na.nb.c;
	uint64_t drops = net_drops_total(&na.nif.stats);
	int len;

	s.tx_frames = c->tx[0] + c->tx[1];
	s.rx_frames = c->rx[0] + c->rx[1];
	s.tx_dropped = c->tx_errors + na.nif.stats.drops[NET_DROP_TX_HOOK];
	s.rx_dropped = drops - na.nif.stats.drops[NET_DROP_TX_HOOK];
	printf("net stats path=%s syn_tx=%lu syn_rx=%lu vf_tx=%lu vf_rx=%lu switches=%lu "
	       "failovers=%lu held=%lu backpressure=%lu rx_old_path=%lu echo=%lu drops=%lu\n",
	       na.path == NVSP_PATH_VF ? "vf" : "synthetic", c->tx[0], c->rx[0], c->tx[1], c->rx[1],
	       c->switches, c->failovers, c->held, c->backpressure, c->rx_old_path,
	       na.nif.stats.echo_answered + na.nif.stats.udp_delivered, drops);
	len = nvsp_encode_stats_reply(buf, sizeof(buf), request_id, &s);
	if (len > 0)
		netvsc_send_msg(buf, (size_t)len);
}

void net_app_msg(const struct nvsp_msg *m)
{
	if (!na.up)
		return;
	if (m->type == NVSP_STATS_REQ) {
		stats_answer(m->u.stats_req.request_id);
		return;
	}
	if (m->type == NVSP_LINK) {
		na.link = m->u.link.up;
		printf("net link=%s speed=%u\n", na.link ? "up" : "down", m->u.link.speed_mbps);
		if (na.link)
			link_came_up();
		return;
	}
	if (m->type == NVSP_VF_ASSOCIATE)
		na.why = m->u.vf.associated ? "associate" : "dissociate";
	else if (m->type == NVSP_SWITCH_ACK && m->u.ack.status)
		na.why = "refused"; /* an accepted ACK completes what the last event started */
	netbond_handle_msg(&na.nb, m);
	path_check();
}

/* --- The VF ---------------------------------------------------------------------------- */

void net_app_vf_offered(uint32_t bdf)
{
	na.vf_offered = true;
	na.vf_ready = false;
	na.vf_bdf = bdf;
	na.vf_revoking = false;
	if (na.up) {
		na.why = "offer";
		netbond_vf_offered(&na.nb, bdf);
	}
}

void net_app_vf_ready(const uint8_t mac[NVSP_ETH_ALEN])
{
	na.vf_ready = true;
	memcpy(na.vf_mac, mac, NVSP_ETH_ALEN);
	if (na.up) {
		na.why = "vf-ready";
		netbond_vf_ready(&na.nb, mac);
		path_check();
	}
}

bool net_app_vf_revoking(uint32_t bdf)
{
	if (!na.vf_offered || bdf != na.vf_bdf)
		return false;
	na.vf_offered = na.vf_ready = false;
	if (!na.up)
		return false;
	na.why = "revoking";
	netbond_vf_revoking(&na.nb, false);
	path_check();
	na.vf_revoking = !netbond_vf_releasable(&na.nb);
	return na.vf_revoking;
}

bool net_app_vf_releasable(void)
{
	return !na.up || netbond_vf_releasable(&na.nb);
}

/* --- Pings -------------------------------------------------------------------------------- */

static void ping_start(const char *cmdline)
{
	char val[OPT_MAX];

	if (!option(cmdline, "ping", val))
		return;
	if (parse_ip(val, &na.ping_dst)) {
		printf("net error option=ping value=%s reason=not-an-address\n", val);
		return;
	}
	na.ping_count = num_option(cmdline, "pingn", 0);
	na.ping_quiet = option(cmdline, "pingquiet", val);
	na.ping_interval_us = num_option(cmdline, "pingms", PING_DEFAULT_MS) * 1000;
	if (!na.ping_interval_us)
		na.ping_interval_us = PING_DEFAULT_MS * 1000;
}

static void ping_stats(void)
{
	printf("ping stats sent=%lu received=%lu timeouts=%lu\n", na.ping_sent, na.ping_received,
	       na.nif.stats.ping_timeouts);
}

static void ping_poll(uint64_t now)
{
	uint8_t data[PING_DATA] = "netvsc ping";

	if (!na.ping_dst || na.ping_over || !na.up || !na.link)
		return;
	if (!na.ping_stats_us)
		na.ping_stats_us = now + PING_STATS_US;
	if (na.ping_count && na.ping_sent >= na.ping_count) {
		if (!na.ping_done_us)
			na.ping_done_us = now;
		if (na.ping_received >= na.ping_sent || now - na.ping_done_us > PING_LINGER_US) {
			na.ping_over = true;
			ping_stats();
		}
		return;
	}
	if (now >= na.ping_stats_us) {
		na.ping_stats_us = now + PING_STATS_US;
		ping_stats();
	}
	if (now < na.ping_next_us)
		return;
	na.ping_next_us = now + na.ping_interval_us;
	na.ping_sent++;
	icmp_ping(&na.nif, na.ping_dst, PING_ID, (uint16_t)na.ping_sent, data, sizeof(data));
}

/* --- The main loop's part ------------------------------------------------------------------ */

void net_app_start(const struct hv_guest_boot_info *bi)
{
	char cmdline[CHILD_CMDLINE_SIZE], val[OPT_MAX];
	size_t len = strnlen(bi->cmdline, HV_GUEST_CMDLINE_LEN);
	int err;

	memcpy(cmdline, bi->cmdline, len);
	cmdline[len] = '\0';
	if (option(cmdline, "net", val) && !strcmp(val, "off")) {
		printf("net disabled reason=command-line\n");
		return;
	}
	/* The doorbell tests (doorbell_test.c) count every doorbell of the channel. */
	if (option(cmdline, "doorbell", val)) {
		printf("net disabled reason=doorbell-test\n");
		return;
	}
	na.partition = bi->partition_id;
	na.ip = IP4_ADDR(10, 0, 2, DEFAULT_HOST_BASE + (bi->partition_id & 0xff));
	na.gw = DEFAULT_GW;
	ip_option(cmdline, "ip", &na.ip);
	ip_option(cmdline, "gw", &na.gw);
	ping_start(cmdline);
	err = netvsc_start(bi);
	if (err) {
		printf("net error op=netvsc err=%s\n", errno_name(err));
		return;
	}
	na.enabled = true;
}

void net_app_poll(void)
{
	uint64_t now;

	if (!na.enabled)
		return;
	netvsc_poll();
	now = tsc_us();
	if (na.up) {
		uint64_t timeouts = na.nb.c.timeouts;

		netbond_tick(&na.nb, now / 1000);
		if (na.nb.c.timeouts != timeouts)
			na.why = "timeout";
		path_check();
		netif_tick(&na.nif, now);
		ping_poll(now);
	}
	netvsc_flush();
}

/*
 * Keep polling (rings masked, no doorbells) for NET_LINGER_US after the
 * last frame received on the synthetic path: the rest of a burst comes
 * without a doorbell each (docs/netvsc.md, "Doorbells"). Frames we send
 * start no spin: under TCG a spinning vCPU slows QEMU's delivery of their
 * answers.
 */
static bool linger(void)
{
	uint64_t frames = netvsc_counters()->rx_frames, now = tsc_us();

	if (frames != na.linger_frames) {
		na.linger_frames = frames;
		na.linger_until_us = now + NET_LINGER_US;
	}
	return now < na.linger_until_us;
}

uint64_t net_app_wait(uint64_t seen)
{
	uint64_t now;

	if (na.enabled && (linger() || netvsc_arm()))
		return tick_count();
	/* As tick_wait, with the other wakeups checked with interrupts off too. */
	cpu_cli();
	while ((now = tick_count()) == seen && doorbell_received() == na.db_seen &&
	       vf_net_irqs() == na.irq_seen)
		cpu_wait_interrupt();
	na.db_seen = doorbell_received();
	na.irq_seen = vf_net_irqs();
	cpu_sti();
	return now;
}
