/*
 * The PF driver on both MAC types it knows, the 82576 and the I350: the
 * same flows (probe, bring-up, SR-IOV enable, VF allocation, the mailbox
 * reset handshake, MSI-X for the mailbox, SR-IOV disable) run once per
 * type against the fake register file (fake_igb.c, told which MAC it is)
 * and a configuration-space image whose PF and VF device ids are the
 * type's. Each test checks the registers where the types differ
 * (drivers/nic/igb_mac.h) and that the rest is the same. QEMU models only
 * the 82576: for the I350 this is the only test there is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "drivers/nic/vf_alloc.h"
#include "hv/errno.h"
#include "tests/unit/fake_igb.h"
#include "tests/unit/log_capture.h"
#include "tests/unit/pci_images.h"

#define VF0 PCI_BDF(0, 1, 0x10, 0)
#define VF1 PCI_BDF(0, 1, 0x10, 2)

struct mac_case {
	enum igb_mac_type type;
	uint16_t pf_id, vf_id;
	const char *probe_log;
};

static struct mac_case m82576 = {IGB_MAC_82576, 0x10c9, 0x10ca,
				 "probe bdf=0000:01:00.0 id=8086:10c9 model=82576 "
				 "mac=82576 queues=16"};
static struct mac_case mi350 = {IGB_MAC_I350, 0x1521, 0x1520,
				"probe bdf=0000:01:00.0 id=8086:1521 model=i350 "
				"mac=i350 queues=8"};

static struct igb_pf pf;
static struct igb_ring_mem ring_mem;
static struct switch_port port;
static struct pci_image_fn *pf_fn;
static const struct mac_addr pf_mac = {{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
static const struct mac_addr vf_mac = {{0x02, 0x54, 0x00, 0x12, 0x34, 0x01}};

static const struct mac_case *mc(void **state)
{
	return *state;
}

static bool is_i350(void **state)
{
	return mc(state)->type == IGB_MAC_I350;
}

/* What the NVM would load: the PF's address in RAR[0]; the internal PHY's id. */
static void nvm_and_phy(const struct mac_case *c)
{
	const uint8_t *b = pf_mac.b;
	uint32_t id = c->type == IGB_MAC_I350 ? IGB_PHY_ID_I350 : IGB_PHY_ID_82576 | 1;

	fake_set(IGB_RAL(0), b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
	fake_set(IGB_RAH(0), b[4] | b[5] << 8 | IGB_RAH_AV);
	fake_phy_set(IGB_PHY_ID1, (uint16_t)(id >> 16));
	fake_phy_set(IGB_PHY_ID2, (uint16_t)id);
	fake_igb_cfg_done(true);
}

static int setup(void **state)
{
	const struct mac_case *c = mc(state);

	pci_test_setup(state);
	fake_igb_reset();
	fake_igb_model(c->type);
	nvm_and_phy(c);
	img_build_igb_machine(img, true);
	pf_fn = pci_image_fn(img, IGB);
	img_set16(pf_fn, PCI_DEVICE_ID, c->pf_id);
	img_set16(pf_fn, IGB_SRIOV_OFF + PCI_SRIOV_VF_DID, c->vf_id);
	img_add_fn(img, VF0, 0x8086, c->vf_id, 0x020000, 0);
	img_add_fn(img, VF1, 0x8086, c->vf_id, 0x020000, 0);
	assert_int_equal(igb_pf_probe(&pf, ops, IGB, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	return pci_test_teardown(state);
}

static void start(void)
{
	assert_int_equal(igb_pf_start(&pf, &ring_mem, NULL, NULL), 0);
}

static void start_with_vfs(void)
{
	start();
	assert_int_equal(igb_sriov_probe(&pf), 0);
	assert_int_equal(igb_sriov_enable(&pf, 2), 0);
}

/* --- Identification -------------------------------------------------------- */

static void test_probe_names_the_mac(void **state)
{
	const struct igb_mac_info *m = igb_mac(&pf);

	assert_int_equal(pf.type, mc(state)->type);
	assert_int_equal(pf.device_id, mc(state)->pf_id);
	assert_int_equal(pf.rar_entries, is_i350(state) ? 32 : 24);
	assert_int_equal(m->queues, is_i350(state) ? 8 : 16);
	assert_int_equal(m->vf_queue_pairs, is_i350(state) ? 1 : 2);
	assert_int_equal(m->vf_device, mc(state)->vf_id);
	assert_logged(mc(state)->probe_log);
}

static void test_every_pf_id_and_only_those(void **state)
{
	static const uint16_t ids_82576[] = {0x10c9, 0x10e6, 0x10e7, 0x10e8,
					     0x1526, 0x150a, 0x1518, 0x150d};
	static const uint16_t ids_i350[] = {0x1521, 0x1522, 0x1523, 0x1524};
	static const uint16_t others[] = {0x10ca, 0x1520, 0x152d, 0x152f, 0x10d3, 0x1533, 0};
	enum igb_mac_type t;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ids_82576); i++) {
		assert_int_equal(igb_mac_identify(ids_82576[i], &t, NULL), 0);
		assert_int_equal(t, IGB_MAC_82576);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ids_i350); i++) {
		assert_int_equal(igb_mac_identify(ids_i350[i], &t, NULL), 0);
		assert_int_equal(t, IGB_MAC_I350);
	}
	for (size_t i = 0; i < ARRAY_SIZE(others); i++)
		assert_int_equal(igb_mac_identify(others[i], &t, NULL), -ENODEV);
	assert_null(igb_mac_info(IGB_MAC_TYPES));
}

