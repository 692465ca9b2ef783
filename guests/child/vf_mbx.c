/*
 * The VF side of the 82576 mailbox, raw (see vf_mbx.h): what Linux's igbvf
 * does in e1000_write_posted_mbx / e1000_read_posted_mbx, with the words
 * under the test's control. Registers in VF BAR0 (igbvf regs.h, QEMU
 * hw/net/igbvf.c): V2PMAILBOX at 0x0C40, the 16-word buffer at 0x0800.
 * The VF takes the buffer with VFU (granted while the PF doesn't hold it),
 * rings REQ (which also releases it) and waits for PFACK; a reply is
 * announced by PFSTS, read under VFU and acknowledged with ACK. PFSTS,
 * PFACK and RSTD clear when read, so every read is remembered.
 */
#include "guests/lib/guest.h"
#include "guests/child/vf_mbx.h"
#include "drivers/nic/igb_mbx_proto.h"
#include "drivers/nic/igb_regs.h"

#define LOCK_TRIES    100
#define ACK_WAIT_US   1000000 /* the PF answers on its interrupt, or on its 20 Hz tick */
#define REPLY_WAIT_US 1000000
#define POLL_US	      200
#define OPS_MAX	      64

static volatile uint32_t *regs;
static uint32_t seen;	 /* read-to-clear bits seen and not yet consumed */
static uint64_t last_us; /* how long the last request took, to its answer */

static uint32_t mbx_read(void)
{
	seen |= regs[IGB_VF_V2PMAILBOX / 4];
	return seen;
}

static bool take(uint32_t bit)
{
	bool got = mbx_read() & bit;

	seen &= ~bit;
	return got;
}

static bool wait_bit(uint32_t bit, uint64_t max_us)
{
	for (uint64_t t = 0; t < max_us; t += POLL_US) {
		if (take(bit))
			return true;
		tsc_delay_us(POLL_US);
	}
	return false;
}

static bool lock(void)
{
	for (unsigned i = 0; i < LOCK_TRIES; i++) {
		regs[IGB_VF_V2PMAILBOX / 4] = IGB_V2PMAILBOX_VFU;
		if (mbx_read() & IGB_V2PMAILBOX_VFU)
			return true;
		tsc_delay_us(POLL_US);
	}
	return false;
}

/* Posts n words and waits for the PF to take them: 0, -EBUSY (no buffer), -ETIMEDOUT. */
static int post(const uint32_t *w, unsigned n)
{
	/* An old acknowledgement or reply must not count for this one. */
	take(IGB_V2PMAILBOX_PFACK | IGB_V2PMAILBOX_PFSTS);
	if (!lock())
		return -EBUSY;
	for (unsigned i = 0; i < n; i++)
		regs[IGB_VF_VMBMEM / 4 + i] = w[i];
	regs[IGB_VF_V2PMAILBOX / 4] = IGB_V2PMAILBOX_REQ; /* without VFU: released */
	/*
	 * The PF took it: its ACK, or already its reply (a PF that acknowledges
	 * and answers at once may leave only PFSTS for us to see).
	 */
	for (uint64_t t = 0; t < ACK_WAIT_US; t += POLL_US) {
		if (mbx_read() & (IGB_V2PMAILBOX_PFACK | IGB_V2PMAILBOX_PFSTS)) {
			take(IGB_V2PMAILBOX_PFACK); /* PFSTS stays for reply() */
			return 0;
		}
		tsc_delay_us(POLL_US);
	}
	return -ETIMEDOUT;
}

/* Waits for the PF's reply and reads n words of it. */
static int reply(uint32_t *w, unsigned n)
{
	if (!wait_bit(IGB_V2PMAILBOX_PFSTS, REPLY_WAIT_US))
		return -ETIMEDOUT;
	if (!lock())
		return -EBUSY;
	for (unsigned i = 0; i < n; i++)
		w[i] = regs[IGB_VF_VMBMEM / 4 + i];
	regs[IGB_VF_V2PMAILBOX / 4] = IGB_V2PMAILBOX_ACK;
	return 0;
}

/* A request and the first word of its answer (0 when none came). */
static uint32_t request(const uint32_t *w, unsigned n, uint32_t *answer, unsigned answer_n)
{
	uint32_t first = 0;
	uint64_t start = tsc_us();
	int err = post(w, n);

	if (!err)
		err = reply(answer ? answer : &first, answer ? answer_n : 1);
	last_us = tsc_us() - start;
	if (err)
		return 0;
	return answer ? answer[0] : first;
}

static const char *verdict(uint32_t word)
{
	if (word & IGB_MBX_ACK)
		return "ack";
	return word & IGB_MBX_NACK ? "nack" : "none";
}

