/*
 * The igb MAC types the PF driver knows (see igb_mac.h): the PF device ids
 * of each, from Linux's igb_get_invariants_82575, and one row of
 * differences per type.
 */
#include "drivers/nic/igb_mac.h"
#include "drivers/nic/igb_regs.h"
#include "hv/errno.h"

static const struct igb_mac_info macs[IGB_MAC_TYPES] = {
    [IGB_MAC_82576] =
	{
	    .type = IGB_MAC_82576,
	    .name = "82576",
	    .vf_device = IGB_DEV_82576_VF,
	    .queues = 16,
	    .vf_queue_pairs = 2,
	    .rar_entries = IGB_RAR_ENTRIES_82576,
	    .msix_entries = 25,
	    .txswc = IGB_DTXSWC,
	    .dtxctl_vlan_added = true,
	    .rplolr = true,
	    .reset_cmpl_timeout = true,
	    .phy_id = IGB_PHY_ID_82576,
	},
    [IGB_MAC_I350] =
	{
	    .type = IGB_MAC_I350,
	    .name = "i350",
	    .vf_device = IGB_DEV_I350_VF,
	    .queues = 8,
	    .vf_queue_pairs = 1,
	    .rar_entries = IGB_RAR_ENTRIES_I350,
	    .msix_entries = 10,
	    .txswc = IGB_TXSWC,
	    .strip_in_dvmolr = true,
	    .reset_dev_rst_ack = true,
	    .cfg_done_wait = true,
	    .phy_id = IGB_PHY_ID_I350,
	    .mdicnfg = true,
	    .phpm_go_linkd = true,
	},
};

static const struct {
	uint16_t id;
	enum igb_mac_type type;
	const char *model;
} pf_ids[] = {
    {IGB_DEV_82576, IGB_MAC_82576, "82576"},
    {IGB_DEV_82576_FIBER, IGB_MAC_82576, "82576-fiber"},
    {IGB_DEV_82576_SERDES, IGB_MAC_82576, "82576-serdes"},
    {IGB_DEV_82576_QUAD, IGB_MAC_82576, "82576-quad"},
    {IGB_DEV_82576_QUAD_ET2, IGB_MAC_82576, "82576-quad-et2"},
    {IGB_DEV_82576_NS, IGB_MAC_82576, "82576-ns"},
    {IGB_DEV_82576_NS_SERDES, IGB_MAC_82576, "82576-ns-serdes"},
    {IGB_DEV_82576_SERDES_QUAD, IGB_MAC_82576, "82576-serdes-quad"},
    {IGB_DEV_I350_COPPER, IGB_MAC_I350, "i350"},
    {IGB_DEV_I350_FIBER, IGB_MAC_I350, "i350-fiber"},
    {IGB_DEV_I350_SERDES, IGB_MAC_I350, "i350-serdes"},
    {IGB_DEV_I350_SGMII, IGB_MAC_I350, "i350-sgmii"},
};

const struct igb_mac_info *igb_mac_info(enum igb_mac_type type)
{
	return (unsigned)type < IGB_MAC_TYPES ? &macs[type] : NULL;
}

int igb_mac_identify(uint16_t device_id, enum igb_mac_type *type, const char **model)
{
	for (size_t i = 0; i < ARRAY_SIZE(pf_ids); i++) {
		if (pf_ids[i].id != device_id)
			continue;
		*type = pf_ids[i].type;
		if (model)
			*model = pf_ids[i].model;
		return 0;
	}
	return -ENODEV;
}

int igb_mac_pool_queue(const struct igb_mac_info *mac, unsigned pool, unsigned pair)
{
	if (!mac || pool >= IGB_POOLS || pair >= mac->vf_queue_pairs)
		return -EINVAL;
	/* igb_cache_ring_register: the 82576 staggers a pool's second queue by 8. */
	return (int)(pool + IGB_POOLS * pair);
}
