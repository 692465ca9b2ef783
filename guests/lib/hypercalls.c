/*
 * The hypercall instruction and one wrapper per call. The same image runs
 * under either backend, so the instruction is chosen once from the CPU
 * vendor: VMMCALL (AMD SVM) or VMCALL (Intel VMX); each raises #UD on the
 * other vendor's CPUs.
 */
#include "guests/lib/hypercalls.h"
#include "guests/lib/cpu.h"

static bool use_vmcall;

void hc_detect_instruction(void)
{
	struct cpuid_regs r = cpu_cpuid(0, 0);

	/* "GenuineIntel" in EBX, EDX, ECX */
	use_vmcall = r.ebx == 0x756e6547 && r.edx == 0x49656e69 && r.ecx == 0x6c65746e;
}

/*
 * Arguments in RDI RSI RDX R10 R8, number in and result out of RAX; the
 * hypervisor preserves every other register. "memory": the hypervisor reads
 * and writes guest buffers, so the compiler must not keep them in registers
 * across the call.
 */
long hc_raw(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	uint64_t ret;

	if (use_vmcall)
		__asm__ volatile("vmcall"
				 : "=a"(ret)
				 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8)
				 : "memory");
	else
		__asm__ volatile("vmmcall"
				 : "=a"(ret)
				 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8)
				 : "memory");
	return (long)ret;
}

static uint64_t gpa_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

long hc_version(void)
{
	return hc_raw(HC_VERSION, 0, 0, 0, 0, 0);
}

long hc_console_write(const void *buf, size_t len)
{
	return hc_raw(HC_CONSOLE_WRITE, gpa_of(buf), len, 0, 0, 0);
}

long hc_partition_self(struct hv_partition_status *status)
{
	return hc_raw(HC_PARTITION_SELF, gpa_of(status), 0, 0, 0, 0);
}

long hc_idle(uint64_t max_us)
{
	return hc_raw(HC_IDLE, max_us, 0, 0, 0, 0);
}

long hc_channel_signal(uint32_t index)
{
	return hc_raw(HC_CHANNEL_SIGNAL, index, 0, 0, 0, 0);
}

long hc_console_read(void *buf, size_t len)
{
	return hc_raw(HC_CONSOLE_READ, gpa_of(buf), len, 0, 0, 0);
}

long hc_partition_list(struct hv_partition_status *list, size_t max)
{
	return hc_raw(HC_PARTITION_LIST, gpa_of(list), max, 0, 0, 0);
}

long hc_partition_start(uint32_t id)
{
	return hc_raw(HC_PARTITION_START, id, 0, 0, 0, 0);
}

long hc_partition_stop(uint32_t id)
{
	return hc_raw(HC_PARTITION_STOP, id, 0, 0, 0, 0);
}

long hc_partition_restart(uint32_t id)
{
	return hc_raw(HC_PARTITION_RESTART, id, 0, 0, 0, 0);
}

long hc_partition_event(struct hv_partition_event *event)
{
	return hc_raw(HC_PARTITION_EVENT, gpa_of(event), 0, 0, 0, 0);
}
