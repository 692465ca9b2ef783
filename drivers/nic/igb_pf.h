/*
 * The Intel 82576 (and I350) physical function driver of the parent
 * partition: reset, PHY and link, the PF's own queue pair, SR-IOV, the
 * VMDq switch, the PF side of the VF mailboxes and the statistics. The
 * pieces live in one file per concern (igb_pf.c, igb_phy.c, igb_rings.c,
 * igb_sriov.c, igb_switch.c, igb_mbx.c, igb_vf_msg.c, igb_stats.c); this
 * header is their shared state and the driver's interface.
 *
 * The driver runs from the parent's main loop (igb_pf_poll): it polls link,
 * rings, mailboxes and counters. The mailbox causes (ICR.VMMB) also raise
 * an MSI-X interrupt (igb_irq.c) that wakes the loop early, so a VF's
 * request is answered without waiting for the tick.
 *
 * Pool layout: VF n owns VMDq pool n (n < 7) and queue n (on the 82576
 * also queue n + 8, unused by igbvf); the PF keeps pool 7 and queue 7,
 * which no VF occupies (the NIC issues queue q's DMA with VF q's requester
 * id when that VF is enabled, PLATFORM.md), as Linux's igb does with at
 * most 7 VFs. 82576 and I350 differ where igb_mac.h says; the driver asks
 * igb_mac(pf) rather than testing the type.
 */
#ifndef DRIVERS_NIC_IGB_PF_H
#define DRIVERS_NIC_IGB_PF_H

#include "drivers/nic/igb_hw.h"
#include "drivers/nic/igb_mac.h"
#include "drivers/nic/igb_regs.h"
#include "drivers/nic/mbx_decode.h"
#include "drivers/nic/mbx_limit.h"
#include "drivers/nic/switch_port.h"
#include "kernel/pci/pci_regs.h"

#define IGB_PF_POOL	   7  /* the PF's pool and queue */
#define IGB_RING_SIZE	   1024 /* descriptors per PF ring: a multiple of 8 (128-byte RDLEN/TDLEN) */
#define IGB_BUF_SIZE	   2048			   /* one buffer holds a whole standard frame */
#define IGB_FRAME_MIN	   60			   /* without FCS */
#define IGB_FRAME_MAX	   1518			   /* without FCS; +4 with a VLAN tag */
#define IGB_MAX_FRAME_VLAN (IGB_FRAME_MAX + 4 + 4) /* RLPML: tag and FCS included */

struct pci_cfg_ops; /* kernel/pci/pci.h: the configuration-space access method */

/* DMA memory of the PF's queue pair: static in the caller, in guest memory. */
struct igb_ring_mem {
	struct igb_adv_tx_desc txd[IGB_RING_SIZE] __aligned(PAGE_SIZE);
	union igb_adv_rx_desc rxd[IGB_RING_SIZE] __aligned(PAGE_SIZE);
	uint8_t txbuf[IGB_RING_SIZE][IGB_BUF_SIZE] __aligned(PAGE_SIZE);
	uint8_t rxbuf[IGB_RING_SIZE][IGB_BUF_SIZE] __aligned(PAGE_SIZE);
};

struct igb_rings {
	struct igb_ring_mem *mem;
	unsigned queue;		/* hardware queue index (= the PF's pool) */
	unsigned tx_next;	/* next descriptor to fill */
	unsigned tx_clean;	/* oldest descriptor the NIC may still own */
	unsigned rx_next;	/* next descriptor to look at */
	bool rx_in_frame_error; /* dropping the rest of a multi-buffer frame */
};

struct igb_link {
	bool up;
	unsigned speed; /* Mb/s */
	bool full_duplex;
	uint32_t changes;
	uint32_t phy_id;
	uint64_t autoneg_started_us;
};

/* The PF's SR-IOV capability as the driver programmed it. */
struct igb_sriov {
	uint16_t cap; /* offset of the extended capability, 0: none */
	uint16_t total_vfs;
	uint16_t num_vfs;   /* enabled VFs, 0 when VF Enable is clear */
	uint16_t vf_offset; /* First VF Offset for num_vfs */
	uint16_t vf_stride;
	uint16_t vf_device;
	uint64_t vf_bar[PCI_SRIOV_NUM_BARS];	  /* base of VF 0's BAR i (64-bit: in slot i) */
	uint64_t vf_bar_size[PCI_SRIOV_NUM_BARS]; /* per VF; 0: unused slot */
};

