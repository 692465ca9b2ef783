/*
 * Where the running hypervisor image lies. Addresses in reports are printed
 * as offsets from its base, which are addresses in build/hv.so.
 */
#ifndef KERNEL_IMAGE_H
#define KERNEL_IMAGE_H

#include "hv/types.h"

/* Linker-script symbols (gnu-efi's elf_x86_64_efi.lds). */
extern const char ImageBase[], _text[], _etext[], _data[], _edata[];

void image_set_bounds(uint64_t base, uint64_t size);
bool image_contains(uint64_t addr);
uint64_t image_offset(uint64_t addr);

#endif
