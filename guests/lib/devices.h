/*
 * Devices and the hypervisor: notices about a partition's own devices, and
 * the parent's VF assignment calls (include/hv/hypercall.h). A bdf here is
 * bus << 8 | device << 3 | function (segment 0), written "bb:dd.f".
 */
#ifndef GUESTS_LIB_DEVICES_H
#define GUESTS_LIB_DEVICES_H

#include "hv/hypercall.h"

/* Any partition */
long hc_notice(struct hv_notice *notice);
/* Takes HV_NOTICE_VECTOR; notices_signalled() counts its arrivals. */
void notices_enable(void);
uint64_t notices_signalled(void);
/* When signalled since the last call (and on the first): hands each queued notice to handle. */
unsigned notices_poll(void (*handle)(const struct hv_notice *n));
long hc_device_release(uint32_t bdf);

/* Parent only */
long hc_vf_assign(uint32_t bdf, uint32_t partition_id);
long hc_vf_revoke(uint32_t bdf);
long hc_device_list(struct hv_device_status *list, size_t max);
/* Revokes and waits for the end (release or the hypervisor's deadline), up to max_us. */
long vf_revoke_wait(uint32_t bdf, uint64_t max_us);

/* "bb:dd.f" (hex bus and device, function 0..7) -> 0 and *bdf, or -EINVAL. */
int bdf_parse(const char *s, uint32_t *bdf);
/* "bb:dd.f" into buf (at least 8 bytes). */
const char *bdf_format(uint32_t bdf, char *buf, size_t size);
const char *notice_kind_name(uint32_t kind);

#endif
