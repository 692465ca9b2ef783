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

int sriov_enable(pci_bdf_t pf, unsigned num)
{
	unsigned cap = sriov_find(pf);

	if (!cap)
		return -ENODEV;
	if (num == 0 || num > pci_read16(pf, cap + SRIOV_TOTAL_VFS))
		return -EINVAL;
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
