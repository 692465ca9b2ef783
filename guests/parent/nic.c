/*
 * Bring-up of the parent's NIC: find the igb PF among the functions the
 * parent owns, map its registers (BAR0 sits at its host address: the
 * hypervisor maps owned BARs with GPA == HPA), let it decode memory and
 * master the bus, start the driver, then SR-IOV. Frames for the PF itself
 * are logged here until a network stack takes them.
 */
#include "guests/lib/cmdline.h"
#include "guests/lib/console.h"
#include "guests/lib/paging.h"
#include "guests/parent/netvsp.h"
#include "guests/parent/nic.h"
#include "hv/errno.h"
#include "hv/string.h"
#include "kernel/pci/pci.h" /* not guests/lib/pci.h: both name PCI_BDF */

#define RX_LOG_MAX 32 /* frames logged in full; the counters see them all */
#define ETH_HDR	   14

static struct nic nic;
static struct igb_ring_mem ring_mem; /* guest memory: DMA through the parent's VT-d domain */

struct nic *nic_get(void)
{
	return nic.up ? &nic : NULL;
}

static bool cmdline_has(const struct hv_guest_boot_info *bi, const char *key, char *val,
			size_t size)
{
	return !cmdline_get(bi->cmdline, sizeof(bi->cmdline), key, val, size);
}

