/*
 * msi-probe on the parent's command line: programs the igb PF's MSI
 * capability towards this CPU and sets an interrupt cause; msi-probe=foreign
 * aims the MSI at APIC id 1 (a child's CPU), which the hypervisor must
 * refuse (vmm/msi_filter.c). A test aid for the interrupt side of device
 * assignment. (QEMU's igb raises MSI-X, not plain MSI, for these causes:
 * the MSI itself isn't seen arriving in QEMU; the filter is what's tested.)
 * Register offsets: Intel 82576 datasheet, section 8.8.
 */
#include "guests/lib/guest.h"
#include "guests/parent/parent.h"

#define PCI_STATUS_CAPS 0x10
#define PCI_CAP_PTR 0x34
#define PCI_CAP_ID_MSI 0x05
#define MSI_CTRL_ENABLE 0x1
#define MSI_CTRL_64BIT 0x80
#define PCI_BAR0 0x10
#define IGB_BAR0_SIZE (128 * 1024)
#define IGB_ICS 0x1504
#define IGB_IMS 0x1508
#define IGB_INT_TXDW 0x1
#define MSI_VECTOR 0x50

static volatile uint64_t received;

static void on_msi(struct trap_frame *frame)
{
	(void)frame;
	received++;
	printf("msi received vector=0x%x n=%lu\n", MSI_VECTOR, received);
	apic_eoi();
}

static unsigned find_msi(pci_bdf_t bdf)
{
	unsigned at = pci_read8(bdf, PCI_CAP_PTR) & ~3u;

	for (unsigned hops = 0; at >= 0x40 && hops < 48; hops++) {
		if (pci_read8(bdf, at) == PCI_CAP_ID_MSI)
			return at;
		at = pci_read8(bdf, at + 1) & ~3u;
	}
	return 0;
}

void msi_probe_run(const struct hv_guest_boot_info *bi)
{
	char arg[16] = "";
	pci_bdf_t bdf;
	unsigned msi, data_off;
	uint32_t dest = apic_id();
	volatile uint32_t *regs;
	uint64_t bar0;

	if (cmdline_get(bi->cmdline, sizeof(bi->cmdline), "msi-probe", arg, sizeof(arg)) ||
	    bi->device_count == 0)
		return;
	bdf = (pci_bdf_t)(bi->devices[0] & 0xffff);
	msi = find_msi(bdf);
	bar0 = pci_read32(bdf, PCI_BAR0) & ~0xfULL;
	if (!msi || !bar0 || paging_identity_map(bar0, IGB_BAR0_SIZE, PAGING_UNCACHED)) {
		printf("msi-probe error=no-msi-or-bar0\n");
		return;
	}
	if (!strcmp(arg, "foreign"))
		dest = 1;
	irq_set_handler(MSI_VECTOR, on_msi);
	data_off = (pci_read16(bdf, msi + 2) & MSI_CTRL_64BIT) ? 12 : 8;
	pci_write16(bdf, 4, pci_read16(bdf, 4) | 0x6); /* memory and bus master: MSIs are writes */
	pci_write32(bdf, msi + 4, 0xfee00000u | dest << 12);
	pci_write16(bdf, msi + data_off, MSI_VECTOR);
	pci_write16(bdf, msi + 2, pci_read16(bdf, msi + 2) | MSI_CTRL_ENABLE);
	printf("msi-probe cap=0x%x dest=%u ctrl=0x%x addr=0x%x data=0x%x\n", msi, dest,
	       pci_read16(bdf, msi + 2), pci_read32(bdf, msi + 4), pci_read16(bdf, msi + data_off));
	regs = (volatile uint32_t *)(uintptr_t)bar0;
	regs[IGB_IMS / 4] = IGB_INT_TXDW;
	regs[IGB_ICS / 4] = IGB_INT_TXDW; /* the NIC raises the cause: one MSI */
}
