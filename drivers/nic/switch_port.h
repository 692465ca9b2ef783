/*
 * A port of the parent's NIC switch: the identity of one child's network
 * adapter (a permanent MAC, a port VLAN) and its policy, vSphere-style
 * (may the guest change its MAC, tag VLANs, receive multicast, go
 * promiscuous, get a VF). Port and policy outlive the data path: they are
 * the same whether the child's traffic runs through the synthetic path or
 * through a VF, and a VF moved to another child finds that child's port.
 *
 * A VF's configuration requests (decoded by mbx_decode.h) are checked here
 * against the policy (port_check, which may refuse) and then applied to the
 * port's state (port_apply, which cannot fail); the PF driver reprograms the
 * hardware from the returned change mask. A refused MAC change leaves the
 * MAC in force as it was. Pure logic, no hardware.
 */
#ifndef DRIVERS_NIC_SWITCH_PORT_H
#define DRIVERS_NIC_SWITCH_PORT_H

#include "hv/types.h"
#include "drivers/nic/mbx_decode.h"

#define PORT_NAME_MAX  16 /* including the NUL */
#define PORT_VLANS_MAX 8  /* VLANs one guest may have joined at a time */
#define PORT_VLAN_MAX  4094

/* Administrative policy: set by the parent's configuration and shell only. */
struct port_policy {
	bool allow_mac_change; /* guest may use a MAC other than the port's */
	bool allow_vlan;       /* guest may tag frames itself (join VLANs) */
	bool allow_multicast;  /* guest may join multicast groups */
	bool allow_promisc;    /* guest may receive unicast not addressed to it */
	bool allow_vf;	       /* port may be given a VF */
	uint16_t vlan;	       /* port VLAN (tagged by the switch), 0 = none */
	uint8_t max_multicast; /* 0..IGB_MBX_MC_MAX hashes */
	uint16_t max_frame;    /* upper bound for SET_LPE */
};

/* What the guest asked for and was granted; back to defaults on VF reset. */
struct port_state {
	struct mac_addr mac; /* MAC in force; the port's own unless changed */
	struct mac_addr uc_filter[IGB_MBX_MAC_FILTERS_MAX];
	uint8_t uc_count;
	struct mbx_mc_list mc;
	uint16_t vlans[PORT_VLANS_MAX];
	uint8_t vlan_count;
	bool promisc_unicast;
	bool promisc_multicast;
	uint16_t max_frame; /* 0 = never set */
};

struct switch_port {
	unsigned id;
	char name[PORT_NAME_MAX];
	struct mac_addr perm_mac; /* identity: never changes */
	struct port_policy policy;
	struct port_state state;
	uint64_t applied; /* requests granted */
	uint64_t refused; /* requests refused by policy */
};

/* What port_apply / port_set_policy changed: what the PF must reprogram. */
#define PORT_CHG_MAC	   (1u << 0) /* RAR entry of the port's pool */
#define PORT_CHG_UC_FILTER (1u << 1) /* extra unicast RAR entries */
#define PORT_CHG_MULTICAST (1u << 2) /* MTA contribution */
#define PORT_CHG_VLAN	   (1u << 3) /* VLVF/VFTA membership, port VLAN */
#define PORT_CHG_PROMISC   (1u << 4) /* VMOLR.ROPE/MPME */
#define PORT_CHG_FRAME	   (1u << 5) /* VMOLR.RLPML */
#define PORT_CHG_VF	   (1u << 6) /* allow_vf changed: give or take the VF */
#define PORT_CHG_ALL	   0x7Fu

/* mac_change off, no VLAN, multicast on, promisc off, VF on, protocol maxima. */
void port_policy_default(struct port_policy *p);
/* 0, or -EINVAL / -ERANGE with *reason naming the field. */
int port_policy_validate(const struct port_policy *p, const char **reason);

/*
 * Sets up a port: name of 1..PORT_NAME_MAX-1 printable characters without
 * spaces, mac a valid unicast address, policy valid. 0 or -EINVAL/-ERANGE;
 * the port is untouched on failure.
 */
int port_init(struct switch_port *port, unsigned id, const char *name, const struct mac_addr *mac,
	      const struct port_policy *policy, const char **reason);

/* Back to the port's identity: own MAC, no filters, groups, VLANs, modes. */
unsigned port_reset_state(struct switch_port *port);

/*
 * May this (well-formed) request be granted on this port? 0, or with
 * *reason set: -EPERM (policy forbids), -E2BIG (more multicast groups than
 * the port allows), -ENOSPC (no room for another filter or VLAN), -ERANGE
 * (frame size above the port's limit), -EINVAL (not a request).
 */
int port_check(const struct switch_port *port, const struct mbx_request *req, const char **reason);
/* Applies a request port_check accepted; returns PORT_CHG_* bits. */
unsigned port_apply(struct switch_port *port, const struct mbx_request *req);
/* port_check, then port_apply on success; counts either way. */
int port_handle(struct switch_port *port, const struct mbx_request *req, const char **reason,
		unsigned *changes);

/*
 * Is mac already someone else's on this switch (another port's own MAC,
 * MAC in force or extra filter)? A MAC change must not steal another
 * child's traffic, whatever the policy; the PF asks this before port_check
 * for SET_MAC and MAC_FILTER_ADD.
 */
bool port_mac_taken(const struct switch_port *ports, unsigned count, const struct switch_port *self,
		    const struct mac_addr *mac);

/*
 * Installs a validated policy and brings the state in line with it (e.g.
 * mac_change off puts the port's own MAC back in force, guest VLANs the
 * policy no longer allows are dropped). Returns PORT_CHG_* bits.
 */
unsigned port_set_policy(struct switch_port *port, const struct port_policy *policy);

/*
 * Parses a `port set` argument string, e.g. "mac_change=on vlan=12", on top
 * of cur into *out (cur and out may be the same). Keys: mac_change,
 * guest_vlan, multicast, promisc, vf (on|off); vlan (0..4094),
 * max_multicast (0..30), max_frame (64..16128). Validates everything before
 * writing *out: on failure *out is untouched and *reason says what was wrong
 * (-EINVAL: unknown or repeated key, bad syntax, nothing to set; -ERANGE:
 * number out of range).
 */
int port_policy_parse(const struct port_policy *cur, const char *args, struct port_policy *out,
		      const char **reason);

/* One `port list` line ("port=1 name=... mac=... ..."), as snprintf returns. */
int port_format(const struct switch_port *port, char *buf, size_t size);

#endif