/* Hardware counters accumulated to 64 bits (they clear on read or wrap at 32). */
enum igb_stat {
	IGB_STAT_GPRC,
	IGB_STAT_GPTC,
	IGB_STAT_GORC,
	IGB_STAT_GOTC,
	IGB_STAT_BPRC,
	IGB_STAT_MPRC,
	IGB_STAT_BPTC,
	IGB_STAT_MPTC,
	IGB_STAT_TPR,
	IGB_STAT_TPT,
	IGB_STAT_MPC,
	IGB_STAT_RNBC,
	IGB_STAT_RUC,
	IGB_STAT_ROC,
	IGB_STAT_CRCERRS,
	IGB_STAT_RLEC,
	IGB_STAT_RXERRC,
	IGB_STAT_COUNT
};

/* Per pool, as the PF sees each VF's counters (and its own pool's). */
enum igb_pool_stat { IGB_POOL_GPRC, IGB_POOL_GPTC, IGB_POOL_GORC, IGB_POOL_GOTC, IGB_POOL_STATS };

struct igb_counters {
	uint64_t v[IGB_STAT_COUNT];
	uint64_t pool[IGB_POOLS][IGB_POOL_STATS];
	uint32_t pool_last[IGB_POOLS][IGB_POOL_STATS]; /* last raw value: they wrap */
	uint64_t updated_us;
};

/* What the driver itself counted. */
struct igb_sw_counters {
	uint64_t tx_frames, tx_bytes, tx_busy, tx_refused;
	uint64_t rx_frames, rx_bytes, rx_errors, rx_multi_buffer;
	uint64_t spoofed; /* WVBR: frames the hardware dropped for anti-spoofing */
};

/* One VF's mailbox service state and counters. */
struct igb_vf_mbx {
	bool cts;		/* completed the reset handshake: may configure */
	uint32_t logs;		/* log lines it may still cause in this window */
	uint64_t log_window_us; /* start of the current one-second log window */
	uint64_t last_nack_us;	/* a VF without CTS is prodded to reset at most every 2 s */
	struct mbx_limit limit; /* flood brake and request outcomes (mbx_limit.h) */
	uint64_t messages, acked, nacked, resets, vflr;
	uint64_t busy; /* the VF held the buffer when the PF wanted it */
};

/* Per-VF switch state the hardware can't be read back from. */
struct igb_vf_hw {
	uint8_t rar_count; /* RAR entries the pool holds (own MAC first) */
	uint8_t rar[1 + IGB_MBX_MAC_FILTERS_MAX];
	bool spoofchk;
	/*
	 * A child holds the VF: its port's unicast addresses (RAR entries)
	 * select the VF's pool. Otherwise they are left out and the port's
	 * traffic falls to the default pool, the PF's (synthetic path).
	 */
	bool attached;
};

struct igb_pf;
/* A received frame (FCS stripped), valid during the call only. */
typedef void (*igb_rx_fn)(void *ctx, const uint8_t *frame, size_t len);

struct igb_pf {
	struct igb_hw hw;
	const struct pci_cfg_ops *cfg;
	uint32_t bdf;
	uint16_t device_id;
	enum igb_mac_type type; /* from device_id (igb_mac_identify) */
	unsigned rar_entries;	/* igb_mac(pf)->rar_entries, set by the probe */
	struct mac_addr mac;
	bool started;
	struct igb_link link;
	struct igb_rings rings;
	struct igb_sriov sriov;
	igb_rx_fn rx_fn;
	void *rx_ctx;
	/*
	 * The switch ports the VFs serve (set by the VF lifecycle code when a
	 * VF is allocated to a port, NULL otherwise) and all ports, for the
	 * "MAC already in use" check. The driver never frees or moves them.
	 */
	struct switch_port *vf_port[IGB_MAX_VFS];
	const struct switch_port *ports;
	unsigned port_count;
	struct igb_vf_hw vf_hw[IGB_MAX_VFS];
	struct igb_vf_mbx vf_mbx[IGB_MAX_VFS];
	struct igb_counters hw_stats;
	struct igb_sw_counters sw_stats;
	uint32_t irq_entry_bit; /* EIMS bit of the MSI-X entry for mailbox causes, 0: polled */
};

/* The difference table row of the PF's MAC (igb_mac.h). */
static inline const struct igb_mac_info *igb_mac(const struct igb_pf *pf)
{
	return igb_mac_info(pf->type);
}

/* --- igb_pf.c: bring-up and the main loop --- */

/*
 * Identifies the PF at bdf (82576 or I350, from its device id: igb_mac.h)
 * and takes its BAR0 mapping. -ENODEV for another device, a VF included.
 */
