/*
 * A child's network over an assigned VF: when vf_user.c has the offered VF
 * mapped, this resets it through the VF driver (drivers/nic/igbvf.h), which
 * gets the VF's MAC from the parent's PF driver, starts one TX and one RX
 * ring in the child's memory, maps the VF's causes to MSI-X entry 0 (the
 * interrupts are counted; frames are taken on the child's 100 Hz tick), and
 * prints `vf up`. Received frames go to the child's network (net_app.c),
 * which also sends through it once its bond moved to the VF. On
 * revocation it stops the VF before vf_user.c releases it. Options
 * (command line):
 *   vf-net=off        leave the VF alone (plumbing only)
 *   vf-mac=<mac>      ask the PF for this MAC after the reset
 *   vf-send=<count>   broadcast count frames, ethertype 0x88b5, "vf-frame <seq>"
 */
#include "guests/lib/guest.h"
#include "guests/child/child.h"
#include "drivers/nic/igbvf.h"

#define TEST_ETHERTYPE 0x88b5
#define SEND_MAX       1000
#define RX_PRINT_MAX   8
#define TX_DRAIN_US    200000

static struct igbvf vf;
static struct igbvf_ring_mem ring_mem;
static bool active;
static uint32_t active_bdf;
static volatile uint64_t irqs;
static char mac_text[18];

