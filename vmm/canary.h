/*
 * Canaries: pages of the hypervisor filled with a known pattern at boot and
 * checked after every containment, so a test (and a user) can see that a
 * partition's attempt on the hypervisor's memory changed nothing.
 */
#ifndef VMM_CANARY_H
#define VMM_CANARY_H

#include "hv/types.h"

int canary_init(void);
uint64_t canary_hpa(void);
/* Logs "canary state=intact|corrupted where=<where>"; returns true if intact. */
bool canary_check_all(const char *where);

#endif
