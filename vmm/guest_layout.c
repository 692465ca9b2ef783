/*
 * Builds a guest's start-up memory (vmm/guest_layout.h): 4-level page
 * tables, GDT, stack placement and the boot info's memory list. The tables
 * are the guest's own, walked by its CPU with guest-physical addresses, so
 * they are written here entry by entry rather than by the hypervisor's
 * paging engine, whose tables live in host memory.
 *
 * Entry and descriptor formats: Intel SDM vol. 3 ("4-Level Paging",
 * "Segment Descriptors"), AMD APM vol. 2 ("Long-Mode Page Translation").
 */
#include "vmm/guest_layout.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"

/* Paging-structure entry bits (SDM "4-Level Paging"). */
#define PTE_P	   BIT(0) /* Present */
#define PTE_RW	   BIT(1) /* Read/Write */
#define PTE_PS	   BIT(7) /* Page Size: this PDE maps 2 MiB */
#define PT_ENTRIES 512ULL
#define LARGE_PAGE (2 * MiB)
#define PD_SPAN	   (PT_ENTRIES * LARGE_PAGE) /* 1 GiB per page directory */
#define PDPT_SPAN  (PT_ENTRIES * PD_SPAN)    /* 512 GiB per PDPT */

#define GUEST_CODE_SEL 0x08
#define GUEST_DATA_SEL 0x10

_Static_assert(HV_GUEST_PT_GPA + HV_GUEST_PT_PAGES * PAGE_SIZE <= LARGE_PAGE,
	       "guest page tables fit in the 4 KiB-mapped first 2 MiB");
_Static_assert(HV_GUEST_BOOT_INFO_GPA >= PAGE_SIZE && HV_GUEST_GDT_GPA >= PAGE_SIZE,
	       "page 0 stays unmapped");
_Static_assert(HV_GUEST_GDT_GPA + PAGE_SIZE <= HV_GUEST_PT_GPA &&
		   HV_GUEST_BOOT_INFO_GPA != HV_GUEST_GDT_GPA,
	       "boot info, GDT and page tables on pages of their own");
_Static_assert(HV_GUEST_IMAGE_MIN_GPA >= LARGE_PAGE, "images load above the low area");
_Static_assert((HV_GUEST_MAX_VCPUS * HV_GUEST_STACK_SIZE) < GUEST_MIN_MEM - HV_GUEST_IMAGE_MIN_GPA,
	       "all stacks fit above the image area of the smallest guest");
_Static_assert(HV_GUEST_MAX_MEM >= 3, "guest_boot_info_init() lists three ranges at most");

/* Code or data segment descriptor (SDM vol. 3 "Segment Descriptors"). */
struct gdt_desc {
	uint16_t limit_lo;	/* Segment Limit 15:00 */
	uint16_t base_lo;	/* Base Address 15:00 */
	uint8_t base_mid;	/* Base Address 23:16 */
	uint8_t access;		/* Type 3:0, S, DPL 6:5, P */
	uint8_t limit_hi_flags; /* Segment Limit 19:16, AVL, L, D/B, G */
	uint8_t base_hi;	/* Base Address 31:24 */
} __packed;
_Static_assert(sizeof(struct gdt_desc) == 8, "segment descriptor is 8 bytes");

#define SEG_TYPE_ACCESSED BIT(0)
#define SEG_TYPE_RW	  BIT(1) /* readable code, writable data */
#define SEG_TYPE_CODE	  BIT(3)
#define SEG_S		  BIT(4) /* code or data, not system */
#define SEG_P		  BIT(7)
#define SEG_LIMIT_19_16	  0x0f
#define SEG_FLAG_L	  BIT(5) /* 64-bit code */
#define SEG_FLAG_DB	  BIT(6)
#define SEG_FLAG_G	  BIT(7) /* limit in 4 KiB units */

/*
 * Flat segments. Accessed is preset: VMX refuses a usable CS/SS/DS whose
 * type lacks it, and the guest's CPU then never writes to its GDT.
 */
