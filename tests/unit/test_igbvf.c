/*
 * The VF driver (drivers/nic/igbvf*.c) against a fake VF joined to the
 * parent's real PF mailbox service and switch policy (fake_igbvf.c over
 * fake_igb.c): the reset handshake gives the port's MAC and enables the
 * pool, requests the port's policy grants or refuses come back as 0 or
 * -EPERM and change (or don't) the PF's filters; a scripted PF for what
 * the real one never does (silence, stray messages, malformed replies, no
 * CTS); and the rings: frames out with DD written back, frames in, bad
 * write-backs dropped, a full ring, the stop before revocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "tests/unit/fake_igbvf.h"
#include "tests/unit/log_capture.h"
#include "hv/errno.h"

static struct igb_pf pf;
static struct switch_port ports[2];
static struct igbvf vf;
static struct igbvf_ring_mem mem;
static const struct mac_addr pf_mac = {{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
static const struct mac_addr mac0 = {{0x02, 0x54, 0x00, 0x12, 0x34, 0x01}};
static const struct mac_addr mac1 = {{0x02, 0x54, 0x00, 0x12, 0x34, 0x02}};
static const uint8_t new_mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

static uint8_t rx_seen[4][IGBVF_BUF_SIZE];
static size_t rx_len[4];
static unsigned rx_count;

static void real_pf(void)
{
	igb_vf_service(&pf);
}

static void pf_setup(void)
{
	struct port_policy closed, open;

	fake_igb_reset();
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
	/* Both VFs held by children: their own addresses steer to their pools. */
	assert_int_equal(igb_vf_attach(&pf, 0, true), 0);
	assert_int_equal(igb_vf_attach(&pf, 1, true), 0);
}

/* The VF under test is VF vfn of the PF, answered by poll (NULL: a silent PF). */
static void vf_setup(unsigned vfn, void (*poll)(void))
{
	log_capture_reset();
	pf_setup();
	fake_igbvf_init(vfn, poll);
	assert_int_equal(igbvf_probe(&vf, fake_igbvf_bar0()), 0);
	memset(&mem, 0, sizeof(mem));
	rx_count = 0;
}

static int setup_vf0(void **state)
{
	(void)state;
	vf_setup(0, real_pf);
	return 0;
}

static int setup_vf1(void **state)
{
	(void)state;
	vf_setup(1, real_pf);
	return 0;
}

static void assert_logged(const char *text)
{
	if (!log_capture_contains(text))
		fail_msg("not logged: \"%s\"\nlog:\n%s", text, log_capture_text());
}

static int rar_of(const uint8_t *m)
{
	uint32_t lo = m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24;
	uint32_t hi = m[4] | m[5] << 8;

	for (unsigned i = 0; i < IGB_RAR_ENTRIES_82576; i++)
		if (fake_reg(IGB_RAL(i)) == lo && (fake_reg(IGB_RAH(i)) & 0xffff) == hi &&
		    (fake_reg(IGB_RAH(i)) & IGB_RAH_AV))
			return (int)i;
	return -1;
}

/* --- Reset handshake with the real PF ----------------------------------- */

static void test_reset_gets_the_port_mac_and_the_pool(void **state)
{
	(void)state;
	assert_int_equal(igbvf_reset(&vf), 0);
	assert_memory_equal(vf.mac, mac0.b, 6);
	assert_true(vf.mac_valid && vf.cts);
	/* The PF saw the level reset, then granted the reset message and enabled pool 0. */
	assert_logged("vf level reset vf=0 port=child1");
	assert_logged("vf reset vf=0 port=child1 mac=02:54:00:12:34:01 reply=ack");
	assert_true(fake_reg(IGB_VFTE) & 1);
	assert_true(fake_reg(IGB_VFRE) & 1);
	/* One poll of the PF answers it: the handshake is bounded by the PF's period. */
	assert_true(vf.handshake_us <= 2 * FAKE_PF_POLL_US);
	assert_int_equal(vf.c.mbx_sent, 1);
	assert_int_equal(vf.c.mbx_acked, 1);
	/* The mailbox is left free for the PF. */
	assert_false(fake_reg(IGB_P2VMAILBOX(0)) & IGB_P2VMAILBOX_VFU);
}

