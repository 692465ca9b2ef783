/*
 * Bringing partitions up: pick the backend, create every partition (memory,
 * nested tables, vCPUs on their CPUs), start them, and turn this CPU into
 * its vCPU. The APs, idle since boot, pick theirs up when kicked.
 */
#include "vmm/vmm.h"
#include "hv/log.h"
#include "kernel/arch/apic.h"
#include "kernel/cpu_idle.h"
#include "kernel/percpu.h"
#include "kernel/platform.h"
#include "kernel/shutdown.h"
#include "vmm/canary.h"
#include "vmm/channels.h"
#include "vmm/dma.h"
#include "vmm/dma_probe.h"
#include "vmm/partition.h"
#include "vmm/vcpu_loop.h"

static const struct vcpu_backend *backend;

const struct vcpu_backend *vcpu_backend(void)
{
	return backend;
}

/* The processor's own kind: SVM with NPT on AMD, VMX with EPT on Intel. */
void vcpu_backend_select(void)
{
	const struct virt_caps *caps = &platform_get()->virt;

	if (caps->kind == VIRT_SVM && caps->npt)
		backend = &svm_backend;
	else if (caps->kind == VIRT_VMX && !vmx_backend_prepare(caps))
		backend = &vmx_backend;
	log_info("vmm", "backend=%s", backend ? backend->name : "none");
}

static void assign_cpus(void)
{
	for (unsigned id = 0; id < partition_count(); id++) {
		struct partition *p = partition_get(id);

		for (unsigned i = 0; i < p->vcpu_count; i++)
			percpu_area[p->vcpus[i]->host_cpu].vcpu = p->vcpus[i];
	}
}

void vmm_run(const struct config *cfg, const struct boot_info *bi)
{
	vcpu_backend_select();
	if (canary_init() || partitions_create(cfg, bi) || channels_create(cfg) ||
	    dma_isolation_setup(cfg))
		hv_finish(HV_VERDICT_CONFIG_ERROR);
	assign_cpus();
	cpu_idle_set_runner(vcpu_loop);
	for (unsigned id = 0; id < partition_count(); id++)
		partition_start(partition_get(id));
	log_info("vmm", "partitions running count=%u", partition_count());
	dma_probe_unowned(cfg);
	cpu_idle();
}
