/* Hypercall argument checks (see hypercall_decode.h). */
#include "vmm/hypercall_decode.h"
#include "hv/errno.h"
#include "hv/guest_abi.h"

static bool in_memory(const struct hc_caller *c, uint64_t gpa, uint64_t len)
{
	return gpa < c->mem_size && len <= c->mem_size - gpa;
}

static int buffer(const struct hc_caller *c, uint64_t gpa, uint64_t len, uint64_t max,
		  struct hc_call *out)
{
	if (len > max)
		return -E2BIG;
	if (!in_memory(c, gpa, len))
		return -EFAULT;
	out->gpa = gpa;
	out->len = len;
	return 0;
}

static int target(const struct hc_caller *c, uint64_t id, struct hc_call *out)
{
	if (id >= c->partition_count)
		return -ENOENT;
	if (id == c->id)
		return -EINVAL; /* the parent doesn't stop or restart itself */
	out->target = (unsigned)id;
	return 0;
}

/* Segment 0..0xffff, bus, devfn: anything above 32 bits is not a function. */
static int device(uint64_t bdf, struct hc_call *out)
{
	if (bdf > 0xffffffffULL)
		return -EINVAL;
	out->bdf = (uint32_t)bdf;
	return 0;
}

static int vf_assign(const struct hc_caller *c, const uint64_t args[HC_ARGS], struct hc_call *out)
{
	int err = device(args[0], out);

	return err ? err : target(c, args[1], out);
}

/* The parent-only block; numbers after it are for any partition again. */
static bool parent_only(uint64_t nr)
{
	return nr >= HC_CONSOLE_READ && nr <= HC_DEVICE_LIST;
}

/* Only an index the caller's own boot info lists: the caller is an end of it. */
static int channel(const struct hc_caller *c, uint64_t index, struct hc_call *out)
{
	if (index >= c->channel_count || index >= HV_GUEST_MAX_CHANNELS)
		return -EINVAL;
	out->channel = (unsigned)index;
	return 0;
}

int hc_decode(const struct hc_caller *c, uint64_t nr, const uint64_t args[HC_ARGS],
	      struct hc_call *out)
{
	*out = (struct hc_call){.nr = nr};
	if (nr >= HC_COUNT || (nr > HC_DEVICE_RELEASE && nr < HC_CONSOLE_READ))
		return -ENOSYS;
	if (parent_only(nr) && !c->parent)
		return -EPERM;
	switch (nr) {
	case HC_VERSION:
		return 0;
	case HC_CONSOLE_WRITE:
	case HC_CONSOLE_READ:
		return buffer(c, args[0], args[1], HC_CONSOLE_MAX, out);
	case HC_PARTITION_SELF:
		return buffer(c, args[0], sizeof(struct hv_partition_status),
			      sizeof(struct hv_partition_status), out);
	case HC_IDLE:
		out->count = args[0];
		return args[0] <= HC_IDLE_MAX_US ? 0 : -EINVAL;
	case HC_PARTITION_LIST:
		if (args[1] == 0 || args[1] > HC_LIST_MAX)
			return -EINVAL;
		out->count = args[1];
		return buffer(c, args[0], args[1] * sizeof(struct hv_partition_status),
			      HC_LIST_MAX * sizeof(struct hv_partition_status), out);
	case HC_PARTITION_EVENT:
		return buffer(c, args[0], sizeof(struct hv_partition_event),
			      sizeof(struct hv_partition_event), out);
	case HC_NOTICE:
		return buffer(c, args[0], sizeof(struct hv_notice), sizeof(struct hv_notice), out);
	case HC_DEVICE_RELEASE:
	case HC_VF_REVOKE:
		return device(args[0], out);
	case HC_VF_ASSIGN:
		return vf_assign(c, args, out);
	case HC_DEVICE_LIST:
		if (args[1] == 0 || args[1] > HC_DEVICE_LIST_MAX)
			return -EINVAL;
		out->count = args[1];
		return buffer(c, args[0], args[1] * sizeof(struct hv_device_status),
			      HC_DEVICE_LIST_MAX * sizeof(struct hv_device_status), out);
	case HC_PARTITION_START:
	case HC_PARTITION_STOP:
	case HC_PARTITION_RESTART:
		return target(c, args[0], out);
	case HC_CHANNEL_SIGNAL:
		return channel(c, args[0], out);
	default:
		return -ENOSYS;
	}
}

const char *hc_name(uint64_t nr)
{
	static const char *const names[HC_COUNT] = {
		[HC_VERSION] = "version",
		[HC_CONSOLE_WRITE] = "console-write",
		[HC_PARTITION_SELF] = "partition-self",
		[HC_IDLE] = "idle",
		[HC_CONSOLE_READ] = "console-read",
		[HC_PARTITION_LIST] = "partition-list",
		[HC_PARTITION_START] = "partition-start",
		[HC_PARTITION_STOP] = "partition-stop",
		[HC_PARTITION_RESTART] = "partition-restart",
		[HC_PARTITION_EVENT] = "partition-event",
		[HC_NOTICE] = "notice",
		[HC_DEVICE_RELEASE] = "device-release",
		[HC_VF_ASSIGN] = "vf-assign",
		[HC_VF_REVOKE] = "vf-revoke",
		[HC_DEVICE_LIST] = "device-list",
		[HC_CHANNEL_SIGNAL] = "channel-signal",
	};
	return nr < HC_COUNT && names[nr] ? names[nr] : "unknown";
}
