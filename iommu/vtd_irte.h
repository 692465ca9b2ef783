/*
 * VT-d interrupt remapping, encoded (VT-d specification 9.10 "Interrupt
 * Remapping Table Entry (IRTE) for Remapped Interrupts" and 5.1.5.2
 * "Remappable MSI and MSI-X Interrupts"): the 128-bit table entries that
 * say where an interrupt goes and who may send it, the MSI address/data a
 * device is given instead of a real destination, and IRTA_REG. Pure logic:
 * the driver owns the table memory and invalidates the interrupt entry
 * cache (iommu/vtd_inv.h) after every change.
 */
#ifndef IOMMU_VTD_IRTE_H
#define IOMMU_VTD_IRTE_H

#include "hv/types.h"

/* Remapped-format IRTE (posted format, IM = 1, is never used here). */
struct vtd_irte {
	uint64_t lo; /* P FPD DM RH TM DLM, vector, destination */
	uint64_t hi; /* SID SQ SVT: who may raise it */
} __packed __aligned(16);
_Static_assert(sizeof(struct vtd_irte) == 16, "IRTE is 128 bits (VT-d 9.10)");

#define VTD_IRTE_LO_P	      BIT(0)		    /* present */
#define VTD_IRTE_LO_FPD	      BIT(1)		    /* fault processing disable */
#define VTD_IRTE_LO_DM	      BIT(2)		    /* destination mode: 1 logical */
#define VTD_IRTE_LO_RH	      BIT(3)		    /* redirection hint */
#define VTD_IRTE_LO_TM	      BIT(4)		    /* trigger mode: 1 level */
#define VTD_IRTE_LO_DLM	      0x00000000000000e0ULL /* delivery mode */
#define VTD_IRTE_LO_IM	      BIT(15)		    /* IRTE mode: 1 posted */
#define VTD_IRTE_LO_V	      0x0000000000ff0000ULL /* vector */
#define VTD_IRTE_LO_DST	      0xffffffff00000000ULL /* destination id, x2APIC mode */
#define VTD_IRTE_LO_DST_XAPIC 0x0000ff0000000000ULL /* destination id, xAPIC mode */
#define VTD_IRTE_HI_SID	      0x000000000000ffffULL /* source id */
#define VTD_IRTE_HI_SQ	      0x0000000000030000ULL /* source-id qualifier */
#define VTD_IRTE_HI_SVT	      0x00000000000c0000ULL /* source validation type */

/* Delivery modes (DLM), as in the local APIC's ICR. */
#define VTD_DLM_FIXED  0
#define VTD_DLM_LOWEST 1
#define VTD_DLM_SMI    2
#define VTD_DLM_NMI    4
#define VTD_DLM_INIT   5
#define VTD_DLM_EXTINT 7

/* Source validation: what the requester id of the interrupt must be. */
#define VTD_SVT_NONE 0 /* anyone: never for device interrupts */
#define VTD_SVT_RID  1 /* sid, functions masked per SQ */
#define VTD_SVT_BUS  2 /* sid = start bus << 8 | end bus: behind a bridge */

/* SQ with VTD_SVT_RID: which low bits of the requester id are ignored. */
#define VTD_SQ_ALL	   0 /* all 16 bits compared */
#define VTD_SQ_IGN_BIT2	   1 /* bit 2 ignored */
#define VTD_SQ_IGN_BITS2_1 2 /* bits 2:1 ignored */
#define VTD_SQ_IGN_BITS2_0 3 /* bits 2:0 ignored: any function of the device */

struct vtd_irte_params {
	uint8_t vector;
	unsigned delivery; /* VTD_DLM_* */
	uint32_t dest;	   /* APIC id (x2APIC) or 8-bit xAPIC id */
	bool x2apic;	   /* IRTA.EIME set: 32-bit destination ids */
	bool logical;	   /* destination mode */
	bool redir_hint;   /* RH: lowest priority among the logical destinations */
	bool level;	   /* trigger mode */
	bool fpd;	   /* do not report faults of this entry */
	unsigned svt, sq;  /* VTD_SVT_*, VTD_SQ_* */
	uint16_t sid;	   /* with svt != VTD_SVT_NONE */
};

/*
 * Present remapped-format entry. -EINVAL for a reserved delivery mode, a
 * vector below 16 with fixed or lowest-priority delivery, an xAPIC id
 * above 0xff, an unknown svt/sq, a bus range whose end is below its start.
 */
int vtd_irte_make(const struct vtd_irte_params *p, struct vtd_irte *out);

/*
 * Installs e in a slot that is not present: high half first, present last,
 * since the hardware may read the slot at any time. -EBUSY if the slot is
 * present (clear it, invalidate the interrupt entry cache, then install).
 */
int vtd_irte_install(struct vtd_irte *slot, const struct vtd_irte *e);

/* Makes a slot not present (present bit first); the caller invalidates the IEC. */
void vtd_irte_clear(struct vtd_irte *slot);

/* Remappable MSI address: 0xfee in 31:20, handle 14:0 at 19:5, IF 4, SHV 3, handle 15 at 2. */
#define VTD_MSI_ADDR_BASE      0xfee00000u
#define VTD_MSI_ADDR_IF	       BIT(4) /* interrupt format: remappable */
#define VTD_MSI_ADDR_SHV       BIT(3) /* subhandle valid: index = handle + data[15:0] */
#define VTD_MSI_ADDR_HANDLE_LO 0x000fffe0u
#define VTD_MSI_ADDR_HANDLE_HI BIT(2)

/*
 * MSI address and data that make a device's interrupt use IRTE handle.
 * SHV is set and the subhandle (data) is 0, so a multi-message MSI
 * function, which ORs the message number into the low data bits, reaches
 * entries handle + 0 .. handle + n - 1.
 */
void vtd_msi_remappable(uint16_t handle, uint32_t *addr, uint32_t *data);

/*
 * IRTA_REG value for a table at base (4 KiB aligned) with entries entries
 * (a power of two, 2 .. 65536; S = log2(entries) - 1). -EINVAL otherwise.
 */
int vtd_irta_value(phys_addr_t base, unsigned entries, bool x2apic, uint64_t *irta);

/*
 * Whether a unit can remap interrupts to every CPU: without ECAP.EIM its
 * entries hold 8-bit xAPIC destinations, so a machine whose x2APIC IDs go
 * above 255 would have CPUs no remapped interrupt can reach. 0, or
 * -ENOTSUP after a log line.
 */
int vtd_ir_reach_check(bool eim, uint32_t max_apic_id);

#endif
