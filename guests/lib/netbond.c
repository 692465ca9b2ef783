/*
 * The child's synthetic/VF bond (netbond.h). Every event updates what is
 * known about the VF and then calls evaluate(), the one place that moves
 * the state machine; held frames are released by flush() whenever the
 * state is stable again.
 */
#include "guests/lib/netbond.h"
#include "hv/errno.h"
#include "hv/format.h"
#include "hv/string.h"

static const char *const state_names[] = {[NETBOND_SYNTHETIC] = "synthetic",
					  [NETBOND_VF_OFFERED] = "vf_offered",
					  [NETBOND_SWITCHING] = "switching",
					  [NETBOND_VF] = "vf",
					  [NETBOND_FAILING_BACK] = "failing_back"};

const char *netbond_state_name(enum netbond_state state)
{
	if ((unsigned)state >= ARRAY_SIZE(state_names))
		return "?";
	return state_names[state];
}

static const char *path_name(enum nvsp_path path)
{
	return path == NVSP_PATH_VF ? "vf" : "synthetic";
}

static void note(struct netbond *nb, const char *fmt, ...) __printf(2, 3);
static void note(struct netbond *nb, const char *fmt, ...)
{
	char line[NETBOND_LINE_MAX];
	int n;
	va_list ap;

	if (!nb->ops->log)
		return;
	n = hv_snprintf(line, sizeof(line), "netbond: ");
	va_start(ap, fmt);
	hv_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	nb->ops->log(nb->ops_ctx, line);
}

static void set_state(struct netbond *nb, enum netbond_state to)
{
	if (nb->state == to)
		return;
	note(nb, "event=state from=%s to=%s", netbond_state_name(nb->state),
	     netbond_state_name(to));
	nb->state = to;
}

static bool switching(const struct netbond *nb)
{
	return nb->state == NETBOND_SWITCHING || nb->state == NETBOND_FAILING_BACK;
}

enum nvsp_path netbond_path(const struct netbond *nb)
{
	return nb->state == NETBOND_VF ? NVSP_PATH_VF : NVSP_PATH_SYNTHETIC;
}

uint32_t netbond_hold_room(const struct netbond *nb)
{
	if (!switching(nb) && !nb->hold_count)
		return UINT32_MAX;
	return nb->hold_count >= nb->cfg.hold_limit ? 0 : nb->cfg.hold_limit - nb->hold_count;
}

bool netbond_vf_releasable(const struct netbond *nb)
{
	return nb->state == NETBOND_SYNTHETIC || nb->state == NETBOND_VF_OFFERED;
}

int netbond_init(struct netbond *nb, const struct netbond_config *cfg,
		 const struct netbond_ops *ops, void *ops_ctx)
{
	static const uint8_t zero[NVSP_ETH_ALEN];

	if (!cfg || !ops || !ops->tx || !ops->send_msg || !ops->vf_tx_idle)
		return -EINVAL;
	if ((cfg->mac[0] & 1) || !memcmp(cfg->mac, zero, sizeof(zero)))
		return -EINVAL;
	if (cfg->hold_limit > NETBOND_HOLD_MAX)
		return -EINVAL;
	memset(nb, 0, sizeof(*nb));
	nb->cfg = *cfg;
	if (!nb->cfg.hold_limit)
		nb->cfg.hold_limit = NETBOND_HOLD_MAX;
	if (!nb->cfg.ack_timeout_ms)
		nb->cfg.ack_timeout_ms = NETBOND_ACK_TIMEOUT_MS;
	nb->ops = ops;
	nb->ops_ctx = ops_ctx;
	nb->state = NETBOND_SYNTHETIC;
	return 0;
}

/* --- Requests to the parent --------------------------------------------- */

static void send_request(struct netbond *nb)
{
	uint8_t msg[sizeof(struct nvsp_switch_datapath)];
	int len = nvsp_encode_switch(msg, sizeof(msg), nb->req_id, nb->req_path);

	if (!nb->req_unsent || len < 0)
		return;
	if (nb->ops->send_msg(nb->ops_ctx, msg, (size_t)len) == 0)
		nb->req_unsent = false;
}

/* The clock runs from the request, sent or not: a dead ring must time out too. */
static void request(struct netbond *nb, enum nvsp_path path)
{
	if (++nb->next_id == 0) /* 0 is never a request id */
		nb->next_id = 1;
	nb->req_id = nb->next_id;
	nb->req_path = path;
	nb->req_pending = true;
	nb->req_unsent = true;
	nb->sent_ms = nb->now_ms;
	note(nb, "event=request req=%u path=%s", nb->req_id, path_name(path));
	send_request(nb);
}

/* --- The hold queue ----------------------------------------------------- */

