/*
 * The 82576 VF's own register block (datasheet 8.28), as the VF driver in a
 * child sees it in its 16 KiB BAR0, plus the bits igbvf needs that the PF
 * driver doesn't. The VF's queue 0 sits at the "alternate" queue addresses
 * (0x2800/0x3800 + 0x100 * n), which the device maps onto the PF's queue
 * n = VF number; the mailbox word buffer is the VF's slice of VMBMEM.
 *
 * Facts from Linux drivers/net/ethernet/intel/igbvf (regs.h, defines.h,
 * mbx.h, vf.c) and QEMU hw/net/igbvf.c (vf_to_pf_addr) / igb_core.c
 * (igb_set_vfmailbox, igb_mac_vfmailbox_read, igb_set_vtivar). The register
 * offsets and descriptor layouts shared with the PF are in igb_regs.h.
 */
#ifndef DRIVERS_NIC_IGBVF_REGS_H
#define DRIVERS_NIC_IGBVF_REGS_H

#include "drivers/nic/igb_regs.h"

/* Bits of V2PMAILBOX a read clears (E1000_V2PMAILBOX_R2C_BITS): must be remembered. */
#define IGBVF_V2P_R2C (IGB_V2PMAILBOX_PFSTS | IGB_V2PMAILBOX_PFACK | IGB_V2PMAILBOX_RSTD)

/*
 * VTIVAR0: MSI-X entry of RX queue 0 in bits 2:0 (valid bit 7), of TX queue 0
 * in bits 10:8 (valid bit 15); VTIVAR_MISC: the mailbox's entry, bits 2:0
 * (valid bit 7). A VF has 3 MSI-X entries (IGBVF_MSIX_VEC_NUM in QEMU).
 */
#define IGBVF_IVAR_VALID       0x80u
#define IGBVF_IVAR_RX0(entry)  ((uint32_t)((entry)&7) | IGBVF_IVAR_VALID)
#define IGBVF_IVAR_TX0(entry)  (((uint32_t)((entry)&7) | IGBVF_IVAR_VALID) << 8)
#define IGBVF_IVAR_MISC(entry) ((uint32_t)((entry)&7) | IGBVF_IVAR_VALID)
#define IGBVF_MSIX_ENTRIES     3
#define IGBVF_EIMS_ALL	       0x7u /* one cause bit per MSI-X entry */

/* SRRCTL of the VF's queue: buffer size in KiB, advanced one-buffer descriptors. */
#define IGBVF_SRRCTL_BSIZEPKT(bytes)                                                               \
	(((bytes) >> IGB_SRRCTL_BSIZEPKT_SHIFT) & IGB_SRRCTL_BSIZEPKT_MASK)

/* Receive errors that spoil a frame (advanced write-back, 82576 7.1.5.2). */
#define IGBVF_RXD_ERR_FRAME IGB_RXD_ERR_RXE

/* Descriptor rings: length a multiple of 128 bytes, base 128-byte aligned (82576 8.10.x). */
#define IGBVF_RING_ALIGN 128

#endif
