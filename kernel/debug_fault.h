/*
 * hypervisor.debug_fault: raises one exception in the core after boot, so
 * tests can see the exception report from the outside.
 */
#ifndef KERNEL_DEBUG_FAULT_H
#define KERNEL_DEBUG_FAULT_H

#include "lib/config.h"

/* Returns only for CONFIG_FAULT_NONE. */
void debug_fault_raise(enum config_fault fault);

/* The address the page-fault case reads: canonical, far above any RAM, never mapped. */
#define DEBUG_FAULT_ADDRESS 0x00000dead0000000ULL

#endif
