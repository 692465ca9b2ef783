/* SR-IOV enable and disable through the capability (see sriov.h). PCIe Base 6.0, 9.3.3. */
#include "guests/lib/sriov.h"
#include "hv/errno.h"

#define EXT_CAP_START 0x100
#define EXT_CAP_SRIOV 0x0010
#define EXT_CAPS_MAX 64
#define SRIOV_CTRL 0x08
#define SRIOV_CTRL_VFE 0x0001u
#define SRIOV_CTRL_MSE 0x0008u
#define SRIOV_TOTAL_VFS 0x0e
#define SRIOV_NUM_VFS 0x10
#define SRIOV_VF_OFFSET 0x14
#define SRIOV_VF_STRIDE 0x16
#define SRIOV_VF_BAR0 0x24

unsigned sriov_find(pci_bdf_t pf)
{
	unsigned off = EXT_CAP_START;

	for (unsigned i = 0; i < EXT_CAPS_MAX && off >= EXT_CAP_START && off < PCI_CFG_SIZE; i++) {
		uint32_t hdr = pci_read32(pf, off);

		if (hdr == 0 || hdr == ~0u)
			return 0;
		if ((hdr & 0xffff) == EXT_CAP_SRIOV)
			return off;
		off = (hdr >> 20) & 0xffc;
	}
	return 0;
}

/* The highest base among the PF's memory BARs: VF BARs go above it, aligned (a guess the hypervisor checks). */
static uint64_t pf_bars_end(pci_bdf_t pf)
{
	uint64_t end = 0;

	for (unsigned i = 0; i < 6; i++) {
		uint32_t lo = pci_read32(pf, 0x10 + 4 * i);

		if (lo & 1)
			continue; /* I/O */
		if ((lo & ~0xfu) > end)
			end = lo & ~0xfu;
		if ((lo & 0x6) == 0x4)
			i++; /* 64-bit: skip the upper half */
	}
	return end;
}

/*
 * Firmware may place VF BARs above 4 GiB; QEMU 10 decodes a VF's 64-bit BAR
 * by its low 32 bits only (PLATFORM.md), so they are moved below 4 GiB,
 * after the PF's own BARs inside the same bridge window (1 MiB at least).
 * The hypervisor checks the placement against the window.
 */
static void place_vf_bars_low(pci_bdf_t pf, unsigned cap)
{
	uint64_t next = pf_bars_end(pf);

	for (unsigned i = 0; i < 6; i++) {
		unsigned reg = cap + SRIOV_VF_BAR0 + 4 * i;
		uint32_t lo = pci_read32(pf, reg), size;
		bool is64 = (lo & 0x6) == 0x4;

		if (!is64 || !pci_read32(pf, reg + 4)) {
			i += is64;
			continue;
		}
		pci_write32(pf, reg, ~0u); /* size one VF's BAR: VFs off, safe */
		size = ~(pci_read32(pf, reg) & ~0xfu) + 1;
		next = ALIGN_UP(next + 1, (uint64_t)size * pci_read16(pf, cap + SRIOV_TOTAL_VFS));
		pci_write32(pf, reg, (uint32_t)next | (lo & 0xf));
		pci_write32(pf, reg + 4, 0);
		next += (uint64_t)size * pci_read16(pf, cap + SRIOV_TOTAL_VFS) - 1;
		i++;
	}
}

int sriov_enable(pci_bdf_t pf, unsigned num)
{
	unsigned cap = sriov_find(pf);

	if (!cap)
		return -ENODEV;
	if (num == 0 || num > pci_read16(pf, cap + SRIOV_TOTAL_VFS))
		return -EINVAL;
	place_vf_bars_low(pf, cap);
	pci_write16(pf, cap + SRIOV_NUM_VFS, (uint16_t)num);
	pci_write16(pf, cap + SRIOV_CTRL, SRIOV_CTRL_VFE | SRIOV_CTRL_MSE);
	if ((pci_read16(pf, cap + SRIOV_CTRL) & (SRIOV_CTRL_VFE | SRIOV_CTRL_MSE)) !=
	    (SRIOV_CTRL_VFE | SRIOV_CTRL_MSE))
		return -EIO;
	return 0;
}

int sriov_disable(pci_bdf_t pf)
{
	unsigned cap = sriov_find(pf);

	if (!cap)
		return -ENODEV;
	pci_write16(pf, cap + SRIOV_CTRL, 0);
	return pci_read16(pf, cap + SRIOV_CTRL) & SRIOV_CTRL_VFE ? -EBUSY : 0;
}

pci_bdf_t sriov_vf_bdf(pci_bdf_t pf, unsigned n)
{
	unsigned cap = sriov_find(pf);
	unsigned offset = pci_read16(pf, cap + SRIOV_VF_OFFSET);
	unsigned stride = pci_read16(pf, cap + SRIOV_VF_STRIDE);

	return (pci_bdf_t)(pf + offset + n * stride);
}
