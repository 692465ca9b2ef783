/*
 * The PF driver's switch programming and mailbox service against a fake
 * 82576 (fake_igb.c): what the registers hold after each VF request the
 * port's policy grants or refuses, the reset handshake igbvf expects, and
 * hostile VFs (garbage, floods, a held mailbox) that must not starve the
 * other VF nor change anything. Also the statistics arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "hv/errno.h"
#include "tests/unit/fake_igb.h"
#include "tests/unit/log_capture.h"

static struct igb_pf pf;
static struct switch_port ports[2];
static const struct mac_addr pf_mac = {{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
static const struct mac_addr mac0 = {{0x02, 0x54, 0x00, 0x12, 0x34, 0x01}};
static const struct mac_addr mac1 = {{0x02, 0x54, 0x00, 0x12, 0x34, 0x02}};
static const struct mac_addr other = {{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}};

static int setup(void **state)
{
	struct port_policy closed, open;

	(void)state;
	fake_igb_reset();
	log_capture_reset();
	memset(&pf, 0, sizeof(pf));
	pf.type = IGB_MAC_82576;
	pf.rar_entries = IGB_RAR_ENTRIES_82576;
	pf.mac = pf_mac;
	pf.sriov.num_vfs = 2;
	port_policy_default(&closed);
	port_policy_default(&open);
	open.allow_mac_change = open.allow_vlan = true;
	assert_int_equal(port_init(&ports[0], 1, "child1", &mac0, &closed, NULL), 0);
	assert_int_equal(port_init(&ports[1], 2, "child2", &mac1, &open, NULL), 0);
	pf.ports = ports;
	pf.port_count = 2;
	igb_switch_init(&pf);
	assert_int_equal(igb_vf_bind_port(&pf, 0, &ports[0]), 0);
	assert_int_equal(igb_vf_bind_port(&pf, 1, &ports[1]), 0);
	assert_int_equal(igb_vf_attach(&pf, 0, true), 0);
	assert_int_equal(igb_vf_attach(&pf, 1, true), 0);
	return 0;
}

static void assert_logged(const char *text)
{
	if (!log_capture_contains(text))
		fail_msg("not logged: \"%s\"\nlog:\n%s", text, log_capture_text());
}

static void send(unsigned vf, const struct mbx_request *req)
{
	uint32_t words[IGB_MBX_WORDS];
	int n = mbx_encode_request(req, words);

	assert_true(n > 0);
	assert_int_equal(fake_vf_send(vf, words, (unsigned)n), 0);
}

/* One round of the PF's service; returns word 0 of the reply (0: none). */
static uint32_t serve(unsigned vf)
{
	uint32_t reply = 0;

	igb_vf_service(&pf);
	if (fake_vf_pf_wrote(vf))
		fake_vf_read(vf, &reply, 1);
	return reply;
}

static uint32_t handshake(unsigned vf)
{
	struct mbx_request reset = {.kind = MBX_REQ_RESET};

	send(vf, &reset);
	return serve(vf);
}

static struct mbx_request set_mac(const struct mac_addr *m)
{
	return (struct mbx_request){.kind = MBX_REQ_SET_MAC, .u.mac = *m};
}

/* The receive address entry holding mac, or -1. */
static int rar_of(const struct mac_addr *m)
{
	uint32_t lo = m->b[0] | m->b[1] << 8 | m->b[2] << 16 | (uint32_t)m->b[3] << 24;
	uint32_t hi = m->b[4] | m->b[5] << 8;

	for (unsigned i = 0; i < IGB_RAR_ENTRIES_82576; i++)
		if (fake_reg(IGB_RAL(i)) == lo && (fake_reg(IGB_RAH(i)) & 0xffff) == hi &&
		    (fake_reg(IGB_RAH(i)) & IGB_RAH_AV))
			return (int)i;
	return -1;
}

