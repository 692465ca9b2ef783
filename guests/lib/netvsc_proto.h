/*
 * The synthetic NIC's protocol: the messages a child's NetVSC and the
 * parent's NetVSP exchange on the netvsc rings of their vmbus channel
 * (docs/netvsc.md). Hyper-V's NVSP/RNDIS in spirit, not in bytes: one
 * version-negotiating INIT, link state, frames inline (one per message or
 * batched to amortise doorbells), and the data-path switch of a child that
 * bonds a VF with its synthetic NIC.
 *
 * Independent of the ring: encoders write a message into a buffer, the
 * decoder validates one the ring handed over (already copied out of the
 * shared pages, so the peer can't change it under the check). Everything
 * in a message is untrusted: every length is checked against the buffer,
 * batch entries are walked with bounds, unknown types and messages sent in
 * the wrong direction are refused with an errno and a reason.
 */
#ifndef GUESTS_LIB_NETVSC_PROTO_H
#define GUESTS_LIB_NETVSC_PROTO_H

#include "hv/types.h"

#define NVSP_VERSION_1	 1
#define NVSP_VERSION_MIN NVSP_VERSION_1
#define NVSP_VERSION_MAX NVSP_VERSION_1

#define NVSP_ETH_ALEN  6
#define NVSP_FRAME_MIN 14   /* an Ethernet header */
#define NVSP_FRAME_MAX 1518 /* 1500 bytes of payload, header and one VLAN tag, no FCS */
#define NVSP_MTU_MIN   68   /* IPv4's minimum */
#define NVSP_MTU_MAX   1500
#define NVSP_BATCH_MAX 64	   /* frames in one FRAME_BATCH */
#define NVSP_MSG_MAX   (16 * 1024) /* longest message either side accepts */
/* ring_pkt_hdr.type of every netvsc message on the netvsc rings (control: VMBUS_CTL_PKT_TYPE) */
#define NVSP_RING_PKT_TYPE 2

enum nvsp_type {
	NVSP_INIT = 1,		  /* child -> parent: versions it speaks, its MTU */
	NVSP_INIT_ACK = 2,	  /* parent -> child: version chosen, MTU, port MAC, link */
	NVSP_LINK = 3,		  /* parent -> child: link up/down */
	NVSP_FRAME = 4,		  /* either way: one Ethernet frame */
	NVSP_FRAME_BATCH = 5,	  /* either way: several frames in one ring packet */
	NVSP_VF_ASSOCIATE = 6,	  /* parent -> child: this VF carries your MAC (or not) */
	NVSP_SWITCH_DATAPATH = 7, /* child -> parent: move my traffic to the VF / synthetic */
	NVSP_SWITCH_ACK = 8,	  /* parent -> child: done (or refused) */
	NVSP_STATS_REQ = 9,	  /* either way: your counters, please */
	NVSP_STATS_REPLY = 10,	  /* either way: the answer */
	NVSP_TYPE_COUNT
};

/* Who sent a message: the decoder refuses types the sender may not send. */
enum nvsp_from { NVSP_FROM_CHILD, NVSP_FROM_PARENT };

/* A port's data path: its MAC filter in the PF's pool or in its VF's. */
enum nvsp_path { NVSP_PATH_SYNTHETIC = 0, NVSP_PATH_VF = 1 };

/* Every message starts with this. len covers the whole message. */
struct nvsp_hdr {
	uint16_t version; /* layout of this message: NVSP_VERSION_* */
	uint16_t type;	  /* enum nvsp_type */
	uint32_t len;
} __packed;
_Static_assert(sizeof(struct nvsp_hdr) == 8, "nvsp_hdr");

/* Reserved fields: zero when sent, ignored when received. */
struct nvsp_init {
	struct nvsp_hdr hdr;
	uint16_t version_min;
	uint16_t version_max;
	uint16_t mtu;
	uint16_t reserved;
} __packed;
_Static_assert(sizeof(struct nvsp_init) == 16, "nvsp_init");

