/*
 * Shared-memory channels as a guest finds them in its boot info
 * (include/hv/guest_abi.h): a region shared with one peer partition, at a
 * guest-physical address above its memory that the guest maps itself.
 */
#ifndef GUESTS_LIB_CHANNEL_H
#define GUESTS_LIB_CHANNEL_H

#include "hv/guest_abi.h"

/* Maps the channel into this guest's page tables; NULL if it can't. */
void *channel_map(const struct hv_guest_channel *ch);

/*
 * The index in bi->channels[] of the channel called name whose peer is the
 * partition called peer (NULL: any peer; the parent has a "vmbus" to each
 * child), or -ENOENT. The index is what doorbell_ring() takes.
 */
int channel_find(const struct hv_guest_boot_info *bi, const char *name, const char *peer);

#endif
