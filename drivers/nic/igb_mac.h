/*
 * Which igb-family MAC the PF driver runs on, and everything the driver
 * does differently because of it, as data: one row per MAC type. Code
 * elsewhere asks the row (igb_mac(pf)->...) instead of testing the type,
 * so each difference is named once, here, with where it comes from.
 *
 * Sources: Linux drivers/net/ethernet/intel/igb (e1000_82575.c:
 * igb_get_invariants_82575, igb_reset_hw_82575/_82580,
 * igb_vmdq_set_loopback_pf/_anti_spoofing_pf, igb_get_cfg_done_82575;
 * e1000_82575.h, e1000_regs.h; igb_main.c: igb_vmm_control,
 * igb_set_vf_vlan_strip, igb_configure_msix, igb_cache_ring_register,
 * igb_disable_sriov). QEMU models only the 82576: the I350 rows are
 * exercised by the host unit tests alone (docs/HARDWARE.md).
 */
#ifndef DRIVERS_NIC_IGB_MAC_H
#define DRIVERS_NIC_IGB_MAC_H

#include "hv/types.h"

enum igb_mac_type { IGB_MAC_82576, IGB_MAC_I350, IGB_MAC_TYPES };

struct igb_mac_info {
	enum igb_mac_type type;
	const char *name;
	uint16_t vf_device;	/* the VF device id the SR-IOV capability must report */
	uint8_t queues;		/* RX/TX queue pairs of the port */
	uint8_t vf_queue_pairs; /* queue pairs a VF's pool owns */
	uint8_t rar_entries;	/* receive address registers */
	uint8_t msix_entries;	/* MSI-X table entries the PF has */
	uint32_t txswc;		/* loopback / anti-spoofing register: DTXSWC or TXSWC */
	/*
	 * Per-pool VLAN stripping: VMOLR.STRVLAN (82576), DVMOLR.STRVLAN per
	 * queue (I350, whose VMOLR has no such bit).
	 */
	bool strip_in_dvmolr;
	bool dtxctl_vlan_added; /* DTXCTL.VLAN_ADDED: the MAC inserts tags (82576 only) */
	bool rplolr;		/* RPLOLR: replicated frames stripped (82576 only) */
	/* Reset: PCIe completion timeout raised first (82576, igb_set_pcie_completion_timeout). */
	bool reset_cmpl_timeout;
	/* Reset: STATUS.DEV_RST_SET acknowledged after it (82580 family, I350 included). */
	bool reset_dev_rst_ack;
	/* Before the PHY: wait for this port's NVM configuration (EEMNGCTL.CFG_DONE<port>). */
	bool cfg_done_wait;
	/*
	 * The internal PHY: its id (revision bits clear), reached at MDIC
	 * address 1 on both. The 82580-class PHY of the I350 also has MDICNFG
	 * (MDIC may be steered to an external PHY) and a power management
	 * register whose Go Link Disconnect keeps the link down.
	 */
	uint32_t phy_id;
	bool mdicnfg;
	bool phpm_go_linkd;
};

/* The row of a MAC type (NULL for none). */
const struct igb_mac_info *igb_mac_info(enum igb_mac_type type);

/*
 * The MAC type of a PF device id, and its model name for the log; -ENODEV
 * for an id that is no 82576 or I350 PF (their VF ids included).
 */
int igb_mac_identify(uint16_t device_id, enum igb_mac_type *type, const char **model);

/*
 * The hardware queue of pair `pair` (0-based) of VMDq pool `pool`: 82576
 * pool p owns queues p and p + 8; I350 pool p owns queue p only. -EINVAL
 * for a pair or pool the MAC doesn't have.
 */
int igb_mac_pool_queue(const struct igb_mac_info *mac, unsigned pool, unsigned pair);

#endif
