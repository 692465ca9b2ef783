/*
 * The PF driver's bring-up and main loop (see igb_pf.h): which NIC this is,
 * the global reset, the start order, and one polling round.
 *
 * Reset order after Linux's igb_reset_hw_82575 (82576) and
 * igb_reset_hw_82580 (I350), and the 82576 datasheet (4.3.1 "Software
 * reset", 4.6 "Initialization"): stop DMA (master disable), on the 82576
 * raise the PCIe completion timeout, mask interrupts, RX/TX off, CTRL.RST,
 * wait for the NVM auto-read, on the I350 acknowledge STATUS.DEV_RST_SET,
 * mask again. The NIC reloads its MAC address into RAR[0] from the NVM.
 * Both do a port (CTRL.RST) reset; Linux's I350 whole-device reset
 * (CTRL.DEV_RST) is for its transmit-hang recovery only and is not used.
 */
#include "drivers/nic/igb_pf.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "kernel/pci/pci.h"
#include "hv/string.h"

#define MASTER_DISABLE_US 80000 /* Linux: 800 polls of 100 us */
#define RESET_SETTLE_US	  10000 /* RX/TX off before the reset, as Linux waits */
#define RESET_DONE_US	  10000 /* CTRL.RST self-clears; then the NVM auto-read */
#define AUTO_READ_US	  10000 /* AUTO_READ_DONE_TIMEOUT, 10 ms */
#define CFG_DONE_US	  100000 /* PHY_CFG_TIMEOUT, 100 polls of 1 ms */
#define STATS_PERIOD_US	  1000000
#define RX_BUDGET	  32

int igb_pf_probe(struct igb_pf *pf, const struct pci_cfg_ops *cfg, uint32_t bdf,
		 volatile void *bar0)
{
	uint32_t id = pci_cfg_read32(cfg, bdf, PCI_VENDOR_ID);
	enum igb_mac_type type;
	const char *model;

	memset(pf, 0, sizeof(*pf));
	if ((id & 0xffff) != IGB_VENDOR_INTEL ||
	    igb_mac_identify((uint16_t)(id >> 16), &type, &model)) {
		log_warn("igb",
			 "probe refused bdf=" PCI_BDF_FMT " id=%04x:%04x reason=not-82576-or-i350",
			 PCI_BDF_ARGS(bdf), id & 0xffff, id >> 16);
		return -ENODEV;
	}
	pf->cfg = cfg;
	pf->bdf = bdf;
	pf->device_id = (uint16_t)(id >> 16);
	pf->type = type;
	pf->rar_entries = igb_mac(pf)->rar_entries;
	pf->hw.regs = (volatile uint32_t *)bar0;
	log_info("igb", "probe bdf=" PCI_BDF_FMT " id=%04x:%04x model=%s mac=%s queues=%u",
		 PCI_BDF_ARGS(bdf), id & 0xffff, id >> 16, model, igb_mac(pf)->name,
		 igb_mac(pf)->queues);
	return 0;
}

/* Stops new DMA before the reset, so no write lands after the rings are gone. */
static void master_disable(struct igb_pf *pf)
{
	uint32_t status;

	igb_wr(&pf->hw, IGB_CTRL, igb_rd(&pf->hw, IGB_CTRL) | IGB_CTRL_GIO_MASTER_DIS);
	if (igb_wait(&pf->hw, IGB_STATUS, IGB_STATUS_GIO_MASTER_EN, 0, MASTER_DISABLE_US, 100,
		     &status))
		log_warn("igb", "master disable timeout status=0x%x (resetting anyway)", status);
}

static void mask_all(struct igb_pf *pf)
{
	igb_wr(&pf->hw, IGB_IMC, 0xffffffffu);
	igb_wr(&pf->hw, IGB_EIMC, 0xffffffffu);
	igb_wr(&pf->hw, IGB_MBVFIMR, 0);
	(void)igb_rd(&pf->hw, IGB_ICR); /* clear on read */
}

/*
 * 82576: the PCIe completion timeout defaults to 500 us - 1 ms, below the
 * 10 ms PCIe recommends; raised to 10-200 ms when the capability is
 * version 1 (GCR holds it then) and the firmware left it at 0. With a
 * version 2 capability the value lives in the PF's Device Control 2, which
 * the hypervisor owns: left as firmware set it. Resends are turned off.
 */
