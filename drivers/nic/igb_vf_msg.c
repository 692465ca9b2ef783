/*
 * What the PF does with its VFs' mailbox traffic, as Linux's igb does it
 * (igb_msg_task, igb_rcv_msg_from_vf, igb_vf_reset_msg) so igbvf works
 * unchanged, but with the switch port's policy in between (vSphere-style):
 *
 *   level reset (VFLRE)  the pool goes quiet and back to the port's
 *                        identity; the VF may configure nothing until its
 *                        reset message
 *   VF_RESET message     the port's state back to its identity, the pool
 *                        programmed from it and enabled, the reply carries
 *                        the port's MAC (RESET|ACK), and the VF is "clear
 *                        to send" (CTS) from then on
 *   any other message    decoded (mbx_decode), checked against the port
 *                        (port_handle), applied to the port and then to the
 *                        hardware; ACK, or NACK with the reason logged and
 *                        nothing changed
 *
 * Hostile VFs: every word is decoded before use; one message per VF per
 * round, so one VF's flood never starves another; a VF over its message or
 * malformed budget is muted for a while (mbx_limit.h: its messages are
 * released unanswered); log lines per VF are rate-limited, counters are not.
 */
#include "drivers/nic/igb_pf.h"
#include "hv/errno.h"
#include "hv/log.h"

#define LOGS_PER_S   8
#define WINDOW_US    1000000
#define NACK_PROD_US 2000000 /* Linux: a NACK to a VF without CTS at most every 2 s */

/* Ticks are microseconds. igbvf needs a handful of messages at start and on changes. */
static const struct mbx_limit_config limit_cfg = {
    .window_ticks = WINDOW_US,
    .max_messages = 16,
    .max_malformed = 8,
    .mute_ticks = 5 * WINDOW_US,
};

static const char *port_name(const struct switch_port *p)
{
	return p ? p->name : "-";
}

static bool may_log(struct igb_vf_mbx *m)
{
	uint64_t now = igb_now_us();

	if (now - m->log_window_us >= WINDOW_US) {
		m->log_window_us = now;
		m->logs = LOGS_PER_S;
	}
	if (!m->logs)
		return false;
	m->logs--;
	return true;
}

static void reply(struct igb_pf *pf, unsigned vf, uint32_t header, bool ack)
{
	struct igb_vf_mbx *m = &pf->vf_mbx[vf];
	uint32_t word = mbx_reply_word(header, ack, m->cts);

	if (ack)
		m->acked++;
	else
		m->nacked++;
	if (igb_mbx_write(pf, vf, &word, 1) && may_log(m))
		log_warn("igb", "mbx reply lost vf=%u reason=vf-holds-mailbox", vf);
}

/* --- Resets --------------------------------------------------------------- */

void igb_vf_reset_event(struct igb_pf *pf, unsigned vf)
{
	struct switch_port *port;

	if (vf >= IGB_MAX_VFS)
		return;
	port = pf->vf_port[vf];
	pf->vf_mbx[vf].cts = false;
	pf->vf_mbx[vf].vflr++;
	/*
	 * An acknowledgement from before the reset means nothing now, and the
	 * VF is about to post VF_RESET: a "reset first" NACK written now would
	 * overwrite that request in the shared buffer (and drop its cause).
	 */
	igb_mbx_clear_ack(pf, vf);
	pf->vf_mbx[vf].last_nack_us = igb_now_us();
	/*
	 * No RVFU here: a VF that reset itself is about to lock the buffer
	 * and post VF_RESET, and RVFU written between its lock and its post
	 * would clear that request (QEMU clears VFREQ with it); the VF timed
	 * out. Its own next write releases a stale lock anyway.
	 */
	igb_switch_vf_reset(pf, vf);
	if (port) {
		port_reset_state(port);
		igb_switch_apply_port(pf, vf, port, PORT_CHG_ALL);
	}
	if (may_log(&pf->vf_mbx[vf]))
		log_info("igb", "vf level reset vf=%u port=%s", vf, port_name(port));
}

/* VF_RESET: the VF finished its own reset and asks for its address. */
static enum mbx_outcome reset_message(struct igb_pf *pf, unsigned vf, const struct mbx_request *req)
{
	struct switch_port *port = pf->vf_port[vf];
	struct igb_vf_mbx *m = &pf->vf_mbx[vf];
	uint32_t words[IGB_MBX_RESET_REPLY_WORDS];
	char text[MAC_STR_LEN] = "-";
	unsigned changes = 0, n;
	const char *why;

