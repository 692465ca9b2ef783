/*
 * The partition list as HC_PARTITION_LIST reports it: name lookups for the
 * commands and events, and the `partitions` table. Names come from the
 * hypervisor in fixed 32-byte fields that need not be terminated, so they
 * are always compared and printed with that bound.
 */
#include "guests/lib/guest.h"
#include "guests/parent/parent.h"

#define CPUS_TEXT_MAX 64

static struct hv_partition_status list[PARENT_MAX_PARTITIONS];
static size_t list_count;

long partitions_fetch(void)
{
	long n = hc_partition_list(list, ARRAY_SIZE(list));

	/* The hypervisor may report more partitions than fit: keep what was stored. */
	list_count = n < 0 ? 0 : MIN((size_t)n, ARRAY_SIZE(list));
	return n;
}

const struct hv_partition_status *partitions_get(size_t *count)
{
	*count = list_count;
	return list;
}

static bool name_is(const struct hv_partition_status *p, const char *name)
{
	size_t len = strnlen(p->name, HV_NAME_LEN);

	return strlen(name) == len && !memcmp(p->name, name, len);
}

int partition_find(const char *name, uint32_t *id)
{
	long n = partitions_fetch();

	if (n < 0)
		return (int)n;
	for (size_t i = 0; i < list_count; i++) {
		if (name_is(&list[i], name)) {
			*id = list[i].id;
			return 0;
		}
	}
	return -ENOENT;
}

const char *partition_name(uint32_t id, char *buf, size_t size)
{
	for (size_t i = 0; i < list_count; i++) {
		if (list[i].id == id) {
			hv_snprintf(buf, size, "%.*s", HV_NAME_LEN, list[i].name);
			return buf;
		}
	}
	return "?";
}

/* "0,2-3" for CPUs 0, 2 and 3; "-" for none. */
static void format_cpus(uint64_t mask, char *buf, size_t size)
{
	struct strbuf sb = STRBUF_INIT(buf, size);

	buf[0] = '\0';
	for (unsigned cpu = 0; cpu < 64; cpu++) {
		unsigned last = cpu;

		if (!(mask & BIT(cpu)))
			continue;
		while (last < 63 && (mask & BIT(last + 1)))
			last++;
		strbuf_printf(&sb, sb.pos ? ",%u" : "%u", cpu);
		if (last > cpu)
			strbuf_printf(&sb, "-%u", last);
		cpu = last;
	}
	if (!sb.pos)
		hv_strlcpy(buf, "-", size);
}

static uint64_t exits_total(const struct hv_partition_status *p)
{
	uint64_t sum = 0;

	for (unsigned r = 0; r < HV_EXIT_REASONS; r++)
		sum += p->exits[r];
	return sum;
}

/* Table column headings for the exit reasons, short to keep a row within a log line. */
static const char *const exit_columns[HV_EXIT_REASONS] = {
    [HV_EXIT_HYPERCALL] = "hcall", [HV_EXIT_CPUID] = "cpuid",	[HV_EXIT_MSR] = "msr",
    [HV_EXIT_IO] = "io",	   [HV_EXIT_NPF] = "npf",	[HV_EXIT_MMIO] = "mmio",
    [HV_EXIT_NMI] = "nmi",	   [HV_EXIT_INTR] = "intr",	[HV_EXIT_HLT] = "hlt",
    [HV_EXIT_SHUTDOWN] = "shut",   [HV_EXIT_EXCEPTION] = "exc", [HV_EXIT_OTHER] = "other",
};

static void print_table_header(void)
{
	char line[CONSOLE_LINE_MAX];
	struct strbuf sb = STRBUF_INIT(line, sizeof(line));

	strbuf_printf(&sb, "%3s %-12s %-6s %-7s %-7s %5s %6s %7s %9s", "id", "name", "role",
		      "state", "cpus", "mem_mb", "starts", "refused", "exits");
	for (unsigned r = 0; r < HV_EXIT_REASONS; r++)
		strbuf_printf(&sb, " %7s", exit_columns[r]);
	printf("%s\n", line);
}

static void print_table_row(const struct hv_partition_status *p)
{
	char line[CONSOLE_LINE_MAX], cpus[CPUS_TEXT_MAX];
	struct strbuf sb = STRBUF_INIT(line, sizeof(line));

	format_cpus(p->cpu_mask, cpus, sizeof(cpus));
	strbuf_printf(&sb, "%3u %-12.*s %-6s %-7s %-7s %5lu %6lu %7lu %9lu", p->id, HV_NAME_LEN,
		      p->name, hv_role_name(p->role), hv_state_name(p->state), cpus,
		      (uint64_t)(p->memory_bytes / MiB), p->starts, p->hypercalls_refused,
		      exits_total(p));
	for (unsigned r = 0; r < HV_EXIT_REASONS; r++)
		strbuf_printf(&sb, " %7lu", p->exits[r]);
	printf("%s\n", line);
}

/*
 * The same facts as key=value fields, for tests and scripts, in two lines:
 * the hypervisor cuts log lines at 240 characters.
 */
static void print_fields(const struct hv_partition_status *p)
{
	char line[CONSOLE_LINE_MAX], cpus[CPUS_TEXT_MAX];
	struct strbuf sb = STRBUF_INIT(line, sizeof(line));

	strbuf_printf(&sb, "partition name=%.*s state=%s exits=%lu", HV_NAME_LEN, p->name,
		      hv_state_name(p->state), exits_total(p));
	for (unsigned r = 0; r < HV_EXIT_REASONS; r++)
		strbuf_printf(&sb, " %s=%lu", hv_exit_reason_name(r), p->exits[r]);
	printf("%s\n", line);

	format_cpus(p->cpu_mask, cpus, sizeof(cpus));
	printf("partition-info name=%.*s id=%u role=%s state=%s reason=%s cpus=%s memory=%lu "
	       "starts=%lu refused=%lu rip=0x%lx gpa=0x%lx\n",
	       HV_NAME_LEN, p->name, p->id, hv_role_name(p->role), hv_state_name(p->state),
	       hv_stop_reason_name(p->stop_reason), cpus, p->memory_bytes, p->starts,
	       p->hypercalls_refused, p->stop_rip, p->stop_gpa);
}

void partitions_print(void)
{
	long n = partitions_fetch();

	if (n < 0) {
		printf("error %s\n", errno_name((int)n));
		return;
	}
	print_table_header();
	for (size_t i = 0; i < list_count; i++)
		print_table_row(&list[i]);
	for (size_t i = 0; i < list_count; i++)
		print_fields(&list[i]);
	printf("partitions count=%ld\n", n);
}
