/*
 * What the story measures (story_int.h). A sample of a port is the
 * NetVSP's counters of its child (frames per path: synthetic frames as
 * the parent's rings carried them, VF frames as the NIC's pool counters
 * saw them) next to the child's exit counts from HC_PARTITION_LIST.
 *
 * Two exit figures, both per frame:
 *   all  every exit of the child, plus the parent's doorbells to it: what
 *        the child costs the hypervisor while its traffic runs, console
 *        lines and its 100 Hz tick included;
 *   dp   the data path's share: the child's exits other than hypercalls
 *        (MMIO, NPF, interrupts...), its doorbells (HC_CHANNEL_SIGNAL,
 *        delivered or throttled) and the parent's doorbells to it. Console
 *        writes and idle calls are hypercalls of their own and left out.
 * Exits count only in a step's steady window (after its switch completed),
 * against every frame of the window, attributed to the path the child was
 * on for the whole window.
 *
 * Loss is what the child sent minus what it received between two samples
 * taken just after a reply reached it (story.c): with the story's traffic,
 * one echo reply for every request, that is the pings lost on the way. A
 * frame the child's stack or bond never sent is not in these counters: the
 * child's own tx_dropped (`net stats`, asked at the story's start and end)
 * counts those.
 */
#include "guests/lib/guest.h"
#include "guests/parent/netvsp.h"
#include "guests/parent/nic.h"
#include "guests/parent/story_int.h"

static const char *const path_names[STORY_PATHS] = {"synthetic", "vf"};

void story_refresh(void)
{
	struct nic *n = nic_get();

	if (n)
		igb_stats_update(&n->pf); /* the VF pools' counters */
	partitions_fetch();
}

static const struct hv_partition_status *child_status(const char *name)
{
	size_t count;
	const struct hv_partition_status *list = partitions_get(&count);

	for (size_t i = 0; i < count; i++)
		if (strnlen(list[i].name, HV_NAME_LEN) == strlen(name) &&
		    !memcmp(list[i].name, name, strlen(name)))
			return &list[i];
	return NULL;
}

static void sample_exits(struct story_sample *s, uint64_t parent_doorbells)
{
	const struct hv_partition_status *p = child_status(s->name);
	uint64_t all = 0;

	if (!p)
		return;
	for (unsigned r = 0; r < HV_EXIT_REASONS; r++)
		all += p->exits[r];
	s->child_doorbells = p->doorbells_sent + p->doorbells_dropped;
	s->parent_doorbells = parent_doorbells;
	s->exits = all + parent_doorbells;
	s->dp_exits = all - p->exits[HV_EXIT_HYPERCALL] + p->doorbells_sent + p->doorbells_dropped +
		      parent_doorbells;
}

void story_sample(unsigned i, struct story_sample *s)
{
	const struct netvsp_port_view *v = netvsp_port(i);

	memset(s, 0, sizeof(*s));
	if (!v)
		return;
	s->valid = true;
	s->name = v->name;
	s->path = strcmp(v->path, "vf") ? STORY_SYN : STORY_VF;
	s->syn_tx = v->syn_tx;
	s->syn_rx = v->syn_rx;
	s->vf_tx = v->vf_tx;
	s->vf_rx = v->vf_rx;
	s->us = tsc_us();
	sample_exits(s, v->doorbells);
}

uint64_t story_rx_total(const struct story_sample *s)
{
	return s->syn_rx + s->vf_rx;
}

static uint64_t tx_total(const struct story_sample *s)
{
	return s->syn_tx + s->vf_tx;
}

static uint64_t frames(const struct story_sample *s)
{
	return tx_total(s) + story_rx_total(s);
}

void story_account(unsigned step, const struct story_sample *a, const struct story_sample *b,
		   const struct story_sample *c, struct story_totals *t)
{
	uint64_t sent, received, lost, steady = 0, exits = 0, dp = 0, db_child = 0, db_parent = 0;

	if (!a->valid || !c->valid)
		return;
	sent = tx_total(c) - tx_total(a);
	received = story_rx_total(c) - story_rx_total(a);
	lost = sent > received ? sent - received : 0;
	t->lost += lost;
	if (a->path == STORY_VF && c->path == STORY_SYN) {
		t->failover_lost += lost;
		t->failed_over = true;
	}
	if (b->valid && b->path == c->path) {
		steady = frames(c) - frames(b);
		exits = c->exits - b->exits;
		dp = c->dp_exits - b->dp_exits;
		db_child = c->child_doorbells - b->child_doorbells;
		db_parent = c->parent_doorbells - b->parent_doorbells;
		t->frames[c->path] += steady;
		t->exits[c->path] += exits;
		t->dp_exits[c->path] += dp;
	}
	printf("story phase step=%u child=%s path=%s sent=%lu received=%lu lost=%lu "
	       "steady_frames=%lu exits=%lu dp_exits=%lu doorbells_child=%lu doorbells_parent=%lu "
	       "steady_ms=%lu\n",
	       step, c->name, path_names[c->path], sent, received, lost, steady, exits, dp,
	       db_child, db_parent, b->valid ? (c->us - b->us) / 1000 : 0);
}

/* n / d with two decimals, "-" without frames: guests have no floating point. */
static const char *ratio(uint64_t n, uint64_t d, char *buf, size_t size)
{
	uint64_t hundredths;

	if (!d)
		return "-";
	hundredths = (n * 100 + d / 2) / d;
	hv_snprintf(buf, size, "%lu.%02lu", hundredths / 100, hundredths % 100);
	return buf;
}

static void table_row(const struct story_sample *f, const struct story_sample *l,
		      const struct story_totals *t)
{
	char r[4][24], fo[24], drop[24];

	if (t->failed_over)
		hv_snprintf(fo, sizeof(fo), "%lu", t->failover_lost);
	else
		hv_strlcpy(fo, "-", sizeof(fo));
	if (t->have_first && t->have_last)
		hv_snprintf(drop, sizeof(drop), "%lu", t->tx_dropped_last - t->tx_dropped_first);
	else
		hv_strlcpy(drop, "-", sizeof(drop));
	printf("story  %-8s %-9s %7lu %7lu %7lu %7lu %5lu %7s %7s %8s %8s %8s %8s\n", l->name,
	       path_names[l->path], l->syn_tx - f->syn_tx, l->syn_rx - f->syn_rx,
	       l->vf_tx - f->vf_tx, l->vf_rx - f->vf_rx, t->lost, fo, drop,
	       ratio(t->dp_exits[STORY_SYN], t->frames[STORY_SYN], r[0], sizeof(r[0])),
	       ratio(t->dp_exits[STORY_VF], t->frames[STORY_VF], r[1], sizeof(r[1])),
	       ratio(t->exits[STORY_SYN], t->frames[STORY_SYN], r[2], sizeof(r[2])),
	       ratio(t->exits[STORY_VF], t->frames[STORY_VF], r[3], sizeof(r[3])));
}

void story_table(unsigned ports, const struct story_sample *first, const struct story_sample *last,
		 const struct story_totals *t)
{
	printf("story  %-8s %-9s %7s %7s %7s %7s %5s %7s %7s %8s %8s %8s %8s\n", "child", "path",
	       "syn_tx", "syn_rx", "vf_tx", "vf_rx", "lost", "fo_lost", "tx_drop", "dp_syn",
	       "dp_vf", "all_syn", "all_vf");
	for (unsigned i = 0; i < ports; i++)
		if (first[i].valid && last[i].valid)
			table_row(&first[i], &last[i], &t[i]);
}
