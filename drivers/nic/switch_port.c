/*
 * Switch port policy: what a VF may change on its port and what that
 * changes (see switch_port.h). Checks and effects are split per request
 * kind; every check is free of side effects so port_apply can't fail.
 */
#include "drivers/nic/switch_port.h"
#include "hv/errno.h"
#include "hv/string.h"

static int refuse(const char **why, const char *text, int err)
{
	*why = text;
	return err;
}

/* --- Policy and set-up -------------------------------------------------- */

void port_policy_default(struct port_policy *p)
{
	*p = (struct port_policy){
	    .allow_multicast = true,
	    .allow_vf = true,
	    .max_multicast = IGB_MBX_MC_MAX,
	    .max_frame = IGB_MBX_LPE_MAX,
	};
}

int port_policy_validate(const struct port_policy *p, const char **reason)
{
	const char *why = "ok";
	int err = 0;

	if (p->vlan > PORT_VLAN_MAX)
		err = refuse(&why, "port vlan above 4094", -ERANGE);
	else if (p->max_multicast > IGB_MBX_MC_MAX)
		err = refuse(&why, "max_multicast above 30", -ERANGE);
	else if (p->max_frame < IGB_MBX_LPE_MIN || p->max_frame > IGB_MBX_LPE_MAX)
		err = refuse(&why, "max_frame out of range", -ERANGE);
	if (reason)
		*reason = why;
	return err;
}

