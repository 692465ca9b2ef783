/*
 * Intel 82576 (and I350) registers, bits and descriptor formats, named after
 * the datasheet (82576EB GbE Controller Datasheet, section 8 "Programming
 * Interface"; I350 Datasheet, section 8). One IGB_<mnemonic> per register,
 * per-queue and per-pool registers as functions of n, fields right under
 * their register.
 *
 * Offsets and bit positions were checked against Linux's igb and igbvf
 * drivers (drivers/net/ethernet/intel/igb/e1000_regs.h, e1000_defines.h,
 * e1000_82575.h, e1000_mbx.h; igbvf/regs.h, igbvf/mbx.h) and QEMU's model
 * (hw/net/igb_regs.h, e1000x_regs.h, igb_core.c). Where the I350 differs
 * from the 82576, the entry says so.
 */
#ifndef DRIVERS_NIC_IGB_REGS_H
#define DRIVERS_NIC_IGB_REGS_H

#include "hv/types.h"

/* --- PCI identity --- */
#define IGB_VENDOR_INTEL       0x8086
#define IGB_DEV_82576	       0x10c9 /* copper; QEMU's igb */
#define IGB_DEV_82576_FIBER    0x10e6
#define IGB_DEV_82576_SERDES   0x10e7
#define IGB_DEV_82576_QUAD     0x10e8
#define IGB_DEV_82576_NS       0x150a
#define IGB_DEV_82576_NS_SERDES 0x1518
#define IGB_DEV_82576_SERDES_QUAD 0x150d
#define IGB_DEV_82576_QUAD_ET2 0x1526
#define IGB_DEV_82576_VF       0x10ca
#define IGB_DEV_I350_COPPER    0x1521
#define IGB_DEV_I350_FIBER     0x1522
#define IGB_DEV_I350_SERDES    0x1523
#define IGB_DEV_I350_SGMII     0x1524
#define IGB_DEV_I350_VF	       0x1520 /* I350 VFs: not 10ca */
#define IGB_BAR0_SIZE	       (128 * KiB)
#define IGB_VF_BAR0_SIZE       (16 * KiB)
#define IGB_POOLS	       8  /* VMDq pools; VF n uses pool n */
#define IGB_MAX_VFS	       7  /* pool 7 stays the PF's, as in Linux's igb */
/* Queues per port (16 on the 82576, 8 on the I350): struct igb_mac_info, igb_mac.h. */
#define IGB_RAR_ENTRIES_82576  24
#define IGB_RAR_ENTRIES_I350   32
#define IGB_MTA_ENTRIES	       128 /* 4096 hash bits */
#define IGB_VFTA_ENTRIES       128 /* 4096 VLAN bits */
#define IGB_VLVF_ENTRIES       32
#define IGB_VMBMEM_WORDS       16 /* mailbox buffer: 64 bytes per VF */

/* --- General (datasheet 8.2) --- */
#define IGB_CTRL		0x00000 /* Device Control */
#define IGB_CTRL_FD		BIT(0)	/* full duplex */
#define IGB_CTRL_GIO_MASTER_DIS BIT(2)	/* blocks new master requests */
#define IGB_CTRL_LRST		BIT(3)	/* link reset (reserved on 82576, 0 at run time) */
#define IGB_CTRL_SLU		BIT(6)	/* set link up */
#define IGB_CTRL_FRCSPD		BIT(11) /* force speed */
#define IGB_CTRL_FRCDPX		BIT(12) /* force duplex */
#define IGB_CTRL_RST		BIT(26) /* device reset, self-clearing */
#define IGB_CTRL_RFCE		BIT(27)
#define IGB_CTRL_TFCE		BIT(28)
#define IGB_CTRL_VME		BIT(30) /* VLAN mode (ignored in VMDq mode) */
#define IGB_CTRL_PHY_RST	BIT(31)

