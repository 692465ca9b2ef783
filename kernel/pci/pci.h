/*
 * PCI for the hypervisor core: configuration-space accessors, capability
 * walking, BAR and SR-IOV decoding and bus enumeration. Everything here is
 * pure logic over an access interface (struct pci_cfg_ops), so host unit tests
 * can feed configuration-space images; the real ECAM accessor (MMIO over the
 * MCFG window) provides the same three fields.
 *
 * Configuration space is device-controlled input: every pointer and count read
 * from it is validated, every walk is loop-protected, and a malformed
 * structure is cut at the bad spot with a log line naming the function.
 */
#ifndef KERNEL_PCI_PCI_H
#define KERNEL_PCI_PCI_H

#include "hv/types.h"
#include "kernel/pci/pci_regs.h"

/*
 * The access method. bdf is segment<<16 | bus<<8 | dev<<3 | fn; off is 0..4095
 * and 32-bit aligned. A read of a function that does not exist returns
 * 0xffffffff, as a master abort does on real hardware.
 */
struct pci_cfg_ops {
	uint32_t (*read32)(void *ctx, uint32_t bdf, uint16_t off);
	void (*write32)(void *ctx, uint32_t bdf, uint16_t off, uint32_t val);
	void *ctx;
};

#define PCI_BDF(seg, bus, dev, fn)                                                                 \
	(((uint32_t)(seg) << 16) | ((uint32_t)(bus) << 8) | ((uint32_t)(dev) << 3) | (uint32_t)(fn))
#define PCI_BDF_SEG(bdf) (((bdf) >> 16) & 0xffffu)
#define PCI_BDF_BUS(bdf) (((bdf) >> 8) & 0xffu)
#define PCI_BDF_DEV(bdf) (((bdf) >> 3) & 0x1fu)
#define PCI_BDF_FN(bdf)	 ((bdf) & 0x7u)
#define PCI_BDF_RID(bdf) ((uint16_t)((bdf) & 0xffffu)) /* Routing ID: bus<<8 | devfn */

/* Log lines name a function as "bdf=" PCI_BDF_FMT with PCI_BDF_ARGS(bdf). */
#define PCI_BDF_FMT	  "%04x:%02x:%02x.%x"
#define PCI_BDF_ARGS(bdf) PCI_BDF_SEG(bdf), PCI_BDF_BUS(bdf), PCI_BDF_DEV(bdf), PCI_BDF_FN(bdf)

/* --- accessors (pci_cfg.c) --- */

/*
 * Narrow reads extract from the aligned dword. Offsets must be naturally
 * aligned and inside 0..4095; anything else is a caller bug, is logged and
 * reads as all-ones (writes are dropped).
 */
uint8_t pci_cfg_read8(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t off);
uint16_t pci_cfg_read16(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t off);
uint32_t pci_cfg_read32(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t off);
void pci_cfg_write32(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t off, uint32_t val);

/*
 * 16-bit write through a 32-bit-only path: the other half of the dword is read
 * and written back unchanged, except at PCI_COMMAND whose other half is
 * Status: see pci_cfg_write16_ctl.
 */
void pci_cfg_write16(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t off, uint16_t val);

/*
 * For a Control register that shares its dword with a Status register holding
 * RW1C bits (Command/Status, PCIe Device and Link Control/Status, SR-IOV
 * Control/Status): the Status half is written as zero, which RW1C bits ignore,
 * so no pending error indication is cleared by accident.
 */
void pci_cfg_write16_ctl(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t off, uint16_t val);

/* --- capability lists (pci_caps.c) --- */

/* A walk over one capability list; callers treat it as opaque. */
struct pci_cap_walk {
	const struct pci_cfg_ops *ops;
	uint32_t bdf;
	uint16_t next;	/* offset of the next capability, 0 at the end */
	uint16_t count; /* capabilities returned so far */
	bool ext;	/* the extended list (0x100..0xfff) */
	bool cut;	/* the list was malformed and cut short */
	uint32_t visited[PCI_CFG_SPACE_EXP_SIZE / 4 / 32]; /* one bit per dword */
};

/* Standard list: walked only if Status.Capabilities List is set, header 0 or 1. */
void pci_cap_walk_init(struct pci_cap_walk *w, const struct pci_cfg_ops *ops, uint32_t bdf);
/*
 * Extended list. Only PCI Express functions have one (on others 0x100 may
 * alias 0x00): the caller checks for the PCI Express capability first.
 */
void pci_ext_cap_walk_init(struct pci_cap_walk *w, const struct pci_cfg_ops *ops, uint32_t bdf);
/* Offset of the next capability (its id in *id), or 0 at the end of the list. */
uint16_t pci_cap_walk_next(struct pci_cap_walk *w, uint16_t *id);

