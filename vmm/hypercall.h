/* Hypercall dispatch: decode (hypercall_decode.c), then perform. */
#ifndef VMM_HYPERCALL_H
#define VMM_HYPERCALL_H

#include "vmm/vcpu.h"

/* Refused hypercalls per second beyond which a partition is stopped. */
#define HC_FLOOD_LIMIT 5000

void hypercall_handle(struct vcpu *v);

#endif
