/*
 * Channel doorbells (see doorbell.h). The interrupt goes the way of device
 * notices (vmm/notice.c): a fixed IPI to the physical CPU of the peer's
 * vCPU 0. Interrupts are not intercepted, so it lands in the guest's own IDT
 * without an exit on the receiving side; while that CPU is in the
 * hypervisor it stays pending in the APIC until the guest runs again.
 *
 * Flood control counts per channel end in one-second windows; the first
 * signal after a window with drops logs that window, so a flood shows as
 * one line per second and per end however fast the guest rings.
 */
#include "vmm/doorbell.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/arch/apic.h"
#include "kernel/spinlock.h"
#include "kernel/timer.h"
#include "vmm/partition.h"

#define WINDOW_US 1000000ULL

struct doorbell_end {
	struct spinlock lock;
	struct doorbell_counts total;
	uint64_t window_start; /* uptime in microseconds */
	uint32_t window_sent, window_dropped;
};

/* What a closed window leaves for the log line, written after the lock is dropped. */
struct window_report {
	uint64_t length_us;
	uint32_t sent, dropped;
	struct doorbell_counts total;
};

static struct doorbell_end ends[CONFIG_MAX_PARTITIONS][HV_GUEST_MAX_CHANNELS];
static uint32_t rate_limit = CONFIG_DOORBELL_LIMIT_DEFAULT;

void doorbell_configure(const struct config *cfg)
{
	rate_limit = cfg->doorbell_limit ? cfg->doorbell_limit : CONFIG_DOORBELL_LIMIT_DEFAULT;
	log_info("vmm", "doorbells vector=0x%x limit_per_s=%u", HV_CHANNEL_VECTOR, rate_limit);
}

static struct doorbell_end *end_of(const struct partition *p, unsigned index)
{
	if (p->id >= CONFIG_MAX_PARTITIONS || index >= HV_GUEST_MAX_CHANNELS)
		return NULL;
	return &ends[p->id][index];
}

/* The peer lists the same channel back to from: from really is its other end. */
static bool is_other_end(const struct partition *peer, const struct partition *from,
			 const struct hv_guest_channel *ch)
{
	for (unsigned i = 0; i < peer->channel_count && i < HV_GUEST_MAX_CHANNELS; i++) {
		const struct hv_guest_channel *back = &peer->channels[i];

		if (back->peer_id == from->id && !strncmp(back->name, ch->name, sizeof(back->name)))
			return true;
	}
	return false;
}

/* Opens a new window when the current one is over; true when the old one dropped any. */
static bool roll_window(struct doorbell_end *e, uint64_t now, struct window_report *r)
{
	bool report;

	if (now - e->window_start < WINDOW_US)
		return false;
	report = e->window_dropped != 0;
	*r = (struct window_report){.length_us = now - e->window_start,
				    .sent = e->window_sent,
				    .dropped = e->window_dropped,
				    .total = e->total};
	e->window_start = now;
	e->window_sent = 0;
	e->window_dropped = 0;
	return report;
}

static void log_window(const struct partition *p, const struct hv_guest_channel *ch,
		       const struct window_report *r)
{
	log_warn("vmm",
		 "doorbell throttled partition=%s channel=%.*s peer=%.*s limit_per_s=%u "
		 "window_ms=%llu sent=%u dropped=%u sent_total=%llu dropped_total=%llu",
		 partition_name(p), HV_NAME_LEN, ch->name, HV_NAME_LEN, ch->peer, rate_limit,
		 (unsigned long long)(r->length_us / 1000), r->sent, r->dropped,
		 (unsigned long long)r->total.sent, (unsigned long long)r->total.dropped);
}

/* Counts the signal against the end's window; false when it is over the limit. */
static bool admit(const struct partition *p, unsigned index)
{
	struct doorbell_end *e = end_of(p, index);
	struct window_report r;
	uint64_t irq = spin_lock_irqsave(&e->lock);
	bool report = roll_window(e, timer_uptime_us(), &r);
	bool ok = e->window_sent < rate_limit;

	if (ok) {
		e->window_sent++;
		e->total.sent++;
	} else {
		e->window_dropped++;
		e->total.dropped++;
	}
	spin_unlock_irqrestore(&e->lock, irq);
	if (report)
		log_window(p, &p->channels[index], &r);
	return ok;
}

int doorbell_signal(struct partition *from, unsigned index)
{
	const struct hv_guest_channel *ch;
	struct partition *peer;

	if (index >= from->channel_count || !end_of(from, index))
		return -EINVAL;
	ch = &from->channels[index];
	peer = partition_get(ch->peer_id);
	if (!peer || peer == from || !is_other_end(peer, from, ch)) {
		log_error("vmm", "doorbell channel without its other end partition=%s channel=%.*s",
			  partition_name(from), HV_NAME_LEN, ch->name);
		return -EINVAL;
	}
	if (peer->state != HV_PARTITION_RUNNING || !peer->vcpu_count)
		return -ENOTCONN;
	if (!admit(from, index))
		return -EAGAIN;
	apic_send_fixed_ipi(peer->vcpus[0]->apic_id, HV_CHANNEL_VECTOR);
	return 0;
}

struct doorbell_counts doorbell_counts(const struct partition *p, unsigned index)
{
	struct doorbell_end *e = end_of(p, index);
	struct doorbell_counts c = {0, 0};
	uint64_t irq;

	if (!e || index >= p->channel_count)
		return c;
	irq = spin_lock_irqsave(&e->lock);
	c = e->total;
	spin_unlock_irqrestore(&e->lock, irq);
	return c;
}

struct doorbell_counts doorbell_totals(const struct partition *p)
{
	struct doorbell_counts sum = {0, 0};

	for (unsigned i = 0; i < p->channel_count && i < HV_GUEST_MAX_CHANNELS; i++) {
		struct doorbell_counts c = doorbell_counts(p, i);

		sum.sent += c.sent;
		sum.dropped += c.dropped;
	}
	return sum;
}
