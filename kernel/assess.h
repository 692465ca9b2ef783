/*
 * The verdict on this machine: can it run the hypervisor, and if not, why.
 * Used by check mode (the project's virt-host-validate) and before running.
 */
#ifndef KERNEL_ASSESS_H
#define KERNEL_ASSESS_H

#include "lib/config.h"

struct assessment {
	unsigned required_missing;
	unsigned optional_missing;
	bool unsafe; /* runs only because unsafe_no_iommu was set */
};

/* Logs one "check:" line per finding and one verdict line. */
void assess_machine(const struct config *cfg, struct assessment *out);

#endif