/* A VF function (or another NIC) at the PF's address is refused, nothing kept. */
static void test_vf_id_as_pf_refused(void **state)
{
	img_set16(pf_fn, PCI_DEVICE_ID, mc(state)->vf_id);
	assert_int_equal(igb_pf_probe(&pf, ops, IGB, NULL), -ENODEV);
	assert_null(pf.cfg);
	assert_logged("reason=not-82576-or-i350");
}

/* --- Bring-up --------------------------------------------------------------- */

/* 82576: completion timeout raised, resends off; I350: DEV_RST_SET acknowledged, GCR left. */
static void test_reset_follows_the_mac(void **state)
{
	fake_set(IGB_GCR, IGB_GCR_CMPL_TMOUT_RESEND);
	start();
	assert_int_equal(fake_igb_resets(), 1);
	if (is_i350(state)) {
		assert_int_equal(fake_reg(IGB_GCR), IGB_GCR_CMPL_TMOUT_RESEND);
		assert_int_equal(fake_reg(IGB_STATUS) & IGB_STATUS_DEV_RST_SET, 0);
	} else {
		assert_int_equal(fake_reg(IGB_GCR), IGB_GCR_CMPL_TMOUT_10MS);
	}
	assert_logged("reset done");
	assert_logged("started pool=7 queue=7 ring=1024");
}

/* A version-2 PCIe capability keeps its timeout in DevCtl2: GCR's field is left at 0. */
static void test_cap_v2_timeout_left_to_firmware(void **state)
{
	fake_set(IGB_GCR, IGB_GCR_CAP_VER2 | IGB_GCR_CMPL_TMOUT_RESEND);
	start();
	assert_int_equal(fake_reg(IGB_GCR), is_i350(state)
						? IGB_GCR_CAP_VER2 | IGB_GCR_CMPL_TMOUT_RESEND
						: IGB_GCR_CAP_VER2);
}

/* The I350 waits for its own port's NVM configuration; the 82576 row doesn't wait. */
static void test_cfg_done_of_this_port(void **state)
{
	uint64_t before;

	fake_set(IGB_STATUS, 2u << IGB_STATUS_FUNC_SHIFT); /* port 2 */
	fake_igb_cfg_done(false);
	fake_set(IGB_EEMNGCTL, IGB_EEMNGCTL_CFG_DONE(0)); /* another port's bit */
	before = igb_now_us();
	start();
	if (is_i350(state)) {
		assert_logged("nvm config not reported port=2 eemngctl=0x40000");
		assert_true(igb_now_us() - before >= 100000);
	} else {
		assert_false(log_capture_contains("nvm config not reported"));
	}
}

