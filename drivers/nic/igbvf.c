/*
 * The VF driver's control half: probe, the reset handshake that gets the
 * VF its MAC from the PF, and the configuration requests the PF may grant
 * or refuse (igb_mbx_proto.h has the message layouts; igbvf_mbx.c moves
 * them). The reset is Linux igbvf's e1000_reset_hw_vf: VTCTRL.RST (the PF
 * sees a VF level reset and quiets our pool), wait until the PF is not
 * itself in reset (RSTI), then VF_RESET; the PF's ACK carries our MAC and
 * makes us "clear to send" further requests.
 */
#include "drivers/nic/igbvf.h"
#include "drivers/nic/igb_mbx_proto.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"

int igbvf_probe(struct igbvf *vf, volatile void *bar0)
{
	if (!bar0)
		return -EINVAL;
	memset(vf, 0, sizeof(*vf));
	vf->hw.regs = bar0;
	return 0;
}

static void mac_to_words(const uint8_t *mac, uint32_t *w)
{
	w[0] = mac[0] | mac[1] << 8 | mac[2] << 16 | (uint32_t)mac[3] << 24;
	w[1] = mac[4] | mac[5] << 8;
}

static void words_to_mac(const uint32_t *w, uint8_t *mac)
{
	for (unsigned i = 0; i < 4; i++)
		mac[i] = (uint8_t)(w[0] >> (8 * i));
	mac[4] = (uint8_t)w[1];
	mac[5] = (uint8_t)(w[1] >> 8);
}

/* A station address: not multicast (bit 0 of the first byte), not all zero. */
static bool mac_usable(const uint8_t *mac)
{
	uint8_t any = 0;

	for (unsigned i = 0; i < IGBVF_ETH_ALEN; i++)
		any |= mac[i];
	return any && !(mac[0] & 1);
}

/* VTCTRL.RST, then wait while the PF's own reset is in progress. */
static int reset_hw(struct igbvf *vf)
{
	uint64_t start;
	uint32_t v;

	vf->running = vf->cts = vf->mac_valid = false;
	vf->v2p = 0;
	vf->c.resets++;
	igbvf_wr(&vf->hw, IGB_VF_CTRL, IGB_VF_CTRL_RST);
	start = igbvf_now_us();
	for (;;) {
		v = igbvf_rd(&vf->hw, IGB_VF_V2PMAILBOX);
		vf->v2p |= v & IGBVF_V2P_R2C;
		if (!(v & IGB_V2PMAILBOX_RSTI))
			return 0;
		if (igbvf_now_us() - start >= IGBVF_RESET_TIMEOUT_US)
			break;
		igbvf_delay_us(IGBVF_MBX_POLL_US);
	}
	log_warn("igbvf", "reset pf busy v2pmailbox=0x%x", v);
	return -ETIMEDOUT;
}

static int reset_reply(struct igbvf *vf, const uint32_t *reply)
{
	uint8_t mac[IGBVF_ETH_ALEN];

	if (reply[0] & IGB_MBX_NACK) {
		log_warn("igbvf", "reset refused by pf reply=0x%x", reply[0]);
		return -EPERM;
	}
	words_to_mac(&reply[1], mac);
	if (!mac_usable(mac) || (reply[2] >> 16)) {
		vf->c.mbx_malformed++;
		log_warn("igbvf", "reset reply bad mac words=0x%x,0x%x", reply[1], reply[2]);
		return -EPROTO;
	}
	memcpy(vf->mac, mac, sizeof(mac));
	vf->mac_valid = vf->cts = true;
	return 0;
}

int igbvf_reset(struct igbvf *vf)
{
	uint32_t msg = IGB_MBX_VF_RESET, reply[IGB_MBX_RESET_REPLY_WORDS];
	uint64_t start = igbvf_now_us();
	int err = reset_hw(vf);

	if (!err)
		err = igbvf_mbx_request(vf, &msg, 1, reply, IGB_MBX_RESET_REPLY_WORDS);
	if (!err)
		err = reset_reply(vf, reply);
	vf->handshake_us = igbvf_now_us() - start;
	return err;
}

/* ACK: 0. NACK: -EPERM, or -ENOTCONN when the PF no longer counts us as reset (no CTS). */
static int request(struct igbvf *vf, const uint32_t *words, unsigned n)
{
	uint32_t reply;
	int err;

	if (!vf->cts)
		return -ENOTCONN;
	err = igbvf_mbx_request(vf, words, n, &reply, 1);
	if (err)
		return err;
	if (!(reply & IGB_MBX_CTS)) {
		vf->cts = false;
		log_warn("igbvf", "pf wants a reset reply=0x%x", reply);
		return -ENOTCONN;
	}
	return (reply & IGB_MBX_ACK) ? 0 : -EPERM;
}

int igbvf_set_mac(struct igbvf *vf, const uint8_t mac[IGBVF_ETH_ALEN])
{
	uint32_t w[IGB_MBX_MAC_WORDS] = {IGB_MBX_VF_SET_MAC_ADDR};
	int err;

	if (!mac_usable(mac))
		return -EINVAL;
	mac_to_words(mac, &w[1]);
	err = request(vf, w, IGB_MBX_MAC_WORDS);
	if (!err)
		memcpy(vf->mac, mac, IGBVF_ETH_ALEN);
	return err;
}

/* The 12-bit MTA index igbvf sends (e1000_hash_mc_addr_vf, filter type 0). */
static uint16_t mc_hash(const uint8_t *addr)
{
	return (uint16_t)(((addr[4] >> 4) | (addr[5] << 4)) & IGB_MBX_MC_HASH_MASK);
}

int igbvf_set_multicast(struct igbvf *vf, const uint8_t (*addrs)[IGBVF_ETH_ALEN], unsigned n)
{
	uint32_t w[IGB_MBX_WORDS] = {0};
	unsigned count = MIN(n, (unsigned)IGBVF_MC_MAX);

	if (n && !addrs)
		return -EINVAL;
	w[0] = IGB_MBX_VF_SET_MULTICAST | count << IGB_MBX_MSGINFO_SHIFT;
	if (n > count)
		w[0] |= (uint32_t)IGB_MBX_MC_OVERFLOW << IGB_MBX_MSGINFO_SHIFT;
	for (unsigned i = 0; i < count; i++)
		w[1 + i / 2] |= (uint32_t)mc_hash(addrs[i]) << (16 * (i % 2));
	return request(vf, w, 1 + (count + 1) / 2);
}

int igbvf_set_vlan(struct igbvf *vf, uint16_t vid, bool add)
{
	uint32_t w[IGB_MBX_VLAN_WORDS] = {IGB_MBX_VF_SET_VLAN, vid};

	if (vid > IGB_MBX_VLAN_ID_MASK)
		return -EINVAL;
	if (add)
		w[0] |= IGB_MBX_VLAN_ADD << IGB_MBX_MSGINFO_SHIFT;
	return request(vf, w, IGB_MBX_VLAN_WORDS);
}

int igbvf_set_lpe(struct igbvf *vf, uint32_t max_frame)
{
	uint32_t w[IGB_MBX_LPE_WORDS] = {IGB_MBX_VF_SET_LPE, max_frame};

	if (max_frame < IGB_MBX_LPE_MIN || max_frame > IGB_MBX_LPE_MAX)
		return -EINVAL;
	return request(vf, w, IGB_MBX_LPE_WORDS);
}