static void cmpl_timeout_set(struct igb_pf *pf)
{
	uint32_t gcr = igb_rd(&pf->hw, IGB_GCR);

	if (!(gcr & IGB_GCR_CMPL_TMOUT_MASK) && !(gcr & IGB_GCR_CAP_VER2))
		gcr |= IGB_GCR_CMPL_TMOUT_10MS;
	igb_wr(&pf->hw, IGB_GCR, gcr & ~(uint32_t)IGB_GCR_CMPL_TMOUT_RESEND);
}

/* After CTRL.RST: the NVM auto-read, then what the MAC type adds. */
static void reset_settle(struct igb_pf *pf)
{
	uint32_t v;

	/* No NVM (or QEMU, which doesn't report it): carry on, as Linux does. */
	if (igb_wait(&pf->hw, IGB_EECD, IGB_EECD_AUTO_RD, IGB_EECD_AUTO_RD, AUTO_READ_US, 1000, &v))
		log_info("igb", "nvm auto-read not reported eecd=0x%x", v);
	if (igb_mac(pf)->reset_dev_rst_ack)
		igb_wr(&pf->hw, IGB_STATUS, IGB_STATUS_DEV_RST_SET);
}

/*
 * A port configures itself from the NVM after a reset; Linux waits for its
 * EEMNGCTL.CFG_DONE bit before using the PHY (igb_get_cfg_done_82575, on
 * both MACs, after a PHY reset; 100 ms, only logged when it never comes:
 * NVM-less boards don't report it). This driver resets no PHY; the I350
 * row, four ports sharing one NVM, waits once before the first PHY access.
 * The 82576 row doesn't: QEMU's model clears the bits on a software reset
 * (igb_reset resets every MAC register), so the wait would only cost 100 ms.
 */
static void cfg_done_wait(struct igb_pf *pf)
{
	unsigned port =
	    (igb_rd(&pf->hw, IGB_STATUS) & IGB_STATUS_FUNC_MASK) >> IGB_STATUS_FUNC_SHIFT;
	uint32_t bit = IGB_EEMNGCTL_CFG_DONE(port), v;

	if (igb_mac(pf)->cfg_done_wait &&
	    igb_wait(&pf->hw, IGB_EEMNGCTL, bit, bit, CFG_DONE_US, 1000, &v))
		log_info("igb", "nvm config not reported port=%u eemngctl=0x%x", port, v);
}

int igb_pf_reset(struct igb_pf *pf)
{
	uint32_t v;

	master_disable(pf);
	if (igb_mac(pf)->reset_cmpl_timeout)
		cmpl_timeout_set(pf);
	mask_all(pf);
	igb_wr(&pf->hw, IGB_RCTL, 0);
	igb_wr(&pf->hw, IGB_TCTL, IGB_TCTL_PSP);
	igb_flush(&pf->hw);
	igb_delay_us(RESET_SETTLE_US);
	igb_wr(&pf->hw, IGB_CTRL, igb_rd(&pf->hw, IGB_CTRL) | IGB_CTRL_RST);
	/* The NIC does not answer reads for a moment after RST: wait before polling. */
	igb_delay_us(1000);
	if (igb_wait(&pf->hw, IGB_CTRL, IGB_CTRL_RST, 0, RESET_DONE_US, 100, &v)) {
		log_error("igb", "reset stuck ctrl=0x%x", v);
		return -ETIMEDOUT;
	}
	reset_settle(pf);
	mask_all(pf);
	pf->link = (struct igb_link){0};
	pf->started = false;
	log_info("igb", "reset done ctrl=0x%x status=0x%x", igb_rd(&pf->hw, IGB_CTRL),
		 igb_rd(&pf->hw, IGB_STATUS));
	return 0;
}

