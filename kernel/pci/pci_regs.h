/*
 * PCI and PCI Express configuration-space layout: the headers and the
 * capabilities the core parses, as packed structures named after the PCI
 * Local Bus 3.0, PCI-to-PCI Bridge 1.2 and PCI Express Base specifications.
 * Register offsets are taken from the structures (offsetof), so the layout is
 * written down once; bit fields sit right under their register.
 */
#ifndef KERNEL_PCI_PCI_REGS_H
#define KERNEL_PCI_PCI_REGS_H

#include "hv/types.h"

#define PCI_CFG_SPACE_SIZE     0x100  /* conventional configuration space */
#define PCI_CFG_SPACE_EXP_SIZE 0x1000 /* PCI Express extended configuration space */

/* Type 0 header: "Type 0 Configuration Space Header" (PCI Local Bus 3.0, 6.1). */
struct pci_type0_header {
	uint16_t vendor_id;	      /* Vendor ID */
	uint16_t device_id;	      /* Device ID */
	uint16_t command;	      /* Command */
	uint16_t status;	      /* Status */
	uint8_t revision_id;	      /* Revision ID */
	uint8_t class_code[3];	      /* Class Code: prog-if, sub-class, base class */
	uint8_t cache_line_size;      /* Cache Line Size */
	uint8_t latency_timer;	      /* Latency Timer */
	uint8_t header_type;	      /* Header Type */
	uint8_t bist;		      /* BIST */
	uint32_t bar[6];	      /* Base Address Registers */
	uint32_t cardbus_cis;	      /* Cardbus CIS Pointer */
	uint16_t subsystem_vendor_id; /* Subsystem Vendor ID */
	uint16_t subsystem_id;	      /* Subsystem ID */
	uint32_t expansion_rom;	      /* Expansion ROM Base Address */
	uint8_t capabilities_ptr;     /* Capabilities Pointer */
	uint8_t reserved[7];
	uint8_t interrupt_line; /* Interrupt Line */
	uint8_t interrupt_pin;	/* Interrupt Pin */
	uint8_t min_gnt;	/* Min_Gnt */
	uint8_t max_lat;	/* Max_Lat */
} __packed;
_Static_assert(sizeof(struct pci_type0_header) == 0x40, "type 0 header layout");
_Static_assert(offsetof(struct pci_type0_header, capabilities_ptr) == 0x34, "cap ptr");

/* Type 1 header: PCI-to-PCI Bridge Architecture 1.2, 3.2. */
struct pci_type1_header {
	uint16_t vendor_id;
	uint16_t device_id;
	uint16_t command;
	uint16_t status;
	uint8_t revision_id;
	uint8_t class_code[3];
	uint8_t cache_line_size;
	uint8_t latency_timer;
	uint8_t header_type;
	uint8_t bist;
	uint32_t bar[2];		 /* Base Address Registers */
	uint8_t primary_bus;		 /* Primary Bus Number */
	uint8_t secondary_bus;		 /* Secondary Bus Number */
	uint8_t subordinate_bus;	 /* Subordinate Bus Number */
	uint8_t secondary_latency_timer; /* Secondary Latency Timer */
	uint8_t io_base;		 /* I/O Base */
	uint8_t io_limit;		 /* I/O Limit */
	uint16_t secondary_status;	 /* Secondary Status (RW1C bits) */
	uint16_t memory_base;		 /* Memory Base */
	uint16_t memory_limit;		 /* Memory Limit */
	uint16_t pref_memory_base;	 /* Prefetchable Memory Base */
	uint16_t pref_memory_limit;	 /* Prefetchable Memory Limit */
	uint32_t pref_base_upper;	 /* Prefetchable Base Upper 32 Bits */
	uint32_t pref_limit_upper;	 /* Prefetchable Limit Upper 32 Bits */
	uint16_t io_base_upper;		 /* I/O Base Upper 16 Bits */
	uint16_t io_limit_upper;	 /* I/O Limit Upper 16 Bits */
	uint8_t capabilities_ptr;	 /* Capabilities Pointer */
	uint8_t reserved[3];
	uint32_t expansion_rom;	 /* Expansion ROM Base Address */
	uint8_t interrupt_line;	 /* Interrupt Line */
	uint8_t interrupt_pin;	 /* Interrupt Pin */
	uint16_t bridge_control; /* Bridge Control */
} __packed;
_Static_assert(sizeof(struct pci_type1_header) == 0x40, "type 1 header layout");
_Static_assert(offsetof(struct pci_type1_header, capabilities_ptr) == 0x34, "cap ptr");
_Static_assert(offsetof(struct pci_type1_header, secondary_bus) == 0x19, "secondary bus");

