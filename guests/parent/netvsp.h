/*
 * The parent's NetVSP (docs/netvsc.md, "As built"): one synthetic NIC per
 * child on the child's "vmbus" channel. The parent produces the
 * parent->child rings, answers the control protocol (version, the netvsc
 * offer, open), the netvsc INIT with the child's switch-port MAC, switches
 * the children's frames in software (guests/lib/netvsp_switch.h) between
 * the children, its PF queue (the wire) and the VF-attached ports, and
 * moves a port's MAC filter between the PF's pool and its VF's pool when
 * the child asks to switch its data path.
 *
 * Everything a child writes into its channel is untrusted: a broken ring,
 * or a child that keeps sending malformed messages, gets its channel
 * closed (logged with counts); the other children go on.
 *
 * Shell: `net list` (one line a port, key=value) and `net stats` (asks
 * every open child for its own counters; the answers print as they come).
 */
#ifndef GUESTS_PARENT_NETVSP_H
#define GUESTS_PARENT_NETVSP_H

#include "hv/guest_abi.h"
#include "drivers/nic/mbx_decode.h"

/* What `net list` and the `make run` story show of one port. */
struct netvsp_port_view {
	const char *name;  /* the child partition's */
	const char *state; /* waiting | connected | open | closed */
	const char *path;  /* synthetic | vf */
	struct mac_addr mac;
	int vf;		    /* the VF associated with the port, -1: none */
	uint64_t syn_tx;    /* frames from the child over its rings */
	uint64_t syn_rx;    /* frames to the child over its rings */
	uint64_t vf_tx;	    /* frames the port's VF pool sent (NIC counters) */
	uint64_t vf_rx;	    /* frames the port's VF pool received */
	uint64_t switches;  /* data path changes to the VF */
	uint64_t failovers; /* data path changes back to synthetic */
	uint64_t drops;	    /* frames of or for the port not delivered */
	uint64_t malformed; /* messages from the child refused */
	uint64_t doorbells; /* doorbells rung to the child */
};

/* Maps every child's vmbus channel and sets up its rings; prints `netvsp ready ...`. */
void netvsp_start(const struct hv_guest_boot_info *bi);
/* Drains every channel's rings: called from the main loop, on doorbells and ticks. */
void netvsp_poll(void);
/*
 * Before the main loop sleeps: true to poll once more instead. For
 * NETVSP_LINGER_US after the last synthetic frame the children's rings stay
 * masked and are polled (no doorbells: the rest of a burst and the answers
 * come in the same wakeup); then they are unmasked and re-checked.
 */
bool netvsp_keep_polling(void);
/*
 * A child was started again (`start`/`restart`, after the hypercall
 * succeeded): the hypervisor zeroed its vmbus region meanwhile, so its
 * channel starts over, rings and protocol (docs/channel.md).
 */
void netvsp_child_started(const char *name);
/* A frame the PF received from the wire (nic.c's receive callback). */
void netvsp_wire_rx(const uint8_t *frame, size_t len);

/*
 * `vf assign` gave VF vf to its port's child: tell the child (VF_ASSOCIATE).
 * True when the NetVSP takes care of the port's MAC filter (it moves when
 * the child switches); false when the child has no open NetVSC and the
 * caller should attach the filter to the VF itself.
 */
bool netvsp_vf_assigned(unsigned vf);
/*
 * `vf revoke` is about to take VF vf: dissociate it and wait (bounded, the
 * rings served meanwhile) until the child is back on the synthetic path.
 */
void netvsp_vf_revoking(unsigned vf);

unsigned netvsp_port_count(void);
/* A snapshot of port i (valid until the next call), NULL past the end. */
const struct netvsp_port_view *netvsp_port(unsigned i);

/* The `net` shell command: net list | net stats */
void cmd_net(const char *arg);

#endif
