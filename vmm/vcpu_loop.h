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

#endif
