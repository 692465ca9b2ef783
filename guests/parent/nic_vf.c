/*
 * The VF lifecycle as the parent runs it: the state machine of
 * drivers/nic/vf_alloc.h (Hyper-V's NIC switch OIDs) wired to the PF driver
 * and to the hypervisor's assignment hypercalls. Each command checks the
 * state first, then does the hardware or hypervisor work, then records the
 * transition; a refusal changes nothing and says why.
 *
 *   vf alloc <port>          allocate + complete: VF id, RID, the port's MAC,
 *                            VF bound to the port (its mailbox answered from
 *                            now on), pool programmed without the MAC
 *   vf free <id>             pool scrubbed, VF unbound, resources back
 *   vf reset <id>            OID_SRIOV_RESET_VF from the PF's side (igb_vf_reset)
 *   vf assign <id> <child>   HC_VF_ASSIGN on the VF's RID (the hypervisor
 *                            checks, FLRs, maps), then the port's MAC moves
 *                            to the VF's pool
 *   vf revoke <id>           HC_VF_REVOKE until done (the child's release or
 *                            the hypervisor's deadline), then the pool is
 *                            scrubbed: nothing of this child reaches the next
 *
 * The VF serves the port of the child it is assigned to: a VF allocated for
 * child1's port is assigned to child1 only; moving it means revoke, free,
 * and an allocation for the other child's port.
 */
#include "guests/lib/guest.h"
#include "guests/parent/netvsp.h"
#include "guests/parent/nic.h"

#define REVOKE_MAX_US 10000000 /* the hypervisor forces a revoke well before this */

static void refused(const char *op, int err, const char *why)
{
	printf("error %s op=%s reason=\"%s\"\n", errno_name(err), op, why);
}

/* The first word of *args as an allocated VF's id; *args moves past it. */
static int parse_vf(struct nic *n, char **args, uint16_t *id, const char **why)
{
	char *word = *args, *end = word;
	uint64_t v;

	while (*end && *end != ' ')
		end++;
	if (*end)
		*end++ = '\0';
	while (*end == ' ')
		end++;
	*args = end;
	if (!*word || parse_u64(word, &v) || v >= n->vfs.count) {
		*why = "no such VF";
		return -ENOENT;
	}
	*id = (uint16_t)v;
	return 0;
}

static uint32_t vf_bdf(const struct nic *n, uint16_t id)
{
	return n->vfs.vf[id].rid;
}

static void print_vf(const struct nic *n, const char *op, uint16_t id)
{
	const struct vf_entry *vf = &n->vfs.vf[id];
	char mac[MAC_STR_LEN], bdf[12];

	printf("ok op=%s vf=%u rid=%s state=%s port=%u mac=%s rar=%u\n", op, id,
	       bdf_format(vf_bdf(n, id), bdf, sizeof(bdf)), vf_state_name(vf->state),
	       vf->params.port_id, mac_format(&vf->params.mac, mac), igb_switch_vf_rar(&n->pf, id));
}

/* --- alloc / free ------------------------------------------------------------ */

static int alloc_checks(struct nic *n, const struct switch_port *port, const char **why)
{
	if (!n->vfs.count) {
		*why = "SR-IOV is off";
		return -ENODEV;
	}
	if (!port->policy.allow_vf) {
		*why = "port policy forbids a VF";
		return -EPERM;
	}
	return 0;
}

void nic_cmd_vf_alloc(struct nic *n, char *arg)
{
	struct switch_port *port = nic_port_find(n, arg);
	struct vf_params params = {.queue_pairs = 1};
	const char *why = "no such port";
	uint16_t id, rid;
	int err = port ? alloc_checks(n, port, &why) : -ENOENT;

	if (!err) {
		params.port_id = port->id;
		params.mac = port->perm_mac;
		err = vf_allocate(&n->vfs, &params, &id, &why);
	}
	if (err) {
		refused("alloc", err, why);
		return;
	}
	err = igb_vf_bind_port(&n->pf, id, port);
	if (err) {
		vf_allocate_abort(&n->vfs, id, NULL);
		igb_vf_bind_port(&n->pf, id, NULL);
		refused("alloc", err, "switch tables full");
		return;
	}
	vf_allocate_complete(&n->vfs, id, &rid, &why);
	print_vf(n, "alloc", id);
}