#define IGB_STATUS		0x00008 /* Device Status */
#define IGB_STATUS_FD		BIT(0)
#define IGB_STATUS_LU		BIT(1) /* link up */
#define IGB_STATUS_SPEED_MASK	(3u << 6)
#define IGB_STATUS_SPEED_10	(0u << 6)
#define IGB_STATUS_SPEED_100	(1u << 6)
#define IGB_STATUS_SPEED_1000	(2u << 6)
#define IGB_STATUS_FUNC_SHIFT	2	/* LAN function (port) 0..3 */
#define IGB_STATUS_FUNC_MASK	(3u << 2)
#define IGB_STATUS_PHYRA	BIT(10) /* PHY reset asserted; cleared by writing 0 */
#define IGB_STATUS_NUM_VFS(s)	(((s) >> 14) & 0xf)
#define IGB_STATUS_IOV_MODE	BIT(18)
#define IGB_STATUS_GIO_MASTER_EN BIT(19) /* master requests still pending when set */
#define IGB_STATUS_DEV_RST_SET	BIT(20) /* I350: a device reset happened; write 1 to clear */

#define IGB_EECD		0x00010 /* EEPROM/Flash Control */
#define IGB_EECD_PRES		BIT(8)
#define IGB_EECD_AUTO_RD	BIT(9) /* NVM auto-read done after reset */

#define IGB_CTRL_EXT		0x00018 /* Extended Device Control */
#define IGB_CTRL_EXT_PFRSTD	BIT(14) /* PF reset done: VFs see RSTD */
#define IGB_CTRL_EXT_DRV_LOAD	BIT(28) /* driver loaded, for manageability firmware */

#define IGB_MDIC		0x00020 /* MDI Control */
#define IGB_MDIC_DATA_MASK	0xffffu
#define IGB_MDIC_REG_SHIFT	16
#define IGB_MDIC_PHY_SHIFT	21
#define IGB_MDIC_OP_WRITE	(1u << 26)
#define IGB_MDIC_OP_READ	(2u << 26)
#define IGB_MDIC_READY		BIT(28)
#define IGB_MDIC_ERROR		BIT(30)

#define IGB_VET			0x00038 /* VLAN Ether Type */
#define IGB_EEMNGCTL		0x01010 /* MNG EEPROM Control */
#define IGB_EEMNGCTL_CFG_DONE(port) (1u << (18 + (port))) /* port's NVM configuration done */
#define IGB_MDICNFG		0x00e04 /* I350: MDI Configuration */
#define IGB_MDICNFG_EXT_MDIO	BIT(31) /* MDIC goes to an external PHY, not the internal one */
#define IGB_GCR			0x05b00 /* PCIe Control (82576: completion timeout) */
#define IGB_GCR_CMPL_TMOUT_MASK	(0xfu << 12)
#define IGB_GCR_CMPL_TMOUT_10MS	(1u << 12)
#define IGB_GCR_CMPL_TMOUT_RESEND BIT(16)
#define IGB_GCR_CAP_VER2	BIT(18) /* PCIe capability v2: timeout set in DevCtl2 instead */

/* --- Interrupts (8.8) --- */
#define IGB_ICR		 0x000c0 /* Interrupt Cause Read, clear on read */
#define IGB_ICS		 0x000c8 /* Interrupt Cause Set */
#define IGB_IMS		 0x000d0 /* Interrupt Mask Set/Read */
#define IGB_IMC		 0x000d8 /* Interrupt Mask Clear */
#define IGB_IAM		 0x000e0 /* Interrupt Acknowledge Auto Mask */
#define IGB_INT_TXDW	 BIT(0)	 /* transmit descriptor written back */
#define IGB_INT_LSC	 BIT(2)	 /* link status change */
#define IGB_INT_RXDMT0	 BIT(4)
#define IGB_INT_RXDW	 BIT(7)	 /* receive descriptor written back */
#define IGB_INT_VMMB	 BIT(8)	 /* VF mailbox or VFLR event */
#define IGB_INT_DOUTSYNC BIT(28) /* DMA out of sync: a VF misbehaved */
#define IGB_INT_DRSTA	 BIT(30) /* device reset asserted */

