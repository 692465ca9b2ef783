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
	HC_NOTICE = 4,		   /* (gpa struct hv_notice *) -> 1 notice, 0 none */
	HC_DEVICE_RELEASE = 5,	   /* (bdf) -> 0: lets go of a device being revoked */
	/* Parent only: -EPERM from a child */
	HC_CONSOLE_READ = 16,	   /* (gpa buf, len) -> bytes read, 0 if none waiting */
	HC_PARTITION_LIST = 17,	   /* (gpa struct hv_partition_status[], max) -> count */
	HC_PARTITION_START = 18,   /* (id) -> 0 */
	HC_PARTITION_STOP = 19,	   /* (id) -> 0 */
	HC_PARTITION_RESTART = 20, /* (id) -> 0: stop, reload the image, start */
	HC_PARTITION_EVENT = 21,   /* (gpa struct hv_partition_event *) -> 1 event, 0 none */
	HC_VF_ASSIGN = 22,	   /* (vf bdf, partition id) -> 0 */
	HC_VF_REVOKE = 23,	   /* (vf bdf) -> 0 back with the parent, -EAGAIN still waiting */
	HC_DEVICE_LIST = 24,	   /* (gpa struct hv_device_status[], max) -> count */
	/* Any partition again: numbers above the parent-only block */
	HC_CHANNEL_SIGNAL = 25, /* (index in boot info channels[]) -> 0; -EAGAIN throttled */
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
	uint64_t doorbells_sent;    /* HC_CHANNEL_SIGNALs delivered, all its channels */
	uint64_t doorbells_dropped; /* and those dropped by flood control */
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

/*
 * What the hypervisor tells a partition about its own devices (HC_NOTICE).
 * bdf is segment << 16 | bus << 8 | devfn.
 */
/*
 * When it queues a notice, the hypervisor sends this fixed interrupt to the
 * partition's vCPU 0 (interrupts pass through: it arrives in the guest's
 * IDT). The guest then drains its notices with HC_NOTICE.
 */
#define HV_NOTICE_VECTOR 0xf1
/*
 * The doorbell of a shared-memory channel: HC_CHANNEL_SIGNAL sends this
 * fixed interrupt to the peer partition's vCPU 0. It carries no data (which
 * channel rang is for the peer to find by looking at its rings).
 */
#define HV_CHANNEL_VECTOR 0xf2

enum hv_notice_kind {
	HV_NOTICE_DEVICE_OFFERED = 1,  /* a VF is now yours: config space and BARs reachable */
	HV_NOTICE_DEVICE_REVOKING = 2, /* stop using it and HC_DEVICE_RELEASE it; deadline_us */
	HV_NOTICE_DEVICE_REVOKED = 3,  /* gone (released, or taken at the deadline) */
	HV_NOTICE_DMA_FAULT = 4,       /* your device's DMA faulted at addr */
	HV_NOTICE_QUARANTINED = 5,     /* your device is off the bus after DMA faults */
};

struct hv_notice {
	uint32_t kind; /* enum hv_notice_kind */
	uint32_t bdf;
	uint64_t addr;	      /* DMA faults: the guest-physical address */
	uint64_t deadline_us; /* revocation: microseconds left to release */
};

enum hv_device_state {
	HV_DEVICE_OWNED = 0,	/* owned from the configuration */
	HV_DEVICE_VF_HELD = 1,	/* a VF with its PF's owner, not assigned */
	HV_DEVICE_VF_ASSIGNED = 2,
	HV_DEVICE_VF_REVOKING = 3,
};

struct hv_device_status {
	uint32_t bdf;
	uint16_t vendor, device;
	uint32_t state; /* enum hv_device_state */
	uint32_t owner; /* partition id */
	uint32_t pf_bdf; /* VFs: their PF */
	uint32_t vf_index;
	uint32_t dma_faults;
	uint32_t quarantined;
	uint64_t bar0, bar0_size;
};

#endif
