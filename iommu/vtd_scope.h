/*
 * Which DMAR structure covers a PCI function (VT-d spec, 8.3.1 and 8.4):
 * the DRHD whose device scope lists it (an endpoint, or a bridge whose
 * sub-hierarchy it sits in), else the INCLUDE_PCI_ALL DRHD of its segment;
 * and whether an RMRR names it. Scope paths of several hops are walked
 * through the bridges' secondary bus numbers in the enumerated topology.
 * An SR-IOV VF is not in the topology (only its PF is scanned): it is
 * covered by what covers its PF, which is how the hardware routes its
 * requests. Without a topology (NULL) no scope matches. Pure logic on
 * decoded DMAR and topology, host-tested.
 */
#ifndef IOMMU_VTD_SCOPE_H
#define IOMMU_VTD_SCOPE_H

#include "hv/types.h"
#include "kernel/acpi/dmar.h"
#include "kernel/pci/pci.h"

/* Whether scope (a PCI endpoint or sub-hierarchy scope of segment) covers bdf. */
bool vtd_scope_covers(const struct dmar_scope *scope, uint16_t segment,
		      const struct pci_topology *t, uint32_t bdf);

/*
 * The index in drhds[0..count) of the unit that remaps bdf: one whose scope
 * covers it (or its PF), else its segment's INCLUDE_PCI_ALL unit; -ENODEV
 * if none does.
 */
int vtd_drhd_for(const struct dmar_drhd *const *drhds, unsigned count, const struct pci_topology *t,
		 uint32_t bdf);

/* Whether rmrr lists bdf (or its PF) in its scope. */
bool vtd_rmrr_covers(const struct dmar_rmrr *rmrr, const struct pci_topology *t, uint32_t bdf);

#endif