#define PCI_VENDOR_ID	   offsetof(struct pci_type0_header, vendor_id)
#define PCI_VENDOR_ID_NONE 0xffffu /* nothing answered the read */
#define PCI_DEVICE_ID	   offsetof(struct pci_type0_header, device_id)

#define PCI_COMMAND	     offsetof(struct pci_type0_header, command)
#define PCI_COMMAND_IO	     0x0001u /* I/O Space Enable */
#define PCI_COMMAND_MEMORY   0x0002u /* Memory Space Enable */
#define PCI_COMMAND_MASTER   0x0004u /* Bus Master Enable */
#define PCI_COMMAND_PARITY   0x0040u /* Parity Error Response */
#define PCI_COMMAND_SERR     0x0100u /* SERR# Enable */
#define PCI_COMMAND_INTX_OFF 0x0400u /* Interrupt Disable */

#define PCI_STATUS		 offsetof(struct pci_type0_header, status)
#define PCI_STATUS_INTX		 0x0008u /* Interrupt Status */
#define PCI_STATUS_CAP_LIST	 0x0010u /* Capabilities List */
#define PCI_STATUS_MASTER_PARITY 0x0100u /* Master Data Parity Error, RW1C */
#define PCI_STATUS_SIG_TGT_ABORT 0x0800u /* Signaled Target Abort, RW1C */
#define PCI_STATUS_RCV_TGT_ABORT 0x1000u /* Received Target Abort, RW1C */
#define PCI_STATUS_RCV_MST_ABORT 0x2000u /* Received Master Abort, RW1C */
#define PCI_STATUS_SIG_SERR	 0x4000u /* Signaled System Error, RW1C */
#define PCI_STATUS_PARITY	 0x8000u /* Detected Parity Error, RW1C */

#define PCI_REVISION_ID		offsetof(struct pci_type0_header, revision_id)
#define PCI_CLASS_PROG		offsetof(struct pci_type0_header, class_code)
#define PCI_HEADER_TYPE		offsetof(struct pci_type0_header, header_type)
#define PCI_HEADER_TYPE_LAYOUT	0x7fu /* Header Layout */
#define PCI_HEADER_TYPE_NORMAL	0x00u
#define PCI_HEADER_TYPE_BRIDGE	0x01u
#define PCI_HEADER_TYPE_CARDBUS 0x02u
#define PCI_HEADER_TYPE_MFD	0x80u /* Multi-Function Device */

#define PCI_STD_NUM_BARS      6 /* type 0 */
#define PCI_BRIDGE_NUM_BARS   2 /* type 1 */
#define PCI_BASE_ADDRESS(n)   (offsetof(struct pci_type0_header, bar) + 4 * (n))
#define PCI_BAR_SPACE_IO      0x1u /* Memory Space Indicator: 1 = I/O */
#define PCI_BAR_MEM_TYPE      0x6u /* Type */
#define PCI_BAR_MEM_TYPE_32   0x0u /* anywhere in 32-bit space */
#define PCI_BAR_MEM_TYPE_1M   0x2u /* below 1 MiB (PCI 2.x, now reserved) */
#define PCI_BAR_MEM_TYPE_64   0x4u /* anywhere in 64-bit space */
#define PCI_BAR_MEM_PREFETCH  0x8u /* Prefetchable */
#define PCI_BAR_MEM_ADDR_MASK 0xfffffff0u
#define PCI_BAR_IO_ADDR_MASK  0xfffffffcu

