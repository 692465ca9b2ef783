/*
 * DMAR device scopes matched against the enumerated topology (see
 * vtd_scope.h). Every lookup is bounded by the topology's count and the
 * scope's path length, both checked when they were built.
 */
#include "iommu/vtd_scope.h"
#include "hv/errno.h"

static const struct pci_function *find_fn(const struct pci_topology *t, uint32_t bdf)
{
	for (uint32_t i = 0; i < t->count; i++)
		if (t->fn[i].bdf == bdf)
			return &t->fn[i];
	return NULL;
}

/* The function a scope path ends at: each hop but the last must be a bridge. */
static const struct pci_function *scope_target(const struct dmar_scope *s, uint16_t segment,
					       const struct pci_topology *t)
{
	const struct pci_function *fn = NULL;
	uint8_t bus = s->start_bus;

	for (uint8_t i = 0; i < s->path_len && i < DMAR_MAX_PATH; i++) {
		if (fn && !fn->secondary_bus)
			return NULL; /* a hop below something that is not a bridge */
		if (fn)
			bus = fn->secondary_bus;
		fn = find_fn(t, PCI_BDF(segment, bus, s->path[i].dev, s->path[i].fn));
		if (!fn)
			return NULL;
	}
	return fn;
}

/* A VF is not enumerated: the PF whose VF routing IDs include bdf stands for it. */
static uint32_t requester_of(const struct pci_topology *t, uint32_t bdf)
{
	for (uint32_t i = 0; i < t->count; i++) {
		const struct pci_sriov *s = &t->fn[i].caps.sriov;

		if (!s->offset || !s->valid || PCI_BDF_SEG(t->fn[i].bdf) != PCI_BDF_SEG(bdf))
			continue;
		for (uint16_t n = 0; n < s->total_vfs; n++) {
			uint32_t vf;

			if (!pci_sriov_vf_bdf(s, t->fn[i].bdf, n, &vf) && vf == bdf)
				return t->fn[i].bdf;
		}
	}
	return bdf;
}

static bool covers(const struct dmar_scope *s, uint16_t segment, const struct pci_topology *t,
		   uint32_t bdf)
{
	const struct pci_function *fn;
	uint8_t bus = PCI_BDF_BUS(bdf);

	if (s->type != DMAR_SCOPE_PCI_ENDPOINT && s->type != DMAR_SCOPE_PCI_SUBHIERARCHY)
		return false;
	if (!t || PCI_BDF_SEG(bdf) != segment)
		return false;
	fn = scope_target(s, segment, t);
	if (!fn)
		return false;
	if (fn->bdf == bdf)
		return true;
	return s->type == DMAR_SCOPE_PCI_SUBHIERARCHY && fn->secondary_bus &&
	       bus >= fn->secondary_bus && bus <= fn->subordinate_bus;
}

bool vtd_scope_covers(const struct dmar_scope *scope, uint16_t segment,
		      const struct pci_topology *t, uint32_t bdf)
{
	return covers(scope, segment, t, bdf) ||
	       (t && covers(scope, segment, t, requester_of(t, bdf)));
}

static bool drhd_lists(const struct dmar_drhd *d, const struct pci_topology *t, uint32_t bdf)
{
	for (uint32_t s = 0; s < d->scope_count && s < DMAR_MAX_SCOPES; s++)
		if (vtd_scope_covers(&d->scopes[s], d->segment, t, bdf))
			return true;
	return false;
}

int vtd_drhd_for(const struct dmar_drhd *const *drhds, unsigned count, const struct pci_topology *t,
		 uint32_t bdf)
{
	int catch_all = -ENODEV;

	for (unsigned i = 0; i < count; i++) {
		const struct dmar_drhd *d = drhds[i];

		if (d->segment != PCI_BDF_SEG(bdf))
			continue;
		/* An INCLUDE_PCI_ALL unit's scope lists only IOAPICs and HPETs. */
		if (d->include_pci_all)
			catch_all = (int)i;
		else if (drhd_lists(d, t, bdf))
			return (int)i;
	}
	return catch_all;
}

bool vtd_rmrr_covers(const struct dmar_rmrr *rmrr, const struct pci_topology *t, uint32_t bdf)
{
	for (uint32_t s = 0; s < rmrr->scope_count && s < DMAR_MAX_SCOPES; s++)
		if (vtd_scope_covers(&rmrr->scopes[s], rmrr->segment, t, bdf))
			return true;
	return false;
}
