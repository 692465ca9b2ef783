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

struct partition;
/*
 * Zeroes the vmbus region of child (if it has one): partition_start()
 * calls it when the child starts again, with its vCPUs parked, inside the
 * parent's hypercall (docs/channel.md, "A child starts again").
 */
void channels_reset_vmbus(const struct partition *child);

#endif
