/*
 * What a guest finds when it starts (docs/guest-sdk.md): 64-bit long mode,
 * paging on with guest-physical memory identity-mapped (2 MiB pages, page 0
 * unmapped), interrupts off, at its ELF entry point with
 *   RDI = guest-physical address of struct hv_guest_boot_info (HV_GUEST_BOOT_INFO_GPA)
 *   RSI = this vCPU's index in the partition (0 = the first of its CPUs)
 *   RSP = top of this vCPU's stack (HV_GUEST_STACK_SIZE bytes)
 * Every vCPU of a partition starts at the entry. Guest memory is one range
 * [0, memory_size); the loader keeps the low pages, the image and the
 * stacks, the rest is free (mem[] says which).
 */
#ifndef HV_GUEST_ABI_H
#define HV_GUEST_ABI_H

#include "hv/hypercall.h"

#define HV_GUEST_BOOT_MAGIC 0x544f4f4254534755ULL /* "UGSTBOOT" */
#define HV_GUEST_BOOT_VERSION 1
#define HV_GUEST_BOOT_INFO_GPA 0x1000ULL
#define HV_GUEST_GDT_GPA 0x2000ULL
#define HV_GUEST_PT_GPA 0x10000ULL /* guest page tables, up to HV_GUEST_PT_PAGES */
#define HV_GUEST_PT_PAGES 32
#define HV_GUEST_IMAGE_MIN_GPA 0x200000ULL /* ELF segments load at or above */
#define HV_GUEST_STACK_SIZE (64 * KiB)
#define HV_GUEST_MAX_VCPUS 16
#define HV_GUEST_MAX_DEVICES 16
#define HV_GUEST_MAX_MEM 8
#define HV_GUEST_CMDLINE_LEN 128
#define HV_GUEST_MAX_CHANNELS 8
/*
 * Shared-memory channels appear above any partition's memory, one 2 MiB
 * slot each from here; the guest maps them into its own page tables.
 */
#define HV_GUEST_CHANNEL_BASE_GPA 0x8000000000ULL
#define HV_GUEST_CHANNEL_SLOT (2 * MiB)

enum hv_guest_mem_type { HV_GUEST_MEM_FREE = 1, HV_GUEST_MEM_RESERVED = 2 };

struct hv_guest_mem_range {
	uint64_t base;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

/* A memory region shared with exactly one other partition (its peer). */
struct hv_guest_channel {
	char name[HV_NAME_LEN];
	char peer[HV_NAME_LEN];
	uint32_t peer_id;
	uint32_t reserved;
	uint64_t gpa;
	uint64_t size;
};

struct hv_guest_boot_info {
	uint64_t magic;
	uint32_t version;
	uint32_t size;
	uint32_t partition_id;
	uint32_t role; /* 0 parent, 1 child */
	char name[HV_NAME_LEN];
	uint64_t memory_size; /* guest-physical memory is [0, memory_size) */
	uint32_t mem_count;
	uint32_t vcpu_count;
	struct hv_guest_mem_range mem[HV_GUEST_MAX_MEM];
	/* vCPU index -> physical x2APIC id, for the guest's own IPIs */
	uint32_t apic_ids[HV_GUEST_MAX_VCPUS];
	uint32_t device_count;
	uint32_t devices[HV_GUEST_MAX_DEVICES]; /* segment<<16 | bus<<8 | devfn */
	uint64_t ecam_base; /* PCI config space window (MMIO, emulated) */
	uint16_t ecam_segment;
	uint8_t ecam_start_bus;
	uint8_t ecam_end_bus;
	uint32_t channel_count;
	uint64_t tsc_hz;	/* calibrated by the hypervisor */
	uint64_t apic_timer_hz; /* divide-by-1 rate of the local APIC timer */
	char cmdline[HV_GUEST_CMDLINE_LEN];
	struct hv_guest_channel channels[HV_GUEST_MAX_CHANNELS];
	/*
	 * Added after the first release of version 1, at the end so every
	 * older field keeps its offset: a guest reads a field only when size
	 * covers it (HV_GUEST_BOOT_HAS). The version changes only when a
	 * field moves or changes its meaning.
	 */
	uint32_t sriov_vfs; /* parent: [sriov] vfs, the VFs to enable on its PF */
	uint32_t reserved_end;
};
_Static_assert(sizeof(struct hv_guest_boot_info) <= 4096, "boot info fits its page");

/* Whether the hypervisor that wrote bi filled field (one added after the first release). */
#define HV_GUEST_BOOT_HAS(bi, field)                                                               \
	((bi)->size >= offsetof(struct hv_guest_boot_info, field) + sizeof((bi)->field))

#endif