static const char *mac_str(const uint8_t *m)
{
	hv_snprintf(mac_text, sizeof(mac_text), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		    m[3], m[4], m[5]);
	return mac_text;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "aa:bb:cc:dd:ee:ff", nothing else. */
static int mac_parse(const char *s, uint8_t *mac)
{
	for (unsigned i = 0; i < IGBVF_ETH_ALEN; i++, s += 3) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (lo < 0 || s[2] != (i == IGBVF_ETH_ALEN - 1 ? '\0' : ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static bool option(const char *opts, const char *key, char *value, size_t size)
{
	return cmdline_get(opts, CHILD_CMDLINE_SIZE, key, value, size) == 0;
}

static void on_irq(struct trap_frame *frame)
{
	(void)frame;
	irqs++;
	apic_eoi();
}

static void on_rx(void *ctx, const void *frame, size_t len)
{
	const uint8_t *f = frame;
	char src[18];

	(void)ctx;
	net_app_rx(NVSP_PATH_VF, frame, len);
	if (vf.c.rx_frames > RX_PRINT_MAX)
		return;
	hv_snprintf(src, sizeof(src), "%s", mac_str(f + 6));
	printf("vf rx len=%lu dst=%s src=%s type=0x%04x\n", len, mac_str(f), src,
	       f[12] << 8 | f[13]);
}

static void set_mac(const char *opts)
{
	char arg[24];
	uint8_t mac[IGBVF_ETH_ALEN];
	int err;

	if (!option(opts, "vf-mac", arg, sizeof(arg)))
		return;
	if (mac_parse(arg, mac)) {
		printf("vf set-mac mac=%s result=error err=EINVAL\n", arg);
		return;
	}
	err = igbvf_set_mac(&vf, mac);
	printf("vf set-mac mac=%s result=%s%s%s mac_now=%s\n", arg,
	       !err	       ? "ok"
	       : err == -EPERM ? "refused"
			       : "error",
	       err && err != -EPERM ? " err=" : "", err && err != -EPERM ? errno_name(err) : "",
	       mac_str(vf.mac));
}

static int send_one(unsigned seq)
{
	uint8_t f[IGBVF_FRAME_MIN] = {0};
	int err;

	memset(f, 0xff, IGBVF_ETH_ALEN);
	memcpy(f + 6, vf.mac, IGBVF_ETH_ALEN);
	f[12] = TEST_ETHERTYPE >> 8;
	f[13] = TEST_ETHERTYPE & 0xff;
	hv_snprintf((char *)f + 14, sizeof(f) - 14, "vf-frame %u", seq);
	err = igbvf_send(&vf, f, sizeof(f));
	for (unsigned tries = 0; err == -ENOSPC && tries < 100; tries++) {
		tsc_delay_us(1000);
		igbvf_poll(&vf);
		err = igbvf_send(&vf, f, sizeof(f));
	}
	return err;
}

/* Waits (bounded) until the VF has written back every sent descriptor. */
static bool tx_drained(void)
{
	uint64_t start = tsc_us();

	do {
		igbvf_poll(&vf);
		if (vf.tx_clean == vf.tx_tail)
			return true;
		tsc_delay_us(1000);
	} while (tsc_us() - start < TX_DRAIN_US);
	return false;
}

static void send_frames(const char *opts)
{
	char arg[12];
	uint64_t count;
	unsigned sent = 0;
	int err = 0;

	if (!option(opts, "vf-send", arg, sizeof(arg)) || parse_u64(arg, &count))
		return;
	count = MIN(count, (uint64_t)SEND_MAX);
	for (unsigned seq = 0; seq < count && !err; seq++) {
		err = send_one(seq);
		sent += !err;
	}
	printf("vf sent n=%u of=%lu src=%s drained=%s%s%s\n", sent, count, mac_str(vf.mac),
	       tx_drained() ? "yes" : "no", err ? " err=" : "", err ? errno_name(err) : "");
}

static int bring_up(const char *opts)
{
	int err = igbvf_reset(&vf);

	printf("vf reset result=%s mac=%s handshake_us=%lu\n", err ? errno_name(err) : "ok",
	       vf.mac_valid ? mac_str(vf.mac) : "none", vf.handshake_us);
	if (err)
		return err;
	set_mac(opts);
	err = igbvf_start(&vf, &ring_mem, on_rx, NULL);
	if (err) {
		printf("vf start failed err=%s\n", errno_name(err));
		return err;
	}
	irq_set_handler(VF_NET_MSIX_VECTOR, on_irq);
	return igbvf_irq_enable(&vf, 0);
}

void vf_net_offered(uint32_t bdf, uint64_t bar0, const char *opts)
{
	char arg[8], buf[12];

	if (option(opts, "vf-net", arg, sizeof(arg)) && !strcmp(arg, "off"))
		return;
	if (igbvf_probe(&vf, (volatile void *)(uintptr_t)bar0) || bring_up(opts))
		return;
	active = true;
	active_bdf = bdf;
	printf("vf up bdf=%s mac=%s txd=0x%lx rxd=0x%lx rx=tick-poll irq=msix-entry-0\n",
	       bdf_format(bdf, buf, sizeof(buf)), mac_str(vf.mac), igbvf_dma_addr(ring_mem.txd),
	       igbvf_dma_addr(ring_mem.rxd));
	send_frames(opts);
	net_app_vf_ready(vf.mac);
}

static void print_stats(const char *why)
{
	printf("vf stats when=%s tx=%lu tx_bytes=%lu rx=%lu rx_errors=%lu irqs=%lu mbx_sent=%lu "
	       "mbx_acked=%lu mbx_nacked=%lu mbx_timeouts=%lu\n",
	       why, vf.c.tx_frames, vf.c.tx_bytes, vf.c.rx_frames, vf.c.rx_errors, irqs,
	       vf.c.mbx_sent, vf.c.mbx_acked, vf.c.mbx_nacked, vf.c.mbx_timeouts);
}

/* keep: the child keeps the VF, but must not touch it once it may be gone. */
void vf_net_revoking(uint32_t bdf, bool keep)
{
	int err;

	if (!active || bdf != active_bdf)
		return;
	active = false;
	print_stats("revoking");
	if (keep)
		return;
	err = igbvf_stop(&vf);
	printf("vf stopped result=%s\n", err ? errno_name(err) : "ok");
}

/*
 * One poll may deliver a whole RX ring, each frame maybe answered: while
 * the bond cannot hold that many (a switch under way) the frames wait in
 * the VF's ring. net_app_wait wakes on the tick, so the poll comes back.
 */
void vf_net_poll(void)
{
	if (active && net_app_rx_room() >= IGBVF_RX_DESCS + 4)
		igbvf_poll(&vf);
}

int vf_net_send(const void *frame, size_t len)
{
	int err;

	if (!active)
		return -ENOTCONN;
	err = igbvf_send(&vf, frame, len);
	return err == -ENOSPC ? -EAGAIN : err;
}

bool vf_net_tx_idle(void)
{
	if (!active)
		return true; /* stopped: nothing of ours is in it */
	igbvf_poll(&vf);
	return vf.tx_clean == vf.tx_tail;
}

uint64_t vf_net_irqs(void)
{
	return irqs;
}
