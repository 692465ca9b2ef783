/* The fake VF of the VF driver's host tests (see fake_igbvf.h). */
#include <errno.h>
#include <string.h>
#include "tests/unit/fake_igbvf.h"

#define NREGS (IGB_VF_BAR0_SIZE / 4)

static uint32_t regs[NREGS];
static unsigned vfn;
static void (*poll_pf)(void);
static uint64_t waited_us;
static bool rsti, tx_paused;
static struct fake_tx_frame sent[FAKE_TX_MAX];
static unsigned sent_count;

void fake_igbvf_init(unsigned vf, void (*pf_poll)(void))
{
	memset(regs, 0, sizeof(regs));
	vfn = vf;
	poll_pf = pf_poll;
	waited_us = 0;
	rsti = tx_paused = false;
	sent_count = 0;
}

void *fake_igbvf_bar0(void)
{
	return regs; /* only its identity matters: every access goes through igbvf_rd/wr */
}

uint32_t fake_igbvf_reg(uint32_t reg)
{
	return regs[reg / 4];
}

void fake_igbvf_set(uint32_t reg, uint32_t val)
{
	regs[reg / 4] = val;
}

void fake_igbvf_rsti(bool on)
{
	rsti = on;
}

void fake_igbvf_tx_pause(bool on)
{
	tx_paused = on;
}

unsigned fake_igbvf_tx_count(void)
{
	return sent_count;
}

const struct fake_tx_frame *fake_igbvf_tx(unsigned i)
{
	return i < sent_count ? &sent[i] : NULL;
}

static bool is_mbmem(uint32_t reg)
{
	return reg >= IGB_VF_VMBMEM && reg < IGB_VF_VMBMEM + 4 * IGB_VMBMEM_WORDS;
}

/* QEMU's view: VFU/PFU from the PF side's register, PFSTS/PFACK clear on read. */
static uint32_t v2p_read(void)
{
	uint32_t p2v = fake_reg(IGB_P2VMAILBOX(vfn)), v = 0;

	if (p2v & IGB_P2VMAILBOX_VFU)
		v |= IGB_V2PMAILBOX_VFU;
	if (p2v & IGB_P2VMAILBOX_PFU)
		v |= IGB_V2PMAILBOX_PFU;
	if (fake_vf_pf_wrote(vfn))
		v |= IGB_V2PMAILBOX_PFSTS;
	if (fake_vf_pf_acked(vfn))
		v |= IGB_V2PMAILBOX_PFACK;
	if (rsti)
		v |= IGB_V2PMAILBOX_RSTI;
	return v;
}

static void v2p_write(uint32_t val)
{
	fake_vf_hold(vfn, val & IGB_V2PMAILBOX_VFU);
	if (val & IGB_V2PMAILBOX_REQ)
		fake_set(IGB_MBVFICR, fake_reg(IGB_MBVFICR) | IGB_MBVFICR_VFREQ(vfn));
	if (val & IGB_V2PMAILBOX_ACK)
		fake_set(IGB_MBVFICR, fake_reg(IGB_MBVFICR) | IGB_MBVFICR_VFACK(vfn));
}

uint32_t igbvf_rd(const struct igbvf_hw *hw, uint32_t reg)
{
	(void)hw;
	if (reg == IGB_VF_V2PMAILBOX)
		return v2p_read();
	if (is_mbmem(reg))
		return fake_reg(IGB_VMBMEM(vfn) + (reg - IGB_VF_VMBMEM));
	return regs[reg / 4];
}

static void vf_reset(void)
{
	regs[IGB_VF_RXDCTL(0) / 4] &= ~(uint32_t)IGB_RXDCTL_ENABLE;
	regs[IGB_VF_TXDCTL(0) / 4] &= ~(uint32_t)IGB_TXDCTL_ENABLE;
	fake_vf_reset(vfn);
}

static void *dma(uint32_t lo_reg, uint32_t hi_reg, uint32_t index)
{
	uint64_t base = regs[lo_reg / 4] | (uint64_t)regs[hi_reg / 4] << 32;

	return (void *)(uintptr_t)(base + 16 * index);
}

static void transmit(void)
{
	uint32_t descs = regs[IGB_VF_TDLEN(0) / 4] / 16;
	uint32_t *head = &regs[IGB_VF_TDH(0) / 4];
	const uint32_t want = IGB_TXD_DTYP_DATA | IGB_TXD_DCMD_DEXT | IGB_TXD_DCMD_EOP;

	if (tx_paused || !descs || !(regs[IGB_VF_TXDCTL(0) / 4] & IGB_TXDCTL_ENABLE) ||
	    !(fake_reg(IGB_VFTE) & (1u << vfn)))
		return;
	while (*head != regs[IGB_VF_TDT(0) / 4] % descs) {
		struct igb_adv_tx_desc *d = dma(IGB_VF_TDBAL(0), IGB_VF_TDBAH(0), *head);
		uint32_t len = d->cmd_type_len & IGB_TXD_DTALEN_MASK;

		if ((d->cmd_type_len & want) == want && sent_count < FAKE_TX_MAX &&
		    len <= IGBVF_BUF_SIZE) {
			memcpy(sent[sent_count].data, (void *)(uintptr_t)d->buffer_addr, len);
			sent[sent_count++].len = len;
		}
		if (d->cmd_type_len & IGB_TXD_DCMD_RS)
			d->olinfo_status = IGB_TXD_STA_DD;
		*head = (*head + 1) % descs;
	}
}

void igbvf_wr(const struct igbvf_hw *hw, uint32_t reg, uint32_t val)
{
	(void)hw;
	if (reg == IGB_VF_V2PMAILBOX) {
		v2p_write(val);
	} else if (is_mbmem(reg)) {
		fake_set(IGB_VMBMEM(vfn) + (reg - IGB_VF_VMBMEM), val);
	} else if (reg == IGB_VF_CTRL) {
		if (val & IGB_VF_CTRL_RST)
			vf_reset();
	} else {
		regs[reg / 4] = val;
		if (reg == IGB_VF_TDT(0))
			transmit();
	}
}

int fake_igbvf_receive(const void *frame, uint16_t len, uint32_t extra_status)
{
	uint32_t descs = regs[IGB_VF_RDLEN(0) / 4] / 16;
	uint32_t *head = &regs[IGB_VF_RDH(0) / 4];
	union igb_adv_rx_desc *d;

	if (!descs || !(regs[IGB_VF_RXDCTL(0) / 4] & IGB_RXDCTL_ENABLE) ||
	    *head == regs[IGB_VF_RDT(0) / 4] % descs)
		return -ENOSPC;
	d = dma(IGB_VF_RDBAL(0), IGB_VF_RDBAH(0), *head);
	memcpy((void *)(uintptr_t)d->read.pkt_addr, frame, len < IGBVF_BUF_SIZE ? len : 0);
	memset(&d->wb, 0, sizeof(d->wb));
	d->wb.length = len;
	d->wb.status_error = IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP | extra_status;
	*head = (*head + 1) % descs;
	return 0;
}

void igbvf_delay_us(uint64_t us)
{
	fake_advance_us(us);
	waited_us += us;
	while (waited_us >= FAKE_PF_POLL_US) {
		waited_us -= FAKE_PF_POLL_US;
		if (poll_pf)
			poll_pf();
	}
}

uint64_t igbvf_now_us(void)
{
	return igb_now_us();
}

uint64_t igbvf_dma_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}
