/*
 * Entry encodings of the page-table formats the engine (paging.c) builds.
 * Each format turns generic PAGE_* flags into its bits and back; the
 * round trip is exact for every flag set check_flags() accepts, which is
 * what lets the engine split a large leaf without knowing the format.
 *
 * Sources: Intel SDM vol. 3 ("Paging", "EPT", "Page Attribute Table"),
 * AMD APM vol. 2 ("Page Translation", "Nested Paging"), Intel VT-d spec
 * ("Translation Structure Formats").
 */
#include "hv/errno.h"
#include "kernel/mm/paging.h"

/* Bits 51:12 hold the address in every format here (MAXPHYADDR <= 52). */
#define PAGING_ADDR_MASK 0x000ffffffffff000ULL

/* x86-64 4-level paging entries (SDM "4-Level Paging", APM "Long-Mode Page Translation"). */
#define X86_P	      BIT(0)  /* Present */
#define X86_RW	      BIT(1)  /* Read/Write */
#define X86_US	      BIT(2)  /* User/Supervisor */
#define X86_PWT	      BIT(3)  /* Page-level Write-Through */
#define X86_PCD	      BIT(4)  /* Page-level Cache Disable */
#define X86_PS	      BIT(7)  /* Page Size, in PDPTE/PDE */
#define X86_PAT_4K    BIT(7)  /* PAT, in PTE */
#define X86_G	      BIT(8)  /* Global */
#define X86_PAT_LARGE BIT(12) /* PAT, in PDPTE/PDE mapping 1G/2M */
#define X86_XD	      BIT(63) /* Execute-Disable, needs EFER.NXE */

/* IA32_PAT memory type encodings (SDM "IA32_PAT MSR"). */
#define PAT_UC	     0x00ULL
#define PAT_WC	     0x01ULL
#define PAT_WT	     0x04ULL
#define PAT_WB	     0x06ULL
#define PAT_UC_MINUS 0x07ULL

/* EPT paging-structure entries (SDM "EPT Translation Mechanism"). */
#define EPT_R	     BIT(0)
#define EPT_W	     BIT(1)
#define EPT_X	     BIT(2)
#define EPT_MT_SHIFT 3 /* memory type, bits 5:3, leaves only */
#define EPT_MT_MASK  (7ULL << EPT_MT_SHIFT)
#define EPT_IPAT     BIT(6) /* ignore guest PAT; left clear so the guest's PAT combines */
#define EPT_LARGE    BIT(7)
#define EPT_MT_UC    0ULL
#define EPT_MT_WC    1ULL
#define EPT_MT_WT    4ULL
#define EPT_MT_WB    6ULL

/* VT-d second-level paging entries (VT-d spec, "Second-Level Paging Entries"). */
#define VTD_SL_R   BIT(0)
#define VTD_SL_W   BIT(1)
#define VTD_SL_SP  BIT(7)  /* super page, in SL-PDPE/SL-PDE */
#define VTD_SL_SNP BIT(11) /* snoop behaviour, leaves only */

#define GENERIC_RWX (PAGE_READ | PAGE_WRITE | PAGE_EXEC)

/* `result` if any bit of `test` is set in `word`, else 0. */
static uint64_t bit_if(uint64_t word, uint64_t test, uint64_t result)
{
	return (word & test) ? result : 0;
}

/* `result` if no bit of `test` is set in `word`, else 0. */
static uint64_t bit_unless(uint64_t word, uint64_t test, uint64_t result)
{
	return (word & test) ? 0 : result;
}

/*
 * PAT index (PAT:PCD:PWT) per generic cache type. The table matches
 * paging_x86_pat_value(): index 0 WB, 1 WT, 3 UC (strong), 4 WC.
 */
static const uint8_t x86_pat_index[4] = {
    [PAGE_CACHE_WB >> PAGE_CACHE_SHIFT] = 0,
    [PAGE_CACHE_UC >> PAGE_CACHE_SHIFT] = 3,
    [PAGE_CACHE_WC >> PAGE_CACHE_SHIFT] = 4,
    [PAGE_CACHE_WT >> PAGE_CACHE_SHIFT] = 1,
};

/* Generic cache type per PAT index; UC- (2, 6) reads back as UC. */
static const uint32_t x86_pat_cache[8] = {
    PAGE_CACHE_WB, PAGE_CACHE_WT, PAGE_CACHE_UC, PAGE_CACHE_UC,
    PAGE_CACHE_WC, PAGE_CACHE_WT, PAGE_CACHE_UC, PAGE_CACHE_UC,
};

uint64_t paging_x86_pat_value(void)
{
	static const uint64_t type[8] = {
	    PAT_WB, PAT_WT, PAT_UC_MINUS, PAT_UC, PAT_WC, PAT_WT, PAT_UC_MINUS, PAT_UC,
	};
	uint64_t value = 0;

	for (unsigned i = 0; i < 8; i++)
		value |= type[i] << (8 * i);
	return value;
}

