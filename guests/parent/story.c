/*
 * The story's steps (story.h), a state machine driven from the main loop.
 * Every step goes: act (shell commands of the VF lifecycle, nic_vf.c, so
 * the log shows the same `ok op=..` lines a user would get), wait for the
 * state the act leads to (bounded), take sample b, measure for story_ms,
 * then sync: sample each child just after an echo reply reached it, so no
 * ping is in flight and sent - received counts the lost ones. The sync
 * sample ends one step and starts the next: the windows cover the story.
 *
 * The story acts on the first two NetVSP ports, "A" and "B" below:
 *   1 synthetic   A and B up on the synthetic path, pinging
 *   2 vf          a VF allocated and assigned to A; A moves to it
 *   3 failover    that VF revoked: A fails back to synthetic first
 *   4 move        the same VF freed, allocated for B's port, assigned to B
 *   5 second-vf   with a VF free, it goes to A: both on the VF path
 *   6 summary     the table
 */
#include "guests/lib/guest.h"
#include "guests/lib/cmdline.h"
#include "guests/lib/netvsc_proto.h"
#include "guests/parent/netvsp.h"
#include "guests/parent/nic.h"
#include "guests/parent/story.h"
#include "guests/parent/story_int.h"

#define STORY_DEFAULT_MS 3000
#define STORY_MAX_MS	 600000
#define UP_WAIT_US	 60000000 /* the children boot, open their channels, get replies */
#define SWITCH_WAIT_US	 20000000 /* a VF's driver comes up and the bond switches */
#define SYNC_WAIT_US	 600000	  /* pings every 200 ms: a reply comes well within this */
#define STATS_WAIT_US	 2000000  /* the children answer `net stats` in a tick or two */
#define UP_RX_FRAMES	 3	  /* the gateway's ARP reply, then echo replies */
#define STEP_SKIP	 1
#define PORT_A		 0
#define PORT_B		 1

enum phase { PH_IDLE, PH_UP, PH_ACT, PH_WAIT, PH_MEASURE, PH_SYNC, PH_STATS };

struct step {
	const char *what;
	int (*act)(const char **why); /* 0, STEP_SKIP or a negative errno with *why */
	bool (*ready)(void);	      /* the state the act leads to */
	const char *waiting;	      /* that state, for the error line */
};

static struct {
	enum phase phase;
	unsigned step; /* index into steps[] */
	unsigned ports;
	uint64_t measure_us, deadline, started_us;
	bool asked_last; /* the children's counters asked for the table */
	int vf;		 /* the VF the story moves from A to B */
	struct story_sample first[STORY_PORTS], a[STORY_PORTS], b[STORY_PORTS], c[STORY_PORTS];
	struct story_sample *sync_into;
	uint64_t sync_rx[STORY_PORTS];
	bool synced[STORY_PORTS];
	struct story_totals tot[STORY_PORTS];
} st;

static enum story_path port_path(unsigned i)
{
	const struct netvsp_port_view *v = netvsp_port(i);

	return v && !strcmp(v->path, "vf") ? STORY_VF : STORY_SYN;
}

static const char *port_name(unsigned i)
{
	const struct netvsp_port_view *v = netvsp_port(i);

	return v ? v->name : "?";
}

/* --- The VF lifecycle, through the shell's own commands -------------------------- */

static enum vf_state vf_state_of(struct nic *n, int id)
{
	return id >= 0 && (unsigned)id < n->vfs.count ? n->vfs.vf[id].state : VF_FREE;
}

/* `vf alloc <child>` then `vf assign <id> <child>`: the VF's id, or an errno. */
static int give_vf(unsigned port, const char **why)
{
	struct nic *n = nic_get();
	const char *name = port_name(port);
	struct switch_port *sp = n ? nic_port_find(n, name) : NULL;
	char arg[HV_NAME_LEN + 16];
	int id;

	*why = "no switch port";
	if (!sp)
		return -ENODEV;
	hv_snprintf(arg, sizeof(arg), "%s", name);
	nic_cmd_vf_alloc(n, arg);
	id = vf_find_by_port(&n->vfs, sp->id);
	*why = "vf alloc refused";
	if (id < 0 || vf_state_of(n, id) != VF_ALLOCATED)
		return -ENOSPC;
	hv_snprintf(arg, sizeof(arg), "%d %s", id, name);
	nic_cmd_vf_assign(n, arg);
	*why = "vf assign refused";
	return vf_state_of(n, id) == VF_ASSIGNED ? id : -EIO;
}

static void vf_command(void (*cmd)(struct nic *, char *), int id)
{
	char arg[16];

	hv_snprintf(arg, sizeof(arg), "%d", id);
	cmd(nic_get(), arg);
}