static void test_reset_without_port_is_refused(void **state)
{
	(void)state;
	assert_int_equal(igb_vf_bind_port(&pf, 0, NULL), 0);
	assert_int_equal(igbvf_reset(&vf), -EPERM);
	assert_false(vf.mac_valid || vf.cts);
	assert_int_equal(vf.c.mbx_nacked, 1);
	assert_int_equal(igbvf_start(&vf, &mem, NULL, NULL), -EINVAL);
	assert_int_equal(igbvf_set_mac(&vf, new_mac), -ENOTCONN);
	assert_int_equal(vf.c.mbx_sent, 1); /* no request without CTS */
}

static void on_rx(void *ctx, const void *frame, size_t len);

static void test_start_needs_an_acknowledged_reset(void **state)
{
	(void)state;
	assert_int_equal(igbvf_start(&vf, &mem, on_rx, NULL), -ENOTCONN);
	assert_int_equal(igbvf_send(&vf, "x", 1), -ENOTCONN);
}

static void test_mac_change_refused_by_the_port(void **state)
{
	(void)state;
	assert_int_equal(igbvf_reset(&vf), 0);
	assert_int_equal(igbvf_set_mac(&vf, new_mac), -EPERM);
	assert_memory_equal(vf.mac, mac0.b, 6);
	assert_true(rar_of(mac0.b) >= 0);
	assert_int_equal(rar_of(new_mac), -1);
	assert_true(vf.cts); /* refused, not forgotten */
	assert_logged("mbx refused vf=0 port=child1");
}

static void test_mac_change_granted_moves_the_filter(void **state)
{
	(void)state;
	assert_int_equal(igbvf_reset(&vf), 0);
	assert_memory_equal(vf.mac, mac1.b, 6);
	assert_int_equal(igbvf_set_mac(&vf, new_mac), 0);
	assert_memory_equal(vf.mac, new_mac, 6);
	assert_true(rar_of(new_mac) >= 0);
	assert_int_equal(rar_of(mac1.b), -1);
	/* Not a station address: refused before anything is sent. */
	uint8_t mc[6] = {0x01, 0, 0x5e, 0, 0, 1};
	uint64_t sent = vf.c.mbx_sent;

	assert_int_equal(igbvf_set_mac(&vf, mc), -EINVAL);
	assert_int_equal(vf.c.mbx_sent, sent);
}

static void test_vlan_multicast_lpe_follow_the_policy(void **state)
{
	static const uint8_t groups[2][6] = {{0x01, 0, 0x5e, 0, 0, 0xfb}, {0x33, 0x33, 0, 0, 0, 1}};
	uint16_t hash = (uint16_t)(((groups[0][4] >> 4) | (groups[0][5] << 4)) & 0xfff);

	(void)state;
	assert_int_equal(igbvf_reset(&vf), 0);
	assert_int_equal(igbvf_set_vlan(&vf, 100, true), 0);
	assert_int_equal(igbvf_set_vlan(&vf, 4096, true), -EINVAL);
	assert_int_equal(igbvf_set_multicast(&vf, groups, 2), 0);
	assert_true(fake_reg(IGB_MTA(hash >> 5)) & (1u << (hash & 31)));
	assert_int_equal(igbvf_set_lpe(&vf, 1522), 0);
	assert_int_equal(igbvf_set_lpe(&vf, 10), -EINVAL);
	assert_int_equal(igbvf_set_lpe(&vf, IGB_MBX_LPE_MAX + 1), -EINVAL);
}

