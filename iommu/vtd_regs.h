/*
 * Intel VT-d remapping hardware registers (Intel Virtualization Technology
 * for Directed I/O, Architecture Specification, chapter 11 "Register
 * Descriptions"). One VTD_<REG>_REG per register offset, its fields right
 * under it as VTD_<REG>_<FIELD>; multi-bit fields are masks in place, read
 * with vtd_get().
 *
 * Width matters: the 32-bit registers must be accessed with 32-bit MMIO.
 * QEMU 10.0.2 aborts on a 64-bit access to a 32-bit register such as FECTL
 * (PLATFORM.md), and real hardware does not promise to handle it either.
 */
#ifndef IOMMU_VTD_REGS_H
#define IOMMU_VTD_REGS_H

#include "hv/types.h"

/* Field of a register value, mask given in place (e.g. VTD_CAP_SAGAW). */
static inline uint64_t vtd_get(uint64_t reg, uint64_t mask)
{
	return (reg & mask) >> __builtin_ctzll(mask);
}

/* Register value with a field set, mask given in place. */
static inline uint64_t vtd_put(uint64_t mask, uint64_t value)
{
	return (value << __builtin_ctzll(mask)) & mask;
}

/* VER_REG: Version, 32-bit, RO. */
#define VTD_VER_REG 0x000
#define VTD_VER_MIN 0x0000000fULL /* minor version */
#define VTD_VER_MAX 0x000000f0ULL /* major version */

/* CAP_REG: Capability, 64-bit, RO. */
#define VTD_CAP_REG	0x008
#define VTD_CAP_ND	0x0000000000000007ULL /* domains: 2^(4 + 2*ND); 7 reserved */
#define VTD_CAP_AFL	BIT(3)		      /* advanced fault logging */
#define VTD_CAP_RWBF	BIT(4)		      /* required write-buffer flushing */
#define VTD_CAP_PLMR	BIT(5)		      /* protected low-memory region */
#define VTD_CAP_PHMR	BIT(6)		      /* protected high-memory region */
#define VTD_CAP_CM	BIT(7)		      /* caching mode: not-present entries cached */
#define VTD_CAP_SAGAW	0x0000000000001f00ULL /* supported adjusted guest address widths */
#define VTD_CAP_MGAW	0x00000000003f0000ULL /* maximum guest address width - 1 */
#define VTD_CAP_ZLR	BIT(22)		      /* zero length read */
#define VTD_CAP_FRO	0x00000003ff000000ULL /* fault-recording register offset / 16 */
#define VTD_CAP_SLLPS	0x0000003c00000000ULL /* second-level large page support */
#define VTD_CAP_PSI	BIT(39)		      /* page selective invalidation */
#define VTD_CAP_NFR	0x0000ff0000000000ULL /* number of fault-recording registers - 1 */
#define VTD_CAP_MAMV	0x003f000000000000ULL /* maximum address mask value (PSI) */
#define VTD_CAP_DWD	BIT(54)		      /* write draining */
#define VTD_CAP_DRD	BIT(55)		      /* read draining */
#define VTD_CAP_FL1GP	BIT(56)		      /* first-level 1-GByte page support */
#define VTD_CAP_PI	BIT(59)		      /* posted interrupts */
#define VTD_CAP_FL5LP	BIT(60)		      /* first-level 5-level paging */
#define VTD_CAP_ESIRTPS BIT(62)		      /* enhanced set interrupt root table pointer */
#define VTD_CAP_ESRTPS	BIT(63)		      /* enhanced set root table pointer */

/* CAP_REG.SAGAW bits, each one page-table depth for second-level tables. */
#define VTD_SAGAW_39 BIT(1) /* 39-bit AGAW, 3-level table */
#define VTD_SAGAW_48 BIT(2) /* 48-bit AGAW, 4-level table */
#define VTD_SAGAW_57 BIT(3) /* 57-bit AGAW, 5-level table */

/* CAP_REG.SLLPS bits. */
#define VTD_SLLPS_2M BIT(0)
#define VTD_SLLPS_1G BIT(1)

