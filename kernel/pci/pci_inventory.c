/*
 * The PCI inventory on the console: one line per function with its class
 * by name, its BARs and capabilities, and for SR-IOV PFs where the VFs will
 * appear. It is what an operator compares with lspci when assigning devices.
 */
#include "hv/log.h"
#include "kernel/pci/pci.h"

struct class_name {
	uint16_t class_sub; /* base<<8 | sub-class */
	const char *name;
};

static const struct class_name class_names[] = {
    {0x0100, "scsi"},	{0x0101, "ide"},	 {0x0104, "raid"},	 {0x0105, "ata"},
    {0x0106, "sata"},	{0x0107, "sas"},	 {0x0108, "nvme"},	 {0x0200, "ethernet"},
    {0x0300, "vga"},	{0x0302, "3d"},		 {0x0401, "audio"},	 {0x0403, "hda"},
    {0x0500, "ram"},	{0x0600, "host-bridge"}, {0x0601, "isa-bridge"}, {0x0604, "pci-bridge"},
    {0x0700, "serial"}, {0x0800, "pic"},	 {0x0805, "sd-host"},	 {0x0806, "iommu"},
    {0x0c03, "usb"},	{0x0c05, "smbus"},
};

/* By base class, when the sub-class is not in the table above. */
static const char *const base_names[] = {
    [0x00] = "unclassified", [0x01] = "storage", [0x02] = "network",	 [0x03] = "display",
    [0x04] = "multimedia",   [0x05] = "memory",	 [0x06] = "bridge",	 [0x07] = "comm",
    [0x08] = "system",	     [0x09] = "input",	 [0x0c] = "serial-bus",	 [0x0d] = "wireless",
    [0x10] = "crypto",	     [0x11] = "signal",	 [0x12] = "accelerator",
};

const char *pci_class_name(uint32_t class_code)
{
	uint16_t class_sub = (uint16_t)(class_code >> 8);
	uint8_t base = (uint8_t)(class_code >> 16);

	for (size_t i = 0; i < ARRAY_SIZE(class_names); i++)
		if (class_names[i].class_sub == class_sub)
			return class_names[i].name;
	if (base < ARRAY_SIZE(base_names) && base_names[base])
		return base_names[base];
	return "other";
}

static const char *bar_type_name(uint8_t type)
{
	static const char *const names[] = {
	    [PCI_BAR_UNUSED] = "unused",     [PCI_BAR_IO] = "io",
	    [PCI_BAR_MEM32] = "mem32",	     [PCI_BAR_MEM64] = "mem64",
	    [PCI_BAR_MEM64_UPPER] = "upper", [PCI_BAR_MALFORMED] = "malformed",
	};
	return type < ARRAY_SIZE(names) ? names[type] : "?";
}

static void log_bars(uint32_t bdf, const char *kind, const struct pci_bar *bars, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct pci_bar *b = &bars[i];
		if (b->type == PCI_BAR_UNUSED || b->type == PCI_BAR_MEM64_UPPER)
			continue;
		/* Not sized (host bridge) and not assigned: nothing worth a line. */
		if (!b->size_known && !b->base)
			continue;
		if (b->size_known)
			log_info("pci",
				 "%s bdf=" PCI_BDF_FMT " n=%u type=%s base=0x%llx size=0x%llx%s",
				 kind, PCI_BDF_ARGS(bdf), i, bar_type_name(b->type),
				 (unsigned long long)b->base, (unsigned long long)b->size,
				 b->prefetchable ? " pref=1" : "");
		else
			log_info("pci",
				 "%s bdf=" PCI_BDF_FMT " n=%u type=%s base=0x%llx size=unknown%s",
				 kind, PCI_BDF_ARGS(bdf), i, bar_type_name(b->type),
				 (unsigned long long)b->base, b->prefetchable ? " pref=1" : "");
	}
}

