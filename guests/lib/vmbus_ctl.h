/*
 * The control protocol on the "vmbus" channel's control rings
 * (docs/channel.md), after Hyper-V's channel management: the child asks
 * for a protocol version, the parent answers and offers its devices (one
 * "netvsc" for now) with the rings it put in the region, the child opens
 * the device, the parent may rescind it, the child closes it.
 *
 * Pure code: encoding, validation (a message from the peer is untrusted)
 * and one small state machine per end that refuses messages out of order.
 * Sending and receiving is the caller's, with ring_write / ring_read and
 * VMBUS_CTL_PKT_TYPE as the ring packet type.
 */
#ifndef GUESTS_LIB_VMBUS_CTL_H
#define GUESTS_LIB_VMBUS_CTL_H

#include "hv/types.h"

#define VMBUS_CTL_VERSION      1
#define VMBUS_CTL_PKT_TYPE     1 /* ring_pkt_hdr.type of every control message */
#define VMBUS_CTL_CLASS_LEN    16
#define VMBUS_CTL_CLASS_NETVSC "netvsc"
#define VMBUS_CTL_MSG_MAX      64 /* no encoded message is longer */

enum vmbus_ctl_type {
	VMBUS_CTL_VERSION_REQ = 1,  /* child -> parent */
	VMBUS_CTL_VERSION_RESP = 2, /* parent -> child */
	VMBUS_CTL_OFFER = 3,	    /* parent -> child */
	VMBUS_CTL_OPEN = 4,	    /* child -> parent */
	VMBUS_CTL_OPEN_RESULT = 5,  /* parent -> child */
	VMBUS_CTL_RESCIND = 6,	    /* parent -> child */
	VMBUS_CTL_CLOSE = 7,	    /* child -> parent */
};

/* Every message: this header, then exactly len bytes of the type's body. */
struct vmbus_ctl_hdr {
	uint16_t version; /* VMBUS_CTL_VERSION */
	uint16_t type;	  /* enum vmbus_ctl_type */
	uint32_t len;	  /* body bytes after the header */
} __packed;
_Static_assert(sizeof(struct vmbus_ctl_hdr) == 8, "vmbus_ctl_hdr");

struct vmbus_ctl_version_req {
	uint32_t version; /* the highest the child speaks */
} __packed;

struct vmbus_ctl_version_resp {
	uint32_t version;  /* the one both use */
	uint32_t accepted; /* 1 yes, 0 no (the child must not go on) */
} __packed;

/* A ring in the region: its control page offset and data area size. */
struct vmbus_ctl_ring_loc {
	uint32_t offset;
	uint32_t data_size;
} __packed;

struct vmbus_ctl_offer {
	char class_name[VMBUS_CTL_CLASS_LEN]; /* NUL-terminated, e.g. "netvsc" */
	uint32_t instance_id;
	uint32_t reserved;
	struct vmbus_ctl_ring_loc p2c; /* parent produces */
	struct vmbus_ctl_ring_loc c2p; /* child produces */
} __packed;
_Static_assert(sizeof(struct vmbus_ctl_offer) == 40, "vmbus_ctl_offer");

/* OPEN, RESCIND and CLOSE name the device they are about. */
struct vmbus_ctl_instance {
	uint32_t instance_id;
} __packed;

struct vmbus_ctl_open_result {
	uint32_t instance_id;
	int32_t status; /* 0 or a negative errno */
} __packed;

/* A decoded message: type says which member is valid. */
struct vmbus_ctl_msg {
	uint16_t type;
	union {
		struct vmbus_ctl_version_req version_req;
		struct vmbus_ctl_version_resp version_resp;
		struct vmbus_ctl_offer offer;
		struct vmbus_ctl_instance instance; /* OPEN, RESCIND, CLOSE */
		struct vmbus_ctl_open_result open_result;
	} u;
};

/* Writes m to buf; returns its length or -EINVAL (bad m), -ENOSPC (cap). */
int vmbus_ctl_encode(const struct vmbus_ctl_msg *m, void *buf, size_t cap);

/*
 * Checks and decodes len bytes from the peer. 0 or -EBADMSG (malformed),
 * -EPROTO (another protocol version); *reason says what was wrong.
 */
int vmbus_ctl_decode(const void *buf, size_t len, struct vmbus_ctl_msg *out, const char **reason);

/* The offer of the netvsc device at the rings of vmbus_layout.h. */
void vmbus_ctl_offer_netvsc(struct vmbus_ctl_msg *m, uint32_t instance_id);

enum vmbus_ctl_role { VMBUS_CTL_PARENT, VMBUS_CTL_CHILD };

enum vmbus_ctl_state {
	VMBUS_CTL_ST_IDLE,	 /* no version agreed */
	VMBUS_CTL_ST_CONTACTING, /* child: VERSION_REQ sent */
	VMBUS_CTL_ST_CONNECTED,	 /* version agreed, nothing offered */
	VMBUS_CTL_ST_OFFERED,
	VMBUS_CTL_ST_OPENING, /* child: OPEN sent */
	VMBUS_CTL_ST_OPEN,
	VMBUS_CTL_ST_RESCINDED, /* the child must CLOSE */
	VMBUS_CTL_ST_CLOSED,
};

/* One end of the protocol, for one device. */
struct vmbus_ctl_sm {
	enum vmbus_ctl_role role;
	enum vmbus_ctl_state state;
	uint32_t version;
	uint32_t instance_id;	      /* of the offer */
	struct vmbus_ctl_offer offer; /* child: what the parent offered */
	int32_t open_status;	      /* child: the last OPEN_RESULT */
};

void vmbus_ctl_sm_init(struct vmbus_ctl_sm *sm, enum vmbus_ctl_role role);

/*
 * This end sends m: 0 and the new state, or -EINVAL when m is not allowed
 * now (or not from this role); *reason says why.
 */
int vmbus_ctl_sm_send(struct vmbus_ctl_sm *sm, const struct vmbus_ctl_msg *m, const char **reason);

/*
 * This end received m (decoded): 0 and the new state, or -EPROTO when the
 * peer sent it out of order, from the wrong role or for another device.
 */
int vmbus_ctl_sm_recv(struct vmbus_ctl_sm *sm, const struct vmbus_ctl_msg *m, const char **reason);

const char *vmbus_ctl_state_name(enum vmbus_ctl_state s);
const char *vmbus_ctl_type_name(uint16_t type);

#endif