#define IGB_GPIE	     0x01514 /* General Purpose Interrupt Enable */
#define IGB_GPIE_NSICR	     BIT(0)
#define IGB_GPIE_MSIX_MODE   BIT(4)
#define IGB_GPIE_EIAME	     BIT(30)
#define IGB_GPIE_PBA	     BIT(31)
#define IGB_EICS	     0x01520 /* Extended Interrupt Cause Set */
#define IGB_EIMS	     0x01524 /* Extended Interrupt Mask Set/Read */
#define IGB_EIMC	     0x01528 /* Extended Interrupt Mask Clear */
#define IGB_EIAC	     0x0152c /* Extended Interrupt Auto Clear */
#define IGB_EIAM	     0x01530 /* Extended Interrupt Auto Mask */
#define IGB_EICR	     0x01580 /* Extended Interrupt Cause Read */
#define IGB_EITR(n)	     (0x01680 + 4 * (n))
#define IGB_IVAR(n)	     (0x01700 + 4 * (n)) /* 8 registers, 4 entries each */
#define IGB_IVAR_MISC	     0x01740
#define IGB_IVAR_VALID	     0x80u
/*
 * IVAR_MISC (the "other" causes, byte 1) is the same on the 82576 and the
 * I350. The per-queue IVARs differ (82576: IVAR(q % 8), bytes 0/1 for
 * q < 8, 2/3 for q >= 8; I350: IVAR(q / 2), bytes 0/1 for even q, 2/3 for
 * odd): the driver routes no queue cause, so it defines neither.
 */

/* --- Receive (8.10) --- */
#define IGB_RCTL	0x00100 /* Receive Control */
#define IGB_RCTL_EN	BIT(1)
#define IGB_RCTL_SBP	BIT(2)
#define IGB_RCTL_UPE	BIT(3) /* unicast promiscuous */
#define IGB_RCTL_MPE	BIT(4) /* multicast promiscuous */
#define IGB_RCTL_LPE	BIT(5) /* long packets */
#define IGB_RCTL_BAM	BIT(15)
#define IGB_RCTL_VFE	BIT(18) /* VLAN filter enable */
#define IGB_RCTL_SECRC	BIT(26) /* strip CRC (VMDq pools: VMOLR.STRCRC) */
#define IGB_RXPBS	0x02404 /* RX Packet Buffer Size */
#define IGB_QDE		0x02408 /* Queue Drop Enable */
#define IGB_RXCSUM	0x05000
#define IGB_RLPML	0x05004 /* RX Long Packet Max Length */
#define IGB_MTA(n)	(0x05200 + 4 * (n))
/* Receive Address: 16 pairs at 0x5400, 8 more at 0x54e0 (82576), 16 more (I350). */
#define IGB_RAL(n)	((n) < 16 ? 0x05400 + 8 * (n) : 0x054e0 + 8 * ((n)-16))
#define IGB_RAH(n)	(IGB_RAL(n) + 4)
#define IGB_RAH_AV	BIT(31)			  /* address valid */
#define IGB_RAH_POOL(p) (1u << (18 + (p)))	  /* pool select, one bit per pool */
#define IGB_RAH_POOL_MASK (0xffu << 18)
#define IGB_VFTA(n)	(0x05600 + 4 * (n))
#define IGB_MRQC	0x05818 /* Multiple Receive Queues Command */
#define IGB_MRQC_VMDQ	0x3u	/* MRQE = 011b: VMDq pools, no RSS */
#define IGB_MRQC_MASK	0x7u
#define IGB_VT_CTL		 0x0581c /* VMDq Control */
#define IGB_VT_CTL_DEF_PL_SHIFT	 7 /* default pool for unmatched unicast */
#define IGB_VT_CTL_DEF_PL_MASK	 (7u << 7)
#define IGB_VT_CTL_IGNORE_MAC	 BIT(28)
#define IGB_VT_CTL_DIS_DEF_POOL	 BIT(29)
#define IGB_VT_CTL_REPL_EN	 BIT(30) /* replicate broadcast/multicast to pools */
#define IGB_PSRTYPE(n)		 (0x05480 + 4 * (n))
#define IGB_VMOLR(n)		 (0x05ad0 + 4 * (n)) /* VM Offload, per pool */
#define IGB_VMOLR_RLPML_MASK	 0x3fffu
#define IGB_VMOLR_LPE		 BIT(16)
#define IGB_VMOLR_RSSE		 BIT(17)
#define IGB_VMOLR_AUPE		 BIT(24) /* accept untagged packets */
#define IGB_VMOLR_ROMPE		 BIT(25) /* accept multicast matching the MTA */
#define IGB_VMOLR_ROPE		 BIT(26) /* accept unicast matching the UTA */
#define IGB_VMOLR_BAM		 BIT(27) /* accept broadcast */
#define IGB_VMOLR_MPME		 BIT(28) /* multicast promiscuous */
#define IGB_VMOLR_STRVLAN	 BIT(30)
#define IGB_VMOLR_STRCRC	 BIT(31)
#define IGB_RPLOLR		 0x05af0 /* replication offload (82576, not I350) */
#define IGB_RPLOLR_STRVLAN	 BIT(30)
#define IGB_RPLOLR_STRCRC	 BIT(31)
#define IGB_TXSWC		 0x05acc /* I350: loopback and anti-spoofing (82576: DTXSWC) */
#define IGB_VLVF(n)		 (0x05d00 + 4 * (n)) /* VLAN VM Filter */
#define IGB_VLVF_VLANID_MASK	 0xfffu
#define IGB_VLVF_POOLSEL(p)	 (1u << (12 + (p)))
#define IGB_VLVF_POOLSEL_MASK	 (0xffu << 12)
#define IGB_VLVF_VIEN		 BIT(31) /* entry valid */
#define IGB_UTA(n)		 (0x0a000 + 4 * (n))
#define IGB_IOVCTL		 0x05bbc /* let the PF reuse VF queues after IOV off */
#define IGB_IOVCTL_REUSE_VFQ	 BIT(0)

