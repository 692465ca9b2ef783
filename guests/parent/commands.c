/*
 * The shell's commands. A line is a command word and at most one argument,
 * separated by spaces. Commands that act on a partition print `ok` or
 * `error <errno name>`, so scripts need no other parsing.
 */
#include "guests/lib/guest.h"
#include "guests/parent/netvsp.h"
#include "guests/parent/nic.h"
#include "guests/parent/parent.h"
#include "guests/parent/story.h"

typedef long (*partition_call_fn)(uint32_t id);

struct command {
	const char *name;
	const char *usage;
	void (*run)(const char *arg);
};

static void cmd_help(const char *arg);

static void cmd_partitions(const char *arg)
{
	(void)arg;
	partitions_print();
}

/*
 * Resolves the name, then makes the call; one result line either way. A
 * partition started again had its vmbus region zeroed by the call: its
 * channel starts over (netvsp_child_started) before the main loop serves
 * the rings again.
 */
static void act_on_partition(const char *name, partition_call_fn call)
{
	uint32_t id;
	long err;

	if (!*name) {
		printf("error %s\n", errno_name(-EINVAL));
		return;
	}
	err = partition_find(name, &id);
	if (!err)
		err = call(id);
	if (err >= 0 && (call == hc_partition_start || call == hc_partition_restart))
		netvsp_child_started(name);
	if (err < 0)
		printf("error %s\n", errno_name((int)err));
	else
		printf("ok\n");
}

static void cmd_start(const char *arg)
{
	act_on_partition(arg, hc_partition_start);
}

static void cmd_stop(const char *arg)
{
	act_on_partition(arg, hc_partition_stop);
}

static void cmd_restart(const char *arg)
{
	act_on_partition(arg, hc_partition_restart);
}

static const struct command commands[] = {
    {"help", "help                 this list", cmd_help},
    {"partitions", "partitions           state and exit counts of every partition", cmd_partitions},
    {"start", "start <name>         start a stopped partition", cmd_start},
    {"stop", "stop <name>          stop a partition", cmd_stop},
    {"restart", "restart <name>       stop, reload its image, start", cmd_restart},
    {"dev", "dev list|assign <bdf> <name>|revoke <bdf>  devices and VF assignment", cmd_dev},
    {"chan", "chan list|stats|ring <peer> [n]|write <peer> <text>|read <peer>", cmd_chan},
    {"net", "net list|stats         the children's synthetic NICs and data paths", cmd_net},
    {"story", "story                the make run story again: VFs, failover, table", cmd_story},
};

static void cmd_help(const char *arg)
{
	(void)arg;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		printf("help %s\n", commands[i].usage);
	nic_help();
}

static char *skip_spaces(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Cuts s at its first space; returns what follows, spaces skipped. */
static char *split_word(char *s)
{
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	return skip_spaces(s);
}

static void trim_end(char *s)
{
	size_t len = strlen(s);

	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
}

void commands_run(char *line)
{
	char *word = skip_spaces(line);
	char *arg;

	trim_end(word);
	if (!*word)
		return;
	arg = split_word(word);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(word, commands[i].name)) {
			commands[i].run(arg);
			return;
		}
	}
	if (nic_command(word, arg))
		return;
	printf("error %s command=%s (try help)\n", errno_name(-ENOSYS), word);
}
