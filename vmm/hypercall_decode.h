/*
 * The decode half of every hypercall (seL4's decode/perform split): all that
 * can be checked about a call without touching the machine is checked here,
 * so the perform half (vmm/hypercall.c) can't fail on bad arguments.
 * Pure logic, unit-tested with hostile arguments.
 */
#ifndef VMM_HYPERCALL_DECODE_H
#define VMM_HYPERCALL_DECODE_H

#include "hv/hypercall.h"

#define HC_ARGS 5
#define HC_IDLE_MAX_US 1000000ULL
#define HC_LIST_MAX 16
#define HC_DEVICE_LIST_MAX 48

struct hc_caller {
	unsigned id;	  /* the calling partition */
	bool parent;
	uint64_t mem_size; /* its guest-physical memory is [0, mem_size) */
	unsigned partition_count;
	unsigned channel_count; /* entries of its boot info channels[] */
};

struct hc_call {
	uint64_t nr;
	uint64_t gpa; /* the guest buffer, checked to lie in the caller's memory */
	uint64_t len; /* its length in bytes */
	uint64_t count;
	unsigned target; /* partition id for start/stop/restart and VF assignment */
	uint32_t bdf;	 /* device calls: a well-formed segment:bus:devfn */
	unsigned channel; /* HC_CHANNEL_SIGNAL: an index below the caller's channel_count */
};

/* 0, or -ENOSYS, -EPERM, -EFAULT, -E2BIG, -EINVAL, -ENOENT. */
int hc_decode(const struct hc_caller *caller, uint64_t nr, const uint64_t args[HC_ARGS],
	      struct hc_call *out);
const char *hc_name(uint64_t nr);

#endif
