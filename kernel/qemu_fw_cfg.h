/*
 * QEMU's firmware configuration device (fw_cfg), read for one thing: what
 * the machine says about itself before the configuration is read, today the
 * isa-debug-exit port the launcher put there ("opt/hv/debug_exit_port").
 * Probed only when CPUID says a hypervisor is present, never on bare metal.
 */
#ifndef KERNEL_QEMU_FW_CFG_H
#define KERNEL_QEMU_FW_CFG_H

#include "hv/types.h"

#define FW_CFG_DEBUG_EXIT_PORT "opt/hv/debug_exit_port"

bool fw_cfg_present(void);
/* Reads the named file into buf (at most max bytes); its size in *len. */
int fw_cfg_read_file(const char *name, void *buf, size_t max, size_t *len);
/* The debug-exit port the machine announces, 0 if none. */
uint16_t fw_cfg_debug_exit_port(void);

#endif
