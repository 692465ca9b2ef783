/*
 * VT-d fault reporting, decoded (VT-d specification 7.2 "Fault Logging",
 * 11.4.9 FSTS_REG and 11.4.14 FRCD_REG): what a fault recording register
 * says about one refused DMA or interrupt request, what the fault status
 * register says about the unit, and a log line for both. Pure logic: the
 * driver reads the registers (32-bit ones with 32-bit accesses) and frees
 * each record by writing F back.
 */
#ifndef IOMMU_VTD_FAULT_H
#define IOMMU_VTD_FAULT_H

#include "hv/types.h"
#include "iommu/vtd_caps.h"

/* One primary fault record. */
struct vtd_fault {
	bool valid;	    /* F: the record holds a fault */
	uint16_t sid;	    /* source id: bus << 8 | dev << 3 | fn */
	uint8_t reason;	    /* FR: VTD_FR_* (iommu/vtd_regs.h) */
	bool write;	    /* T1 clear: write request; set: read (or atomic) */
	uint64_t addr;	    /* DMA faults: page address of the request (FI) */
	bool interrupt;	    /* reason is an interrupt-remapping one */
	uint16_t ir_index;  /* interrupt faults: the interrupt index (FI bits 63:48) */
	unsigned at;	    /* AT: address type of the request */
	bool priv, exe;	    /* PRIV, EXE: only with a PASID */
	bool pasid_present; /* PP */
	uint32_t pasid;	    /* PV, with PP */
};

/*
 * Decodes the low (bits 63:0) and high (bits 127:64) qwords of a fault
 * recording register. -ENOENT if F is clear: out->valid false, the rest 0.
 */
int vtd_fault_decode(uint64_t lo, uint64_t hi, struct vtd_fault *out);

/* Spec's meaning of a legacy-mode fault reason; "unknown" for others. */
const char *vtd_fault_reason_name(uint8_t reason);

/* One log line's fields: "sid=01:00.0 reason=0x2 ..." Length, or -ENOSPC. */
int vtd_fault_format(const struct vtd_fault *f, char *buf, size_t len);

/* FSTS_REG, decoded. */
struct vtd_fault_status {
	bool pfo;      /* primary fault overflow: a fault was dropped */
	bool ppf;      /* primary pending fault: some record has F set */
	bool afo, apf; /* advanced fault log overflow / pending */
	bool iqe;      /* invalidation queue error: IQH points at the bad descriptor */
	bool ice;      /* invalidation completion error (device-TLB) */
	bool ite;      /* invalidation time-out error (device-TLB) */
	unsigned fri;  /* fault record index: first record to look at */
};

void vtd_fsts_decode(uint32_t fsts, struct vtd_fault_status *out);

/* The RW1C bits of fsts, to write back to FSTS_REG to clear what was seen. */
uint32_t vtd_fsts_clear_bits(uint32_t fsts);

/* Byte offset of fault record index in the register window; -EINVAL past CAP.NFR. */
int vtd_frcd_offset(const struct vtd_caps *caps, unsigned index, uint32_t *off);

/*
 * Freeing a record: F is bit 31 of the record's last dword. It is written
 * with a 32-bit access at offset + 12, the rest of the record is RO.
 */
#define VTD_FRCD_F_DWORD     12
#define VTD_FRCD_F_DWORD_BIT 0x80000000u

#endif
