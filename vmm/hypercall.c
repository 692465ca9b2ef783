/*
 * Performing hypercalls once hc_decode() accepted them; refusals are
 * counted per partition, logged (sparingly), and a partition refused too
 * often within a second is stopped as a flood.
 */
#include "vmm/hypercall.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/arch/cpu.h"
#include "kernel/timer.h"
#include "vmm/doorbell.h"
#include "vmm/exits.h"
#include "vmm/guest_console.h"
#include "vmm/hypercall_decode.h"
#include "vmm/notice.h"
#include "vmm/partition.h"
#include "vmm/vf_assign.h"

#define X2APIC_IRR_FIRST 0x820
#define X2APIC_IRR_COUNT 8
#define REFUSALS_LOGGED 16
#define FLOOD_WINDOW_US 1000000

static const enum gpr arg_regs[HC_ARGS] = {GPR_RDI, GPR_RSI, GPR_RDX, GPR_R10, GPR_R8};

static void *guest_buffer(struct vcpu *v, const struct hc_call *c)
{
	return partition_gpa_to_host(v->part, c->gpa, c->len);
}

static bool interrupt_pending(void)
{
	for (unsigned i = 0; i < X2APIC_IRR_COUNT; i++)
		if ((uint32_t)rdmsr(X2APIC_IRR_FIRST + i))
			return true;
	return false;
}

/* Waits in the hypervisor until an interrupt for the guest is pending or time runs out. */
static int64_t do_idle(uint64_t max_us)
{
	uint64_t deadline = timer_deadline_after_us(max_us);

	while (!interrupt_pending() && !timer_deadline_passed(deadline))
		cpu_relax();
	return 0;
}

static int64_t do_list(struct vcpu *v, const struct hc_call *c)
{
	struct hv_partition_status *out = guest_buffer(v, c);
	unsigned n = MIN((unsigned)c->count, partition_count());

	for (unsigned i = 0; i < n; i++)
		partition_fill_status(partition_get(i), &out[i]);
	return n;
}

static int64_t do_event(struct vcpu *v, const struct hc_call *c)
{
	struct hv_partition_event ev;

	if (!partition_event_pop(&ev))
		return 0;
	memcpy(guest_buffer(v, c), &ev, sizeof(ev));
	return 1;
}

static int64_t do_lifecycle(const struct hc_call *c)
{
	struct partition *p = partition_get(c->target);

	switch (c->nr) {
	case HC_PARTITION_START:
		return partition_start(p);
	case HC_PARTITION_STOP:
		if (p->state != HV_PARTITION_RUNNING)
			return -EINVAL;
		partition_stop(p, HV_STOP_BY_PARENT, 0, 0);
		return 0;
	default: /* restart */
		partition_stop(p, HV_STOP_BY_PARENT, 0, 0);
		return partition_start(p);
	}
}

static int64_t do_notice(struct vcpu *v, const struct hc_call *c)
{
	struct hv_notice n;

	if (!notice_take(v->part, &n))
		return 0;
	memcpy(guest_buffer(v, c), &n, sizeof(n));
	return 1;
}

static int64_t do_device(struct vcpu *v, const struct hc_call *c)
{
	switch (c->nr) {
	case HC_DEVICE_RELEASE:
		return vf_release(v->part, c->bdf);
	case HC_VF_ASSIGN:
		return vf_assign(v->part, c->bdf, partition_get(c->target));
	case HC_VF_REVOKE:
		return vf_revoke(v->part, c->bdf);
	default: /* list */
		return vf_list(v->part, guest_buffer(v, c), (unsigned)c->count);
	}
}

static int64_t perform(struct vcpu *v, const struct hc_call *c)
{
	switch (c->nr) {
	case HC_VERSION:
		return HV_ABI_VERSION;
	case HC_CONSOLE_WRITE:
		guest_console_write(v->part, guest_buffer(v, c), c->len);
		return (int64_t)c->len;
	case HC_PARTITION_SELF:
		partition_fill_status(v->part, guest_buffer(v, c));
		return 0;
	case HC_IDLE:
		return do_idle(c->count);
	case HC_CONSOLE_READ:
		return (int64_t)guest_console_read(guest_buffer(v, c), c->len);
	case HC_PARTITION_LIST:
		return do_list(v, c);
	case HC_PARTITION_EVENT:
		return do_event(v, c);
	case HC_NOTICE:
		return do_notice(v, c);
	case HC_DEVICE_RELEASE:
	case HC_VF_ASSIGN:
	case HC_VF_REVOKE:
	case HC_DEVICE_LIST:
		return do_device(v, c);
	case HC_CHANNEL_SIGNAL:
		return doorbell_signal(v->part, c->channel);
	default:
		return do_lifecycle(c);
	}
}

static void refused(struct vcpu *v, uint64_t nr, int err)
{
	struct partition *p = v->part;
	uint64_t now = timer_uptime_us();
	uint64_t total = __atomic_add_fetch(&p->hypercalls_refused, 1, __ATOMIC_RELAXED);

	if (total <= REFUSALS_LOGGED || total % 10000 == 0)
		log_warn("vmm", "hypercall refused partition=%s nr=%llu name=%s err=%s total=%llu",
			 partition_name(p), (unsigned long long)nr, hc_name(nr), errno_name(err),
			 (unsigned long long)total);
	if (now - p->flood_window_start > FLOOD_WINDOW_US) {
		p->flood_window_start = now;
		p->flood_window_refused = 0;
	}
	if (++p->flood_window_refused > HC_FLOOD_LIMIT) {
		log_error("vmm", "hypercall flood partition=%s refused_in_window=%llu limit=%u",
			  partition_name(p), (unsigned long long)p->flood_window_refused,
			  HC_FLOOD_LIMIT);
		exit_contain(v, HV_STOP_FLOOD, 0);
	}
}

void hypercall_handle(struct vcpu *v)
{
	const struct vcpu_backend *be = vcpu_backend();
	struct partition *p = v->part;
	struct hc_caller caller = {.id = p->id, .parent = p->role == PARTITION_PARENT,
				   .mem_size = p->mem_size, .partition_count = partition_count(),
				   .channel_count = p->channel_count};
	uint64_t nr = be->get_reg(v, GPR_RAX), args[HC_ARGS];
	struct hc_call call;
	int64_t result;

	for (unsigned i = 0; i < HC_ARGS; i++)
		args[i] = be->get_reg(v, arg_regs[i]);
	result = hc_decode(&caller, nr, args, &call);
	if (result == 0)
		result = perform(v, &call);
	/* -EAGAIN: in progress, or a doorbell over its rate: not refused */
	if (result < 0 && result != -EAGAIN)
		refused(v, nr, (int)result);
	be->set_reg(v, GPR_RAX, (uint64_t)result);
}
