/*
 * The NetVSP's state, shared by its files: netvsp.c (channels, rings,
 * polling, closing), netvsp_ctl.c (control protocol), netvsp_net.c
 * (netvsc messages, switching, the wire), netvsp_vf.c (VF association and
 * the MAC filter), netvsp_cmd.c (the shell).
 */
#ifndef GUESTS_PARENT_NETVSP_INT_H
#define GUESTS_PARENT_NETVSP_INT_H

#include "guests/lib/netvsp_switch.h"
#include "guests/lib/ring.h"
#include "guests/lib/vmbus_ctl.h"
#include "guests/parent/netvsp.h"

#define NETVSP_CHANNELS	     HV_GUEST_MAX_CHANNELS
#define NETVSP_INSTANCE	     1	/* instance id of every child's one netvsc offer */
#define NETVSP_MALFORMED_MAX 16 /* refused messages before the channel is closed */
#define NETVSP_MTU	     1500
#define NETVSP_LINK_MBPS     1000

enum netvsp_state { NETVSP_WAITING, NETVSP_CONNECTED, NETVSP_OPEN, NETVSP_CLOSED };

struct netvsp_counters {
	uint64_t syn_tx, syn_rx;
	uint64_t ring_full;    /* frames for the child dropped: its ring was full */
	uint64_t wire_busy;    /* frames of the child dropped: the PF's TX ring was full */
	uint64_t malformed;    /* messages refused */
	uint64_t doorbells;    /* rung to the child */
	uint64_t switches;     /* synthetic -> VF */
	uint64_t failovers;    /* VF -> synthetic */
	uint64_t vf_tx, vf_rx; /* VF pool counters of VFs the port had before */
};

/* One child's vmbus channel and its synthetic NIC. */
struct netvsp_chan {
	unsigned index; /* in the parent's boot-info channels[]: the doorbell's argument */
	char name[HV_NAME_LEN + 1];
	uint8_t *mem;
	enum netvsp_state state;
	struct ring_end ctl_tx, ctl_rx, net_tx, net_rx;
	bool ctl_rx_up, net_rx_up; /* the child set up its rings */
	struct vmbus_ctl_sm sm;
	bool net_up; /* INIT answered */
	int port;    /* nvsw port, -1: the child has no switch port */
	struct switch_port *sp;
	bool signal;			 /* a doorbell is owed to the child */
	int vf;				 /* associated VF, -1 */
	uint64_t vf_base_tx, vf_base_rx; /* its pool counters at association */
	struct netvsp_counters c;
};

struct netvsp {
	bool up;
	struct netvsp_chan chans[NETVSP_CHANNELS];
	unsigned count;
	struct nvsw sw;
	bool link_up;		   /* the PF's, as last told to the children */
	uint64_t loopback_dropped; /* our own synthetic frames the NIC looped back */
};

extern struct netvsp netvsp;

/* netvsp.c */
/* Writes one packet to the child; counts, flags the doorbell. 0 or ring_write's errno. */
int netvsp_send(struct netvsp_chan *ch, struct ring_end *e, uint16_t type, const void *msg,
		size_t len);
/* Closes ch for good (a hostile or broken child): logged once with its counts. */
void netvsp_close(struct netvsp_chan *ch, const char *reason);
/*
 * Before sleeping: unmask every child's rings (a doorbell may then end the
 * sleep) and re-check; true when a packet came meanwhile (don't sleep).
 */
bool netvsp_arm(void);
/* A message refused: counted, and past NETVSP_MALFORMED_MAX the channel closes. */
void netvsp_malformed(struct netvsp_chan *ch, const char *what, const char *reason);
struct netvsp_chan *netvsp_chan_of_port(unsigned port);
const char *netvsp_state_name(enum netvsp_state s);

/* netvsp_ctl.c: one control message from the child */
void netvsp_ctl_input(struct netvsp_chan *ch, const void *buf, size_t len);

/* netvsp_net.c */
void netvsp_net_input(struct netvsp_chan *ch, const void *buf, size_t len);
/* Tells the children when the wire's link changed. */
void netvsp_link_poll(void);
/* Routes a frame from port src (or NVSW_WIRE) to its destinations. */
void netvsp_route(unsigned src, const uint8_t *frame, size_t len);

/* netvsp_vf.c */
extern const struct nvsw_hooks netvsp_hooks;
/* The child's NetVSC came up: tell it about a VF its port already has. */
void netvsp_vf_on_init(struct netvsp_chan *ch);
/* The pool counters of the port's current VF, added to what earlier VFs carried. */
void netvsp_vf_counts(const struct netvsp_chan *ch, uint64_t *tx, uint64_t *rx);

#endif
