/*
 * The configuration as the core sees it: the file the loader found, with
 * the load options applied on top, validated before anything starts.
 */
#ifndef KERNEL_BOOT_CONFIG_H
#define KERNEL_BOOT_CONFIG_H

#include "hv/boot_info.h"
#include "lib/config.h"

/* Parses bi's configuration and command line; logs and returns -EINVAL on refusal. */
int boot_config_load(const struct boot_info *bi, struct config *cfg);
/* Checks the configuration against this machine (CPUs, images, SR-IOV). */
int config_validate_for_machine(const struct config *cfg);

#endif
