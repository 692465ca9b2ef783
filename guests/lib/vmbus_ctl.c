/*
 * The vmbus control protocol (vmbus_ctl.h, docs/channel.md): encoding,
 * validation of what the peer sent, and the per-end state machine as one
 * transition table, so the whole protocol can be read in one place.
 */
#include "guests/lib/vmbus_ctl.h"
#include "guests/lib/vmbus_layout.h"
#include "hv/errno.h"
#include "hv/string.h"

#define HDR_SIZE  sizeof(struct vmbus_ctl_hdr)
#define ERRNO_MAX 4095

/* Body bytes of each type; 0 = no such type. */
static const uint32_t body_size[] = {
    [VMBUS_CTL_VERSION_REQ] = sizeof(struct vmbus_ctl_version_req),
    [VMBUS_CTL_VERSION_RESP] = sizeof(struct vmbus_ctl_version_resp),
    [VMBUS_CTL_OFFER] = sizeof(struct vmbus_ctl_offer),
    [VMBUS_CTL_OPEN] = sizeof(struct vmbus_ctl_instance),
    [VMBUS_CTL_OPEN_RESULT] = sizeof(struct vmbus_ctl_open_result),
    [VMBUS_CTL_RESCIND] = sizeof(struct vmbus_ctl_instance),
    [VMBUS_CTL_CLOSE] = sizeof(struct vmbus_ctl_instance),
};

_Static_assert(HDR_SIZE + sizeof(struct vmbus_ctl_offer) <= VMBUS_CTL_MSG_MAX,
	       "the largest message fits VMBUS_CTL_MSG_MAX");

static const char *const type_names[] = {
    [VMBUS_CTL_VERSION_REQ] = "VERSION_REQ",
    [VMBUS_CTL_VERSION_RESP] = "VERSION_RESP",
    [VMBUS_CTL_OFFER] = "OFFER",
    [VMBUS_CTL_OPEN] = "OPEN",
    [VMBUS_CTL_OPEN_RESULT] = "OPEN_RESULT",
    [VMBUS_CTL_RESCIND] = "RESCIND",
    [VMBUS_CTL_CLOSE] = "CLOSE",
};

static const char *const state_names[] = {
    [VMBUS_CTL_ST_IDLE] = "idle",	    [VMBUS_CTL_ST_CONTACTING] = "contacting",
    [VMBUS_CTL_ST_CONNECTED] = "connected", [VMBUS_CTL_ST_OFFERED] = "offered",
    [VMBUS_CTL_ST_OPENING] = "opening",	    [VMBUS_CTL_ST_OPEN] = "open",
    [VMBUS_CTL_ST_RESCINDED] = "rescinded", [VMBUS_CTL_ST_CLOSED] = "closed",
};

const char *vmbus_ctl_type_name(uint16_t type)
{
	if (type < ARRAY_SIZE(type_names) && type_names[type])
		return type_names[type];
	return "?";
}

const char *vmbus_ctl_state_name(enum vmbus_ctl_state s)
{
	if ((unsigned)s < ARRAY_SIZE(state_names))
		return state_names[s];
	return "?";
}

static uint32_t vmbus_ctl_body_size(uint16_t type)
{
	return type < ARRAY_SIZE(body_size) ? body_size[type] : 0;
}

/* ---- message contents ------------------------------------------------- */

