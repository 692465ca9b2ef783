/*
 * Partition DMA remapping over the VT-d units (see iommu.h). Fault events
 * arrive as an interrupt on a CPU no partition owns (guests own their
 * CPUs' interrupts), or as an NMI to the boot CPU when every CPU is given
 * away; both end in iommu_handle_faults().
 */
#include "iommu/iommu.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "iommu/vtd_scope.h"
#include "iommu/vtd_unit.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/trap.h"
#include "kernel/memory.h"
#include "kernel/pci/pci.h"
#include "kernel/pci_host.h"
#include "kernel/percpu.h"
#include "kernel/platform.h"

#define VEC_IOMMU_FAULT 0xf3
#define DOMAIN_ADDRESS_BITS 48 /* partitions' memory and channels lie below 2^48 */

static struct vtd_unit units[DMAR_MAX_DRHDS];
static unsigned unit_count;
static struct spinlock assign_lock = SPINLOCK_INIT;

unsigned iommu_unit_count(void)
{
	return unit_count;
}

static void (*fault_hook)(uint32_t bdf, uint64_t addr, uint8_t reason);

void iommu_set_fault_hook(void (*hook)(uint32_t bdf, uint64_t addr, uint8_t reason))
{
	fault_hook = hook;
}

static void report_fault(struct vtd_unit *u, const struct vtd_fault *f)
{
	char text[160];

	vtd_fault_format(f, text, sizeof(text));
	log_error("iommu", "dma fault unit=%u %s", u->index, text);
	if (fault_hook)
		fault_hook((uint32_t)u->drhd->segment << 16 | f->sid, f->addr, f->reason);
}

void iommu_handle_faults(void)
{
	for (unsigned i = 0; i < unit_count; i++)
		vtd_unit_drain_faults(&units[i], report_fault);
}

static enum trap_result fault_interrupt(struct trap_frame *frame)
{
	(void)frame;
	iommu_handle_faults();
	apic_eoi();
	return TRAP_HANDLED;
}

int iommu_init(void)
{
	const struct platform *p = platform_get();
	int err;

	for (unsigned i = 0; i < p->dmar_unit_count; i++) {
		const struct dmar_unit *du = &p->dmar_units[i];
		struct vtd_unit *u = &units[unit_count];

		if (!du->usable)
			continue;
		err = vtd_unit_init(u, unit_count, du->drhd, &du->caps);
		if (err) {
			log_error("iommu", "unit %u base=0x%llx set-up failed err=%d", i,
				  (unsigned long long)du->drhd->register_base, err);
			return err;
		}
		log_info("iommu", "unit ready index=%u base=0x%llx qi=%s root=0x%llx", unit_count,
			 (unsigned long long)u->base, u->qi ? "yes" : "no",
			 (unsigned long long)vtd_ctx_root(&u->ctx));
		unit_count++;
	}
	irq_set_handler(VEC_IOMMU_FAULT, fault_interrupt);
	return 0;
}

void iommu_route_faults(unsigned host_cpu, bool nmi)
{
	for (unsigned i = 0; i < unit_count; i++)
		vtd_unit_fault_irq(&units[i], percpu_area[host_cpu].apic_id, VEC_IOMMU_FAULT, nmi);
	log_info("iommu", "faults routed cpu=%u mode=%s", host_cpu, nmi ? "nmi" : "interrupt");
}

/*
 * A unit without coherent walks (ECAP.C = 0, common on real client parts)
 * reads tables from memory, not from the CPU's caches: what the CPU wrote
 * must reach memory before the unit is told (invalidation) or turned on.
 * Table writes are rare (boot, assignment), so all caches are written back.
 */
void iommu_tables_written(void)
{
	for (unsigned i = 0; i < unit_count; i++)
		if (!units[i].caps->coherent) {
			__asm__ volatile("wbinvd" ::: "memory");
			return;
		}
}