/* ECAP_REG: Extended Capability, 64-bit, RO. */
#define VTD_ECAP_REG	0x010
#define VTD_ECAP_C	BIT(0)		      /* page-walk coherency */
#define VTD_ECAP_QI	BIT(1)		      /* queued invalidation */
#define VTD_ECAP_DT	BIT(2)		      /* device-TLB */
#define VTD_ECAP_IR	BIT(3)		      /* interrupt remapping */
#define VTD_ECAP_EIM	BIT(4)		      /* extended interrupt mode (x2APIC ids) */
#define VTD_ECAP_PT	BIT(6)		      /* pass through */
#define VTD_ECAP_SC	BIT(7)		      /* snoop control */
#define VTD_ECAP_IRO	0x000000000003ff00ULL /* IOTLB register offset / 16 */
#define VTD_ECAP_MHMV	0x0000000000f00000ULL /* maximum handle mask value */
#define VTD_ECAP_MTS	BIT(25)		      /* memory type support */
#define VTD_ECAP_NEST	BIT(26)		      /* nested translation */
#define VTD_ECAP_PRS	BIT(29)		      /* page request */
#define VTD_ECAP_ERS	BIT(30)		      /* execute request */
#define VTD_ECAP_SRS	BIT(31)		      /* supervisor request */
#define VTD_ECAP_NWFS	BIT(33)		      /* no write flag */
#define VTD_ECAP_EAFS	BIT(34)		      /* extended accessed flag */
#define VTD_ECAP_PSS	0x000000f800000000ULL /* PASID size supported - 1 */
#define VTD_ECAP_PASID	BIT(40)		      /* process address space id */
#define VTD_ECAP_DIT	BIT(41)		      /* device-TLB invalidation throttle */
#define VTD_ECAP_PDS	BIT(42)		      /* page-request drain */
#define VTD_ECAP_SMTS	BIT(43)		      /* scalable mode translation */
#define VTD_ECAP_VCS	BIT(44)		      /* virtual command */
#define VTD_ECAP_SLADS	BIT(45)		      /* second-level accessed/dirty */
#define VTD_ECAP_SLTS	BIT(46)		      /* second-level translation (scalable mode) */
#define VTD_ECAP_FLTS	BIT(47)		      /* first-level translation (scalable mode) */
#define VTD_ECAP_SMPWCS BIT(48)		      /* scalable-mode page-walk coherency */
#define VTD_ECAP_RPS	BIT(49)		      /* RID_PASID */

/* GCMD_REG: Global Command, 32-bit, WO. One command per write (spec 10.4.4). */
#define VTD_GCMD_REG   0x018
#define VTD_GCMD_CFI   BIT(23) /* compatibility format interrupt */
#define VTD_GCMD_SIRTP BIT(24) /* set interrupt remap table pointer */
#define VTD_GCMD_IRE   BIT(25) /* interrupt remapping enable */
#define VTD_GCMD_QIE   BIT(26) /* queued invalidation enable */
#define VTD_GCMD_WBF   BIT(27) /* write buffer flush */
#define VTD_GCMD_EAFL  BIT(28) /* enable advanced fault logging */
#define VTD_GCMD_SFL   BIT(29) /* set fault log */
#define VTD_GCMD_SRTP  BIT(30) /* set root table pointer */
#define VTD_GCMD_TE    BIT(31) /* translation enable */

/* GSTS_REG: Global Status, 32-bit, RO; each bit reports its GCMD twin. */
#define VTD_GSTS_REG   0x01c
#define VTD_GSTS_CFIS  BIT(23)
#define VTD_GSTS_IRTPS BIT(24)
#define VTD_GSTS_IRES  BIT(25)
#define VTD_GSTS_QIES  BIT(26)
#define VTD_GSTS_WBFS  BIT(27)
#define VTD_GSTS_AFLS  BIT(28)
#define VTD_GSTS_FLS   BIT(29)
#define VTD_GSTS_RTPS  BIT(30)
#define VTD_GSTS_TES   BIT(31)

/* RTADDR_REG: Root Table Address, 64-bit. */
#define VTD_RTADDR_REG	  0x020
#define VTD_RTADDR_TTM	  0x0000000000000c00ULL /* translation table mode */
#define VTD_RTADDR_RTA	  0xfffffffffffff000ULL /* root table address, 4 KiB aligned */
#define VTD_TTM_LEGACY	  0
#define VTD_TTM_SCALABLE  1
#define VTD_TTM_ABORT_DMA 3

/* CCMD_REG: Context Command, 64-bit (register-based invalidation). */
#define VTD_CCMD_REG	0x028
#define VTD_CCMD_DID	0x000000000000ffffULL /* domain id */
#define VTD_CCMD_SID	0x00000000ffff0000ULL /* source id (bus:dev.fn) */
#define VTD_CCMD_FM	0x0000000300000000ULL /* function mask */
#define VTD_CCMD_CAIG	0x1800000000000000ULL /* actual invalidation granularity */
#define VTD_CCMD_CIRG	0x6000000000000000ULL /* requested invalidation granularity */
#define VTD_CCMD_ICC	BIT(63)		      /* invalidate context cache; clears when done */
#define VTD_CIRG_GLOBAL 1
#define VTD_CIRG_DOMAIN 2
#define VTD_CIRG_DEVICE 3

