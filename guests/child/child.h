/*
 * The child partition's test guest. By default it only heartbeats and
 * checks what the hypervisor gave it; `hostile=<behaviour>` on its command
 * line makes it misbehave after the second heartbeat, so tests can watch
 * the hypervisor contain it (docs/guest-sdk.md lists the behaviours).
 */
#ifndef GUESTS_CHILD_CHILD_H
#define GUESTS_CHILD_CHILD_H

#include "hv/guest_abi.h"

/* The command line, terminated: boot_info.cmdline need not be. */
#define CHILD_CMDLINE_SIZE (HV_GUEST_CMDLINE_LEN + 1)

/* checks.c: EXPECTs on the boot info and the basic hypercalls */
void checks_run(const struct hv_guest_boot_info *bi);
void checks_secondary(const struct hv_guest_boot_info *bi, unsigned vcpu);

/* vf_user.c: device notices, and an offered VF's plumbing */
void vf_user_start(const struct hv_guest_boot_info *bi);
void vf_user_poll(void);

/* doorbell_test.c: the vmbus channel's doorbells, doorbell=echo|ring|flood */
void doorbell_test_start(const struct hv_guest_boot_info *bi);
void doorbell_test_poll(void);
void doorbell_test_beat(uint64_t beat, uint64_t prev);

/* vf_net.c: the VF driver on an offered VF (after vf_user.c mapped it), stopped on revocation */
#define VF_NET_MSIX_VECTOR 0x50 /* what vf_user.c programs into MSI-X entry 0 */
void vf_net_offered(uint32_t bdf, uint64_t bar0, const char *opts);
void vf_net_revoking(uint32_t bdf, bool stubborn);
void vf_net_poll(void);

/* hostile.c: picks the behaviour named by hostile=... and runs it */
void hostile_run(const struct hv_guest_boot_info *bi);

/* The behaviours; cmdline is the terminated command line for their options. */
void hostile_oob(const struct hv_guest_boot_info *bi, const char *cmdline);
void hostile_hypercalls(const struct hv_guest_boot_info *bi, const char *cmdline);
void hostile_triple_fault(const struct hv_guest_boot_info *bi, const char *cmdline);
void hostile_ipi(const struct hv_guest_boot_info *bi, const char *cmdline);
void hostile_msr(const struct hv_guest_boot_info *bi, const char *cmdline);
void hostile_io(const struct hv_guest_boot_info *bi, const char *cmdline);
void hostile_invd(const struct hv_guest_boot_info *bi, const char *cmdline);
void hostile_invlpga(const struct hv_guest_boot_info *bi, const char *cmdline);

#endif
