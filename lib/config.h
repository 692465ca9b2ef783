/*
 * The partition configuration: what the text file on the ESP says (format in
 * docs/configuration.md) once parsed into a structure the loader and the core
 * read. The parser is strict: anything it does not understand is refused
 * with the line, the field and a reason, never skipped.
 */
#ifndef LIB_CONFIG_H
#define LIB_CONFIG_H

#include "hv/log.h"
#include "hv/types.h"

#define CONFIG_VERSION 1
#define CONFIG_MAX_PARTITIONS 16
#define CONFIG_MAX_DEVICES 16
#define CONFIG_MAX_SIZE (64 * 1024) /* bytes of configuration text */
#define CONFIG_MAX_LINE 255         /* characters, line end not counted */
#define CONFIG_MAX_CPUS 64          /* CPU indexes 0..63 fit cpu_mask */
#define CONFIG_MAX_CHANNELS 16
#define CONFIG_CHANNEL_MIN_KB 4 /* one page */
#define CONFIG_CHANNEL_MAX_KB 1024
#define CONFIG_CHANNEL_DEFAULT_KB 64
/* HC_CHANNEL_SIGNALs per second one channel end may send (docs/hypercalls.md). */
#define CONFIG_DOORBELL_LIMIT_DEFAULT 100000

enum config_mode { CONFIG_MODE_RUN, CONFIG_MODE_CHECK };

/* Test aid: the exception the core raises on itself after boot. */
enum config_fault {
	CONFIG_FAULT_NONE,
	CONFIG_FAULT_PAGE_FAULT,
	CONFIG_FAULT_DIVIDE_ERROR,
	CONFIG_FAULT_INVALID_OPCODE,
	CONFIG_FAULT_GENERAL_PROTECTION,
};

enum partition_role { PARTITION_PARENT, PARTITION_CHILD };

/* A PCI function as config_partition.devices stores it. */
#define CONFIG_BDF(seg, bus, dev, fn)                                                   \
	((uint32_t)(seg) << 16 | (uint32_t)(bus) << 8 | (uint32_t)(dev) << 3 | (uint32_t)(fn))
#define CONFIG_BDF_SEG(d) ((d) >> 16)
#define CONFIG_BDF_BUS(d) (((d) >> 8) & 0xff)
#define CONFIG_BDF_DEV(d) (((d) >> 3) & 0x1f)
#define CONFIG_BDF_FN(d) ((d) & 7)

struct config_partition {
	char name[32];
	enum partition_role role; /* child unless the file says parent */
	uint64_t cpu_mask;        /* bit n: CPU index n */
	uint32_t memory_mb;       /* 0: not given */
	char image[64];           /* relative to the configuration's directory; "" not given */
	uint32_t device_count;
	uint32_t devices[CONFIG_MAX_DEVICES]; /* segment<<16 | bus<<8 | dev<<3 | fn */
	char cmdline[128];
};

/* Shared memory between two partitions, mapped into both. */
struct config_channel {
	char name[32];
	char ends[2][32]; /* partition names; "" until 'between' is read */
	uint32_t size_kb; /* a multiple of 4: whole pages */
};

struct config {
	uint32_t version;
	enum config_mode mode;
	enum log_level log_level;
	uint32_t heap_mb;
	uint16_t debug_exit_port; /* 0 = none */
	bool unsafe_no_iommu;
	enum config_fault debug_fault;
	/*
	 * Test aid: bdf + 1 of an unowned 82576 whose DMA the hypervisor itself
	 * triggers once partitions run, to show it is blocked; 0 = none.
	 */
	uint32_t debug_dma_probe;
	/* DMA faults a function may cause before it is quarantined (1: the first). */
	uint32_t dma_fault_threshold;
	uint32_t sriov_vfs;
	/* A "vmbus" channel between the parent and every child, after the [channel]s. */
	bool vmbus;
	uint32_t doorbell_limit; /* signals per second per channel end; more are dropped */
	uint32_t partition_count;
	struct config_partition partitions[CONFIG_MAX_PARTITIONS];
	uint32_t channel_count;
	struct config_channel channels[CONFIG_MAX_CHANNELS];
};

/* Why a configuration was refused. line is 0 when no line is concerned. */
struct config_error {
	unsigned line;
	char field[48];    /* "partition child1.memory_mb", "channel net.between", "version" */
	char message[128]; /* what is wrong and what was expected */
};

/* The values used for every key the file leaves out. */
void config_defaults(struct config *cfg);

/*
 * Parses len bytes of text (not NUL-terminated) into *cfg, starting from the
 * defaults. Returns 0, or -EINVAL with *err filled; *cfg must not be used
 * then. err may be NULL.
 */
int config_parse(const char *text, size_t len, struct config *cfg, struct config_error *err);

/*
 * Applies load options on top of a parsed configuration: whitespace-separated
 * "section.key=value" tokens for [hypervisor] and [sriov] keys, "check" for
 * hypervisor.mode=check and "unsafe_no_iommu" for hypervisor.unsafe_no_iommu=yes.
 * All tokens are checked before any is applied: on -EINVAL *cfg is unchanged.
 */
int config_apply_cmdline(struct config *cfg, const char *cmdline, struct config_error *err);

/*
 * Checks the partitions against each other and the machine: exactly one
 * parent (when there are partitions), each has an image, memory and a CPU,
 * no CPU index >= cpu_count, no CPU or device in two partitions; each
 * channel joins two distinct partitions that exist.
 */
int config_validate_partitions(const struct config *cfg, unsigned cpu_count,
			       struct config_error *err);

const char *config_mode_name(enum config_mode m);
const char *config_fault_name(enum config_fault f);
const char *config_role_name(enum partition_role r);
const char *config_log_level_name(enum log_level l);

#endif
