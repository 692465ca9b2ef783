/*
 * Typed hypercall wrappers (ABI: include/hv/hypercall.h, docs/hypercalls.md).
 * Each returns the hypervisor's result: >= 0 on success, a negative errno
 * (include/hv/errno.h) on failure. Buffers are passed by address: guest
 * memory is identity-mapped, so a pointer is its guest-physical address.
 */
#ifndef GUESTS_LIB_HYPERCALLS_H
#define GUESTS_LIB_HYPERCALLS_H

#include "hv/hypercall.h"

/* Any partition */
long hc_version(void);
long hc_console_write(const void *buf, size_t len);
long hc_partition_self(struct hv_partition_status *status);
long hc_idle(uint64_t max_us);
/* Rings the peer of boot_info.channels[index] (guests/lib/doorbell.h). */
long hc_channel_signal(uint32_t index);

/* Parent only: a child gets -EPERM */
long hc_console_read(void *buf, size_t len);
long hc_partition_list(struct hv_partition_status *list, size_t max);
long hc_partition_start(uint32_t id);
long hc_partition_stop(uint32_t id);
long hc_partition_restart(uint32_t id);
long hc_partition_event(struct hv_partition_event *event);

/* Any call number with any arguments: for tests of the hypervisor's checks. */
long hc_raw(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);

/* Picks VMCALL on Intel, VMMCALL otherwise; the runtime calls it at start. */
void hc_detect_instruction(void);

#endif
