/* The per-CPU run loop (see vcpu_loop.h). */
#include "vmm/vcpu_loop.h"
#include "hv/log.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/cpu.h"
#include "kernel/percpu.h"
#include "kernel/shutdown.h"
#include "kernel/timer.h"
#include "hv/errno.h"
#include "vmm/exits.h"
#include "vmm/partition.h"

#define UNMAP_WAIT_US 100000

void vcpu_request(struct vcpu *v, enum vcpu_request req)
{
	__atomic_store_n(&v->request, req, __ATOMIC_RELEASE);
	if (v->host_cpu != this_cpu_index())
		apic_kick_cpu(v->host_cpu);
}

/* Waits in the host, interrupts on, until the partition is started again. */
static void park(struct vcpu *v)
{
	apic_timer_stop(); /* the guest's timer must not keep firing into the host */
	__atomic_store_n(&v->parked, true, __ATOMIC_RELEASE);
	while (__atomic_load_n(&v->request, __ATOMIC_ACQUIRE) != VCPU_REQ_START)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	__atomic_store_n(&v->request, VCPU_REQ_NONE, __ATOMIC_RELEASE);
	__atomic_store_n(&v->parked, false, __ATOMIC_RELEASE);
}

static bool must_park(const struct vcpu *v)
{
	return __atomic_load_n(&v->request, __ATOMIC_ACQUIRE) == VCPU_REQ_STOP ||
	       v->part->state != HV_PARTITION_RUNNING;
}

/* Nested mappings were removed since this vCPU last entered: drop what it cached. */
static void sync_translations(struct vcpu *v, const struct vcpu_backend *be)
{
	uint32_t gen = __atomic_load_n(&v->part->npt_gen, __ATOMIC_ACQUIRE);

	if (v->npt_gen == gen)
		return;
	be->flush_tlb(v);
	__atomic_store_n(&v->npt_gen, gen, __ATOMIC_RELEASE);
}

int vcpu_loop_unmapped(struct partition *p)
{
	uint32_t gen = __atomic_add_fetch(&p->npt_gen, 1, __ATOMIC_ACQ_REL);
	uint64_t deadline = timer_deadline_after_us(UNMAP_WAIT_US);

	for (unsigned i = 0; i < p->vcpu_count; i++)
		if (p->vcpus[i]->host_cpu != this_cpu_index())
			apic_kick_cpu(p->vcpus[i]->host_cpu);
	for (unsigned i = 0; i < p->vcpu_count; i++) {
		struct vcpu *v = p->vcpus[i];

		/* A parked vCPU flushes before it enters again. */
		while (__atomic_load_n(&v->npt_gen, __ATOMIC_ACQUIRE) != gen &&
		       !__atomic_load_n(&v->parked, __ATOMIC_ACQUIRE)) {
			if (timer_deadline_passed(deadline))
				return -ETIMEDOUT;
			cpu_relax();
		}
	}
	return 0;
}

void vcpu_loop(void *arg)
{
	struct vcpu *v = arg;
	const struct vcpu_backend *be = vcpu_backend();
	struct vm_exit exit;

	irq_disable();
	if (be->cpu_enable())
		panic("cannot enable %s on cpu %u", be->name, this_cpu_index());
	log_info("vmm", "cpu runs vcpu partition=%s vcpu=%u", partition_name(v->part), v->index);
	for (;;) {
		if (must_park(v)) {
			park(v);
			continue;
		}
		if (v->request == VCPU_REQ_START)
			v->request = VCPU_REQ_NONE;
		sync_translations(v, be);
		be->run(v, &exit);
		exit_handle(v, &exit);
	}
}