#define PCI_CAPABILITY_LIST offsetof(struct pci_type0_header, capabilities_ptr)
#define PCI_CAP_PTR_MASK    0xfcu /* bits 1:0 reserved, software masks them */

#define PCI_PRIMARY_BUS	    offsetof(struct pci_type1_header, primary_bus)
#define PCI_SECONDARY_BUS   offsetof(struct pci_type1_header, secondary_bus)
#define PCI_SUBORDINATE_BUS offsetof(struct pci_type1_header, subordinate_bus)
#define PCI_SEC_STATUS	    offsetof(struct pci_type1_header, secondary_status)
#define PCI_MEMORY_BASE	    offsetof(struct pci_type1_header, memory_base)
#define PCI_MEMORY_LIMIT    offsetof(struct pci_type1_header, memory_limit)
#define PCI_PREF_MEMORY_BASE  offsetof(struct pci_type1_header, pref_memory_base)
#define PCI_PREF_MEMORY_LIMIT offsetof(struct pci_type1_header, pref_memory_limit)
#define PCI_PREF_BASE_UPPER32 offsetof(struct pci_type1_header, pref_base_upper)
#define PCI_PREF_LIMIT_UPPER32 offsetof(struct pci_type1_header, pref_limit_upper)
#define PCI_PREF_RANGE_64     0x1u /* 64-bit prefetchable window */

/* Standard capability header: Capability ID, Next Capability Pointer. */
struct pci_cap_header {
	uint8_t id;
	uint8_t next;
} __packed;
_Static_assert(sizeof(struct pci_cap_header) == 2, "cap header layout");

#define PCI_STD_CAP_MIN		0x40u /* first byte after the header */
#define PCI_STD_CAP_MAX		0xfcu /* last dword of conventional space */
#define PCI_STD_CAP_MAX_ENTRIES ((PCI_CFG_SPACE_SIZE - PCI_STD_CAP_MIN) / 4) /* 48 */

/* Capability IDs (PCI Code and ID Assignment Specification). */
#define PCI_CAP_ID_PM	    0x01 /* Power Management */
#define PCI_CAP_ID_VPD	    0x03 /* Vital Product Data */
#define PCI_CAP_ID_MSI	    0x05 /* Message Signaled Interrupts */
#define PCI_CAP_ID_HT	    0x08 /* HyperTransport */
#define PCI_CAP_ID_VNDR	    0x09 /* Vendor Specific */
#define PCI_CAP_ID_SSVID    0x0d /* Bridge Subsystem Vendor ID */
#define PCI_CAP_ID_EXP	    0x10 /* PCI Express */
#define PCI_CAP_ID_MSIX	    0x11 /* MSI-X */
#define PCI_CAP_ID_SATA	    0x12 /* SATA Data/Index Configuration */
#define PCI_CAP_ID_AF	    0x13 /* Advanced Features */
#define PCI_CAP_ID_EA	    0x14 /* Enhanced Allocation */
#define PCI_CAP_ID_ALL_ONES 0xff /* what a read of a vanished function returns */

/* MSI capability: only Message Control sits at a fixed place. */
#define PCI_MSI_FLAGS		     0x02    /* Message Control */
#define PCI_MSI_FLAGS_ENABLE	     0x0001u /* MSI Enable */
#define PCI_MSI_FLAGS_MMC	     0x000eu /* Multiple Message Capable, log2 */
#define PCI_MSI_FLAGS_MME	     0x0070u /* Multiple Message Enable, log2 */
#define PCI_MSI_FLAGS_64BIT	     0x0080u /* 64 bit address capable */
#define PCI_MSI_FLAGS_MASKBIT	     0x0100u /* Per-vector masking capable */
#define PCI_MSI_MMC_MAX_LOG2	     5	     /* 32 vectors; 6 and 7 are reserved */
#define PCI_MSI_CAP_SIZE(is64, mask) (10 + ((is64) ? 4 : 0) + ((mask) ? 10 : 0))

