/* Partition creation and lifecycle (see partition.h). */
#include "vmm/partition.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/arch/apic.h"
#include "kernel/memory.h"
#include "kernel/percpu.h"
#include "kernel/platform.h"
#include "kernel/timer.h"
#include "vmm/channels.h"
#include "vmm/doorbell.h"
#include "vmm/elf_loader.h"
#include "vmm/guest_layout.h"
#include "vmm/notice.h"
#include "vmm/vcpu_loop.h"
#include "vmm/vf_assign.h"

#define PARTITION_MIN_MEMORY (8 * MiB)
#define PARK_TIMEOUT_US 2000000
#define EVENT_QUEUE 32

static struct partition partitions[CONFIG_MAX_PARTITIONS];
static unsigned count;
static uint32_t sriov_vfs; /* [sriov] vfs: the parent enables them (its boot info) */
static struct vcpu vcpus[HV_MAX_CPUS];
static struct partition *cpu_owner[HV_MAX_CPUS];
static struct hv_partition_event events[EVENT_QUEUE];
static unsigned event_head, event_tail;
static struct spinlock event_lock = SPINLOCK_INIT;

unsigned partition_count(void)
{
	return count;
}

struct partition *partition_get(unsigned id)
{
	return id < count ? &partitions[id] : NULL;
}

struct partition *partition_find(const char *name)
{
	for (unsigned i = 0; i < count; i++)
		if (!strcmp(partitions[i].cfg->name, name))
			return &partitions[i];
	return NULL;
}

struct partition *partition_of_cpu(unsigned host_cpu)
{
	return host_cpu < HV_MAX_CPUS ? cpu_owner[host_cpu] : NULL;
}

const char *partition_name(const struct partition *p)
{
	return p->cfg->name;
}

static int refuse(const struct config_partition *c, const char *key, const char *why)
{
	log_error("config", "refused field=\"partition %s.%s\" reason=\"%s\"", c->name, key, why);
	return -EINVAL;
}

static const struct boot_module *find_image(const struct boot_info *bi, const char *name)
{
	for (uint32_t i = 0; i < bi->module_count; i++)
		if (!strcmp(bi->modules[i].name, name))
			return &bi->modules[i];
	return NULL;
}

static int create_memory(struct partition *p)
{
	uint64_t pages = p->mem_size / PAGE_SIZE;
	int err;

	if (p->mem_size < PARTITION_MIN_MEMORY || !IS_ALIGNED(p->mem_size, 2 * MiB))
		return refuse(p->cfg, "memory_mb", "at least 8 and a multiple of 2");
	if (ram_pages_alloc(pages, (2 * MiB) / PAGE_SIZE, &p->mem_hpa))
		return refuse(p->cfg, "memory_mb", "does not fit the free memory");
	err = paging_init(&p->npt, vcpu_backend()->nested_format, 4, PAGING_LEAF_2M,
			  memory_table_mm());
	if (!err)
		err = paging_map(&p->npt, 0, p->mem_hpa, p->mem_size,
				 PAGE_READ | PAGE_WRITE | PAGE_EXEC | PAGE_CACHE_WB);
	return err;
}

static int create_vcpus(struct partition *p)
{
	const struct vcpu_backend *be = vcpu_backend();

	for (unsigned cpu = 0; cpu < HV_MAX_CPUS; cpu++) {
		struct vcpu *v = &vcpus[cpu];
		int err;

		if (!(p->cfg->cpu_mask & BIT(cpu)))
			continue;
		if (p->vcpu_count == HV_GUEST_MAX_VCPUS)
			return refuse(p->cfg, "cpus", "more CPUs than a partition can have");
		*v = (struct vcpu){.part = p, .index = p->vcpu_count, .host_cpu = cpu,
				   .apic_id = percpu_area[cpu].apic_id, .parked = true};
		err = be->create(v);
		if (err)
			return err;
		p->vcpus[p->vcpu_count++] = v;
		cpu_owner[cpu] = p;
	}
	return 0;
}

