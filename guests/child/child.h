/*
 * The child partition's test guest. By default it only heartbeats and
 * checks what the hypervisor gave it; `hostile=<behaviour>` on its command
 * line makes it misbehave after the second heartbeat, so tests can watch
 * the hypervisor contain it (docs/guest-sdk.md lists the behaviours).
 */
#ifndef GUESTS_CHILD_CHILD_H
#define GUESTS_CHILD_CHILD_H

#include "hv/guest_abi.h"
#include "guests/lib/netvsc_proto.h"

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
void vf_net_revoking(uint32_t bdf, bool keep);
void vf_net_poll(void);
/* For the bond (net_app.c): one frame out of the VF (0, -EAGAIN full, -ENOTCONN), TX all done? */
int vf_net_send(const void *frame, size_t len);
bool vf_net_tx_idle(void);
uint64_t vf_net_irqs(void);

/* netvsc.c: the synthetic NIC on the vmbus channel (docs/netvsc.md) */
struct netvsc_counters {
	uint64_t tx_frames, rx_frames, batches, ring_full, malformed, doorbells;
	uint64_t rx_deferred; /* reads put off: the bond's hold queue was low on room */
};
int netvsc_start(const struct hv_guest_boot_info *bi);
void netvsc_poll(void);
/* Writes out the frames batched this round and rings the parent if it must. */
void netvsc_flush(void);
/* Before sleeping: unmask the parent's rings; true if a packet is there (don't sleep). */
bool netvsc_arm(void);
bool netvsc_ready(void);
/* 0 (batched), -EAGAIN (ring full), -ENOTCONN (not up). */
int netvsc_send_frame(const void *frame, size_t len);
/* A netvsc message, after the frames batched before it: 0 or -EAGAIN. */
int netvsc_send_msg(const void *msg, size_t len);
const struct netvsc_counters *netvsc_counters(void);
/* Test aids of netvsc_hostile.c: the region, a raw doorbell, a raw message. */
uint8_t *netvsc_region(void);
int netvsc_kick(void);
int netvsc_send_raw(const void *msg, size_t len);

/* net_app.c: the child's network (IP stack over the bond of synthetic NIC and VF) */
void net_app_start(const struct hv_guest_boot_info *bi);
void net_app_poll(void);
/* The main loop's wait: the next tick, a doorbell or a VF interrupt. */
uint64_t net_app_wait(uint64_t seen);
void net_app_synthetic_up(const uint8_t mac[NVSP_ETH_ALEN], bool link_up);
void net_app_rx(enum nvsp_path path, const void *frame, size_t len);
/* Frames the network can still take for sending (the bond's hold room): read no more. */
uint32_t net_app_rx_room(void);
/* The parent's other netvsc messages (VF_ASSOCIATE, SWITCH_ACK, LINK, STATS_*). */
void net_app_msg(const struct nvsp_msg *m);
void net_app_vf_offered(uint32_t bdf);
void net_app_vf_ready(const uint8_t mac[NVSP_ETH_ALEN]);
/* A revocation notice: true when the VF must be kept until net_app_vf_releasable(). */
bool net_app_vf_revoking(uint32_t bdf);
bool net_app_vf_releasable(void);

/* netvsc_hostile.c: hostile=ring (ring indices), netmsg (malformed messages), doorbells (flood) */
void hostile_ring(const struct hv_guest_boot_info *bi, const char *cmdline);
void hostile_netmsg(const struct hv_guest_boot_info *bi, const char *cmdline);
void hostile_doorbells(const struct hv_guest_boot_info *bi, const char *cmdline);

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