int igb_pf_probe(struct igb_pf *pf, const struct pci_cfg_ops *cfg, uint32_t bdf,
		 volatile void *bar0);
/*
 * Resets the NIC and brings it up: PHY autonegotiation started, the VMDq
 * switch with the PF's pool, the PF's queue pair on mem, receive and
 * transmit on. Link comes up later (igb_pf_poll logs it). 0 or a negative
 * errno, logged.
 */
int igb_pf_start(struct igb_pf *pf, struct igb_ring_mem *mem, igb_rx_fn rx, void *rx_ctx);
/*
 * Global reset (CTRL.RST) with DMA stopped first, in the MAC's flow
 * (igb_mac.h: completion timeout first on the 82576, DEV_RST_SET
 * acknowledged on the I350); the NIC is left with nothing enabled.
 */
int igb_pf_reset(struct igb_pf *pf);
/* One round of the driver's work: link, received frames, completions, mailboxes. */
void igb_pf_poll(struct igb_pf *pf);
/* Tells every enabled VF the PF is (again) ready: PFRSTD, then a control message. */
void igb_pf_vfs_ready(struct igb_pf *pf);

/* --- igb_phy.c --- */
int igb_phy_read(struct igb_pf *pf, unsigned reg, uint16_t *val);
int igb_phy_write(struct igb_pf *pf, unsigned reg, uint16_t val);
/* Link forced up at the MAC, autonegotiation (re)started at the PHY. */
int igb_phy_start(struct igb_pf *pf);
/* Reads STATUS; true when the link state changed (logged). */
bool igb_link_poll(struct igb_pf *pf);

/* --- igb_rings.c: the PF's own queue pair --- */
int igb_rings_start(struct igb_pf *pf, struct igb_ring_mem *mem);
void igb_rings_stop(struct igb_pf *pf);
/*
 * Queues one frame (without FCS, IGB_FRAME_MIN..IGB_FRAME_MAX + 4 bytes)
 * for transmission. 0, -EINVAL for a bad length, -EBUSY when the ring is
 * full, -EAGAIN before start.
 */
int igb_tx_frame(struct igb_pf *pf, const void *frame, size_t len);
/* Reclaims sent descriptors; returns how many. */
unsigned igb_tx_clean(struct igb_pf *pf);
/* Hands up to budget received frames to the rx callback; returns how many. */
unsigned igb_rx_poll(struct igb_pf *pf, unsigned budget);

/* --- igb_sriov.c: the SR-IOV capability, from the parent --- */
int igb_sriov_probe(struct igb_pf *pf);
/*
 * Enables num VFs: NumVFs, VF BARs (below 4 GiB after the PF's own BARs
 * when firmware put them above: QEMU decodes VF BARs by their low 32 bits;
 * firmware's placement again if the hypervisor finds that outside the
 * bridge window), VF Enable and VF MSE, then each VF's Command.MEM and BME.
 * Cross-checks every step by reading back. 0, -EINVAL (num above TotalVFs
 * or IGB_MAX_VFS), -EBUSY (already on), -EPERM (a write was refused: the
 * hypervisor's log says why), -EIO (a VF did not answer as 8086:vf_device).
 */
int igb_sriov_enable(struct igb_pf *pf, unsigned num);
/* VF Enable and MSE off; the VFs' pools are reset. */
int igb_sriov_disable(struct igb_pf *pf);
/* bus << 8 | devfn of VF n (segment from the PF), or -EINVAL. */
int igb_sriov_vf_bdf(const struct igb_pf *pf, unsigned vf, uint32_t *bdf);

/* --- igb_switch.c: VMDq pools, filters, local switching (hardware only) --- */
void igb_switch_init(struct igb_pf *pf);
/* Pool vf back to its reset state: no MAC, VLAN, multicast; RX/TX off. */
void igb_switch_vf_reset(struct igb_pf *pf, unsigned vf);
void igb_switch_vf_enable(struct igb_pf *pf, unsigned vf, bool on);
/* Programs pool vf from its port's state; changes is PORT_CHG_* (PORT_CHG_ALL: everything). */
int igb_switch_apply_port(struct igb_pf *pf, unsigned vf, const struct switch_port *port,
			  unsigned changes);
/* Whether the tables have room for what req adds (a receive address, a VLAN filter). */
bool igb_switch_has_room(struct igb_pf *pf, const struct mbx_request *req);
/* MAC and VLAN anti-spoofing for pool vf (enforced by real hardware, not by QEMU). */
void igb_switch_vf_spoofchk(struct igb_pf *pf, unsigned vf, bool on);
/* The RAR entry holding VF vf's own address (for tests reading the hardware). */
unsigned igb_switch_vf_rar(const struct igb_pf *pf, unsigned vf);
/* The multicast table recomputed from every VF port's groups. */
void igb_switch_update_mta(struct igb_pf *pf);

