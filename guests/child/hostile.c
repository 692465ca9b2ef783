/*
 * Picks the misbehaviour the command line names (hostile=<name>) and runs
 * it. Each announces what it is about to do before doing it, so the log
 * shows the last thing a stopped child tried.
 */
#include "guests/lib/guest.h"
#include "guests/child/child.h"

#define HOSTILE_NAME_MAX 32

struct behaviour {
	const char *name;
	void (*run)(const struct hv_guest_boot_info *bi, const char *cmdline);
};

static const struct behaviour behaviours[] = {
    {"oob", hostile_oob},
    {"hypercalls", hostile_hypercalls},
    {"triple-fault", hostile_triple_fault},
    {"ipi", hostile_ipi},
    {"msr", hostile_msr},
    {"io", hostile_io},
    {"invd", hostile_invd},
    {"invlpga", hostile_invlpga},
    {"ring", hostile_ring},     /* guests/child/netvsc_hostile.c */
    {"netmsg", hostile_netmsg}, /* guests/child/netvsc_hostile.c */
    {"doorbells", hostile_doorbells}, /* guests/child/netvsc_hostile.c */
};

void hostile_run(const struct hv_guest_boot_info *bi)
{
	char cmdline[CHILD_CMDLINE_SIZE], name[HOSTILE_NAME_MAX];
	size_t len = strnlen(bi->cmdline, HV_GUEST_CMDLINE_LEN);
	int err;

	memcpy(cmdline, bi->cmdline, len);
	cmdline[len] = '\0';
	err = cmdline_get(cmdline, sizeof(cmdline), "hostile", name, sizeof(name));
	if (err == -ENOENT)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(behaviours) && !err; i++) {
		if (!strcmp(name, behaviours[i].name)) {
			printf("hostile start=%s\n", name);
			behaviours[i].run(bi, cmdline);
			printf("hostile end=%s\n", name);
			return;
		}
	}
	printf("hostile error=%s behaviour unknown\n", errno_name(err ? err : -EINVAL));
}