/* RAR[0] holds the NIC's own address after reset (loaded from the NVM). */
static int read_mac(struct igb_pf *pf)
{
	uint32_t lo = igb_rd(&pf->hw, IGB_RAL(0)), hi = igb_rd(&pf->hw, IGB_RAH(0));
	char text[MAC_STR_LEN];

	for (unsigned i = 0; i < 4; i++)
		pf->mac.b[i] = (uint8_t)(lo >> (8 * i));
	pf->mac.b[4] = (uint8_t)hi;
	pf->mac.b[5] = (uint8_t)(hi >> 8);
	if (!(hi & IGB_RAH_AV) || !mac_is_valid_unicast(&pf->mac)) {
		log_error("igb", "no valid mac rar0=%08x:%08x", hi, lo);
		return -EIO;
	}
	log_info("igb", "mac=%s", mac_format(&pf->mac, text));
	return 0;
}

static void enable_rx_tx(struct igb_pf *pf)
{
	/*
	 * VFE: VLAN filtering, so the VMDq switch honours VLVF/VFTA and
	 * VMOLR.AUPE. SECRC strips the FCS where the pools' VMOLR.STRCRC
	 * doesn't reach (QEMU takes the FCS length from RCTL only). LPE with
	 * the largest RLPML a VF may ask for: each pool's VMOLR.RLPML is the
	 * real limit, the global one only must not be below it.
	 */
	igb_wr(&pf->hw, IGB_RLPML, IGB_MBX_LPE_MAX);
	igb_wr(&pf->hw, IGB_RCTL,
	       IGB_RCTL_EN | IGB_RCTL_BAM | IGB_RCTL_VFE | IGB_RCTL_SECRC | IGB_RCTL_LPE);
	igb_wr(&pf->hw, IGB_TCTL,
	       IGB_TCTL_EN | IGB_TCTL_PSP | IGB_TCTL_RTLC | (15u << IGB_TCTL_CT_SHIFT) |
		   (63u << IGB_TCTL_COLD_SHIFT));
}

int igb_pf_start(struct igb_pf *pf, struct igb_ring_mem *mem, igb_rx_fn rx, void *rx_ctx)
{
	int err = igb_pf_reset(pf);

	if (!err)
		err = read_mac(pf);
	if (err)
		return err;
	pf->rx_fn = rx;
	pf->rx_ctx = rx_ctx;
	igb_wr(&pf->hw, IGB_CTRL_EXT, igb_rd(&pf->hw, IGB_CTRL_EXT) | IGB_CTRL_EXT_DRV_LOAD);
	cfg_done_wait(pf);
	err = igb_phy_start(pf);
	if (err)
		log_warn("igb", "phy start failed err=%d (link may stay down)", err);
	igb_switch_init(pf);
	err = igb_rings_start(pf, mem);
	if (err)
		return err;
	enable_rx_tx(pf);
	igb_stats_reset(pf);
	pf->started = true;
	log_info("igb", "started pool=%u queue=%u ring=%u", IGB_PF_POOL, pf->rings.queue,
		 IGB_RING_SIZE);
	return 0;
}

void igb_pf_vfs_ready(struct igb_pf *pf)
{
	uint32_t ping = mbx_control_word(false);

	/* VF Enable reset the VFs (VFLRE): their pools are put back first. */
	igb_vf_service(pf);
	/* RSTD for the VFs: a VF driver waits for it before its first message. */
	igb_wr(&pf->hw, IGB_CTRL_EXT, igb_rd(&pf->hw, IGB_CTRL_EXT) | IGB_CTRL_EXT_PFRSTD);
	for (unsigned vf = 0; vf < pf->sriov.num_vfs; vf++)
		if (igb_mbx_write(pf, vf, &ping, 1))
			log_info("igb", "vf ping skipped vf=%u reason=vf-holds-mailbox", vf);
}

static void watch_spoofing(struct igb_pf *pf)
{
	uint32_t wvbr = igb_rd(&pf->hw, IGB_WVBR); /* clear on read */

	if (!wvbr)
		return;
	pf->sw_stats.spoofed++;
	log_warn("igb", "anti-spoofing dropped frames wvbr=0x%x", wvbr);
}

void igb_pf_poll(struct igb_pf *pf)
{
	if (!pf->started)
		return;
	igb_link_poll(pf);
	igb_rx_poll(pf, RX_BUDGET);
	igb_tx_clean(pf);
	if (pf->sriov.num_vfs) {
		igb_vf_service(pf);
		watch_spoofing(pf);
	}
	if (igb_now_us() - pf->hw_stats.updated_us >= STATS_PERIOD_US)
		igb_stats_update(pf);
}
