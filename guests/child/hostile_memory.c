/*
 * hostile=oob [addrs=A,B,...] [access=read|write|both]: reads, then
 * writes, a quadword at each guest-physical address. The child maps each
 * address in its own page tables first (they are its memory), so the
 * access reaches the hypervisor's nested paging, which must stop the
 * partition at the first address outside its memory. Without addrs:
 * just past the end of memory, and 0xfffff000 (below 4 GiB, where
 * firmware and MMIO live on a PC).
 */
#include "guests/lib/guest.h"
#include "guests/child/child.h"

#define OOB_MAX_ADDRS	  8
#define OOB_VALUE_MAX	  96
#define OOB_HIGH_DEFAULT  0xfffff000ULL
#define OOB_WRITE_PATTERN 0xdeadbeefcafef00dULL

static int oob_addresses(const struct hv_guest_boot_info *bi, const char *cmdline, uint64_t *addrs)
{
	char value[OOB_VALUE_MAX];
	int err = cmdline_get(cmdline, CHILD_CMDLINE_SIZE, "addrs", value, sizeof(value));

	if (err == -ENOENT) {
		addrs[0] = bi->memory_size + PAGE_SIZE;
		addrs[1] = OOB_HIGH_DEFAULT;
		return 2;
	}
	return err ? err : parse_u64_list(value, addrs, OOB_MAX_ADDRS);
}

static void oob_access(uint64_t gpa, bool write)
{
	const char *action = write ? "write" : "read";
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)gpa;
	int err;

	printf("hostile action=%s gpa=0x%lx\n", action, gpa);
	err = paging_identity_map(gpa, sizeof(*p), 0);
	if (err) {
		printf("hostile action=map gpa=0x%lx error=%s\n", gpa, errno_name(err));
		return;
	}
	if (write) {
		*p = OOB_WRITE_PATTERN;
		printf("hostile survived action=write gpa=0x%lx\n", gpa);
	} else {
		uint64_t v = *p;

		printf("hostile survived action=read gpa=0x%lx value=0x%lx\n", gpa, v);
	}
}

void hostile_oob(const struct hv_guest_boot_info *bi, const char *cmdline)
{
	uint64_t addrs[OOB_MAX_ADDRS];
	char access[8] = "both";
	int n = oob_addresses(bi, cmdline, addrs);

	if (n < 0) {
		printf("hostile error=%s option=addrs\n", errno_name(n));
		return;
	}
	cmdline_get(cmdline, CHILD_CMDLINE_SIZE, "access", access, sizeof(access));
	if (strcmp(access, "read") && strcmp(access, "write") && strcmp(access, "both")) {
		printf("hostile error=EINVAL option=access\n");
		return;
	}
	if (strcmp(access, "write")) {
		for (int i = 0; i < n; i++)
			oob_access(addrs[i], false);
	}
	if (strcmp(access, "read")) {
		for (int i = 0; i < n; i++)
			oob_access(addrs[i], true);
	}
}
