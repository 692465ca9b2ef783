/*
 * The decode half of the PF's mailbox handling (seL4's decode/perform
 * split): a VF's message, as read from VMBMEM, becomes a typed request or is
 * refused with a reason. Nothing a VF writes is trusted: the id, the word
 * count for that id, every MSGINFO bit, every value. The policy check and
 * the effect on the switch port come later (switch_port.h) and only ever
 * see a well-formed request. Also the encoder for the PF's replies.
 *
 * Pure logic, no register access: the PF driver (drivers/nic/igb_*.c) moves
 * the words and rings the doorbells.
 */
#ifndef DRIVERS_NIC_MBX_DECODE_H
#define DRIVERS_NIC_MBX_DECODE_H

#include "hv/types.h"
#include "drivers/nic/igb_mbx_proto.h"

#ifndef ETH_ALEN
#define ETH_ALEN 6
#endif
/* "aa:bb:cc:dd:ee:ff" and its terminating NUL. */
#define MAC_STR_LEN 18

/* An Ethernet address in wire order. */
struct mac_addr {
	uint8_t b[ETH_ALEN];
};

bool mac_is_zero(const struct mac_addr *m);
bool mac_is_multicast(const struct mac_addr *m);
/* Usable as a station address: neither multicast/broadcast nor all zero. */
bool mac_is_valid_unicast(const struct mac_addr *m);
bool mac_equal(const struct mac_addr *a, const struct mac_addr *b);
/* Writes "aa:bb:cc:dd:ee:ff" into buf (at least MAC_STR_LEN bytes); returns buf. */
char *mac_format(const struct mac_addr *m, char *buf);
/* Parses exactly "aa:bb:cc:dd:ee:ff" (hex, either case); 0 or -EINVAL. */
int mac_parse(const char *s, struct mac_addr *out);

enum mbx_kind {
	MBX_REQ_NONE,		  /* nothing decoded (refused message) */
	MBX_REQ_RESET,		  /* VF reset done: send it its MAC */
	MBX_REQ_SET_MAC,	  /* change the VF's own address */
	MBX_REQ_MAC_FILTER_CLEAR, /* drop the extra unicast filters */
	MBX_REQ_MAC_FILTER_ADD,	  /* add an extra unicast filter */
	MBX_REQ_SET_MULTICAST,	  /* replace the multicast hash list */
	MBX_REQ_SET_VLAN,	  /* join or leave a VLAN */
	MBX_REQ_SET_LPE,	  /* largest frame the VF wants to receive */
	MBX_REQ_SET_PROMISC,	  /* promiscuous modes, both off = none */
	MBX_REQ_KIND_COUNT
};

struct mbx_mc_list {
	uint8_t count; /* 0..IGB_MBX_MC_MAX */
	bool overflow; /* the VF had more groups than fit */
	uint16_t hash[IGB_MBX_MC_MAX];
};

struct mbx_request {
	enum mbx_kind kind;
	uint32_t header; /* word 0 as received: the reply echoes it */
	union {
		struct mac_addr mac; /* SET_MAC, MAC_FILTER_ADD */
		struct mbx_mc_list mc;
		struct {
			uint16_t id; /* 0..4094 */
			bool add;
		} vlan;
		uint16_t max_frame; /* SET_LPE, IGB_MBX_LPE_MIN..IGB_MBX_LPE_MAX */
		struct {
			bool unicast;
			bool multicast;
		} promisc;
	} u;
};

/*
 * Decodes words[0..count) as one VF -> PF message. Returns 0 with *out
 * filled, or a negative code with out->kind = MBX_REQ_NONE and *reason set
 * to a short static text for the log line:
 *   -EBADMSG  count is 0 or above IGB_MBX_WORDS, reply flags in a request,
 *             or fewer words than the id needs
 *   -ENOSYS   unknown message id (e.g. mailbox API v2 ids 0x08+)
 *   -EINVAL   reserved bits set, a bad MAC, VLAN id 4095 or above, a hash
 *             above 12 bits, MSGINFO values the id doesn't define
 *   -E2BIG    more multicast hashes than the message can carry
 *   -ERANGE   SET_LPE frame size outside IGB_MBX_LPE_MIN..IGB_MBX_LPE_MAX
 * reason may be NULL.
 */
int mbx_decode(const uint32_t *words, unsigned count, struct mbx_request *out, const char **reason);

/* "set-mac", "set-vlan", ... for logs; "none" for out-of-range kinds. */
const char *mbx_kind_name(enum mbx_kind kind);

/*
 * The one-word reply to a request other than RESET: the request's word 0
 * (id and MSGINFO, as igbvf compares them) with ACK or NACK, and CTS when
 * the VF has completed its reset handshake. Linux's PF answers a VF that
 * hasn't (no CTS) with NACK and no CTS, and igbvf then resets.
 */
uint32_t mbx_reply_word(uint32_t request_header, bool ack, bool cts);

/*
 * The reply to VF_RESET, IGB_MBX_RESET_REPLY_WORDS words into out: ACK with
 * the MAC, or NACK with zeros when mac is NULL or not a valid unicast
 * address. Returns the number of words to write.
 */
unsigned mbx_encode_reset_reply(const struct mac_addr *mac,
				uint32_t out[IGB_MBX_RESET_REPLY_WORDS]);

/* PF -> VF control message (after a PF reset or link change). */
uint32_t mbx_control_word(bool cts);

/*
 * The inverse of the decoder, for tests and for a VF driver written against
 * this header: encodes a request into words (IGB_MBX_WORDS long); returns
 * the number of words to send, or -EINVAL for a request that wouldn't
 * decode (bad kind, count or value).
 */
int mbx_encode_request(const struct mbx_request *req, uint32_t words[IGB_MBX_WORDS]);

#endif
