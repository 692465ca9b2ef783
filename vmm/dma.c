/* Partition DMA isolation (see dma.h). */
#include "vmm/dma.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "kernel/arch/apic.h"
#include "kernel/percpu.h"
#include "kernel/platform.h"
#include "kernel/pci_host.h"
#include "vmm/canary.h"
#include "vmm/device_mmio.h"
#include "vmm/partition.h"

#define MAX_QUARANTINED 32

static uint32_t quarantined_bdfs[MAX_QUARANTINED];
static unsigned quarantined_count;

static bool quarantined(uint32_t bdf)
{
	for (unsigned i = 0; i < quarantined_count; i++)
		if (quarantined_bdfs[i] == bdf)
			return true;
	return false;
}

bool dma_device_quarantined(uint32_t bdf)
{
	return quarantined(bdf);
}

static void mark_quarantined(uint32_t bdf)
{
	if (quarantined_count < MAX_QUARANTINED)
		quarantined_bdfs[quarantined_count++] = bdf;
}

static int refuse(const struct partition *p, uint32_t bdf, int err)
{
	log_error("config", "refused field=\"partition %s.devices\" reason=\"%02x:%02x.%x: no DMA "
		  "remapping for it (err=%d)\"", partition_name(p), (bdf >> 8) & 0xff,
		  (bdf >> 3) & 0x1f, bdf & 7, err);
	return err;
}

static int setup_partition(struct partition *p)
{
	int err = iommu_domain_create(&p->dma, (uint16_t)(p->id + 1), p->mem_size, p->mem_hpa);

	if (err)
		return err;
	for (uint32_t i = 0; i < p->cfg->device_count; i++) {
		err = iommu_assign(p->cfg->devices[i], &p->dma);
		if (!err)
			err = device_mmio_map(p, p->cfg->devices[i]);
		if (err)
			return refuse(p, p->cfg->devices[i], err);
	}
	return 0;
}

static struct partition *owner_of(uint32_t bdf)
{
	for (unsigned id = 0; id < partition_count(); id++) {
		struct partition *p = partition_get(id);

		for (uint32_t i = 0; i < p->cfg->device_count; i++)
			if (p->cfg->devices[i] == bdf)
				return p;
	}
	return NULL;
}

/* Firmware-reserved DMA targets (RMRR) stay reachable, 1:1, for the devices that name them. */
static void map_rmrrs(void)
{
	const struct platform *plat = platform_get();

	for (uint32_t r = 0; plat->have_dmar && r < plat->dmar.rmrr_count; r++) {
		const struct dmar_rmrr *rmrr = &plat->dmar.rmrrs[r];

		for (uint32_t s = 0; s < rmrr->scope_count; s++) {
			const struct dmar_scope *sc = &rmrr->scopes[s];
			uint32_t bdf = (uint32_t)rmrr->segment << 16 | sc->start_bus << 8 |
				       sc->path[0].dev << 3 | sc->path[0].fn;
			struct partition *p = sc->path_len == 1 ? owner_of(bdf) : NULL;
			int err;

			if (!p)
				continue;
			err = iommu_domain_map_identity(&p->dma, rmrr->base,
							rmrr->limit - rmrr->base + 1);
			log_info("iommu", "rmrr base=0x%llx limit=0x%llx partition=%s err=%d",
				 (unsigned long long)rmrr->base, (unsigned long long)rmrr->limit,
				 partition_name(p), err);
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
 * A device whose DMA faulted is quarantined at once: bus mastering off, a
 * function-level reset when it has one, and no context entry, so it can't
 * try again; its owner (and the parent, who reads every event) is told.
 * One fault is enough: a partition's driver has no business aiming DMA
 * outside its memory.
 */
static void quarantine(uint32_t bdf, uint64_t addr, uint8_t reason)
{
	const struct pci_cfg_ops *ops = pci_host_ops();
	const struct pci_function *fn = pci_host_find(bdf);
	struct partition *p = owner_of(bdf);
	bool flr = fn && fn->caps.pcie.offset && fn->caps.pcie.flr;

	if (!p || !fn || quarantined(bdf))
		return;
	mark_quarantined(bdf);
	pci_cfg_write16(ops, bdf, PCI_COMMAND,
			(uint16_t)(pci_cfg_read16(ops, bdf, PCI_COMMAND) & ~PCI_COMMAND_MASTER));
	if (flr)
		pci_cfg_write16_ctl(ops, bdf, (uint16_t)(fn->caps.pcie.offset + PCI_EXP_DEVCTL),
				    (uint16_t)(pci_cfg_read16(ops, bdf, (uint16_t)(fn->caps.pcie.offset +
									   PCI_EXP_DEVCTL)) |
					       PCI_EXP_DEVCTL_BCR_FLR));
	iommu_unassign(bdf);
	log_error("iommu", "quarantine bdf=" PCI_BDF_FMT " partition=%s reason=0x%x addr=0x%llx "
		  "bus_master=off flr=%s", PCI_BDF_ARGS(bdf), partition_name(p), reason,
		  (unsigned long long)addr, flr ? "yes" : "no");
	canary_check_all("dma-fault");
	partition_event_push_device(p, bdf, addr);
}

int dma_isolation_setup(const struct config *cfg)
{
	int err = iommu_init();

	if (!err && iommu_unit_count() == 0) {
		if (cfg->unsafe_no_iommu) {
			log_warn("iommu", "UNSAFE: no DMA remapping: devices can reach all memory");
			return 0;
		}
		return -ENODEV;
	}
	for (unsigned id = 0; !err && id < partition_count(); id++)
		err = setup_partition(partition_get(id));
	if (err)
		return err;
	map_rmrrs();
	iommu_set_fault_hook(quarantine);
	route_faults();
	err = iommu_enable();
	/* Without remapping, the MSI filter alone confines device interrupts. */
	if (!err && iommu_enable_ir())
		log_warn("iommu", "interrupt remapping off: device MSIs checked by filter only");
	return err;
}