static void test_switch_init_layout(void **state)
{
	(void)state;
	assert_int_equal(fake_reg(IGB_MRQC) & IGB_MRQC_MASK, IGB_MRQC_VMDQ);
	assert_int_equal(fake_reg(IGB_VT_CTL), IGB_VT_CTL_REPL_EN | 7u << IGB_VT_CTL_DEF_PL_SHIFT);
	/* Loopback on; anti-spoofing for the VF pools 0..6, never the PF's pool 7. */
	assert_int_equal(fake_reg(IGB_DTXSWC), IGB_DTXSWC_LOOPBACK_EN | 0x7f7f);
	assert_int_equal(rar_of(&pf_mac), 0);
	assert_int_equal(fake_reg(IGB_RAH(0)) & IGB_RAH_POOL_MASK, IGB_RAH_POOL(7));
	/* Only the PF's pool moves frames until a VF completes its reset handshake. */
	assert_int_equal(fake_reg(IGB_VFRE), 0x80);
	assert_int_equal(fake_reg(IGB_VFTE), 0x80);
	assert_true(fake_reg(IGB_VMOLR(7)) & IGB_VMOLR_BAM);
	assert_true(fake_reg(IGB_VMOLR(7)) & IGB_VMOLR_AUPE);
	assert_true(fake_reg(IGB_DTXCTL) & IGB_DTXCTL_VLAN_ADDED);
}

static void test_reset_handshake_gives_the_port_mac(void **state)
{
	uint32_t reply[IGB_MBX_RESET_REPLY_WORDS];

	(void)state;
	assert_int_equal(handshake(0), IGB_MBX_VF_RESET | IGB_MBX_ACK);
	fake_vf_read(0, reply, IGB_MBX_RESET_REPLY_WORDS);
	assert_memory_equal(reply + 1, mac0.b, ETH_ALEN);
	assert_int_equal(rar_of(&mac0), IGB_RAR_ENTRIES_82576 - 1);
	assert_int_equal(fake_reg(IGB_RAH(23)) & IGB_RAH_POOL_MASK, IGB_RAH_POOL(0));
	assert_int_equal(fake_reg(IGB_VFRE), 0x81);
	assert_int_equal(fake_reg(IGB_VFTE), 0x81);
	assert_true(pf.vf_mbx[0].cts);
	assert_logged("vf reset vf=0 port=child1 mac=02:54:00:12:34:01 reply=ack");
}

static void test_vf_without_port_is_nacked(void **state)
{
	uint32_t reply[IGB_MBX_RESET_REPLY_WORDS];

	(void)state;
	igb_vf_bind_port(&pf, 1, NULL);
	assert_int_equal(handshake(1), IGB_MBX_VF_RESET | IGB_MBX_NACK);
	fake_vf_read(1, reply, IGB_MBX_RESET_REPLY_WORDS);
	assert_int_equal(reply[1] | reply[2], 0);
	assert_int_equal(fake_reg(IGB_VFRE), 0x80);
	assert_int_equal(rar_of(&mac1), -1);
}

static void test_request_before_reset_is_nacked_without_cts(void **state)
{
	struct mbx_request lpe = {.kind = MBX_REQ_SET_LPE, .u.max_frame = 1522};
	uint32_t reply;

	(void)state;
	send(0, &lpe);
	reply = serve(0);
	assert_true(reply & IGB_MBX_NACK);
	assert_false(reply & IGB_MBX_CTS);
	assert_logged("reason=\"vf has not completed its reset\"");
}

static void test_mac_change_refused_keeps_the_filter(void **state)
{
	struct mbx_request req = set_mac(&other);
	uint32_t reply;

	(void)state;
	handshake(0);
	send(0, &req);
	reply = serve(0);
	assert_int_equal(reply, IGB_MBX_VF_SET_MAC_ADDR | IGB_MBX_NACK | IGB_MBX_CTS);
	assert_int_equal(rar_of(&mac0), 23);
	assert_int_equal(rar_of(&other), -1);
	assert_logged("mbx refused vf=0 port=child1 request=set-mac");
	assert_int_equal(pf.vf_mbx[0].limit.refused, 1);
}

static void test_mac_change_allowed_moves_the_filter(void **state)
{
	struct mbx_request req = set_mac(&other);

	(void)state;
	handshake(1);
	send(1, &req);
	assert_int_equal(serve(1), IGB_MBX_VF_SET_MAC_ADDR | IGB_MBX_ACK | IGB_MBX_CTS);
	assert_int_equal(rar_of(&other), 22);
	assert_int_equal(fake_reg(IGB_RAH(22)) & IGB_RAH_POOL_MASK, IGB_RAH_POOL(1));
	assert_int_equal(rar_of(&mac1), -1);
}

static void test_another_ports_mac_is_refused(void **state)
{
	struct mbx_request req = set_mac(&mac0);

	(void)state;
	handshake(0);
	handshake(1);
	send(1, &req);
	assert_true(serve(1) & IGB_MBX_NACK);
	assert_logged("reason=\"mac in use by another port\"");
	assert_int_equal(rar_of(&mac0), 23); /* still child1's, in pool 0 only */
	assert_int_equal(fake_reg(IGB_RAH(23)) & IGB_RAH_POOL_MASK, IGB_RAH_POOL(0));
}

