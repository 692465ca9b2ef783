/*
 * What a guest finds in its memory when it starts (include/hv/guest_abi.h):
 * its own page tables identity-mapping [0, mem_size) with page 0 left
 * unmapped, a GDT with a 64-bit code and a data segment, one stack per
 * vCPU at the top of memory, and the boot info page describing it all.
 *
 * Pure logic over the buffer `mem` that stands for guest-physical
 * [0, mem_size): addresses written into it are guest-physical, because the
 * guest's CPU walks these tables, not the hypervisor's.
 */
#ifndef VMM_GUEST_LAYOUT_H
#define VMM_GUEST_LAYOUT_H

#include "hv/guest_abi.h"
#include "vmm/elf_loader.h"

#define GUEST_MIN_MEM (8 * MiB)

struct guest_layout_params {
	uint64_t mem_size;	     /* a multiple of 2 MiB, at least GUEST_MIN_MEM */
	unsigned vcpu_count;	     /* 1 .. HV_GUEST_MAX_VCPUS */
	struct elf_image_info image; /* as elf_validate() found it */
};

struct guest_layout {
	uint64_t cr3; /* GPA of the PML4 */
	uint64_t gdt_gpa;
	uint16_t gdt_limit;
	uint16_t code_sel, data_sel;
	uint64_t stack_top[HV_GUEST_MAX_VCPUS]; /* initial RSP per vCPU; 0 past vcpu_count */
	uint64_t free_lo, free_hi;		/* free RAM between image and stacks */
};

/*
 * Checks p, then writes the page tables (HV_GUEST_PT_GPA) and the GDT
 * (HV_GUEST_GDT_GPA) into mem and fills *out; the pages of both are
 * cleared first, nothing else in mem is touched. Returns 0, -EINVAL (bad
 * mem_size, no vCPU, image not inside [HV_GUEST_IMAGE_MIN_GPA, mem_size)),
 * -E2BIG (tables would need more than HV_GUEST_PT_PAGES pages) or -ENOSPC
 * (too many vCPUs, or their stacks would reach into the image). Nothing is
 * written on failure.
 */
int guest_layout_build(uint8_t *mem, const struct guest_layout_params *p, struct guest_layout *out);

/* Page-table pages guest_layout_build() needs for mem_size bytes. */
uint64_t guest_layout_pt_pages(uint64_t mem_size);

/*
 * Fills the parts of the boot info the layout decides: magic, version,
 * size, memory_size, vcpu_count and mem[] (reserved: low pages and image up
 * to free_lo; free: [free_lo, free_hi) when not empty; reserved: the
 * stacks). Everything else is cleared for the caller to fill (partition,
 * name, APIC ids, devices, clocks, command line).
 */
void guest_boot_info_init(struct hv_guest_boot_info *bi, const struct guest_layout_params *p,
			  const struct guest_layout *layout);

#endif