int iommu_domain_create(struct iommu_domain *d, uint16_t id, uint64_t size, phys_addr_t hpa)
{
	struct vtd_sl_geometry geo;
	uint32_t leaves = PAGING_LEAF_2M | PAGING_LEAF_1G;
	int err = -ENODEV;

	/* One geometry every unit supports: the same tables serve all of them. */
	for (unsigned i = 0; i < unit_count; i++) {
		err = vtd_sl_geometry(units[i].caps, DOMAIN_ADDRESS_BITS, &geo);
		if (err)
			return err;
		if (!units[i].caps->large_2m)
			leaves &= ~PAGING_LEAF_2M;
		if (!units[i].caps->large_1g)
			leaves &= ~PAGING_LEAF_1G;
	}
	if (err)
		return err;
	d->id = id;
	d->aw = geo.aw;
	err = paging_init(&d->sl, &paging_format_vtd_sl, geo.levels, leaves, memory_table_mm());
	if (!err)
		err = paging_map(&d->sl, 0, hpa, size, PAGE_READ | PAGE_WRITE | PAGE_CACHE_WB);
	iommu_tables_written();
	d->ready = !err;
	return err;
}

int iommu_domain_map_identity(struct iommu_domain *d, uint64_t base, uint64_t size)
{
	int err = paging_map(&d->sl, base, base, size, PAGE_READ | PAGE_WRITE | PAGE_CACHE_WB);

	iommu_tables_written();
	return err;
}

/* The unit whose scope covers the function (or its PF), else the segment's catch-all unit. */
static struct vtd_unit *unit_for(uint32_t bdf)
{
	const struct dmar_drhd *drhds[DMAR_MAX_DRHDS];
	int i;

	for (unsigned u = 0; u < unit_count; u++)
		drhds[u] = units[u].drhd;
	i = vtd_drhd_for(drhds, unit_count, pci_host_topology(0), bdf);
	return i < 0 ? NULL : &units[i];
}

int iommu_assign(uint32_t bdf, struct iommu_domain *d)
{
	struct vtd_unit *u = unit_for(bdf);
	uint16_t rid = PCI_BDF_RID(bdf);
	uint64_t irq;
	int err;

	if (!u)
		return -ENODEV;
	irq = spin_lock_irqsave(&assign_lock);
	err = vtd_ctx_assign(&u->ctx, rid, d->id, d->sl.root, d->aw);
	spin_unlock_irqrestore(&assign_lock, irq);
	iommu_tables_written();
	if (!err)
		err = vtd_unit_flush_device(u, rid, d->id);
	log_info("iommu", "assign bdf=" PCI_BDF_FMT " unit=%u domain=%u err=%d",
		 PCI_BDF_ARGS(bdf), u->index, d->id, err);
	return err;
}

int iommu_unassign(uint32_t bdf)
{
	struct vtd_unit *u = unit_for(bdf);
	uint16_t rid = PCI_BDF_RID(bdf), domain;
	uint64_t irq;
	int err;

	if (!u)
		return -ENODEV;
	irq = spin_lock_irqsave(&assign_lock);
	err = vtd_ctx_lookup(&u->ctx, rid, &domain, NULL);
	if (!err)
		err = vtd_ctx_unassign(&u->ctx, rid);
	spin_unlock_irqrestore(&assign_lock, irq);
	iommu_tables_written();
	if (!err)
		err = vtd_unit_flush_device(u, rid, domain);
	log_info("iommu", "unassign bdf=" PCI_BDF_FMT " unit=%u err=%d", PCI_BDF_ARGS(bdf),
		 u->index, err);
	return err;
}

int iommu_enable(void)
{
	iommu_tables_written(); /* root tables and everything built so far */
	for (unsigned i = 0; i < unit_count; i++) {
		int err = vtd_unit_enable(&units[i]);

		if (err)
			return err;
		log_info("iommu", "translation on unit=%u", i);
	}
	return 0;
}

static bool ir_on;

static uint32_t max_online_apic_id(void)
{
	uint32_t max = 0;

	for (unsigned cpu = 0; cpu < HV_MAX_CPUS; cpu++)
		if (percpu_area[cpu].online && percpu_area[cpu].apic_id > max)
			max = percpu_area[cpu].apic_id;
	return max;
}

