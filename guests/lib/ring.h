/*
 * A VMBus-like ring in shared memory (docs/channel.md): one producer, one
 * consumer, variable-length packets, in two pieces of a channel region: a
 * 4 KiB control page and a data area. The peer is untrusted: every index
 * and length read from the shared page is checked before use, and a bad one
 * breaks this end for good (logged once) instead of reading or writing
 * outside the data area.
 *
 * Built into the guest runtime (freestanding) and into host unit tests and
 * the ring benchmark (-DHV_HOSTED).
 */
#ifndef GUESTS_LIB_RING_H
#define GUESTS_LIB_RING_H

#include "hv/types.h"

#define RING_CTRL_SIZE	4096
#define RING_CACHE_LINE 64
/* Packets start and end on this boundary; data_size is a multiple of it. */
#define RING_ALIGN	   8
#define RING_MIN_DATA_SIZE 64
#define RING_MAX_DATA_SIZE (1U << 30)
/* Feature bits the producer may set in ring_ctrl.feature_bits: none yet. */
#define RING_FEATURES_KNOWN 0U

/*
 * The shared control page. Each field has exactly one writer; the fields
 * the producer writes and those the consumer writes sit on different cache
 * lines, so polling one side never steals the other's line.
 */
struct ring_ctrl {
	/* Producer: offset in data[] where the next packet goes. */
	uint32_t write_index;
	/* Producer: bytes it waits for after -ENOSPC, 0 when not waiting. */
	uint32_t pending_send_size;
	uint8_t reserved0[RING_CACHE_LINE - 8];
	/* Consumer: offset in data[] of the next packet to read. */
	uint32_t read_index;
	uint8_t reserved1[RING_CACHE_LINE - 4];
	/* Consumer: 1 = polling, do not signal me; 0 = signal. Rarely written. */
	uint32_t interrupt_mask;
	uint8_t reserved2[RING_CACHE_LINE - 4];
	/* Producer, once in ring_init_shared(): features and the data size. */
	uint32_t feature_bits;
	uint32_t data_size;
	uint8_t reserved3[RING_CTRL_SIZE - 3 * RING_CACHE_LINE - 8];
} __packed;

_Static_assert(sizeof(struct ring_ctrl) == RING_CTRL_SIZE, "ring_ctrl is one page");
_Static_assert(__builtin_offsetof(struct ring_ctrl, read_index) == 64, "read_index line");
_Static_assert(__builtin_offsetof(struct ring_ctrl, interrupt_mask) == 128, "mask line");
_Static_assert(__builtin_offsetof(struct ring_ctrl, feature_bits) == 192, "setup line");

/* Every packet in data[]: this header, len bytes, zero padding to RING_ALIGN. */
struct ring_pkt_hdr {
	uint16_t type;
	uint16_t flags; /* none defined: written 0, read must be 0 */
	uint32_t len;	/* payload bytes, header and padding excluded */
} __packed;

_Static_assert(sizeof(struct ring_pkt_hdr) == RING_ALIGN, "header is one alignment unit");

enum ring_role { RING_PRODUCER, RING_CONSUMER };

struct ring_counters {
	uint64_t packets;	  /* written (producer) or read (consumer) */
	uint64_t bytes;		  /* payload bytes of those */
	uint64_t signals;	  /* times this end told its caller to signal the peer */
	uint64_t full;		  /* producer: writes refused with -ENOSPC */
	uint64_t protocol_errors; /* bad values seen in the shared page */
};

/* This side's private state: the peer can't touch it. */
struct ring_end {
	struct ring_ctrl *ctrl; /* shared: only __atomic accesses */
	uint8_t *data;
	uint32_t size;	     /* data_size, fixed at attach */
	uint32_t index;	     /* own index (producer: write, consumer: read) */
	uint32_t peer_index; /* last validated value of the peer's index */
	uint32_t pending;    /* producer: what pending_send_size says */
	enum ring_role role;
	bool broken;
	bool masked; /* consumer: interrupt_mask is set */
	struct ring_counters stats;
};

/* One message of a batch write. */
struct ring_msg {
	uint16_t type;
	uint32_t len;
	const void *buf;
};

/* One buffer of a batch read: the caller sets buf and cap, the ring the rest. */
struct ring_rbuf {
	void *buf;
	uint32_t cap;
	uint32_t len;
	uint16_t type;
};

/* Producer side, once, before the consumer attaches: a clean control page. */
int ring_init_shared(void *ctrl_page, uint32_t data_size);

/*
 * Binds e to a ring. The consumer checks that the producer set the ring up
 * (-EAGAIN while data_size is still 0) for the same size and known features.
 */
int ring_attach(struct ring_end *e, void *ctrl_page, void *data, uint32_t data_size,
		enum ring_role role);

/*
 * Writes one packet. 0: written, *signal_peer says whether the consumer must
 * be signalled (the ring went empty -> non-empty and it did not mask).
 * -ENOSPC: full, pending_send_size is set so the consumer signals when the
 * space is there. -EPIPE: broken. -EINVAL: len is 0 or can never fit.
 * signal_peer NULL: this producer never signals (its consumer only polls);
 * the ring then skips the signal check and the full fence it costs.
 */
int ring_write(struct ring_end *e, uint16_t type, const void *buf, uint32_t len, bool *signal_peer);

/*
 * Writes all of msgs[0..n) in order, publishing once, or none: n, or what
 * ring_write would say for one packet of the batch's total size. All or
 * none keeps a producer from trickling packets into a nearly full ring.
 */
int ring_write_batch(struct ring_end *e, const struct ring_msg *msgs, unsigned n,
		     bool *signal_peer);

/*
 * Reads one packet into buf. >0: its length (packets are never empty).
 * 0: the ring is empty. -EMSGSIZE: cap too small, the
 * packet stays. -EPROTO: the shared page is corrupt, this end is broken.
 */
int ring_read(struct ring_end *e, uint16_t *type, void *buf, uint32_t cap);

/*
 * Reads up to n packets into v[], publishing the read index once. Returns
 * how many were read (0: empty; it stops before a packet bigger than its
 * buffer), -EMSGSIZE if that is the first, -EPROTO, or -EINVAL (v is NULL
 * or has a NULL buf with a non-zero cap).
 */
int ring_read_batch(struct ring_end *e, struct ring_rbuf *v, unsigned n);

/* Consumer about to poll: ask the producer not to signal. */
void ring_read_begin(struct ring_end *e);

/*
 * Consumer done draining: unmask, then re-read the write index so that a
 * packet written while masked is seen by ring_readable(). True when the
 * producer waits for space (pending_send_size) and now has it: signal it.
 */
bool ring_read_end(struct ring_end *e);

/* Consumer: is a packet waiting? (Re-reads the write index.) */
bool ring_readable(struct ring_end *e);

/* Producer: bytes a write could use now, header included. */
uint32_t ring_write_space(struct ring_end *e);

bool ring_broken(const struct ring_end *e);

/*
 * Where ring events go (the one line of a broken ring). Default: the guest
 * console, or log_warn() under HV_HOSTED; NULL restores the default.
 */
void ring_set_log(void (*fn)(const char *line));

#endif
