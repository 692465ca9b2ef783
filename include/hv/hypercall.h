/*
 * The hypercall ABI between partitions and the hypervisor (docs/hypercalls.md).
 * Shared by the hypervisor and guests/lib; nothing else may define these.
 *
 * Instruction: VMMCALL on AMD (0f 01 d9), VMCALL on Intel (0f 01 c1).
 * In:  RAX = call number, RDI, RSI, RDX, R10, R8 = arguments 0..4.
 * Out: RAX = result: >= 0 success, < 0 a negative errno (include/hv/errno.h).
 * Every other register is preserved. Addresses are guest-physical.
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "hv/types.h"

#define HV_ABI_VERSION 1

enum hv_hypercall {
	/* Any partition */
	HC_VERSION = 0,		   /* () -> HV_ABI_VERSION */
	HC_CONSOLE_WRITE = 1,	   /* (gpa buf, len <= HC_CONSOLE_MAX) -> len */
	HC_PARTITION_SELF = 2,	   /* (gpa struct hv_partition_status *) -> 0 */
	HC_IDLE = 3,		   /* (max_us) -> 0: wait for an interrupt or max_us */
	/* Parent only: -EPERM from a child */
	HC_CONSOLE_READ = 16,	   /* (gpa buf, len) -> bytes read, 0 if none waiting */
	HC_PARTITION_LIST = 17,	   /* (gpa struct hv_partition_status[], max) -> count */
	HC_PARTITION_START = 18,   /* (id) -> 0 */
	HC_PARTITION_STOP = 19,	   /* (id) -> 0 */
	HC_PARTITION_RESTART = 20, /* (id) -> 0: stop, reload the image, start */
	HC_PARTITION_EVENT = 21,   /* (gpa struct hv_partition_event *) -> 1 event, 0 none */
	HC_COUNT
};

#define HC_CONSOLE_MAX 4096
#define HV_NAME_LEN 32

enum hv_partition_state {
	HV_PARTITION_STOPPED = 0, /* never started, or stopped by the parent */
	HV_PARTITION_RUNNING = 1,
	HV_PARTITION_FAULTED = 2, /* stopped by the hypervisor: see stop_reason */
};

/* Why the hypervisor stopped a partition. */
enum hv_stop_reason {
	HV_STOP_NONE = 0,
	HV_STOP_BY_PARENT = 1,
	HV_STOP_NPT_VIOLATION = 2, /* access outside its memory; gpa says where */
	HV_STOP_TRIPLE_FAULT = 3,
	HV_STOP_UNHANDLED_EXIT = 4, /* an instruction the hypervisor won't emulate */
	HV_STOP_FLOOD = 5,	    /* too many refused requests per second */
	HV_STOP_BAD_STATE = 6,	    /* VMRUN refused the guest state */
	HV_STOP_FORBIDDEN = 7,	    /* IPI/NMI/INIT to a foreign CPU, APIC base, EFER.SVME */
};

/* Exit reasons as counted per partition (vendor exit codes are mapped). */
enum hv_exit_reason {
	HV_EXIT_HYPERCALL,
	HV_EXIT_CPUID,
	HV_EXIT_MSR,
	HV_EXIT_IO,
	HV_EXIT_NPF,
	HV_EXIT_MMIO, /* NPF emulated as MMIO */
	HV_EXIT_NMI,
	HV_EXIT_INTR,
	HV_EXIT_HLT,
	HV_EXIT_SHUTDOWN,
	HV_EXIT_EXCEPTION,
	HV_EXIT_OTHER,
	HV_EXIT_REASONS
};

struct hv_partition_status {
	uint32_t id;
	uint32_t role; /* 0 parent, 1 child */
	char name[HV_NAME_LEN];
	uint32_t state;	      /* enum hv_partition_state */
	uint32_t stop_reason; /* enum hv_stop_reason */
	uint64_t cpu_mask;    /* host CPU indexes */
	uint64_t memory_bytes;
	uint64_t starts;
	uint64_t hypercalls_refused;
	uint64_t exits[HV_EXIT_REASONS];
	uint64_t stop_rip;
	uint64_t stop_gpa;
};

struct hv_partition_event {
	uint32_t partition_id;
	uint32_t state; /* the new state */
	uint32_t stop_reason;
	/*
	 * Nonzero: not a state change but a device of the partition quarantined
	 * after a DMA fault: bus << 8 | devfn, plus 1; gpa is the faulting address.
	 */
	uint32_t quarantined_device;
	uint64_t rip;
	uint64_t gpa;
};

#endif
