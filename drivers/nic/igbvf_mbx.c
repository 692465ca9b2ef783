/*
 * The VF side of the 82576 PF/VF mailbox (datasheet 7.8.2.9): one 16-word
 * buffer shared with the PF, owned through V2PMAILBOX. The VF takes it by
 * writing VFU and reading it back (granted only while the PF doesn't hold
 * it); writing REQ or ACK without VFU hands it back and rings the PF. The
 * PF's doorbells to us (PFSTS: it wrote, PFACK: it took ours, RSTD: its
 * reset is done) clear when V2PMAILBOX is read, so every read folds them
 * into vf->v2p until a wait consumes them, as Linux's igbvf does.
 *
 * A request is answered by a reply with the same id and ACK or NACK; a PF
 * message with another id in between (a control message, an unprompted
 * NACK asking a VF without CTS to reset) is read, counted and skipped.
 */
#include "drivers/nic/igbvf.h"
#include "drivers/nic/igb_mbx_proto.h"
#include "hv/errno.h"
#include "hv/log.h"

static uint32_t v2p_read(struct igbvf *vf)
{
	uint32_t v = igbvf_rd(&vf->hw, IGB_VF_V2PMAILBOX);

	vf->v2p |= v & IGBVF_V2P_R2C;
	return v | vf->v2p;
}

/* Waits for a doorbell bit from the PF and consumes it. */
static int wait_bit(struct igbvf *vf, uint32_t bit, uint64_t timeout_us)
{
	uint64_t start = igbvf_now_us();

	while (!(v2p_read(vf) & bit)) {
		if (igbvf_now_us() - start >= timeout_us)
			return -ETIMEDOUT;
		igbvf_delay_us(IGBVF_MBX_POLL_US);
	}
	vf->v2p &= ~bit;
	return 0;
}

static int lock(struct igbvf *vf)
{
	for (unsigned i = 0; i < IGBVF_LOCK_TRIES; i++) {
		igbvf_wr(&vf->hw, IGB_VF_V2PMAILBOX, IGB_V2PMAILBOX_VFU);
		if (v2p_read(vf) & IGB_V2PMAILBOX_VFU)
			return 0;
		igbvf_delay_us(10);
	}
	return -EBUSY;
}

static int post(struct igbvf *vf, const uint32_t *words, unsigned n)
{
	int err = lock(vf);

	if (err)
		return err;
	/* Doorbells from before this message must not count as its answer. */
	vf->v2p &= ~(uint32_t)(IGB_V2PMAILBOX_PFSTS | IGB_V2PMAILBOX_PFACK);
	for (unsigned i = 0; i < IGB_MBX_WORDS; i++)
		igbvf_wr(&vf->hw, IGB_VF_VMBMEM + 4 * i, i < n ? words[i] : 0);
	/* REQ without VFU: the message is posted and the buffer released in one write. */
	igbvf_wr(&vf->hw, IGB_VF_V2PMAILBOX, IGB_V2PMAILBOX_REQ);
	vf->c.mbx_sent++;
	return 0;
}

/* Reads the PF's message into out[0..n) and acknowledges it (which releases the buffer). */
static int fetch(struct igbvf *vf, uint32_t *out, unsigned n)
{
	int err = lock(vf);

	if (err)
		return err;
	for (unsigned i = 0; i < n; i++)
		out[i] = igbvf_rd(&vf->hw, IGB_VF_VMBMEM + 4 * i);
	igbvf_wr(&vf->hw, IGB_VF_V2PMAILBOX, IGB_V2PMAILBOX_ACK);
	return 0;
}

static uint64_t left_us(uint64_t start)
{
	uint64_t spent = igbvf_now_us() - start;

	return spent >= IGBVF_MBX_TIMEOUT_US ? 0 : IGBVF_MBX_TIMEOUT_US - spent;
}

/* The PF's answer to request id: ACK or NACK, exactly one, nothing in the reserved bits. */
static int check_reply(struct igbvf *vf, uint32_t id, uint32_t word)
{
	uint32_t flags = word & (IGB_MBX_ACK | IGB_MBX_NACK);

	if ((word & IGB_MBX_ID_MASK) != id)
		return -EAGAIN;
	if (flags != IGB_MBX_ACK && flags != IGB_MBX_NACK) {
		vf->c.mbx_malformed++;
		log_warn("igbvf", "mbx reply malformed id=0x%x word=0x%x", id, word);
		return -EPROTO;
	}
	return 0;
}

#define STRAY_MAX 8 /* PF messages skipped per request before giving up */

static int await_reply(struct igbvf *vf, uint32_t id, uint32_t *reply, unsigned n, uint64_t start)
{
	int err;

	for (unsigned strays = 0; strays <= STRAY_MAX; strays++) {
		err = wait_bit(vf, IGB_V2PMAILBOX_PFSTS, left_us(start));
		if (!err)
			err = fetch(vf, reply, n);
		if (!err)
			err = check_reply(vf, id, reply[0]);
		if (err != -EAGAIN)
			return err;
		vf->c.mbx_stray++;
		log_info("igbvf", "mbx skipped pf message word=0x%x waiting_for=0x%x", reply[0],
			 id);
	}
	return -ETIMEDOUT;
}

int igbvf_mbx_request(struct igbvf *vf, const uint32_t *words, unsigned n, uint32_t *reply,
		      unsigned reply_words)
{
	uint32_t id = words[0] & IGB_MBX_ID_MASK;
	uint64_t start = igbvf_now_us();
	int err;

	if (!n || n > IGB_MBX_WORDS || !reply_words || reply_words > IGB_MBX_WORDS)
		return -EINVAL;
	err = post(vf, words, n);
	if (!err)
		err = wait_bit(vf, IGB_V2PMAILBOX_PFACK, IGBVF_MBX_TIMEOUT_US);
	if (!err)
		err = await_reply(vf, id, reply, reply_words, start);
	if (err == -ETIMEDOUT || err == -EBUSY) {
		vf->c.mbx_timeouts++;
		log_warn("igbvf", "mbx no answer id=0x%x err=%d waited_us=%llu", id, err,
			 (unsigned long long)(igbvf_now_us() - start));
		return -ETIMEDOUT;
	}
	if (err)
		return err;
	if (reply[0] & IGB_MBX_ACK)
		vf->c.mbx_acked++;
	else
		vf->c.mbx_nacked++;
	return 0;
}
