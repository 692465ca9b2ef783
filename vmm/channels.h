/*
 * Shared-memory channels between two partitions: one block of host memory
 * mapped into both partitions' nested tables, nowhere else. The ring
 * protocol on top lives in the guests.
 */
#ifndef VMM_CHANNELS_H
#define VMM_CHANNELS_H

#include "lib/config.h"

/*
 * After partitions_create(): allocates, zeroes and maps every [channel] of
 * cfg, then (cfg->vmbus) a "vmbus" channel of one whole slot between the
 * parent and each child. Refuses, before allocating any vmbus channel, a
 * configuration that would give a partition more than HV_GUEST_MAX_CHANNELS.
 */
int channels_create(const struct config *cfg);

#endif
