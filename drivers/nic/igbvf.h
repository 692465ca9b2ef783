/*
 * The 82576 VF driver a child uses for an assigned VF: the reset handshake
 * with the parent's PF driver over the VF mailbox (Linux igbvf's protocol,
 * igb_mbx_proto.h), the MAC the PF gives, the requests the PF may grant or
 * refuse (MAC, multicast, VLAN, largest frame), one advanced TX and one
 * advanced RX ring in the child's memory, MSI-X cause mapping, and a quiet
 * stop for revocation.
 *
 * Every wait is bounded, every word from the PF is checked before it is
 * used. Not thread-safe: one caller at a time (the child's main loop).
 */
#ifndef DRIVERS_NIC_IGBVF_H
#define DRIVERS_NIC_IGBVF_H

#include "hv/types.h"
#include "drivers/nic/igbvf_hw.h"
#include "drivers/nic/igbvf_regs.h"

/*
 * Linux igbvf's default ring sizes (IGBVF_DEFAULT_TXD/RXD): a burst of 256
 * frames fits while the child is busy elsewhere (under TCG an interrupt
 * or a tick away); 32 lost 183..1212 of 2000 back-to-back datagrams.
 * With 2 KiB buffers the rings take 1 MiB of the child's .bss.
 */
#define IGBVF_TX_DESCS	256 /* 4 KiB of descriptors: a multiple of 128 */
#define IGBVF_RX_DESCS	256
#define IGBVF_ETH_ALEN	6
#define IGBVF_BUF_SIZE	2048 /* SRRCTL.BSIZEPKT in KiB: 2 */
#define IGBVF_FRAME_MIN 60   /* without FCS: shorter frames are padded */
#define IGBVF_FRAME_MAX 1514 /* without FCS and VLAN tag */
#define IGBVF_MC_MAX	30   /* hashes in one SET_MULTICAST message */

#define IGBVF_RX_GIVE_BACK 16 /* RX descriptors returned to the VF per RDT write */

/*
 * Mailbox timing. The parent serves VF mailboxes on a 20 Hz poll, so a
 * reply may take 50 ms and more under TCG; a second is patient without
 * hanging a child whose PF has gone.
 */
#define IGBVF_MBX_TIMEOUT_US   1000000
#define IGBVF_MBX_POLL_US      100
#define IGBVF_LOCK_TRIES       1000 /* 10 us apart: the PF holds the buffer briefly */
#define IGBVF_RESET_TIMEOUT_US 200000
#define IGBVF_QUEUE_TIMEOUT_US 10000

/* Memory of the rings: DMA-reachable by the VF, alignment as the VF requires. */
struct igbvf_ring_mem {
	struct igb_adv_tx_desc txd[IGBVF_TX_DESCS];
	union igb_adv_rx_desc rxd[IGBVF_RX_DESCS];
	uint8_t tx_buf[IGBVF_TX_DESCS][IGBVF_BUF_SIZE];
	uint8_t rx_buf[IGBVF_RX_DESCS][IGBVF_BUF_SIZE];
} __aligned(4096);
_Static_assert(sizeof(((struct igbvf_ring_mem *)0)->txd) % IGBVF_RING_ALIGN == 0, "TDLEN");
_Static_assert(sizeof(((struct igbvf_ring_mem *)0)->rxd) % IGBVF_RING_ALIGN == 0, "RDLEN");
_Static_assert(__builtin_offsetof(struct igbvf_ring_mem, rxd) % IGBVF_RING_ALIGN == 0, "RDBAL");

typedef void (*igbvf_rx_fn)(void *ctx, const void *frame, size_t len);

struct igbvf_counters {
	uint64_t tx_frames, tx_bytes, tx_full, tx_rejected;
	uint64_t rx_frames, rx_bytes, rx_errors;
	uint64_t mbx_sent, mbx_acked, mbx_nacked, mbx_timeouts, mbx_malformed, mbx_stray;
	uint64_t resets;
};

struct igbvf {
	struct igbvf_hw hw;
	uint8_t mac[IGBVF_ETH_ALEN];
	bool mac_valid;	       /* the PF acknowledged our reset and gave this MAC */
	bool cts;	       /* the PF takes requests from us (its CTS flag) */
	bool running;	       /* rings enabled */
	uint32_t v2p;	       /* read-to-clear V2PMAILBOX bits seen, not yet consumed */
	uint64_t handshake_us; /* reset to MAC, last time */
	struct igbvf_ring_mem *mem;
	unsigned tx_tail, tx_clean, rx_next;
	igbvf_rx_fn rx;
	void *rx_ctx;
	struct igbvf_counters c;
};

/* igbvf.c: probe, reset handshake and configuration requests */

/* Binds the driver to a mapped BAR0; touches nothing yet. -EINVAL without one. */
int igbvf_probe(struct igbvf *vf, volatile void *bar0);
/*
 * Resets the VF (VTCTRL.RST), waits for the PF's reset to be done (RSTI
 * clear), then sends VF_RESET: 0 with vf->mac from the PF's ACK; -EPERM when
 * the PF NACKs (it has no MAC for us: nothing else will be granted);
 * -ETIMEDOUT; -EPROTO for a reply that is not one.
 */
int igbvf_reset(struct igbvf *vf);
/* 0 granted (vf->mac updated); -EPERM refused; -ENOTCONN the PF wants a reset first. */
int igbvf_set_mac(struct igbvf *vf, const uint8_t mac[IGBVF_ETH_ALEN]);
/* Up to IGBVF_MC_MAX addresses; more are cut to the first 30 with the overflow flag. */
int igbvf_set_multicast(struct igbvf *vf, const uint8_t (*addrs)[IGBVF_ETH_ALEN], unsigned n);
int igbvf_set_vlan(struct igbvf *vf, uint16_t vid, bool add);
int igbvf_set_lpe(struct igbvf *vf, uint32_t max_frame);

/* igbvf_mbx.c: one request/reply exchange (words[0] is the header) */
int igbvf_mbx_request(struct igbvf *vf, const uint32_t *words, unsigned n, uint32_t *reply,
		      unsigned reply_words);

/* igbvf_rings.c: data path */

/* Enables TX and RX queue 0 on mem; frames received go to rx(ctx, ...). */
int igbvf_start(struct igbvf *vf, struct igbvf_ring_mem *mem, igbvf_rx_fn rx, void *ctx);
/* Queues one frame (14..1514 bytes, no FCS): 0, -ENOSPC ring full, -EINVAL, -ENOTCONN. */
int igbvf_send(struct igbvf *vf, const void *frame, size_t len);
/* Reclaims sent descriptors and delivers received frames: how many were delivered. */
unsigned igbvf_poll(struct igbvf *vf);
/* Disables both queues and waits for them to stop, then resets the VF: no DMA after. */
int igbvf_stop(struct igbvf *vf);
/* Maps RX, TX and mailbox causes to MSI-X entry `entry` and unmasks it. */
int igbvf_irq_enable(struct igbvf *vf, unsigned entry);
void igbvf_irq_disable(struct igbvf *vf);

#endif
