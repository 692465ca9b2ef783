/* The virtual machine monitor's entry: from a validated configuration to running partitions. */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include "hv/boot_info.h"
#include "lib/config.h"

/* Creates and starts every partition, then runs this CPU's vCPU. */
void vmm_run(const struct config *cfg, const struct boot_info *bi) __noreturn;

#endif
