/*
 * The PF's own queue pair (the first of pool IGB_PF_POOL) with advanced descriptors:
 * one 2 KiB buffer per descriptor, so a standard frame always fits one
 * descriptor. Setup follows the 82576 datasheet (4.5.9 "Receive
 * Initialization", 4.5.10 "Transmit Initialization") and Linux's
 * igb_configure_rx_ring/igb_configure_tx_ring: queue disabled while its
 * base and length are written, enable polled until the NIC reports it.
 *
 * Ownership: the NIC owns RX descriptors from RDH up to RDT - 1 and TX
 * descriptors from TDH up to TDT - 1; the driver owns the rest. A
 * descriptor goes back to the driver when the NIC writes DD into it.
 */
#include "drivers/nic/igb_pf.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"

#define QUEUE_ENABLE_US 10000
#define RING_BYTES(d)	((uint32_t)sizeof(d))
/* Prefetch, host and write-back thresholds: write-back of every descriptor (we poll). */
#define TXDCTL_THRESH (8u | 1u << 8 | 1u << 16)
#define RXDCTL_THRESH (8u | 8u << 8 | 1u << 16)

static unsigned ring_next(unsigned i)
{
	return (i + 1) % IGB_RING_SIZE;
}

/* The NIC writes descriptors behind the compiler's back: read them once, from memory. */
static uint32_t tx_status(const struct igb_ring_mem *m, unsigned i)
{
	return ((const volatile struct igb_adv_tx_desc *)&m->txd[i])->olinfo_status;
}

static uint32_t rx_status(const struct igb_ring_mem *m, unsigned i)
{
	return ((const volatile union igb_adv_rx_desc *)&m->rxd[i])->wb.status_error;
}

static int queue_enable(struct igb_pf *pf, uint32_t reg, uint32_t val, bool on)
{
	uint32_t bit = IGB_TXDCTL_ENABLE; /* the same bit in RXDCTL */
	uint32_t last;

	igb_wr(&pf->hw, reg, on ? val | bit : val & ~bit);
	if (igb_wait(&pf->hw, reg, bit, on ? bit : 0, QUEUE_ENABLE_US, 100, &last)) {
		log_error("igb", "queue enable timeout reg=0x%x want=%u got=0x%x", reg, on, last);
		return -ETIMEDOUT;
	}
	return 0;
}

static int tx_setup(struct igb_pf *pf)
{
	struct igb_ring_mem *m = pf->rings.mem;
	unsigned q = pf->rings.queue;
	uint64_t base = igb_dma_addr(m->txd);
	int err = queue_enable(pf, IGB_TXDCTL(q), 0, false);

	if (err)
		return err;
	igb_wr(&pf->hw, IGB_TDBAL(q), (uint32_t)base);
	igb_wr(&pf->hw, IGB_TDBAH(q), (uint32_t)(base >> 32));
	igb_wr(&pf->hw, IGB_TDLEN(q), RING_BYTES(m->txd));
	igb_wr(&pf->hw, IGB_TDH(q), 0);
	igb_wr(&pf->hw, IGB_TDT(q), 0);
	return queue_enable(pf, IGB_TXDCTL(q), TXDCTL_THRESH, true);
}

static void rx_arm(struct igb_ring_mem *m, unsigned i)
{
	m->rxd[i].read.pkt_addr = igb_dma_addr(m->rxbuf[i]);
	m->rxd[i].read.hdr_addr = 0;
}

static int rx_setup(struct igb_pf *pf)
{
	struct igb_ring_mem *m = pf->rings.mem;
	unsigned q = pf->rings.queue;
	uint64_t base = igb_dma_addr(m->rxd);
	/* DROP_EN: a full PF ring drops its own frames instead of stalling the VFs' buffer. */
	uint32_t srrctl = (IGB_BUF_SIZE >> IGB_SRRCTL_BSIZEPKT_SHIFT) | IGB_SRRCTL_DESCTYPE_ADV1 |
			  IGB_SRRCTL_DROP_EN;
	int err = queue_enable(pf, IGB_RXDCTL(q), 0, false);

	if (err)
		return err;
	igb_wr(&pf->hw, IGB_RDBAL(q), (uint32_t)base);
	igb_wr(&pf->hw, IGB_RDBAH(q), (uint32_t)(base >> 32));
	igb_wr(&pf->hw, IGB_RDLEN(q), RING_BYTES(m->rxd));
	igb_wr(&pf->hw, IGB_SRRCTL(q), srrctl);
	igb_wr(&pf->hw, IGB_RDH(q), 0);
	igb_wr(&pf->hw, IGB_RDT(q), 0);
	for (unsigned i = 0; i < IGB_RING_SIZE; i++)
		rx_arm(m, i);
	err = queue_enable(pf, IGB_RXDCTL(q), RXDCTL_THRESH, true);
	if (err)
		return err;
	igb_dma_barrier(); /* descriptors armed before the NIC may fetch them */
	/* All but one: RDH == RDT would mean an empty ring. */
	igb_wr(&pf->hw, IGB_RDT(q), IGB_RING_SIZE - 1);
	return 0;
}

