/*
 * Partition events (a partition started, stopped or faulted), drained from
 * HC_PARTITION_EVENT each tick and printed one line each:
 *   event partition=child1 state=faulted reason=npt_violation rip=0x.. gpa=0x.. id=1
 */
#include "guests/lib/guest.h"
#include "guests/parent/parent.h"

/* Bounds one tick's work; the rest waits for the next tick. */
#define EVENTS_PER_TICK 16

static bool poll_failed;

static void print_event(const struct hv_partition_event *ev)
{
	char name[HV_NAME_LEN + 1];

	partitions_fetch();
	if (ev->quarantined_device) {
		unsigned rid = ev->quarantined_device - 1;

		printf("event partition=%s device=%02x:%02x.%x quarantined=yes dma_addr=0x%lx id=%u\n",
		       partition_name(ev->partition_id, name, sizeof(name)), rid >> 8,
		       (rid >> 3) & 0x1f, rid & 7, ev->gpa, ev->partition_id);
		return;
	}
	printf("event partition=%s state=%s reason=%s rip=0x%lx gpa=0x%lx id=%u\n",
	       partition_name(ev->partition_id, name, sizeof(name)), hv_state_name(ev->state),
	       hv_stop_reason_name(ev->stop_reason), ev->rip, ev->gpa, ev->partition_id);
}

static void print_notice(const struct hv_notice *n)
{
	char bdf[12];

	printf("notice kind=%s device=%s addr=0x%lx\n", notice_kind_name(n->kind),
	       bdf_format(n->bdf, bdf, sizeof(bdf)), n->addr);
}

void events_poll(void)
{
	struct hv_partition_event ev;

	notices_poll(print_notice);
	for (unsigned i = 0; i < EVENTS_PER_TICK; i++) {
		long n = hc_partition_event(&ev);

		if (n < 0 && !poll_failed)
			printf("error event poll err=%s\n", errno_name((int)n));
		poll_failed = n < 0;
		if (n <= 0)
			return;
		print_event(&ev);
	}
}
