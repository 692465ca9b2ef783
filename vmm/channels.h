/*
 * Shared-memory channels between two partitions: one block of host memory
 * mapped into both partitions' nested tables, nowhere else. The ring
 * protocol on top lives in the guests.
 */
#ifndef VMM_CHANNELS_H
#define VMM_CHANNELS_H

#include "lib/config.h"

/* After partitions_create(): allocates and maps every [channel] of cfg. */
int channels_create(const struct config *cfg);

#endif
