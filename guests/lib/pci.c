/*
 * ECAM accessors for guests. The window lies outside guest memory, so the
 * guest's page tables do not cover it at start: it is mapped, uncached, on
 * the first access (vCPU 0's job, like all mapping; see paging.h).
 */
#include "guests/lib/pci.h"
#include "guests/lib/paging.h"
#include "guests/lib/runtime.h"

#define ECAM_BUS_SIZE (1 * MiB)

static bool ecam_mapped;

/* The dword's address in the window, or NULL. */
static volatile uint32_t *ecam_dword(pci_bdf_t bdf, unsigned offset)
{
	const struct hv_guest_boot_info *bi = guest_boot_info();
	unsigned bus = PCI_BUS(bdf);
	uint64_t buses = (uint64_t)bi->ecam_end_bus - bi->ecam_start_bus + 1;

	if (!bi->ecam_base || bi->ecam_end_bus < bi->ecam_start_bus)
		return NULL;
	if (bus < bi->ecam_start_bus || bus > bi->ecam_end_bus || offset >= PCI_CFG_SIZE)
		return NULL;
	if (!ecam_mapped) {
		if (paging_identity_map(bi->ecam_base, buses * ECAM_BUS_SIZE, PAGING_UNCACHED))
			return NULL;
		ecam_mapped = true;
	}
	return (volatile uint32_t *)(uintptr_t)(bi->ecam_base +
						((uint64_t)(bus - bi->ecam_start_bus) << 20) +
						((uint64_t)(bdf & 0xff) << 12) + (offset & ~3u));
}

uint32_t pci_read32(pci_bdf_t bdf, unsigned offset)
{
	volatile uint32_t *p = (offset & 3) ? NULL : ecam_dword(bdf, offset);

	return p ? *p : UINT32_MAX;
}

uint16_t pci_read16(pci_bdf_t bdf, unsigned offset)
{
	volatile uint32_t *p = (offset & 1) ? NULL : ecam_dword(bdf, offset);

	return p ? (uint16_t)(*p >> (8 * (offset & 2))) : UINT16_MAX;
}

uint8_t pci_read8(pci_bdf_t bdf, unsigned offset)
{
	volatile uint32_t *p = ecam_dword(bdf, offset);

	return p ? (uint8_t)(*p >> (8 * (offset & 3))) : UINT8_MAX;
}

void pci_write32(pci_bdf_t bdf, unsigned offset, uint32_t value)
{
	volatile uint32_t *p = (offset & 3) ? NULL : ecam_dword(bdf, offset);

	if (p)
		*p = value;
}

/* Replaces `width` bytes at offset within their dword. */
static void write_part(pci_bdf_t bdf, unsigned offset, uint32_t value, unsigned width)
{
	volatile uint32_t *p = ecam_dword(bdf, offset);
	unsigned shift = 8 * (offset & 3);
	uint32_t mask = (width == 1 ? 0xffu : 0xffffu) << shift;

	if (p)
		*p = (*p & ~mask) | ((value << shift) & mask);
}

void pci_write16(pci_bdf_t bdf, unsigned offset, uint16_t value)
{
	if (!(offset & 1))
		write_part(bdf, offset, value, 2);
}

void pci_write8(pci_bdf_t bdf, unsigned offset, uint8_t value)
{
	write_part(bdf, offset, value, 1);
}
