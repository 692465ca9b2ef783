/*
 * Checks of the partitions against each other and against the machine,
 * which the parser cannot make line by line: one parent, nothing given to
 * two partitions, nothing the machine does not have, no channel to a
 * partition that is not there. Run once the CPU count
 * is known, before any partition is built.
 */
#include "lib/config.h"
#include "lib/config_value.h"
#include "hv/errno.h"
#include "hv/format.h"
#include "hv/string.h"

/* "partition NAME.key"; the name is bounded: cfg may not come from the parser. */
static void partition_field(struct config_error *err, const struct config_partition *p,
			    const char *key)
{
	char label[48];

	hv_snprintf(label, sizeof(label), "partition %.31s", p->name);
	config_set_field(err, label, key);
}

static uint64_t existing_cpus(unsigned cpu_count)
{
	return cpu_count >= CONFIG_MAX_CPUS ? ~0ULL : BIT(cpu_count) - 1;
}

static int check_complete(const struct config_partition *p, unsigned cpu_count,
			  struct config_error *err)
{
	uint64_t missing = p->cpu_mask & ~existing_cpus(cpu_count);

	if (!p->image[0]) {
		partition_field(err, p, "image");
		return config_refuse(err, "no image given");
	}
	if (!p->memory_mb) {
		partition_field(err, p, "memory_mb");
		return config_refuse(err, "no memory given");
	}
	partition_field(err, p, "cpus");
	if (!p->cpu_mask)
		return config_refuse(err, "no CPU given");
	if (missing)
		return config_refuse(err, "CPU %d does not exist: the machine has %u CPUs",
				     __builtin_ctzll(missing), cpu_count);
	if (p->device_count > CONFIG_MAX_DEVICES) {
		partition_field(err, p, "devices");
		return config_refuse(err, "more than %u devices", CONFIG_MAX_DEVICES);
	}
	return 0;
}

static int check_one_parent(const struct config *cfg, struct config_error *err)
{
	const struct config_partition *parent = NULL;

	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct config_partition *p = &cfg->partitions[i];

		if (p->role != PARTITION_PARENT)
			continue;
		if (parent) {
			partition_field(err, p, "role");
			return config_refuse(err, "'%.31s' is the parent already: there is one",
					     parent->name);
		}
		parent = p;
	}
	if (cfg->partition_count && !parent) {
		partition_field(err, &cfg->partitions[0], "role");
		return config_refuse(err, "no partition has role = parent: one must");
	}
	return 0;
}

static bool owns_device(const struct config_partition *p, uint32_t bdf)
{
	for (uint32_t i = 0; i < p->device_count; i++) {
		if (p->devices[i] == bdf)
			return true;
	}
	return false;
}

/* Partition b against every partition before it; the error names b. */
static int check_disjoint(const struct config *cfg, uint32_t b, struct config_error *err)
{
	const struct config_partition *pb = &cfg->partitions[b];

	for (uint32_t a = 0; a < b; a++) {
		const struct config_partition *pa = &cfg->partitions[a];
		uint64_t shared = pa->cpu_mask & pb->cpu_mask;

		if (shared) {
			partition_field(err, pb, "cpus");
			return config_refuse(err, "CPU %d is given to partition '%.31s' too",
					     __builtin_ctzll(shared), pa->name);
		}
		for (uint32_t i = 0; i < pb->device_count; i++) {
			uint32_t d = pb->devices[i];

			if (!owns_device(pa, d))
				continue;
			partition_field(err, pb, "devices");
			return config_refuse(err, "%04x:%02x:%02x.%x is owned by '%.31s' too",
					     CONFIG_BDF_SEG(d), CONFIG_BDF_BUS(d),
					     CONFIG_BDF_DEV(d), CONFIG_BDF_FN(d), pa->name);
		}
	}
	return 0;
}

static bool partition_exists(const struct config *cfg, const char *name)
{
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		if (!strncmp(cfg->partitions[i].name, name, sizeof(cfg->partitions[i].name)))
			return true;
	}
	return false;
}

/*
 * The parser lets a channel name partitions defined further down the file,
 * so only here, with every partition known, can an end be found missing.
 */
static int check_channel(const struct config *cfg, const struct config_channel *c,
			 struct config_error *err)
{
	char label[48];

	hv_snprintf(label, sizeof(label), "channel %.31s", c->name);
	config_set_field(err, label, "between");
	if (!strncmp(c->ends[0], c->ends[1], sizeof(c->ends[0])))
		return config_refuse(err, "both ends are '%.31s': a channel joins two", c->ends[0]);
	for (size_t e = 0; e < ARRAY_SIZE(c->ends); e++) {
		if (!partition_exists(cfg, c->ends[e]))
			return config_refuse(err, "partition '%.31s' is not defined", c->ends[e]);
	}
	return 0;
}

int config_validate_partitions(const struct config *cfg, unsigned cpu_count,
			       struct config_error *err)
{
	struct config_error scratch;

	if (!err)
		err = &scratch;
	config_error_clear(err);
	if (cfg->partition_count > CONFIG_MAX_PARTITIONS)
		return config_refuse(err, "more than %u partitions", CONFIG_MAX_PARTITIONS);
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		if (check_complete(&cfg->partitions[i], cpu_count, err))
			return -EINVAL;
	}
	if (check_one_parent(cfg, err))
		return -EINVAL;
	for (uint32_t i = 1; i < cfg->partition_count; i++) {
		if (check_disjoint(cfg, i, err))
			return -EINVAL;
	}
	if (cfg->channel_count > CONFIG_MAX_CHANNELS) {
		config_set_field(err, "", NULL);
		return config_refuse(err, "more than %u channels", CONFIG_MAX_CHANNELS);
	}
	for (uint32_t i = 0; i < cfg->channel_count; i++) {
		if (check_channel(cfg, &cfg->channels[i], err))
			return -EINVAL;
	}
	config_error_clear(err);
	return 0;
}
