/*
 * Bus enumeration: a depth-first scan of one PCI segment from its first ECAM
 * bus, following the bus numbers firmware programmed into bridges (the core
 * does not renumber). Bridge bus numbers are device-held input like the rest
 * of configuration space: a secondary bus must lie above the bridge's own bus
 * and inside the range its parent forwards, a bus is scanned at most once,
 * and nesting is bounded, so a bad topology is logged and cut, never looped.
 *
 * VFs are not found here: they do not answer Vendor ID reads. Their PF's
 * SR-IOV capability (fn->caps.sriov) describes them.
 */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/pci/pci.h"

#define PCI_DEVICES_PER_BUS	 32
#define PCI_FUNCTIONS_PER_DEVICE 8

struct enum_ctx {
	const struct pci_cfg_ops *ops;
	uint16_t segment;
	struct pci_topology *topo;
	uint32_t buses_seen[256 / 32];
};

/* 0xffff is what nothing answering reads as; 0 is never a valid vendor either. */
static bool function_present(const struct pci_cfg_ops *ops, uint32_t bdf)
{
	uint16_t vendor = pci_cfg_read16(ops, bdf, PCI_VENDOR_ID);

	return vendor != PCI_VENDOR_ID_NONE && vendor != 0;
}

/* The MSI-X table and PBA must lie inside a memory BAR of the function. */
static void check_msix_bar(struct pci_function *fn, const char *what, uint8_t bir, uint32_t offset,
			   uint64_t len)
{
	const struct pci_bar *bar = &fn->bars[bir];
	bool mem = bar->type == PCI_BAR_MEM32 || bar->type == PCI_BAR_MEM64;

	if (mem && (!bar->size_known || (offset < bar->size && len <= bar->size - offset)))
		return;
	log_warn("pci", "msix %s outside bar bdf=" PCI_BDF_FMT " bir=%u offset=0x%x len=0x%llx",
		 what, PCI_BDF_ARGS(fn->bdf), bir, offset, (unsigned long long)len);
	fn->caps.malformed = true;
}

static void check_msix(struct pci_function *fn)
{
	const struct pci_msix *m = &fn->caps.msix;

	if (!m->offset)
		return;
	check_msix_bar(fn, "table", m->table_bir, m->table_offset,
		       (uint64_t)m->table_size * PCI_MSIX_ENTRY_SIZE);
	check_msix_bar(fn, "pba", m->pba_bir, m->pba_offset, ALIGN_UP(m->table_size, 64u) / 8);
}

static void read_function(const struct pci_cfg_ops *ops, struct pci_function *fn)
{
	uint32_t id = pci_cfg_read32(ops, fn->bdf, PCI_VENDOR_ID);
	uint32_t rev_class = pci_cfg_read32(ops, fn->bdf, PCI_REVISION_ID);
	uint8_t hdr = pci_cfg_read8(ops, fn->bdf, PCI_HEADER_TYPE);

	fn->vendor = (uint16_t)id;
	fn->device = (uint16_t)(id >> 16);
	fn->revision = (uint8_t)rev_class;
	fn->class_code = rev_class >> 8;
	fn->header_type = hdr & PCI_HEADER_TYPE_LAYOUT;
	fn->multifunction = hdr & PCI_HEADER_TYPE_MFD;
	fn->command = pci_cfg_read16(ops, fn->bdf, PCI_COMMAND);
	if (fn->header_type == PCI_HEADER_TYPE_BRIDGE) {
		fn->secondary_bus = pci_cfg_read8(ops, fn->bdf, PCI_SECONDARY_BUS);
		fn->subordinate_bus = pci_cfg_read8(ops, fn->bdf, PCI_SUBORDINATE_BUS);
	}
	pci_bars_probe(ops, fn->bdf, fn->bars);
	pci_caps_parse(ops, fn->bdf, &fn->caps);
	check_msix(fn);
}

/* Appends a present function; NULL once the topology is full. */
static struct pci_function *add_function(struct enum_ctx *c, uint32_t bdf,
					 const struct pci_function *parent)
{
	struct pci_topology *topo = c->topo;

	if (topo->count >= PCI_MAX_FUNCTIONS) {
		if (!topo->truncated)
			log_warn("pci", "topology full bdf=" PCI_BDF_FMT " max=%u",
				 PCI_BDF_ARGS(bdf), PCI_MAX_FUNCTIONS);
		topo->truncated = true;
		return NULL;
	}
	struct pci_function *fn = &topo->fn[topo->count++];
	memset(fn, 0, sizeof(*fn));
	fn->bdf = bdf;
	fn->has_parent = parent != NULL;
	fn->parent_bdf = parent ? parent->bdf : 0;
	read_function(c->ops, fn);
	return fn;
}

static void ari_chain_cut(uint32_t bdf, unsigned next, const char *reason)
{
	log_warn("pci", "ari chain cut bdf=" PCI_BDF_FMT " next_fn=%u reason=%s", PCI_BDF_ARGS(bdf),
		 next, reason);
}

/*
 * Behind a port with ARI forwarding, a device's functions are numbered 0..255
 * and chained by the ARI capability's Next Function Number, which must
 * ascend: that alone bounds the walk to 255 steps.
 */