static void test_cfg_done_reported_no_wait(void **state)
{
	fake_set(IGB_STATUS, 3u << IGB_STATUS_FUNC_SHIFT);
	start();
	assert_false(log_capture_contains("nvm config not reported"));
	(void)state;
}

/* Clause-22 PHY on both; the I350's Go Link Disconnect cleared first. */
static void test_phy_started(void **state)
{
	fake_set(IGB_PHPM, IGB_PHPM_GO_LINKD | 0x1);
	start();
	assert_int_equal(fake_phy_reg(IGB_PHY_BMCR), 0x1340);
	assert_int_equal(fake_reg(IGB_PHPM), is_i350(state) ? 0x1 : IGB_PHPM_GO_LINKD | 0x1);
	assert_false(log_capture_contains("phy id unexpected"));
	assert_logged(is_i350(state) ? "phy autoneg started phy_id=0x015403b0"
				     : "phy autoneg started phy_id=0x02a80391");
}

/* MDICNFG steering MDIC to an external PHY: the I350's PHY is refused, untouched. */
static void test_external_mdio_phy(void **state)
{
	fake_set(IGB_MDICNFG, IGB_MDICNFG_EXT_MDIO);
	start(); /* link may stay down: logged, not fatal */
	if (is_i350(state)) {
		assert_int_equal(fake_phy_reg(IGB_PHY_BMCR), 0);
		assert_logged("phy refused mdicnfg=0x80000000 reason=external-mdio-phy");
	} else {
		assert_int_equal(fake_phy_reg(IGB_PHY_BMCR), 0x1340); /* no MDICNFG there */
	}
}

static void test_other_phy_id_said(void **state)
{
	fake_phy_set(IGB_PHY_ID1, 0x0141);
	fake_phy_set(IGB_PHY_ID2, 0x0cc0);
	start();
	assert_logged(is_i350(state) ? "phy id unexpected phy_id=0x01410cc0 mac=i350"
				     : "phy id unexpected phy_id=0x01410cc0 mac=82576");
}

/* The PF's ring is queue 7 on both; only the switch registers differ. */
static void test_switch_and_ring_registers(void **state)
{
	uint32_t swc = is_i350(state) ? IGB_TXSWC : IGB_DTXSWC;
	uint32_t other = is_i350(state) ? IGB_DTXSWC : IGB_TXSWC;

	start();
	assert_int_equal(pf.rings.queue, 7);
	assert_int_equal(fake_reg(IGB_TDBAL(7)), (uint32_t)(uintptr_t)ring_mem.txd);
	assert_int_equal(fake_reg(IGB_RDBAL(7)), (uint32_t)(uintptr_t)ring_mem.rxd);
	assert_true(fake_reg(IGB_RXDCTL(7)) & IGB_RXDCTL_ENABLE);
	assert_int_equal(fake_reg(IGB_TDBAL(15)), 0);
	assert_int_equal(fake_reg(swc), IGB_DTXSWC_LOOPBACK_EN | 0x7f7f);
	assert_int_equal(fake_reg(other), 0);
	assert_int_equal(fake_reg(IGB_DTXCTL) & IGB_DTXCTL_VLAN_ADDED,
			 is_i350(state) ? 0 : IGB_DTXCTL_VLAN_ADDED);
	assert_int_equal(fake_reg(IGB_RPLOLR) != 0, !is_i350(state));
	for (unsigned p = 0; p < IGB_POOLS; p++) {
		assert_true(fake_reg(IGB_VMOLR(p)) & IGB_VMOLR_BAM);
		assert_int_equal(fake_reg(IGB_DVMOLR(p)), is_i350(state) ? IGB_DVMOLR_STRVLAN : 0);
	}
	assert_int_equal(fake_reg(IGB_VFRE), 0x80);
	assert_int_equal(fake_reg(IGB_RAH(0)) & IGB_RAH_POOL_MASK, IGB_RAH_POOL(7));
}