/* The memory BAR 0, mapped uncached into the parent's page tables; NULL if unusable. */
static volatile void *map_bar0(uint32_t bdf)
{
	const struct pci_cfg_ops *ops = nic_pci_ops();
	uint32_t lo = pci_cfg_read32(ops, bdf, PCI_BASE_ADDRESS(0));
	uint64_t base = lo & PCI_BAR_MEM_ADDR_MASK;

	if (lo & PCI_BAR_SPACE_IO)
		return NULL;
	if ((lo & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_TYPE_64)
		base |= (uint64_t)pci_cfg_read32(ops, bdf, PCI_BASE_ADDRESS(1)) << 32;
	if (!base || paging_identity_map(base, IGB_BAR0_SIZE, PAGING_UNCACHED))
		return NULL;
	return (volatile void *)(uintptr_t)base;
}

/* Memory decoding and bus mastering, with Status written as 0 (its bits are RW1C). */
static void enable_device(uint32_t bdf)
{
	const struct pci_cfg_ops *ops = nic_pci_ops();
	uint16_t cmd = pci_cfg_read16(ops, bdf, PCI_COMMAND);

	pci_cfg_write16_ctl(ops, bdf, PCI_COMMAND,
			    (uint16_t)(cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
}

static void print_frame(const uint8_t *f, size_t len)
{
	struct mac_addr dst, src;
	char d[MAC_STR_LEN], s[MAC_STR_LEN], text[33];
	size_t n = 0;

	memcpy(dst.b, f, ETH_ALEN);
	memcpy(src.b, f + ETH_ALEN, ETH_ALEN);
	/* The printable start of the payload, for test frames that carry text. */
	while (n + 1 < sizeof(text) && ETH_HDR + n < len && f[ETH_HDR + n] >= 0x20 &&
	       f[ETH_HDR + n] < 0x7f && f[ETH_HDR + n] != '"') {
		text[n] = (char)f[ETH_HDR + n];
		n++;
	}
	text[n] = '\0';
	printf("nic rx len=%zu dst=%s src=%s type=0x%04x text=\"%s\" n=%lu\n", len,
	       mac_format(&dst, d), mac_format(&src, s), f[12] << 8 | f[13], text,
	       nic.pf.sw_stats.rx_frames);
}

static void on_rx(void *ctx, const uint8_t *frame, size_t len)
{
	struct nic *n = ctx;

	netvsp_wire_rx(frame, len); /* the children's synthetic NICs */
	if (n->rx_frames_logged >= RX_LOG_MAX)
		return;
	n->rx_frames_logged++;
	print_frame(frame, len);
}

static int find_pf(const struct hv_guest_boot_info *bi)
{
	for (uint32_t i = 0; i < bi->device_count && i < HV_GUEST_MAX_DEVICES; i++) {
		uint32_t bdf = bi->devices[i];
		volatile void *bar0;

		if (pci_cfg_read16(nic_pci_ops(), bdf, PCI_VENDOR_ID) != IGB_VENDOR_INTEL)
			continue;
		enable_device(bdf);
		bar0 = map_bar0(bdf);
		if (bar0 && !igb_pf_probe(&nic.pf, nic_pci_ops(), bdf, bar0))
			return 0;
	}
	return -ENODEV;
}

/*
 * VFs to enable: the configuration's [sriov] vfs, which the hypervisor puts
 * in the parent's boot info; vfs=N on the command line overrides it (tests).
 */
static unsigned vfs_wanted(const struct hv_guest_boot_info *bi)
{
	char arg[8];
	uint64_t n = HV_GUEST_BOOT_HAS(bi, sriov_vfs) ? bi->sriov_vfs : 0;

	if (cmdline_has(bi, "vfs", arg, sizeof(arg)) && parse_u64(arg, &n))
		printf("nic error vfs=%s reason=not-a-number\n", arg);
	return (unsigned)MIN(n, (uint64_t)IGB_MAX_VFS + 1);
}

static int start_vfs(unsigned count)
{
	struct igb_sriov *s = &nic.pf.sriov;
	struct vf_table_config cfg = {0};
	const char *why = "";
	int err = igb_sriov_enable(&nic.pf, count);

	if (err)
		return err;
	cfg.layout = (struct vf_rid_layout){(uint16_t)nic.pf.bdf, s->vf_offset, s->vf_stride,
					    (uint8_t)PCI_BDF_BUS(nic.pf.bdf)};
	cfg.num_vfs = s->num_vfs;
	cfg.max_queue_pairs = 1;
	err = vf_table_init(&nic.vfs, &cfg, &why);
	if (err < 0) {
		printf("nic error vf-table err=%s reason=\"%s\"\n", errno_name(err), why);
		return err;
	}
	igb_pf_vfs_ready(&nic.pf);
	return 0;
}

static int start(const struct hv_guest_boot_info *bi)
{
	unsigned vfs = vfs_wanted(bi);
	int err = find_pf(bi);

	if (err)
		return err;
	err = igb_pf_start(&nic.pf, &ring_mem, on_rx, &nic);
	if (err)
		return err;
	nic.up = true;
	nic_ports_create(&nic);
	if (igb_sriov_probe(&nic.pf) == 0 && vfs)
		err = start_vfs(vfs);
	nic_irq_start(&nic); /* without it the PF is served on the tick only */
	return err;
}

int nic_start(const struct hv_guest_boot_info *bi)
{
	char arg[24];
	char mac[MAC_STR_LEN];
	int err;

	if ((cmdline_has(bi, "nic", arg, sizeof(arg)) && !strcmp(arg, "off")) ||
	    cmdline_has(bi, "dma-probe", arg, sizeof(arg))) {
		printf("nic disabled reason=command-line\n");
		return 0;
	}
	err = start(bi);
	if (err && !nic.up) {
		printf("nic error err=%s\n", errno_name(err));
		return err;
	}
	printf("nic ready bdf=%02x:%02x.%x mac=%s ports=%u vfs=%u%s%s\n", PCI_BDF_BUS(nic.pf.bdf),
	       PCI_BDF_DEV(nic.pf.bdf), PCI_BDF_FN(nic.pf.bdf), mac_format(&nic.pf.mac, mac),
	       nic.port_count, nic.pf.sriov.num_vfs, err ? " vf_error=" : "",
	       err ? errno_name(err) : "");
	return err;
}

void nic_poll(void)
{
	if (nic.up)
		igb_pf_poll(&nic.pf);
}
