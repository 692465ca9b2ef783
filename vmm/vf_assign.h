/*
 * Handing a VF of a PF the parent owns to a child, and taking it back
 * (HC_VF_ASSIGN / HC_VF_REVOKE / HC_DEVICE_RELEASE; docs/hypercalls.md).
 *
 * Assign: the VF must belong to a PF the caller owns, be enabled, held by
 * the caller and not quarantined; it is reset (FLR), its RID gets a context
 * entry in the child's domain, its BARs are mapped into the child (MSI-X
 * pages trapped), and the child is told. Revoke: the child is told and
 * given REVOKE_WAIT_US to release it; at release or the deadline, whatever
 * the child does, the BARs are unmapped (the child's vCPUs flush), DMA is
 * blocked, its IRTEs freed, the VF reset and the hypervisor's view of it
 * scrubbed. Then it is the parent's again.
 */
#ifndef VMM_VF_ASSIGN_H
#define VMM_VF_ASSIGN_H

#include "hv/hypercall.h"

struct partition;

#define REVOKE_WAIT_US 500000

int vf_assign(struct partition *caller, uint32_t bdf, struct partition *child);
/* 0 once the VF is back with the caller; -EAGAIN while the child has time left. */
int vf_revoke(struct partition *caller, uint32_t bdf);
/* The child lets go of a device being revoked. */
int vf_release(struct partition *child, uint32_t bdf);
/*
 * A child keeps its VFs across a stop and a new start, as a Hyper-V VM
 * keeps its vmNIC's VF across a reboot, but a stopped child's VFs stop:
 * bus mastering off, FLR, interrupts unmapped, so nothing is DMAed into
 * memory that is about to be reloaded. A new run gets them as a fresh
 * assignment: reset again, a clean MSI-X table, offered anew. A VF being
 * revoked counts as released (the new run never had it).
 */
void vf_partition_stopped(struct partition *child);
void vf_partition_starting(struct partition *child);
/* The devices caller owns or gave away, for HC_DEVICE_LIST. */
unsigned vf_list(const struct partition *caller, struct hv_device_status *out, unsigned max);

#endif
