/*
 * The NIC's shell commands, reached from commands.c through nic_command():
 * "nic", "vf" and "port" followed by a subcommand. Only the pairs listed
 * here are claimed, so other modules may add their own subcommands of the
 * same words. Every command prints key=value lines, or `error <ERRNO> ...`.
 */
#include "guests/lib/guest.h"
#include "guests/parent/nic.h"

struct nic_cmd {
	const char *word, *sub;
	const char *usage;
	void (*run)(struct nic *n, char *arg);
};

static void run_stats(struct nic *n, char *arg)
{
	(void)arg;
	nic_cmd_stats(n);
}

static void run_vf_list(struct nic *n, char *arg)
{
	(void)arg;
	nic_cmd_vf_list(n);
}

static void run_port_list(struct nic *n, char *arg)
{
	(void)arg;
	nic_cmd_port_list(n);
}

static const struct nic_cmd cmds[] = {
    {"nic", "stats", "nic stats            link, hardware and driver counters, per pool and VF",
     run_stats},
    {"nic", "send", "nic send [n] [mac]   send n test frames from the PF (default 1, broadcast)",
     nic_cmd_send},
    {"vf", "list", "vf list              VFs: id, RID, state, owner, MAC, VLAN", run_vf_list},
    {"vf", "alloc", "vf alloc <port>      allocate a VF for a child's port (id, RID, MAC)",
     nic_cmd_vf_alloc},
    {"vf", "free", "vf free <id>         give an allocated, unassigned VF back", nic_cmd_vf_free},
    {"vf", "reset", "vf reset <id>        reset a VF from the PF (queues, pool, mailbox)",
     nic_cmd_vf_reset},
    {"vf", "assign", "vf assign <id> <child>  hand the VF to the child its port belongs to",
     nic_cmd_vf_assign},
    {"vf", "revoke", "vf revoke <id>       take the VF back (waits), scrub its pool",
     nic_cmd_vf_revoke},
    {"port", "list", "port list            switch ports: identity, policy, counters",
     run_port_list},
    {"port", "set",
     "port set <port> k=v  policy: mac_change guest_vlan multicast promisc vf "
     "vlan max_multicast max_frame",
     nic_cmd_port_set},
};

void nic_help(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		printf("help %s\n", cmds[i].usage);
}

/* Cuts s after its first word; returns the rest, spaces skipped. */
static char *split(char *s)
{
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

bool nic_command(const char *word, char *arg)
{
	char *rest = split(arg);
	struct nic *n;

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(word, cmds[i].word) || strcmp(arg, cmds[i].sub))
			continue;
		n = nic_get();
		if (!n)
			printf("error %s command=%s reason=no-nic\n", errno_name(-ENODEV), word);
		else
			cmds[i].run(n, rest);
		return true;
	}
	return false;
}