/* Per-queue receive registers, queues 0..15 (the 0x2800 aliases cover 0..3 only). */
#define IGB_RDBAL(q)  (0x0c000 + 0x40 * (q))
#define IGB_RDBAH(q)  (0x0c004 + 0x40 * (q))
#define IGB_RDLEN(q)  (0x0c008 + 0x40 * (q)) /* bytes, multiple of 128 */
#define IGB_SRRCTL(q) (0x0c00c + 0x40 * (q)) /* Split and Replication Receive Control */
#define IGB_SRRCTL_BSIZEPKT_SHIFT 10	     /* packet buffer in 1 KiB units, bits 6:0 */
#define IGB_SRRCTL_BSIZEPKT_MASK  0x7fu
#define IGB_SRRCTL_DESCTYPE_ADV1  (1u << 25) /* advanced, one buffer */
#define IGB_SRRCTL_DROP_EN	  BIT(31)    /* drop when the ring is full */
#define IGB_RDH(q)    (0x0c010 + 0x40 * (q))
#define IGB_RDT(q)    (0x0c018 + 0x40 * (q))
#define IGB_RXDCTL(q) (0x0c028 + 0x40 * (q))
#define IGB_RXDCTL_ENABLE BIT(25)
#define IGB_RXDCTL_SWFLSH BIT(26)
#define IGB_RQDPC(q)  (0x0c030 + 0x40 * (q)) /* RX queue drop packet count */
#define IGB_DVMOLR(q) (0x0c038 + 0x40 * (q)) /* I350: DMA VM offload, queue q = pool q */
#define IGB_DVMOLR_STRVLAN BIT(30)	     /* strip the VLAN tag (VMOLR.STRVLAN on 82576) */

/* --- Transmit (8.12) --- */
#define IGB_TCTL	   0x00400 /* Transmit Control */
#define IGB_TCTL_EN	   BIT(1)
#define IGB_TCTL_PSP	   BIT(3) /* pad short packets */
#define IGB_TCTL_CT_SHIFT  4	  /* collision threshold */
#define IGB_TCTL_COLD_SHIFT 12	  /* collision distance */
#define IGB_TCTL_RTLC	   BIT(24)
#define IGB_TXPBS	   0x03404
#define IGB_DTXSWC	   0x03500 /* DMA TX Switch Control (82576) */
#define IGB_DTXSWC_MAC_SPOOF(p)	 (1u << (p))	  /* MAC anti-spoofing, per pool */
#define IGB_DTXSWC_VLAN_SPOOF(p) (1u << (8 + (p))) /* VLAN anti-spoofing, per pool */
#define IGB_DTXSWC_SPOOF_MASK	 0xffffu
#define IGB_DTXSWC_LOOPBACK_EN	 BIT(31)	  /* VM-to-VM switching */
#define IGB_WVBR	   0x03554 /* Wrong VM Behavior: spoofed frames, clear on read */
#define IGB_LVMMC	   0x03548 /* Last VM Misbehavior Cause */
#define IGB_DTXCTL	   0x03590 /* DMA TX Control */
#define IGB_DTXCTL_VLAN_ADDED BIT(3) /* 82576 only: the MAC inserts VLAN tags */
#define IGB_VMVIR(n)	   (0x03700 + 4 * (n)) /* VM VLAN Insert, per pool */
#define IGB_VMVIR_VLANA_DEFAULT BIT(30)	     /* always insert the default VLAN */
#define IGB_VMVIR_VLANA_NEVER	BIT(31)