static unsigned vlvf_with(uint16_t vid)
{
	for (unsigned i = 0; i < IGB_VLVF_ENTRIES; i++) {
		uint32_t v = fake_reg(IGB_VLVF(i));

		if ((v & IGB_VLVF_VIEN) && (v & IGB_VLVF_VLANID_MASK) == vid)
			return v;
	}
	return 0;
}

static void test_vlan_and_multicast_programmed(void **state)
{
	struct mbx_request vlan = {.kind = MBX_REQ_SET_VLAN, .u.vlan = {.id = 100, .add = true}};
	struct mbx_request mc = {.kind = MBX_REQ_SET_MULTICAST,
				 .u.mc = {.count = 2, .hash = {0x123, 0x456}}};

	(void)state;
	handshake(1);
	send(1, &vlan);
	assert_true(serve(1) & IGB_MBX_ACK);
	assert_int_equal(vlvf_with(100) & IGB_VLVF_POOLSEL_MASK, IGB_VLVF_POOLSEL(1));
	assert_true(fake_reg(IGB_VFTA(100 >> 5)) & (1u << (100 & 31)));
	send(1, &mc);
	assert_true(serve(1) & IGB_MBX_ACK);
	assert_true(fake_reg(IGB_MTA(0x123 >> 5)) & (1u << (0x123 & 31)));
	assert_true(fake_reg(IGB_MTA(0x456 >> 5)) & (1u << (0x456 & 31)));
	assert_true(fake_reg(IGB_VMOLR(1)) & IGB_VMOLR_ROMPE);
	/* Leaving the VLAN frees the entry and the global filter bit. */
	vlan.u.vlan.add = false;
	send(1, &vlan);
	assert_true(serve(1) & IGB_MBX_ACK);
	assert_int_equal(vlvf_with(100), 0);
	assert_false(fake_reg(IGB_VFTA(100 >> 5)) & (1u << (100 & 31)));
}

static void test_port_vlan_tags_and_filters(void **state)
{
	struct port_policy p = ports[0].policy;
	unsigned changes;

	(void)state;
	p.vlan = 12;
	changes = port_set_policy(&ports[0], &p);
	assert_int_equal(igb_switch_apply_port(&pf, 0, &ports[0], changes), 0);
	assert_int_equal(fake_reg(IGB_VMVIR(0)), 12 | IGB_VMVIR_VLANA_DEFAULT);
	assert_false(fake_reg(IGB_VMOLR(0)) & IGB_VMOLR_AUPE);
	assert_int_equal(vlvf_with(12) & IGB_VLVF_POOLSEL_MASK, IGB_VLVF_POOLSEL(0));
}

static void test_hostile_vf_does_not_starve_the_other(void **state)
{
	uint32_t garbage[IGB_MBX_WORDS] = {0x0000beef, 1, 2, 3};
	struct mbx_request lpe = {.kind = MBX_REQ_SET_LPE, .u.max_frame = 1522};
	unsigned served = 0;

	(void)state;
	handshake(1);
	for (unsigned round = 0; round < 40; round++) {
		fake_vf_send(0, garbage, IGB_MBX_WORDS);
		send(1, &lpe);
		served += !!(serve(1) & IGB_MBX_ACK);
		fake_advance_us(100000); /* VF 1 stays within its budget: 10 a second */
	}
	assert_int_equal(served, 40);
	assert_true(pf.vf_mbx[0].limit.malformed >= 8);
	assert_true(pf.vf_mbx[0].limit.mutes >= 1);
	assert_true(pf.vf_mbx[0].limit.dropped > 0);
	assert_logged("mbx muted vf=0");
	assert_int_equal(rar_of(&mac1), 22); /* nothing of VF 1's changed */
}

static void test_level_reset_quiets_the_pool(void **state)
{
	struct mbx_request req = set_mac(&other);

	(void)state;
	handshake(1);
	send(1, &req);
	serve(1);
	fake_vf_reset(1);
	igb_vf_service(&pf);
	assert_false(pf.vf_mbx[1].cts);
	assert_int_equal(fake_reg(IGB_VFRE) & 0x2, 0);
	assert_int_equal(fake_reg(IGB_VFLRE), 0);
	/* The port's identity again: its own MAC, not the one the guest set. */
	assert_int_equal(rar_of(&mac1), 22);
	assert_int_equal(rar_of(&other), -1);
	assert_logged("vf level reset vf=1 port=child2");
	send(1, &req);
	assert_false(serve(1) & IGB_MBX_CTS);
}

