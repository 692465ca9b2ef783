/* Shared-memory channels (see channels.h). */
#include "vmm/channels.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/memory.h"
#include "vmm/partition.h"

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

static int create_one(const struct config_channel *c)
{
	struct partition *a = partition_find(c->ends[0]), *b = partition_find(c->ends[1]);
	uint64_t size = ALIGN_UP((uint64_t)c->size_kb * KiB, PAGE_SIZE);
	phys_addr_t hpa;
	int err;

	if (!a || !b || a == b)
		return refuse(c, "needs two different partitions");
	if (size > HV_GUEST_CHANNEL_SLOT)
		return refuse(c, "larger than a channel slot");
	if (ram_pages_alloc(size / PAGE_SIZE, 1, &hpa))
		return refuse(c, "no memory left for it");
	memset((void *)(uintptr_t)hpa, 0, size);
	err = attach(a, b, c, hpa, size);
	if (!err)
		err = attach(b, a, c, hpa, size);
	if (!err)
		log_info("vmm", "channel created name=%s between=%s,%s size=%llu hpa=0x%llx",
			 c->name, c->ends[0], c->ends[1], (unsigned long long)size,
			 (unsigned long long)hpa);
	return err;
}

int channels_create(const struct config *cfg)
{
	for (uint32_t i = 0; i < cfg->channel_count; i++) {
		int err = create_one(&cfg->channels[i]);

		if (err)
			return err;
	}
	return 0;
}