	igb_switch_vf_reset(pf, vf);
	m->resets++;
	m->cts = port && !port_handle(port, req, &why, &changes);
	if (m->cts) {
		igb_switch_apply_port(pf, vf, port, PORT_CHG_ALL);
		igb_switch_vf_enable(pf, vf, true);
		mac_format(&port->state.mac, text);
		m->acked++;
	} else {
		m->nacked++;
	}
	n = mbx_encode_reset_reply(m->cts ? &port->state.mac : NULL, words);
	if (igb_mbx_write(pf, vf, words, n))
		log_warn("igb", "mbx reset reply lost vf=%u", vf);
	if (may_log(m))
		log_info("igb", "vf reset vf=%u port=%s mac=%s reply=%s", vf, port_name(port), text,
			 m->cts ? "ack" : "nack-no-port");
	return m->cts ? MBX_ACCEPTED : MBX_REFUSED;
}

/* --- Requests ------------------------------------------------------------- */

static enum mbx_outcome refuse(struct igb_pf *pf, unsigned vf, const struct mbx_request *req,
			       const char *why)
{
	struct igb_vf_mbx *m = &pf->vf_mbx[vf];

	if (may_log(m))
		log_warn("igb", "mbx refused vf=%u port=%s request=%s reason=\"%s\" msg=0x%x", vf,
			 port_name(pf->vf_port[vf]), mbx_kind_name(req->kind), why, req->header);
	reply(pf, vf, req->header, false);
	return MBX_REFUSED;
}

/* Checks beyond the port's own policy: not another port's MAC, room in the tables. */
static const char *switch_refusal(struct igb_pf *pf, const struct switch_port *port,
				  const struct mbx_request *req)
{
	bool mac_req = req->kind == MBX_REQ_SET_MAC || req->kind == MBX_REQ_MAC_FILTER_ADD;

	if (mac_req && port_mac_taken(pf->ports, pf->port_count, port, &req->u.mac))
		return "mac in use by another port";
	if (!igb_switch_has_room(pf, req))
		return "switch tables full";
	return NULL;
}

static enum mbx_outcome request(struct igb_pf *pf, unsigned vf, const struct mbx_request *req)
{
	struct switch_port *port = pf->vf_port[vf];
	unsigned changes = 0;
	const char *why;
	int err;

	/* Linux: NACK without CTS, and igbvf resets and starts over. */
	if (!pf->vf_mbx[vf].cts)
		return refuse(pf, vf, req, "vf has not completed its reset");
	if (!port)
		return refuse(pf, vf, req, "vf serves no port");
	why = switch_refusal(pf, port, req);
	if (why || port_handle(port, req, &why, &changes))
		return refuse(pf, vf, req, why);
	err = igb_switch_apply_port(pf, vf, port, changes);
	if (err)
		log_error("igb", "switch program failed vf=%u request=%s err=%d", vf,
			  mbx_kind_name(req->kind), err);
	if (may_log(&pf->vf_mbx[vf]))
		log_info("igb", "mbx granted vf=%u port=%s request=%s", vf, port->name,
			 mbx_kind_name(req->kind));
	reply(pf, vf, req->header, true);
	return MBX_ACCEPTED;
}

static enum mbx_outcome malformed(struct igb_pf *pf, unsigned vf, uint32_t header, const char *why)
{
	if (may_log(&pf->vf_mbx[vf]))
		log_warn("igb", "mbx malformed vf=%u reason=\"%s\" msg=0x%x", vf, why, header);
	reply(pf, vf, header, false);
	return MBX_MALFORMED;
}

static void message(struct igb_pf *pf, unsigned vf)
{
	struct igb_vf_mbx *m = &pf->vf_mbx[vf];
	uint32_t words[IGB_VMBMEM_WORDS];
	uint64_t now = igb_now_us();
	struct mbx_request req;
	enum mbx_outcome outcome;
	const char *why = "malformed";
	enum mbx_verdict verdict;
	int n = igb_mbx_read(pf, vf, words, IGB_VMBMEM_WORDS);

	if (n < 0)
		return; /* the VF holds its buffer: its request bit will come again */
	m->messages++;
	/* Our own reply still in the buffer (the VF rang without writing): nothing to do. */
	if (words[0] & (IGB_MBX_ACK | IGB_MBX_NACK))
		return;
	verdict = mbx_limit_admit(&m->limit, &limit_cfg, now);
	if (verdict == MBX_MUTE_NOW) {
		log_warn("igb", "mbx flood vf=%u muted_ms=%llu dropped=%llu", vf,
			 (unsigned long long)(limit_cfg.mute_ticks / 1000),
			 (unsigned long long)m->limit.dropped);
		igb_irq_vf_quiet(pf, vf, true);
	}
	if (verdict != MBX_SERVE)
		return; /* read and released, left unanswered */
	if (mbx_decode(words, (unsigned)n, &req, &why))
		outcome = malformed(pf, vf, words[0], why);
	else if (req.kind == MBX_REQ_RESET)
		outcome = reset_message(pf, vf, &req);
	else
		outcome = request(pf, vf, &req);
	if (mbx_limit_account(&m->limit, &limit_cfg, now, outcome)) {
		log_warn("igb", "mbx muted vf=%u reason=malformed malformed=%llu", vf,
			 (unsigned long long)m->limit.malformed);
		igb_irq_vf_quiet(pf, vf, true);
	}
}

