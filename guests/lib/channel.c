/* Mapping shared-memory channels (see channel.h). */
#include "guests/lib/channel.h"
#include "guests/lib/paging.h"
#include "hv/errno.h"
#include "hv/string.h"

void *channel_map(const struct hv_guest_channel *ch)
{
	if (!ch->size || paging_identity_map(ch->gpa, ch->size, 0))
		return NULL;
	return (void *)(uintptr_t)ch->gpa;
}

/* Boot info names need not be terminated: compare within HV_NAME_LEN. */
static bool name_is(const char field[HV_NAME_LEN], const char *name)
{
	size_t len = strlen(name);

	return len < HV_NAME_LEN && !strncmp(field, name, HV_NAME_LEN) && field[len] == '\0';
}

int channel_find(const struct hv_guest_boot_info *bi, const char *name, const char *peer)
{
	for (uint32_t i = 0; i < bi->channel_count && i < HV_GUEST_MAX_CHANNELS; i++) {
		const struct hv_guest_channel *ch = &bi->channels[i];

		if (name_is(ch->name, name) && (!peer || name_is(ch->peer, peer)))
			return (int)i;
	}
	return -ENOENT;
}