static void mac_text(const uint8_t *b, char *out)
{
	hv_snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

static void reset_handshake(void)
{
	uint32_t msg = IGB_MBX_VF_RESET, r[IGB_MBX_RESET_REPLY_WORDS] = {0};
	uint8_t mac[6];
	char text[18];
	uint32_t word;

	mbx_read(); /* forget what the PF announced before (its ready ping) */
	seen = 0;
	word = request(&msg, 1, r, IGB_MBX_RESET_REPLY_WORDS);
	memcpy(mac, &r[1], sizeof(mac));
	mac_text(mac, text);
	printf("vf mbx reset reply=%s word=0x%x mac=%s us=%lu\n", verdict(word), word, text,
	       last_us);
}

static int hex_byte(const char *s, uint8_t *out)
{
	unsigned v = 0;

	for (int i = 0; i < 2; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						    : 16u;

		if (d > 15)
			return -EINVAL;
		v = v * 16 + d;
	}
	*out = (uint8_t)v;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++, s += 3)
		if (hex_byte(s, &mac[i]) || s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
	return 0;
}

static void op_setmac(const char *arg)
{
	uint32_t w[IGB_MBX_MAC_WORDS] = {IGB_MBX_VF_SET_MAC_ADDR, 0, 0}, word;
	uint8_t mac[6];

	if (parse_mac(arg, mac)) {
		printf("vf mbx setmac error=bad-mac arg=%s\n", arg);
		return;
	}
	memcpy(&w[1], mac, sizeof(mac)); /* wire order, as igbvf copies it */
	word = request(w, IGB_MBX_MAC_WORDS, NULL, 0);
	printf("vf mbx setmac mac=%s reply=%s word=0x%x us=%lu\n", arg, verdict(word), word,
	       last_us);
}

static void op_vlan(const char *arg)
{
	uint64_t id;
	uint32_t w[IGB_MBX_VLAN_WORDS], word;

	if (parse_u64(arg, &id) || id > IGB_MBX_VLAN_ID_MASK) {
		printf("vf mbx vlan error=bad-id arg=%s\n", arg);
		return;
	}
	w[0] = IGB_MBX_VF_SET_VLAN | (uint32_t)IGB_MBX_VLAN_ADD << IGB_MBX_MSGINFO_SHIFT;
	w[1] = (uint32_t)id;
	word = request(w, IGB_MBX_VLAN_WORDS, NULL, 0);
	printf("vf mbx vlan id=%lu reply=%s word=0x%x us=%lu\n", id, verdict(word), word, last_us);
}

/*
 * n messages the PF must refuse as malformed: unknown ids, reserved bits,
 * reply flags a VF may not send. Replies aren't waited for; the PF's
 * acknowledgement (PFACK) is, so every message is really delivered.
 */
static void op_flood(const char *arg)
{
	static const uint32_t junk[] = {0x000000ee, 0x1f000002, 0x00ff0003, 0x0000beef};
	unsigned acked = 0, lost = 0;
	uint64_t n;

	if (parse_u64(arg, &n) || n == 0 || n > 10000) {
		printf("vf mbx flood error=bad-count arg=%s\n", arg);
		return;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint32_t w[IGB_MBX_WORDS];

		for (unsigned k = 0; k < IGB_MBX_WORDS; k++)
			w[k] = 0xa5a5a5a5u ^ (uint32_t)(i * 0x9e3779b9u + k);
		w[0] = junk[i % ARRAY_SIZE(junk)];
		if (post(w, IGB_MBX_WORDS))
			lost++;
		else
			acked++;
	}
	printf("vf mbx flood sent=%lu taken=%u lost=%u\n", n, acked, lost);
}

static void run_op(char *op)
{
	char *arg = op;

	while (*arg && *arg != ':')
		arg++;
	if (*arg)
		*arg++ = '\0';
	if (!strcmp(op, "reset"))
		return; /* the handshake alone: done before every list */
	if (!strcmp(op, "setmac"))
		op_setmac(arg);
	else if (!strcmp(op, "vlan"))
		op_vlan(arg);
	else if (!strcmp(op, "flood"))
		op_flood(arg);
	else
		printf("vf mbx error=unknown-op op=%s\n", op);
}

void vf_mbx_run(const char *cmdline, uint64_t bar0)
{
	char ops[OPS_MAX];
	char *op, *next;

	if (cmdline_get(cmdline, HV_GUEST_CMDLINE_LEN, "vf-mbx", ops, sizeof(ops)))
		return;
	regs = (volatile uint32_t *)(uintptr_t)bar0;
	reset_handshake();
	for (op = ops; *op; op = next) {
		for (next = op; *next && *next != ','; next++)
			;
		if (*next)
			*next++ = '\0';
		run_op(op);
	}
	printf("vf mbx done\n");
}
