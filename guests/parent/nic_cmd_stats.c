/*
 * `nic stats` and `nic send`. The counters come from the NIC (igb_stats.c:
 * what the hardware counted, FCS included in octets) and from the driver;
 * tests compare them with the frames a peer outside the machine saw.
 */
#include "guests/lib/guest.h"
#include "guests/parent/nic.h"

#define TEST_ETHERTYPE 0x88b5 /* IEEE 802 local experimental */
#define TEST_FRAME_LEN 64     /* without FCS: 68 bytes on the wire */
#define SEND_MAX       64

static void print_hw(const struct igb_counters *c)
{
	char line[CONSOLE_LINE_MAX];
	struct strbuf sb = STRBUF_INIT(line, sizeof(line));

	strbuf_printf(&sb, "nic stats hw");
	for (unsigned s = 0; s < IGB_STAT_COUNT; s++) {
		strbuf_printf(&sb, " %s=%lu", igb_stat_name(s), c->v[s]);
		if (s == IGB_STAT_COUNT / 2) { /* two lines: the console cuts at 240 */
			printf("%s\n", line);
			sb = (struct strbuf)STRBUF_INIT(line, sizeof(line));
			strbuf_printf(&sb, "nic stats hw");
		}
	}
	printf("%s\n", line);
}

static void print_pool(const struct nic *n, unsigned pool)
{
	const struct switch_port *port = pool < IGB_MAX_VFS ? n->pf.vf_port[pool] : NULL;
	const uint64_t *v = n->pf.hw_stats.pool[pool];
	char owner[8] = "pf";

	if (pool != IGB_PF_POOL)
		hv_snprintf(owner, sizeof(owner), "vf%u", pool);
	printf("nic stats pool=%u owner=%s port=%s %s=%lu %s=%lu %s=%lu %s=%lu\n", pool, owner,
	       port ? port->name : "-", igb_pool_stat_name(IGB_POOL_GPRC), v[IGB_POOL_GPRC],
	       igb_pool_stat_name(IGB_POOL_GPTC), v[IGB_POOL_GPTC],
	       igb_pool_stat_name(IGB_POOL_GORC), v[IGB_POOL_GORC],
	       igb_pool_stat_name(IGB_POOL_GOTC), v[IGB_POOL_GOTC]);
}

static void print_mbx(const struct nic *n, unsigned vf)
{
	const struct igb_vf_mbx *m = &n->pf.vf_mbx[vf];

	printf("nic stats mbx vf=%u messages=%lu accepted=%lu refused=%lu malformed=%lu "
	       "dropped=%lu mutes=%lu acked=%lu nacked=%lu resets=%lu vflr=%lu busy=%lu cts=%u\n",
	       vf, m->messages, m->limit.accepted, m->limit.refused, m->limit.malformed,
	       m->limit.dropped, m->limit.mutes, m->acked, m->nacked, m->resets, m->vflr, m->busy,
	       m->cts);
}

void nic_cmd_stats(struct nic *n)
{
	const struct igb_pf *pf = &n->pf;
	const struct igb_sw_counters *sw = &pf->sw_stats;
	char mac[MAC_STR_LEN];

	igb_stats_update(&n->pf);
	printf("nic stats link=%s speed=%u duplex=%s link_changes=%u mac=%s pool=%u vfs=%u\n",
	       pf->link.up ? "up" : "down", pf->link.up ? pf->link.speed : 0,
	       pf->link.full_duplex ? "full" : "half", pf->link.changes, mac_format(&pf->mac, mac),
	       IGB_PF_POOL, pf->sriov.num_vfs);
	printf("nic stats irq mode=%s irqs=%lu\n", pf->irq_entry_bit ? "msix" : "poll",
	       nic_irq_count());
	print_hw(&pf->hw_stats);
	printf("nic stats sw tx_frames=%lu tx_bytes=%lu tx_busy=%lu tx_refused=%lu rx_frames=%lu "
	       "rx_bytes=%lu rx_errors=%lu rx_multi_buffer=%lu spoofed=%lu\n",
	       sw->tx_frames, sw->tx_bytes, sw->tx_busy, sw->tx_refused, sw->rx_frames,
	       sw->rx_bytes, sw->rx_errors, sw->rx_multi_buffer, sw->spoofed);
	print_pool(n, IGB_PF_POOL);
	for (unsigned vf = 0; vf < pf->sriov.num_vfs; vf++) {
		print_pool(n, vf);
		print_mbx(n, vf);
	}
}

/* A test frame: dst, the PF's MAC, the experimental ethertype, text, zero padding. */
static void build_frame(const struct nic *n, const struct mac_addr *dst, unsigned seq, uint8_t *f)
{
	memset(f, 0, TEST_FRAME_LEN);
	memcpy(f, dst->b, ETH_ALEN);
	memcpy(f + ETH_ALEN, n->pf.mac.b, ETH_ALEN);
	f[12] = TEST_ETHERTYPE >> 8;
	f[13] = TEST_ETHERTYPE & 0xff;
	hv_snprintf((char *)f + 14, TEST_FRAME_LEN - 14, "hv-pf-test seq=%u", seq);
}

static int parse_send(char *arg, unsigned *count, struct mac_addr *dst)
{
	char *word = arg, *next;
	uint64_t v;

	memset(dst->b, 0xff, ETH_ALEN);
	*count = 1;
	for (; *word; word = next) {
		for (next = word; *next && *next != ' '; next++)
			;
		if (*next)
			*next++ = '\0';
		if (!mac_parse(word, dst))
			continue;
		if (parse_u64(word, &v) || v == 0 || v > SEND_MAX)
			return -EINVAL;
		*count = (unsigned)v;
	}
	return 0;
}

void nic_cmd_send(struct nic *n, char *arg)
{
	uint8_t frame[TEST_FRAME_LEN];
	struct mac_addr dst;
	char text[MAC_STR_LEN];
	unsigned count, sent = 0;
	int err = parse_send(arg, &count, &dst);

	if (err) {
		printf("error %s usage=\"nic send [1..%u] [aa:bb:cc:dd:ee:ff]\"\n", errno_name(err),
		       SEND_MAX);
		return;
	}
	for (; sent < count; sent++) {
		build_frame(n, &dst, sent, frame);
		err = igb_tx_frame(&n->pf, frame, sizeof(frame));
		if (err)
			break;
	}
	printf("nic sent n=%u len=%u dst=%s%s%s\n", sent, TEST_FRAME_LEN, mac_format(&dst, text),
	       err ? " error=" : "", err ? errno_name(err) : "");
}
