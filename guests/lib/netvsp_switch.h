/*
 * The parent's software switch (NetVSP side, docs/netvsc.md): where a frame
 * goes among the synthetic ports (one per child), the wire (the PF's own
 * queue) and the ports whose data path is their VF. A VF-attached port is
 * reached through the PF's queue: the NIC's hardware switch (VMDq pools,
 * loopback) delivers a frame for a MAC living in a VF's pool, so the
 * software switch sends it "to the wire" and gives that port no synthetic
 * copy.
 *
 * Identity and policy are the NIC switch's (drivers/nic/switch_port.h): a
 * port here points to the same struct switch_port whether its traffic runs
 * synthetic or on the VF, so the MAC in force, the port VLAN and the
 * multicast/promiscuous/VLAN permissions are enforced alike on both paths
 * (the source MAC of a synthetic port's frames must be its own: anti-
 * spoofing in software, where the VF path has it in hardware).
 *
 * Pure logic: nvsw_route() says where a frame goes; the caller copies it.
 * Moving a port's MAC filter between the PF's pool and its VF's pool on a
 * SWITCH_DATAPATH is the PF driver's register work, reached through a hook.
 */
#ifndef GUESTS_LIB_NETVSP_SWITCH_H
#define GUESTS_LIB_NETVSP_SWITCH_H

#include "drivers/nic/switch_port.h"
#include "guests/lib/netvsc_proto.h"

#define NVSW_PORTS_MAX 16
#define NVSW_WIRE      0xffffu /* nvsw_route's source: a frame from the PF's queue */

enum nvsw_drop {
	NVSW_DROP_NONE,
	NVSW_DROP_MALFORMED, /* shorter than a header, longer than 1518, truncated tag */
	NVSW_DROP_SPOOF,     /* source MAC not the port's own */
	NVSW_DROP_VLAN,	     /* a tag the port may not use; destination not in the VLAN */
	NVSW_DROP_PORT_DOWN, /* source or destination port not attached */
	NVSW_DROP_NO_DEST,   /* unknown unicast from the wire, or a port's frame to itself */
	NVSW_DROP_COUNT
};

struct nvsw_port_counters {
	uint64_t tx;	   /* frames accepted from the port */
	uint64_t rx;	   /* copies delivered to the port on the synthetic path */
	uint64_t rx_late;  /* of those, while its path was the VF (in flight at the switch) */
	uint64_t switches; /* data path changes */
	uint64_t drops[NVSW_DROP_COUNT]; /* frames from the port, by reason */
};

struct nvsw_port {
	struct switch_port *sp; /* identity and policy: the NIC's port table owns it */
	enum nvsp_path path;
	bool attached; /* the child's NetVSC is up (INIT done) */
	bool has_vf;   /* a VF bound to this port is assigned to its child */
	struct nvsw_port_counters c;
};

/*
 * The PF driver's side of a data-path switch: move the port's MAC filter
 * (RAR entry) to its VF's pool (to VF) or back to the PF's pool (to
 * synthetic). 0, or an errno and nothing changed.
 */
struct nvsw_hooks {
	int (*move_filter)(void *ctx, unsigned port, const struct switch_port *sp,
			   enum nvsp_path to);
};

struct nvsw {
	struct nvsw_port ports[NVSW_PORTS_MAX];
	unsigned count;
	const struct nvsw_hooks *hooks;
	void *hooks_ctx;
	uint64_t wire_in, wire_out;
	uint64_t drops[NVSW_DROP_COUNT]; /* all sources */
};

/* Where one frame goes. */
struct nvsw_route {
	uint32_t ports;	  /* synthetic ports that get a copy: bit i = port i */
	uint32_t untag;	  /* of those, copies to remove the VLAN tag from (access ports) */
	uint32_t tag;	  /* of those, copies to tag with vid (trunk ports, untagged frame) */
	bool wire;	  /* out through the PF's queue: the wire and VF-attached ports */
	bool tag_on_wire; /* the wire copy needs a vid tag (source's port VLAN) */
	uint16_t vid;	  /* the frame's VLAN, 0 = none */
	enum nvsw_drop drop;
};

void nvsw_init(struct nvsw *sw, const struct nvsw_hooks *hooks, void *hooks_ctx);
/* The port's index, or -ENOSPC (table full) / -EEXIST (already there) / -EINVAL. */
int nvsw_port_add(struct nvsw *sw, struct switch_port *sp);
/* 0 or -ENODEV. A detached port neither sends nor receives. */
int nvsw_port_attach(struct nvsw *sw, unsigned port, bool attached);
/*
 * A VF is (no longer) the port's. Losing it while on the VF path puts the
 * port back on the synthetic path whatever the hook says (the VF's pool is
 * going away); the hook's error is returned. 0 or -ENODEV.
 */
int nvsw_port_set_vf(struct nvsw *sw, unsigned port, bool has_vf);
/*
 * SWITCH_DATAPATH: 0 (also when already there), or with *reason: -ENODEV
 * (no such port), -EPERM (policy forbids a VF, or no VF is the port's),
 * the hook's error (path unchanged).
 */
int nvsw_set_path(struct nvsw *sw, unsigned port, enum nvsp_path to, const char **reason);
/* Handles a decoded SWITCH_DATAPATH from port's child and writes the SWITCH_ACK into ack. */
int nvsw_handle_switch(struct nvsw *sw, unsigned port, const struct nvsp_msg *req, void *ack,
		       size_t cap, const char **reason);
/*
 * Where a frame from src (a port index or NVSW_WIRE) goes: the number of
 * destinations (copies + wire), 0 when dropped (out->drop says why), or
 * -EINVAL for an unknown source. Counts per port and per drop reason.
 */
int nvsw_route(struct nvsw *sw, unsigned src, const void *frame, size_t len,
	       struct nvsw_route *out);
/* The port's counters as a STATS_REPLY carries them. 0 or -ENODEV. */
int nvsw_port_stats(const struct nvsw *sw, unsigned port, struct nvsp_stats *out);
const char *nvsw_drop_name(enum nvsw_drop drop);

#endif
