/*
 * The VF table and its state machine (see vf_alloc.h). Every operation
 * looks the VF up, checks its state, then changes it: nothing is changed
 * on a refusal.
 */
#include "drivers/nic/vf_alloc.h"
#include "hv/errno.h"
#include "hv/format.h"
#include "hv/string.h"

static int refuse(const char **why, const char *text, int err)
{
	if (why)
		*why = text;
	return err;
}

static int ok(const char **why)
{
	if (why)
		*why = "ok";
	return 0;
}

/* --- RIDs and set-up ----------------------------------------------------- */

int vf_rid(const struct vf_rid_layout *l, unsigned index, uint16_t *rid)
{
	uint64_t r;

	if (l->offset == 0)
		return -EINVAL; /* the VF would alias the PF */
	if (l->stride == 0 && index > 0)
		return -EINVAL; /* two VFs with one RID */
	if (l->last_bus < (l->pf_rid >> 8) || index > 0xFFFF)
		return -EINVAL;
	r = (uint64_t)l->pf_rid + l->offset + (uint64_t)l->stride * index;
	if (r > 0xFFFF || (r >> 8) > l->last_bus)
		return -ERANGE;
	*rid = (uint16_t)r;
	return 0;
}

int vf_table_init(struct vf_table *t, const struct vf_table_config *cfg, const char **reason)
{
	unsigned count = MIN(cfg->num_vfs, (unsigned)VF_IGB_MAX);
	uint16_t rids[VF_TABLE_MAX];

	if (cfg->max_queue_pairs == 0 || cfg->max_queue_pairs > VF_QUEUE_PAIRS_MAX)
		return refuse(reason, "bad queue pairs per VF", -EINVAL);
	for (unsigned i = 0; i < count; i++) {
		int err = vf_rid(&cfg->layout, i, &rids[i]);

		if (err)
			return refuse(reason,
				      err == -ERANGE ? "VF RID beyond the PF's buses"
						     : "bad SR-IOV offset or stride",
				      err);
	}
	memset(t, 0, sizeof(*t));
	t->layout = cfg->layout;
	t->count = count;
	t->max_queue_pairs = cfg->max_queue_pairs;
	for (unsigned i = 0; i < VF_TABLE_MAX; i++) {
		t->vf[i] = (struct vf_entry){
		    .id = (uint16_t)i, .rid = i < count ? rids[i] : 0, .owner = VF_OWNER_NONE};
		t->vf[i].params.port_id = VF_PORT_NONE;
	}
	ok(reason);
	return (int)count;
}

/* --- Lookups ------------------------------------------------------------ */

static struct vf_entry *lookup(struct vf_table *t, uint16_t vf_id, const char **why)
{
	if (vf_id >= t->count) {
		refuse(why, "no such VF", -ENOENT);
		return NULL;
	}
	return &t->vf[vf_id];
}

/* The common refusals of a VF not in a state an operation accepts. */
static int wrong_state(const struct vf_entry *vf, const char **why)
{
	switch (vf->state) {
	case VF_FREE:
		return refuse(why, "VF not allocated", -ENOENT);
	case VF_ALLOCATING:
		return refuse(why, "VF allocation not complete", -EBUSY);
	case VF_RESETTING:
		return refuse(why, "VF reset under way", -EBUSY);
	case VF_ASSIGNED:
		return refuse(why, "VF assigned to a child", -EBUSY);
	default:
		return refuse(why, "VF not assigned", -EINVAL);
	}
}

bool vf_operational(const struct vf_entry *vf)
{
	return vf->state == VF_ALLOCATED || vf->state == VF_ASSIGNED;
}

int vf_find_by_port(const struct vf_table *t, unsigned port_id)
{
	for (unsigned i = 0; i < t->count; i++)
		if (t->vf[i].state != VF_FREE && t->vf[i].params.port_id == port_id)
			return (int)i;
	return -ENOENT;
}

unsigned vf_free_count(const struct vf_table *t)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->count; i++)
		n += t->vf[i].state == VF_FREE;
	return n;
}

/* --- Allocation ---------------------------------------------------------- */

static int params_check(const struct vf_table *t, const struct vf_params *p, const char **why)
{
	if (p->port_id == VF_PORT_NONE)
		return refuse(why, "no port given", -EINVAL);
	if (!mac_is_valid_unicast(&p->mac))
		return refuse(why, "VF MAC not a unicast address", -EINVAL);
	if (p->queue_pairs == 0 || p->queue_pairs > t->max_queue_pairs)
		return refuse(why, "bad number of queue pairs", -EINVAL);
	return 0;
}

int vf_allocate(struct vf_table *t, const struct vf_params *params, uint16_t *vf_id,
		const char **reason)
{
	int err = params_check(t, params, reason);

	if (err)
		return err;
	if (vf_find_by_port(t, params->port_id) >= 0)
		return refuse(reason, "port already has a VF", -EEXIST);
	for (unsigned i = 0; i < t->count; i++) {
		struct vf_entry *vf = &t->vf[i];

		if (vf->state != VF_FREE)
			continue;
		vf->state = VF_ALLOCATING;
		vf->params = *params;
		*vf_id = vf->id;
		return ok(reason);
	}
	return refuse(reason, "no free VF", -ENOSPC);
}

int vf_allocate_complete(struct vf_table *t, uint16_t vf_id, uint16_t *rid, const char **reason)
{
	struct vf_entry *vf = lookup(t, vf_id, reason);

	if (!vf)
		return -ENOENT;
	if (vf->state != VF_ALLOCATING)
		return refuse(reason, "no allocation under way", -EINVAL);
	vf->state = VF_ALLOCATED;
	*rid = vf->rid;
	return ok(reason);
}

