/* Owned devices' registers in the owner's address space (see device_mmio.h). */
#include "vmm/device_mmio.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "vmm/pci_dev.h"

#define MMIO_FLAGS (PAGE_READ | PAGE_WRITE | PAGE_CACHE_UC)

struct hole {
	uint64_t start, end;
};

/* MSI-X table and PBA of bar index `bar`, page-rounded, as holes in that BAR. */
static unsigned msix_holes(const struct pci_dev *fn, unsigned bar, struct hole h[2])
{
	const struct pci_msix *m = &fn->caps.msix;
	uint64_t base = fn->bars[bar].base;
	unsigned n = 0;

	if (!m->offset)
		return 0;
	if (m->table_bir == bar)
		h[n++] = (struct hole){ALIGN_DOWN(base + m->table_offset, PAGE_SIZE),
				       ALIGN_UP(base + m->table_offset + m->table_size * 16ULL,
						PAGE_SIZE)};
	if (m->pba_bir == bar)
		h[n++] = (struct hole){ALIGN_DOWN(base + m->pba_offset, PAGE_SIZE),
				       ALIGN_UP(base + m->pba_offset + 8, PAGE_SIZE)};
	return n;
}

static bool in_hole(uint64_t page, const struct hole *h, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (page >= h[i].start && page < h[i].end)
			return true;
	return false;
}

static int map_bar(struct partition *p, const struct pci_dev *fn, unsigned bar, bool map)
{
	const struct pci_bar *b = &fn->bars[bar];
	struct hole holes[2];
	unsigned n = msix_holes(fn, bar, holes);
	uint64_t start = ALIGN_DOWN(b->base, PAGE_SIZE), end = ALIGN_UP(b->base + b->size, PAGE_SIZE);

	for (uint64_t page = start; page < end; page += PAGE_SIZE) {
		int err;

		if (in_hole(page, holes, n))
			continue;
		err = map ? paging_map(&p->npt, page, page, PAGE_SIZE, MMIO_FLAGS)
			  : paging_unmap(&p->npt, page, PAGE_SIZE);
		if (err)
			return err;
	}
	log_info("vmm", "device bar %s partition=%s bdf=" PCI_BDF_FMT " bar=%u base=0x%llx "
		 "size=0x%llx msix_holes=%u", map ? "mapped" : "unmapped", partition_name(p), PCI_BDF_ARGS(fn->bdf), bar,
		 (unsigned long long)b->base, (unsigned long long)b->size, n);
	return 0;
}

static int map_bars(struct partition *p, const struct pci_dev *d, bool map)
{
	for (unsigned bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		const struct pci_bar *b = &d->bars[bar];
		int err;

		if ((b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64) || !b->size_known ||
		    !b->size || !b->base)
			continue;
		err = map_bar(p, d, bar, map);
		if (err)
			return err;
	}
	return 0;
}

int device_mmio_map(struct partition *p, const struct pci_dev *d)
{
	return map_bars(p, d, true);
}

int device_mmio_unmap(struct partition *p, const struct pci_dev *d)
{
	return map_bars(p, d, false);
}