static int hold(struct netbond *nb, const void *frame, size_t len)
{
	struct netbond_held *h;

	if (nb->hold_count >= nb->cfg.hold_limit) {
		nb->c.backpressure++;
		return -EAGAIN;
	}
	h = &nb->hold[(nb->hold_head + nb->hold_count) % NETBOND_HOLD_MAX];
	memcpy(h->data, frame, len);
	h->len = (uint16_t)len;
	nb->hold_count++;
	nb->c.held++;
	nb->c.hold_max = MAX(nb->c.hold_max, (uint64_t)nb->hold_count);
	return NETBOND_HELD;
}

/* Sends one frame now on path, counting the outcome. */
static int send_frame(struct netbond *nb, enum nvsp_path path, const void *frame, size_t len)
{
	int r = nb->ops->tx(nb->ops_ctx, path, frame, len);

	if (r == -EAGAIN)
		return r;
	if (r < 0) {
		nb->c.tx_errors++;
		return r;
	}
	nb->c.tx[path]++;
	return 0;
}

/* Releases held frames in order to the path in force, until it is full. */
static void flush(struct netbond *nb)
{
	enum nvsp_path path = netbond_path(nb);

	while (nb->hold_count && !switching(nb)) {
		struct netbond_held *h = &nb->hold[nb->hold_head];

		if (send_frame(nb, path, h->data, h->len) == -EAGAIN)
			return;
		nb->hold_head = (uint16_t)((nb->hold_head + 1) % NETBOND_HOLD_MAX);
		nb->hold_count--;
	}
}

int netbond_tx(struct netbond *nb, const void *frame, size_t len)
{
	if (!frame || len < NVSP_FRAME_MIN || len > NVSP_FRAME_MAX)
		return -EINVAL;
	flush(nb);
	/* Anything still held goes first: a new frame may not overtake it. */
	if (nb->hold_count || switching(nb))
		return hold(nb, frame, len);
	return send_frame(nb, netbond_path(nb), frame, len);
}

bool netbond_rx(struct netbond *nb, enum nvsp_path path, size_t len)
{
	(void)len;
	if (path != NVSP_PATH_SYNTHETIC && path != NVSP_PATH_VF)
		return false;
	nb->c.rx[path]++;
	if (path != netbond_path(nb))
		nb->c.rx_old_path++;
	return true;
}

/* --- The state machine -------------------------------------------------- */

/* Should traffic be on the VF (given the switch works)? */
static bool vf_wanted(const struct netbond *nb)
{
	return nb->vf_offered && nb->vf_associated && !nb->migrating;
}

static bool vf_usable(const struct netbond *nb)
{
	return vf_wanted(nb) && nb->vf_ready && nb->assoc_bdf == nb->vf_bdf && !nb->vf_refused;
}

static void consider_vf(struct netbond *nb)
{
	if (!nb->vf_offered || nb->migrating) {
		set_state(nb, NETBOND_SYNTHETIC);
		return;
	}
	set_state(nb, NETBOND_VF_OFFERED);
	/* A resync to_synthetic still in flight is answered first. */
	if (vf_usable(nb) && !nb->req_pending) {
		set_state(nb, NETBOND_SWITCHING);
		request(nb, NVSP_PATH_VF);
	}
}

/* After VF TX drained (or there is nothing to drain): ask for the synthetic path. */
static void request_fallback(struct netbond *nb)
{
	bool idle = nb->drain_skip || nb->ops->vf_tx_idle(nb->ops_ctx);

	if (nb->req_pending)
		return;
	if (!idle && nb->now_ms - nb->drain_since_ms < nb->cfg.ack_timeout_ms)
		return;
	if (!idle) {
		nb->c.timeouts++;
		note(nb, "event=drain_timeout waited_ms=%llu",
		     (unsigned long long)(nb->now_ms - nb->drain_since_ms));
	}
	request(nb, NVSP_PATH_SYNTHETIC);
}

static void begin_failback(struct netbond *nb, bool nothing_to_drain)
{
	set_state(nb, NETBOND_FAILING_BACK);
	nb->drain_since_ms = nb->now_ms;
	nb->drain_skip = nb->drain_skip || nothing_to_drain;
	/* A to_vf in flight is superseded: its ACK will find another id and be ignored. */
	nb->req_pending = false;
	request_fallback(nb);
}

static void finish_failback(struct netbond *nb, int32_t status)
{
	if (status)
		note(nb, "event=failback_refused status=%d", status);
	nb->c.failovers++;
	nb->drain_skip = false;
	set_state(nb, NETBOND_SYNTHETIC);
}

static void evaluate(struct netbond *nb)
{
	switch (nb->state) {
	case NETBOND_SYNTHETIC:
	case NETBOND_VF_OFFERED:
		consider_vf(nb);
		break;
	case NETBOND_SWITCHING:
		if (!vf_wanted(nb))
			begin_failback(nb, true); /* the VF never carried a frame */
		break;
	case NETBOND_VF:
		if (!vf_wanted(nb))
			begin_failback(nb, false);
		break;
	case NETBOND_FAILING_BACK:
		request_fallback(nb);
		break;
	}
	flush(nb);
}