static const struct gdt_desc guest_gdt[] = {
    [GUEST_CODE_SEL / 8] = {0xffff, 0, 0,
			    SEG_P | SEG_S | SEG_TYPE_CODE | SEG_TYPE_RW | SEG_TYPE_ACCESSED,
			    SEG_LIMIT_19_16 | SEG_FLAG_L | SEG_FLAG_G, 0},
    [GUEST_DATA_SEL / 8] = {0xffff, 0, 0, SEG_P | SEG_S | SEG_TYPE_RW | SEG_TYPE_ACCESSED,
			    SEG_LIMIT_19_16 | SEG_FLAG_DB | SEG_FLAG_G, 0},
};

/* Where each table page goes: PML4, then the PDPTs, the PDs, the one PT. */
struct pt_geometry {
	uint64_t pdpts, pds;
};

static struct pt_geometry pt_geometry(uint64_t mem_size)
{
	return (struct pt_geometry){
	    .pdpts = (mem_size + PDPT_SPAN - 1) / PDPT_SPAN,
	    .pds = (mem_size + PD_SPAN - 1) / PD_SPAN,
	};
}

uint64_t guest_layout_pt_pages(uint64_t mem_size)
{
	struct pt_geometry g = pt_geometry(mem_size);

	return 1 + g.pdpts + g.pds + 1;
}

static uint64_t pdpt_gpa(uint64_t k)
{
	return HV_GUEST_PT_GPA + (1 + k) * PAGE_SIZE;
}

static uint64_t pd_gpa(const struct pt_geometry *g, uint64_t k)
{
	return HV_GUEST_PT_GPA + (1 + g->pdpts + k) * PAGE_SIZE;
}

static uint64_t pt_gpa(const struct pt_geometry *g)
{
	return HV_GUEST_PT_GPA + (1 + g->pdpts + g->pds) * PAGE_SIZE;
}

static void put_entry(uint8_t *mem, uint64_t table_gpa, uint64_t index, uint64_t entry)
{
	memcpy(mem + table_gpa + index * sizeof(entry), &entry, sizeof(entry));
}

static void link_tables(uint8_t *mem, const struct pt_geometry *g)
{
	for (uint64_t k = 0; k < g->pdpts; k++)
		put_entry(mem, HV_GUEST_PT_GPA, k, pdpt_gpa(k) | PTE_P | PTE_RW);
	for (uint64_t k = 0; k < g->pds; k++)
		put_entry(mem, pdpt_gpa(k / PT_ENTRIES), k % PT_ENTRIES,
			  pd_gpa(g, k) | PTE_P | PTE_RW);
}

static void map_large_pages(uint8_t *mem, const struct pt_geometry *g, uint64_t mem_size)
{
	put_entry(mem, pd_gpa(g, 0), 0, pt_gpa(g) | PTE_P | PTE_RW);
	for (uint64_t n = 1; n < mem_size / LARGE_PAGE; n++)
		put_entry(mem, pd_gpa(g, n / PT_ENTRIES), n % PT_ENTRIES,
			  n * LARGE_PAGE | PTE_P | PTE_RW | PTE_PS);
}

/* Entry 0 stays clear: page 0 unmapped makes a guest's NULL dereference fault. */
static void map_first_large_page(uint8_t *mem, const struct pt_geometry *g)
{
	for (uint64_t n = 1; n < PT_ENTRIES; n++)
		put_entry(mem, pt_gpa(g), n, n * PAGE_SIZE | PTE_P | PTE_RW);
}

static void write_page_tables(uint8_t *mem, uint64_t mem_size)
{
	struct pt_geometry g = pt_geometry(mem_size);

	memset(mem + HV_GUEST_PT_GPA, 0, HV_GUEST_PT_PAGES * PAGE_SIZE);
	link_tables(mem, &g);
	map_large_pages(mem, &g, mem_size);
	map_first_large_page(mem, &g);
}