struct nvsp_init_ack {
	struct nvsp_hdr hdr;
	int32_t status; /* 0, or -ENOTSUP when no version is common */
	uint16_t version;
	uint16_t mtu;
	uint8_t mac[NVSP_ETH_ALEN]; /* the port's MAC: the child's identity on both paths */
	uint8_t link_up;	    /* 0 or 1 */
	uint8_t reserved;
} __packed;
_Static_assert(sizeof(struct nvsp_init_ack) == 24, "nvsp_init_ack");

struct nvsp_link {
	struct nvsp_hdr hdr;
	uint8_t up; /* 0 or 1 */
	uint8_t reserved[3];
	uint32_t speed_mbps;
} __packed;
_Static_assert(sizeof(struct nvsp_link) == 16, "nvsp_link");

/* FRAME: the frame's bytes follow; hdr.len == sizeof + frame_len exactly. */
struct nvsp_frame {
	struct nvsp_hdr hdr;
	uint16_t frame_len;
	uint16_t reserved[3];
} __packed;
_Static_assert(sizeof(struct nvsp_frame) == 16, "nvsp_frame");

/*
 * FRAME_BATCH: count entries follow, each an nvsp_batch_entry and len bytes
 * padded to 4; the entries end exactly at hdr.len.
 */
struct nvsp_batch {
	struct nvsp_hdr hdr;
	uint16_t count;
	uint16_t reserved[3];
} __packed;
_Static_assert(sizeof(struct nvsp_batch) == 16, "nvsp_batch");

struct nvsp_batch_entry {
	uint16_t len;
	uint16_t reserved;
} __packed;
_Static_assert(sizeof(struct nvsp_batch_entry) == 4, "nvsp_batch_entry");

/* The VF at bdf (the hypervisor's offer names the same bdf) carries mac. */
struct nvsp_vf_associate {
	struct nvsp_hdr hdr;
	uint32_t serial; /* the VF's id on the adapter */
	uint32_t bdf;	 /* bus << 8 | dev << 3 | fn */
	uint8_t mac[NVSP_ETH_ALEN];
	uint8_t associated; /* 1 associate, 0 dissociate */
	uint8_t reserved;
} __packed;
_Static_assert(sizeof(struct nvsp_vf_associate) == 24, "nvsp_vf_associate");

struct nvsp_switch_datapath {
	struct nvsp_hdr hdr;
	uint32_t request_id; /* echoed by the ACK */
	uint8_t path;	     /* enum nvsp_path wanted */
	uint8_t reserved[3];
} __packed;
_Static_assert(sizeof(struct nvsp_switch_datapath) == 16, "nvsp_switch_datapath");

struct nvsp_switch_ack {
	struct nvsp_hdr hdr;
	uint32_t request_id;
	int32_t status; /* 0 done, negative errno: refused */
	uint8_t path;	/* enum nvsp_path in force after the request */
	uint8_t reserved[7];
} __packed;
_Static_assert(sizeof(struct nvsp_switch_ack) == 24, "nvsp_switch_ack");

struct nvsp_stats_req {
	struct nvsp_hdr hdr;
	uint32_t request_id;
	uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct nvsp_stats_req) == 16, "nvsp_stats_req");

struct nvsp_stats {
	uint64_t tx_frames; /* from the port into the switch */
	uint64_t rx_frames; /* from the switch to the port */
	uint64_t tx_dropped;
	uint64_t rx_dropped;
} __packed;

struct nvsp_stats_reply {
	struct nvsp_hdr hdr;
	uint32_t request_id;
	uint32_t reserved;
	struct nvsp_stats stats;
} __packed;
_Static_assert(sizeof(struct nvsp_stats_reply) == 48, "nvsp_stats_reply");

