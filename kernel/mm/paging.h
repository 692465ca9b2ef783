/*
 * The one page-table engine of the hypervisor. It builds the core's own
 * x86-64 tables, AMD NPT, Intel EPT and VT-d second-level tables: the walk is
 * written once in paging.c, the differences between the formats (depth, which
 * levels may hold large leaves, how an entry encodes address and rights) are
 * data in a struct paging_format (paging_formats.c).
 *
 * Contract with the caller:
 * - The engine never flushes anything. After paging_map(), paging_unmap() or
 *   a failed paging_map() on tables hardware may be using, the caller
 *   invalidates: INVLPG/CR3 reload for CPU tables, INVEPT/INVLPGA/ASID flush
 *   for EPT/NPT, IOTLB (and, without ECAP.C, cache line) invalidation for
 *   VT-d.
 * - free_table() may be handed a page the hardware still caches in its
 *   paging-structure caches; an mm for live tables must not reuse such pages
 *   before the caller's flush (e.g. keep them on a list the flush releases).
 * - No locking: the caller serialises all operations on one struct paging.
 */
#ifndef KERNEL_MM_PAGING_H
#define KERNEL_MM_PAGING_H

#include "hv/types.h"

/* Generic mapping flags; each format rejects those it cannot express. */
#define PAGE_READ   BIT(0)
#define PAGE_WRITE  BIT(1)
#define PAGE_EXEC   BIT(2)
#define PAGE_USER   BIT(3) /* CPU tables: ring 3 may access */
#define PAGE_GLOBAL BIT(4) /* CPU tables: survives CR3 reloads */
#define PAGE_SNOOP  BIT(5) /* VT-d: force snooped DMA (SNP, needs ECAP.SC) */

#define PAGE_CACHE_SHIFT 8
#define PAGE_CACHE_WB	 (0u << PAGE_CACHE_SHIFT)
#define PAGE_CACHE_UC	 (1u << PAGE_CACHE_SHIFT)
#define PAGE_CACHE_WC	 (2u << PAGE_CACHE_SHIFT)
#define PAGE_CACHE_WT	 (3u << PAGE_CACHE_SHIFT)
#define PAGE_CACHE_MASK	 (3u << PAGE_CACHE_SHIFT)

/* Large leaves, one bit per level that may hold them (level 0 = 4 KiB). */
#define PAGING_LEAF_2M BIT(1)
#define PAGING_LEAF_1G BIT(2)

/*
 * Every supported format uses 4 KiB tables of 512 8-byte entries; level n
 * entries map 4 KiB << (9 * n). A format describes what differs: depth, the
 * bits that make an entry present or a large leaf, where the address lives,
 * and how generic flags are encoded.
 */
struct paging_format {
	const char *name;
	unsigned min_levels, max_levels;
	bool canonical;	     /* x86 virtual addresses: bits above the width sign-extend */
	uint32_t leaf_sizes; /* PAGING_LEAF_* the format can express */
	uint64_t present;    /* entry is present if any of these bits is set */
	uint64_t large;	     /* on levels 1 and 2: entry is a leaf if set */
	uint64_t addr_mask;  /* physical address bits of an entry */
	int (*check_flags)(uint32_t flags); /* 0, or -EINVAL if not expressible */
	uint64_t (*make_table)(phys_addr_t pa);
	uint64_t (*make_leaf)(phys_addr_t pa, uint32_t flags, unsigned level);
	uint32_t (*leaf_flags)(uint64_t entry, unsigned level);
};

/* CPU 4-level tables. Needs EFER.NXE (NX is bit 63) and IA32_PAT as below. */
extern const struct paging_format paging_format_x86_64;
/* AMD nested tables: x86-64 entries with U=1 at every level, no G; hPAT applies. */
extern const struct paging_format paging_format_npt;
/* Intel EPT, 4 levels; leaves carry the memory type, IPAT stays clear. */
extern const struct paging_format paging_format_ept;
/* VT-d second-level tables, 3 levels (AGAW 39) or 4 (AGAW 48). */
extern const struct paging_format paging_format_vtd_sl;

/*
 * The IA32_PAT value the x86-64/NPT encodings assume (PAT0 WB, PAT1 WT,
 * PAT2 UC-, PAT3 UC, PAT4 WC, PAT5 WT, PAT6 UC-, PAT7 UC). Entries 0-3 equal
 * the power-on default, so tables built before the core programs the MSR
 * already give WB/WT/UC; only WC needs the programmed value.
 */
uint64_t paging_x86_pat_value(void);

/* How the engine obtains and reaches table pages. */
struct paging_mm {
	void *(*phys_to_virt)(void *ctx, phys_addr_t pa);
	int (*alloc_table)(void *ctx, phys_addr_t *pa); /* one zeroed, 4 KiB aligned page */
	void (*free_table)(void *ctx, phys_addr_t pa);
	void *ctx;
};

struct paging {
	const struct paging_format *fmt;
	const struct paging_mm *mm;
	phys_addr_t root;
	unsigned levels;     /* 3 or 4 */
	uint32_t leaf_sizes; /* PAGING_LEAF_* allowed here: format and hardware */
};

/*
 * Allocates an empty root. leaf_sizes is what the hardware supports (e.g.
 * CPUID 1G pages, EPT/VT-d capability bits); it is trimmed to what the
 * format can express. -EINVAL for a depth the format lacks or unknown bits.
 */
int paging_init(struct paging *pg, const struct paging_format *fmt, unsigned levels,
		uint32_t leaf_sizes, const struct paging_mm *mm);

/*
 * Maps [va, va + size) to [pa, pa + size) with the largest leaves alignment
 * and leaf_sizes permit. va, pa and size are 4 KiB aligned, size > 0, nothing
 * wraps and va is inside the format's address space, else -EINVAL.
 * -EEXIST if any page of the range is mapped; -ENOMEM if a table page could
 * not be allocated. On any failure the translation is unchanged and every
 * table page the call added has been freed again.
 */
int paging_map(struct paging *pg, uint64_t va, phys_addr_t pa, uint64_t size, uint32_t flags);

/*
 * Removes [va, va + size); parts not mapped are fine. A large leaf the range
 * cuts is split first, its remainder staying mapped with the same flags.
 * Tables left empty are freed (the root stays). -EINVAL as for paging_map;
 * -ENOMEM if a split could not get a table page: then nothing is unmapped and
 * the translation is unchanged (splits already done translate identically).
 */
int paging_unmap(struct paging *pg, uint64_t va, uint64_t size);

/*
 * Translates va (any alignment). Outputs may be NULL: pa (with the offset of
 * va in its page), flags as the format can express them, leaf_size in bytes.
 * Returns 0, -ENOENT if not mapped, -EINVAL if va is outside the address space.
 */
int paging_query(const struct paging *pg, uint64_t va, phys_addr_t *pa, uint32_t *flags,
		 uint64_t *leaf_size);

/* Frees every table page including the root. A no-op after a failed paging_init(). */
void paging_destroy(struct paging *pg);

#endif
