/* Tables of the names in hvnames.h; indexes are the enum values. */
#include "guests/lib/hvnames.h"

static const char *const state_names[] = {
    [HV_PARTITION_STOPPED] = "stopped",
    [HV_PARTITION_RUNNING] = "running",
    [HV_PARTITION_FAULTED] = "faulted",
};

static const char *const stop_reason_names[] = {
    [HV_STOP_NONE] = "none",
    [HV_STOP_BY_PARENT] = "by-parent",
    [HV_STOP_NPT_VIOLATION] = "npt-violation",
    [HV_STOP_TRIPLE_FAULT] = "triple-fault",
    [HV_STOP_UNHANDLED_EXIT] = "unhandled-exit",
    [HV_STOP_FLOOD] = "flood",
    [HV_STOP_BAD_STATE] = "bad-state",
    [HV_STOP_FORBIDDEN] = "forbidden",
};

static const char *const exit_reason_names[HV_EXIT_REASONS] = {
    [HV_EXIT_HYPERCALL] = "hypercall",
    [HV_EXIT_CPUID] = "cpuid",
    [HV_EXIT_MSR] = "msr",
    [HV_EXIT_IO] = "io",
    [HV_EXIT_NPF] = "npf",
    [HV_EXIT_MMIO] = "mmio",
    [HV_EXIT_NMI] = "nmi",
    [HV_EXIT_INTR] = "intr",
    [HV_EXIT_HLT] = "hlt",
    [HV_EXIT_SHUTDOWN] = "shutdown",
    [HV_EXIT_EXCEPTION] = "exception",
    [HV_EXIT_OTHER] = "other",
};

static const char *const role_names[] = {"parent", "child"};

static const char *lookup(const char *const *names, size_t count, uint32_t value)
{
	return value < count && names[value] ? names[value] : "unknown";
}

const char *hv_state_name(uint32_t state)
{
	return lookup(state_names, ARRAY_SIZE(state_names), state);
}

const char *hv_stop_reason_name(uint32_t reason)
{
	return lookup(stop_reason_names, ARRAY_SIZE(stop_reason_names), reason);
}

const char *hv_exit_reason_name(uint32_t reason)
{
	return lookup(exit_reason_names, ARRAY_SIZE(exit_reason_names), reason);
}

const char *hv_role_name(uint32_t role)
{
	return lookup(role_names, ARRAY_SIZE(role_names), role);
}