/* VFs handed out before (an earlier story, the user): taken back and freed. */
static void reset_vfs(void)
{
	struct nic *n = nic_get();
	unsigned revoked = 0, freed = 0, busy = 0;

	for (unsigned id = 0; id < n->vfs.count; id++)
		busy += vf_state_of(n, (int)id) != VF_FREE;
	if (!busy)
		return;
	printf("story step=0 what=reset vfs_in_use=%u\n", busy);
	for (unsigned id = 0; id < n->vfs.count; id++) {
		if (vf_state_of(n, (int)id) == VF_ASSIGNED) {
			vf_command(nic_cmd_vf_revoke, (int)id);
			revoked++;
		}
		if (vf_state_of(n, (int)id) == VF_ALLOCATED) {
			vf_command(nic_cmd_vf_free, (int)id);
			freed++;
		}
	}
	printf("story reset revoked=%u freed=%u\n", revoked, freed);
}

/* --- The steps ----------------------------------------------------------------------- */

static int act_none(const char **why)
{
	(void)why;
	printf("story children=%s,%s path=synthetic\n", port_name(PORT_A), port_name(PORT_B));
	return 0;
}

static int act_vf(const char **why)
{
	st.vf = give_vf(PORT_A, why);
	if (st.vf >= 0)
		printf("story vf=%d child=%s\n", st.vf, port_name(PORT_A));
	return st.vf < 0 ? st.vf : 0;
}

static int act_failover(const char **why)
{
	vf_command(nic_cmd_vf_revoke, st.vf);
	*why = "vf revoke refused";
	if (vf_state_of(nic_get(), st.vf) == VF_ASSIGNED)
		return -EBUSY;
	printf("story vf=%d revoked from=%s\n", st.vf, port_name(PORT_A));
	return 0;
}

static int act_move(const char **why)
{
	int old = st.vf;

	vf_command(nic_cmd_vf_free, old);
	st.vf = give_vf(PORT_B, why);
	if (st.vf >= 0)
		printf("story vf=%d from=%s to=%s same_vf=%s\n", st.vf, port_name(PORT_A),
		       port_name(PORT_B), st.vf == old ? "yes" : "no");
	return st.vf < 0 ? st.vf : 0;
}

static int act_second(const char **why)
{
	int id;

	if (!vf_free_count(&nic_get()->vfs)) {
		printf("story skipped reason=no-free-vf\n");
		return STEP_SKIP;
	}
	id = give_vf(PORT_A, why);
	if (id >= 0)
		printf("story vf=%d child=%s\n", id, port_name(PORT_A));
	return id < 0 ? id : 0;
}

static bool ready_now(void)
{
	return true;
}

static bool a_on_vf(void)
{
	return port_path(PORT_A) == STORY_VF;
}

static bool a_synthetic(void)
{
	return port_path(PORT_A) == STORY_SYN;
}

static bool b_on_vf(void)
{
	return port_path(PORT_B) == STORY_VF;
}

static const struct step steps[] = {
    {"synthetic", act_none, ready_now, "-"},
    {"vf", act_vf, a_on_vf, "vf-path"},
    {"failover", act_failover, a_synthetic, "synthetic-path"},
    {"move", act_move, b_on_vf, "vf-path"},
    {"second-vf", act_second, a_on_vf, "vf-path"},
};

/* --- The state machine ---------------------------------------------------------------- */

static void fail(const char *reason, const char *detail)
{
	printf("story error step=%u reason=%s detail=\"%s\"\n", st.step + 1, reason, detail);
	st.phase = PH_IDLE;
}

static void sample_all(struct story_sample *into)
{
	story_refresh();
	for (unsigned i = 0; i < st.ports; i++)
		story_sample(i, &into[i]);
}

static void sync_begin(struct story_sample *into)
{
	sample_all(into);
	for (unsigned i = 0; i < st.ports; i++) {
		st.sync_rx[i] = story_rx_total(&into[i]);
		st.synced[i] = false;
	}
	st.sync_into = into;
	st.deadline = tsc_us() + SYNC_WAIT_US;
	st.phase = PH_SYNC;
}

/* True once every port was sampled just after a frame reached it (or the wait ran out). */
static bool sync_poll(void)
{
	struct story_sample s;
	bool late = tsc_us() > st.deadline, all = true;

	story_refresh();
	for (unsigned i = 0; i < st.ports; i++) {
		if (st.synced[i])
			continue;
		story_sample(i, &s);
		if (story_rx_total(&s) != st.sync_rx[i] || late) {
			st.sync_into[i] = s;
			st.synced[i] = true;
		}
		all &= st.synced[i];
	}
	return all;
}

static void step_begin(void)
{
	const struct step *s = &steps[st.step];
	const char *why = "";
	int err;

	printf("story step=%u what=%s\n", st.step + 1, s->what);
	err = s->act(&why);
	if (err == STEP_SKIP) {
		st.step++;
		st.phase = PH_ACT;
		return;
	}
	if (err < 0) {
		fail(errno_name(err), why);
		return;
	}
	st.deadline = tsc_us() + SWITCH_WAIT_US;
	st.phase = PH_WAIT;
}

static void summary(void)
{
	printf("story step=%u what=summary ms=%lu\n", (unsigned)ARRAY_SIZE(steps) + 1,
	       (tsc_us() - st.started_us) / 1000);
	story_table(st.ports, st.first, st.a, st.tot);
	printf("story done\n");
	st.phase = PH_IDLE;
}

