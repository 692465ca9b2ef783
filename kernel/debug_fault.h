/*
 * hypervisor.debug_fault: raises one exception in the core after boot, so
 * tests can see the exception report from the outside.
 */
#ifndef KERNEL_DEBUG_FAULT_H
#define KERNEL_DEBUG_FAULT_H

#include "lib/config.h"

/* Returns only for CONFIG_FAULT_NONE. */
void debug_fault_raise(enum config_fault fault);

/* The address the page-fault case touches: never mapped (page 0 is not). */
#define DEBUG_FAULT_ADDRESS 0xdeadULL

#endif