/* MSI-X capability (PCI Local Bus 3.0, 6.8.2). */
struct pci_msix_cap {
	struct pci_cap_header hdr;
	uint16_t msg_ctrl; /* Message Control */
	uint32_t table;	   /* Table Offset / Table BIR */
	uint32_t pba;	   /* PBA Offset / PBA BIR */
} __packed;
_Static_assert(sizeof(struct pci_msix_cap) == 12, "MSI-X capability layout");

#define PCI_MSIX_FLAGS	       offsetof(struct pci_msix_cap, msg_ctrl)
#define PCI_MSIX_FLAGS_QSIZE   0x07ffu /* Table Size, N-1 encoded */
#define PCI_MSIX_FLAGS_MASKALL 0x4000u /* Function Mask */
#define PCI_MSIX_FLAGS_ENABLE  0x8000u /* MSI-X Enable */
#define PCI_MSIX_TABLE	       offsetof(struct pci_msix_cap, table)
#define PCI_MSIX_PBA	       offsetof(struct pci_msix_cap, pba)
#define PCI_MSIX_BIR	       0x7u /* BAR Indicator Register */
#define PCI_MSIX_OFFSET_MASK   0xfffffff8u
#define PCI_MSIX_ENTRY_SIZE    16

/* PCI Express Capability structure (PCI Express Base 6.0, 7.5.3), version 2. */
struct pci_exp_cap {
	struct pci_cap_header hdr;
	uint16_t flags;	  /* PCI Express Capabilities Register */
	uint32_t devcap;  /* Device Capabilities */
	uint16_t devctl;  /* Device Control */
	uint16_t devsta;  /* Device Status (RW1C bits) */
	uint32_t lnkcap;  /* Link Capabilities */
	uint16_t lnkctl;  /* Link Control */
	uint16_t lnksta;  /* Link Status (RW1C bits) */
	uint32_t sltcap;  /* Slot Capabilities */
	uint16_t sltctl;  /* Slot Control */
	uint16_t sltsta;  /* Slot Status */
	uint16_t rootctl; /* Root Control */
	uint16_t rootcap; /* Root Capabilities */
	uint32_t rootsta; /* Root Status */
	uint32_t devcap2; /* Device Capabilities 2 */
	uint16_t devctl2; /* Device Control 2 */
	uint16_t devsta2; /* Device Status 2 */
	uint32_t lnkcap2; /* Link Capabilities 2 */
	uint16_t lnkctl2; /* Link Control 2 */
	uint16_t lnksta2; /* Link Status 2 */
	uint32_t sltcap2; /* Slot Capabilities 2 */
	uint16_t sltctl2; /* Slot Control 2 */
	uint16_t sltsta2; /* Slot Status 2 */
} __packed;
_Static_assert(sizeof(struct pci_exp_cap) == 0x3c, "PCIe capability layout");

#define PCI_EXP_CAP_V1_SIZE 0x24 /* version 1 ends after Root Status */
#define PCI_EXP_CAP_V2_SIZE sizeof(struct pci_exp_cap)

