/*
 * The child's bond of its synthetic NIC and its VF under one MAC
 * (docs/netvsc.md): which path each TX frame takes, when to ask the parent
 * to move the port's data path to the VF and back, and how no frame is
 * lost on the way. Pure logic: the caller feeds it events (VF offered,
 * VF driver ready, parent's messages, revocation, ticks) and gives it the
 * means to act through netbond_ops.
 *
 *   SYNTHETIC --offer--> VF_OFFERED --driver ready & VF_ASSOCIATE matches-->
 *   SWITCHING (SWITCH_DATAPATH to_vf sent) --ACK--> VF
 *   VF --revoking / dissociate / about to migrate--> FAILING_BACK
 *      (VF TX drained first, then SWITCH_DATAPATH to_synthetic) --ACK--> SYNTHETIC
 *
 * While a switch is under way TX frames are held in order in a bounded
 * queue, never dropped: when the queue is full the caller is told -EAGAIN
 * and must retry (back-pressure). The ACK releases them, in order, to the
 * new path. An ACK that never comes times out back to the synthetic path.
 * RX is accepted from both paths in every state: frames still in flight on
 * the old path count.
 */
#ifndef GUESTS_LIB_NETBOND_H
#define GUESTS_LIB_NETBOND_H

#include "guests/lib/netvsc_proto.h"

/*
 * Frames the hold queue can take (about 760 KiB: keep a struct netbond in
 * .bss). A switch lasts from the request to the parent's ACK; the ACK
 * queues behind the frames the parent already wrote to the child, and the
 * child answers each of those while it reads its way to the ACK (one echo
 * per request). Measured under TCG (docs/netvsc.md): up to ~60 frames at
 * 400/s in bursts, a few hundred after a backlog; the caller stops reading
 * its rings when netbond_hold_room() gets low, so the queue never overflows.
 */
#define NETBOND_HOLD_MAX       512
#define NETBOND_ACK_TIMEOUT_MS 1000
#define NETBOND_LINE_MAX       160 /* longest log line handed to ops->log */

enum netbond_state {
	NETBOND_SYNTHETIC,
	NETBOND_VF_OFFERED, /* a VF is ours, not yet ready or not associated */
	NETBOND_SWITCHING,  /* to_vf sent, waiting for the ACK */
	NETBOND_VF,
	NETBOND_FAILING_BACK, /* draining VF TX, then to_synthetic, waiting for the ACK */
};

/* How the bond acts. Every callback gets ops_ctx. */
struct netbond_ops {
	/* Sends a frame on a path now: 0, -EAGAIN (path full: try later), other < 0: lost. */
	int (*tx)(void *ctx, enum nvsp_path path, const void *frame, size_t len);
	/* Sends a netvsc message to the parent: 0, or -EAGAIN (ring full: resent on a tick). */
	int (*send_msg)(void *ctx, const void *msg, size_t len);
	/* Has the VF transmitted everything it was given (TX descriptors all done)? */
	bool (*vf_tx_idle)(void *ctx);
	/* One event line ("netbond: event=... key=value"); may be NULL. */
	void (*log)(void *ctx, const char *line);
};

struct netbond_config {
	uint8_t mac[NVSP_ETH_ALEN]; /* the port's MAC (INIT_ACK): both paths carry it */
	uint16_t hold_limit;	    /* 1..NETBOND_HOLD_MAX, 0 = NETBOND_HOLD_MAX */
	uint32_t ack_timeout_ms;    /* 0 = NETBOND_ACK_TIMEOUT_MS; also bounds the VF drain */
};