int vf_allocate_abort(struct vf_table *t, uint16_t vf_id, const char **reason)
{
	struct vf_entry *vf = lookup(t, vf_id, reason);

	if (!vf)
		return -ENOENT;
	if (vf->state != VF_ALLOCATING)
		return refuse(reason, "no allocation under way", -EINVAL);
	vf->state = VF_FREE;
	vf->params = (struct vf_params){.port_id = VF_PORT_NONE};
	return ok(reason);
}

int vf_set_params(struct vf_table *t, uint16_t vf_id, const struct vf_params *params,
		  const char **reason)
{
	struct vf_entry *vf = lookup(t, vf_id, reason);
	int owner;
	int err;

	if (!vf)
		return -ENOENT;
	if (vf->state == VF_FREE)
		return refuse(reason, "VF not allocated", -ENOENT);
	if (vf->state != VF_ALLOCATING)
		return refuse(reason, "VF parameters are fixed after allocation", -EBUSY);
	err = params_check(t, params, reason);
	if (err)
		return err;
	owner = vf_find_by_port(t, params->port_id);
	if (owner >= 0 && owner != vf_id)
		return refuse(reason, "port already has a VF", -EEXIST);
	vf->params = *params;
	return ok(reason);
}

int vf_query(const struct vf_table *t, uint16_t vf_id, struct vf_entry *out)
{
	if (vf_id >= t->count || t->vf[vf_id].state == VF_FREE)
		return -ENOENT;
	if (t->vf[vf_id].state == VF_ALLOCATING)
		return -EBUSY;
	*out = t->vf[vf_id];
	return 0;
}

/* --- Assignment ---------------------------------------------------------- */

int vf_assign(struct vf_table *t, uint16_t vf_id, unsigned partition, const char **reason)
{
	struct vf_entry *vf = lookup(t, vf_id, reason);

	if (!vf)
		return -ENOENT;
	if (partition == VF_OWNER_NONE)
		return refuse(reason, "no partition given", -EINVAL);
	if (vf->state != VF_ALLOCATED)
		return wrong_state(vf, reason);
	if (vf->needs_reset)
		return refuse(reason, "VF must be reset before it changes hands", -EAGAIN);
	vf->state = VF_ASSIGNED;
	vf->owner = partition;
	vf->needs_reset = true;
	return ok(reason);
}

int vf_revoke(struct vf_table *t, uint16_t vf_id, const char **reason)
{
	struct vf_entry *vf = lookup(t, vf_id, reason);

	if (!vf)
		return -ENOENT;
	if (vf->state != VF_ASSIGNED)
		return vf->state == VF_ALLOCATED ? refuse(reason, "VF not assigned", -EINVAL)
						 : wrong_state(vf, reason);
	vf->state = VF_ALLOCATED;
	vf->owner = VF_OWNER_NONE;
	return ok(reason);
}

/* --- Free and reset ------------------------------------------------------ */

int vf_free(struct vf_table *t, uint16_t vf_id, const char **reason)
{
	struct vf_entry *vf = lookup(t, vf_id, reason);

	if (!vf)
		return -ENOENT;
	if (vf->state != VF_ALLOCATED)
		return wrong_state(vf, reason);
	/* needs_reset survives: the next allocation must not inherit a child's state. */
	vf->state = VF_FREE;
	vf->params = (struct vf_params){.port_id = VF_PORT_NONE};
	return ok(reason);
}

int vf_reset_begin(struct vf_table *t, uint16_t vf_id, const char **reason)
{
	struct vf_entry *vf = lookup(t, vf_id, reason);

	if (!vf)
		return -ENOENT;
	if (!vf_operational(vf))
		return wrong_state(vf, reason);
	vf->before_reset = vf->state;
	vf->state = VF_RESETTING;
	return ok(reason);
}

int vf_reset_complete(struct vf_table *t, uint16_t vf_id, const char **reason)
{
	struct vf_entry *vf = lookup(t, vf_id, reason);

	if (!vf)
		return -ENOENT;
	if (vf->state != VF_RESETTING)
		return refuse(reason, "no reset under way", -EINVAL);
	vf->state = vf->before_reset;
	/* Still assigned: the same child holds it, but its old state is gone. */
	vf->needs_reset = vf->state == VF_ASSIGNED;
	vf->resets++;
	return ok(reason);
}

/* --- Names and `vf list` ------------------------------------------------- */

const char *vf_state_name(enum vf_state state)
{
	static const char *const names[VF_STATE_COUNT] = {
	    [VF_FREE] = "free",		  [VF_ALLOCATING] = "allocating",
	    [VF_ALLOCATED] = "allocated", [VF_ASSIGNED] = "assigned",
	    [VF_RESETTING] = "resetting",
	};

	return (unsigned)state < VF_STATE_COUNT ? names[state] : "unknown";
}

int vf_format(const struct vf_entry *vf, char *buf, size_t size)
{
	char mac[MAC_STR_LEN];
	struct strbuf sb = STRBUF_INIT(buf, size);

	strbuf_printf(&sb, "vf=%u rid=%02x:%02x.%x state=%s", vf->id, vf->rid >> 8,
		      (vf->rid >> 3) & 0x1F, vf->rid & 0x7, vf_state_name(vf->state));
	if (vf->owner != VF_OWNER_NONE)
		strbuf_printf(&sb, " owner=%u", vf->owner);
	else
		strbuf_printf(&sb, " owner=none");
	if (vf->state != VF_FREE)
		strbuf_printf(&sb, " port=%u mac=%s queues=%u", vf->params.port_id,
			      mac_format(&vf->params.mac, mac), vf->params.queue_pairs);
	strbuf_printf(&sb, " resets=%u", vf->resets);
	return (int)sb.pos;
}
