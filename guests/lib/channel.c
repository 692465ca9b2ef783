/* Mapping shared-memory channels (see channel.h). */
#include "guests/lib/channel.h"
#include "guests/lib/paging.h"

void *channel_map(const struct hv_guest_channel *ch)
{
	if (!ch->size || paging_identity_map(ch->gpa, ch->size, 0))
		return NULL;
	return (void *)(uintptr_t)ch->gpa;
}