static bool name_valid(const char *name)
{
	size_t len = strnlen(name, PORT_NAME_MAX);

	if (len == 0 || len >= PORT_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return false;
	return true;
}

int port_init(struct switch_port *port, unsigned id, const char *name, const struct mac_addr *mac,
	      const struct port_policy *policy, const char **reason)
{
	const char *why = "ok";
	int err = 0;

	if (!name_valid(name))
		err = refuse(&why, "bad port name", -EINVAL);
	else if (!mac_is_valid_unicast(mac))
		err = refuse(&why, "port MAC not a unicast address", -EINVAL);
	else
		err = port_policy_validate(policy, &why);
	if (reason)
		*reason = why;
	if (err)
		return err;
	memset(port, 0, sizeof(*port));
	port->id = id;
	hv_strlcpy(port->name, name, sizeof(port->name));
	port->perm_mac = *mac;
	port->policy = *policy;
	port_reset_state(port);
	return 0;
}

unsigned port_reset_state(struct switch_port *port)
{
	memset(&port->state, 0, sizeof(port->state));
	port->state.mac = port->perm_mac;
	return PORT_CHG_ALL & ~PORT_CHG_VF;
}

/* --- State lookups ------------------------------------------------------ */

static int uc_index(const struct port_state *s, const struct mac_addr *mac)
{
	for (unsigned i = 0; i < s->uc_count; i++)
		if (mac_equal(&s->uc_filter[i], mac))
			return (int)i;
	return -1;
}

static int vlan_index(const struct port_state *s, uint16_t vid)
{
	for (unsigned i = 0; i < s->vlan_count; i++)
		if (s->vlans[i] == vid)
			return (int)i;
	return -1;
}

static bool port_has_mac(const struct switch_port *p, const struct mac_addr *mac)
{
	return mac_equal(&p->perm_mac, mac) || mac_equal(&p->state.mac, mac) ||
	       uc_index(&p->state, mac) >= 0;
}

bool port_mac_taken(const struct switch_port *ports, unsigned count, const struct switch_port *self,
		    const struct mac_addr *mac)
{
	for (unsigned i = 0; i < count; i++)
		if (&ports[i] != self && port_has_mac(&ports[i], mac))
			return true;
	return false;
}

/* --- Checks, one per request kind --------------------------------------- */

static int check_mac(const struct switch_port *p, const struct mac_addr *mac, const char **why)
{
	/* igbvf re-sends its MAC after every reset: asking for what's in force is no change. */
	if (mac_equal(mac, &p->state.mac) || mac_equal(mac, &p->perm_mac))
		return 0;
	if (!p->policy.allow_mac_change)
		return refuse(why, "MAC change forbidden by port policy", -EPERM);
	return 0;
}

static int check_filter_add(const struct switch_port *p, const struct mac_addr *mac,
			    const char **why)
{
	/* An extra unicast filter receives for another address: a MAC change by policy. */
	if (!p->policy.allow_mac_change)
		return refuse(why, "extra unicast MAC forbidden by port policy", -EPERM);
	if (uc_index(&p->state, mac) >= 0 || mac_equal(mac, &p->state.mac))
		return 0;
	if (p->state.uc_count >= IGB_MBX_MAC_FILTERS_MAX)
		return refuse(why, "no room for another unicast filter", -ENOSPC);
	return 0;
}

static int check_multicast(const struct switch_port *p, const struct mbx_mc_list *mc,
			   const char **why)
{
	if (mc->count == 0)
		return 0; /* leaving every group is always allowed */
	if (!p->policy.allow_multicast)
		return refuse(why, "multicast forbidden by port policy", -EPERM);
	if (mc->count > p->policy.max_multicast)
		return refuse(why, "too many multicast addresses for the port", -E2BIG);
	return 0;
}

static int check_vlan(const struct switch_port *p, uint16_t vid, bool add, const char **why)
{
	/* VLAN 0 is untagged/priority only, and leaving a VLAN is never a privilege. */
	if (vid == 0 || !add)
		return 0;
	if (!p->policy.allow_vlan)
		return refuse(why, "VLAN tagging forbidden by port policy", -EPERM);
	if (p->policy.vlan && vid != p->policy.vlan)
		return refuse(why, "VLAN differs from the port's VLAN", -EPERM);
	if (vlan_index(&p->state, vid) >= 0)
		return 0;
	if (p->state.vlan_count >= PORT_VLANS_MAX)
		return refuse(why, "no room for another VLAN", -ENOSPC);
	return 0;
}

static int check_promisc(const struct switch_port *p, bool unicast, bool multicast,
			 const char **why)
{
	if (unicast && !p->policy.allow_promisc)
		return refuse(why, "promiscuous mode forbidden by port policy", -EPERM);
	if (multicast && !p->policy.allow_multicast)
		return refuse(why, "all-multicast forbidden by port policy", -EPERM);
	return 0;
}

int port_check(const struct switch_port *port, const struct mbx_request *req, const char **reason)
{
	const char *why = "ok";
	int err;

	switch (req->kind) {
	case MBX_REQ_RESET:
	case MBX_REQ_MAC_FILTER_CLEAR:
		err = 0;
		break;
	case MBX_REQ_SET_MAC:
		err = check_mac(port, &req->u.mac, &why);
		break;
	case MBX_REQ_MAC_FILTER_ADD:
		err = check_filter_add(port, &req->u.mac, &why);
		break;
	case MBX_REQ_SET_MULTICAST:
		err = check_multicast(port, &req->u.mc, &why);
		break;
	case MBX_REQ_SET_VLAN:
		err = check_vlan(port, req->u.vlan.id, req->u.vlan.add, &why);
		break;
	case MBX_REQ_SET_LPE:
		err = req->u.max_frame > port->policy.max_frame
			  ? refuse(&why, "frame size above the port's limit", -ERANGE)
			  : 0;
		break;
	case MBX_REQ_SET_PROMISC:
		err = check_promisc(port, req->u.promisc.unicast, req->u.promisc.multicast, &why);
		break;
	default:
		err = refuse(&why, "not a request", -EINVAL);
		break;
	}
	if (reason)
		*reason = why;
	return err;
}

/* --- Effects, one per request kind -------------------------------------- */

static unsigned apply_mac(struct port_state *s, const struct mac_addr *mac)
{
	if (mac_equal(&s->mac, mac))
		return 0;
	s->mac = *mac;
	return PORT_CHG_MAC;
}

static unsigned apply_filter_add(struct port_state *s, const struct mac_addr *mac)
{
	if (uc_index(s, mac) >= 0 || mac_equal(mac, &s->mac))
		return 0;
	s->uc_filter[s->uc_count++] = *mac;
	return PORT_CHG_UC_FILTER;
}

static unsigned apply_filter_clear(struct port_state *s)
{
	unsigned had = s->uc_count;

	memset(s->uc_filter, 0, sizeof(s->uc_filter));
	s->uc_count = 0;
	return had ? PORT_CHG_UC_FILTER : 0;
}

static unsigned apply_vlan(struct port_state *s, uint16_t vid, bool add)
{
	int i = vlan_index(s, vid);

	if (vid == 0 || (add && i >= 0) || (!add && i < 0))
		return 0;
	if (add) {
		s->vlans[s->vlan_count++] = vid;
	} else {
		s->vlans[i] = s->vlans[s->vlan_count - 1];
		s->vlans[--s->vlan_count] = 0;
	}
	return PORT_CHG_VLAN;
}

static unsigned apply_promisc(struct port_state *s, bool unicast, bool multicast)
{
	if (s->promisc_unicast == unicast && s->promisc_multicast == multicast)
		return 0;
	s->promisc_unicast = unicast;
	s->promisc_multicast = multicast;
	return PORT_CHG_PROMISC;
}

static unsigned apply_frame(struct port_state *s, uint16_t max_frame)
{
	if (s->max_frame == max_frame)
		return 0;
	s->max_frame = max_frame;
	return PORT_CHG_FRAME;
}

unsigned port_apply(struct switch_port *port, const struct mbx_request *req)
{
	struct port_state *s = &port->state;

	switch (req->kind) {
	case MBX_REQ_RESET:
		return port_reset_state(port);
	case MBX_REQ_SET_MAC:
		return apply_mac(s, &req->u.mac);
	case MBX_REQ_MAC_FILTER_CLEAR:
		return apply_filter_clear(s);
	case MBX_REQ_MAC_FILTER_ADD:
		return apply_filter_add(s, &req->u.mac);
	case MBX_REQ_SET_MULTICAST:
		s->mc = req->u.mc;
		return PORT_CHG_MULTICAST;
	case MBX_REQ_SET_VLAN:
		return apply_vlan(s, req->u.vlan.id, req->u.vlan.add);
	case MBX_REQ_SET_LPE:
		return apply_frame(s, req->u.max_frame);
	case MBX_REQ_SET_PROMISC:
		return apply_promisc(s, req->u.promisc.unicast, req->u.promisc.multicast);
	default:
		return 0;
	}
}

int port_handle(struct switch_port *port, const struct mbx_request *req, const char **reason,
		unsigned *changes)
{
	int err = port_check(port, req, reason);

	*changes = 0;
	if (err) {
		port->refused++;
		return err;
	}
	*changes = port_apply(port, req);
	port->applied++;
	return 0;
}

/* --- Policy changes ----------------------------------------------------- */

static unsigned enforce_mac(struct switch_port *p)
{
	unsigned chg = 0;

	if (p->policy.allow_mac_change)
		return 0;
	chg |= apply_mac(&p->state, &p->perm_mac);
	return chg | apply_filter_clear(&p->state);
}

static unsigned enforce_multicast(struct switch_port *p)
{
	struct port_state *s = &p->state;
	unsigned chg = 0;

	if (s->mc.count && (!p->policy.allow_multicast || s->mc.count > p->policy.max_multicast)) {
		memset(&s->mc, 0, sizeof(s->mc));
		chg |= PORT_CHG_MULTICAST;
	}
	if (s->promisc_multicast && !p->policy.allow_multicast)
		chg |= apply_promisc(s, s->promisc_unicast, false);
	if (s->promisc_unicast && !p->policy.allow_promisc)
		chg |= apply_promisc(s, false, s->promisc_multicast);
	return chg;
}

static unsigned enforce_vlans(struct switch_port *p)
{
	struct port_state *s = &p->state;
	unsigned chg = 0;

	for (unsigned i = s->vlan_count; i-- > 0;) {
		uint16_t vid = s->vlans[i];

		if (!p->policy.allow_vlan || (p->policy.vlan && vid != p->policy.vlan))
			chg |= apply_vlan(s, vid, false);
	}
	return chg;
}

unsigned port_set_policy(struct switch_port *port, const struct port_policy *policy)
{
	const struct port_policy old = port->policy;
	unsigned chg = 0;

	port->policy = *policy;
	if (old.vlan != policy->vlan)
		chg |= PORT_CHG_VLAN;
	if (old.allow_vf != policy->allow_vf)
		chg |= PORT_CHG_VF;
	if (port->state.max_frame > policy->max_frame)
		chg |= apply_frame(&port->state, policy->max_frame);
	return chg | enforce_mac(port) | enforce_multicast(port) | enforce_vlans(port);
}
