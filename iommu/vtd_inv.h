/*
 * VT-d invalidation requests, encoded (VT-d specification 6.5): the 128-bit
 * legacy-mode descriptors of queued invalidation (context cache, IOTLB,
 * interrupt entry cache, wait), the same context/IOTLB requests as values
 * of the register-based interface (CCMD_REG, IOTLB_REG/IVA_REG), and the
 * bookkeeping of the invalidation queue ring. Pure logic: the driver owns
 * the registers and the ring memory, and waits for completion.
 */
#ifndef IOMMU_VTD_INV_H
#define IOMMU_VTD_INV_H

#include "hv/types.h"
#include "iommu/vtd_caps.h"
#include "iommu/vtd_regs.h"

/* One 128-bit invalidation descriptor as it sits in the queue. */
struct vtd_desc {
	uint64_t lo, hi;
} __packed __aligned(16);
_Static_assert(sizeof(struct vtd_desc) == 16, "legacy descriptors are 128 bits (VT-d 6.5.2)");

/* Descriptor type, bits 3:0 of lo (bits 11:9 stay 0 in legacy mode). */
#define VTD_DESC_TYPE	    0x000000000000000fULL
#define VTD_DESC_TYPE_CC    0x1 /* context-cache invalidate */
#define VTD_DESC_TYPE_IOTLB 0x2 /* IOTLB invalidate */
#define VTD_DESC_TYPE_IEC   0x4 /* interrupt entry cache invalidate */
#define VTD_DESC_TYPE_WAIT  0x5 /* invalidation wait */

/* Context-cache invalidate descriptor (6.5.2.1). */
#define VTD_DESC_CC_G	0x0000000000000030ULL /* granularity: VTD_CIRG_* */
#define VTD_DESC_CC_DID 0x00000000ffff0000ULL /* domain id */
#define VTD_DESC_CC_SID 0x0000ffff00000000ULL /* source id */
#define VTD_DESC_CC_FM	0x0003000000000000ULL /* function mask */

/* IOTLB invalidate descriptor (6.5.2.3). */
#define VTD_DESC_IOTLB_G    0x0000000000000030ULL /* granularity: VTD_IIRG_* */
#define VTD_DESC_IOTLB_DW   BIT(6)		  /* drain writes */
#define VTD_DESC_IOTLB_DR   BIT(7)		  /* drain reads */
#define VTD_DESC_IOTLB_DID  0x00000000ffff0000ULL /* domain id */
#define VTD_DESC_IOTLB_AM   0x000000000000003fULL /* hi: address mask, 2^AM pages */
#define VTD_DESC_IOTLB_IH   BIT(6)		  /* hi: invalidation hint, leaves only */
#define VTD_DESC_IOTLB_ADDR 0xfffffffffffff000ULL /* hi: page address */

/* Interrupt entry cache invalidate descriptor (6.5.2.7). */
#define VTD_DESC_IEC_G	  BIT(4)		/* 0 global, 1 index-selective */
#define VTD_DESC_IEC_IM	  0x00000000f8000000ULL /* index mask: 2^IM entries */
#define VTD_DESC_IEC_IIDX 0x0000ffff00000000ULL /* interrupt index */

/* Invalidation wait descriptor (6.5.2.8). */
#define VTD_DESC_WAIT_IF    BIT(4)		  /* interrupt flag: completion event */
#define VTD_DESC_WAIT_SW    BIT(5)		  /* status write */
#define VTD_DESC_WAIT_FN    BIT(6)		  /* fence: later descriptors wait */
#define VTD_DESC_WAIT_SDATA 0xffffffff00000000ULL /* status data */
#define VTD_DESC_WAIT_SADDR 0xfffffffffffffffcULL /* hi: status address, 4-byte aligned */

/* A context-cache invalidation, for a descriptor or CCMD_REG. */
struct vtd_cc_inv {
	unsigned gran;	    /* VTD_CIRG_GLOBAL, _DOMAIN or _DEVICE (iommu/vtd_regs.h) */
	uint16_t domain_id; /* domain and device granularity */
	uint16_t sid;	    /* device granularity: source id */
	unsigned fm;	    /* device granularity: function mask, 0..3 */
};

