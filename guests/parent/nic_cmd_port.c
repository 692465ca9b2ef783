/*
 * `vf list`, `port list` and `port set`: the VFs with the identity of the
 * port each serves, and the ports' policy, vSphere-style. A policy change
 * takes effect at once: the port's state is brought in line with it
 * (switch_port.h) and the pool of the VF serving the port is reprogrammed.
 */
#include "guests/lib/guest.h"
#include "guests/parent/nic.h"

void nic_cmd_vf_list(struct nic *n)
{
	char line[CONSOLE_LINE_MAX], mac[MAC_STR_LEN];

	partitions_fetch();
	for (unsigned i = 0; i < n->vfs.count; i++) {
		const struct switch_port *port = i < IGB_MAX_VFS ? n->pf.vf_port[i] : NULL;
		const struct vf_entry *vf = &n->vfs.vf[i];
		struct strbuf sb = STRBUF_INIT(line, sizeof(line));
		char owner[HV_NAME_LEN + 1] = "-";

		sb.pos = (size_t)MAX(0, vf_format(vf, line, sizeof(line)));
		if (vf->owner != VF_OWNER_NONE)
			partition_name(vf->owner, owner, sizeof(owner));
		strbuf_printf(&sb, " owner_name=%s", owner);
		if (port)
			strbuf_printf(&sb, " port_name=%s cur_mac=%s vlan=%u", port->name,
				      mac_format(&port->state.mac, mac), port->policy.vlan);
		else
			strbuf_printf(&sb, " port_name=- cur_mac=- vlan=-");
		printf("%s\n", line);
	}
	printf("vf list count=%u enabled=%u free=%u\n", n->vfs.count, n->pf.sriov.num_vfs,
	       vf_free_count(&n->vfs));
}

void nic_cmd_port_list(struct nic *n)
{
	char line[CONSOLE_LINE_MAX];

	for (unsigned i = 0; i < n->port_count; i++) {
		int vf = nic_port_vf(n, &n->ports[i]);
		struct strbuf sb = STRBUF_INIT(line, sizeof(line));

		sb.pos = (size_t)MAX(0, port_format(&n->ports[i], line, sizeof(line)));
		if (vf >= 0)
			strbuf_printf(&sb, " vf_id=%d", vf);
		else
			strbuf_printf(&sb, " vf_id=-");
		printf("%s\n", line);
	}
	printf("port list count=%u\n", n->port_count);
}

void nic_cmd_port_set(struct nic *n, char *arg)
{
	char *rest = arg;
	struct switch_port *port;
	struct port_policy policy;
	const char *why = "";
	unsigned changes;
	int err, vf;

	while (*rest && *rest != ' ')
		rest++;
	if (*rest)
		*rest++ = '\0';
	port = nic_port_find(n, arg);
	if (!port) {
		printf("error %s port=%s reason=\"no such port\"\n", errno_name(-ENOENT), arg);
		return;
	}
	err = port_policy_parse(&port->policy, rest, &policy, &why);
	if (err) {
		printf("error %s port=%s reason=\"%s\"\n", errno_name(err), port->name, why);
		return;
	}
	changes = port_set_policy(port, &policy);
	vf = nic_port_vf(n, port);
	if (vf >= 0 && igb_switch_apply_port(&n->pf, (unsigned)vf, port, changes))
		printf("nic error port=%s vf=%d reason=\"switch tables full\"\n", port->name, vf);
	printf("ok port=%s changes=0x%x vf=%d\n", port->name, changes, vf);
}
