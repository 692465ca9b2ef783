/* Partition DMA isolation (see dma.h). */
#include "vmm/dma.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "kernel/arch/apic.h"
#include "kernel/percpu.h"
#include "kernel/platform.h"
#include "vmm/partition.h"

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
	route_faults();
	return iommu_enable();
}
