/*
 * The 82576 PF/VF mailbox message format, as Linux's igb (PF) and igbvf (VF)
 * drivers speak it. The hardware only moves 16 words and doorbell bits
 * (VMBMEM, P2VMAILBOX/V2PMAILBOX); the message layout below is software
 * convention, and igbvf in a child only works if the PF follows it exactly.
 *
 * Facts from Linux: drivers/net/ethernet/intel/igb/e1000_mbx.h (ids, flags,
 * MSGINFO), igb_main.c (igb_rcv_msg_from_vf: dispatch on word 0 & 0xFFFF,
 * reply = request word 0 | CTS | ACK or NACK, one word; igb_vf_reset_msg:
 * reset reply is 3 words), igbvf/vf.c (what the VF sends and expects), and
 * Intel's shared e1000_mbx.h as carried by FreeBSD (promisc and multicast
 * overflow sub-flags). Names are ours; values are the protocol's.
 */
#ifndef DRIVERS_NIC_IGB_MBX_PROTO_H
#define DRIVERS_NIC_IGB_MBX_PROTO_H

/* VMBMEM holds 16 32-bit words per VF (E1000_VFMAILBOX_SIZE). */
#define IGB_MBX_WORDS 16

/*
 * Word 0 of every message. Bits 15:0 are the message id (the PF switches on
 * word 0 & 0xFFFF), bits 23:16 carry per-message extra info (MSGINFO), bits
 * 31:29 are the reply flags. Bits 28:24 are unused by any message.
 */
#define IGB_MBX_ID_MASK	      0x0000FFFFu
#define IGB_MBX_MSGINFO_SHIFT 16
#define IGB_MBX_MSGINFO_MASK  0x00FF0000u
#define IGB_MBX_RESERVED_MASK 0x1F000000u
#define IGB_MBX_ACK	      0x80000000u /* E1000_VT_MSGTYPE_ACK: request done */
#define IGB_MBX_NACK	      0x40000000u /* E1000_VT_MSGTYPE_NACK: request refused */
#define IGB_MBX_CTS	      0x20000000u /* E1000_VT_MSGTYPE_CTS: VF may keep sending */
#define IGB_MBX_REPLY_FLAGS   (IGB_MBX_ACK | IGB_MBX_NACK | IGB_MBX_CTS)
#define IGB_MBX_MSGINFO(word) (((word)&IGB_MBX_MSGINFO_MASK) >> IGB_MBX_MSGINFO_SHIFT)

/* VF -> PF message ids (E1000_VF_*). */
#define IGB_MBX_VF_RESET	 0x01 /* VF finished its reset; PF replies with its MAC */
#define IGB_MBX_VF_SET_MAC_ADDR	 0x02 /* words 1..2: MAC, bytes in wire order */
#define IGB_MBX_VF_SET_MULTICAST 0x03 /* MSGINFO: count; words 1..: 16-bit hashes */
#define IGB_MBX_VF_SET_VLAN	 0x04 /* MSGINFO: 1 add, 0 remove; word 1: VLAN id */
#define IGB_MBX_VF_SET_LPE	 0x05 /* word 1: largest frame to receive (VMOLR.RLPML) */
#define IGB_MBX_VF_SET_PROMISC	 0x06 /* MSGINFO: promiscuous sub-flags below */

/* PF -> VF: a control message ("ping"), e.g. after the PF reset or link change. */
#define IGB_MBX_PF_CONTROL_MSG 0x0100

/*
 * SET_MAC_ADDR MSGINFO (E1000_VF_MAC_FILTER_CLR/ADD): 0 changes the VF's own
 * address; 1 clears and 2 adds extra unicast filters (igbvf_set_uni, for
 * macvlan and the like; igbvf allows IGBVF_MAX_MAC_FILTERS = 3 of them).
 */
#define IGB_MBX_MAC_SET		0x00
#define IGB_MBX_MAC_FILTER_CLR	0x01
#define IGB_MBX_MAC_FILTER_ADD	0x02
#define IGB_MBX_MAC_FILTERS_MAX 3

/*
 * SET_MULTICAST MSGINFO: bits 6:0 the number of 16-bit hashes that follow,
 * packed two per word, little-endian (hash i in word 1 + i / 2, low half when
 * i is even). igbvf sends at most 30 (15 words after word 0) and always
 * writes all 16 words, leaving the unused ones uninitialised. Bit 7 is
 * Intel's shared-code E1000_VF_SET_MULTICAST_OVERFLOW: the VF had more
 * addresses than fit and sent the first 30.
 */
#define IGB_MBX_MC_COUNT_MASK 0x7F
#define IGB_MBX_MC_OVERFLOW   0x80
#define IGB_MBX_MC_MAX	      30
/* The hash indexes the 4096-bit MTA (128 registers x 32 bits): 12 bits. */
#define IGB_MBX_MC_HASH_MASK 0x0FFF

/* SET_VLAN: MSGINFO 1 = add (E1000_VF_SET_VLAN_ADD), word 1 bits 11:0 = VLAN id. */
#define IGB_MBX_VLAN_ADD     0x01
#define IGB_MBX_VLAN_ID_MASK 0x0FFF

/* SET_PROMISC MSGINFO (E1000_VF_SET_PROMISC_UNICAST/_MULTICAST). */
#define IGB_MBX_PROMISC_UNICAST	  0x01
#define IGB_MBX_PROMISC_MULTICAST 0x02

/*
 * SET_LPE bounds. Lower: a minimal Ethernet frame (60 bytes + FCS). Upper:
 * igbvf's MAX_JUMBO_FRAME_SIZE (0x3F00), which fits VMOLR.RLPML's 14 bits;
 * igbvf sends its max frame size + 4 for a VLAN tag.
 */
#define IGB_MBX_LPE_MIN 64
#define IGB_MBX_LPE_MAX 0x3F00

/*
 * Reset reply: word 0 = RESET | ACK (no CTS: igbvf compares the whole word),
 * words 1..2 = the VF's MAC in wire order, upper half of word 2 zero. A PF
 * with no MAC for the VF sends RESET | NACK with words 1..2 zero, and igbvf
 * then makes up a random address. Three words, as igb_vf_reset_msg writes
 * and e1000_reset_hw_vf reads (ixgbe's reply has a 4th word with the
 * multicast filter type; igb's has none).
 */
#define IGB_MBX_RESET_REPLY_WORDS 3

/* Every VF -> PF message carries at least word 0; these need more. */
#define IGB_MBX_MAC_WORDS  3 /* word 0 + 6 MAC bytes in words 1..2 */
#define IGB_MBX_VLAN_WORDS 2
#define IGB_MBX_LPE_WORDS  2

#endif
