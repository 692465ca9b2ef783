/*
 * The parent's end of the vmbus control protocol (guests/lib/vmbus_ctl.h):
 * the child asks for a version, the parent accepts version 1 and offers its
 * one device, a netvsc on the rings of vmbus_layout.h; the child opens it
 * and the netvsc rings carry traffic from then on. The state machine of
 * the library refuses anything out of order; a refusal counts as a
 * malformed message.
 */
#include "guests/lib/guest.h"
#include "guests/parent/netvsp_int.h"

static int ctl_send(struct netvsp_chan *ch, const struct vmbus_ctl_msg *m)
{
	uint8_t buf[VMBUS_CTL_MSG_MAX];
	const char *why = "";
	int len = vmbus_ctl_sm_send(&ch->sm, m, &why);

	if (len == 0)
		len = vmbus_ctl_encode(m, buf, sizeof(buf));
	if (len < 0) {
		printf("netvsp error port=%s op=%s reason=\"%s\"\n", ch->name,
		       vmbus_ctl_type_name(m->type), why);
		return len;
	}
	return netvsp_send(ch, &ch->ctl_tx, VMBUS_CTL_PKT_TYPE, buf, (size_t)len);
}

static void answer_version(struct netvsp_chan *ch, uint32_t asked)
{
	struct vmbus_ctl_msg m = {.type = VMBUS_CTL_VERSION_RESP};
	bool ok = asked >= VMBUS_CTL_VERSION;

	m.u.version_resp.version = VMBUS_CTL_VERSION;
	m.u.version_resp.accepted = ok;
	if (ctl_send(ch, &m) || !ok)
		return;
	ch->state = NETVSP_CONNECTED;
	vmbus_ctl_offer_netvsc(&m, NETVSP_INSTANCE);
	ctl_send(ch, &m);
}

static void answer_open(struct netvsp_chan *ch)
{
	struct vmbus_ctl_msg m = {.type = VMBUS_CTL_OPEN_RESULT};

	m.u.open_result.instance_id = NETVSP_INSTANCE;
	m.u.open_result.status = 0;
	if (ctl_send(ch, &m))
		return;
	ch->state = NETVSP_OPEN;
	printf("netvsp open port=%s index=%u\n", ch->name, ch->index);
}

void netvsp_ctl_input(struct netvsp_chan *ch, const void *buf, size_t len)
{
	struct vmbus_ctl_msg m;
	const char *why = "";

	if (vmbus_ctl_decode(buf, len, &m, &why)) {
		netvsp_malformed(ch, "control", why);
		return;
	}
	if (vmbus_ctl_sm_recv(&ch->sm, &m, &why)) {
		netvsp_malformed(ch, vmbus_ctl_type_name(m.type), why);
		return;
	}
	if (m.type == VMBUS_CTL_VERSION_REQ)
		answer_version(ch, m.u.version_req.version);
	else if (m.type == VMBUS_CTL_OPEN)
		answer_open(ch);
	else if (m.type == VMBUS_CTL_CLOSE)
		netvsp_close(ch, "closed-by-child");
}