int igb_rings_start(struct igb_pf *pf, struct igb_ring_mem *mem)
{
	/* The first queue of the PF's pool: queue 7 on the 82576 and the I350 alike. */
	int err = igb_mac_pool_queue(igb_mac(pf), IGB_PF_POOL, 0);

	if (err < 0)
		return err;
	pf->rings = (struct igb_rings){.mem = mem, .queue = (unsigned)err};
	memset(mem->txd, 0, sizeof(mem->txd));
	memset(mem->rxd, 0, sizeof(mem->rxd));
	err = tx_setup(pf);
	if (!err)
		err = rx_setup(pf);
	if (err)
		return err;
	log_info("igb", "rings queue=%u txd=0x%llx rxd=0x%llx buf=%u", pf->rings.queue,
		 (unsigned long long)igb_dma_addr(mem->txd),
		 (unsigned long long)igb_dma_addr(mem->rxd), IGB_BUF_SIZE);
	return 0;
}

void igb_rings_stop(struct igb_pf *pf)
{
	if (!pf->rings.mem)
		return;
	queue_enable(pf, IGB_RXDCTL(pf->rings.queue), 0, false);
	queue_enable(pf, IGB_TXDCTL(pf->rings.queue), 0, false);
}

int igb_tx_frame(struct igb_pf *pf, const void *frame, size_t len)
{
	struct igb_rings *r = &pf->rings;
	unsigned i = r->tx_next;
	struct igb_adv_tx_desc *d;

	if (!pf->started)
		return -EAGAIN;
	if (len < IGB_FRAME_MIN || len > IGB_FRAME_MAX + 4) {
		pf->sw_stats.tx_refused++;
		return -EINVAL;
	}
	if (ring_next(i) == r->tx_clean)
		igb_tx_clean(pf);
	if (ring_next(i) == r->tx_clean) {
		pf->sw_stats.tx_busy++;
		return -EBUSY;
	}
	memcpy(r->mem->txbuf[i], frame, len);
	d = &r->mem->txd[i];
	d->buffer_addr = igb_dma_addr(r->mem->txbuf[i]);
	d->cmd_type_len = (uint32_t)len | IGB_TXD_DTYP_DATA | IGB_TXD_DCMD_DEXT |
			  IGB_TXD_DCMD_IFCS | IGB_TXD_DCMD_EOP | IGB_TXD_DCMD_RS;
	/* PAYLEN: the whole frame; real hardware needs it even without offloads. */
	d->olinfo_status = (uint32_t)len << IGB_TXD_PAYLEN_SHIFT;
	r->tx_next = ring_next(i);
	igb_dma_barrier(); /* the descriptor is complete before the NIC may read it */
	igb_wr(&pf->hw, IGB_TDT(r->queue), r->tx_next);
	pf->sw_stats.tx_frames++;
	pf->sw_stats.tx_bytes += len;
	return 0;
}

unsigned igb_tx_clean(struct igb_pf *pf)
{
	struct igb_rings *r = &pf->rings;
	unsigned n = 0;

	while (r->mem && r->tx_clean != r->tx_next &&
	       (tx_status(r->mem, r->tx_clean) & IGB_TXD_STA_DD)) {
		r->tx_clean = ring_next(r->tx_clean);
		n++;
	}
	return n;
}

/* One written-back descriptor: a whole frame, part of a too-long one, or an error. */
static void rx_deliver(struct igb_pf *pf, unsigned i, uint32_t status)
{
	struct igb_rings *r = &pf->rings;
	uint16_t len = r->mem->rxd[i].wb.length;

	if (!(status & IGB_RXD_STAT_EOP)) {
		/* Never with 2 KiB buffers and RLPML below them; dropped, not reassembled. */
		if (!r->rx_in_frame_error)
			pf->sw_stats.rx_multi_buffer++;
		r->rx_in_frame_error = true;
		return;
	}
	if (r->rx_in_frame_error) {
		r->rx_in_frame_error = false;
		return;
	}
	if ((status & IGB_RXD_ERR_RXE) || len < 14 || len > IGB_BUF_SIZE) {
		pf->sw_stats.rx_errors++;
		return;
	}
	pf->sw_stats.rx_frames++;
	pf->sw_stats.rx_bytes += len;
	if (pf->rx_fn)
		pf->rx_fn(pf->rx_ctx, r->mem->rxbuf[i], len);
}

unsigned igb_rx_poll(struct igb_pf *pf, unsigned budget)
{
	struct igb_rings *r = &pf->rings;
	unsigned n = 0, last = 0;
	uint32_t status;

	while (r->mem && n < budget &&
	       ((status = rx_status(r->mem, r->rx_next)) & IGB_RXD_STAT_DD)) {
		igb_dma_barrier(); /* DD seen before the length and data are read */
		rx_deliver(pf, r->rx_next, status);
		rx_arm(r->mem, r->rx_next);
		last = r->rx_next;
		r->rx_next = ring_next(r->rx_next);
		n++;
	}
	if (n) {
		igb_dma_barrier(); /* re-armed descriptors complete before the tail moves */
		/* The last re-armed descriptor becomes the one the NIC must not use. */
		igb_wr(&pf->hw, IGB_RDT(r->queue), last);
	}
	return n;
}