static void write_gdt(uint8_t *mem)
{
	memset(mem + HV_GUEST_GDT_GPA, 0, PAGE_SIZE);
	memcpy(mem + HV_GUEST_GDT_GPA, guest_gdt, sizeof(guest_gdt));
}

static int refuse(int err, const char *reason, const char *field, uint64_t value)
{
	log_warn("guest", "layout refused reason=%s %s=0x%llx", reason, field,
		 (unsigned long long)value);
	return err;
}

static uint64_t stacks_bottom(const struct guest_layout_params *p)
{
	return p->mem_size - p->vcpu_count * HV_GUEST_STACK_SIZE;
}

static int check_params(const struct guest_layout_params *p)
{
	const struct elf_image_info *img = &p->image;

	if (!IS_ALIGNED(p->mem_size, LARGE_PAGE) || p->mem_size < GUEST_MIN_MEM)
		return refuse(-EINVAL, "bad-mem-size", "mem_size", p->mem_size);
	if (p->vcpu_count == 0)
		return refuse(-EINVAL, "no-vcpu", "vcpus", p->vcpu_count);
	if (p->vcpu_count > HV_GUEST_MAX_VCPUS)
		return refuse(-ENOSPC, "too-many-vcpus", "vcpus", p->vcpu_count);
	if (img->load_lo < HV_GUEST_IMAGE_MIN_GPA || img->load_hi <= img->load_lo ||
	    img->load_hi > p->mem_size)
		return refuse(-EINVAL, "image-outside-memory", "load_lo", img->load_lo);
	if (guest_layout_pt_pages(p->mem_size) > HV_GUEST_PT_PAGES)
		return refuse(-E2BIG, "page-tables-too-big", "mem_size", p->mem_size);
	/* mem_size >= GUEST_MIN_MEM: the stacks cannot underflow it. */
	if (stacks_bottom(p) < img->load_hi)
		return refuse(-ENOSPC, "stacks-overlap-image", "load_hi", img->load_hi);
	return 0;
}

int guest_layout_build(uint8_t *mem, const struct guest_layout_params *p, struct guest_layout *out)
{
	int err = check_params(p);

	if (err)
		return err;
	write_page_tables(mem, p->mem_size);
	write_gdt(mem);
	*out = (struct guest_layout){
	    .cr3 = HV_GUEST_PT_GPA,
	    .gdt_gpa = HV_GUEST_GDT_GPA,
	    .gdt_limit = sizeof(guest_gdt) - 1,
	    .code_sel = GUEST_CODE_SEL,
	    .data_sel = GUEST_DATA_SEL,
	    .free_lo = ALIGN_UP(p->image.load_hi, PAGE_SIZE),
	    .free_hi = stacks_bottom(p),
	};
	for (unsigned i = 0; i < p->vcpu_count; i++)
		out->stack_top[i] = p->mem_size - i * HV_GUEST_STACK_SIZE;
	return 0;
}

static void add_range(struct hv_guest_boot_info *bi, uint64_t lo, uint64_t hi, uint32_t type)
{
	if (lo == hi)
		return;
	bi->mem[bi->mem_count++] = (struct hv_guest_mem_range){
	    .base = lo,
	    .size = hi - lo,
	    .type = type,
	};
}

void guest_boot_info_init(struct hv_guest_boot_info *bi, const struct guest_layout_params *p,
			  const struct guest_layout *layout)
{
	memset(bi, 0, sizeof(*bi));
	bi->magic = HV_GUEST_BOOT_MAGIC;
	bi->version = HV_GUEST_BOOT_VERSION;
	bi->size = sizeof(*bi);
	bi->memory_size = p->mem_size;
	bi->vcpu_count = p->vcpu_count;
	add_range(bi, 0, layout->free_lo, HV_GUEST_MEM_RESERVED);
	add_range(bi, layout->free_lo, layout->free_hi, HV_GUEST_MEM_FREE);
	add_range(bi, layout->free_hi, p->mem_size, HV_GUEST_MEM_RESERVED);
}
