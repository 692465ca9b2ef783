/*
 * Running a vCPU on its CPU: enter, handle the exit, repeat; park when the
 * partition stops, resume when it starts again.
 */
#ifndef VMM_VCPU_LOOP_H
#define VMM_VCPU_LOOP_H

#include "vmm/vcpu.h"

void vcpu_loop(void *vcpu) __noreturn;
/* Sets the request and kicks the vCPU's CPU if it isn't this one. */
void vcpu_request(struct vcpu *v, enum vcpu_request req);
/*
 * After nested mappings of p were removed: every vCPU of p drops its cached
 * translations before it runs guest code again. Returns once each has (or
 * is parked, and will before it enters), -ETIMEDOUT if one didn't in time.
 */
struct partition;
int vcpu_loop_unmapped(struct partition *p);

#endif