/* --- Events ------------------------------------------------------------- */

void netbond_vf_offered(struct netbond *nb, uint32_t bdf)
{
	nb->vf_offered = true;
	nb->vf_bdf = bdf;
	nb->vf_ready = false;
	nb->vf_refused = false;
	note(nb, "event=vf_offered bdf=%#x", bdf);
	evaluate(nb);
}

void netbond_vf_ready(struct netbond *nb, const uint8_t mac[NVSP_ETH_ALEN])
{
	nb->vf_ready = nb->vf_offered && !memcmp(mac, nb->cfg.mac, NVSP_ETH_ALEN);
	if (!nb->vf_ready)
		note(nb, "event=vf_not_usable reason=%s",
		     nb->vf_offered ? "vf_mac_differs" : "no_vf_offered");
	evaluate(nb);
}

void netbond_vf_revoking(struct netbond *nb, bool surprise)
{
	note(nb, "event=vf_revoking surprise=%d state=%s", surprise, netbond_state_name(nb->state));
	if (surprise && (nb->state == NETBOND_VF || nb->state == NETBOND_FAILING_BACK)) {
		nb->c.undrained++;
		nb->drain_skip = true;
	}
	nb->vf_offered = false;
	nb->vf_ready = false;
	evaluate(nb);
}

void netbond_migrating(struct netbond *nb, bool migrating)
{
	nb->migrating = migrating;
	evaluate(nb);
}

static void on_associate(struct netbond *nb, const struct nvsp_msg *m)
{
	nb->vf_associated = m->u.vf.associated;
	if (m->u.vf.associated && memcmp(m->u.vf.mac, nb->cfg.mac, NVSP_ETH_ALEN)) {
		note(nb, "event=associate_refused reason=mac_differs bdf=%#x", m->u.vf.bdf);
		nb->vf_associated = false;
	}
	if (nb->vf_associated) {
		nb->assoc_bdf = m->u.vf.bdf;
		nb->vf_refused = false;
	}
	note(nb, "event=vf_associate associated=%d bdf=%#x serial=%u", m->u.vf.associated,
	     m->u.vf.bdf, m->u.vf.serial);
}

static void on_ack(struct netbond *nb, const struct nvsp_msg *m)
{
	if (!nb->req_pending || m->u.ack.request_id != nb->req_id) {
		nb->c.late_acks++;
		note(nb, "event=late_ack req=%u status=%d", m->u.ack.request_id, m->u.ack.status);
		return;
	}
	nb->req_pending = false;
	nb->req_unsent = false;
	if (nb->state == NETBOND_SWITCHING && m->u.ack.status == 0 &&
	    m->u.ack.path == NVSP_PATH_VF) {
		nb->c.switches++;
		set_state(nb, NETBOND_VF);
	} else if (nb->state == NETBOND_SWITCHING) {
		nb->c.refused++;
		nb->vf_refused = true;
		note(nb, "event=switch_refused status=%d", m->u.ack.status);
		set_state(nb, NETBOND_SYNTHETIC);
	} else if (nb->state == NETBOND_FAILING_BACK) {
		finish_failback(nb, m->u.ack.status);
	}
	/* Otherwise the ACK of a resync after a timeout: nothing changes. */
}

int netbond_handle_msg(struct netbond *nb, const struct nvsp_msg *msg)
{
	if (msg->type == NVSP_VF_ASSOCIATE)
		on_associate(nb, msg);
	else if (msg->type == NVSP_SWITCH_ACK)
		on_ack(nb, msg);
	else
		return -ENOTSUP;
	evaluate(nb);
	return 0;
}

static void on_timeout(struct netbond *nb)
{
	nb->c.timeouts++;
	nb->req_pending = false;
	note(nb, "event=ack_timeout req=%u path=%s state=%s", nb->req_id, path_name(nb->req_path),
	     netbond_state_name(nb->state));
	if (nb->state == NETBOND_SWITCHING) {
		/* The parent may yet switch: tell it where the traffic really is. */
		nb->vf_refused = true;
		set_state(nb, NETBOND_SYNTHETIC);
		request(nb, NVSP_PATH_SYNTHETIC);
	} else if (nb->state == NETBOND_FAILING_BACK) {
		finish_failback(nb, -ETIMEDOUT);
	}
}

void netbond_tick(struct netbond *nb, uint64_t now_ms)
{
	nb->now_ms = now_ms;
	send_request(nb);
	if (nb->req_pending && now_ms - nb->sent_ms >= nb->cfg.ack_timeout_ms)
		on_timeout(nb);
	evaluate(nb);
}