/* FSTS_REG: Fault Status, 32-bit, RW1C. */
#define VTD_FSTS_REG 0x034
#define VTD_FSTS_PFO BIT(0)	   /* primary fault overflow */
#define VTD_FSTS_PPF BIT(1)	   /* primary pending fault (RO summary of F bits) */
#define VTD_FSTS_AFO BIT(2)	   /* advanced fault overflow */
#define VTD_FSTS_APF BIT(3)	   /* advanced pending fault */
#define VTD_FSTS_IQE BIT(4)	   /* invalidation queue error */
#define VTD_FSTS_ICE BIT(5)	   /* invalidation completion error */
#define VTD_FSTS_ITE BIT(6)	   /* invalidation time-out error */
#define VTD_FSTS_FRI 0x0000ff00ULL /* fault record index */

/* FECTL_REG: Fault Event Control, 32-bit. */
#define VTD_FECTL_REG 0x038
#define VTD_FECTL_IP  BIT(30) /* interrupt pending */
#define VTD_FECTL_IM  BIT(31) /* interrupt mask */

/* Fault event MSI: data, address, upper address; all 32-bit. */
#define VTD_FEDATA_REG	0x03c
#define VTD_FEADDR_REG	0x040
#define VTD_FEUADDR_REG 0x044

/* AFLOG_REG: Advanced Fault Log, 64-bit. */
#define VTD_AFLOG_REG 0x058
#define VTD_AFLOG_FLS 0x0000000000000e00ULL /* fault log size */
#define VTD_AFLOG_FLA 0xfffffffffffff000ULL /* fault log address */

/* PMEN_REG: Protected Memory Enable, 32-bit. Firmware may leave it on. */
#define VTD_PMEN_REG 0x064
#define VTD_PMEN_PRS BIT(0)  /* protected region status */
#define VTD_PMEN_EPM BIT(31) /* enable protected memory */

/* Protected memory regions: low base/limit 32-bit, high base/limit 64-bit. */
#define VTD_PLMBASE_REG	 0x068
#define VTD_PLMLIMIT_REG 0x06c
#define VTD_PHMBASE_REG	 0x070
#define VTD_PHMLIMIT_REG 0x078

/* IQH_REG / IQT_REG: Invalidation Queue Head / Tail, 64-bit. */
#define VTD_IQH_REG 0x080
#define VTD_IQH_QH  0x000000000007fff0ULL /* byte offset of the next descriptor */
#define VTD_IQT_REG 0x088
#define VTD_IQT_QT  0x000000000007fff0ULL

/* IQA_REG: Invalidation Queue Address, 64-bit. */
#define VTD_IQA_REG 0x090
#define VTD_IQA_QS  0x0000000000000007ULL /* queue size: 2^QS 4 KiB pages */
#define VTD_IQA_DW  BIT(11)		  /* 256-bit descriptors (scalable mode) */
#define VTD_IQA_IQA 0xfffffffffffff000ULL /* queue base address */

/* ICS_REG: Invalidation Completion Status, 32-bit, RW1C. */
#define VTD_ICS_REG 0x09c
#define VTD_ICS_IWC BIT(0) /* invalidation wait descriptor complete */

/* Invalidation completion event MSI, all 32-bit; IECTL as FECTL. */
#define VTD_IECTL_REG	0x0a0
#define VTD_IECTL_IP	BIT(30)
#define VTD_IECTL_IM	BIT(31)
#define VTD_IEDATA_REG	0x0a4
#define VTD_IEADDR_REG	0x0a8
#define VTD_IEUADDR_REG 0x0ac

/* IQERCD_REG: Invalidation Queue Error Record, 64-bit. */
#define VTD_IQERCD_REG	  0x0b0
#define VTD_IQERCD_IQEI	  0x000000000000000fULL /* error info */
#define VTD_IQERCD_ITESID 0x0000ffff00000000ULL /* time-out error source id */
#define VTD_IQERCD_ICESID 0xffff000000000000ULL /* completion error source id */

/* IRTA_REG: Interrupt Remapping Table Address, 64-bit. */
#define VTD_IRTA_REG  0x0b8
#define VTD_IRTA_S    0x000000000000000fULL /* table size: 2^(S+1) entries */
#define VTD_IRTA_EIME BIT(11)		    /* x2APIC (32-bit) destination ids */
#define VTD_IRTA_IRTA 0xfffffffffffff000ULL /* table address */