/* Offset of the first capability with this id, or 0. */
uint16_t pci_find_cap(const struct pci_cfg_ops *ops, uint32_t bdf, uint8_t id);
uint16_t pci_find_ext_cap(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t id);

/* --- BARs (pci_bar.c) --- */

enum pci_bar_type {
	PCI_BAR_UNUSED = 0,  /* absent: no writable address bit */
	PCI_BAR_IO,	     /* I/O space */
	PCI_BAR_MEM32,	     /* memory below 4 GiB */
	PCI_BAR_MEM64,	     /* memory, takes this slot and the next */
	PCI_BAR_MEM64_UPPER, /* upper half of the 64-bit BAR in the slot before */
	PCI_BAR_MALFORMED,   /* reserved type, or 64-bit in the last slot */
};

struct pci_bar {
	uint64_t base;
	uint64_t size; /* valid when size_known; 0 for unused slots */
	uint8_t type;  /* enum pci_bar_type */
	bool prefetchable;
	bool size_known; /* false when sizing was unsafe and skipped */
};

/*
 * Decodes the BAR register of bars[slot] at reg0 + 4 * slot, out of nslots
 * registers, and sizes it (write all-ones, read back, restore) when may_size;
 * the caller makes sure the BAR does not decode meanwhile. Returns the number
 * of slots consumed: 2 for a 64-bit BAR, else 1.
 */
unsigned pci_bar_probe(const struct pci_cfg_ops *ops, uint32_t bdf, uint16_t reg0,
		       struct pci_bar *bars, unsigned slot, unsigned nslots, bool may_size);

/*
 * The BARs of a type 0 (6) or type 1 (2) header, sized with the Command
 * register's I/O and memory decode turned off meanwhile and restored after.
 * Returns the number of BAR slots of the header, or -EBADMSG if one was
 * malformed (the others are still decoded).
 */
int pci_bars_probe(const struct pci_cfg_ops *ops, uint32_t bdf,
		   struct pci_bar bars[PCI_STD_NUM_BARS]);

/* --- SR-IOV (pci_sriov.c) --- */

struct pci_sriov {
	uint16_t offset; /* of the capability, 0 if there is none */
	bool valid;	 /* passed the checks; VFs of an invalid PF are not used */
	uint32_t cap;	 /* SR-IOV Capabilities */
	uint16_t ctrl;	 /* SR-IOV Control: PCI_SRIOV_CTRL_* */
	uint16_t status; /* SR-IOV Status */
	uint16_t initial_vfs;
	uint16_t total_vfs;
	uint16_t num_vfs;
	uint8_t func_dep_link;
	uint16_t vf_offset; /* First VF Offset, as reported for the current NumVFs */
	uint16_t vf_stride; /* VF Stride, likewise */
	uint16_t vf_device;
	uint32_t supported_page_sizes;
	uint32_t system_page_size;
	struct pci_bar vf_bars[PCI_SRIOV_NUM_BARS]; /* size is per VF */
};

#define PCI_SRIOV_MAX_VFS 256

/*
 * Reads and validates the SR-IOV capability at cap of the PF at pf_bdf. VF
 * BARs are sized only while VF MSE is clear. Returns 0, or -EINVAL when the
 * capability is malformed (s->valid is false, the reason is logged).
 */
int pci_sriov_parse(const struct pci_cfg_ops *ops, uint32_t pf_bdf, uint16_t cap,
		    struct pci_sriov *s);

/*
 * Routing ID of VF n (0-based, below TotalVFs): pf_rid + offset + n * stride.
 * -EINVAL if the capability is invalid or n is out of range, -ERANGE if the
 * RID would leave bus 255.
 */
int pci_sriov_vf_rid(const struct pci_sriov *s, uint16_t pf_rid, uint16_t n, uint16_t *rid);
/* The same as a bdf in the PF's segment. */
int pci_sriov_vf_bdf(const struct pci_sriov *s, uint32_t pf_bdf, uint16_t n, uint32_t *bdf);

/* --- capability decoding (pci_cap_decode.c) --- */

struct pci_msi {
	uint8_t offset; /* 0 if absent */
	bool is64;
	bool per_vector_mask;
	uint8_t mmc_log2; /* Multiple Message Capable: log2 of the vector count */
	bool enabled;
};

struct pci_msix {
	uint8_t offset;	     /* 0 if absent */
	uint16_t table_size; /* vectors, N+1 decoded */
	uint8_t table_bir;
	uint32_t table_offset;
	uint8_t pba_bir;
	uint32_t pba_offset;
	bool enabled;
	bool function_masked;
};

