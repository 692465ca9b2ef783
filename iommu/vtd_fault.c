/*
 * Decoding of VT-d fault records and fault status (iommu/vtd_fault.h).
 * Field positions: VT-d specification 11.4.14 (FRCD_REG) and 11.4.9
 * (FSTS_REG), named in iommu/vtd_regs.h; reason meanings: the
 * specification's fault-reason appendix for legacy mode, checked against
 * what QEMU's intel-iommu reports (PLATFORM.md).
 */
#include "iommu/vtd_fault.h"
#include "iommu/vtd_regs.h"
#include "hv/errno.h"
#include "hv/format.h"

/* Interrupt-remapping fault reasons occupy 0x20..0x2f. */
#define VTD_FR_IR_FIRST 0x20
#define VTD_FR_IR_LAST	0x2f

/* FI bits 63:48 carry the interrupt index for interrupt-remapping faults. */
#define VTD_FRCD_LO_IR_INDEX 0xffff000000000000ULL

static const char *const vtd_dma_reasons[] = {
    [VTD_FR_ROOT_NOT_PRESENT] = "root entry not present",
    [VTD_FR_CONTEXT_NOT_PRESENT] = "context entry not present",
    [VTD_FR_CONTEXT_INVALID] = "invalid context entry",
    [VTD_FR_BEYOND_MGAW] = "address beyond the address width",
    [VTD_FR_WRITE] = "write to a page without write permission",
    [VTD_FR_READ] = "read of a page without read permission",
    [VTD_FR_PTE_ACCESS] = "error accessing a second-level paging entry",
    [VTD_FR_ROOT_ACCESS] = "error accessing the root entry",
    [VTD_FR_CONTEXT_ACCESS] = "error accessing the context entry",
    [VTD_FR_ROOT_RESERVED] = "reserved bit set in root entry",
    [VTD_FR_CONTEXT_RESERVED] = "reserved bit set in context entry",
    [VTD_FR_PTE_RESERVED] = "reserved bit set in second-level paging entry",
    [VTD_FR_TRANSLATION_BLOCKED] = "request blocked by context entry translation type",
};

static const char *const vtd_ir_reasons[] = {
    [VTD_FR_IR_REQ_RESERVED - VTD_FR_IR_FIRST] = "reserved bit set in interrupt request",
    [VTD_FR_IR_INDEX_OVER - VTD_FR_IR_FIRST] = "interrupt index beyond table size",
    [VTD_FR_IR_NOT_PRESENT - VTD_FR_IR_FIRST] = "interrupt remapping entry not present",
    [VTD_FR_IR_TABLE_ACCESS - VTD_FR_IR_FIRST] = "error accessing interrupt remapping table",
    [VTD_FR_IR_IRTE_RESERVED - VTD_FR_IR_FIRST] = "reserved bit set in interrupt remapping entry",
    [VTD_FR_IR_COMPAT_BLOCKED - VTD_FR_IR_FIRST] = "compatibility format interrupt blocked",
    [VTD_FR_IR_SID_BLOCKED - VTD_FR_IR_FIRST] = "interrupt source id verification failed",
};

const char *vtd_fault_reason_name(uint8_t reason)
{
	const char *name = NULL;

	if (reason < ARRAY_SIZE(vtd_dma_reasons))
		name = vtd_dma_reasons[reason];
	else if (reason >= VTD_FR_IR_FIRST &&
		 (size_t)(reason - VTD_FR_IR_FIRST) < ARRAY_SIZE(vtd_ir_reasons))
		name = vtd_ir_reasons[reason - VTD_FR_IR_FIRST];
	return name ? name : "unknown";
}

static bool is_ir_reason(uint8_t reason)
{
	return reason >= VTD_FR_IR_FIRST && reason <= VTD_FR_IR_LAST;
}

int vtd_fault_decode(uint64_t lo, uint64_t hi, struct vtd_fault *out)
{
	*out = (struct vtd_fault){.valid = false};
	if (!(hi & VTD_FRCD_HI_F))
		return -ENOENT;
	out->valid = true;
	out->sid = (uint16_t)vtd_get(hi, VTD_FRCD_HI_SID);
	out->reason = (uint8_t)vtd_get(hi, VTD_FRCD_HI_FR);
	out->write = !(hi & VTD_FRCD_HI_T1);
	out->at = (unsigned)vtd_get(hi, VTD_FRCD_HI_AT);
	out->priv = (hi & VTD_FRCD_HI_PRIV) != 0;
	out->exe = (hi & VTD_FRCD_HI_EXE) != 0;
	out->pasid_present = (hi & VTD_FRCD_HI_PP) != 0;
	out->pasid = out->pasid_present ? (uint32_t)vtd_get(hi, VTD_FRCD_HI_PV) : 0;
	out->interrupt = is_ir_reason(out->reason);
	if (out->interrupt)
		out->ir_index = (uint16_t)vtd_get(lo, VTD_FRCD_LO_IR_INDEX);
	else
		out->addr = lo & VTD_FRCD_LO_FI;
	return 0;
}

int vtd_fault_format(const struct vtd_fault *f, char *buf, size_t len)
{
	struct strbuf o = STRBUF_INIT(buf, len);

	strbuf_printf(&o, "sid=%02x:%02x.%u reason=%#x", f->sid >> 8, (f->sid >> 3) & 0x1f,
		      f->sid & 7u, f->reason);
	if (f->interrupt)
		strbuf_printf(&o, " index=%u", f->ir_index);
	else
		strbuf_printf(&o, " access=%s addr=%#llx", f->write ? "write" : "read",
			      (unsigned long long)f->addr);
	if (f->pasid_present)
		strbuf_printf(&o, " pasid=%#x", f->pasid);
	strbuf_printf(&o, " what=\"%s\"", vtd_fault_reason_name(f->reason));
	return o.pos < len ? (int)o.pos : -ENOSPC;
}

void vtd_fsts_decode(uint32_t fsts, struct vtd_fault_status *out)
{
	*out = (struct vtd_fault_status){
	    .pfo = (fsts & VTD_FSTS_PFO) != 0,
	    .ppf = (fsts & VTD_FSTS_PPF) != 0,
	    .afo = (fsts & VTD_FSTS_AFO) != 0,
	    .apf = (fsts & VTD_FSTS_APF) != 0,
	    .iqe = (fsts & VTD_FSTS_IQE) != 0,
	    .ice = (fsts & VTD_FSTS_ICE) != 0,
	    .ite = (fsts & VTD_FSTS_ITE) != 0,
	    .fri = (unsigned)vtd_get(fsts, VTD_FSTS_FRI),
	};
}

/* PPF and FRI are read-only summaries; the rest of the status bits are RW1C. */
uint32_t vtd_fsts_clear_bits(uint32_t fsts)
{
	return fsts & (uint32_t)(VTD_FSTS_PFO | VTD_FSTS_AFO | VTD_FSTS_APF | VTD_FSTS_IQE |
				 VTD_FSTS_ICE | VTD_FSTS_ITE);
}

int vtd_frcd_offset(const struct vtd_caps *caps, unsigned index, uint32_t *off)
{
	if (index >= caps->nfr)
		return -EINVAL;
	*off = caps->fro + index * VTD_FRCD_SIZE;
	return 0;
}