static bool class_name_ok(const char *name)
{
	size_t n = strnlen(name, VMBUS_CTL_CLASS_LEN);

	if (n == 0 || n == VMBUS_CTL_CLASS_LEN)
		return false;
	for (size_t i = 0; i < VMBUS_CTL_CLASS_LEN; i++) {
		char c = name[i];
		bool ok = i < n ? (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'
				: c == '\0';
		if (!ok)
			return false;
	}
	return true;
}

/* A device ring: page aligned, after the control rings, inside the slot. */
static bool ring_loc_ok(const struct vmbus_ctl_ring_loc *r)
{
	uint64_t end = (uint64_t)r->offset + RING_CTRL_SIZE + r->data_size;

	return r->offset % PAGE_SIZE == 0 && r->offset >= VMBUS_NET_P2C_OFFSET &&
	       r->data_size >= RING_MIN_DATA_SIZE && r->data_size % RING_ALIGN == 0 &&
	       end <= HV_GUEST_CHANNEL_SLOT;
}

static bool rings_apart(const struct vmbus_ctl_ring_loc *a, const struct vmbus_ctl_ring_loc *b)
{
	uint64_t a_end = (uint64_t)a->offset + RING_CTRL_SIZE + a->data_size;
	uint64_t b_end = (uint64_t)b->offset + RING_CTRL_SIZE + b->data_size;

	return a_end <= b->offset || b_end <= a->offset;
}

static const char *offer_problem(const struct vmbus_ctl_offer *o)
{
	if (!class_name_ok(o->class_name))
		return "offer class name not a NUL-terminated [a-z0-9_] name";
	if (o->reserved)
		return "offer reserved field not zero";
	if (!ring_loc_ok(&o->p2c) || !ring_loc_ok(&o->c2p))
		return "offer ring outside the device area of the region";
	if (!rings_apart(&o->p2c, &o->c2p))
		return "offer rings overlap";
	return NULL;
}

/* What is wrong with a message's contents, or NULL. */
static const char *body_problem(const struct vmbus_ctl_msg *m)
{
	switch (m->type) {
	case VMBUS_CTL_VERSION_REQ:
		return m->u.version_req.version ? NULL : "version 0 requested";
	case VMBUS_CTL_VERSION_RESP:
		if (m->u.version_resp.accepted > 1)
			return "accepted is neither 0 nor 1";
		return m->u.version_resp.version ? NULL : "version 0 answered";
	case VMBUS_CTL_OFFER:
		return offer_problem(&m->u.offer);
	case VMBUS_CTL_OPEN_RESULT:
		if (m->u.open_result.status > 0 || m->u.open_result.status < -ERRNO_MAX)
			return "open status is not 0 or a negative errno";
		return NULL;
	default:
		return NULL;
	}
}

/* ---- encoding and decoding -------------------------------------------- */

int vmbus_ctl_encode(const struct vmbus_ctl_msg *m, void *buf, size_t cap)
{
	struct vmbus_ctl_hdr hdr;
	uint32_t body;

	if (!m || !buf)
		return -EINVAL;
	body = vmbus_ctl_body_size(m->type);
	if (body == 0 || body_problem(m))
		return -EINVAL;
	if (cap < HDR_SIZE + body)
		return -ENOSPC;
	hdr = (struct vmbus_ctl_hdr){.version = VMBUS_CTL_VERSION, .type = m->type, .len = body};
	memcpy(buf, &hdr, HDR_SIZE);
	memcpy((uint8_t *)buf + HDR_SIZE, &m->u, body);
	return (int)(HDR_SIZE + body);
}

static const char *hdr_problem(const struct vmbus_ctl_hdr *h, size_t len, int *err)
{
	*err = -EBADMSG;
	if (h->version != VMBUS_CTL_VERSION) {
		*err = -EPROTO;
		return "header version is not VMBUS_CTL_VERSION";
	}
	if (vmbus_ctl_body_size(h->type) == 0)
		return "unknown message type";
	if (h->len != len - HDR_SIZE)
		return "header len disagrees with the message length";
	if (h->len != vmbus_ctl_body_size(h->type))
		return "header len is not the size of the type's body";
	return NULL;
}

int vmbus_ctl_decode(const void *buf, size_t len, struct vmbus_ctl_msg *out, const char **reason)
{
	struct vmbus_ctl_hdr hdr;
	const char *why;
	int err;

	*reason = NULL;
	if (!buf || len < HDR_SIZE || len > VMBUS_CTL_MSG_MAX) {
		*reason = len < HDR_SIZE ? "shorter than a header" : "longer than any message";
		return -EBADMSG;
	}
	memcpy(&hdr, buf, HDR_SIZE);
	why = hdr_problem(&hdr, len, &err);
	if (why) {
		*reason = why;
		return err;
	}
	memset(out, 0, sizeof(*out));
	out->type = hdr.type;
	memcpy(&out->u, (const uint8_t *)buf + HDR_SIZE, hdr.len);
	*reason = body_problem(out);
	return *reason ? -EBADMSG : 0;
}

void vmbus_ctl_offer_netvsc(struct vmbus_ctl_msg *m, uint32_t instance_id)
{
	memset(m, 0, sizeof(*m));
	m->type = VMBUS_CTL_OFFER;
	hv_strlcpy(m->u.offer.class_name, VMBUS_CTL_CLASS_NETVSC, VMBUS_CTL_CLASS_LEN);
	m->u.offer.instance_id = instance_id;
	m->u.offer.p2c = (struct vmbus_ctl_ring_loc){VMBUS_NET_P2C_OFFSET, VMBUS_NET_DATA_SIZE};
	m->u.offer.c2p = (struct vmbus_ctl_ring_loc){VMBUS_NET_C2P_OFFSET, VMBUS_NET_DATA_SIZE};
}

/* ---- state machine ---------------------------------------------------- */

enum { SEND, RECV };
#define IN(s) (1U << (s))

/*
 * Every allowed step: who, which direction, which message, from which
 * states, to which state; to_no when the message says no (a version not
 * accepted, an open that failed).
 */
static const struct transition {
	uint8_t role;
	uint8_t dir;
	uint16_t type;
	uint32_t from;
	uint8_t to;
	uint8_t to_no;
} transitions[] = {
    {VMBUS_CTL_CHILD, SEND, VMBUS_CTL_VERSION_REQ, IN(VMBUS_CTL_ST_IDLE), VMBUS_CTL_ST_CONTACTING,
     VMBUS_CTL_ST_CONTACTING},
    {VMBUS_CTL_CHILD, RECV, VMBUS_CTL_VERSION_RESP, IN(VMBUS_CTL_ST_CONTACTING),
     VMBUS_CTL_ST_CONNECTED, VMBUS_CTL_ST_IDLE},
    {VMBUS_CTL_CHILD, RECV, VMBUS_CTL_OFFER, IN(VMBUS_CTL_ST_CONNECTED), VMBUS_CTL_ST_OFFERED,
     VMBUS_CTL_ST_OFFERED},
    {VMBUS_CTL_CHILD, SEND, VMBUS_CTL_OPEN, IN(VMBUS_CTL_ST_OFFERED), VMBUS_CTL_ST_OPENING,
     VMBUS_CTL_ST_OPENING},
    {VMBUS_CTL_CHILD, RECV, VMBUS_CTL_OPEN_RESULT, IN(VMBUS_CTL_ST_OPENING), VMBUS_CTL_ST_OPEN,
     VMBUS_CTL_ST_OFFERED},
    {VMBUS_CTL_CHILD, RECV, VMBUS_CTL_RESCIND,
     IN(VMBUS_CTL_ST_OFFERED) | IN(VMBUS_CTL_ST_OPENING) | IN(VMBUS_CTL_ST_OPEN),
     VMBUS_CTL_ST_RESCINDED, VMBUS_CTL_ST_RESCINDED},
    {VMBUS_CTL_CHILD, SEND, VMBUS_CTL_CLOSE, IN(VMBUS_CTL_ST_OPEN) | IN(VMBUS_CTL_ST_RESCINDED),
     VMBUS_CTL_ST_CLOSED, VMBUS_CTL_ST_CLOSED},
    /* A RESCIND that crossed the child's CLOSE: nothing left to do. */
    {VMBUS_CTL_CHILD, RECV, VMBUS_CTL_RESCIND, IN(VMBUS_CTL_ST_CLOSED), VMBUS_CTL_ST_CLOSED,
     VMBUS_CTL_ST_CLOSED},
    {VMBUS_CTL_PARENT, RECV, VMBUS_CTL_VERSION_REQ, IN(VMBUS_CTL_ST_IDLE), VMBUS_CTL_ST_CONTACTING,
     VMBUS_CTL_ST_CONTACTING},
    {VMBUS_CTL_PARENT, SEND, VMBUS_CTL_VERSION_RESP, IN(VMBUS_CTL_ST_CONTACTING),
     VMBUS_CTL_ST_CONNECTED, VMBUS_CTL_ST_IDLE},
    {VMBUS_CTL_PARENT, SEND, VMBUS_CTL_OFFER, IN(VMBUS_CTL_ST_CONNECTED), VMBUS_CTL_ST_OFFERED,
     VMBUS_CTL_ST_OFFERED},
    {VMBUS_CTL_PARENT, RECV, VMBUS_CTL_OPEN, IN(VMBUS_CTL_ST_OFFERED), VMBUS_CTL_ST_OPENING,
     VMBUS_CTL_ST_OPENING},
    {VMBUS_CTL_PARENT, SEND, VMBUS_CTL_OPEN_RESULT, IN(VMBUS_CTL_ST_OPENING), VMBUS_CTL_ST_OPEN,
     VMBUS_CTL_ST_OFFERED},
    {VMBUS_CTL_PARENT, SEND, VMBUS_CTL_RESCIND,
     IN(VMBUS_CTL_ST_OFFERED) | IN(VMBUS_CTL_ST_OPENING) | IN(VMBUS_CTL_ST_OPEN),
     VMBUS_CTL_ST_RESCINDED, VMBUS_CTL_ST_RESCINDED},
    {VMBUS_CTL_PARENT, RECV, VMBUS_CTL_CLOSE, IN(VMBUS_CTL_ST_OPEN) | IN(VMBUS_CTL_ST_RESCINDED),
     VMBUS_CTL_ST_CLOSED, VMBUS_CTL_ST_CLOSED},
    /* An OPEN that crossed the parent's RESCIND: the child will CLOSE. */
    {VMBUS_CTL_PARENT, RECV, VMBUS_CTL_OPEN, IN(VMBUS_CTL_ST_RESCINDED), VMBUS_CTL_ST_RESCINDED,
     VMBUS_CTL_ST_RESCINDED},
};

void vmbus_ctl_sm_init(struct vmbus_ctl_sm *sm, enum vmbus_ctl_role role)
{
	memset(sm, 0, sizeof(*sm));
	sm->role = role;
	sm->state = VMBUS_CTL_ST_IDLE;
}

static const struct transition *find_transition(const struct vmbus_ctl_sm *sm, unsigned dir,
						uint16_t type, const char **reason)
{
	bool known = false;

	for (size_t i = 0; i < ARRAY_SIZE(transitions); i++) {
		const struct transition *t = &transitions[i];

		if (t->role != sm->role || t->dir != dir || t->type != type)
			continue;
		known = true;
		if (t->from & IN(sm->state))
			return t;
	}
	*reason = known ? "message not allowed in this state" : "message not for this role";
	return NULL;
}

/* A message about a device names the one offered. */
static bool names_offer(const struct vmbus_ctl_sm *sm, const struct vmbus_ctl_msg *m)
{
	switch (m->type) {
	case VMBUS_CTL_OPEN:
	case VMBUS_CTL_RESCIND:
	case VMBUS_CTL_CLOSE:
		return m->u.instance.instance_id == sm->instance_id;
	case VMBUS_CTL_OPEN_RESULT:
		return m->u.open_result.instance_id == sm->instance_id;
	default:
		return true;
	}
}

/* Whether the message says yes; records what the end must remember. */
static bool apply_contents(struct vmbus_ctl_sm *sm, const struct vmbus_ctl_msg *m)
{
	switch (m->type) {
	case VMBUS_CTL_VERSION_REQ:
		sm->version = m->u.version_req.version;
		return true;
	case VMBUS_CTL_VERSION_RESP:
		sm->version = m->u.version_resp.accepted ? m->u.version_resp.version : 0;
		return m->u.version_resp.accepted;
	case VMBUS_CTL_OFFER:
		sm->instance_id = m->u.offer.instance_id;
		sm->offer = m->u.offer;
		return true;
	case VMBUS_CTL_OPEN_RESULT:
		sm->open_status = m->u.open_result.status;
		return m->u.open_result.status == 0;
	default:
		return true;
	}
}

/* Checks that don't depend on the state: what the message itself promises. */
static const char *step_problem(const struct vmbus_ctl_sm *sm, const struct vmbus_ctl_msg *m)
{
	const char *why = body_problem(m);

	if (why)
		return why;
	if (!names_offer(sm, m))
		return "instance id is not the offered device's";
	/* We only speak VMBUS_CTL_VERSION: an answer must agree on exactly it. */
	if (m->type == VMBUS_CTL_VERSION_RESP && m->u.version_resp.accepted &&
	    m->u.version_resp.version != VMBUS_CTL_VERSION)
		return "accepted a version this end does not speak";
	return NULL;
}

static int vmbus_ctl_step(struct vmbus_ctl_sm *sm, unsigned dir, const struct vmbus_ctl_msg *m,
			  const char **reason, int err)
{
	const struct transition *t;
	const char *why;

	*reason = NULL;
	if (!m)
		return -EINVAL;
	t = find_transition(sm, dir, m->type, reason);
	if (!t)
		return err;
	why = step_problem(sm, m);
	if (why) {
		*reason = why;
		return err;
	}
	sm->state = apply_contents(sm, m) ? t->to : t->to_no;
	return 0;
}

int vmbus_ctl_sm_send(struct vmbus_ctl_sm *sm, const struct vmbus_ctl_msg *m, const char **reason)
{
	return vmbus_ctl_step(sm, SEND, m, reason, -EINVAL);
}

int vmbus_ctl_sm_recv(struct vmbus_ctl_sm *sm, const struct vmbus_ctl_msg *m, const char **reason)
{
	return vmbus_ctl_step(sm, RECV, m, reason, -EPROTO);
}