#define PCI_EXP_FLAGS		 offsetof(struct pci_exp_cap, flags)
#define PCI_EXP_FLAGS_VERS	 0x000fu /* Capability Version */
#define PCI_EXP_FLAGS_TYPE	 0x00f0u /* Device/Port Type */
#define PCI_EXP_FLAGS_SLOT	 0x0100u /* Slot Implemented */
#define PCI_EXP_TYPE_ENDPOINT	 0x0	 /* PCI Express Endpoint */
#define PCI_EXP_TYPE_LEG_END	 0x1	 /* Legacy PCI Express Endpoint */
#define PCI_EXP_TYPE_ROOT_PORT	 0x4	 /* Root Port of PCI Express Root Complex */
#define PCI_EXP_TYPE_UPSTREAM	 0x5	 /* Upstream Port of PCI Express Switch */
#define PCI_EXP_TYPE_DOWNSTREAM	 0x6	 /* Downstream Port of PCI Express Switch */
#define PCI_EXP_TYPE_PCI_BRIDGE	 0x7	 /* PCI Express to PCI/PCI-X Bridge */
#define PCI_EXP_TYPE_PCIE_BRIDGE 0x8	 /* PCI/PCI-X to PCI Express Bridge */
#define PCI_EXP_TYPE_RC_END	 0x9	 /* Root Complex Integrated Endpoint */
#define PCI_EXP_TYPE_RC_EC	 0xa	 /* Root Complex Event Collector */

#define PCI_EXP_DEVCAP	       offsetof(struct pci_exp_cap, devcap)
#define PCI_EXP_DEVCAP_FLR     0x10000000u /* Function Level Reset Capability */
#define PCI_EXP_DEVCTL	       offsetof(struct pci_exp_cap, devctl)
#define PCI_EXP_DEVCTL_BCR_FLR 0x8000u /* Initiate Function Level Reset */
#define PCI_EXP_LNKCAP	       offsetof(struct pci_exp_cap, lnkcap)
#define PCI_EXP_LNKCAP_SLS     0x0000000fu /* Max Link Speed */
#define PCI_EXP_LNKCAP_MLW     0x000003f0u /* Maximum Link Width */
#define PCI_EXP_LNKSTA	       offsetof(struct pci_exp_cap, lnksta)
#define PCI_EXP_LNKSTA_CLS     0x000fu /* Current Link Speed */
#define PCI_EXP_LNKSTA_NLW     0x03f0u /* Negotiated Link Width */
#define PCI_EXP_DEVCAP2	       offsetof(struct pci_exp_cap, devcap2)
#define PCI_EXP_DEVCAP2_ARI    0x00000020u /* ARI Forwarding Supported */
#define PCI_EXP_DEVCTL2	       offsetof(struct pci_exp_cap, devctl2)
#define PCI_EXP_DEVCTL2_ARI    0x0020u /* ARI Forwarding Enable */

/* Extended capability header (PCI Express Base 6.0, 7.6.3). */
#define PCI_EXT_CAP_START	0x100u
#define PCI_EXT_CAP_MAX		0xffcu
#define PCI_EXT_CAP_MAX_ENTRIES ((PCI_CFG_SPACE_EXP_SIZE - PCI_EXT_CAP_START) / 4) /* 960 */
#define PCI_EXT_CAP_ID(hdr)	((uint16_t)((hdr) & 0xffff))
#define PCI_EXT_CAP_VER(hdr)	(((hdr) >> 16) & 0xf)
#define PCI_EXT_CAP_NEXT(hdr)	((uint16_t)((hdr) >> 20))

#define PCI_EXT_CAP_ID_ERR   0x0001 /* Advanced Error Reporting */
#define PCI_EXT_CAP_ID_VC    0x0002 /* Virtual Channel */
#define PCI_EXT_CAP_ID_DSN   0x0003 /* Device Serial Number */
#define PCI_EXT_CAP_ID_ACS   0x000d /* Access Control Services */
#define PCI_EXT_CAP_ID_ARI   0x000e /* Alternative Routing-ID Interpretation */
#define PCI_EXT_CAP_ID_ATS   0x000f /* Address Translation Services */
#define PCI_EXT_CAP_ID_SRIOV 0x0010 /* Single Root I/O Virtualization */
#define PCI_EXT_CAP_ID_PASID 0x001b /* Process Address Space ID */

