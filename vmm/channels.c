/*
 * Shared-memory channels (see channels.h): the [channel] sections of the
 * configuration first, so their slots do not move, then the "vmbus" channel
 * between the parent and each child unless hypervisor.vmbus = no.
 */
#include "vmm/channels.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/memory.h"
#include "vmm/doorbell.h"
#include "vmm/partition.h"

#define VMBUS_NAME "vmbus"
#define VMBUS_KB (HV_GUEST_CHANNEL_SLOT / KiB) /* one whole slot */

static int refuse(const struct config_channel *c, const char *why)
{
	log_error("config", "refused field=\"channel %s.between\" reason=\"%s\"", c->name, why);
	return -EINVAL;
}

/* Maps the channel into p's guest-physical space in its next free slot. */
static int attach(struct partition *p, const struct partition *peer,
		  const struct config_channel *c, phys_addr_t hpa, uint64_t size)
{
	struct hv_guest_channel *ch;
	uint64_t gpa;
	int err;

	if (p->channel_count == HV_GUEST_MAX_CHANNELS)
		return refuse(c, "a partition can have at most 8 channels");
	gpa = HV_GUEST_CHANNEL_BASE_GPA + p->channel_count * HV_GUEST_CHANNEL_SLOT;
	err = paging_map(&p->npt, gpa, hpa, size, PAGE_READ | PAGE_WRITE | PAGE_CACHE_WB);
	if (err)
		return err;
	ch = &p->channels[p->channel_count++];
	hv_strlcpy(ch->name, c->name, sizeof(ch->name));
	hv_strlcpy(ch->peer, partition_name(peer), sizeof(ch->peer));
	ch->peer_id = peer->id;
	ch->gpa = gpa;
	ch->size = size;
	return 0;
}

/* Each child's vmbus region, for channels_reset_vmbus() when it starts again. */
static struct {
	const struct partition *child;
	phys_addr_t hpa;
	uint64_t size;
} vmbus[CONFIG_MAX_PARTITIONS];
static unsigned vmbus_count;

static int create_one(const struct config_channel *c, phys_addr_t *out_hpa)
{
	struct partition *a = partition_find(c->ends[0]), *b = partition_find(c->ends[1]);
	uint64_t size = ALIGN_UP((uint64_t)c->size_kb * KiB, PAGE_SIZE);
	phys_addr_t hpa;
	int err;

	if (!a || !b || a == b)
		return refuse(c, "needs two different partitions");
	if (size > HV_GUEST_CHANNEL_SLOT)
		return refuse(c, "larger than a channel slot");
	/* A whole slot is aligned as one: a single 2 MiB leaf in the nested tables. */
	if (ram_pages_alloc(size / PAGE_SIZE,
			    size == HV_GUEST_CHANNEL_SLOT ? HV_GUEST_CHANNEL_SLOT / PAGE_SIZE : 1,
			    &hpa))
		return refuse(c, "no memory left for it");
	memset((void *)(uintptr_t)hpa, 0, size);
	err = attach(a, b, c, hpa, size);
	if (!err)
		err = attach(b, a, c, hpa, size);
	if (out_hpa)
		*out_hpa = hpa;
	if (!err)
		log_info("vmm", "channel created name=%s between=%s,%s size=%llu hpa=0x%llx",
			 c->name, c->ends[0], c->ends[1], (unsigned long long)size,
			 (unsigned long long)hpa);
	return err;
}

static int refuse_vmbus(const char *why, unsigned have)
{
	log_error("config", "refused field=\"hypervisor.vmbus\" reason=\"%s\" channels=%u max=%u",
		  why, have, HV_GUEST_MAX_CHANNELS);
	return -EINVAL;
}

static struct partition *find_parent(void)
{
	for (unsigned id = 0; id < partition_count(); id++)
		if (partition_get(id)->role == PARTITION_PARENT)
			return partition_get(id);
	return NULL;
}

/* Checked before anything is allocated: each child one more channel, the parent one each. */
static int vmbus_check(const struct config *cfg, const struct partition *parent)
{
	unsigned children = partition_count() - 1;

	for (uint32_t i = 0; i < cfg->channel_count; i++)
		if (!strcmp(cfg->channels[i].name, VMBUS_NAME))
			return refuse_vmbus("[channel vmbus] is the hypervisor's own: rename it",
					    cfg->channel_count);
	if (parent->channel_count + children > HV_GUEST_MAX_CHANNELS)
		return refuse_vmbus("the parent would have more channels than it can map: "
				    "fewer children or [channel]s, or vmbus = no",
				    parent->channel_count + children);
	for (unsigned id = 0; id < partition_count(); id++) {
		const struct partition *p = partition_get(id);

		if (p != parent && p->channel_count + 1 > HV_GUEST_MAX_CHANNELS)
			return refuse_vmbus("a child would have more channels than it can map",
					    p->channel_count + 1);
	}
	return 0;
}

static int vmbus_create(const struct config *cfg)
{
	struct partition *parent = find_parent();
	struct config_channel c = {.name = VMBUS_NAME, .size_kb = VMBUS_KB};
	phys_addr_t hpa = 0;
	int err;

	if (!cfg->vmbus || !parent)
		return 0;
	err = vmbus_check(cfg, parent);
	hv_strlcpy(c.ends[0], partition_name(parent), sizeof(c.ends[0]));
	for (unsigned id = 0; !err && id < partition_count(); id++) {
		if (partition_get(id) == parent)
			continue;
		hv_strlcpy(c.ends[1], partition_name(partition_get(id)), sizeof(c.ends[1]));
		err = create_one(&c, &hpa);
		if (!err && vmbus_count < ARRAY_SIZE(vmbus)) {
			vmbus[vmbus_count].child = partition_get(id);
			vmbus[vmbus_count].hpa = hpa;
			vmbus[vmbus_count++].size = (uint64_t)c.size_kb * KiB;
		}
	}
	return err;
}

/*
 * The restart protocol (docs/channel.md, "A child starts again"): only the
 * parent starts a partition again, and its NetVSP does not touch the
 * child's region during that call and sets its rings up anew after it. The
 * child's vCPUs are parked. So nobody writes while this zeroes, and the new
 * child finds every ring uninitialised (ring_attach: -EAGAIN) until the
 * parent has initialised its producer ends, as at boot.
 */
void channels_reset_vmbus(const struct partition *child)
{
	for (unsigned i = 0; i < vmbus_count; i++) {
		if (vmbus[i].child != child)
			continue;
		memset((void *)(uintptr_t)vmbus[i].hpa, 0, vmbus[i].size);
		log_info("vmm", "channel reset name=%s partition=%s size=%llu", VMBUS_NAME,
			 partition_name(child), (unsigned long long)vmbus[i].size);
	}
}

int channels_create(const struct config *cfg)
{
	doorbell_configure(cfg);
	for (uint32_t i = 0; i < cfg->channel_count; i++) {
		int err = create_one(&cfg->channels[i], NULL);

		if (err)
			return err;
	}
	return vmbus_create(cfg);
}
