/* Partition DMA isolation (see dma.h). */
#include "vmm/dma.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "iommu/vtd_scope.h"
#include "kernel/arch/apic.h"
#include "kernel/percpu.h"
#include "kernel/platform.h"
#include "kernel/pci_host.h"
#include "vmm/canary.h"
#include "vmm/device_mmio.h"
#include "vmm/msix_table.h"
#include "vmm/notice.h"
#include "vmm/partition.h"
#include "vmm/pci_dev.h"

#define HOOK_LOCK_SPINS 1000000

static uint32_t fault_threshold = 1;

bool dma_device_quarantined(uint32_t bdf)
{
	const struct pci_dev *d = pci_dev_find(bdf);

	return d && d->quarantined;
}

static int refuse(const struct partition *p, uint32_t bdf, int err)
{
	log_error("config", "refused field=\"partition %s.devices\" reason=\"%02x:%02x.%x: "
		  "can't be given to it (err=%d)\"", partition_name(p), (bdf >> 8) & 0xff,
		  (bdf >> 3) & 0x1f, bdf & 7, err);
	return err;
}

/* Its registers mapped, its MSI-X table emulated, and (with remapping) its DMA in p's domain. */
static int give_device(struct partition *p, uint32_t bdf, bool remapping)
{
	struct pci_dev *d;
	int err = pci_dev_add_owned(p, bdf);

	d = err ? NULL : pci_dev_find(bdf);
	if (d && remapping) {
		err = iommu_assign(bdf, &p->dma);
		d->dma = !err;
	}
	if (!err)
		err = device_mmio_map(p, d);
	if (!err)
		err = msix_table_reset(d);
	return err;
}

static int setup_partition(struct partition *p, bool remapping)
{
	int err = 0;

	if (remapping)
		err = iommu_domain_create(&p->dma, (uint16_t)(p->id + 1), p->mem_size, p->mem_hpa);
	for (uint32_t i = 0; !err && i < p->cfg->device_count; i++) {
		err = give_device(p, p->cfg->devices[i], remapping);
		if (err)
			return refuse(p, p->cfg->devices[i], err);
	}
	return err;
}

/* Firmware-reserved DMA targets (RMRR) stay reachable, 1:1, for the devices that name them. */
/* Whether an earlier owned device of rmrr already gave p the identity map. */
static bool rmrr_mapped_for(const struct dmar_rmrr *rmrr, unsigned before,
			    const struct partition *p)
{
	for (unsigned i = 0; i < before; i++) {
		const struct pci_dev *d = pci_dev_at(i);

		if (d && d->owner == p && vtd_rmrr_covers(rmrr, pci_host_topology(0), d->bdf))
			return true;
	}
	return false;
}

/*
 * Firmware-reserved regions a device keeps using (RMRR): identity-mapped in
 * the domain of every partition owning a device the RMRR's scope covers
 * (scope paths of several hops walked by vtd_rmrr_covers).
 */
static void map_rmrrs(void)
{
	const struct platform *plat = platform_get();

	for (uint32_t r = 0; plat->have_dmar && r < plat->dmar.rmrr_count; r++) {
		const struct dmar_rmrr *rmrr = &plat->dmar.rmrrs[r];
		const struct pci_dev *d;

		for (unsigned i = 0; (d = pci_dev_at(i)) != NULL; i++) {
			int err;

			if (!d->owner || !vtd_rmrr_covers(rmrr, pci_host_topology(0), d->bdf) ||
			    rmrr_mapped_for(rmrr, i, d->owner))
				continue;
			err = iommu_domain_map_identity(&d->owner->dma, rmrr->base,
							rmrr->limit - rmrr->base + 1);
			log_info("iommu", "rmrr base=0x%llx limit=0x%llx partition=%s device=%02x:%02x.%x "
				 "err=%d", (unsigned long long)rmrr->base,
				 (unsigned long long)rmrr->limit, partition_name(d->owner),
				 PCI_BDF_BUS(d->bdf), PCI_BDF_DEV(d->bdf), PCI_BDF_FN(d->bdf), err);
		}
	}
}

