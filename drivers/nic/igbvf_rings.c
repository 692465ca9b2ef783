/*
 * The VF driver's data path: queue 0's advanced TX and RX rings in the
 * child's memory (82576 7.1.5, 7.2.2.3), MSI-X cause mapping, and the stop
 * that revocation needs. The VF reaches the rings by DMA with the child's
 * guest-physical addresses, translated by the child's own VT-d domain.
 *
 * TX: one descriptor per frame, copied into the slot's buffer, RS set so
 * the VF writes DD back; tx_clean follows the DDs. RX: every descriptor
 * but one is armed (RDT one behind the slot software will look at next);
 * a written-back descriptor is delivered, re-armed and given back.
 * The descriptors the VF writes back are checked before use: length within
 * the buffer, one buffer per frame, no receive error.
 */
#include "drivers/nic/igbvf.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"

static int wait_enable(struct igbvf *vf, uint32_t reg, uint32_t bit, bool on)
{
	uint64_t start = igbvf_now_us();

	while (!(igbvf_rd(&vf->hw, reg) & bit) != !on) {
		if (igbvf_now_us() - start >= IGBVF_QUEUE_TIMEOUT_US) {
			log_warn("igbvf", "queue %s timeout reg=0x%x value=0x%x",
				 on ? "enable" : "disable", reg, igbvf_rd(&vf->hw, reg));
			return -ETIMEDOUT;
		}
		igbvf_delay_us(10);
	}
	return 0;
}

static void ring_base(struct igbvf *vf, uint32_t bal, uint32_t bah, uint32_t len_reg,
		      const void *ring, uint32_t len)
{
	uint64_t dma = igbvf_dma_addr(ring);

	igbvf_wr(&vf->hw, bal, (uint32_t)dma);
	igbvf_wr(&vf->hw, bah, (uint32_t)(dma >> 32));
	igbvf_wr(&vf->hw, len_reg, len);
}

static int start_tx(struct igbvf *vf)
{
	struct igbvf_ring_mem *m = vf->mem;

	memset(m->txd, 0, sizeof(m->txd));
	igbvf_wr(&vf->hw, IGB_VF_TXDCTL(0), 0);
	ring_base(vf, IGB_VF_TDBAL(0), IGB_VF_TDBAH(0), IGB_VF_TDLEN(0), m->txd, sizeof(m->txd));
	igbvf_wr(&vf->hw, IGB_VF_TDH(0), 0);
	igbvf_wr(&vf->hw, IGB_VF_TDT(0), 0);
	vf->tx_tail = vf->tx_clean = 0;
	igbvf_wr(&vf->hw, IGB_VF_TXDCTL(0), IGB_TXDCTL_ENABLE);
	return wait_enable(vf, IGB_VF_TXDCTL(0), IGB_TXDCTL_ENABLE, true);
}

static void arm_rx(struct igbvf *vf, unsigned i)
{
	union igb_adv_rx_desc *d = &vf->mem->rxd[i];

	d->read.pkt_addr = igbvf_dma_addr(vf->mem->rx_buf[i]);
	d->read.hdr_addr = 0; /* overlays the write-back status: clears DD */
}

static int start_rx(struct igbvf *vf)
{
	struct igbvf_ring_mem *m = vf->mem;
	int err;

	igbvf_wr(&vf->hw, IGB_VF_RXDCTL(0), 0);
	ring_base(vf, IGB_VF_RDBAL(0), IGB_VF_RDBAH(0), IGB_VF_RDLEN(0), m->rxd, sizeof(m->rxd));
	igbvf_wr(&vf->hw, IGB_VF_SRRCTL(0),
		 IGBVF_SRRCTL_BSIZEPKT(IGBVF_BUF_SIZE) | IGB_SRRCTL_DESCTYPE_ADV1 |
		     IGB_SRRCTL_DROP_EN);
	for (unsigned i = 0; i < IGBVF_RX_DESCS; i++)
		arm_rx(vf, i);
	vf->rx_next = 0;
	igbvf_wr(&vf->hw, IGB_VF_RDH(0), 0);
	igbvf_wr(&vf->hw, IGB_VF_RDT(0), 0);
	igbvf_wr(&vf->hw, IGB_VF_RXDCTL(0), IGB_RXDCTL_ENABLE);
	err = wait_enable(vf, IGB_VF_RXDCTL(0), IGB_RXDCTL_ENABLE, true);
	igbvf_dma_barrier(); /* descriptors armed before the VF may fetch them */
	igbvf_wr(&vf->hw, IGB_VF_RDT(0), IGBVF_RX_DESCS - 1);
	return err;
}

int igbvf_start(struct igbvf *vf, struct igbvf_ring_mem *mem, igbvf_rx_fn rx, void *ctx)
{
	int err;

	if (!mem || !rx || ((uintptr_t)mem->txd | (uintptr_t)mem->rxd) % IGBVF_RING_ALIGN)
		return -EINVAL;
	if (!vf->mac_valid)
		return -ENOTCONN; /* the PF enables our pool only after an acknowledged reset */
	vf->mem = mem;
	vf->rx = rx;
	vf->rx_ctx = ctx;
	err = start_tx(vf);
	if (!err)
		err = start_rx(vf);
	vf->running = !err;
	return err;
}

/* Descriptors the VF has written back: DD in the write-back status (olinfo_status's place). */
static void reclaim_tx(struct igbvf *vf)
{
	while (vf->tx_clean != vf->tx_tail &&
	       (vf->mem->txd[vf->tx_clean].olinfo_status & IGB_TXD_STA_DD))
		vf->tx_clean = (vf->tx_clean + 1) % IGBVF_TX_DESCS;
}