#define IGB_TDBAL(q)  (0x0e000 + 0x40 * (q))
#define IGB_TDBAH(q)  (0x0e004 + 0x40 * (q))
#define IGB_TDLEN(q)  (0x0e008 + 0x40 * (q))
#define IGB_TDH(q)    (0x0e010 + 0x40 * (q))
#define IGB_TDT(q)    (0x0e018 + 0x40 * (q))
#define IGB_TXDCTL(q) (0x0e028 + 0x40 * (q))
#define IGB_TXDCTL_ENABLE BIT(25)
#define IGB_TXDCTL_SWFLSH BIT(26)

/* --- Virtualization (8.14) --- */
#define IGB_VMBMEM(vf)	    (0x00800 + 64 * (vf)) /* the VF's mailbox buffer, 16 words */
#define IGB_P2VMAILBOX(vf)  (0x00c00 + 4 * (vf)) /* PF side of VF vf's mailbox */
#define IGB_P2VMAILBOX_STS  BIT(0) /* PF wrote a message: VF sees PFSTS */
#define IGB_P2VMAILBOX_ACK  BIT(1) /* PF took the VF's message: VF sees PFACK */
#define IGB_P2VMAILBOX_VFU  BIT(2) /* read only: the VF holds the buffer */
#define IGB_P2VMAILBOX_PFU  BIT(3) /* PF holds the buffer; any write without it releases */
#define IGB_P2VMAILBOX_RVFU BIT(4) /* take the buffer back from a stuck VF */
#define IGB_MBVFICR	    0x00c80 /* Mailbox VF Cause, write 1 to clear */
#define IGB_MBVFICR_VFREQ(vf) (1u << (vf))	 /* VF vf sent a message */
#define IGB_MBVFICR_VFACK(vf) (1u << (16 + (vf))) /* VF vf acknowledged ours */
#define IGB_MBVFIMR	    0x00c84 /* Mailbox VF Interrupt Mask */
#define IGB_VFLRE	    0x00c88 /* VF Level Reset Events, write 1 to clear */
#define IGB_VFRE	    0x00c8c /* VF (pool) Receive Enable */
#define IGB_VFTE	    0x00c90 /* VF (pool) Transmit Enable */

/*
 * The VFs' registers as the PF sees them (82576 datasheet 8.15, mirrored at
 * 0x10000 + 0x100 * vf): reset and per-VF statistics.
 */
#define IGB_PVTCTRL(vf)	   (0x10000 + 0x100 * (vf))
#define IGB_PVFGPRC(vf)	   (0x10010 + 0x100 * (vf))
#define IGB_PVFGPTC(vf)	   (0x10014 + 0x100 * (vf))
#define IGB_PVFGORC(vf)	   (0x10018 + 0x100 * (vf))
#define IGB_PVFGOTC(vf)	   (0x10034 + 0x100 * (vf))
#define IGB_PVFMPRC(vf)	   (0x1003c + 0x100 * (vf))