/*
 * The VF resets and posts VF_RESET while the PF is between reading the
 * causes (the level reset only) and handling the reset: the request must
 * survive the reset event, and be answered on the next pass. The event
 * leaves the mailbox alone even while the VF holds it (it may be between
 * its lock and its post): an RVFU then would clear the request it posts
 * next (seen in QEMU's igb_set_vfmailbox/pfmailbox trace: lock, REQ,
 * then our RVFU), and the VF times out.
 */
static void test_reset_request_posted_while_the_level_reset_is_handled(void **state)
{
	struct mbx_request reset = {.kind = MBX_REQ_RESET};

	(void)state;
	fake_vf_reset(0);
	fake_vf_hold(0, true);
	igb_vf_reset_event(&pf, 0);
	assert_true(fake_reg(IGB_P2VMAILBOX(0)) & IGB_P2VMAILBOX_VFU);
	fake_vf_hold(0, false);
	send(0, &reset);
	igb_vf_reset_event(&pf, 0);
	assert_true(igb_mbx_pending_msgs(&pf) & 1);
	assert_int_equal(serve(0), IGB_MBX_VF_RESET | IGB_MBX_ACK);
	assert_true(pf.vf_mbx[0].cts);
	assert_logged("vf reset vf=0 port=child1 mac=02:54:00:12:34:01 reply=ack");
}

/* Allocated but no child holds it: the port's MAC stays off the VF's pool. */
static void test_detached_vf_keeps_the_mac_on_the_pf(void **state)
{
	(void)state;
	assert_int_equal(igb_vf_attach(&pf, 0, false), 0);
	assert_int_equal(rar_of(&mac0), -1);
	handshake(0);
	assert_int_equal(rar_of(&mac0), -1); /* the reset handshake does not bring it back */
	assert_int_equal(igb_vf_attach(&pf, 0, true), 0);
	assert_int_equal(rar_of(&mac0), 23);
	assert_logged("vf attached vf=0 port=child1 rar=23");
	igb_vf_bind_port(&pf, 0, NULL);
	assert_int_equal(rar_of(&mac0), -1);
	assert_int_equal(igb_vf_attach(&pf, 0, true), -EINVAL); /* no port: nothing to attach */
}

/* A reset by the PF: VTCTRL.RST through the mirror, the pool scrubbed, the VF told. */
static void test_pf_reset_scrubs_the_pool(void **state)
{
	struct mbx_request req = set_mac(&other);
	struct mbx_request vlan = {.kind = MBX_REQ_SET_VLAN, .u.vlan = {.add = true, .id = 100}};
	uint32_t word = 0;

	(void)state;
	handshake(1);
	send(1, &req);
	serve(1);
	send(1, &vlan);
	serve(1);
	assert_int_equal(rar_of(&other), 22);
	assert_int_equal(fake_reg(IGB_VLVF(0)) & (IGB_VLVF_VIEN | IGB_VLVF_POOLSEL(1)),
			 IGB_VLVF_VIEN | IGB_VLVF_POOLSEL(1));
	igb_vf_reset(&pf, 1);
	assert_int_equal(fake_reg(IGB_PVTCTRL(1)) & IGB_VF_CTRL_RST, IGB_VF_CTRL_RST);
	assert_false(pf.vf_mbx[1].cts);
	assert_int_equal(fake_reg(IGB_VFRE) & 0x2, 0);
	assert_int_equal(rar_of(&other), -1);
	assert_int_equal(rar_of(&mac1), 22); /* the port's identity, the VF still attached */
	assert_int_equal(fake_reg(IGB_VLVF(0)), 0);
	assert_true(fake_vf_pf_wrote(1));
	fake_vf_read(1, &word, 1);
	assert_int_equal(word, IGB_MBX_NACK);
	assert_logged("vf reset by pf vf=1 port=child2");
}

