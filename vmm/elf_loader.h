/*
 * Guest image loader: partitions run static ELF64 x86-64 executables
 * (ET_EXEC) read from the ESP. The file is untrusted input: elf_validate()
 * checks all of it before elf_load() writes a byte of guest memory.
 *
 * Guest memory is one host buffer `mem` of `mem_size` bytes standing for
 * guest-physical [0, mem_size); segments load at their p_paddr, which must
 * equal p_vaddr because guests run identity-mapped (include/hv/guest_abi.h).
 */
#ifndef VMM_ELF_LOADER_H
#define VMM_ELF_LOADER_H

#include "hv/types.h"

#define ELF_MAX_PHNUM 64 /* more program headers than any static guest needs */

struct elf_image_info {
	uint64_t entry;
	uint64_t load_lo, load_hi; /* GPA span [load_lo, load_hi) of the PT_LOAD segments */
	unsigned segments;	   /* PT_LOAD segments with p_memsz > 0 */
};

/*
 * Checks the whole file: identification (ELFCLASS64, ELFDATA2LSB,
 * EV_CURRENT), e_type ET_EXEC, e_machine EM_X86_64, header sizes, the
 * program header table inside the file, at most ELF_MAX_PHNUM entries, and
 * for every PT_LOAD: p_filesz <= p_memsz, file bytes inside the file,
 * p_vaddr == p_paddr, [p_paddr, p_paddr + p_memsz) inside [min_gpa,
 * mem_size), no overlap with another PT_LOAD. The entry point must lie in
 * the file bytes of a PF_X PT_LOAD. PT_INTERP and PT_DYNAMIC are refused
 * (static executables only); other program header types are ignored;
 * PT_LOAD entries with p_memsz == 0 are checked but load nothing.
 *
 * Returns 0 and fills *info (if not NULL), or -EINVAL (malformed),
 * -ENOTSUP (valid ELF this loader does not run) or -ERANGE (a segment
 * outside the guest's loadable memory), after one log line
 * "elf: refused reason=... " naming the problem. *info is left alone then.
 */
int elf_validate(const void *file, size_t file_size, uint64_t min_gpa, uint64_t mem_size,
		 struct elf_image_info *info);

/*
 * elf_validate(), then copies each PT_LOAD's file bytes to mem + p_paddr
 * and zeroes its p_memsz - p_filesz tail. Nothing else in mem is touched
 * (the caller clears guest memory it reuses), and nothing at all when
 * validation fails. The file must not change during the call and must not
 * lie inside mem: it is read twice, once to check and once to copy.
 */
int elf_load(const void *file, size_t file_size, uint8_t *mem, uint64_t mem_size, uint64_t min_gpa,
	     struct elf_image_info *info);

#endif
