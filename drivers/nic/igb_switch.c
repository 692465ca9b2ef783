/*
 * The NIC switch in hardware: VMDq pools (82576 datasheet 7.10), one per VF
 * plus the PF's (pool IGB_PF_POOL). Which pool a received frame reaches is
 * decided by the receive address registers' pool-select bits (RAH), the
 * VLAN pool filters (VLVF, with VFTA as the global VLAN filter), and each
 * pool's offload register (VMOLR: broadcast, untagged, multicast-hash,
 * promiscuous, frame size). Frames a pool sends go through the switch first
 * (DTXSWC loopback): local destinations get them without the wire.
 *
 * This file only programs the hardware from state decided elsewhere: the
 * port's policy and state (switch_port.h) say what a VF may have, the
 * mailbox service (igb_vf_msg.c) calls here once a request is granted.
 * Anti-spoofing (a pool may only send from its MACs and VLANs) is
 * configured for every VF pool; real hardware enforces it and counts in
 * WVBR, QEMU stores the bits and enforces nothing.
 *
 * 82576 vs I350 (the rows of igb_mac.h): loopback and anti-spoofing live
 * in DTXSWC on the 82576 and in TXSWC on the I350 (same bit layout);
 * DTXCTL.VLAN_ADDED and RPLOLR exist only on the 82576 (Linux's
 * igb_vmm_control); a pool's VLAN stripping is VMOLR.STRVLAN on the 82576,
 * DVMOLR.STRVLAN of the pool's queue on the I350 (igb_set_vf_vlan_strip);
 * the I350 has 32 receive addresses instead of 24. VMOLR's other bits,
 * VLVF, VMVIR, VFRE/VFTE, RAH pool bits, MTA/UTA/VFTA are the same.
 */
#include "drivers/nic/igb_pf.h"
#include "hv/errno.h"
#include "hv/log.h"

#define VMOLR_DEFAULT(frame)                                                                       \
	(IGB_VMOLR_AUPE | IGB_VMOLR_BAM | IGB_VMOLR_STRCRC | IGB_VMOLR_STRVLAN | IGB_VMOLR_LPE |   \
	 ((frame)&IGB_VMOLR_RLPML_MASK))

static void rmw(struct igb_pf *pf, uint32_t reg, uint32_t clear, uint32_t set)
{
	igb_wr(&pf->hw, reg, (igb_rd(&pf->hw, reg) & ~clear) | set);
}

static uint32_t txswc_reg(const struct igb_pf *pf)
{
	return igb_mac(pf)->txswc;
}

/*
 * Every pool strips VLAN tags into the descriptor (VMOLR_DEFAULT sets
 * VMOLR.STRVLAN, which the 82576 honours); on the I350 the bit is in the
 * DVMOLR of the pool's queue (queue p serves pool p there).
 */
static void pool_strip_vlan(struct igb_pf *pf, unsigned pool)
{
	if (igb_mac(pf)->strip_in_dvmolr)
		rmw(pf, IGB_DVMOLR(pool), 0, IGB_DVMOLR_STRVLAN);
}

/* --- Receive addresses ---------------------------------------------------- */