/* MSI-X for the mailbox causes, and a muted VF loses its request interrupt until the mute ends. */
static void test_irq_routes_mailbox_and_quiets_a_muted_vf(void **state)
{
	uint32_t garbage[IGB_MBX_WORDS] = {0x0000beef, 1, 2, 3};

	(void)state;
	assert_int_equal(igb_irq_enable(&pf, 2), 0);
	assert_int_equal(fake_reg(IGB_GPIE) & (IGB_GPIE_MSIX_MODE | IGB_GPIE_NSICR),
			 IGB_GPIE_MSIX_MODE | IGB_GPIE_NSICR);
	assert_int_equal(fake_reg(IGB_IVAR_MISC), (2 | IGB_IVAR_VALID) << 8);
	assert_int_equal(fake_reg(IGB_EIAC), 1u << 2);
	assert_int_equal(fake_reg(IGB_EIMS) & (1u << 2), 1u << 2);
	assert_int_equal(fake_reg(IGB_IMS) & IGB_INT_VMMB, IGB_INT_VMMB);
	assert_int_equal(fake_reg(IGB_MBVFIMR), 0xff);
	for (unsigned i = 0; i < 12 && !pf.vf_mbx[0].limit.mutes; i++) {
		fake_vf_send(0, garbage, IGB_MBX_WORDS);
		igb_vf_service(&pf);
	}
	assert_int_equal(pf.vf_mbx[0].limit.mutes, 1);
	assert_int_equal(fake_reg(IGB_MBVFIMR), 0xfe); /* VF 0 quiet, the others not */
	fake_advance_us(6000000);			  /* past the 5 s mute */
	igb_vf_service(&pf);
	assert_int_equal(fake_reg(IGB_MBVFIMR), 0xff);
	assert_int_equal(igb_irq_enable(&pf, 25), -EINVAL); /* the 82576 has entries 0..24 */
	assert_logged("irq refused entry=25 mac=82576 entries=25");
}

static void test_held_mailbox_is_left_alone(void **state)
{
	(void)state;
	fake_vf_hold(0, true);
	fake_set(IGB_MBVFICR, IGB_MBVFICR_VFREQ(0));
	igb_vf_service(&pf);
	assert_int_equal(pf.vf_mbx[0].messages, 0);
	assert_int_equal(pf.vf_mbx[0].busy, 1);
	assert_false(fake_vf_pf_wrote(0));
}

static void test_stats_accumulate_and_wrap(void **state)
{
	(void)state;
	igb_stats_reset(&pf);
	fake_set(IGB_GPRC, 5);
	fake_set(IGB_GORCL, 0xfffffff0);
	fake_set(IGB_GORCH, 1);
	fake_set(IGB_PVFGPRC(0), 0xfffffff0);
	igb_stats_update(&pf);
	assert_int_equal(pf.hw_stats.v[IGB_STAT_GPRC], 5);
	assert_int_equal(pf.hw_stats.v[IGB_STAT_GORC], 0x1fffffff0ULL);
	assert_int_equal(fake_reg(IGB_GPRC), 0);
	fake_set(IGB_GPRC, 3);
	fake_set(IGB_PVFGPRC(0), 0x10); /* wrapped: 0x20 more */
	igb_stats_update(&pf);
	assert_int_equal(pf.hw_stats.v[IGB_STAT_GPRC], 8);
	assert_int_equal(pf.hw_stats.pool[0][IGB_POOL_GPRC], 0xfffffff0ULL + 0x20);
	assert_string_equal(igb_stat_name(IGB_STAT_GOTC), "gotc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_switch_init_layout, setup),
	    cmocka_unit_test_setup(test_reset_handshake_gives_the_port_mac, setup),
	    cmocka_unit_test_setup(test_vf_without_port_is_nacked, setup),
	    cmocka_unit_test_setup(test_request_before_reset_is_nacked_without_cts, setup),
	    cmocka_unit_test_setup(test_mac_change_refused_keeps_the_filter, setup),
	    cmocka_unit_test_setup(test_mac_change_allowed_moves_the_filter, setup),
	    cmocka_unit_test_setup(test_another_ports_mac_is_refused, setup),
	    cmocka_unit_test_setup(test_vlan_and_multicast_programmed, setup),
	    cmocka_unit_test_setup(test_port_vlan_tags_and_filters, setup),
	    cmocka_unit_test_setup(test_hostile_vf_does_not_starve_the_other, setup),
	    cmocka_unit_test_setup(test_reset_request_posted_while_the_level_reset_is_handled, setup),
	    cmocka_unit_test_setup(test_level_reset_quiets_the_pool, setup),
	    cmocka_unit_test_setup(test_held_mailbox_is_left_alone, setup),
	    cmocka_unit_test_setup(test_detached_vf_keeps_the_mac_on_the_pf, setup),
	    cmocka_unit_test_setup(test_pf_reset_scrubs_the_pool, setup),
	    cmocka_unit_test_setup(test_irq_routes_mailbox_and_quiets_a_muted_vf, setup),
	    cmocka_unit_test_setup(test_stats_accumulate_and_wrap, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
