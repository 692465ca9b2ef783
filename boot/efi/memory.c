/*
 * Page allocations the loader makes on the hypervisor's behalf. Each one is
 * recorded as owned so the hand-over map marks it hypervisor or module
 * memory instead of free RAM.
 */
#include "boot/efi/efi_loader.h"

EFI_STATUS loader_alloc(struct loader *ld, uint64_t max_addr, uint64_t size, uint32_t owned_type,
			uint64_t *base)
{
	EFI_PHYSICAL_ADDRESS addr = max_addr;
	UINTN pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	EFI_STATUS st;

	if (ld->owned_count == ARRAY_SIZE(ld->owned))
		return EFI_OUT_OF_RESOURCES;
	st = BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages, &addr);
	if (EFI_ERROR(st))
		return st;
	SetMem((void *)(UINTN)addr, pages * PAGE_SIZE, 0);
	ld->owned[ld->owned_count++] = (struct boot_mem_range){
		.base = addr, .size = pages * PAGE_SIZE, .type = owned_type};
	*base = addr;
	return EFI_SUCCESS;
}
