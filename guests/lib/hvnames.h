/*
 * Names of the hypervisor's enums (include/hv/hypercall.h) as the guests
 * print them: the same words the hypervisor's log and docs/hypercalls.md
 * use, so one test pattern matches both ("npt-violation" for
 * HV_STOP_NPT_VIOLATION, "hlt" for HV_EXIT_HLT). Values the table doesn't
 * know come back as "unknown".
 */
#ifndef GUESTS_LIB_HVNAMES_H
#define GUESTS_LIB_HVNAMES_H

#include "hv/hypercall.h"

const char *hv_state_name(uint32_t state);
const char *hv_stop_reason_name(uint32_t reason);
const char *hv_exit_reason_name(uint32_t reason);
const char *hv_role_name(uint32_t role);

#endif
