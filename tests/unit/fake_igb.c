/* The fake 82576 (or I350) of the PF driver's host tests (see fake_igb.h). */
#include <errno.h>
#include <string.h>
#include "tests/unit/fake_igb.h"

#define NREGS (IGB_BAR0_SIZE / 4)

static uint32_t regs[NREGS];
static uint32_t v2p[IGB_POOLS]; /* the VF side of each mailbox */
static uint64_t now_us = 1000000;
static enum igb_mac_type model;
static bool cfg_done_reported;
static unsigned resets;
static uint16_t phy[32];

static const uint32_t clear_on_read[] = {
    IGB_GPRC, IGB_GPTC, IGB_BPRC, IGB_MPRC,    IGB_BPTC, IGB_MPTC,   IGB_TPR,  IGB_TPT, IGB_MPC,
    IGB_RNBC, IGB_RUC,	IGB_ROC,  IGB_CRCERRS, IGB_RLEC, IGB_RXERRC, IGB_WVBR, IGB_ICR,
};

void fake_igb_reset(void)
{
	memset(regs, 0, sizeof(regs));
	memset(v2p, 0, sizeof(v2p));
	memset(phy, 0, sizeof(phy));
	model = IGB_MAC_82576;
	cfg_done_reported = false;
	resets = 0;
}

void fake_igb_model(enum igb_mac_type type)
{
	model = type;
}

void fake_igb_cfg_done(bool reported)
{
	cfg_done_reported = reported;
}

void fake_phy_set(unsigned reg, uint16_t val)
{
	phy[reg & 31] = val;
}

uint16_t fake_phy_reg(unsigned reg)
{
	return phy[reg & 31];
}

unsigned fake_igb_resets(void)
{
	return resets;
}

/* CTRL.RST: self-clearing; the NVM auto-read and this port's configuration reported. */
static void ctrl_write(uint32_t val)
{
	unsigned port = (regs[IGB_STATUS / 4] & IGB_STATUS_FUNC_MASK) >> IGB_STATUS_FUNC_SHIFT;

	regs[IGB_CTRL / 4] = val & ~(uint32_t)IGB_CTRL_RST;
	if (!(val & IGB_CTRL_RST))
		return;
	resets++;
	regs[IGB_EECD / 4] |= IGB_EECD_AUTO_RD;
	if (cfg_done_reported)
		regs[IGB_EEMNGCTL / 4] |= IGB_EEMNGCTL_CFG_DONE(port);
	if (model == IGB_MAC_I350)
		regs[IGB_STATUS / 4] |= IGB_STATUS_DEV_RST_SET;
}

static void status_write(uint32_t val)
{
	regs[IGB_STATUS / 4] &= ~(val & IGB_STATUS_DEV_RST_SET);
	if (!(val & IGB_STATUS_PHYRA))
		regs[IGB_STATUS / 4] &= ~(uint32_t)IGB_STATUS_PHYRA;
}

/* One MDIC operation, done at once: READY (and ERROR for a PHY address but 1). */
static void mdic_write(uint32_t val)
{
	unsigned reg = (val >> IGB_MDIC_REG_SHIFT) & 31, addr = (val >> IGB_MDIC_PHY_SHIFT) & 31;
	uint32_t done = (val & ~(uint32_t)IGB_MDIC_DATA_MASK) | IGB_MDIC_READY;

	if (addr != IGB_PHY_ADDR) {
		regs[IGB_MDIC / 4] = done | IGB_MDIC_ERROR;
		return;
	}
	if ((val & (3u << 26)) == IGB_MDIC_OP_WRITE)
		phy[reg] = (uint16_t)val;
	regs[IGB_MDIC / 4] = done | phy[reg];
}

uint32_t fake_reg(uint32_t reg)
{
	return regs[reg / 4];
}

void fake_set(uint32_t reg, uint32_t val)
{
	regs[reg / 4] = val;
}

void fake_advance_us(uint64_t us)
{
	now_us += us;
}

static bool is_p2v(uint32_t reg)
{
	return reg >= IGB_P2VMAILBOX(0) && reg < IGB_P2VMAILBOX(IGB_POOLS);
}