/* --- SR-IOV, VF allocation, mailbox ----------------------------------------- */

static void test_sriov_enable_checks_the_vf_id(void **state)
{
	start_with_vfs();
	assert_int_equal(pf.sriov.vf_device, mc(state)->vf_id);
	assert_logged(is_i350(state) ? "sriov enabled vfs=2 offset=0x80 stride=2 vf_device=1520"
				     : "sriov enabled vfs=2 offset=0x80 stride=2 vf_device=10ca");
	assert_logged(is_i350(state) ? "vf up vf=1 bdf=0000:01:10.2 id=8086:1520"
				     : "vf up vf=1 bdf=0000:01:10.2 id=8086:10ca");
}

/* The other family's VF id in the capability: SR-IOV is not used at all. */
static void test_foreign_vf_id_refused(void **state)
{
	uint16_t foreign = is_i350(state) ? 0x10ca : 0x1520;

	img_set16(pf_fn, IGB_SRIOV_OFF + PCI_SRIOV_VF_DID, foreign);
	assert_int_equal(igb_sriov_probe(&pf), -ENODEV);
	assert_int_equal(igb_sriov_enable(&pf, 2), -ENODEV);
	assert_logged(is_i350(state) ? "sriov refused vf_device=10ca mac=i350 expected=1520"
				     : "sriov refused vf_device=1520 mac=82576 expected=10ca");
}

/* A VF's queue pairs: two on the 82576 (queues n, n + 8), one on the I350. */
static void test_vf_alloc_queue_pairs(void **state)
{
	const struct igb_mac_info *m = igb_mac(&pf);
	struct vf_table t;
	struct vf_table_config cfg = {0};
	struct vf_params p = {.port_id = 1, .mac = vf_mac, .queue_pairs = 2};
	uint16_t id;

	start_with_vfs();
	cfg.layout =
	    (struct vf_rid_layout){(uint16_t)pf.bdf, pf.sriov.vf_offset, pf.sriov.vf_stride, 1};
	cfg.num_vfs = pf.sriov.num_vfs;
	cfg.max_queue_pairs = m->vf_queue_pairs;
	assert_int_equal(vf_table_init(&t, &cfg, NULL), 2);
	assert_int_equal(vf_allocate(&t, &p, &id, NULL), is_i350(state) ? -EINVAL : 0);
	p.queue_pairs = 1;
	p.port_id = 2;
	assert_int_equal(vf_allocate(&t, &p, &id, NULL), 0);
	assert_int_equal(igb_mac_pool_queue(m, 1, 0), 1);
	assert_int_equal(igb_mac_pool_queue(m, 1, 1), is_i350(state) ? -EINVAL : 9);
	assert_int_equal(igb_mac_pool_queue(m, 7, 1), is_i350(state) ? -EINVAL : 15);
	assert_int_equal(igb_mac_pool_queue(m, 8, 0), -EINVAL);
}

