/*
 * dma-probe=<gpa> on the parent's command line: points the igb PF's first
 * transmit ring at that guest-physical address and rings its doorbell, so
 * the NIC fetches a descriptor from there by DMA, through the parent's
 * VT-d domain. A test aid for DMA remapping: inside the parent's memory the
 * fetch lands there; outside it, the IOMMU must refuse it.
 * Register offsets: Intel 82576 datasheet, section 8.
 */
#include "guests/lib/guest.h"
#include "guests/parent/parent.h"

#define PCI_BAR0 0x10
#define PCI_CMD_MEMORY 0x2
#define PCI_CMD_MASTER 0x4
#define IGB_BAR0_SIZE (128 * 1024)
#define IGB_TCTL 0x0400
#define IGB_TCTL_EN (1u << 1)
#define IGB_TDBAL(n) (0xe000 + 0x40 * (n))
#define IGB_TDBAH(n) (0xe004 + 0x40 * (n))
#define IGB_TDLEN(n) (0xe008 + 0x40 * (n))
#define IGB_TDH(n) (0xe010 + 0x40 * (n))
#define IGB_TDT(n) (0xe018 + 0x40 * (n))
#define IGB_TXDCTL(n) (0xe028 + 0x40 * (n))
#define IGB_TXDCTL_ENABLE (1u << 25)
#define RING_BYTES 1024 /* 64 descriptors; TDLEN must be a multiple of 128 */

static volatile uint32_t *regs;

static void wr(uint32_t reg, uint32_t v)
{
	regs[reg / 4] = v;
}

static uint32_t rd(uint32_t reg)
{
	return regs[reg / 4];
}

void dma_probe_run(const struct hv_guest_boot_info *bi)
{
	char arg[32];
	uint64_t gpa, bar0;
	pci_bdf_t bdf;

	if (cmdline_get(bi->cmdline, sizeof(bi->cmdline), "dma-probe", arg, sizeof(arg)) ||
	    parse_u64(arg, &gpa) || bi->device_count == 0)
		return;
	bdf = (pci_bdf_t)(bi->devices[0] & 0xffff);
	bar0 = pci_read32(bdf, PCI_BAR0) & ~0xfULL;
	if (!bar0 || paging_identity_map(bar0, IGB_BAR0_SIZE, PAGING_UNCACHED)) {
		printf("dma-probe error=no-bar0\n");
		return;
	}
	regs = (volatile uint32_t *)(uintptr_t)bar0;
	pci_write16(bdf, 4, pci_read16(bdf, 4) | PCI_CMD_MEMORY | PCI_CMD_MASTER);
	wr(IGB_TXDCTL(0), rd(IGB_TXDCTL(0)) | IGB_TXDCTL_ENABLE);
	wr(IGB_TDBAL(0), (uint32_t)gpa);
	wr(IGB_TDBAH(0), (uint32_t)(gpa >> 32));
	wr(IGB_TDLEN(0), RING_BYTES);
	wr(IGB_TDH(0), 0);
	wr(IGB_TDT(0), 0);
	wr(IGB_TCTL, rd(IGB_TCTL) | IGB_TCTL_EN);
	printf("dma-probe gpa=0x%lx bar0=0x%lx command=0x%x\n", gpa, bar0, pci_read16(bdf, 4));
	wr(IGB_TDT(0), 1); /* one descriptor to fetch: the NIC reads it by DMA now */
}