static unsigned cache_index(uint32_t flags)
{
	return (flags & PAGE_CACHE_MASK) >> PAGE_CACHE_SHIFT;
}

static uint64_t x86_pat_bit(unsigned level)
{
	return level ? X86_PAT_LARGE : X86_PAT_4K;
}

static uint64_t x86_cache_bits(uint32_t flags, unsigned level)
{
	unsigned index = x86_pat_index[cache_index(flags)];

	return bit_if(index, 1, X86_PWT) | bit_if(index, 2, X86_PCD) |
	       bit_if(index, 4, x86_pat_bit(level));
}

static uint32_t x86_cache_flags(uint64_t entry, unsigned level)
{
	unsigned index = (unsigned)bit_if(entry, X86_PWT, 1) | bit_if(entry, X86_PCD, 2) |
			 bit_if(entry, x86_pat_bit(level), 4);

	return x86_pat_cache[index];
}

/* A present x86 entry is always readable: mappings without READ cannot be expressed. */
static int x86_check_flags(uint32_t flags)
{
	uint32_t known = GENERIC_RWX | PAGE_USER | PAGE_GLOBAL | PAGE_CACHE_MASK;

	return ((flags & ~known) || !(flags & PAGE_READ)) ? -EINVAL : 0;
}

/* Upper levels grant everything; the leaf alone decides the rights. */
static uint64_t x86_make_table(phys_addr_t pa)
{
	return pa | X86_P | X86_RW | X86_US;
}

static uint64_t x86_make_leaf(phys_addr_t pa, uint32_t flags, unsigned level)
{
	uint64_t entry = pa | X86_P | x86_cache_bits(flags, level);

	entry |= bit_if(flags, PAGE_WRITE, X86_RW);
	entry |= bit_if(flags, PAGE_USER, X86_US);
	entry |= bit_if(flags, PAGE_GLOBAL, X86_G);
	entry |= bit_unless(flags, PAGE_EXEC, X86_XD);
	return entry | (level ? X86_PS : 0);
}

static uint32_t x86_leaf_flags(uint64_t entry, unsigned level)
{
	uint32_t flags = PAGE_READ | x86_cache_flags(entry, level);

	flags |= bit_if(entry, X86_RW, PAGE_WRITE);
	flags |= bit_if(entry, X86_US, PAGE_USER);
	flags |= bit_if(entry, X86_G, PAGE_GLOBAL);
	return flags | bit_unless(entry, X86_XD, PAGE_EXEC);
}

const struct paging_format paging_format_x86_64 = {
    .name = "x86-64",
    .min_levels = 4,
    .max_levels = 4,
    .canonical = true,
    .leaf_sizes = PAGING_LEAF_2M | PAGING_LEAF_1G,
    .present = X86_P,
    .large = X86_PS,
    .addr_mask = PAGING_ADDR_MASK,
    .check_flags = x86_check_flags,
    .make_table = x86_make_table,
    .make_leaf = x86_make_leaf,
    .leaf_flags = x86_leaf_flags,
};

/*
 * NPT: guest accesses count as user accesses (APM "Nested Table Walk"), so U=1 at every
 * level; PAGE_USER is accepted and has no effect. G has no meaning there.
 */
static int npt_check_flags(uint32_t flags)
{
	return (flags & PAGE_GLOBAL) ? -EINVAL : x86_check_flags(flags);
}

static uint64_t npt_make_leaf(phys_addr_t pa, uint32_t flags, unsigned level)
{
	return x86_make_leaf(pa, flags, level) | X86_US;
}

static uint32_t npt_leaf_flags(uint64_t entry, unsigned level)
{
	return x86_leaf_flags(entry, level) & ~(uint32_t)PAGE_USER;
}

const struct paging_format paging_format_npt = {
    .name = "npt",
    .min_levels = 4,
    .max_levels = 4,
    .canonical = false,
    .leaf_sizes = PAGING_LEAF_2M | PAGING_LEAF_1G,
    .present = X86_P,
    .large = X86_PS,
    .addr_mask = PAGING_ADDR_MASK,
    .check_flags = npt_check_flags,
    .make_table = x86_make_table,
    .make_leaf = npt_make_leaf,
    .leaf_flags = npt_leaf_flags,
};

static const uint8_t ept_memtype[4] = {
    [PAGE_CACHE_WB >> PAGE_CACHE_SHIFT] = EPT_MT_WB,
    [PAGE_CACHE_UC >> PAGE_CACHE_SHIFT] = EPT_MT_UC,
    [PAGE_CACHE_WC >> PAGE_CACHE_SHIFT] = EPT_MT_WC,
    [PAGE_CACHE_WT >> PAGE_CACHE_SHIFT] = EPT_MT_WT,
};