/* "id@off,id@off" in hex; the buffer is sized for PCI_CAPS_LISTED entries. */
static void format_caps(char *buf, const struct pci_cap_entry *list, unsigned n, unsigned digits)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = 0;

	for (unsigned i = 0; i < n; i++) {
		for (unsigned d = digits; d-- > 0;)
			buf[len++] = hex[(list[i].id >> (4 * d)) & 0xf];
		buf[len++] = '@';
		for (unsigned d = 3; d-- > 0;)
			buf[len++] = hex[(list[i].offset >> (4 * d)) & 0xf];
		buf[len++] = i + 1 < n ? ',' : '\0';
	}
	if (!n) {
		buf[len++] = '-';
		buf[len] = '\0';
	}
}

/* "caps bdf=... std=01@040,05@050 ext=0001@100": ids at their offsets, "-" for none. */
static void log_caps(const struct pci_function *fn)
{
	/* Per entry at most 4 id digits, '@', 3 offset digits and a separator. */
	char std[PCI_CAPS_LISTED * 9 + 1], ext[PCI_CAPS_LISTED * 9 + 1];
	const struct pci_caps *c = &fn->caps;

	format_caps(std, c->std, c->std_count, 2);
	format_caps(ext, c->ext, c->ext_count, 4);
	log_info("pci", "caps bdf=" PCI_BDF_FMT " std=%s ext=%s%s", PCI_BDF_ARGS(fn->bdf), std, ext,
		 c->list_truncated ? " truncated=1" : "");
}

static void log_sriov(const struct pci_function *fn)
{
	const struct pci_sriov *s = &fn->caps.sriov;
	uint32_t first, last;

	if (!s->valid)
		return;
	bool fits = !pci_sriov_vf_bdf(s, fn->bdf, 0, &first) &&
		    !pci_sriov_vf_bdf(s, fn->bdf, s->total_vfs - 1, &last);
	log_info("pci",
		 "sriov bdf=" PCI_BDF_FMT " vf=%04x:%04x total=%u initial=%u num=%u enabled=%u "
		 "offset=0x%x stride=%u first_vf=%02x:%02x.%x last_vf=%02x:%02x.%x%s",
		 PCI_BDF_ARGS(fn->bdf), fn->vendor, s->vf_device, s->total_vfs, s->initial_vfs,
		 s->num_vfs, (s->ctrl & PCI_SRIOV_CTRL_VFE) ? 1 : 0, s->vf_offset, s->vf_stride,
		 fits ? PCI_BDF_BUS(first) : 0, fits ? PCI_BDF_DEV(first) : 0,
		 fits ? PCI_BDF_FN(first) : 0, fits ? PCI_BDF_BUS(last) : 0,
		 fits ? PCI_BDF_DEV(last) : 0, fits ? PCI_BDF_FN(last) : 0,
		 fits ? "" : " rids=beyond-bus-255");
	log_bars(fn->bdf, "vf-bar", s->vf_bars, PCI_SRIOV_NUM_BARS);
}

static void log_function(const struct pci_function *fn)
{
	log_info("pci",
		 "fn bdf=" PCI_BDF_FMT " id=%04x:%04x rev=%02x class=%06x name=%s hdr=%u%s%s",
		 PCI_BDF_ARGS(fn->bdf), fn->vendor, fn->device, fn->revision, fn->class_code,
		 pci_class_name(fn->class_code), fn->header_type, fn->multifunction ? " mf=1" : "",
		 fn->caps.malformed ? " malformed=1" : "");
	if (fn->header_type == PCI_HEADER_TYPE_BRIDGE)
		log_info("pci", "bridge bdf=" PCI_BDF_FMT " secondary=%u subordinate=%u",
			 PCI_BDF_ARGS(fn->bdf), fn->secondary_bus, fn->subordinate_bus);
	log_bars(fn->bdf, "bar", fn->bars, PCI_STD_NUM_BARS);
	log_caps(fn);
	log_sriov(fn);
}

void pci_log_topology(const struct pci_topology *topo)
{
	for (uint32_t i = 0; i < topo->count; i++)
		log_function(&topo->fn[i]);
}