/* A CPU no partition owns takes fault interrupts; else the boot CPU gets NMIs. */
static void route_faults(void)
{
	for (unsigned cpu = 0; cpu < HV_MAX_CPUS; cpu++)
		if (percpu_area[cpu].online && !partition_of_cpu(cpu)) {
			iommu_route_faults(cpu, false);
			return;
		}
	iommu_route_faults(0, true);
}

/*
 * Off the bus at once: bus mastering off, a function-level reset when it
 * has one, and no context entry, so it can't try again. Its owner's driver
 * aimed DMA outside the owner's memory: that is never a transient.
 */
static void quarantine(struct pci_dev *d, uint64_t addr, uint8_t reason)
{
	d->quarantined = true;
	pci_dev_stop_dma(d, false);
	iommu_unassign(d->bdf);
	d->dma = false;
	log_error("iommu", "quarantine bdf=" PCI_BDF_FMT " partition=%s reason=0x%x addr=0x%llx "
		  "faults=%u bus_master=off flr=%s", PCI_BDF_ARGS(d->bdf), partition_name(d->owner),
		  reason, (unsigned long long)addr, d->faults, d->caps.pcie.flr ? "yes" : "no");
	notice_post(d->owner, HV_NOTICE_QUARANTINED, d->bdf, addr, 0);
	partition_event_push_device(d->owner, d->bdf, addr);
}

/* Every fault is counted and told to the owner; at the threshold the device goes. */
static void dma_fault(uint32_t bdf, uint64_t addr, uint8_t reason)
{
	struct pci_dev *d;

	canary_check_all("dma-fault");
	if (!pci_dev_trylock(HOOK_LOCK_SPINS)) {
		log_error("iommu", "fault not contained bdf=" PCI_BDF_FMT " reason=device-table-busy",
			  PCI_BDF_ARGS(bdf));
		return;
	}
	d = pci_dev_find(bdf);
	if (d && d->owner && !d->quarantined) {
		d->faults++;
		notice_post(d->owner, HV_NOTICE_DMA_FAULT, bdf, addr, 0);
		if (d->faults >= fault_threshold)
			quarantine(d, addr, reason);
	}
	pci_dev_unlock();
}

/*
 * Without remapping a device's DMA reaches all memory, the hypervisor's
 * included: the unsafe test mode runs only partitions that own no device.
 */
static int refuse_devices_without_remapping(const struct config *cfg)
{
	for (uint32_t i = 0; i < cfg->partition_count; i++) {
		const struct config_partition *p = &cfg->partitions[i];

		if (!p->device_count)
			continue;
		log_error("config", "refused field=\"partition %s.devices\" reason=\"no DMA "
			  "remapping (hypervisor.unsafe_no_iommu): partitions may not own devices\"",
			  p->name);
		return -EPERM;
	}
	return 0;
}

int dma_isolation_setup(const struct config *cfg)
{
	int err = iommu_init();
	bool remapping = !err && iommu_unit_count() > 0;

	fault_threshold = cfg->dma_fault_threshold ? cfg->dma_fault_threshold : 1;
	if (!err && !remapping) {
		if (!cfg->unsafe_no_iommu)
			return -ENODEV;
		log_warn("iommu", "UNSAFE: no DMA remapping: devices can reach all memory");
		err = refuse_devices_without_remapping(cfg);
	}
	for (unsigned id = 0; !err && id < partition_count(); id++)
		err = setup_partition(partition_get(id), remapping);
	if (err || !remapping)
		return err;
	map_rmrrs();
	iommu_set_fault_hook(dma_fault);
	route_faults();
	err = iommu_enable();
	/* Without remapping, the MSI filter alone confines device interrupts. */
	if (!err && iommu_enable_ir())
		log_warn("iommu", "interrupt remapping off: device MSIs checked by filter only");
	log_info("iommu", "dma isolation on fault_threshold=%u", fault_threshold);
	return err;
}