static void test_vlan_refused_by_a_closed_port(void **state)
{
	(void)state;
	assert_int_equal(igbvf_reset(&vf), 0);
	assert_int_equal(igbvf_set_vlan(&vf, 100, true), -EPERM);
}

/* --- A scripted PF ------------------------------------------------------ */

enum script { SILENT, STRAY_THEN_ACK, BOTH_FLAGS, MULTICAST_MAC, ACK_NO_CTS };
static enum script script;
static unsigned script_step;

/* Reads the VF's request (if any) as the PF does; returns its word 0 or 0. */
static uint32_t take_request(void)
{
	uint32_t words[IGB_MBX_WORDS];

	if (!(igb_mbx_pending_msgs(&pf) & 1))
		return 0;
	igb_mbx_clear_msg(&pf, 0);
	assert_int_equal(igb_mbx_read(&pf, 0, words, IGB_MBX_WORDS), IGB_MBX_WORDS);
	return words[0];
}

static void reply_words(uint32_t w0, uint32_t w1, uint32_t w2)
{
	uint32_t w[3] = {w0, w1, w2};

	assert_int_equal(igb_mbx_write(&pf, 0, w, 3), 0);
}

static void scripted_pf(void)
{
	uint32_t req;

	if (script_step == 1 && script == STRAY_THEN_ACK) {
		reply_words(IGB_MBX_VF_RESET | IGB_MBX_ACK, 0x12005402, 0x0134);
		script_step++;
		return;
	}
	req = take_request();
	if (!req)
		return;
	script_step++;
	if (script == STRAY_THEN_ACK)
		reply_words(IGB_MBX_PF_CONTROL_MSG, 0, 0);
	else if (script == BOTH_FLAGS)
		reply_words(req | IGB_MBX_ACK | IGB_MBX_NACK, 0, 0);
	else if (script == MULTICAST_MAC)
		reply_words(req | IGB_MBX_ACK, 0x12005401, 0x0134);
	else if (script == ACK_NO_CTS)
		reply_words((req & IGB_MBX_ID_MASK) == IGB_MBX_VF_RESET ? req | IGB_MBX_ACK
									: req | IGB_MBX_NACK,
			    0x12005402, 0x0134);
}

static void script_setup(enum script s)
{
	vf_setup(0, scripted_pf);
	script = s;
	script_step = 0;
}

static void test_silent_pf_times_out(void **state)
{
	uint64_t start;

	(void)state;
	vf_setup(0, NULL);
	start = igb_now_us();
	assert_int_equal(igbvf_reset(&vf), -ETIMEDOUT);
	assert_true(igb_now_us() - start <= IGBVF_MBX_TIMEOUT_US + 1000);
	assert_int_equal(vf.c.mbx_timeouts, 1);
	assert_false(vf.mac_valid);
	assert_logged("mbx no answer id=0x1");
}

static void test_pf_in_reset_times_out(void **state)
{
	(void)state;
	vf_setup(0, real_pf);
	fake_igbvf_rsti(true);
	assert_int_equal(igbvf_reset(&vf), -ETIMEDOUT);
	assert_int_equal(vf.c.mbx_sent, 0);
	assert_logged("reset pf busy");
}

static void test_stray_pf_message_is_skipped(void **state)
{
	static const uint8_t want[6] = {0x02, 0x54, 0x00, 0x12, 0x34, 0x01};

	(void)state;
	script_setup(STRAY_THEN_ACK);
	assert_int_equal(igbvf_reset(&vf), 0);
	assert_memory_equal(vf.mac, want, 6);
	assert_int_equal(vf.c.mbx_stray, 1);
}

static void test_reply_with_both_flags_is_malformed(void **state)
{
	(void)state;
	script_setup(BOTH_FLAGS);
	assert_int_equal(igbvf_reset(&vf), -EPROTO);
	assert_int_equal(vf.c.mbx_malformed, 1);
	assert_false(vf.mac_valid);
}