/* Every unit must reach every CPU before any turns remapping on: all or none. */
static int check_ir_reach(void)
{
	uint32_t max_apic_id = max_online_apic_id();

	for (unsigned i = 0; i < unit_count; i++) {
		int err = vtd_ir_reach_check(units[i].caps->eim, max_apic_id);

		if (err) {
			log_error("iommu", "interrupt remapping unavailable unit=%u err=%d", i, err);
			return err;
		}
	}
	return 0;
}

int iommu_enable_ir(void)
{
	int reach = check_ir_reach();

	if (reach)
		return reach;
	for (unsigned i = 0; i < unit_count; i++) {
		int err = vtd_unit_enable_ir(&units[i]);

		if (err) {
			log_error("iommu", "interrupt remapping unavailable unit=%u err=%d", i, err);
			return err;
		}
		log_info("iommu", "interrupt remapping on unit=%u eim=%s", i,
			 units[i].caps->eim ? "yes" : "no");
	}
	ir_on = unit_count > 0;
	return 0;
}

bool iommu_ir_enabled(void)
{
	return ir_on;
}

/* One IRTE per (function, message): the same index when that message is reprogrammed. */
static int irte_index(struct vtd_unit *u, uint16_t rid, uint16_t msg)
{
	uint32_t key = VTD_IRT_KEY(rid, msg);
	int free = -ENOSPC;

	for (unsigned i = 0; i < ARRAY_SIZE(u->irt_owner); i++) {
		if (u->irt_owner[i] == key)
			return (int)i;
		if (!u->irt_owner[i] && free < 0)
			free = (int)i;
	}
	if (free >= 0)
		u->irt_owner[free] = key;
	return free;
}

int iommu_msi_unmap_all(uint32_t bdf)
{
	struct vtd_unit *u = unit_for(bdf);
	uint16_t rid = PCI_BDF_RID(bdf);
	int err = 0;

	if (!u || !u->remapping)
		return 0;
	for (unsigned i = 0; i < ARRAY_SIZE(u->irt_owner); i++) {
		uint64_t irq;

		if (!u->irt_owner[i] || VTD_IRT_KEY_RID(u->irt_owner[i]) != rid)
			continue;
		err = vtd_unit_clear_irte(u, i) ?: err;
		irq = spin_lock_irqsave(&assign_lock);
		u->irt_owner[i] = 0;
		spin_unlock_irqrestore(&assign_lock, irq);
	}
	return err;
}

int iommu_msi_remap(uint32_t bdf, uint16_t msg, uint32_t dest, uint8_t vector, uint32_t *addr,
		    uint32_t *data)
{
	struct vtd_unit *u = unit_for(bdf);
	uint16_t rid = PCI_BDF_RID(bdf);
	struct vtd_irte_params prm = {.vector = vector, .delivery = VTD_DLM_FIXED, .dest = dest,
				      .svt = VTD_SVT_RID, .sq = VTD_SQ_ALL, .sid = rid};
	struct vtd_irte e;
	uint64_t irq;
	int index, err;

	if (!u || !u->remapping)
		return -ENOTSUP;
	prm.x2apic = u->caps->eim;
	err = vtd_irte_make(&prm, &e);
	if (err)
		return err;
	irq = spin_lock_irqsave(&assign_lock);
	index = irte_index(u, rid, msg);
	spin_unlock_irqrestore(&assign_lock, irq);
	if (index < 0)
		return index;
	err = vtd_unit_set_irte(u, (unsigned)index, &e);
	if (err)
		return err;
	vtd_msi_remappable((uint16_t)index, addr, data);
	log_info("iommu", "msi remapped bdf=" PCI_BDF_FMT " source=%s message=%u index=%d dest=%u "
		 "vector=0x%x", PCI_BDF_ARGS(bdf), msg & IOMMU_MSG_MSI(0) ? "msi" : "msix",
		 msg & ~IOMMU_MSG_MSI(0), index, dest, vector);
	return 0;
}