/* A decoded, validated message. Frame pointers point into the decoded buffer. */
struct nvsp_msg {
	uint16_t type;
	uint16_t version;
	union {
		struct {
			uint16_t version_min, version_max, mtu;
		} init;
		struct {
			int32_t status;
			uint16_t version, mtu;
			uint8_t mac[NVSP_ETH_ALEN];
			bool link_up;
		} init_ack;
		struct {
			bool up;
			uint32_t speed_mbps;
		} link;
		struct {
			const uint8_t *data;
			uint16_t len;
		} frame;
		struct {
			const uint8_t *entries; /* the first nvsp_batch_entry */
			uint32_t bytes;		/* from entries to the end of the message */
			uint16_t count;
		} batch;
		struct {
			uint32_t serial, bdf;
			uint8_t mac[NVSP_ETH_ALEN];
			bool associated;
		} vf;
		struct {
			uint32_t request_id;
			enum nvsp_path path;
		} sw;
		struct {
			uint32_t request_id;
			int32_t status;
			enum nvsp_path path;
		} ack;
		struct {
			uint32_t request_id;
		} stats_req;
		struct {
			uint32_t request_id;
			struct nvsp_stats stats;
		} stats;
	} u;
};

/*
 * Validates buf[0..len) as one message from `from` and fills *out. 0, or
 * with *reason set: -EBADMSG (short, lengths that lie, a field out of
 * range, a batch whose entries don't add up), -E2BIG (longer than
 * NVSP_MSG_MAX, a frame above NVSP_FRAME_MAX, more than NVSP_BATCH_MAX
 * entries), -ENOTSUP (unknown version or type), -EPERM (a type `from` may
 * not send). *out is written only on success.
 */
int nvsp_decode(const void *buf, size_t len, enum nvsp_from from, struct nvsp_msg *out,
		const char **reason);
const char *nvsp_type_name(uint16_t type);

/* Highest version in both [min, max] and ours: 0 and *chosen, or -ENOTSUP. */
int nvsp_version_choose(uint16_t min, uint16_t max, uint16_t *chosen);

/*
 * Encoders: write one message into buf (cap bytes) and return its length,
 * or -ENOSPC (buf too small) / -EINVAL (an argument the decoder would
 * refuse). Nothing useful is in buf on failure.
 */
int nvsp_encode_init(void *buf, size_t cap, uint16_t version_min, uint16_t version_max,
		     uint16_t mtu);
int nvsp_encode_init_ack(void *buf, size_t cap, int32_t status, uint16_t version, uint16_t mtu,
			 const uint8_t mac[NVSP_ETH_ALEN], bool link_up);
int nvsp_encode_link(void *buf, size_t cap, bool up, uint32_t speed_mbps);
int nvsp_encode_frame(void *buf, size_t cap, const void *frame, size_t frame_len);
int nvsp_encode_vf_associate(void *buf, size_t cap, bool associated, uint32_t serial, uint32_t bdf,
			     const uint8_t mac[NVSP_ETH_ALEN]);
int nvsp_encode_switch(void *buf, size_t cap, uint32_t request_id, enum nvsp_path path);
int nvsp_encode_switch_ack(void *buf, size_t cap, uint32_t request_id, int32_t status,
			   enum nvsp_path path);
int nvsp_encode_stats_req(void *buf, size_t cap, uint32_t request_id);
int nvsp_encode_stats_reply(void *buf, size_t cap, uint32_t request_id,
			    const struct nvsp_stats *stats);

/* Builds a FRAME_BATCH in place: begin, add frames, finish. */
struct nvsp_batch_builder {
	uint8_t *buf;
	uint32_t cap, len;
	uint16_t count;
};

/* 0, or -ENOSPC when cap can't hold the batch header and one minimal frame. */
int nvsp_batch_begin(struct nvsp_batch_builder *b, void *buf, size_t cap);
/* 0, -ENOSPC (no room: finish and send this batch, then start another), -E2BIG (full count),
 * -EINVAL (frame length outside NVSP_FRAME_MIN..MAX). */
int nvsp_batch_add(struct nvsp_batch_builder *b, const void *frame, size_t len);
/* The message's length, or -ENODATA when no frame was added. */
int nvsp_batch_finish(struct nvsp_batch_builder *b);

/* Walks the frames of a decoded FRAME_BATCH. */
struct nvsp_batch_iter {
	const uint8_t *pos, *end;
	uint16_t left;
};

void nvsp_batch_iter_init(struct nvsp_batch_iter *it, const struct nvsp_msg *msg);
/* The next frame: true and *frame / *len, or false at the end. Bounds-checked again. */
bool nvsp_batch_next(struct nvsp_batch_iter *it, const uint8_t **frame, uint16_t *len);

#endif