static void scan_ari_functions(struct enum_ctx *c, const struct pci_function *f0,
			       const struct pci_function *parent)
{
	uint32_t bus_base = f0->bdf & ~0xffu;
	uint32_t cur = f0->bdf;
	unsigned next = f0->caps.ari.next_fn;

	while (next) {
		if (next <= (cur & 0xffu)) {
			ari_chain_cut(cur, next, "not-ascending");
			return;
		}
		if (!function_present(c->ops, bus_base | next)) {
			ari_chain_cut(cur, next, "absent");
			return;
		}
		const struct pci_function *fn = add_function(c, bus_base | next, parent);
		if (!fn)
			return;
		if (!fn->caps.ari.offset) {
			ari_chain_cut(fn->bdf, 0, "no-ari-cap");
			return;
		}
		cur = fn->bdf;
		next = fn->caps.ari.next_fn;
	}
}

/* Scans one device; returns true if it was followed as an ARI device. */
static bool scan_device(struct enum_ctx *c, uint8_t bus, unsigned dev,
			const struct pci_function *parent)
{
	uint32_t bdf0 = PCI_BDF(c->segment, bus, dev, 0);

	if (!function_present(c->ops, bdf0))
		return false;
	const struct pci_function *f0 = add_function(c, bdf0, parent);
	if (!f0)
		return false;
	if (dev == 0 && parent && parent->caps.pcie.ari_forwarding && f0->caps.ari.offset) {
		scan_ari_functions(c, f0, parent);
		return true;
	}
	if (!f0->multifunction)
		return false;
	for (unsigned fn = 1; fn < PCI_FUNCTIONS_PER_DEVICE; fn++) {
		uint32_t bdf = PCI_BDF(c->segment, bus, dev, fn);
		if (function_present(c->ops, bdf))
			add_function(c, bdf, parent);
	}
	return false;
}

static bool bus_seen(const struct enum_ctx *c, uint8_t bus)
{
	return c->buses_seen[bus / 32] & (1u << (bus % 32));
}

static void scan_bus(struct enum_ctx *c, uint8_t bus, int parent_idx, uint8_t limit,
		     unsigned depth);

/* Names what is wrong with descending through a bridge, or NULL. */
static const char *bridge_problem(const struct enum_ctx *c, const struct pci_function *br,
				  uint8_t limit, unsigned depth)
{
	if (br->secondary_bus <= PCI_BDF_BUS(br->bdf))
		return "secondary-not-above-bus";
	if (br->secondary_bus > limit)
		return "secondary-outside-range";
	if (br->subordinate_bus < br->secondary_bus)
		return "subordinate-below-secondary";
	if (bus_seen(c, br->secondary_bus))
		return "bus-loop";
	if (depth >= PCI_MAX_BRIDGE_DEPTH)
		return "too-deep";
	return NULL;
}

static void scan_bridge(struct enum_ctx *c, int idx, uint8_t limit, unsigned depth)
{
	const struct pci_function *br = &c->topo->fn[idx];
	const char *problem = bridge_problem(c, br, limit, depth);

	if (problem) {
		log_warn("pci",
			 "bridge skipped bdf=" PCI_BDF_FMT " secondary=%u subordinate=%u "
			 "limit=%u reason=%s",
			 PCI_BDF_ARGS(br->bdf), br->secondary_bus, br->subordinate_bus, limit,
			 problem);
		return;
	}
	/* Buses past what the parent forwards are unreachable: scan only what is. */
	if (br->subordinate_bus > limit)
		log_warn("pci", "bridge range clipped bdf=" PCI_BDF_FMT " subordinate=%u limit=%u",
			 PCI_BDF_ARGS(br->bdf), br->subordinate_bus, limit);
	scan_bus(c, br->secondary_bus, idx, MIN(br->subordinate_bus, limit), depth + 1);
}

/* limit: the highest bus number reachable below this bus. */
static void scan_bus(struct enum_ctx *c, uint8_t bus, int parent_idx, uint8_t limit, unsigned depth)
{
	const struct pci_function *parent = parent_idx < 0 ? NULL : &c->topo->fn[parent_idx];
	uint32_t first = c->topo->count;

	c->buses_seen[bus / 32] |= 1u << (bus % 32);
	for (unsigned dev = 0; dev < PCI_DEVICES_PER_BUS && !c->topo->truncated; dev++)
		if (scan_device(c, bus, dev, parent))
			break; /* an ARI device owns all 256 function numbers */
	uint32_t end = c->topo->count;
	for (uint32_t i = first; i < end; i++)
		if (c->topo->fn[i].header_type == PCI_HEADER_TYPE_BRIDGE)
			scan_bridge(c, (int)i, limit, depth);
}

int pci_enumerate(const struct pci_cfg_ops *ops, uint16_t segment, uint8_t start_bus,
		  uint8_t end_bus, struct pci_topology *topo)
{
	struct enum_ctx c = {.ops = ops, .segment = segment, .topo = topo};

	topo->count = 0;
	topo->truncated = false;
	if (start_bus > end_bus) {
		log_error("pci", "bad bus range segment=%04x start=%u end=%u", segment, start_bus,
			  end_bus);
		return -EINVAL;
	}
	scan_bus(&c, start_bus, -1, end_bus, 0);
	log_info("pci", "enumerated segment=%04x buses=%02x-%02x functions=%u%s", segment,
		 start_bus, end_bus, topo->count, topo->truncated ? " truncated=1" : "");
	return (int)topo->count;
}