static int create_one(struct partition *p, const struct config_partition *c,
		      const struct boot_info *bi)
{
	struct elf_image_info info;
	int err;

	p->cfg = c;
	p->role = c->role;
	p->mem_size = (uint64_t)c->memory_mb * MiB;
	p->image = find_image(bi, c->image);
	if (!p->image)
		return refuse(c, "image", "not loaded from the ESP");
	if (elf_validate((const void *)(uintptr_t)p->image->base, p->image->size,
			 HV_GUEST_IMAGE_MIN_GPA, p->mem_size, &info))
		return refuse(c, "image", "not a loadable static ELF64 for this memory size");
	err = create_memory(p);
	if (!err)
		err = create_vcpus(p);
	if (err)
		return err;
	log_info("vmm", "partition created name=%s id=%u role=%s vcpus=%u memory=%llu hpa=0x%llx "
		 "entry=0x%llx", c->name, p->id, config_role_name(c->role), p->vcpu_count,
		 (unsigned long long)p->mem_size, (unsigned long long)p->mem_hpa,
		 (unsigned long long)info.entry);
	return 0;
}

int partitions_create(const struct config *cfg, const struct boot_info *bi)
{
	sriov_vfs = cfg->sriov_vfs; /* for the parent's boot info, at every (re)load */
	if (!vcpu_backend()) {
		log_error("vmm", "no virtualization backend for this processor");
		return -ENODEV;
	}
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		struct partition *p = &partitions[i];
		int err;

		p->id = i;
		err = create_one(p, &cfg->partitions[i], bi);
		if (err)
			return err;
		count++;
	}
	return 0;
}

void *partition_gpa_to_host(const struct partition *p, uint64_t gpa, uint64_t len)
{
	if (gpa >= p->mem_size || len > p->mem_size - gpa)
		return NULL;
	return (void *)(uintptr_t)(p->mem_hpa + gpa);
}

static void fill_boot_info(struct partition *p, struct hv_guest_boot_info *bi,
			   const struct guest_layout *layout)
{
	const struct platform *plat = platform_get();

	memset(bi, 0, sizeof(*bi));
	bi->magic = HV_GUEST_BOOT_MAGIC;
	bi->version = HV_GUEST_BOOT_VERSION;
	bi->size = sizeof(*bi);
	bi->partition_id = p->id;
	bi->role = p->role;
	hv_strlcpy(bi->name, p->cfg->name, sizeof(bi->name));
	bi->memory_size = p->mem_size;
	bi->mem_count = 1;
	bi->mem[0] = (struct hv_guest_mem_range){layout->free_lo, layout->free_hi - layout->free_lo,
						 HV_GUEST_MEM_FREE, 0};
	bi->vcpu_count = p->vcpu_count;
	for (unsigned i = 0; i < p->vcpu_count; i++)
		bi->apic_ids[i] = p->vcpus[i]->apic_id;
	bi->device_count = MIN(p->cfg->device_count, HV_GUEST_MAX_DEVICES);
	memcpy(bi->devices, p->cfg->devices, bi->device_count * sizeof(bi->devices[0]));
	if (plat->have_mcfg && plat->mcfg.count) {
		bi->ecam_base = plat->mcfg.allocations[0].base;
		bi->ecam_segment = plat->mcfg.allocations[0].segment;
		bi->ecam_start_bus = plat->mcfg.allocations[0].start_bus;
		bi->ecam_end_bus = plat->mcfg.allocations[0].end_bus;
	}
	bi->channel_count = p->channel_count;
	memcpy(bi->channels, p->channels, sizeof(bi->channels));
	bi->tsc_hz = plat->timer.tsc_hz;
	bi->apic_timer_hz = plat->timer.apic_timer_hz;
	hv_strlcpy(bi->cmdline, p->cfg->cmdline, sizeof(bi->cmdline));
	if (p->role == PARTITION_PARENT)
		bi->sriov_vfs = sriov_vfs;
}