struct pci_express {
	uint8_t offset;		/* 0 if the function is not PCI Express */
	uint8_t version;	/* Capability Version */
	uint8_t port_type;	/* Device/Port Type: PCI_EXP_TYPE_* */
	bool slot;		/* Slot Implemented */
	bool flr;		/* Function Level Reset capable */
	bool has_link;		/* link registers meaningful (not RCiEP or RCEC) */
	uint8_t max_link_speed; /* Link Capabilities: 1 = 2.5 GT/s, 2 = 5, ... */
	uint8_t max_link_width;
	uint8_t link_speed; /* Link Status: current speed, negotiated width */
	uint8_t link_width;
	bool ari_forwarding; /* Root or Downstream Port with ARI Forwarding Enable */
};

struct pci_ari {
	uint16_t offset; /* 0 if absent */
	uint8_t next_fn; /* Next Function Number, 0 at the end of the chain */
};

struct pci_cap_entry {
	uint16_t id;
	uint16_t offset;
};

#define PCI_CAPS_LISTED 16 /* per list; real functions have far fewer */

struct pci_caps {
	struct pci_cap_entry std[PCI_CAPS_LISTED];
	struct pci_cap_entry ext[PCI_CAPS_LISTED];
	uint8_t std_count;
	uint8_t ext_count;
	bool list_truncated; /* more capabilities than PCI_CAPS_LISTED */
	bool malformed;	     /* a list or a capability was cut or refused */
	struct pci_msi msi;
	struct pci_msix msix;
	struct pci_express pcie;
	uint16_t aer_offset; /* Advanced Error Reporting, 0 if absent */
	struct pci_ari ari;
	struct pci_sriov sriov; /* sriov.offset is 0 if absent */
};

/*
 * Walks both capability lists of a function and decodes what the core uses.
 * Returns 0, or -EBADMSG if something was malformed (caps->malformed; what
 * was valid is still filled in).
 */
int pci_caps_parse(const struct pci_cfg_ops *ops, uint32_t bdf, struct pci_caps *caps);

/* --- bridge windows (pci_bridge.c) --- */

struct pci_window {
	uint64_t first, last; /* inclusive */
};

/* The memory and prefetchable windows bridge forwards that are on: 0, 1 or 2. */
unsigned pci_bridge_windows(const struct pci_cfg_ops *ops, uint32_t bridge,
			    struct pci_window w[2]);
/* Whether [base, base + size) lies whole inside one of the windows. */
bool pci_range_in_windows(const struct pci_window *w, unsigned n, uint64_t base, uint64_t size);

/* --- enumeration (pci_enum.c) --- */

#define PCI_MAX_FUNCTIONS    256
#define PCI_MAX_BRIDGE_DEPTH 32

struct pci_function {
	uint32_t bdf;
	uint16_t vendor, device;
	uint8_t revision;
	uint32_t class_code; /* base<<16 | sub<<8 | prog-if */
	uint8_t header_type; /* layout, without the multi-function bit */
	bool multifunction;
	uint8_t secondary_bus, subordinate_bus; /* bridges */
	uint16_t command;
	struct pci_bar bars[PCI_STD_NUM_BARS];
	struct pci_caps caps; /* incl. optional SR-IOV */
	uint32_t parent_bdf;  /* the bridge above, if has_parent */
	bool has_parent;
};

struct pci_topology {
	uint32_t count;
	struct pci_function fn[PCI_MAX_FUNCTIONS];
	bool truncated; /* more functions than fit */
};

/*
 * Scans a segment's ECAM bus range from start_bus, following bridges' bus
 * numbers as firmware programmed them. VFs are not scanned: their PF's
 * SR-IOV capability describes them. Returns the number of functions found,
 * or -EINVAL for a bad range.
 */
int pci_enumerate(const struct pci_cfg_ops *ops, uint16_t segment, uint8_t start_bus,
		  uint8_t end_bus, struct pci_topology *topo);

/* --- quiesce (pci_quiesce.c) and inventory (pci_inventory.c) --- */

/*
 * Clears Bus Master Enable on every type 0 function that has it set,
 * including the enabled VFs of SR-IOV PFs; bridges are left alone. Returns
 * the number of functions changed.
 */
unsigned pci_disable_bus_master(const struct pci_cfg_ops *ops, struct pci_topology *topo);

/* Short name of a class code for the inventory: "ethernet", "pci-bridge"... */
const char *pci_class_name(uint32_t class_code);

/* One log line per function, plus its VFs' routing IDs for SR-IOV PFs. */
void pci_log_topology(const struct pci_topology *topo);

#endif
