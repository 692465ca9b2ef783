/*
 * VF lifecycle in the parent, with the semantics of Hyper-V's NIC switch
 * OIDs (Microsoft's NDIS SR-IOV documentation):
 *   OID_NIC_SWITCH_ALLOCATE_VF  -> vf_allocate + vf_allocate_complete: the
 *       VF gets an id unique on the adapter and its requester id (RID); it
 *       is not operational until the allocation completes.
 *   OID_NIC_SWITCH_VF_PARAMETERS -> vf_query: only allocated VFs answer;
 *       the resource parameters are fixed once allocation completes.
 *   OID_NIC_SWITCH_FREE_VF -> vf_free: returns the resources; refused for a
 *       VF not allocated or still attached (assigned) to a child.
 *   OID_SRIOV_RESET_VF -> vf_reset_begin/complete: a function-level reset
 *       of one allocated VF, touching no other function; the VF driver must
 *       then initialise again (mailbox VF_RESET before anything else).
 * Plus vf_assign/vf_revoke, the parent's record of which child holds the
 * VF (the hypervisor checks and performs the real assignment itself).
 *
 * Wrong-state transitions are refused with a negative errno and a reason,
 * never applied. Pure logic: the PF driver does the hardware work between
 * a *_begin and its *_complete.
 */
#ifndef DRIVERS_NIC_VF_ALLOC_H
#define DRIVERS_NIC_VF_ALLOC_H

#include "hv/types.h"
#include "drivers/nic/mbx_decode.h"

/*
 * The 82576 has 8 VMDq pools and reports TotalVFs 8, but the PF needs a
 * pool of its own for its traffic and the default pool: Linux's igb caps
 * VFs at 7 and gives the PF the pool after the last VF (pool 7 with 7
 * VFs). With 8 VFs the PF would share a VF's pool, i.e. receive that
 * child's traffic and be reset with it, so we keep Linux's convention.
 */
#define VF_TABLE_MAX 8
#define VF_IGB_MAX   7

/*
 * Queue pairs a VF may be given: the most any supported MAC has (the
 * 82576: pool n owns queues n and n + 8). The table's own limit,
 * vf_table_config.max_queue_pairs, is the PF's MAC's (igb_mac.h:
 * vf_queue_pairs, 1 on the I350, whose pool n owns queue n only).
 */
#define VF_QUEUE_PAIRS_MAX 2

#define VF_OWNER_NONE 0xFFFFFFFFu
#define VF_PORT_NONE  0xFFFFFFFFu

enum vf_state {
	VF_FREE,       /* no resources: may be allocated */
	VF_ALLOCATING, /* allocation under way: not operational */
	VF_ALLOCATED,  /* resources fixed; in the parent's hands */
	VF_ASSIGNED,   /* attached to a child partition */
	VF_RESETTING,  /* function-level reset under way */
	VF_STATE_COUNT
};

/* Fixed at allocation (NDIS_NIC_SWITCH_VF_PARAMETERS' resource part). */
struct vf_params {
	unsigned port_id;    /* the switch port the VF serves */
	struct mac_addr mac; /* permanent MAC given in the reset reply */
	uint8_t queue_pairs; /* 1..max_queue_pairs */
};

struct vf_entry {
	uint16_t id;  /* VF index on the adapter = its VMDq pool */
	uint16_t rid; /* bus << 8 | devfn, from the SR-IOV capability */
	enum vf_state state;
	enum vf_state before_reset; /* state to return to after a reset */
	struct vf_params params;
	unsigned owner;	  /* partition while VF_ASSIGNED, else VF_OWNER_NONE */
	bool needs_reset; /* held by a child since its last reset */
	uint32_t resets;
};

/* Where VF RIDs lie: the PF's SR-IOV capability and the bridge above it. */
struct vf_rid_layout {
	uint16_t pf_rid;
	uint16_t offset;  /* First VF Offset */
	uint16_t stride;  /* VF Stride */
	uint8_t last_bus; /* subordinate bus of the PF's bridge: no RID above it */
};