/* igbvf's reset handshake: the port's MAC at the top of the MAC's RAR table. */
static void test_mailbox_reset_handshake(void **state)
{
	struct port_policy pol;
	struct mbx_request reset = {.kind = MBX_REQ_RESET};
	uint32_t words[IGB_MBX_WORDS], reply[IGB_MBX_RESET_REPLY_WORDS];
	unsigned top = is_i350(state) ? 31 : 23;

	start_with_vfs();
	port_policy_default(&pol);
	assert_int_equal(port_init(&port, 1, "child1", &vf_mac, &pol, NULL), 0);
	pf.ports = &port;
	pf.port_count = 1;
	assert_int_equal(igb_vf_bind_port(&pf, 1, &port), 0);
	assert_int_equal(igb_vf_attach(&pf, 1, true), 0);
	assert_true(mbx_encode_request(&reset, words) > 0);
	assert_int_equal(fake_vf_send(1, words, 1), 0);
	igb_vf_service(&pf);
	assert_true(fake_vf_pf_wrote(1));
	fake_vf_read(1, reply, IGB_MBX_RESET_REPLY_WORDS);
	assert_int_equal(reply[0], IGB_MBX_VF_RESET | IGB_MBX_ACK);
	assert_memory_equal(reply + 1, vf_mac.b, ETH_ALEN);
	assert_int_equal(igb_switch_vf_rar(&pf, 1), top - 1);
	assert_int_equal(fake_reg(IGB_RAH(top - 1)) & (IGB_RAH_POOL_MASK | IGB_RAH_AV),
			 IGB_RAH_POOL(1) | IGB_RAH_AV);
	assert_int_equal(fake_reg(IGB_VFRE), 0x82);
	assert_int_equal(fake_reg(IGB_VFTE), 0x82);
	assert_int_equal(fake_reg(IGB_DVMOLR(1)), is_i350(state) ? IGB_DVMOLR_STRVLAN : 0);
}

/* --- MSI-X and SR-IOV off ---------------------------------------------------- */

/* GPIE and IVAR_MISC alike on both; the entry must be in the MAC's table. */
static void test_msix_for_the_mailbox(void **state)
{
	start();
	assert_int_equal(igb_irq_enable(&pf, 0), 0);
	assert_int_equal(fake_reg(IGB_IVAR_MISC), IGB_IVAR_VALID << 8);
	assert_int_equal(fake_reg(IGB_GPIE), IGB_GPIE_MSIX_MODE | IGB_GPIE_PBA | IGB_GPIE_NSICR);
	assert_int_equal(fake_reg(IGB_EIMS), 1);
	assert_int_equal(igb_irq_enable(&pf, 9), 0);
	assert_int_equal(fake_reg(IGB_IVAR_MISC), (9 | IGB_IVAR_VALID) << 8);
	assert_int_equal(igb_irq_enable(&pf, 10), is_i350(state) ? -EINVAL : 0);
	assert_int_equal(igb_irq_enable(&pf, 25), -EINVAL);
	assert_logged(is_i350(state) ? "irq msix entry=9 causes=vmmb mac=i350"
				     : "irq msix entry=9 causes=vmmb mac=82576");
}

static void test_sriov_off_reuses_vf_queues(void **state)
{
	(void)state;
	start_with_vfs();
	assert_int_equal(igb_sriov_disable(&pf), 0);
	assert_int_equal(fake_reg(IGB_IOVCTL), IGB_IOVCTL_REUSE_VFQ);
	assert_int_equal(fake_reg(IGB_VFRE), 0x80);
}

/* Each test once per MAC type: the case is the test's state. */
#define BOTH(fn)                                                                                   \
	{#fn "(82576)", fn, setup, teardown, &m82576},                                             \
	{                                                                                          \
#fn "(i350)", fn, setup, teardown, &mi350                                          \
	}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_probe_names_the_mac),
	    BOTH(test_every_pf_id_and_only_those),
	    BOTH(test_vf_id_as_pf_refused),
	    BOTH(test_reset_follows_the_mac),
	    BOTH(test_cap_v2_timeout_left_to_firmware),
	    BOTH(test_cfg_done_of_this_port),
	    BOTH(test_cfg_done_reported_no_wait),
	    BOTH(test_phy_started),
	    BOTH(test_external_mdio_phy),
	    BOTH(test_other_phy_id_said),
	    BOTH(test_switch_and_ring_registers),
	    BOTH(test_sriov_enable_checks_the_vf_id),
	    BOTH(test_foreign_vf_id_refused),
	    BOTH(test_vf_alloc_queue_pairs),
	    BOTH(test_mailbox_reset_handshake),
	    BOTH(test_msix_for_the_mailbox),
	    BOTH(test_sriov_off_reuses_vf_queues),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
