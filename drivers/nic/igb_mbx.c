/*
 * The PF side of the 82576 VF mailboxes (datasheet 7.8.2.9, "PF/VF
 * mailbox"): one 16-word buffer per VF (VMBMEM) shared by both directions,
 * with ownership bits in P2VMAILBOX (PF side) and V2PMAILBOX (VF side). The
 * PF takes the buffer by writing PFU and reading it back (the NIC grants it
 * only while the VF doesn't hold it); any write to P2VMAILBOX without PFU
 * gives it back, so "ACK" after reading and "STS" after writing both
 * release the buffer in the same write. The protocol on top is Linux's
 * (e1000_mbx.c): pending causes in MBVFICR and VFLRE, write-1-to-clear.
 *
 * Only the doorbells are hardware; the words are whatever a VF wrote, and
 * are decoded elsewhere (mbx_decode.h) before anything trusts them.
 */
#include "drivers/nic/igb_pf.h"
#include "hv/errno.h"

#define LOCK_TRIES 10 /* Linux: E1000_MBX lock retries, 1 us apart */

static bool vf_ok(const struct igb_pf *pf, unsigned vf)
{
	return vf < pf->sriov.num_vfs && vf < IGB_MAX_VFS;
}

static int lock(struct igb_pf *pf, unsigned vf)
{
	for (unsigned i = 0; i < LOCK_TRIES; i++) {
		igb_wr(&pf->hw, IGB_P2VMAILBOX(vf), IGB_P2VMAILBOX_PFU);
		if (igb_rd(&pf->hw, IGB_P2VMAILBOX(vf)) & IGB_P2VMAILBOX_PFU)
			return 0;
		igb_delay_us(1);
	}
	pf->vf_mbx[vf].busy++;
	return -EBUSY;
}

int igb_mbx_read(struct igb_pf *pf, unsigned vf, uint32_t *msg, unsigned max)
{
	unsigned n = MIN(max, (unsigned)IGB_VMBMEM_WORDS);

	if (!vf_ok(pf, vf) || !n)
		return -EINVAL;
	if (lock(pf, vf))
		return -EBUSY;
	for (unsigned i = 0; i < n; i++)
		msg[i] = igb_rd(&pf->hw, IGB_VMBMEM(vf) + 4 * i);
	/* ACK without PFU: the VF sees PFACK and has its buffer back. */
	igb_wr(&pf->hw, IGB_P2VMAILBOX(vf), IGB_P2VMAILBOX_ACK);
	return (int)n;
}

int igb_mbx_write(struct igb_pf *pf, unsigned vf, const uint32_t *msg, unsigned n)
{
	if (!vf_ok(pf, vf) || !n || n > IGB_VMBMEM_WORDS)
		return -EINVAL;
	if (lock(pf, vf))
		return -EBUSY;
	/*
	 * The buffer is shared: whatever the VF posted and we did not read is
	 * overwritten now, and an old acknowledgement must not count for this
	 * message. Drop both causes, as Linux's e1000_write_mbx_pf does.
	 */
	igb_mbx_clear_msg(pf, vf);
	igb_mbx_clear_ack(pf, vf);
	for (unsigned i = 0; i < n; i++)
		igb_wr(&pf->hw, IGB_VMBMEM(vf) + 4 * i, msg[i]);
	/* STS without PFU: the VF sees PFSTS, and the buffer is the VF's to read. */
	igb_wr(&pf->hw, IGB_P2VMAILBOX(vf), IGB_P2VMAILBOX_STS);
	return 0;
}

static uint32_t vf_mask(const struct igb_pf *pf)
{
	return (1u << MIN((unsigned)pf->sriov.num_vfs, (unsigned)IGB_MAX_VFS)) - 1;
}

uint32_t igb_mbx_pending_msgs(struct igb_pf *pf)
{
	return igb_rd(&pf->hw, IGB_MBVFICR) & vf_mask(pf);
}

uint32_t igb_mbx_pending_acks(struct igb_pf *pf)
{
	return (igb_rd(&pf->hw, IGB_MBVFICR) >> 16) & vf_mask(pf);
}

uint32_t igb_mbx_pending_resets(struct igb_pf *pf)
{
	return igb_rd(&pf->hw, IGB_VFLRE) & vf_mask(pf);
}

void igb_mbx_clear_msg(struct igb_pf *pf, unsigned vf)
{
	igb_wr(&pf->hw, IGB_MBVFICR, IGB_MBVFICR_VFREQ(vf));
}

void igb_mbx_clear_ack(struct igb_pf *pf, unsigned vf)
{
	igb_wr(&pf->hw, IGB_MBVFICR, IGB_MBVFICR_VFACK(vf));
}

void igb_mbx_clear_reset(struct igb_pf *pf, unsigned vf)
{
	igb_wr(&pf->hw, IGB_VFLRE, 1u << vf);
}

void igb_mbx_reclaim(struct igb_pf *pf, unsigned vf)
{
	/*
	 * A VF we reset holds nothing any more: drop a stale buffer ownership
	 * (RVFU), only if it holds one. RVFU also clears the VF's pending
	 * request and ack bits (QEMU's igb_set_pfmailbox).
	 */
	if (igb_rd(&pf->hw, IGB_P2VMAILBOX(vf)) & IGB_P2VMAILBOX_VFU)
		igb_wr(&pf->hw, IGB_P2VMAILBOX(vf), IGB_P2VMAILBOX_RVFU);
}