/* --- Statistics (8.19): clear on read on hardware --- */
#define IGB_CRCERRS 0x04000
#define IGB_ALGNERRC 0x04004
#define IGB_RXERRC  0x0400c
#define IGB_MPC	    0x04010 /* missed packets: no room in the packet buffer */
#define IGB_SCC	    0x04014
#define IGB_ECOL    0x04018
#define IGB_MCC	    0x0401c
#define IGB_LATECOL 0x04020
#define IGB_COLC    0x04028
#define IGB_DC	    0x04030
#define IGB_RLEC    0x04040
#define IGB_GPRC    0x04074 /* good packets received */
#define IGB_BPRC    0x04078
#define IGB_MPRC    0x0407c
#define IGB_GPTC    0x04080 /* good packets transmitted */
#define IGB_GORCL   0x04088 /* good octets received, low; read before GORCH */
#define IGB_GORCH   0x0408c
#define IGB_GOTCL   0x04090
#define IGB_GOTCH   0x04094
#define IGB_RNBC    0x040a0 /* no receive buffers */
#define IGB_RUC	    0x040a4
#define IGB_RFC	    0x040a8
#define IGB_ROC	    0x040ac
#define IGB_RJC	    0x040b0
#define IGB_TORL    0x040c0
#define IGB_TORH    0x040c4
#define IGB_TOTL    0x040c8
#define IGB_TOTH    0x040cc
#define IGB_TPR	    0x040d0
#define IGB_TPT	    0x040d4
#define IGB_MPTC    0x040f0
#define IGB_BPTC    0x040f4

/* --- The VF's own register block (82576 datasheet 8.28; for the VF driver) --- */
#define IGB_VF_CTRL	     0x00000 /* VTCTRL */
#define IGB_VF_CTRL_RST	     BIT(26)
#define IGB_VF_STATUS	     0x00008 /* VTSTATUS */
#define IGB_VF_FRTIMER	     0x01048
#define IGB_VF_EICS	     0x01520 /* VTEICS */
#define IGB_VF_EIMS	     0x01524
#define IGB_VF_EIMC	     0x01528
#define IGB_VF_EIAC	     0x0152c
#define IGB_VF_EIAM	     0x01530
#define IGB_VF_EICR	     0x01580
#define IGB_VF_EITR(n)	     (0x01680 + 4 * (n))
#define IGB_VF_IVAR0	     0x01700 /* VTIVAR */
#define IGB_VF_IVAR_MISC     0x01740
#define IGB_VF_VMBMEM	     0x00800 /* the VF's 16-word mailbox buffer */
#define IGB_VF_V2PMAILBOX    0x00c40
#define IGB_V2PMAILBOX_REQ   BIT(0) /* VF wrote a message */
#define IGB_V2PMAILBOX_ACK   BIT(1) /* VF took the PF's message */
#define IGB_V2PMAILBOX_VFU   BIT(2)
#define IGB_V2PMAILBOX_PFU   BIT(3)
#define IGB_V2PMAILBOX_PFSTS BIT(4) /* read to clear */
#define IGB_V2PMAILBOX_PFACK BIT(5) /* read to clear */
#define IGB_V2PMAILBOX_RSTI  BIT(6) /* PF reset in progress */
#define IGB_V2PMAILBOX_RSTD  BIT(7) /* PF reset done, read to clear */
#define IGB_VF_RDBAL(q)	     (0x02800 + 0x100 * (q))
#define IGB_VF_RDBAH(q)	     (0x02804 + 0x100 * (q))
#define IGB_VF_RDLEN(q)	     (0x02808 + 0x100 * (q))
#define IGB_VF_SRRCTL(q)     (0x0280c + 0x100 * (q))
#define IGB_VF_RDH(q)	     (0x02810 + 0x100 * (q))
#define IGB_VF_RDT(q)	     (0x02818 + 0x100 * (q))
#define IGB_VF_RXDCTL(q)     (0x02828 + 0x100 * (q))
#define IGB_VF_TDBAL(q)	     (0x03800 + 0x100 * (q))
#define IGB_VF_TDBAH(q)	     (0x03804 + 0x100 * (q))
#define IGB_VF_TDLEN(q)	     (0x03808 + 0x100 * (q))
#define IGB_VF_TDH(q)	     (0x03810 + 0x100 * (q))
#define IGB_VF_TDT(q)	     (0x03818 + 0x100 * (q))
#define IGB_VF_TXDCTL(q)     (0x03828 + 0x100 * (q))
#define IGB_VF_GPRC	     0x00f10
#define IGB_VF_GPTC	     0x00f14
#define IGB_VF_GORC	     0x00f18
#define IGB_VF_GOTC	     0x00f34
#define IGB_VF_MPRC	     0x00f3c

