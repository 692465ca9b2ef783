/*
 * Mailbox message decoding and reply encoding (see mbx_decode.h). Each id
 * has one small decoder; the common header checks run first so a decoder
 * only looks at its own fields.
 */
#include "drivers/nic/mbx_decode.h"
#include "hv/errno.h"
#include "hv/string.h"

/* Records why a message is refused and returns the code, in one statement. */
static int refuse(const char **why, const char *text, int err)
{
	*why = text;
	return err;
}

/* --- Ethernet addresses ------------------------------------------------ */

bool mac_is_zero(const struct mac_addr *m)
{
	for (unsigned i = 0; i < ETH_ALEN; i++)
		if (m->b[i])
			return false;
	return true;
}

bool mac_is_multicast(const struct mac_addr *m)
{
	return m->b[0] & 0x01; /* the I/G bit; broadcast is multicast too */
}

bool mac_is_valid_unicast(const struct mac_addr *m)
{
	return !mac_is_zero(m) && !mac_is_multicast(m);
}

bool mac_equal(const struct mac_addr *a, const struct mac_addr *b)
{
	return memcmp(a->b, b->b, ETH_ALEN) == 0;
}

static char hex_digit(unsigned v)
{
	return (char)(v < 10 ? '0' + v : 'a' + v - 10);
}