static void rar_set(struct igb_pf *pf, unsigned i, const struct mac_addr *mac, unsigned pool)
{
	const uint8_t *b = mac->b;

	/* Invalid first, then the address, then valid with its pool: never a half entry. */
	igb_wr(&pf->hw, IGB_RAH(i), 0);
	igb_wr(&pf->hw, IGB_RAL(i), b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
	igb_wr(&pf->hw, IGB_RAH(i), b[4] | b[5] << 8 | IGB_RAH_POOL(pool) | IGB_RAH_AV);
}

static void rar_clear(struct igb_pf *pf, unsigned i)
{
	igb_wr(&pf->hw, IGB_RAH(i), 0);
	igb_wr(&pf->hw, IGB_RAL(i), 0);
}

/* VF vf's own address sits at the top of the table, as Linux's igb places it. */
static unsigned rar_own(const struct igb_pf *pf, unsigned vf)
{
	return pf->rar_entries - 1 - vf;
}

static bool rar_in_use(const struct igb_pf *pf, unsigned i)
{
	for (unsigned vf = 0; vf < IGB_MAX_VFS; vf++)
		for (unsigned k = 0; k < pf->vf_hw[vf].rar_count; k++)
			if (pf->vf_hw[vf].rar[k] == i)
				return true;
	return false;
}

/* A free entry for an extra unicast filter, between the PF's and the VFs' own ones. */
static int rar_alloc(const struct igb_pf *pf)
{
	for (unsigned i = 1; i < pf->rar_entries - IGB_MAX_VFS; i++)
		if (!rar_in_use(pf, i))
			return (int)i;
	return -ENOSPC;
}

static void pool_rars_clear(struct igb_pf *pf, unsigned vf)
{
	struct igb_vf_hw *h = &pf->vf_hw[vf];

	for (unsigned k = 0; k < h->rar_count; k++)
		rar_clear(pf, h->rar[k]);
	h->rar_count = 0;
}

unsigned igb_switch_vf_rar(const struct igb_pf *pf, unsigned vf)
{
	return rar_own(pf, vf);
}

/* Only while a child holds the VF: before, the port's traffic stays on the PF's pool. */
static int pool_rars_set(struct igb_pf *pf, unsigned vf, const struct port_state *s)
{
	struct igb_vf_hw *h = &pf->vf_hw[vf];

	pool_rars_clear(pf, vf);
	if (!h->attached)
		return 0;
	rar_set(pf, rar_own(pf, vf), &s->mac, vf);
	h->rar[h->rar_count++] = (uint8_t)rar_own(pf, vf);
	for (unsigned k = 0; k < s->uc_count; k++) {
		int i = rar_alloc(pf);

		if (i < 0) {
			log_warn("igb", "switch rar full vf=%u filters=%u", vf, s->uc_count);
			return i;
		}
		rar_set(pf, (unsigned)i, &s->uc_filter[k], vf);
		h->rar[h->rar_count++] = (uint8_t)i;
	}
	return 0;
}

/* --- VLANs ---------------------------------------------------------------- */

static void vlvf_drop_pool(struct igb_pf *pf, unsigned vf)
{
	for (unsigned i = 0; i < IGB_VLVF_ENTRIES; i++) {
		uint32_t v = igb_rd(&pf->hw, IGB_VLVF(i));

		if (!(v & IGB_VLVF_POOLSEL(vf)))
			continue;
		v &= ~IGB_VLVF_POOLSEL(vf);
		igb_wr(&pf->hw, IGB_VLVF(i), (v & IGB_VLVF_POOLSEL_MASK) ? v : 0);
	}
}

/* The entry already holding vid, else a free one; -ENOSPC when all 32 are taken. */
static int vlvf_slot(struct igb_pf *pf, uint16_t vid)
{
	int free_slot = -ENOSPC;

	for (unsigned i = 0; i < IGB_VLVF_ENTRIES; i++) {
		uint32_t v = igb_rd(&pf->hw, IGB_VLVF(i));

		if ((v & IGB_VLVF_VIEN) && (v & IGB_VLVF_VLANID_MASK) == vid)
			return (int)i;
		if (!(v & IGB_VLVF_VIEN) && free_slot < 0)
			free_slot = (int)i;
	}
	return free_slot;
}

static int vlvf_add_pool(struct igb_pf *pf, unsigned vf, uint16_t vid)
{
	int i = vlvf_slot(pf, vid);

	if (i < 0) {
		log_warn("igb", "switch vlvf full vf=%u vlan=%u", vf, vid);
		return i;
	}
	rmw(pf, IGB_VLVF((unsigned)i), IGB_VLVF_VLANID_MASK,
	    IGB_VLVF_VIEN | vid | IGB_VLVF_POOLSEL(vf));
	return 0;
}

/* VFTA (the global filter) holds exactly the VLANs some pool's VLVF entry holds. */
static void vfta_sync(struct igb_pf *pf)
{
	uint32_t vfta[IGB_VFTA_ENTRIES] = {0};

	for (unsigned i = 0; i < IGB_VLVF_ENTRIES; i++) {
		uint32_t v = igb_rd(&pf->hw, IGB_VLVF(i));
		unsigned vid = v & IGB_VLVF_VLANID_MASK;

		if (v & IGB_VLVF_VIEN)
			vfta[vid >> 5] |= 1u << (vid & 31);
	}
	for (unsigned i = 0; i < IGB_VFTA_ENTRIES; i++)
		igb_wr(&pf->hw, IGB_VFTA(i), vfta[i]);
}

/*
 * A port VLAN: the switch tags what the pool sends (VMVIR) and delivers
 * only that VLAN to it, untagged (VMOLR.STRVLAN, no AUPE). Without one the
 * pool takes untagged frames and the VLANs its guest joined.
 */
static int pool_vlans_set(struct igb_pf *pf, unsigned vf, const struct switch_port *port)
{
	uint16_t pvid = port->policy.vlan;
	int err = 0;

	vlvf_drop_pool(pf, vf);
	if (pvid)
		err = vlvf_add_pool(pf, vf, pvid);
	for (unsigned k = 0; !err && !pvid && k < port->state.vlan_count; k++)
		err = vlvf_add_pool(pf, vf, port->state.vlans[k]);
	vfta_sync(pf);
	igb_wr(&pf->hw, IGB_VMVIR(vf), pvid ? (pvid | IGB_VMVIR_VLANA_DEFAULT) : 0);
	rmw(pf, IGB_VMOLR(vf), IGB_VMOLR_AUPE, pvid ? 0 : IGB_VMOLR_AUPE);
	return err;
}

/* --- Multicast, promiscuous modes, frame size ------------------------------ */

void igb_switch_update_mta(struct igb_pf *pf)
{
	uint32_t mta[IGB_MTA_ENTRIES] = {0};

	for (unsigned vf = 0; vf < IGB_MAX_VFS; vf++) {
		const struct switch_port *p = pf->vf_port[vf];

		for (unsigned k = 0; p && k < p->state.mc.count && k < IGB_MBX_MC_MAX; k++) {
			uint16_t h = p->state.mc.hash[k] & IGB_MBX_MC_HASH_MASK;

			mta[h >> 5] |= 1u << (h & 31);
		}
	}
	for (unsigned i = 0; i < IGB_MTA_ENTRIES; i++)
		igb_wr(&pf->hw, IGB_MTA(i), mta[i]);
}

/*
 * Unicast promiscuous in VMDq mode is "unicast hash match" (ROPE) with the
 * shared UTA all ones: open while any pool asks for it.
 */
static void uta_sync(struct igb_pf *pf)
{
	bool any = false;

	for (unsigned vf = 0; vf < IGB_MAX_VFS; vf++)
		any |= pf->vf_port[vf] && pf->vf_port[vf]->state.promisc_unicast;
	for (unsigned i = 0; i < IGB_MTA_ENTRIES; i++)
		igb_wr(&pf->hw, IGB_UTA(i), any ? 0xffffffffu : 0);
}

static void pool_modes_set(struct igb_pf *pf, unsigned vf, const struct port_state *s)
{
	uint32_t set = 0;

	if (s->promisc_multicast)
		set |= IGB_VMOLR_MPME;
	else if (s->mc.count)
		set |= IGB_VMOLR_ROMPE;
	if (s->promisc_unicast)
		set |= IGB_VMOLR_ROPE;
	rmw(pf, IGB_VMOLR(vf), IGB_VMOLR_MPME | IGB_VMOLR_ROMPE | IGB_VMOLR_ROPE, set);
}

static void pool_frame_set(struct igb_pf *pf, unsigned vf, uint16_t max_frame)
{
	uint32_t frame = max_frame ? max_frame : IGB_MAX_FRAME_VLAN;

	rmw(pf, IGB_VMOLR(vf), IGB_VMOLR_RLPML_MASK,
	    IGB_VMOLR_LPE | (frame & IGB_VMOLR_RLPML_MASK));
}

/* --- Pools ------------------------------------------------------------------ */

bool igb_switch_has_room(struct igb_pf *pf, const struct mbx_request *req)
{
	if (req->kind == MBX_REQ_MAC_FILTER_ADD)
		return rar_alloc(pf) >= 0;
	if (req->kind == MBX_REQ_SET_VLAN && req->u.vlan.add)
		return vlvf_slot(pf, req->u.vlan.id) >= 0;
	return true;
}

void igb_switch_vf_enable(struct igb_pf *pf, unsigned vf, bool on)
{
	uint32_t bit = 1u << vf;

	rmw(pf, IGB_VFRE, bit, on ? bit : 0);
	rmw(pf, IGB_VFTE, bit, on ? bit : 0);
}

void igb_switch_vf_spoofchk(struct igb_pf *pf, unsigned vf, bool on)
{
	uint32_t bits = IGB_DTXSWC_MAC_SPOOF(vf) | IGB_DTXSWC_VLAN_SPOOF(vf);

	rmw(pf, txswc_reg(pf), bits, on ? bits : 0);
	pf->vf_hw[vf].spoofchk = on;
}

void igb_switch_vf_reset(struct igb_pf *pf, unsigned vf)
{
	if (vf >= IGB_MAX_VFS)
		return;
	igb_switch_vf_enable(pf, vf, false);
	pool_rars_clear(pf, vf);
	vlvf_drop_pool(pf, vf);
	vfta_sync(pf);
	igb_wr(&pf->hw, IGB_VMVIR(vf), 0);
	igb_wr(&pf->hw, IGB_VMOLR(vf), VMOLR_DEFAULT(IGB_MAX_FRAME_VLAN));
	pool_strip_vlan(pf, vf);
	igb_switch_update_mta(pf);
	uta_sync(pf);
}

int igb_switch_apply_port(struct igb_pf *pf, unsigned vf, const struct switch_port *port,
			  unsigned changes)
{
	const struct port_state *s = &port->state;
	int err = 0, vlan_err = 0;

	if (vf >= IGB_MAX_VFS)
		return -EINVAL;
	if (changes & (PORT_CHG_MAC | PORT_CHG_UC_FILTER))
		err = pool_rars_set(pf, vf, s);
	if (changes & PORT_CHG_VLAN)
		vlan_err = pool_vlans_set(pf, vf, port);
	if (changes & (PORT_CHG_MULTICAST | PORT_CHG_PROMISC)) {
		igb_switch_update_mta(pf);
		uta_sync(pf);
		pool_modes_set(pf, vf, s);
	}
	if (changes & PORT_CHG_FRAME)
		pool_frame_set(pf, vf, s->max_frame);
	return err ? err : vlan_err;
}

/* The PF's pool: its MAC, broadcast, untagged frames, standard frames with a tag. */
static void pf_pool_init(struct igb_pf *pf)
{
	rar_set(pf, 0, &pf->mac, IGB_PF_POOL);
	igb_wr(&pf->hw, IGB_VMOLR(IGB_PF_POOL),
	       VMOLR_DEFAULT(IGB_MAX_FRAME_VLAN) | IGB_VMOLR_ROMPE);
	igb_wr(&pf->hw, IGB_VMVIR(IGB_PF_POOL), 0);
	pool_strip_vlan(pf, IGB_PF_POOL);
	igb_wr(&pf->hw, IGB_VFRE, 1u << IGB_PF_POOL);
	igb_wr(&pf->hw, IGB_VFTE, 1u << IGB_PF_POOL);
}

static void tables_clear(struct igb_pf *pf)
{
	for (unsigned i = 1; i < pf->rar_entries; i++)
		rar_clear(pf, i);
	for (unsigned i = 0; i < IGB_VLVF_ENTRIES; i++)
		igb_wr(&pf->hw, IGB_VLVF(i), 0);
	for (unsigned i = 0; i < IGB_MTA_ENTRIES; i++) {
		igb_wr(&pf->hw, IGB_MTA(i), 0);
		igb_wr(&pf->hw, IGB_UTA(i), 0);
		igb_wr(&pf->hw, IGB_VFTA(i), 0);
	}
	for (unsigned vf = 0; vf < IGB_MAX_VFS; vf++) {
		pf->vf_hw[vf].rar_count = 0;
		igb_wr(&pf->hw, IGB_VMOLR(vf), VMOLR_DEFAULT(IGB_MAX_FRAME_VLAN));
		igb_wr(&pf->hw, IGB_VMVIR(vf), 0);
		pool_strip_vlan(pf, vf);
	}
}

void igb_switch_init(struct igb_pf *pf)
{
	tables_clear(pf);
	rmw(pf, IGB_MRQC, IGB_MRQC_MASK, IGB_MRQC_VMDQ);
	/* Unmatched unicast from the wire goes to the PF; broadcast/multicast to every pool. */
	igb_wr(&pf->hw, IGB_VT_CTL,
	       IGB_VT_CTL_REPL_EN | (uint32_t)IGB_PF_POOL << IGB_VT_CTL_DEF_PL_SHIFT);
	if (igb_mac(pf)->dtxctl_vlan_added)
		rmw(pf, IGB_DTXCTL, 0, IGB_DTXCTL_VLAN_ADDED);
	if (igb_mac(pf)->rplolr)
		igb_wr(&pf->hw, IGB_RPLOLR, IGB_RPLOLR_STRVLAN | IGB_RPLOLR_STRCRC);
	/* VM-to-VM switching on; anti-spoofing for every VF pool, never for the PF's. */
	igb_wr(&pf->hw, txswc_reg(pf), IGB_DTXSWC_LOOPBACK_EN);
	for (unsigned vf = 0; vf < IGB_MAX_VFS; vf++)
		igb_switch_vf_spoofchk(pf, vf, true);
	pf_pool_init(pf);
	log_info("igb", "switch vmdq pools=%u pf_pool=%u rar=%u mac=%s txswc=0x%x", IGB_POOLS,
		 IGB_PF_POOL, pf->rar_entries, igb_mac(pf)->name, igb_rd(&pf->hw, txswc_reg(pf)));
}