/* --- PHY registers (IEEE 802.3 clause 22) through MDIC --- */
#define IGB_PHY_ADDR		1 /* the internal PHY of 82576 and I350 */
#define IGB_PHY_BMCR		0x00
#define IGB_PHY_BMCR_SPEED1000	0x0040
#define IGB_PHY_BMCR_FD		0x0100
#define IGB_PHY_BMCR_ANRESTART	0x0200
#define IGB_PHY_BMCR_ANENABLE	0x1000
#define IGB_PHY_BMCR_RESET	0x8000
#define IGB_PHY_BMSR		0x01
#define IGB_PHY_BMSR_LINK	0x0004
#define IGB_PHY_BMSR_ANDONE	0x0020
#define IGB_PHY_ID1		0x02
#define IGB_PHY_ID2		0x03
#define IGB_PHY_ID_REV_MASK	0xfu	   /* ID2 3:0: revision */
#define IGB_PHY_ID_82576	0x02a80390 /* IGP03E1000_E_PHY_ID (also QEMU's) */
#define IGB_PHY_ID_I350		0x015403b0 /* I350_I_PHY_ID: the 82580-class PHY */
#define IGB_PHPM		0x00e14	   /* I350: PHY Power Management (82580 PHY) */
#define IGB_PHPM_GO_LINKD	BIT(5)	   /* Go Link Disconnect: link held down */

/* --- Advanced descriptors (82576 datasheet 7.1.5, 7.2.2.3) --- */

/* Transmit data descriptor as software writes it ("read" format). */
struct igb_adv_tx_desc {
	uint64_t buffer_addr;	/* Address */
	uint32_t cmd_type_len;	/* DTALEN 15:0, DTYP 23:20, DCMD 31:24 */
	uint32_t olinfo_status; /* STA 3:0 (DD on write-back), PAYLEN 31:14 */
} __packed __aligned(16);
_Static_assert(sizeof(struct igb_adv_tx_desc) == 16, "82576 7.2.2.3");

#define IGB_TXD_DTALEN_MASK   0xffffu
#define IGB_TXD_DTYP_DATA     (3u << 20)
#define IGB_TXD_DCMD_EOP      BIT(24)
#define IGB_TXD_DCMD_IFCS     BIT(25) /* insert FCS */
#define IGB_TXD_DCMD_RS	      BIT(27) /* report status: write DD back */
#define IGB_TXD_DCMD_DEXT     BIT(29) /* advanced format */
#define IGB_TXD_DCMD_VLE      BIT(30)
#define IGB_TXD_STA_DD	      BIT(0)
#define IGB_TXD_PAYLEN_SHIFT  14

/* Receive descriptor: software writes the buffer, hardware writes back over it. */
union igb_adv_rx_desc {
	struct {
		uint64_t pkt_addr; /* Packet Buffer Address */
		uint64_t hdr_addr; /* Header Buffer Address (0: no split) */
	} read;
	struct {
		uint32_t info;	       /* packet type, header length */
		uint32_t rss;	       /* RSS hash or IP id/checksum */
		uint32_t status_error; /* extended status 19:0, errors 31:20 */
		uint16_t length;       /* bytes written to the buffer */
		uint16_t vlan;
	} wb;
} __packed __aligned(16);
_Static_assert(sizeof(union igb_adv_rx_desc) == 16, "82576 7.1.5");
_Static_assert(__builtin_offsetof(union igb_adv_rx_desc, wb.status_error) == 8, "82576 7.1.5.2");

#define IGB_RXD_STAT_DD	 BIT(0)
#define IGB_RXD_STAT_EOP BIT(1)
#define IGB_RXD_STAT_VP	 BIT(3) /* VLAN stripped into wb.vlan */
#define IGB_RXD_STAT_LB	 BIT(18) /* looped back from a local pool */
#define IGB_RXD_ERR_RXE	 BIT(31) /* CRC, symbol or length error: drop the frame */

#endif