/* Page request queue (only with ECAP.PRS): head, tail, address 64-bit. */
#define VTD_PQH_REG 0x0c0
#define VTD_PQT_REG 0x0c8
#define VTD_PQA_REG 0x0d0
#define VTD_PRS_REG 0x0dc

/*
 * IOTLB registers: a 16-byte set at ECAP.IRO * 16. IVA_REG (64-bit) first,
 * IOTLB_REG (64-bit) right after it.
 */
#define VTD_IVA_OFFSET	   0x0
#define VTD_IVA_AM	   0x000000000000003fULL /* address mask: 2^AM pages */
#define VTD_IVA_IH	   BIT(6)		 /* invalidation hint: leaf only */
#define VTD_IVA_ADDR	   0xfffffffffffff000ULL
#define VTD_IOTLB_OFFSET   0x8
#define VTD_IOTLB_DID	   0x0000ffff00000000ULL /* domain id */
#define VTD_IOTLB_DW	   BIT(48)		 /* drain writes */
#define VTD_IOTLB_DR	   BIT(49)		 /* drain reads */
#define VTD_IOTLB_IAIG	   0x0600000000000000ULL /* actual invalidation granularity */
#define VTD_IOTLB_IIRG	   0x3000000000000000ULL /* requested invalidation granularity */
#define VTD_IOTLB_IVT	   BIT(63)		 /* invalidate IOTLB; clears when done */
#define VTD_IIRG_GLOBAL	   1
#define VTD_IIRG_DOMAIN	   2
#define VTD_IIRG_PAGE	   3
#define VTD_IOTLB_SET_SIZE 16

/*
 * Fault recording registers: CAP.NFR + 1 records of 128 bits from
 * CAP.FRO * 16. The low qword holds the faulting page address; the fields
 * below are bits 127:64, i.e. of the upper qword at +8. Writing 1 to F
 * frees the record.
 */
#define VTD_FRCD_SIZE	 16
#define VTD_FRCD_LO	 0x0
#define VTD_FRCD_LO_FI	 0xfffffffffffff000ULL /* fault info: page address */
#define VTD_FRCD_HI	 0x8
#define VTD_FRCD_HI_SID	 0x000000000000ffffULL /* source id (bus:dev.fn) */
#define VTD_FRCD_HI_T2	 BIT(28)	       /* type bit 2 */
#define VTD_FRCD_HI_PRIV BIT(29)	       /* privilege mode requested */
#define VTD_FRCD_HI_EXE	 BIT(30)	       /* execute requested */
#define VTD_FRCD_HI_PP	 BIT(31)	       /* PASID present */
#define VTD_FRCD_HI_FR	 0x000000ff00000000ULL /* fault reason */
#define VTD_FRCD_HI_PV	 0x0fffff0000000000ULL /* PASID value */
#define VTD_FRCD_HI_AT	 0x3000000000000000ULL /* address type */
#define VTD_FRCD_HI_T1	 BIT(62)	       /* type bit 1: 0 write, 1 read */
#define VTD_FRCD_HI_F	 BIT(63)	       /* fault: record valid, RW1C */

/* FRCD.FR values for legacy-mode DMA remapping (spec appendix A). */
#define VTD_FR_ROOT_NOT_PRESENT	   0x01
#define VTD_FR_CONTEXT_NOT_PRESENT 0x02
#define VTD_FR_CONTEXT_INVALID	   0x03
#define VTD_FR_BEYOND_MGAW	   0x04
#define VTD_FR_WRITE		   0x05 /* page not writable */
#define VTD_FR_READ		   0x06 /* page not readable */
#define VTD_FR_PTE_ACCESS	   0x07 /* error fetching a paging entry */
#define VTD_FR_ROOT_ACCESS	   0x08
#define VTD_FR_CONTEXT_ACCESS	   0x09
#define VTD_FR_ROOT_RESERVED	   0x0a
#define VTD_FR_CONTEXT_RESERVED	   0x0b
#define VTD_FR_PTE_RESERVED	   0x0c
#define VTD_FR_TRANSLATION_BLOCKED 0x0d

/* FRCD.FR values for interrupt remapping. */
#define VTD_FR_IR_REQ_RESERVED	 0x20
#define VTD_FR_IR_INDEX_OVER	 0x21 /* index beyond IRTA.S */
#define VTD_FR_IR_NOT_PRESENT	 0x22
#define VTD_FR_IR_TABLE_ACCESS	 0x23
#define VTD_FR_IR_IRTE_RESERVED	 0x24
#define VTD_FR_IR_COMPAT_BLOCKED 0x25 /* compatibility format while CFI=0 */
#define VTD_FR_IR_SID_BLOCKED	 0x26 /* source-id validation failed */

#endif