/* The VF acknowledged something of ours. One without CTS is prodded to reset. */
static void acknowledged(struct igb_pf *pf, unsigned vf)
{
	struct igb_vf_mbx *m = &pf->vf_mbx[vf];
	uint32_t nack = IGB_MBX_NACK;
	uint64_t now = igb_now_us();

	if (m->cts || now - m->last_nack_us < NACK_PROD_US)
		return;
	/* A request waits in the buffer: answering it comes first, never overwrite it. */
	if (igb_mbx_pending_msgs(pf) & (1u << vf))
		return;
	m->last_nack_us = now;
	igb_mbx_write(pf, vf, &nack, 1);
}

void igb_vf_service(struct igb_pf *pf)
{
	uint32_t resets = igb_mbx_pending_resets(pf);
	uint32_t msgs = igb_mbx_pending_msgs(pf);
	uint32_t acks = igb_mbx_pending_acks(pf);

	for (unsigned vf = 0; vf < pf->sriov.num_vfs && vf < IGB_MAX_VFS; vf++) {
		if (!mbx_limit_is_muted(&pf->vf_mbx[vf].limit, igb_now_us()))
			igb_irq_vf_quiet(pf, vf, false);
		/* Causes are cleared before the buffer is read: a later one is not lost. */
		if (resets & (1u << vf)) {
			igb_mbx_clear_reset(pf, vf);
			igb_vf_reset_event(pf, vf);
		}
		if (msgs & (1u << vf)) {
			igb_mbx_clear_msg(pf, vf);
			message(pf, vf);
		}
		if (acks & (1u << vf)) {
			igb_mbx_clear_ack(pf, vf);
			acknowledged(pf, vf);
		}
	}
}

int igb_vf_bind_port(struct igb_pf *pf, unsigned vf, struct switch_port *port)
{
	if (vf >= pf->sriov.num_vfs || vf >= IGB_MAX_VFS)
		return -EINVAL;
	pf->vf_port[vf] = port;
	pf->vf_hw[vf].attached = false;
	pf->vf_mbx[vf].cts = false;
	/* A VF that changes hands starts with a clean slate, mutes included. */
	mbx_limit_clear(&pf->vf_mbx[vf].limit, igb_now_us());
	igb_switch_vf_reset(pf, vf);
	if (!port)
		return 0;
	/* The pool is set up for the port; it carries traffic after the VF's reset handshake. */
	return igb_switch_apply_port(pf, vf, port, PORT_CHG_ALL);
}

int igb_vf_attach(struct igb_pf *pf, unsigned vf, bool attached)
{
	if (vf >= pf->sriov.num_vfs || vf >= IGB_MAX_VFS || !pf->vf_port[vf])
		return -EINVAL;
	pf->vf_hw[vf].attached = attached;
	log_info("igb", "vf %s vf=%u port=%s rar=%u", attached ? "attached" : "detached", vf,
		 pf->vf_port[vf]->name, igb_switch_vf_rar(pf, vf));
	return igb_switch_apply_port(pf, vf, pf->vf_port[vf], PORT_CHG_MAC | PORT_CHG_UC_FILTER);
}

void igb_vf_reset(struct igb_pf *pf, unsigned vf)
{
	uint32_t nack = IGB_MBX_NACK;

	if (vf >= pf->sriov.num_vfs || vf >= IGB_MAX_VFS)
		return;
	/* VTCTRL.RST through the PF's mirror: the VF's queues stop, VFLRE reports it. */
	igb_wr(&pf->hw, IGB_PVTCTRL(vf), IGB_VF_CTRL_RST);
	igb_flush(&pf->hw);
	igb_vf_reset_event(pf, vf);
	igb_mbx_reclaim(pf, vf); /* we write next: a lock it held when reset is stale */
	mbx_limit_clear(&pf->vf_mbx[vf].limit, igb_now_us());
	pf->vf_mbx[vf].last_nack_us = igb_now_us();
	if (igb_mbx_write(pf, vf, &nack, 1))
		log_warn("igb", "vf reset notice lost vf=%u reason=vf-holds-mailbox", vf);
	log_info("igb", "vf reset by pf vf=%u port=%s", vf, port_name(pf->vf_port[vf]));
}