static void test_multicast_mac_in_reset_reply_is_refused(void **state)
{
	(void)state;
	script_setup(MULTICAST_MAC);
	assert_int_equal(igbvf_reset(&vf), -EPROTO);
	assert_false(vf.mac_valid);
	assert_logged("reset reply bad mac");
}

static void test_nack_without_cts_asks_for_a_reset(void **state)
{
	(void)state;
	script_setup(ACK_NO_CTS);
	assert_int_equal(igbvf_reset(&vf), 0);
	assert_int_equal(igbvf_set_vlan(&vf, 5, true), -ENOTCONN);
	assert_false(vf.cts);
	assert_logged("pf wants a reset");
}

/* --- Rings --------------------------------------------------------------- */

static void on_rx(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	if (rx_count < 4) {
		memcpy(rx_seen[rx_count], frame, len);
		rx_len[rx_count] = len;
	}
	rx_count++;
}

static void up(void)
{
	assert_int_equal(igbvf_reset(&vf), 0);
	assert_int_equal(igbvf_start(&vf, &mem, on_rx, NULL), 0);
}

static void frame(uint8_t *f, size_t len, unsigned seq)
{
	memset(f, 0, len);
	memset(f, 0xff, 6);
	memcpy(f + 6, vf.mac, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	f[14] = (uint8_t)seq;
}

static void test_rings_programmed(void **state)
{
	(void)state;
	up();
	assert_int_equal(fake_igbvf_reg(IGB_VF_TDBAL(0)), (uint32_t)(uintptr_t)mem.txd);
	assert_int_equal(fake_igbvf_reg(IGB_VF_TDBAH(0)), (uint32_t)((uintptr_t)mem.txd >> 32));
	assert_int_equal(fake_igbvf_reg(IGB_VF_TDLEN(0)), sizeof(mem.txd));
	assert_int_equal(fake_igbvf_reg(IGB_VF_RDBAL(0)), (uint32_t)(uintptr_t)mem.rxd);
	assert_int_equal(fake_igbvf_reg(IGB_VF_RDLEN(0)), sizeof(mem.rxd));
	assert_int_equal(fake_igbvf_reg(IGB_VF_SRRCTL(0)),
			 2 | IGB_SRRCTL_DESCTYPE_ADV1 | IGB_SRRCTL_DROP_EN);
	assert_int_equal(fake_igbvf_reg(IGB_VF_RDT(0)), IGBVF_RX_DESCS - 1);
	assert_true(fake_igbvf_reg(IGB_VF_TXDCTL(0)) & IGB_TXDCTL_ENABLE);
	assert_true(fake_igbvf_reg(IGB_VF_RXDCTL(0)) & IGB_RXDCTL_ENABLE);
	for (unsigned i = 0; i < IGBVF_RX_DESCS; i++)
		assert_int_equal(mem.rxd[i].read.pkt_addr, (uintptr_t)mem.rx_buf[i]);
}

static void test_frames_out_padded_with_dd_reclaimed(void **state)
{
	uint8_t f[IGBVF_FRAME_MAX];

	(void)state;
	up();
	for (unsigned i = 0; i < 3; i++) {
		frame(f, 20, i);
		assert_int_equal(igbvf_send(&vf, f, 20), 0);
	}
	frame(f, sizeof(f), 9);
	assert_int_equal(igbvf_send(&vf, f, sizeof(f)), 0);
	assert_int_equal(fake_igbvf_tx_count(), 4);
	for (unsigned i = 0; i < 3; i++) {
		const struct fake_tx_frame *t = fake_igbvf_tx(i);

		assert_int_equal(t->len, IGBVF_FRAME_MIN); /* padded, FCS left to the VF */
		assert_memory_equal(t->data + 6, mac0.b, 6);
		assert_int_equal(t->data[14], i);
		assert_int_equal(t->data[20], 0);
	}
	assert_int_equal(fake_igbvf_tx(3)->len, IGBVF_FRAME_MAX);
	assert_true(mem.txd[0].cmd_type_len & IGB_TXD_DCMD_IFCS);
	igbvf_poll(&vf);
	assert_int_equal(vf.tx_clean, vf.tx_tail);
	assert_int_equal(vf.c.tx_frames, 4);
	assert_int_equal(igbvf_send(&vf, f, 13), -EINVAL);
	assert_int_equal(igbvf_send(&vf, f, IGBVF_FRAME_MAX + 1), -EINVAL);
	assert_int_equal(vf.c.tx_rejected, 2);
}

static void test_tx_needs_the_pool_enabled_by_the_pf(void **state)
{
	uint8_t f[64];

	(void)state;
	up();
	fake_set(IGB_VFTE, 0); /* the PF quieted our pool */
	frame(f, sizeof(f), 1);
	assert_int_equal(igbvf_send(&vf, f, sizeof(f)), 0);
	assert_int_equal(fake_igbvf_tx_count(), 0);
	igbvf_poll(&vf);
	assert_int_not_equal(vf.tx_clean, vf.tx_tail); /* no DD: still the VF's */
}

static void test_full_tx_ring(void **state)
{
	uint8_t f[64];

	(void)state;
	up();
	fake_igbvf_tx_pause(true);
	frame(f, sizeof(f), 0);
	for (unsigned i = 0; i < IGBVF_TX_DESCS - 1; i++)
		assert_int_equal(igbvf_send(&vf, f, sizeof(f)), 0);
	assert_int_equal(igbvf_send(&vf, f, sizeof(f)), -ENOSPC);
	assert_int_equal(vf.c.tx_full, 1);
	fake_igbvf_tx_pause(false);
	fake_igbvf_set(IGB_VF_TDT(0), fake_igbvf_reg(IGB_VF_TDT(0)));
	igbvf_wr(&vf.hw, IGB_VF_TDT(0), vf.tx_tail); /* the VF catches up */
	assert_int_equal(igbvf_send(&vf, f, sizeof(f)), 0);
	assert_int_equal(fake_igbvf_tx_count(), IGBVF_TX_DESCS);
}

static void test_frames_in_and_bad_write_backs_dropped(void **state)
{
	uint8_t f[64];

	(void)state;
	up();
	frame(f, sizeof(f), 7);
	assert_int_equal(fake_igbvf_receive(f, sizeof(f), 0), 0);
	assert_int_equal(fake_igbvf_receive(f, sizeof(f), IGB_RXD_ERR_RXE), 0);
	assert_int_equal(fake_igbvf_receive(f, IGBVF_BUF_SIZE + 1, 0), 0);
	assert_int_equal(fake_igbvf_receive(f, 60, 0), 0);
	assert_int_equal(igbvf_poll(&vf), 2);
	assert_int_equal(rx_count, 2);
	assert_int_equal(rx_len[0], 64);
	assert_memory_equal(rx_seen[0], f, 64);
	assert_int_equal(vf.c.rx_errors, 2);
	assert_int_equal(vf.rx_next, 4);
	/* Given back: RDT just behind the next slot, all four re-armed. */
	assert_int_equal(fake_igbvf_reg(IGB_VF_RDT(0)), 3);
	assert_int_equal(mem.rxd[2].read.pkt_addr, (uintptr_t)mem.rx_buf[2]);
	assert_int_equal(mem.rxd[2].read.hdr_addr, 0);
}

static void test_rx_ring_wraps(void **state)
{
	uint8_t f[64];

	(void)state;
	up();
	frame(f, sizeof(f), 1);
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < IGBVF_RX_DESCS - 1; i++)
			assert_int_equal(fake_igbvf_receive(f, sizeof(f), 0), 0);
		assert_int_equal(fake_igbvf_receive(f, sizeof(f), 0), -ENOSPC);
		assert_int_equal(igbvf_poll(&vf), IGBVF_RX_DESCS - 1);
	}
	assert_int_equal(vf.c.rx_frames, 3 * (IGBVF_RX_DESCS - 1));
}