/* ARI Extended Capability (PCI Express Base 6.0, 7.8.7). */
struct pci_ari_cap {
	uint32_t header;
	uint16_t cap;  /* ARI Capability Register */
	uint16_t ctrl; /* ARI Control Register */
} __packed;
_Static_assert(sizeof(struct pci_ari_cap) == 8, "ARI capability layout");

#define PCI_ARI_CAP	     offsetof(struct pci_ari_cap, cap)
#define PCI_ARI_CAP_NFN(cap) (((cap) >> 8) & 0xff) /* Next Function Number */

/* SR-IOV Extended Capability (PCI Express Base 6.0, 9.3.3). */
struct pci_sriov_cap {
	uint32_t header;       /* SR-IOV Extended Capability Header */
	uint32_t cap;	       /* SR-IOV Capabilities */
	uint16_t ctrl;	       /* SR-IOV Control */
	uint16_t status;       /* SR-IOV Status (RW1C bits) */
	uint16_t initial_vfs;  /* InitialVFs */
	uint16_t total_vfs;    /* TotalVFs */
	uint16_t num_vfs;      /* NumVFs */
	uint8_t func_dep_link; /* Function Dependency Link */
	uint8_t reserved0;
	uint16_t first_vf_offset; /* First VF Offset */
	uint16_t vf_stride;	  /* VF Stride */
	uint16_t reserved1;
	uint16_t vf_device_id;	       /* VF Device ID */
	uint32_t supported_page_sizes; /* Supported Page Sizes */
	uint32_t system_page_size;     /* System Page Size */
	uint32_t vf_bar[6];	       /* VF BAR0..VF BAR5 */
	uint32_t vf_migration_state;   /* VF Migration State Array Offset */
} __packed;
_Static_assert(sizeof(struct pci_sriov_cap) == 0x40, "SR-IOV capability layout");
_Static_assert(offsetof(struct pci_sriov_cap, vf_bar) == 0x24, "SR-IOV VF BAR0");

#define PCI_SRIOV_CAP	     offsetof(struct pci_sriov_cap, cap)
#define PCI_SRIOV_CTRL	     offsetof(struct pci_sriov_cap, ctrl)
#define PCI_SRIOV_CTRL_VFE   0x0001u /* VF Enable */
#define PCI_SRIOV_CTRL_VFM   0x0002u /* VF Migration Enable */
#define PCI_SRIOV_CTRL_MSE   0x0008u /* VF MSE (Memory Space Enable) */
#define PCI_SRIOV_CTRL_ARI   0x0010u /* ARI Capable Hierarchy */
#define PCI_SRIOV_STATUS     offsetof(struct pci_sriov_cap, status)
#define PCI_SRIOV_INITIAL_VF offsetof(struct pci_sriov_cap, initial_vfs)
#define PCI_SRIOV_TOTAL_VF   offsetof(struct pci_sriov_cap, total_vfs)
#define PCI_SRIOV_NUM_VF     offsetof(struct pci_sriov_cap, num_vfs)
#define PCI_SRIOV_FUNC_LINK  offsetof(struct pci_sriov_cap, func_dep_link)
#define PCI_SRIOV_VF_OFFSET  offsetof(struct pci_sriov_cap, first_vf_offset)
#define PCI_SRIOV_VF_STRIDE  offsetof(struct pci_sriov_cap, vf_stride)
#define PCI_SRIOV_VF_DID     offsetof(struct pci_sriov_cap, vf_device_id)
#define PCI_SRIOV_SUP_PGSIZE offsetof(struct pci_sriov_cap, supported_page_sizes)
#define PCI_SRIOV_SYS_PGSIZE offsetof(struct pci_sriov_cap, system_page_size)
#define PCI_SRIOV_BAR	     offsetof(struct pci_sriov_cap, vf_bar)
#define PCI_SRIOV_NUM_BARS   6
#define PCI_SRIOV_CAP_SIZE   sizeof(struct pci_sriov_cap)

#endif
