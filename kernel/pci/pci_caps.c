/*
 * Walking the standard (0x40..0xff) and extended (0x100..0xfff) capability
 * lists. Both are linked lists in device-controlled memory: each pointer is
 * checked against its list's range and alignment before it is followed, a
 * visited set and an entry limit stop loops, and a bad pointer cuts the list
 * there with a warning that names the function, the offset and the reason.
 */
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/pci/pci.h"

static void walk_reset(struct pci_cap_walk *w, const struct pci_cfg_ops *ops, uint32_t bdf,
		       bool ext)
{
	memset(w, 0, sizeof(*w));
	w->ops = ops;
	w->bdf = bdf;
	w->ext = ext;
}

static bool walk_visited(const struct pci_cap_walk *w, uint16_t off)
{
	return w->visited[off / 4 / 32] & (1u << (off / 4 % 32));
}

static void walk_mark(struct pci_cap_walk *w, uint16_t off)
{
	w->visited[off / 4 / 32] |= 1u << (off / 4 % 32);
	w->count++;
}

/* at: where the bad pointer (or header) was read; ptr: its value. */
static void walk_cut(struct pci_cap_walk *w, uint16_t at, uint32_t ptr, const char *reason)
{
	log_warn("pci", "cap list cut bdf=" PCI_BDF_FMT " list=%s at=0x%x ptr=0x%x reason=%s",
		 PCI_BDF_ARGS(w->bdf), w->ext ? "ext" : "std", at, ptr, reason);
	w->next = 0;
	w->cut = true;
}

static const char *std_ptr_problem(const struct pci_cap_walk *w, uint16_t ptr)
{
	if (ptr < PCI_STD_CAP_MIN)
		return "inside-header";
	if (ptr > PCI_STD_CAP_MAX)
		return "beyond-0xfc";
	if (walk_visited(w, ptr))
		return "loop";
	if (w->count >= PCI_STD_CAP_MAX_ENTRIES)
		return "too-many";
	return NULL;
}

static const char *ext_ptr_problem(const struct pci_cap_walk *w, uint16_t ptr)
{
	if (ptr < PCI_EXT_CAP_START)
		return "below-0x100";
	if (ptr > PCI_EXT_CAP_MAX)
		return "beyond-0xffc";
	if (ptr & 3u)
		return "unaligned";
	if (walk_visited(w, ptr))
		return "loop";
	if (w->count >= PCI_EXT_CAP_MAX_ENTRIES)
		return "too-many";
	return NULL;
}

/* Makes ptr, read at offset at, the next capability if it is acceptable. */
static void walk_follow(struct pci_cap_walk *w, uint16_t at, uint16_t ptr)
{
	const char *problem = w->ext ? ext_ptr_problem(w, ptr) : std_ptr_problem(w, ptr);

	w->next = ptr;
	if (problem)
		walk_cut(w, at, ptr, problem);
}

void pci_cap_walk_init(struct pci_cap_walk *w, const struct pci_cfg_ops *ops, uint32_t bdf)
{
	walk_reset(w, ops, bdf, false);
	if (!(pci_cfg_read16(ops, bdf, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return;
	/* CardBus headers keep their pointer elsewhere; the core has no use for them. */
	uint8_t layout = pci_cfg_read8(ops, bdf, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_LAYOUT;
	if (layout != PCI_HEADER_TYPE_NORMAL && layout != PCI_HEADER_TYPE_BRIDGE)
		return;
	uint16_t ptr = pci_cfg_read8(ops, bdf, PCI_CAPABILITY_LIST) & PCI_CAP_PTR_MASK;
	if (ptr)
		walk_follow(w, PCI_CAPABILITY_LIST, ptr);
}

void pci_ext_cap_walk_init(struct pci_cap_walk *w, const struct pci_cfg_ops *ops, uint32_t bdf)
{
	walk_reset(w, ops, bdf, true);
	/* A header of 0 says "no extended capabilities"; all-ones, that nothing decodes there. */
	uint32_t hdr = pci_cfg_read32(ops, bdf, PCI_EXT_CAP_START);
	if (hdr != 0 && hdr != 0xffffffffu)
		w->next = PCI_EXT_CAP_START;
}

static uint16_t std_next(struct pci_cap_walk *w, uint16_t *id)
{
	uint16_t off = w->next;
	uint16_t reg = pci_cfg_read16(w->ops, w->bdf, off);
	uint8_t cap_id = reg & 0xff;

	walk_mark(w, off);
	if (cap_id == PCI_CAP_ID_ALL_ONES) {
		walk_cut(w, off, cap_id, "id-all-ones");
		return 0;
	}
	w->next = 0;
	uint16_t ptr = (reg >> 8) & PCI_CAP_PTR_MASK;
	if (ptr)
		walk_follow(w, off + 1, ptr);
	*id = cap_id;
	return off;
}

static uint16_t ext_next(struct pci_cap_walk *w, uint16_t *id)
{
	uint16_t off = w->next;
	uint32_t hdr = pci_cfg_read32(w->ops, w->bdf, off);

	walk_mark(w, off);
	if (hdr == 0 || hdr == 0xffffffffu) {
		walk_cut(w, off, hdr, hdr ? "header-all-ones" : "header-empty");
		return 0;
	}
	w->next = 0;
	uint16_t ptr = PCI_EXT_CAP_NEXT(hdr);
	if (ptr)
		walk_follow(w, off, ptr);
	*id = PCI_EXT_CAP_ID(hdr);
	return off;
}

uint16_t pci_cap_walk_next(struct pci_cap_walk *w, uint16_t *id)
{
	if (!w->next)
		return 0;
	return w->ext ? ext_next(w, id) : std_next(w, id);
}

uint16_t pci_find_cap(const struct pci_cfg_ops *ops, uint32_t bdf, uint8_t id)
{
	struct pci_cap_walk w;
	uint16_t off, cur;

	pci_cap_walk_init(&w, ops, bdf);
	while ((off = pci_cap_walk_next(&w, &cur)))
		if (cur == id)
			return off;
	return 0;
}

uint16_t pci_find_ext_cap(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t id)
{
	struct pci_cap_walk w;
	uint16_t off, cur;

	/* Conventional functions may alias 0x100 onto 0x00: only PCIe has a list. */
	if (!pci_find_cap(ops, bdf, PCI_CAP_ID_EXP))
		return 0;
	pci_ext_cap_walk_init(&w, ops, bdf);
	while ((off = pci_cap_walk_next(&w, &cur)))
		if (cur == id)
			return off;
	return 0;
}