struct netbond_counters {
	uint64_t tx[2];	       /* frames sent, per enum nvsp_path */
	uint64_t rx[2];	       /* frames received, per enum nvsp_path */
	uint64_t rx_old_path;  /* of those, on the path not in force (in flight) */
	uint64_t tx_errors;    /* frames a path refused for good */
	uint64_t switches;     /* to the VF, acknowledged */
	uint64_t failovers;    /* back to synthetic from VF or SWITCHING */
	uint64_t held;	       /* frames that went through the hold queue */
	uint64_t hold_max;     /* deepest the queue has been */
	uint64_t backpressure; /* -EAGAIN to the caller: queue full */
	uint64_t timeouts;     /* ACKs that never came, drains that never ended */
	uint64_t late_acks;    /* ACKs for no request in flight */
	uint64_t refused;      /* to_vf refused by the parent */
	uint64_t undrained;    /* fail-backs that didn't wait for VF TX (surprise removal) */
};

struct netbond_held {
	uint16_t len;
	uint8_t data[NVSP_FRAME_MAX];
};

struct netbond {
	enum netbond_state state;
	struct netbond_config cfg;
	const struct netbond_ops *ops;
	void *ops_ctx;
	uint64_t now_ms;
	/* What is known about the VF. */
	bool vf_offered, vf_ready, vf_associated, vf_refused, migrating;
	uint32_t vf_bdf, assoc_bdf;
	/* The request in flight: sent (or waiting for ring space) at sent_ms. */
	bool req_pending, req_unsent;
	uint32_t req_id, next_id;
	enum nvsp_path req_path;
	uint64_t sent_ms, drain_since_ms;
	bool drain_skip; /* surprise removal: the VF's TX queue is gone */
	/* The hold queue: a ring of frames in arrival order. */
	struct netbond_held hold[NETBOND_HOLD_MAX];
	uint16_t hold_head, hold_count;
	struct netbond_counters c;
};

/* 0, or -EINVAL (MAC not unicast, hold_limit too big, ops without tx/send_msg/vf_tx_idle). */
int netbond_init(struct netbond *nb, const struct netbond_config *cfg,
		 const struct netbond_ops *ops, void *ops_ctx);

/*
 * One frame from the stack: 0 sent (on the path in force), 1 held (the
 * bond sends it later, in order), -EAGAIN (hold queue or path full: retry
 * later, nothing was taken), -EINVAL (length outside 14..1518), or the
 * path's own error when it refused the frame for good (counted in tx_errors).
 */
#define NETBOND_HELD 1
int netbond_tx(struct netbond *nb, const void *frame, size_t len);
/* A frame received on path: counted; always accepted (returns true). */
bool netbond_rx(struct netbond *nb, enum nvsp_path path, size_t len);

/* Hypervisor notice: a VF at bdf is ours. */
void netbond_vf_offered(struct netbond *nb, uint32_t bdf);
/* The VF driver finished its reset handshake; its MAC must be the bond's. */
void netbond_vf_ready(struct netbond *nb, const uint8_t mac[NVSP_ETH_ALEN]);
/*
 * Revocation notice (planned: drain VF TX first), or the VF vanished
 * (surprise: frames in its queue are lost, counted as undrained).
 */
void netbond_vf_revoking(struct netbond *nb, bool surprise);
/* The child is about to migrate (true: fail back, stay synthetic) or is done (false). */
void netbond_migrating(struct netbond *nb, bool migrating);
/* VF_ASSOCIATE or SWITCH_ACK from the parent (decoded): 0, or -ENOTSUP for other types. */
int netbond_handle_msg(struct netbond *nb, const struct nvsp_msg *msg);
/* Time passes: timeouts, drains, unsent requests and held frames are dealt with. */
void netbond_tick(struct netbond *nb, uint64_t now_ms);

/*
 * Frames the bond can still take without -EAGAIN: hold_limit - held while
 * a switch is under way or frames are held, UINT32_MAX otherwise. A caller
 * whose every received frame may cause one to send (an echo) reads no
 * more than this, so back-pressure reaches its rings, not the stack.
 */
uint32_t netbond_hold_room(const struct netbond *nb);
/* The path new TX frames take once nothing is held. */
enum nvsp_path netbond_path(const struct netbond *nb);
/* May the VF be released now (no traffic and no request on it)? */
bool netbond_vf_releasable(const struct netbond *nb);
const char *netbond_state_name(enum netbond_state state);

#endif