static int load_image(struct partition *p, struct guest_layout *layout, uint64_t *entry)
{
	uint8_t *mem = (uint8_t *)(uintptr_t)p->mem_hpa;
	struct guest_layout_params params = {.mem_size = p->mem_size,
					     .vcpu_count = p->vcpu_count};
	int err;

	memset(mem, 0, p->mem_size); /* nothing of a previous run survives a restart */
	err = elf_load((const void *)(uintptr_t)p->image->base, p->image->size, mem,
		       p->mem_size, HV_GUEST_IMAGE_MIN_GPA, &params.image);
	if (!err)
		err = guest_layout_build(mem, &params, layout);
	if (err)
		return err;
	fill_boot_info(p, (struct hv_guest_boot_info *)(mem + HV_GUEST_BOOT_INFO_GPA), layout);
	*entry = params.image.entry;
	return 0;
}

static void reset_vcpus(struct partition *p, const struct guest_layout *layout, uint64_t entry)
{
	struct vcpu_start_state st = {.cr3 = layout->cr3, .gdt_base = layout->gdt_gpa,
				      .gdt_limit = layout->gdt_limit, .npt_root = p->npt.root};

	for (unsigned i = 0; i < p->vcpu_count; i++) {
		struct vcpu *v = p->vcpus[i];

		v->start_rip = entry;
		v->start_rsp = layout->stack_top[i];
		v->start_rdi = HV_GUEST_BOOT_INFO_GPA;
		v->start_rsi = i;
		vcpu_backend()->reset(v, &st);
	}
}

/* Other CPUs of the partition must have left the guest before its memory changes. */
static bool wait_parked(struct partition *p)
{
	uint64_t deadline = timer_deadline_after_us(PARK_TIMEOUT_US);

	for (unsigned i = 0; i < p->vcpu_count; i++) {
		const struct vcpu *v = p->vcpus[i];

		while (v->host_cpu != this_cpu_index() && !v->parked)
			if (timer_deadline_passed(deadline))
				return false;
	}
	return true;
}

int partition_start(struct partition *p)
{
	struct guest_layout layout;
	uint64_t entry = 0, irq;
	int err;

	/*
	 * A new run of a child: no notice of the last run is left, its VFs
	 * are offered anew (vf_assign.h). Before the state says running, so
	 * the offers wait in the queue, which the child drains once set up.
	 * Only the parent starts partitions, from one CPU at a time.
	 */
	if (p->starts && p->role == PARTITION_CHILD &&
	    __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != HV_PARTITION_RUNNING) {
		notice_clear(p);
		vf_partition_starting(p);
	}
	irq = spin_lock_irqsave(&p->lock);
	if (p->state == HV_PARTITION_RUNNING) {
		spin_unlock_irqrestore(&p->lock, irq);
		return -EBUSY;
	}
	err = wait_parked(p) ? load_image(p, &layout, &entry) : -ETIMEDOUT;
	if (!err && p->starts)
		channels_reset_vmbus(p); /* a new run starts its vmbus rings over too */
	if (!err) {
		reset_vcpus(p, &layout, entry);
		p->state = HV_PARTITION_RUNNING;
		p->stop_reason = HV_STOP_NONE;
		p->starts++;
	}
	spin_unlock_irqrestore(&p->lock, irq);
	if (err) {
		log_error("vmm", "partition start failed name=%s err=%d", partition_name(p), err);
		return err;
	}
	log_info("vmm", "partition started name=%s starts=%llu entry=0x%llx", partition_name(p),
		 (unsigned long long)p->starts, (unsigned long long)entry);
	for (unsigned i = 0; i < p->vcpu_count; i++)
		vcpu_request(p->vcpus[i], VCPU_REQ_START);
	partition_event_push(p);
	return 0;
}

