/*
 * Translation of a guest-virtual address through the guest's own 4-level
 * x86-64 page tables (CR4.PAE, EFER.LMA; Intel SDM vol. 3 section 4.5, AMD
 * APM vol. 2 section 5.3), and instruction fetch on top of it: the MMIO
 * emulation path reads the bytes at the guest's RIP this way when the
 * processor gives neither decode assists nor the instruction bytes.
 *
 * The guest's tables are untrusted guest memory, read only through the
 * caller's callback, and never written (accessed/dirty bits stay as they
 * are: the guest has just executed from the page, so they are set). A guest
 * with CR0.PG = 0 is the caller's case (gva == gpa); 5-level paging
 * (CR4.LA57) is not supported.
 *
 * Entry checks, where hardware would raise #PF:
 *  - present bit at each level: -ENOENT;
 *  - reserved bits: PS in a PML4E, bits 29:13 of a 1 GiB leaf and 20:13 of
 *    a 2 MiB leaf: -EINVAL. The address field is taken as bits 51:12 (the
 *    architectural maximum): the partition's MAXPHYADDR is not known here,
 *    and a table or page address beyond its memory is refused by the read
 *    callback instead (-EFAULT);
 *  - bits 62:52 are ignored, as hardware does (they are software-available
 *    or protection keys; Linux keeps its own flags there), bit 63 is XD/NX:
 *    reported, and refused by guest_fetch(). The AMD-only reserved bit 8 of
 *    non-leaf entries is not checked.
 */
#ifndef VMM_GUEST_WALK_H
#define VMM_GUEST_WALK_H

#include "hv/types.h"

/* Reads len bytes of guest-physical memory at gpa. Returns 0 or -EFAULT. */
typedef int (*guest_read_fn)(void *ctx, uint64_t gpa, void *buf, size_t len);

struct guest_walk_result {
	uint64_t gpa;	    /* translation of gva */
	uint64_t page_size; /* 4 KiB, 2 MiB or 1 GiB: the leaf that mapped it */
	bool writable;	    /* R/W set at every level */
	bool user;	    /* U/S set at every level */
	bool nx;	    /* XD set at some level (meaningful with EFER.NXE = 1) */
};

/*
 * Translates gva with the tables at cr3 (bits 51:12 used; PCID, PWT/PCD
 * and LAM bits ignored). Returns 0, or -EINVAL (non-canonical gva, reserved
 * bits), -ENOENT (not present), -EFAULT (the callback refused a table
 * read). Refusals of a malformed table are logged.
 */
int guest_walk(uint64_t cr3, uint64_t gva, guest_read_fn read, void *ctx,
	       struct guest_walk_result *out);

/*
 * Fetches up to len bytes (1..4096) of instructions at gva, going on into
 * the next page when the first one ends. Returns the number of bytes
 * fetched (> 0): fewer than len when the next page is not mapped or not
 * executable, since the instruction may well end before it. Fails with
 * guest_walk()'s codes for the first page, -EPERM if it is not executable,
 * -EFAULT if its bytes cannot be read, -EINVAL for len out of range.
 */
int guest_fetch(uint64_t cr3, uint64_t gva, void *buf, size_t len, guest_read_fn read, void *ctx);

#endif
