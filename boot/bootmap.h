/*
 * Builds the boot-info memory map from what a firmware reported plus the
 * regions the loader allocated for the hypervisor. Shared by every loader
 * (UEFI today, multiboot2 later) so the core always gets the same shape:
 * sorted, disjoint, adjacent ranges of one type merged.
 */
#ifndef BOOT_BOOTMAP_H
#define BOOT_BOOTMAP_H

#include "hv/boot_info.h"

#define BOOTMAP_MAX_INPUT 1024

/*
 * in: firmware ranges already translated to boot_mem_type, in any order,
 * possibly overlapping (on overlap the more restrictive type wins).
 * owned: ranges the loader allocated (BOOT_MEM_HV or BOOT_MEM_MODULE); they
 * override usable memory only. Returns 0, -E2BIG when the result does not
 * fit BOOT_MAX_MEM_RANGES or the input exceeds BOOTMAP_MAX_INPUT, -EINVAL for
 * a range that wraps.
 */
int bootmap_build(struct boot_info *bi, const struct boot_mem_range *in, size_t n_in,
		  const struct boot_mem_range *owned, size_t n_owned);

#endif