/* The children's counters for the table's tx_drop: asked, then waited for (bounded). */
static void ask_last(void)
{
	st.asked_last = true;
	cmd_net("stats");
	st.deadline = tsc_us() + STATS_WAIT_US;
	st.phase = PH_STATS;
}

static void poll_stats(void)
{
	bool all = true;

	for (unsigned i = 0; i < st.ports; i++)
		all &= st.tot[i].have_last;
	if (all || tsc_us() > st.deadline)
		summary();
}

void story_child_stats(const char *child, const struct nvsp_stats *s)
{
	for (unsigned i = 0; st.phase != PH_IDLE && i < st.ports; i++) {
		struct story_totals *t = &st.tot[i];

		if (strcmp(port_name(i), child))
			continue;
		if (!st.asked_last && !t->have_first) {
			t->tx_dropped_first = s->tx_dropped;
			t->have_first = true;
		} else if (st.asked_last) {
			t->tx_dropped_last = s->tx_dropped;
			t->have_last = true;
		}
	}
}

/* The step's steady window ended with samples c: account, go on with c as the next a. */
static void step_end(void)
{
	for (unsigned i = 0; i < st.ports; i++) {
		story_account(st.step + 1, &st.a[i], &st.b[i], &st.c[i], &st.tot[i]);
		st.a[i] = st.c[i];
	}
	st.step++;
	st.phase = PH_ACT;
}

static bool children_up(void)
{
	for (unsigned i = PORT_A; i <= PORT_B; i++) {
		const struct netvsp_port_view *v = netvsp_port(i);

		/* Past the ARP exchange of its link's start: echo replies flow. */
		if (!v || strcmp(v->state, "open") || v->syn_rx < UP_RX_FRAMES)
			return false;
	}
	return true;
}

static void poll_up(void)
{
	if (children_up()) {
		sync_begin(st.a);
		return;
	}
	if (tsc_us() > st.deadline)
		fail("timeout", "children's channels open with traffic");
}

static void poll_sync(void)
{
	if (!sync_poll())
		return;
	if (st.sync_into == st.c) {
		step_end();
		return;
	}
	memcpy(st.first, st.a, sizeof(st.first)); /* the story's first samples */
	cmd_net("stats");			  /* and the children's own counters */
	st.phase = PH_ACT;
}

static void poll_wait(void)
{
	if (steps[st.step].ready()) {
		sample_all(st.b);
		st.deadline = tsc_us() + st.measure_us;
		st.phase = PH_MEASURE;
	} else if (tsc_us() > st.deadline) {
		fail("timeout", steps[st.step].waiting);
	}
}

void story_poll(void)
{
	switch (st.phase) {
	case PH_IDLE:
		break;
	case PH_UP:
		poll_up();
		break;
	case PH_SYNC:
		poll_sync();
		break;
	case PH_ACT:
		if (st.step < ARRAY_SIZE(steps))
			step_begin();
		else
			ask_last();
		break;
	case PH_STATS:
		poll_stats();
		break;
	case PH_WAIT:
		poll_wait();
		break;
	case PH_MEASURE:
		if (tsc_us() >= st.deadline)
			sync_begin(st.c);
		break;
	}
}

static void story_begin(void)
{
	uint64_t measure_us = st.measure_us;
	unsigned ports = MIN(netvsp_port_count(), (unsigned)STORY_PORTS);

	memset(&st, 0, sizeof(st));
	st.measure_us = measure_us;
	st.vf = -1;
	st.ports = ports;
	st.started_us = tsc_us();
	printf("story start ports=%u measure_ms=%lu\n", ports, measure_us / 1000);
	if (!nic_get() || !nic_get()->vfs.count) {
		fail("no-vf", "the story needs the igb PF with SR-IOV on ([sriov] vfs)");
		return;
	}
	if (ports < 2) {
		fail("no-children", "the story needs two children with vmbus channels");
		return;
	}
	reset_vfs();
	printf("story waiting=children-up\n");
	st.deadline = tsc_us() + UP_WAIT_US;
	st.phase = PH_UP;
}

void story_start(const struct hv_guest_boot_info *bi)
{
	char val[24];
	uint64_t ms = STORY_DEFAULT_MS;

	if (!cmdline_get(bi->cmdline, sizeof(bi->cmdline), "story_ms", val, sizeof(val)) &&
	    (parse_u64(val, &ms) || !ms || ms > STORY_MAX_MS)) {
		printf("story error option=story_ms value=%s reason=\"1..%u\"\n", val,
		       STORY_MAX_MS);
		ms = STORY_DEFAULT_MS;
	}
	st.measure_us = ms * 1000;
	if (!cmdline_get(bi->cmdline, sizeof(bi->cmdline), "story", val, sizeof(val)) &&
	    !strcmp(val, "yes"))
		story_begin();
}

void cmd_story(const char *arg)
{
	if (*arg) {
		printf("error %s usage=story\n", errno_name(-EINVAL));
		return;
	}
	if (st.phase != PH_IDLE) {
		printf("error %s reason=\"the story is running\"\n", errno_name(-EBUSY));
		return;
	}
	story_begin();
}
