/*
 * A bridge's memory windows: the address ranges it forwards downstream.
 * Used to check that BARs a partition places (VF BARs through the SR-IOV
 * capability) stay where the bridge above the device decodes them, so a
 * partition can't park a device's registers over RAM or another device.
 */
#include "kernel/pci/pci.h"

#define WINDOW_GRANULE 0x100000ULL /* 1 MiB (PCI-to-PCI Bridge 1.2, 3.2.5.8) */

static struct pci_window mem_window(const struct pci_cfg_ops *ops, uint32_t bdf)
{
	uint16_t base = pci_cfg_read16(ops, bdf, PCI_MEMORY_BASE);
	uint16_t limit = pci_cfg_read16(ops, bdf, PCI_MEMORY_LIMIT);

	return (struct pci_window){(uint64_t)(base & 0xfff0u) << 16,
				   ((uint64_t)(limit & 0xfff0u) << 16) + WINDOW_GRANULE - 1};
}

static struct pci_window pref_window(const struct pci_cfg_ops *ops, uint32_t bdf)
{
	uint16_t base = pci_cfg_read16(ops, bdf, PCI_PREF_MEMORY_BASE);
	uint16_t limit = pci_cfg_read16(ops, bdf, PCI_PREF_MEMORY_LIMIT);
	uint64_t lo = (uint64_t)(base & 0xfff0u) << 16;
	uint64_t hi = ((uint64_t)(limit & 0xfff0u) << 16) + WINDOW_GRANULE - 1;

	if ((base & 0xf) == PCI_PREF_RANGE_64) {
		lo |= (uint64_t)pci_cfg_read32(ops, bdf, PCI_PREF_BASE_UPPER32) << 32;
		hi |= (uint64_t)pci_cfg_read32(ops, bdf, PCI_PREF_LIMIT_UPPER32) << 32;
	}
	return (struct pci_window){lo, hi};
}

unsigned pci_bridge_windows(const struct pci_cfg_ops *ops, uint32_t bridge,
			    struct pci_window w[2])
{
	struct pci_window m = mem_window(ops, bridge), p = pref_window(ops, bridge);
	unsigned n = 0;

	/* A limit below its base means the window is off. */
	if (m.last >= m.first)
		w[n++] = m;
	if (p.last >= p.first)
		w[n++] = p;
	return n;
}

bool pci_range_in_windows(const struct pci_window *w, unsigned n, uint64_t base, uint64_t size)
{
	uint64_t last = base + size - 1;

	if (!size || last < base)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (base >= w[i].first && last <= w[i].last)
			return true;
	return false;
}