uint32_t igb_rd(const struct igb_hw *hw, uint32_t reg)
{
	uint32_t v = regs[reg / 4];

	(void)hw;
	for (size_t i = 0; i < sizeof(clear_on_read) / sizeof(clear_on_read[0]); i++)
		if (clear_on_read[i] == reg)
			regs[reg / 4] = 0;
	if (reg == IGB_GORCH || reg == IGB_GOTCH)
		regs[reg / 4] = regs[reg / 4 - 1] = 0;
	return v;
}

/* igb_set_pfmailbox in QEMU: doorbells to the VF, PFU only while the VF has no VFU. */
static void p2v_write(unsigned vf, uint32_t val)
{
	uint32_t *p = &regs[IGB_P2VMAILBOX(vf) / 4];

	if (val & IGB_P2VMAILBOX_STS)
		v2p[vf] |= IGB_V2PMAILBOX_PFSTS;
	if (val & IGB_P2VMAILBOX_ACK)
		v2p[vf] |= IGB_V2PMAILBOX_PFACK;
	if ((val & IGB_P2VMAILBOX_PFU) && !(*p & IGB_P2VMAILBOX_VFU))
		*p |= IGB_P2VMAILBOX_PFU;
	else
		*p &= ~(uint32_t)IGB_P2VMAILBOX_PFU;
	if (val & IGB_P2VMAILBOX_RVFU) {
		*p &= ~(uint32_t)IGB_P2VMAILBOX_VFU;
		regs[IGB_MBVFICR / 4] &= ~(IGB_MBVFICR_VFREQ(vf) | IGB_MBVFICR_VFACK(vf));
	}
}

void igb_wr(const struct igb_hw *hw, uint32_t reg, uint32_t val)
{
	(void)hw;
	if (is_p2v(reg))
		p2v_write((reg - IGB_P2VMAILBOX(0)) / 4, val);
	else if (reg == IGB_CTRL)
		ctrl_write(val);
	else if (reg == IGB_STATUS)
		status_write(val);
	else if (reg == IGB_MDIC)
		mdic_write(val);
	else if (reg == IGB_MBVFICR || reg == IGB_VFLRE)
		regs[reg / 4] &= ~val;
	else
		regs[reg / 4] = val;
}

void igb_delay_us(uint64_t us)
{
	now_us += us;
}

uint64_t igb_now_us(void)
{
	return now_us;
}

uint64_t igb_dma_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

int fake_vf_send(unsigned vf, const uint32_t *words, unsigned n)
{
	uint32_t *p = &regs[IGB_P2VMAILBOX(vf) / 4];

	if (*p & IGB_P2VMAILBOX_PFU)
		return -EBUSY;
	for (unsigned i = 0; i < n; i++)
		regs[(IGB_VMBMEM(vf) + 4 * i) / 4] = words[i];
	/* REQ without VFU: the request is posted and the buffer released. */
	*p &= ~(uint32_t)IGB_P2VMAILBOX_VFU;
	regs[IGB_MBVFICR / 4] |= IGB_MBVFICR_VFREQ(vf);
	return 0;
}

void fake_vf_read(unsigned vf, uint32_t *words, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		words[i] = regs[(IGB_VMBMEM(vf) + 4 * i) / 4];
}

bool fake_vf_pf_wrote(unsigned vf)
{
	bool sts = v2p[vf] & IGB_V2PMAILBOX_PFSTS;

	v2p[vf] &= ~(uint32_t)IGB_V2PMAILBOX_PFSTS;
	return sts;
}

bool fake_vf_pf_acked(unsigned vf)
{
	bool ack = v2p[vf] & IGB_V2PMAILBOX_PFACK;

	v2p[vf] &= ~(uint32_t)IGB_V2PMAILBOX_PFACK;
	return ack;
}

void fake_vf_hold(unsigned vf, bool hold)
{
	uint32_t *p = &regs[IGB_P2VMAILBOX(vf) / 4];

	if (hold && !(*p & IGB_P2VMAILBOX_PFU))
		*p |= IGB_P2VMAILBOX_VFU;
	else if (!hold)
		*p &= ~(uint32_t)IGB_P2VMAILBOX_VFU;
}

void fake_vf_reset(unsigned vf)
{
	regs[IGB_VFRE / 4] &= ~(1u << vf);
	regs[IGB_VFTE / 4] &= ~(1u << vf);
	regs[IGB_VFLRE / 4] |= 1u << vf;
}