int igbvf_send(struct igbvf *vf, const void *frame, size_t len)
{
	unsigned i = vf->tx_tail, next = (i + 1) % IGBVF_TX_DESCS;
	struct igb_adv_tx_desc *d;
	size_t wire = len < IGBVF_FRAME_MIN ? IGBVF_FRAME_MIN : len;

	if (!vf->running)
		return -ENOTCONN;
	if (!frame || len < 14 || len > IGBVF_FRAME_MAX) {
		vf->c.tx_rejected++;
		return -EINVAL;
	}
	reclaim_tx(vf);
	if (next == vf->tx_clean) {
		vf->c.tx_full++;
		return -ENOSPC;
	}
	memcpy(vf->mem->tx_buf[i], frame, len);
	memset(vf->mem->tx_buf[i] + len, 0, wire - len);
	d = &vf->mem->txd[i];
	d->buffer_addr = igbvf_dma_addr(vf->mem->tx_buf[i]);
	d->cmd_type_len = (uint32_t)wire | IGB_TXD_DTYP_DATA | IGB_TXD_DCMD_DEXT |
			  IGB_TXD_DCMD_IFCS | IGB_TXD_DCMD_EOP | IGB_TXD_DCMD_RS;
	d->olinfo_status = (uint32_t)wire << IGB_TXD_PAYLEN_SHIFT;
	vf->tx_tail = next;
	igbvf_dma_barrier(); /* the descriptor and buffer before the tail that hands them over */
	igbvf_wr(&vf->hw, IGB_VF_TDT(0), next);
	vf->c.tx_frames++;
	vf->c.tx_bytes += wire;
	return 0;
}

static bool rx_good(const union igb_adv_rx_desc *d)
{
	uint32_t st = d->wb.status_error;

	return (st & IGB_RXD_STAT_EOP) && !(st & IGBVF_RXD_ERR_FRAME) && d->wb.length >= 14 &&
	       d->wb.length <= IGBVF_BUF_SIZE;
}

/* Hands the re-armed descriptors up to the one before rx_next back to the VF. */
static void give_back_rx(struct igbvf *vf)
{
	igbvf_dma_barrier(); /* re-armed descriptors before the tail hands them over */
	igbvf_wr(&vf->hw, IGB_VF_RDT(0), (vf->rx_next + IGBVF_RX_DESCS - 1) % IGBVF_RX_DESCS);
}

/*
 * Takes every written-back RX descriptor, re-arms it and gives them back
 * IGBVF_RX_GIVE_BACK at a time (Linux igbvf's IGBVF_RX_BUFFER_WRITE): a
 * register write per frame is an MMIO access each, one at the end only
 * would leave the VF without descriptors while the frames (and their
 * echoes) are handled.
 */
unsigned igbvf_poll(struct igbvf *vf)
{
	unsigned delivered = 0, taken = 0;

	if (!vf->running)
		return 0;
	reclaim_tx(vf);
	for (; taken < IGBVF_RX_DESCS; taken++) {
		unsigned i = vf->rx_next;
		union igb_adv_rx_desc *d = &vf->mem->rxd[i];

		if (!(d->wb.status_error & IGB_RXD_STAT_DD))
			break;
		igbvf_dma_barrier(); /* DD seen before the length and the data are read */
		if (rx_good(d)) {
			vf->c.rx_frames++;
			vf->c.rx_bytes += d->wb.length;
			vf->rx(vf->rx_ctx, vf->mem->rx_buf[i], d->wb.length);
			delivered++;
		} else {
			vf->c.rx_errors++;
		}
		arm_rx(vf, i);
		vf->rx_next = (i + 1) % IGBVF_RX_DESCS;
		if ((taken + 1) % IGBVF_RX_GIVE_BACK == 0)
			give_back_rx(vf);
	}
	if (taken % IGBVF_RX_GIVE_BACK)
		give_back_rx(vf);
	return delivered;
}

int igbvf_stop(struct igbvf *vf)
{
	int err, err2;

	igbvf_irq_disable(vf);
	igbvf_wr(&vf->hw, IGB_VF_RXDCTL(0), 0);
	igbvf_wr(&vf->hw, IGB_VF_TXDCTL(0), 0);
	err = wait_enable(vf, IGB_VF_RXDCTL(0), IGB_RXDCTL_ENABLE, false);
	err2 = wait_enable(vf, IGB_VF_TXDCTL(0), IGB_TXDCTL_ENABLE, false);
	/* A VF reset tells the PF we are gone: it quiets our pool (VFLRE). */
	igbvf_wr(&vf->hw, IGB_VF_CTRL, IGB_VF_CTRL_RST);
	vf->running = vf->cts = false;
	return err ? err : err2;
}

int igbvf_irq_enable(struct igbvf *vf, unsigned entry)
{
	if (entry >= IGBVF_MSIX_ENTRIES)
		return -EINVAL;
	igbvf_wr(&vf->hw, IGB_VF_IVAR0, IGBVF_IVAR_RX0(entry) | IGBVF_IVAR_TX0(entry));
	igbvf_wr(&vf->hw, IGB_VF_IVAR_MISC, IGBVF_IVAR_MISC(entry));
	igbvf_wr(&vf->hw, IGB_VF_EIAC, 1u << entry); /* cause clears itself when sent */
	igbvf_wr(&vf->hw, IGB_VF_EIMS, 1u << entry);
	return 0;
}

void igbvf_irq_disable(struct igbvf *vf)
{
	igbvf_wr(&vf->hw, IGB_VF_EIMC, IGBVF_EIMS_ALL);
	igbvf_wr(&vf->hw, IGB_VF_EIAC, 0);
}