/* Write without read is an EPT misconfiguration (SDM "EPT Misconfigurations"). */
static int ept_check_flags(uint32_t flags)
{
	if (flags & ~(GENERIC_RWX | PAGE_CACHE_MASK) || !(flags & GENERIC_RWX))
		return -EINVAL;
	return ((flags & PAGE_WRITE) && !(flags & PAGE_READ)) ? -EINVAL : 0;
}

static uint64_t ept_make_table(phys_addr_t pa)
{
	return pa | EPT_R | EPT_W | EPT_X;
}

static uint64_t ept_make_leaf(phys_addr_t pa, uint32_t flags, unsigned level)
{
	uint64_t entry = pa | ((uint64_t)ept_memtype[cache_index(flags)] << EPT_MT_SHIFT);

	entry |= bit_if(flags, PAGE_READ, EPT_R);
	entry |= bit_if(flags, PAGE_WRITE, EPT_W);
	entry |= bit_if(flags, PAGE_EXEC, EPT_X);
	return entry | (level ? EPT_LARGE : 0);
}

/* Types this code never writes (WP, reserved) read back as UC. */
static uint32_t ept_cache_flags(uint64_t entry)
{
	switch ((entry & EPT_MT_MASK) >> EPT_MT_SHIFT) {
	case EPT_MT_WB:
		return PAGE_CACHE_WB;
	case EPT_MT_WC:
		return PAGE_CACHE_WC;
	case EPT_MT_WT:
		return PAGE_CACHE_WT;
	default:
		return PAGE_CACHE_UC;
	}
}

static uint32_t ept_leaf_flags(uint64_t entry, unsigned level)
{
	uint32_t flags = ept_cache_flags(entry);

	(void)level;
	flags |= bit_if(entry, EPT_R, PAGE_READ);
	flags |= bit_if(entry, EPT_W, PAGE_WRITE);
	return flags | bit_if(entry, EPT_X, PAGE_EXEC);
}

const struct paging_format paging_format_ept = {
    .name = "ept",
    .min_levels = 4,
    .max_levels = 4,
    .canonical = false,
    .leaf_sizes = PAGING_LEAF_2M | PAGING_LEAF_1G,
    .present = EPT_R | EPT_W | EPT_X,
    .large = EPT_LARGE,
    .addr_mask = PAGING_ADDR_MASK,
    .check_flags = ept_check_flags,
    .make_table = ept_make_table,
    .make_leaf = ept_make_leaf,
    .leaf_flags = ept_leaf_flags,
};

/*
 * DMA has no execute right and legacy-mode second-level entries carry no
 * memory type: only READ, WRITE and SNOOP are accepted, cache must be WB.
 */
static int vtd_sl_check_flags(uint32_t flags)
{
	if (flags & ~(uint32_t)(PAGE_READ | PAGE_WRITE | PAGE_SNOOP))
		return -EINVAL;
	return (flags & (PAGE_READ | PAGE_WRITE)) ? 0 : -EINVAL;
}

static uint64_t vtd_sl_make_table(phys_addr_t pa)
{
	return pa | VTD_SL_R | VTD_SL_W;
}

static uint64_t vtd_sl_make_leaf(phys_addr_t pa, uint32_t flags, unsigned level)
{
	uint64_t entry = pa;

	entry |= bit_if(flags, PAGE_READ, VTD_SL_R);
	entry |= bit_if(flags, PAGE_WRITE, VTD_SL_W);
	entry |= bit_if(flags, PAGE_SNOOP, VTD_SL_SNP);
	return entry | (level ? VTD_SL_SP : 0);
}

static uint32_t vtd_sl_leaf_flags(uint64_t entry, unsigned level)
{
	uint32_t flags = PAGE_CACHE_WB;

	(void)level;
	flags |= bit_if(entry, VTD_SL_R, PAGE_READ);
	flags |= bit_if(entry, VTD_SL_W, PAGE_WRITE);
	return flags | bit_if(entry, VTD_SL_SNP, PAGE_SNOOP);
}

const struct paging_format paging_format_vtd_sl = {
    .name = "vtd-sl",
    .min_levels = 3,
    .max_levels = 4,
    .canonical = false,
    .leaf_sizes = PAGING_LEAF_2M | PAGING_LEAF_1G,
    .present = VTD_SL_R | VTD_SL_W,
    .large = VTD_SL_SP,
    .addr_mask = PAGING_ADDR_MASK,
    .check_flags = vtd_sl_check_flags,
    .make_table = vtd_sl_make_table,
    .make_leaf = vtd_sl_make_leaf,
    .leaf_flags = vtd_sl_leaf_flags,
};