/* An IOTLB invalidation, for a descriptor or IOTLB_REG/IVA_REG. */
struct vtd_iotlb_inv {
	unsigned gran;	    /* VTD_IIRG_GLOBAL, _DOMAIN or _PAGE (iommu/vtd_regs.h) */
	uint16_t domain_id; /* domain and page granularity */
	uint64_t addr;	    /* page granularity: aligned to 4 KiB << am */
	unsigned am;	    /* page granularity: 2^am pages */
	bool ih;	    /* page granularity: only leaf entries changed */
	bool dr, dw;	    /* drain reads/writes first (CAP.DRD/DWD) */
};

/* The wait descriptor's wishes. QEMU 10.0.2 aborts on sw and irq both set. */
struct vtd_wait {
	bool sw;		 /* write status_data to status_addr on completion */
	bool irq;		 /* IF: raise the invalidation completion event */
	bool fence;		 /* FN: descriptors after it wait for those before */
	uint32_t status_data;	 /* with sw */
	phys_addr_t status_addr; /* with sw: 4-byte aligned */
};

/* Encoders: 0, or -EINVAL for a field that does not fit or a bad combination. */
int vtd_desc_cc(const struct vtd_cc_inv *inv, struct vtd_desc *out);
int vtd_desc_iotlb(const struct vtd_iotlb_inv *inv, struct vtd_desc *out);
int vtd_desc_iec_global(struct vtd_desc *out);
/* Entries [index, index + 2^im), index aligned to 2^im, im <= 16. */
int vtd_desc_iec_index(uint16_t index, unsigned im, struct vtd_desc *out);
int vtd_desc_wait(const struct vtd_wait *w, struct vtd_desc *out);

/* CCMD_REG value (ICC set) for register-based context invalidation. */
int vtd_ccmd_value(const struct vtd_cc_inv *inv, uint64_t *ccmd);

/*
 * IOTLB_REG value (IVT set) and, for page granularity, the IVA_REG value
 * to write first (0 otherwise), for register-based IOTLB invalidation.
 */
int vtd_iotlb_reg_values(const struct vtd_iotlb_inv *inv, uint64_t *iotlb, uint64_t *iva);

/*
 * The IOTLB invalidation after changing [addr, addr + size) of a domain:
 * page-selective over the smallest naturally aligned block covering the
 * range if the unit has PSI and MAMV allows it, else domain-selective.
 * IH stays clear (the engine frees page tables on unmap). -EINVAL for an
 * empty or wrapping range.
 */
int vtd_iotlb_inv_range(const struct vtd_caps *caps, uint16_t domain_id, uint64_t addr,
			uint64_t size, struct vtd_iotlb_inv *out);

/*
 * The invalidation queue: a ring of descriptors the hardware consumes from
 * IQH_REG up to IQT_REG. Indices count descriptors; head == tail is empty,
 * so at most entries - 1 are outstanding.
 */
struct vtd_queue {
	struct vtd_desc *ring;
	unsigned entries; /* 256 << IQA.QS: 256 .. 32768 */
	unsigned tail;	  /* next slot to fill, what IQT_REG says */
};

#define VTD_QUEUE_MIN_ENTRIES 256u /* one 4 KiB page */
#define VTD_QUEUE_MAX_QS      7	   /* IQA.QS: 2^7 pages */

/* Binds ring (entries descriptors, page aligned) to q, tail 0. -EINVAL if not 256 << 0..7. */
int vtd_queue_init(struct vtd_queue *q, struct vtd_desc *ring, unsigned entries);

/*
 * Copies n descriptors in at the tail, wrapping, and returns the new tail
 * index for IQT_REG. head is the hardware's IQH_REG index. -ENOSPC (nothing
 * copied) if fewer than n slots are free, -EINVAL for head >= entries.
 */
int vtd_queue_submit(struct vtd_queue *q, const struct vtd_desc *d, unsigned n, unsigned head);

/* Free slots with the hardware at head. */
unsigned vtd_queue_space(const struct vtd_queue *q, unsigned head);

/* IQA_REG value for a ring at base with entries descriptors (legacy, DW=0). */
uint64_t vtd_iqa_value(phys_addr_t base, unsigned entries);

/* IQT_REG value of a tail index; descriptor index of an IQH_REG value. */
static inline uint64_t vtd_iqt_value(unsigned tail)
{
	return vtd_put(VTD_IQT_QT, tail);
}

static inline unsigned vtd_iqh_index(uint64_t iqh)
{
	return (unsigned)vtd_get(iqh, VTD_IQH_QH);
}

#endif