struct vf_table_config {
	struct vf_rid_layout layout;
	uint16_t num_vfs; /* NumVFs enabled in the SR-IOV capability */
	uint8_t max_queue_pairs; /* per VF: 1..VF_QUEUE_PAIRS_MAX, the MAC's limit */
};

struct vf_table {
	struct vf_rid_layout layout;
	unsigned count; /* usable VFs: min(num_vfs, VF_IGB_MAX) */
	uint8_t max_queue_pairs;
	struct vf_entry vf[VF_TABLE_MAX];
};

/*
 * RID of VF index (0-based): pf_rid + offset + stride * index (PCIe SR-IOV
 * First VF Offset / VF Stride). VFs may sit on buses above the PF's, but
 * not past 0xFFFF nor past last_bus. 0, -EINVAL (offset 0, stride 0 with
 * more than one VF, last_bus below the PF's bus) or -ERANGE.
 */
int vf_rid(const struct vf_rid_layout *l, unsigned index, uint16_t *rid);

/*
 * Sets up the table for num_vfs VFs, keeping at most VF_IGB_MAX and
 * computing every RID. Returns the number of usable VFs, or -EINVAL /
 * -ERANGE (with *reason) when a RID can't be computed.
 */
int vf_table_init(struct vf_table *t, const struct vf_table_config *cfg, const char **reason);

/*
 * OID_NIC_SWITCH_ALLOCATE_VF, first half: takes the lowest free VF for
 * params->port_id and fixes its parameters; the VF is VF_ALLOCATING.
 * -EINVAL (bad MAC, queue pairs or port), -EEXIST (the port already has a
 * VF), -ENOSPC (none left: the port stays on the synthetic path).
 */
int vf_allocate(struct vf_table *t, const struct vf_params *params, uint16_t *vf_id,
		const char **reason);
/* Second half, after the PF programmed the pool: VF_ALLOCATED, *rid set. */
int vf_allocate_complete(struct vf_table *t, uint16_t vf_id, uint16_t *rid, const char **reason);
/* The PF could not program the pool: back to VF_FREE. */
int vf_allocate_abort(struct vf_table *t, uint16_t vf_id, const char **reason);
/* Parameters may only change while the allocation is under way (-EBUSY after). */
int vf_set_params(struct vf_table *t, uint16_t vf_id, const struct vf_params *params,
		  const char **reason);

/* OID_NIC_SWITCH_VF_PARAMETERS: a copy of the entry; -ENOENT unless allocated. */
int vf_query(const struct vf_table *t, uint16_t vf_id, struct vf_entry *out);

/*
 * The parent's record of an assignment to a child: VF_ALLOCATED ->
 * VF_ASSIGNED. -EAGAIN when a previous child held it since its last reset:
 * nothing of one child may reach the next.
 */
int vf_assign(struct vf_table *t, uint16_t vf_id, unsigned partition, const char **reason);
/* VF_ASSIGNED -> VF_ALLOCATED; the VF needs a reset before the next child. */
int vf_revoke(struct vf_table *t, uint16_t vf_id, const char **reason);

/* OID_NIC_SWITCH_FREE_VF: VF_ALLOCATED -> VF_FREE (-EBUSY while assigned). */
int vf_free(struct vf_table *t, uint16_t vf_id, const char **reason);

/* OID_SRIOV_RESET_VF: allocated or assigned -> VF_RESETTING, and back. */
int vf_reset_begin(struct vf_table *t, uint16_t vf_id, const char **reason);
int vf_reset_complete(struct vf_table *t, uint16_t vf_id, const char **reason);

/* Allocated or assigned: the VF may carry traffic. */
bool vf_operational(const struct vf_entry *vf);
/* The VF serving port_id (any state but free), or -ENOENT. */
int vf_find_by_port(const struct vf_table *t, unsigned port_id);
unsigned vf_free_count(const struct vf_table *t);
const char *vf_state_name(enum vf_state state);
/* One `vf list` line ("vf=0 rid=01:10.0 state=assigned owner=2 ..."), as snprintf. */
int vf_format(const struct vf_entry *vf, char *buf, size_t size);

#endif
