/*
 * Additions to the guest's own page tables. The hypervisor starts a guest
 * with [0, memory_size) identity-mapped (4-level paging); anything else a
 * guest wants to reach, e.g. the PCI ECAM window, it maps itself. Mappings
 * are identity (virtual = guest-physical) and are never removed.
 */
#ifndef GUESTS_LIB_PAGING_H
#define GUESTS_LIB_PAGING_H

#include "hv/types.h"

#define PAGING_UNCACHED BIT(0) /* for MMIO: PCD and PWT set */

/*
 * Identity-maps [gpa, gpa + size) rounded out to pages, writable, with
 * 2 MiB pages where the range allows. What is already mapped stays as it
 * is. -EINVAL for a range beyond 48-bit addresses or 5-level paging,
 * -ENOMEM when the runtime's table pool is used up. Not for concurrent use:
 * map from one vCPU at a time.
 */
int paging_identity_map(uint64_t gpa, uint64_t size, unsigned flags);

#endif