/* --- igb_mbx.c: the PF side of the mailbox transport --- */
/*
 * Takes VF vf's buffer (PFU), reads up to max words, acknowledges (ACK,
 * which also releases the buffer). Returns the words read (always
 * IGB_MBX_WORDS: the hardware has no length), -EBUSY when the VF holds the
 * buffer.
 */
int igb_mbx_read(struct igb_pf *pf, unsigned vf, uint32_t *msg, unsigned max);
/* Takes the buffer, writes n words, rings STS (which releases it). 0 or -EBUSY. */
int igb_mbx_write(struct igb_pf *pf, unsigned vf, const uint32_t *msg, unsigned n);
/* Pending causes, one bit per VF: a message, an acknowledgement, a level reset. */
uint32_t igb_mbx_pending_msgs(struct igb_pf *pf);
uint32_t igb_mbx_pending_acks(struct igb_pf *pf);
uint32_t igb_mbx_pending_resets(struct igb_pf *pf);
/* Acknowledges causes the PF has taken (MBVFICR / VFLRE are write-1-to-clear). */
void igb_mbx_clear_msg(struct igb_pf *pf, unsigned vf);
void igb_mbx_clear_ack(struct igb_pf *pf, unsigned vf);
void igb_mbx_clear_reset(struct igb_pf *pf, unsigned vf);
/* Takes the buffer back from a VF the PF reset while it held it (RVFU), if it does. */
void igb_mbx_reclaim(struct igb_pf *pf, unsigned vf);

/* --- igb_vf_msg.c: what the PF does with a VF's messages and resets --- */
/* Serves each VF's pending level reset and at most one message per VF. */
void igb_vf_service(struct igb_pf *pf);
/* A function-level reset seen (VFLRE) or done by the parent: the pool back to its port. */
void igb_vf_reset_event(struct igb_pf *pf, unsigned vf);
/*
 * Binds VF vf to port (NULL unbinds) and programs the pool from the port,
 * detached: everything but the port's unicast addresses (igb_vf_attach).
 * Until a VF is bound, the PF NACKs its every request.
 */
int igb_vf_bind_port(struct igb_pf *pf, unsigned vf, struct switch_port *port);
/*
 * A child took (true) or gave back (false) VF vf: the port's unicast
 * addresses move to the VF's pool, or off it again (the PF's default pool
 * receives them). 0, -EINVAL for a VF without a port, or the switch's error.
 */
int igb_vf_attach(struct igb_pf *pf, unsigned vf, bool attached);
/*
 * OID_SRIOV_RESET_VF from the PF's side (the parent can't reach a VF's
 * Device Control: the hypervisor filters its config space): the VF's own
 * reset through the PF's mirror of its VTCTRL (PVTCTRL.RST: its queues
 * stop), the pool scrubbed and set back to the port's identity, the
 * mailbox taken back and the VF told to start over (NACK without CTS:
 * igbvf resets and sends VF_RESET again).
 */
void igb_vf_reset(struct igb_pf *pf, unsigned vf);

/* --- igb_irq.c: MSI-X for the mailbox causes (the rest stays polled) --- */
/*
 * Routes ICR.VMMB (VF messages, VF level resets) to MSI-X table entry
 * `entry` (below igb_mac(pf)->msix_entries; 82576 and I350 alike). The
 * caller programs the table entry and the MSI-X Enable bit. 0 or -EINVAL.
 */
int igb_irq_enable(struct igb_pf *pf, unsigned entry);
/* From the interrupt handler: reads (and so clears) ICR; returns the causes. */
uint32_t igb_irq_ack(struct igb_pf *pf);
/* A muted VF's requests stop (quiet) or start again interrupting the PF (MBVFIMR). */
void igb_irq_vf_quiet(struct igb_pf *pf, unsigned vf, bool quiet);

/* --- igb_stats.c --- */
/* Reads the counters into hw_stats (clear-on-read ones added, wrapping ones by delta). */
void igb_stats_update(struct igb_pf *pf);
/* Reads (and so clears) every counter and starts the totals from zero. */
void igb_stats_reset(struct igb_pf *pf);
/* "gprc", "gotc", ... as `nic stats` prints them. */
const char *igb_stat_name(enum igb_stat s);
const char *igb_pool_stat_name(enum igb_pool_stat s);

#endif
