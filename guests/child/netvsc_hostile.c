/*
 * A child that misuses its synthetic NIC, for the boot tests
 * (tests/boot/test_datapath.py): the parent must close or throttle its
 * channel and keep serving everyone else.
 *   hostile=ring    corrupts the indices it owns in the shared control
 *                   pages (the write index of its child->parent netvsc ring,
 *                   the read index of the parent->child one), then rings
 *   hostile=netmsg  sends well-formed frames with a forged source MAC (the
 *                   switch's anti-spoofing drops them), then malformed netvsc
 *                   messages (unknown type, lying lengths, out-of-range
 *                   fields, parent-only types)
 *   hostile=doorbells  rings the parent as fast as it can for flood_s seconds
 *                   (default 4), then serves its network again
 * Both first wait (bounded) for the synthetic NIC to be up, so the damage
 * lands on a working channel.
 */
#include "guests/lib/guest.h"
#include "guests/lib/vmbus_layout.h"
#include "guests/child/child.h"

#define UP_WAIT_US   30000000
#define NETMSG_COUNT 24
#define SPOOF_COUNT  4
#define FLOOD_S	     4

static bool wait_up(void)
{
	uint64_t start = tsc_us();

	while (!netvsc_ready() && tsc_us() - start < UP_WAIT_US) {
		net_app_poll();
		tsc_delay_us(1000);
	}
	if (!netvsc_ready())
		printf("hostile skipped reason=netvsc-not-up\n");
	return netvsc_ready();
}

void hostile_ring(const struct hv_guest_boot_info *bi, const char *cmdline)
{
	uint8_t *region;
	struct ring_ctrl *c2p, *p2c;
	uint32_t bad = VMBUS_NET_DATA_SIZE + 3 * RING_ALIGN;

	(void)bi;
	(void)cmdline;
	if (!wait_up())
		return;
	region = netvsc_region();
	c2p = (struct ring_ctrl *)(region + VMBUS_NET_C2P_OFFSET);
	p2c = (struct ring_ctrl *)(region + VMBUS_NET_P2C_OFFSET);
	printf("hostile ring write_index=0x%x->0x%x read_index=0x%x->0x%x\n",
	       __atomic_load_n(&c2p->write_index, __ATOMIC_RELAXED), bad,
	       __atomic_load_n(&p2c->read_index, __ATOMIC_RELAXED), bad + 4);
	__atomic_store_n(&c2p->write_index, bad, __ATOMIC_RELEASE);
	__atomic_store_n(&p2c->read_index, bad + 4, __ATOMIC_RELEASE);
	netvsc_kick();
}

struct raw_msg {
	struct nvsp_hdr hdr;
	uint8_t body[24];
} __packed;

/* Message i of the malformed sequence, its length in *len. */
static void malformed(unsigned i, struct raw_msg *m, size_t *len)
{
	memset(m, 0, sizeof(*m));
	m->hdr.version = NVSP_VERSION_1;
	m->hdr.len = sizeof(struct nvsp_frame);
	*len = sizeof(struct nvsp_frame);
	switch (i % 5) {
	case 0: /* a type nobody knows */
		m->hdr.type = 99;
		break;
	case 1: /* a frame whose header claims more than was sent */
		m->hdr.type = NVSP_FRAME;
		m->hdr.len = sizeof(struct nvsp_frame) + 100;
		m->body[0] = 100;
		break;
	case 2: /* a switch to a path that does not exist */
		m->hdr.type = NVSP_SWITCH_DATAPATH;
		m->body[4] = 7;
		break;
	case 3: /* a message only the parent may send */
		m->hdr.type = NVSP_SWITCH_ACK;
		m->hdr.len = sizeof(struct nvsp_switch_ack);
		*len = sizeof(struct nvsp_switch_ack);
		break;
	default: /* a version from the future */
		m->hdr.version = 9;
		m->hdr.type = NVSP_STATS_REQ;
	}
}

/* A broadcast from someone else's MAC: valid as a message, refused by the switch. */
static unsigned send_spoofed(void)
{
	static const uint8_t forged[NVSP_ETH_ALEN] = {0x02, 0xde, 0xad, 0xbe, 0xef, 0x01};
	uint8_t frame[60] = {0}, msg[sizeof(struct nvsp_frame) + sizeof(frame)];
	unsigned sent = 0;
	int len;

	memset(frame, 0xff, NVSP_ETH_ALEN);
	memcpy(frame + NVSP_ETH_ALEN, forged, NVSP_ETH_ALEN);
	frame[12] = 0x88; /* a local experimental EtherType */
	frame[13] = 0xb5;
	len = nvsp_encode_frame(msg, sizeof(msg), frame, sizeof(frame));
	for (unsigned i = 0; len > 0 && i < SPOOF_COUNT; i++)
		sent += netvsc_send_raw(msg, (size_t)len) == 0;
	printf("hostile spoofed sent=%u src=02:de:ad:be:ef:01\n", sent);
	return sent;
}

void hostile_netmsg(const struct hv_guest_boot_info *bi, const char *cmdline)
{
	struct raw_msg m;
	size_t len;
	unsigned sent = 0;

	(void)bi;
	(void)cmdline;
	if (!wait_up())
		return;
	send_spoofed();
	for (unsigned i = 0; i < NETMSG_COUNT; i++) {
		malformed(i, &m, &len);
		sent += netvsc_send_raw(&m, len) == 0;
	}
	netvsc_flush();
	netvsc_kick();
	printf("hostile netmsg sent=%u\n", sent);
}

void hostile_doorbells(const struct hv_guest_boot_info *bi, const char *cmdline)
{
	char val[8];
	uint64_t seconds = FLOOD_S, calls = 0, dropped = 0, end;

	(void)bi;
	if (!cmdline_get(cmdline, CHILD_CMDLINE_SIZE, "flood_s", val, sizeof(val)))
		parse_u64(val, &seconds);
	if (!wait_up())
		return;
	end = tsc_us() + MIN(seconds, (uint64_t)30) * 1000000;
	while (tsc_us() < end) {
		dropped += netvsc_kick() == -EAGAIN;
		calls++;
	}
	printf("hostile doorbells calls=%lu dropped=%lu\n", calls, dropped);
}