void nic_cmd_vf_free(struct nic *n, char *arg)
{
	const char *why = "";
	uint16_t id;
	int err = parse_vf(n, &arg, &id, &why);

	if (!err)
		err = vf_free(&n->vfs, id, &why);
	if (err) {
		refused("free", err, why);
		return;
	}
	igb_vf_bind_port(&n->pf, id, NULL);
	printf("ok op=free vf=%u free=%u\n", id, vf_free_count(&n->vfs));
}

/* --- reset ------------------------------------------------------------------- */

static int reset_vf(struct nic *n, uint16_t id, const char **why)
{
	int err = vf_reset_begin(&n->vfs, id, why);

	if (err)
		return err;
	igb_vf_reset(&n->pf, id);
	return vf_reset_complete(&n->vfs, id, why);
}

void nic_cmd_vf_reset(struct nic *n, char *arg)
{
	const char *why = "";
	uint16_t id;
	int err = parse_vf(n, &arg, &id, &why);

	if (!err)
		err = reset_vf(n, id, &why);
	if (err) {
		refused("reset", err, why);
		return;
	}
	printf("ok op=reset vf=%u resets=%u\n", id, n->vfs.vf[id].resets);
}

/* --- assign / revoke ------------------------------------------------------------ */

/* What vf_assign would refuse, asked before the hypervisor acts. */
static int assign_checks(struct nic *n, uint16_t id, uint32_t child, const char **why)
{
	const struct vf_entry *vf = &n->vfs.vf[id];

	if (vf->state != VF_ALLOCATED) {
		*why = vf->state == VF_ASSIGNED ? "VF already assigned" : "VF not allocated";
		return vf->state == VF_ASSIGNED ? -EBUSY : -ENOENT;
	}
	if (vf->needs_reset) {
		*why = "VF must be reset before it changes hands";
		return -EAGAIN;
	}
	if (vf->params.port_id != child) {
		*why = "VF serves another child's port";
		return -EINVAL;
	}
	return 0;
}

void nic_cmd_vf_assign(struct nic *n, char *arg)
{
	const char *why = "";
	uint32_t child = 0;
	uint16_t id;
	long err = parse_vf(n, &arg, &id, &why);

	if (!err && (partitions_fetch() < 0 || partition_find(arg, &child))) {
		why = "no such partition";
		err = -ENOENT;
	}
	if (!err)
		err = assign_checks(n, id, child, &why);
	if (!err) {
		err = hc_vf_assign(vf_bdf(n, id), child);
		why = "hypervisor refused (its log says why)";
	}
	if (!err)
		err = vf_assign(&n->vfs, id, child, &why);
	if (err) {
		refused("assign", (int)err, why);
		return;
	}
	if (!netvsp_vf_assigned(id)) /* else the MAC moves when the child switches */
		igb_vf_attach(&n->pf, id, true);
	print_vf(n, "assign", id);
}

/* After the hypervisor's FLR: the pool scrubbed and detached, the VF reset for the next child. */
static int scrub(struct nic *n, uint16_t id, const char **why)
{
	int err = vf_revoke(&n->vfs, id, why);

	if (err)
		return err;
	igb_vf_attach(&n->pf, id, false);
	return reset_vf(n, id, why);
}

void nic_cmd_vf_revoke(struct nic *n, char *arg)
{
	const char *why = "";
	uint16_t id;
	long err = parse_vf(n, &arg, &id, &why);

	if (!err && n->vfs.vf[id].state != VF_ASSIGNED) {
		why = "VF not assigned";
		err = -EINVAL;
	}
	if (!err) {
		netvsp_vf_revoking(id); /* the child fails back to synthetic first */
		err = vf_revoke_wait(vf_bdf(n, id), REVOKE_MAX_US);
		why = err == -EAGAIN ? "child still holds the VF" : "hypervisor refused";
	}
	if (!err)
		err = scrub(n, id, &why);
	if (err) {
		refused("revoke", (int)err, why);
		return;
	}
	print_vf(n, "revoke", id);
}