char *mac_format(const struct mac_addr *m, char *buf)
{
	for (unsigned i = 0; i < ETH_ALEN; i++) {
		buf[i * 3] = hex_digit(m->b[i] >> 4);
		buf[i * 3 + 1] = hex_digit(m->b[i] & 0xF);
		buf[i * 3 + 2] = i + 1 < ETH_ALEN ? ':' : '\0';
	}
	return buf;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mac_parse(const char *s, struct mac_addr *out)
{
	struct mac_addr m;

	for (unsigned i = 0; i < ETH_ALEN; i++) {
		const char *p = s + i * 3;
		int hi = hex_value(p[0]);
		int lo = hi < 0 ? -1 : hex_value(p[1]);
		char sep = i + 1 < ETH_ALEN ? ':' : '\0';

		if (lo < 0 || p[2] != sep)
			return -EINVAL;
		m.b[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = m;
	return 0;
}

/* --- Field layout ------------------------------------------------------- */

/* Words 1..2 carry the 6 bytes in memory order of a little-endian CPU. */
static struct mac_addr mac_from_words(uint32_t w1, uint32_t w2)
{
	struct mac_addr m;

	for (unsigned i = 0; i < 4; i++)
		m.b[i] = (uint8_t)(w1 >> (8 * i));
	m.b[4] = (uint8_t)w2;
	m.b[5] = (uint8_t)(w2 >> 8);
	return m;
}

static void mac_to_words(const struct mac_addr *m, uint32_t *w1, uint32_t *w2)
{
	*w1 = (uint32_t)m->b[0] | (uint32_t)m->b[1] << 8 | (uint32_t)m->b[2] << 16 |
	      (uint32_t)m->b[3] << 24;
	*w2 = (uint32_t)m->b[4] | (uint32_t)m->b[5] << 8;
}

/* Hash i: word 1 + i / 2, low half for even i (a packed u16 array on LE). */
static uint16_t mc_hash_at(const uint32_t *words, unsigned i)
{
	uint32_t w = words[1 + i / 2];

	return (uint16_t)(i % 2 ? w >> 16 : w & 0xFFFF);
}

static unsigned mc_words(unsigned count)
{
	return 1 + (count + 1) / 2;
}

/* --- Per-id decoders ---------------------------------------------------- */

static int decode_reset(unsigned info, struct mbx_request *out, const char **why)
{
	if (info)
		return refuse(why, "reset with msginfo bits", -EINVAL);
	out->kind = MBX_REQ_RESET;
	return 0;
}

static int decode_mac(const uint32_t *w, unsigned n, unsigned info, struct mbx_request *out,
		      const char **why)
{
	if (info > IGB_MBX_MAC_FILTER_ADD)
		return refuse(why, "unknown set-mac sub-command", -EINVAL);
	if (n < IGB_MBX_MAC_WORDS)
		return refuse(why, "set-mac shorter than 3 words", -EBADMSG);
	if (w[2] >> 16)
		return refuse(why, "reserved bits in MAC word", -EINVAL);
	if (info == IGB_MBX_MAC_FILTER_CLR) {
		out->kind = MBX_REQ_MAC_FILTER_CLEAR;
		return 0;
	}
	out->u.mac = mac_from_words(w[1], w[2]);
	if (mac_is_zero(&out->u.mac))
		return refuse(why, "all-zero MAC", -EINVAL);
	if (mac_is_multicast(&out->u.mac))
		return refuse(why, "multicast MAC", -EINVAL);
	out->kind = info == IGB_MBX_MAC_SET ? MBX_REQ_SET_MAC : MBX_REQ_MAC_FILTER_ADD;
	return 0;
}

static int decode_multicast(const uint32_t *w, unsigned n, unsigned info, struct mbx_request *out,
			    const char **why)
{
	unsigned count = info & IGB_MBX_MC_COUNT_MASK;
	bool overflow = info & IGB_MBX_MC_OVERFLOW;

	if (count > IGB_MBX_MC_MAX)
		return refuse(why, "more multicast hashes than fit", -E2BIG);
	if (overflow && count != IGB_MBX_MC_MAX)
		return refuse(why, "multicast overflow flag without a full list", -EINVAL);
	if (n < mc_words(count))
		return refuse(why, "multicast list longer than the message", -EBADMSG);
	for (unsigned i = 0; i < count; i++) {
		uint16_t h = mc_hash_at(w, i);

		if (h & ~IGB_MBX_MC_HASH_MASK)
			return refuse(why, "multicast hash above 12 bits", -EINVAL);
		out->u.mc.hash[i] = h;
	}
	out->u.mc.count = (uint8_t)count;
	out->u.mc.overflow = overflow;
	out->kind = MBX_REQ_SET_MULTICAST;
	return 0;
}

static int decode_vlan(const uint32_t *w, unsigned n, unsigned info, struct mbx_request *out,
		       const char **why)
{
	if (info > IGB_MBX_VLAN_ADD)
		return refuse(why, "unknown set-vlan sub-command", -EINVAL);
	if (n < IGB_MBX_VLAN_WORDS)
		return refuse(why, "set-vlan shorter than 2 words", -EBADMSG);
	if (w[1] > IGB_MBX_VLAN_ID_MASK)
		return refuse(why, "VLAN id above 4095", -EINVAL);
	if (w[1] == IGB_MBX_VLAN_ID_MASK)
		return refuse(why, "VLAN id 4095 is reserved", -EINVAL); /* IEEE 802.1Q */
	out->u.vlan.id = (uint16_t)w[1];
	out->u.vlan.add = info == IGB_MBX_VLAN_ADD;
	out->kind = MBX_REQ_SET_VLAN;
	return 0;
}

static int decode_lpe(const uint32_t *w, unsigned n, unsigned info, struct mbx_request *out,
		      const char **why)
{
	if (info)
		return refuse(why, "set-lpe with msginfo bits", -EINVAL);
	if (n < IGB_MBX_LPE_WORDS)
		return refuse(why, "set-lpe shorter than 2 words", -EBADMSG);
	if (w[1] < IGB_MBX_LPE_MIN || w[1] > IGB_MBX_LPE_MAX)
		return refuse(why, "frame size out of range", -ERANGE);
	out->u.max_frame = (uint16_t)w[1];
	out->kind = MBX_REQ_SET_LPE;
	return 0;
}

static int decode_promisc(unsigned info, struct mbx_request *out, const char **why)
{
	if (info & ~(unsigned)(IGB_MBX_PROMISC_UNICAST | IGB_MBX_PROMISC_MULTICAST))
		return refuse(why, "unknown promisc flags", -EINVAL);
	out->u.promisc.unicast = info & IGB_MBX_PROMISC_UNICAST;
	out->u.promisc.multicast = info & IGB_MBX_PROMISC_MULTICAST;
	out->kind = MBX_REQ_SET_PROMISC;
	return 0;
}

/* --- Entry points -------------------------------------------------------- */

static int check_header(uint32_t w0, const char **why)
{
	if (w0 & IGB_MBX_REPLY_FLAGS)
		return refuse(why, "reply flags in a request", -EBADMSG);
	if (w0 & IGB_MBX_RESERVED_MASK)
		return refuse(why, "reserved header bits", -EINVAL);
	return 0;
}

static int decode_body(const uint32_t *w, unsigned n, struct mbx_request *out, const char **why)
{
	unsigned info = IGB_MBX_MSGINFO(w[0]);

	switch (w[0] & IGB_MBX_ID_MASK) {
	case IGB_MBX_VF_RESET:
		return decode_reset(info, out, why);
	case IGB_MBX_VF_SET_MAC_ADDR:
		return decode_mac(w, n, info, out, why);
	case IGB_MBX_VF_SET_MULTICAST:
		return decode_multicast(w, n, info, out, why);
	case IGB_MBX_VF_SET_VLAN:
		return decode_vlan(w, n, info, out, why);
	case IGB_MBX_VF_SET_LPE:
		return decode_lpe(w, n, info, out, why);
	case IGB_MBX_VF_SET_PROMISC:
		return decode_promisc(info, out, why);
	default:
		return refuse(why, "unknown message id", -ENOSYS);
	}
}

int mbx_decode(const uint32_t *words, unsigned count, struct mbx_request *out, const char **reason)
{
	const char *why = "ok";
	int err;

	memset(out, 0, sizeof(*out)); /* kind MBX_REQ_NONE until decoded */
	if (count == 0 || count > IGB_MBX_WORDS) {
		err = refuse(&why, "bad word count", -EBADMSG);
	} else {
		/* Kept on refusal too: the NACK echoes it. */
		out->header = words[0];
		err = check_header(words[0], &why);
		if (!err)
			err = decode_body(words, count, out, &why);
	}
	if (err) {
		out->kind = MBX_REQ_NONE;
		memset(&out->u, 0, sizeof(out->u));
	}
	if (reason)
		*reason = why;
	return err;
}

const char *mbx_kind_name(enum mbx_kind kind)
{
	static const char *const names[MBX_REQ_KIND_COUNT] = {
	    [MBX_REQ_NONE] = "none",
	    [MBX_REQ_RESET] = "reset",
	    [MBX_REQ_SET_MAC] = "set-mac",
	    [MBX_REQ_MAC_FILTER_CLEAR] = "mac-filter-clear",
	    [MBX_REQ_MAC_FILTER_ADD] = "mac-filter-add",
	    [MBX_REQ_SET_MULTICAST] = "set-multicast",
	    [MBX_REQ_SET_VLAN] = "set-vlan",
	    [MBX_REQ_SET_LPE] = "set-lpe",
	    [MBX_REQ_SET_PROMISC] = "set-promisc",
	};

	return (unsigned)kind < MBX_REQ_KIND_COUNT ? names[kind] : "none";
}

uint32_t mbx_reply_word(uint32_t request_header, bool ack, bool cts)
{
	uint32_t w = request_header & ~IGB_MBX_REPLY_FLAGS;

	w |= ack ? IGB_MBX_ACK : IGB_MBX_NACK;
	return cts ? w | IGB_MBX_CTS : w;
}

unsigned mbx_encode_reset_reply(const struct mac_addr *mac, uint32_t out[IGB_MBX_RESET_REPLY_WORDS])
{
	bool ack = mac && mac_is_valid_unicast(mac);

	/* Zeros in words 1..2 on NACK: nothing of the PF's memory reaches the VF. */
	out[0] = IGB_MBX_VF_RESET | (ack ? IGB_MBX_ACK : IGB_MBX_NACK);
	out[1] = 0;
	out[2] = 0;
	if (ack)
		mac_to_words(mac, &out[1], &out[2]);
	return IGB_MBX_RESET_REPLY_WORDS;
}

uint32_t mbx_control_word(bool cts)
{
	return IGB_MBX_PF_CONTROL_MSG | (cts ? IGB_MBX_CTS : 0);
}

/* --- Request encoding (tests, VF side) ----------------------------------- */

static uint32_t header(unsigned id, unsigned info)
{
	return id | (uint32_t)info << IGB_MBX_MSGINFO_SHIFT;
}

static int encode_mac(unsigned info, const struct mac_addr *m, uint32_t *w)
{
	w[0] = header(IGB_MBX_VF_SET_MAC_ADDR, info);
	if (m)
		mac_to_words(m, &w[1], &w[2]);
	return IGB_MBX_MAC_WORDS;
}

static int encode_multicast(const struct mbx_mc_list *mc, uint32_t *w)
{
	unsigned info = mc->count | (mc->overflow ? IGB_MBX_MC_OVERFLOW : 0);

	if (mc->count > IGB_MBX_MC_MAX)
		return -EINVAL;
	w[0] = header(IGB_MBX_VF_SET_MULTICAST, info);
	for (unsigned i = 0; i < mc->count; i++)
		w[1 + i / 2] |= (uint32_t)mc->hash[i] << (i % 2 ? 16 : 0);
	return (int)mc_words(mc->count);
}

static int encode_body(const struct mbx_request *r, uint32_t *w)
{
	switch (r->kind) {
	case MBX_REQ_RESET:
		w[0] = IGB_MBX_VF_RESET;
		return 1;
	case MBX_REQ_SET_MAC:
		return encode_mac(IGB_MBX_MAC_SET, &r->u.mac, w);
	case MBX_REQ_MAC_FILTER_CLEAR:
		return encode_mac(IGB_MBX_MAC_FILTER_CLR, NULL, w);
	case MBX_REQ_MAC_FILTER_ADD:
		return encode_mac(IGB_MBX_MAC_FILTER_ADD, &r->u.mac, w);
	case MBX_REQ_SET_MULTICAST:
		return encode_multicast(&r->u.mc, w);
	case MBX_REQ_SET_VLAN:
		w[0] = header(IGB_MBX_VF_SET_VLAN, r->u.vlan.add ? IGB_MBX_VLAN_ADD : 0);
		w[1] = r->u.vlan.id;
		return IGB_MBX_VLAN_WORDS;
	case MBX_REQ_SET_LPE:
		w[0] = IGB_MBX_VF_SET_LPE;
		w[1] = r->u.max_frame;
		return IGB_MBX_LPE_WORDS;
	case MBX_REQ_SET_PROMISC:
		w[0] = header(IGB_MBX_VF_SET_PROMISC,
			      (r->u.promisc.unicast ? IGB_MBX_PROMISC_UNICAST : 0) |
				  (r->u.promisc.multicast ? IGB_MBX_PROMISC_MULTICAST : 0));
		return 1;
	default:
		return -EINVAL;
	}
}

int mbx_encode_request(const struct mbx_request *req, uint32_t words[IGB_MBX_WORDS])
{
	struct mbx_request check;
	int n;

	memset(words, 0, IGB_MBX_WORDS * sizeof(words[0]));
	n = encode_body(req, words);
	if (n < 0)
		return n;
	/* Never hand out words the PF side would refuse. */
	return mbx_decode(words, (unsigned)n, &check, NULL) ? -EINVAL : n;
}
