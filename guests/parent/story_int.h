/*
 * The story's state shared by its files: story.c (the steps and their
 * waits) and story_measure.c (snapshots of the ports and the children's
 * exit counts, what each step adds up, the summary table).
 */
#ifndef GUESTS_PARENT_STORY_INT_H
#define GUESTS_PARENT_STORY_INT_H

#include "hv/types.h"

#define STORY_PORTS 8 /* ports shown in the table; the story acts on the first two */

enum story_path { STORY_SYN, STORY_VF, STORY_PATHS };

/* One port at one moment: its NetVSP counters and its child's exit counts. */
struct story_sample {
	bool valid;
	const char *name; /* the child's */
	enum story_path path;
	uint64_t syn_tx, syn_rx, vf_tx, vf_rx;
	uint64_t exits;	   /* all of the child's exits */
	uint64_t dp_exits; /* those of the data path: see story_measure.c */
	uint64_t child_doorbells, parent_doorbells; /* their doorbells, each way */
	uint64_t us;
};

/* What the steps added up for one port. */
struct story_totals {
	uint64_t frames[STORY_PATHS]; /* in steady windows on that path */
	uint64_t exits[STORY_PATHS];
	uint64_t dp_exits[STORY_PATHS];
	uint64_t lost;		/* sent - received over the whole story */
	uint64_t failover_lost; /* the same in steps that moved it back to synthetic */
	bool failed_over;
	/* The child's own TX drops (stack and bond: frames it never sent), from `net stats`. */
	uint64_t tx_dropped_first, tx_dropped_last;
	bool have_first, have_last;
};

/* story_measure.c */
/* Refreshes the NIC's pool counters and the partition list: once before sampling. */
void story_refresh(void);
/* Port i now (after story_refresh); valid false when there is no such port. */
void story_sample(unsigned i, struct story_sample *s);
uint64_t story_rx_total(const struct story_sample *s);
/*
 * One step of a port: a (before the step acted), b (the step's new state
 * reached), c (end of its steady window). Prints the step's line for the
 * port and adds it to t.
 */
void story_account(unsigned step, const struct story_sample *a, const struct story_sample *b,
		   const struct story_sample *c, struct story_totals *t);
/* The summary table: first and last samples and the totals of every port. */
void story_table(unsigned ports, const struct story_sample *first, const struct story_sample *last,
		 const struct story_totals *t);

#endif