static void test_stop_quiesces_and_tells_the_pf(void **state)
{
	uint8_t f[64];

	(void)state;
	up();
	assert_int_equal(igbvf_irq_enable(&vf, 0), 0);
	fake_set(IGB_VFLRE, 0);
	assert_int_equal(igbvf_stop(&vf), 0);
	assert_false(fake_igbvf_reg(IGB_VF_TXDCTL(0)) & IGB_TXDCTL_ENABLE);
	assert_false(fake_igbvf_reg(IGB_VF_RXDCTL(0)) & IGB_RXDCTL_ENABLE);
	assert_int_equal(fake_igbvf_reg(IGB_VF_EIMC), IGBVF_EIMS_ALL);
	assert_true(fake_reg(IGB_VFLRE) & 1);
	frame(f, sizeof(f), 1);
	assert_int_equal(igbvf_send(&vf, f, sizeof(f)), -ENOTCONN);
	assert_int_equal(igbvf_poll(&vf), 0);
	/* The PF quiets the pool at its next poll. */
	igb_vf_service(&pf);
	assert_false(fake_reg(IGB_VFTE) & 1);
}

static void test_msix_causes_mapped(void **state)
{
	(void)state;
	assert_int_equal(igbvf_irq_enable(&vf, 0), 0);
	assert_int_equal(fake_igbvf_reg(IGB_VF_IVAR0), 0x8080);
	assert_int_equal(fake_igbvf_reg(IGB_VF_IVAR_MISC), 0x80);
	assert_int_equal(fake_igbvf_reg(IGB_VF_EIMS), 1);
	assert_int_equal(igbvf_irq_enable(&vf, 2), 0);
	assert_int_equal(fake_igbvf_reg(IGB_VF_IVAR0), 0x8282);
	assert_int_equal(igbvf_irq_enable(&vf, 3), -EINVAL);
	assert_int_equal(igbvf_probe(&vf, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_reset_gets_the_port_mac_and_the_pool, setup_vf0),
	    cmocka_unit_test_setup(test_reset_without_port_is_refused, setup_vf0),
	    cmocka_unit_test_setup(test_start_needs_an_acknowledged_reset, setup_vf0),
	    cmocka_unit_test_setup(test_mac_change_refused_by_the_port, setup_vf0),
	    cmocka_unit_test_setup(test_mac_change_granted_moves_the_filter, setup_vf1),
	    cmocka_unit_test_setup(test_vlan_multicast_lpe_follow_the_policy, setup_vf1),
	    cmocka_unit_test_setup(test_vlan_refused_by_a_closed_port, setup_vf0),
	    cmocka_unit_test(test_silent_pf_times_out),
	    cmocka_unit_test(test_pf_in_reset_times_out),
	    cmocka_unit_test(test_stray_pf_message_is_skipped),
	    cmocka_unit_test(test_reply_with_both_flags_is_malformed),
	    cmocka_unit_test(test_multicast_mac_in_reset_reply_is_refused),
	    cmocka_unit_test(test_nack_without_cts_asks_for_a_reset),
	    cmocka_unit_test_setup(test_rings_programmed, setup_vf0),
	    cmocka_unit_test_setup(test_frames_out_padded_with_dd_reclaimed, setup_vf0),
	    cmocka_unit_test_setup(test_tx_needs_the_pool_enabled_by_the_pf, setup_vf0),
	    cmocka_unit_test_setup(test_full_tx_ring, setup_vf0),
	    cmocka_unit_test_setup(test_frames_in_and_bad_write_backs_dropped, setup_vf0),
	    cmocka_unit_test_setup(test_rx_ring_wraps, setup_vf0),
	    cmocka_unit_test_setup(test_stop_quiesces_and_tells_the_pf, setup_vf0),
	    cmocka_unit_test_setup(test_msix_causes_mapped, setup_vf0),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
