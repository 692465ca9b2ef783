/*
 * PHY and link of the 82576/I350 copper port. The MAC reaches the internal
 * PHY (address 1) through MDIC (datasheet 8.2.4); link comes up when
 * autonegotiation completes, which the MAC reports in STATUS.LU. After a
 * reset the link stays down until autonegotiation is restarted through
 * BMCR (QEMU completes it about 500 ms of virtual time later).
 *
 * Only IEEE clause-22 registers are used, which the 82576's IGP-class PHY
 * and the I350's 82580-class PHY both implement. What the I350 adds
 * (igb_mac.h): MDICNFG must point MDIC at the internal PHY (an external,
 * SGMII-attached PHY is not supported: refused), and Go Link Disconnect in
 * PHPM is cleared first, as Linux's igb_setup_copper_link_82575 does.
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

/* The I350's own steps before its PHY is used; -ENODEV for an external PHY. */
static int phy_i350_prepare(struct igb_pf *pf)
{
	const struct igb_mac_info *mac = igb_mac(pf);
	uint32_t mdicnfg = mac->mdicnfg ? igb_rd(&pf->hw, IGB_MDICNFG) : 0;

	if (mdicnfg & IGB_MDICNFG_EXT_MDIO) {
		log_warn("igb", "phy refused mdicnfg=0x%x reason=external-mdio-phy", mdicnfg);
		return -ENODEV;
	}
	if (mac->phpm_go_linkd)
		igb_wr(&pf->hw, IGB_PHPM, igb_rd(&pf->hw, IGB_PHPM) & ~(uint32_t)IGB_PHPM_GO_LINKD);
	return 0;
}

/* A PHY other than the MAC's internal one is driven all the same (clause 22), but said. */
static void phy_id_check(struct igb_pf *pf)
{
	uint32_t want = igb_mac(pf)->phy_id;

	if ((pf->link.phy_id & ~IGB_PHY_ID_REV_MASK) != want)
		log_info("igb", "phy id unexpected phy_id=0x%08x mac=%s expected=0x%08x",
			 pf->link.phy_id, igb_mac(pf)->name, want);
}

int igb_phy_start(struct igb_pf *pf)
{
	uint16_t id1 = 0, id2 = 0;
	int err = phy_i350_prepare(pf);

	if (err)
		return err;
	mac_link_setup(pf);
	err = igb_phy_read(pf, IGB_PHY_ID1, &id1);
	if (!err)
		err = igb_phy_read(pf, IGB_PHY_ID2, &id2);
	if (err)
		return err;
	pf->link.phy_id = (uint32_t)id1 << 16 | id2;
	phy_id_check(pf);
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
