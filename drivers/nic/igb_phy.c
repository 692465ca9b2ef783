/*
 * PHY and link of the 82576/I350 copper port. The MAC reaches the internal
 * PHY (address 1) through MDIC (datasheet 8.2.4); link comes up when
 * autonegotiation completes, which the MAC reports in STATUS.LU. After a
 * reset the link stays down until autonegotiation is restarted through
 * BMCR (QEMU completes it about 500 ms of virtual time later).
 */
#include "drivers/nic/igb_pf.h"
#include "hv/errno.h"
#include "hv/log.h"

/* Linux polls MDIC up to 3 * 640 times 50 us: the PHY may be slow to answer. */
#define MDIC_TIMEOUT_US 96000
#define MDIC_STEP_US	50
#define BMCR_AUTONEG                                                                               \
	(IGB_PHY_BMCR_ANENABLE | IGB_PHY_BMCR_ANRESTART | IGB_PHY_BMCR_FD | IGB_PHY_BMCR_SPEED1000)

static int mdic(struct igb_pf *pf, uint32_t cmd, uint16_t *out)
{
	uint32_t v;

	igb_wr(&pf->hw, IGB_MDIC, cmd);
	if (igb_wait(&pf->hw, IGB_MDIC, IGB_MDIC_READY, IGB_MDIC_READY, MDIC_TIMEOUT_US,
		     MDIC_STEP_US, &v)) {
		log_warn("igb", "mdic timeout cmd=0x%x", cmd);
		return -ETIMEDOUT;
	}
	if (v & IGB_MDIC_ERROR) {
		log_warn("igb", "mdic error cmd=0x%x mdic=0x%x", cmd, v);
		return -EIO;
	}
	if (out)
		*out = (uint16_t)(v & IGB_MDIC_DATA_MASK);
	return 0;
}

static uint32_t mdic_cmd(unsigned reg, uint32_t op)
{
	return (reg & 0x1fu) << IGB_MDIC_REG_SHIFT | (uint32_t)IGB_PHY_ADDR << IGB_MDIC_PHY_SHIFT |
	       op;
}

int igb_phy_read(struct igb_pf *pf, unsigned reg, uint16_t *val)
{
	return mdic(pf, mdic_cmd(reg, IGB_MDIC_OP_READ), val);
}

int igb_phy_write(struct igb_pf *pf, unsigned reg, uint16_t val)
{
	return mdic(pf, mdic_cmd(reg, IGB_MDIC_OP_WRITE) | val, NULL);
}

/* The MAC follows the PHY: link forced up at the MAC, speed and duplex from autonegotiation. */
static void mac_link_setup(struct igb_pf *pf)
{
	uint32_t ctrl = igb_rd(&pf->hw, IGB_CTRL), status = igb_rd(&pf->hw, IGB_STATUS);

	ctrl |= IGB_CTRL_SLU;
	ctrl &= ~(uint32_t)(IGB_CTRL_FRCSPD | IGB_CTRL_FRCDPX | IGB_CTRL_LRST | IGB_CTRL_PHY_RST |
			    IGB_CTRL_GIO_MASTER_DIS);
	igb_wr(&pf->hw, IGB_CTRL, ctrl);
	if (status & IGB_STATUS_PHYRA) /* acknowledged by writing it 0 */
		igb_wr(&pf->hw, IGB_STATUS, status & ~(uint32_t)IGB_STATUS_PHYRA);
}

int igb_phy_start(struct igb_pf *pf)
{
	uint16_t id1 = 0, id2 = 0;
	int err;

	mac_link_setup(pf);
	err = igb_phy_read(pf, IGB_PHY_ID1, &id1);
	if (!err)
		err = igb_phy_read(pf, IGB_PHY_ID2, &id2);
	if (err)
		return err;
	pf->link.phy_id = (uint32_t)id1 << 16 | id2;
	err = igb_phy_write(pf, IGB_PHY_BMCR, BMCR_AUTONEG);
	if (err)
		return err;
	pf->link.autoneg_started_us = igb_now_us();
	log_info("igb", "phy autoneg started phy_id=0x%08x bmcr=0x%x", pf->link.phy_id,
		 BMCR_AUTONEG);
	return 0;
}

static unsigned status_speed(uint32_t status)
{
	switch (status & IGB_STATUS_SPEED_MASK) {
	case IGB_STATUS_SPEED_10:
		return 10;
	case IGB_STATUS_SPEED_100:
		return 100;
	default:
		return 1000;
	}
}

bool igb_link_poll(struct igb_pf *pf)
{
	uint32_t status = igb_rd(&pf->hw, IGB_STATUS);
	bool up = status & IGB_STATUS_LU;

	if (up == pf->link.up)
		return false;
	pf->link.up = up;
	pf->link.changes++;
	if (!up) {
		log_info("igb", "link down changes=%u", pf->link.changes);
		return true;
	}
	pf->link.speed = status_speed(status);
	pf->link.full_duplex = status & IGB_STATUS_FD;
	log_info("igb", "link up speed=%u duplex=%s after_ms=%llu changes=%u", pf->link.speed,
		 pf->link.full_duplex ? "full" : "half",
		 (unsigned long long)((igb_now_us() - pf->link.autoneg_started_us) / 1000),
		 pf->link.changes);
	return true;
}
