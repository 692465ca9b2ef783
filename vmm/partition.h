/*
 * Partitions: a set of dedicated CPUs, one block of dedicated host memory
 * mapped at guest-physical 0 by nested paging, a guest image, the devices
 * it owns. Created from the configuration at boot; started, stopped and
 * restarted by the parent (hypercalls) or stopped by the hypervisor when a
 * child misbehaves (containment).
 */
#ifndef VMM_PARTITION_H
#define VMM_PARTITION_H

#include "hv/boot_info.h"
#include "hv/guest_abi.h"
#include "iommu/iommu.h"
#include "kernel/mm/paging.h"
#include "kernel/spinlock.h"
#include "lib/config.h"
#include "vmm/vcpu.h"

#define PARTITION_CONSOLE_LINE 240
#define PARTITION_NOTICES 16

struct partition {
	unsigned id;
	const struct config_partition *cfg;
	const struct boot_module *image;
	enum partition_role role;
	unsigned vcpu_count;
	struct vcpu *vcpus[HV_GUEST_MAX_VCPUS];
	phys_addr_t mem_hpa;
	uint64_t mem_size;
	struct paging npt;
	volatile uint32_t npt_gen; /* bumped when mappings are removed (vmm/vcpu_loop.h) */
	struct iommu_domain dma; /* the same guest-physical map, for its devices */

	struct spinlock lock; /* state changes, console line */
	volatile uint32_t state; /* enum hv_partition_state */
	uint32_t stop_reason;
	uint64_t stop_rip, stop_gpa;
	uint64_t starts;
	uint64_t exits[HV_EXIT_REASONS];
	uint64_t hypercalls_refused;
	uint64_t flood_window_start, flood_window_refused;

	unsigned channel_count;
	struct hv_guest_channel channels[HV_GUEST_MAX_CHANNELS];

	/* Notices about its own devices (vmm/notice.h), oldest dropped when full. */
	struct spinlock notice_lock;
	struct hv_notice notices[PARTITION_NOTICES];
	unsigned notice_head, notice_tail;
	uint64_t notices_dropped;

	char console[PARTITION_CONSOLE_LINE + 1];
	size_t console_len;
};

/* Builds every partition of the configuration; logs and fails naming the field. */
int partitions_create(const struct config *cfg, const struct boot_info *bi);
unsigned partition_count(void);
struct partition *partition_find(const char *name);
struct partition *partition_get(unsigned id);
struct partition *partition_of_cpu(unsigned host_cpu);

/* Loads the image and resets every vCPU; the vCPUs enter on their CPUs. */
int partition_start(struct partition *p);
/* Parks every vCPU (kicking the other CPUs) and records why. */
void partition_stop(struct partition *p, enum hv_stop_reason reason, uint64_t rip, uint64_t gpa);
const char *partition_name(const struct partition *p);
const char *stop_reason_name(uint32_t reason);
const char *partition_state_name(uint32_t state);

/* Guest memory access: NULL unless [gpa, gpa+len) lies inside the partition. */
void *partition_gpa_to_host(const struct partition *p, uint64_t gpa, uint64_t len);

/* Parent notifications (stops, starts); the parent reads them by hypercall. */
void partition_event_push(const struct partition *p);
void partition_event_push_device(const struct partition *p, uint32_t bdf, uint64_t addr);
bool partition_event_pop(struct hv_partition_event *ev);

void partition_fill_status(const struct partition *p, struct hv_partition_status *st);

#endif