void partition_stop(struct partition *p, enum hv_stop_reason reason, uint64_t rip, uint64_t gpa)
{
	uint64_t irq = spin_lock_irqsave(&p->lock);

	if (p->state != HV_PARTITION_RUNNING) {
		spin_unlock_irqrestore(&p->lock, irq);
		return;
	}
	p->state = reason == HV_STOP_BY_PARENT ? HV_PARTITION_STOPPED : HV_PARTITION_FAULTED;
	p->stop_reason = reason;
	p->stop_rip = rip;
	p->stop_gpa = gpa;
	spin_unlock_irqrestore(&p->lock, irq);
	log_write(reason == HV_STOP_BY_PARENT ? LOG_INFO : LOG_ERROR, "vmm",
		"partition stopped name=%s reason=%s rip=0x%llx gpa=0x%llx cpu=%u",
		partition_name(p), stop_reason_name(reason), (unsigned long long)rip,
		(unsigned long long)gpa, this_cpu_index());
	for (unsigned i = 0; i < p->vcpu_count; i++)
		vcpu_request(p->vcpus[i], VCPU_REQ_STOP);
	if (!wait_parked(p))
		log_error("vmm", "partition name=%s: a CPU did not leave the guest", partition_name(p));
	if (p->role == PARTITION_CHILD)
		vf_partition_stopped(p);
	partition_event_push(p);
}

const char *stop_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		[HV_STOP_NONE] = "none",
		[HV_STOP_BY_PARENT] = "by-parent",
		[HV_STOP_NPT_VIOLATION] = "npt-violation",
		[HV_STOP_TRIPLE_FAULT] = "triple-fault",
		[HV_STOP_UNHANDLED_EXIT] = "unhandled-exit",
		[HV_STOP_FLOOD] = "flood",
		[HV_STOP_BAD_STATE] = "bad-state",
		[HV_STOP_FORBIDDEN] = "forbidden",
	};
	return reason < ARRAY_SIZE(names) && names[reason] ? names[reason] : "unknown";
}

const char *partition_state_name(uint32_t state)
{
	switch (state) {
	case HV_PARTITION_RUNNING:
		return "running";
	case HV_PARTITION_FAULTED:
		return "faulted";
	default:
		return "stopped";
	}
}

static void event_push(const struct hv_partition_event *ev)
{
	uint64_t irq = spin_lock_irqsave(&event_lock);

	/* Full: the oldest is dropped, the newest state is what the parent needs. */
	if (event_tail - event_head == EVENT_QUEUE)
		event_head++;
	events[event_tail++ % EVENT_QUEUE] = *ev;
	spin_unlock_irqrestore(&event_lock, irq);
}

void partition_event_push(const struct partition *p)
{
	event_push(&(struct hv_partition_event){.partition_id = p->id, .state = p->state,
						.stop_reason = p->stop_reason,
						.rip = p->stop_rip, .gpa = p->stop_gpa});
}

void partition_event_push_device(const struct partition *p, uint32_t bdf, uint64_t addr)
{
	event_push(&(struct hv_partition_event){.partition_id = p->id, .state = p->state,
						.quarantined_device = (bdf & 0xffff) + 1,
						.gpa = addr});
}

bool partition_event_pop(struct hv_partition_event *ev)
{
	uint64_t irq = spin_lock_irqsave(&event_lock);
	bool found = event_head != event_tail;

	if (found)
		*ev = events[event_head++ % EVENT_QUEUE];
	spin_unlock_irqrestore(&event_lock, irq);
	return found;
}

void partition_fill_status(const struct partition *p, struct hv_partition_status *st)
{
	struct doorbell_counts bells = doorbell_totals(p);

	memset(st, 0, sizeof(*st));
	st->id = p->id;
	st->role = p->role;
	hv_strlcpy(st->name, partition_name(p), sizeof(st->name));
	st->state = p->state;
	st->stop_reason = p->stop_reason;
	st->cpu_mask = p->cfg->cpu_mask;
	st->memory_bytes = p->mem_size;
	st->starts = p->starts;
	st->hypercalls_refused = p->hypercalls_refused;
	for (unsigned i = 0; i < HV_EXIT_REASONS; i++)
		st->exits[i] = __atomic_load_n(&p->exits[i], __ATOMIC_RELAXED);
	st->stop_rip = p->stop_rip;
	st->stop_gpa = p->stop_gpa;
	st->doorbells_sent = bells.sent;
	st->doorbells_dropped = bells.dropped;
}
