/*
 * A child's side of VF assignment: on an offer it reads the VF's identity
 * and BAR0 from the configuration space the hypervisor presents, turns
 * memory and bus mastering on, maps BAR0 and reads a VF register, and
 * programs MSI-X entry 0 to its own CPU (entry 1 towards a CPU it doesn't
 * have, which the hypervisor must refuse). On revocation it turns bus
 * mastering off and releases the VF. Test options (command line):
 *   vf=keep              never release: the hypervisor takes it at the deadline
 *   vf-touch=<gpa>       read gpa once the VF is ready (another device's BAR)
 *   vf-touch-revoked=yes read the old BAR0 after revocation (must be unmapped)
 * The VF driver (mailbox, rings) runs on top of this plumbing: vf_net.c.
 */
#include "guests/lib/guest.h"
#include "guests/child/child.h"
#include "guests/child/vf_mbx.h"

#define VF_STATUS_REG 0x0008 /* 82576 VF STATUS (igbvf E1000_STATUS) */
#define VF_MSIX_VECTOR VF_NET_MSIX_VECTOR
#define CMD_MEMORY 0x2u
#define CMD_MASTER 0x4u
#define PCI_CAP_MSIX 0x11

static char opts[CHILD_CMDLINE_SIZE];
static uint32_t vf_bdf;
static uint64_t vf_bar0;
static bool release_pending; /* the bond fails back first (net_app.c) */

static bool option(const char *key, char *value, size_t size)
{
	return cmdline_get(opts, sizeof(opts), key, value, size) == 0;
}

static unsigned find_cap(pci_bdf_t bdf, uint8_t id)
{
	unsigned off = pci_read8(bdf, 0x34) & 0xfc;

	for (unsigned i = 0; off && i < 48; i++) {
		if (pci_read8(bdf, off) == id)
			return off;
		off = pci_read8(bdf, off + 1) & 0xfc;
	}
	return 0;
}

/* MSI-X entry n of the VF's table (in BAR3) through the hypervisor's trap. */
static void program_msix(pci_bdf_t bdf, unsigned entry, uint32_t dest_apic)
{
	unsigned cap = find_cap(bdf, PCI_CAP_MSIX);
	uint32_t table = cap ? pci_read32(bdf, cap + 4) : 0;
	unsigned bir = table & 7;
	uint64_t bar = pci_read32(bdf, 0x10 + 4 * bir) & ~0xfULL;
	volatile uint32_t *e;

	if (!cap)
		return;
	bar |= (uint64_t)pci_read32(bdf, 0x14 + 4 * bir) << 32;
	e = (volatile uint32_t *)(uintptr_t)(bar + (table & ~7u) + 16 * entry);
	paging_identity_map(ALIGN_DOWN((uint64_t)(uintptr_t)e, 4096), 4096, PAGING_UNCACHED);
	e[0] = 0xfee00000u | dest_apic << 12;
	e[1] = 0;
	e[2] = VF_MSIX_VECTOR;
	e[3] = 0; /* unmasked */
	pci_write16(bdf, cap + 2, 0x8000); /* MSI-X Enable */
	printf("vf msix entry=%u dest=%u vector=0x%x readback_addr=0x%x\n", entry, dest_apic,
	       VF_MSIX_VECTOR, e[0]);
}

static void offered(uint32_t bdf)
{
	pci_bdf_t b = (pci_bdf_t)bdf;
	uint32_t id = pci_read32(b, 0);
	char buf[12], touch[24], mbx[64];
	uint64_t gpa;

	vf_bar0 = (pci_read32(b, 0x10) & ~0xfULL) | (uint64_t)pci_read32(b, 0x14) << 32;
	vf_bdf = bdf;
	pci_write16(b, 0x04, CMD_MEMORY | CMD_MASTER);
	paging_identity_map(vf_bar0, 16 * KiB, PAGING_UNCACHED);
	printf("vf ready bdf=%s vendor=%04x device=%04x bar0=0x%lx status=0x%x\n",
	       bdf_format(bdf, buf, sizeof(buf)), id & 0xffff, id >> 16, vf_bar0,
	       *(volatile uint32_t *)(uintptr_t)(vf_bar0 + VF_STATUS_REG));
	program_msix(b, 0, apic_id());
	program_msix(b, 1, apic_id() == 0 ? 1 : 0); /* a CPU this child doesn't have */
	if (option("vf-touch", touch, sizeof(touch)) && !parse_u64(touch, &gpa)) {
		printf("vf touch gpa=0x%lx\n", gpa);
		paging_identity_map(ALIGN_DOWN(gpa, 4096), 4096, PAGING_UNCACHED);
		printf("vf touch read=0x%x\n", *(volatile uint32_t *)(uintptr_t)gpa);
	}
	if (option("vf-mbx", mbx, sizeof(mbx)))
		vf_mbx_run(opts, vf_bar0); /* raw mailbox words for PF tests, no driver */
	else
		vf_net_offered(bdf, vf_bar0, opts);
}

/* The VF stopped, bus mastering off, back to the hypervisor. */
static void release(uint32_t bdf)
{
	char buf[12];

	vf_net_revoking(bdf, false);
	pci_write16((pci_bdf_t)bdf, 0x04, 0);
	printf("vf revoking bdf=%s release=%ld\n", bdf_format(bdf, buf, sizeof(buf)),
	       hc_device_release(bdf));
}

static void revoking(uint32_t bdf)
{
	char mode[16], buf[12];

	if (option("vf", mode, sizeof(mode)) && !strcmp(mode, "keep")) {
		vf_net_revoking(bdf, true);
		printf("vf revoking bdf=%s release=no\n", bdf_format(bdf, buf, sizeof(buf)));
		return;
	}
	if (net_app_vf_revoking(bdf)) {
		release_pending = true; /* traffic still on the VF: released once failed back */
		printf("vf revoking bdf=%s release=after-failback\n",
		       bdf_format(bdf, buf, sizeof(buf)));
		return;
	}
	release(bdf);
}

static void revoked(uint32_t bdf)
{
	char yes[8], buf[12];

	printf("vf revoked bdf=%s\n", bdf_format(bdf, buf, sizeof(buf)));
	if (bdf == vf_bdf && option("vf-touch-revoked", yes, sizeof(yes))) {
		printf("vf touch-revoked gpa=0x%lx\n", vf_bar0 + VF_STATUS_REG);
		printf("vf touch-revoked read=0x%x\n",
		       *(volatile uint32_t *)(uintptr_t)(vf_bar0 + VF_STATUS_REG));
	}
}

static void on_notice(const struct hv_notice *n)
{
	char buf[12];

	printf("notice kind=%s device=%s addr=0x%lx\n", notice_kind_name(n->kind),
	       bdf_format(n->bdf, buf, sizeof(buf)), n->addr);
	if (n->kind == HV_NOTICE_DEVICE_OFFERED) {
		net_app_vf_offered(n->bdf);
		offered(n->bdf);
	}
	else if (n->kind == HV_NOTICE_DEVICE_REVOKING)
		revoking(n->bdf);
	else if (n->kind == HV_NOTICE_DEVICE_REVOKED)
		revoked(n->bdf);
}

void vf_user_start(const struct hv_guest_boot_info *bi)
{
	size_t len = strnlen(bi->cmdline, HV_GUEST_CMDLINE_LEN);

	memcpy(opts, bi->cmdline, len);
	opts[len] = '\0';
	notices_enable();
}

void vf_user_poll(void)
{
	notices_poll(on_notice);
	vf_net_poll();
	if (release_pending && net_app_vf_releasable()) {
		release_pending = false;
		release(vf_bdf);
	}
}
