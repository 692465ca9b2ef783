/*
 * The switch ports: one per child partition, created at boot from the
 * partition list. A port is the child's network identity whatever its
 * traffic runs on (synthetic path or VF): its name is the partition's, its
 * MAC a locally administered address derived from the NIC's own (first
 * byte 02, last byte the partition id), its policy the default of
 * switch_port.h until `port set` changes it.
 */
#include "guests/lib/guest.h"
#include "guests/parent/nic.h"

#define ROLE_CHILD 1 /* hv_partition_status.role */

static void port_mac(const struct nic *n, uint32_t partition_id, struct mac_addr *mac)
{
	*mac = n->pf.mac;
	mac->b[0] = 0x02; /* locally administered, unicast */
	mac->b[5] = (uint8_t)partition_id;
}

static void add_port(struct nic *n, const struct hv_partition_status *p)
{
	struct switch_port *port = &n->ports[n->port_count];
	char name[PORT_NAME_MAX];
	struct port_policy policy;
	struct mac_addr mac;
	const char *why = "";
	int err;

	hv_snprintf(name, sizeof(name), "%.*s", HV_NAME_LEN, p->name);
	port_mac(n, p->id, &mac);
	port_policy_default(&policy);
	err = port_init(port, p->id, name, &mac, &policy, &why);
	if (err) {
		printf("nic error port=%s err=%s reason=\"%s\"\n", name, errno_name(err), why);
		return;
	}
	n->port_count++;
}

int nic_ports_create(struct nic *n)
{
	size_t count;
	const struct hv_partition_status *list;
	long got = partitions_fetch();

	if (got < 0)
		return (int)got;
	list = partitions_get(&count);
	for (size_t i = 0; i < count && n->port_count < NIC_MAX_PORTS; i++)
		if (list[i].role == ROLE_CHILD)
			add_port(n, &list[i]);
	n->pf.ports = n->ports;
	n->pf.port_count = n->port_count;
	return 0;
}

struct switch_port *nic_port_find(struct nic *n, const char *name_or_id)
{
	uint64_t id;
	bool numeric = !parse_u64(name_or_id, &id);

	for (unsigned i = 0; i < n->port_count; i++) {
		struct switch_port *p = &n->ports[i];

		if (!strcmp(p->name, name_or_id) || (numeric && p->id == id))
			return p;
	}
	return NULL;
}

int nic_port_vf(const struct nic *n, const struct switch_port *port)
{
	for (unsigned vf = 0; vf < IGB_MAX_VFS; vf++)
		if (n->pf.vf_port[vf] == port)
			return (int)vf;
	return -1;
}
