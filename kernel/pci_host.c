/* PCI in the core: ECAM accessor and discovery (see pci_host.h). */
#include "kernel/pci_host.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "kernel/arch/cpu.h"
#include "kernel/memory.h"
#include "kernel/pci_legacy.h"
#include "kernel/platform.h"
#include "kernel/shutdown.h"

#define ECAM_BUS_SIZE (1 * MiB)

struct ecam_segment {
	const struct mcfg_allocation *alloc;
	uint32_t mapped[256 / 32]; /* buses whose 1 MiB window is mapped */
};

static struct ecam_segment segments[PCI_HOST_MAX_SEGMENTS];
static unsigned segment_count;
/* From the hypervisor's pool: each is large and most machines have one segment. */
static struct pci_topology *topologies[PCI_HOST_MAX_SEGMENTS];
static unsigned quiesced;

static struct ecam_segment *segment_for(uint32_t bdf)
{
	unsigned bus = PCI_BDF_BUS(bdf);

	for (unsigned i = 0; i < segment_count; i++) {
		const struct mcfg_allocation *a = segments[i].alloc;

		if (a->segment == PCI_BDF_SEG(bdf) && bus >= a->start_bus && bus <= a->end_bus)
			return &segments[i];
	}
	return NULL;
}

/* Maps a bus's ECAM window on first use: most buses are never touched. */
static uint64_t ecam_address(uint32_t bdf, uint16_t off)
{
	struct ecam_segment *s = segment_for(bdf);
	unsigned bus = PCI_BDF_BUS(bdf);
	uint64_t bus_base;

	if (!s || off > 0xffc || (off & 3))
		return 0;
	bus_base = s->alloc->base + (uint64_t)bus * ECAM_BUS_SIZE;
	if (!(s->mapped[bus / 32] & BIT(bus % 32))) {
		if (!memory_map_mmio(bus_base, ECAM_BUS_SIZE))
			return 0;
		s->mapped[bus / 32] |= (uint32_t)BIT(bus % 32);
	}
	return bus_base + ((uint64_t)(bdf & 0xff) << 12) + off;
}

static uint32_t ecam_read32(void *ctx, uint32_t bdf, uint16_t off)
{
	uint64_t addr = ecam_address(bdf, off);

	(void)ctx;
	return addr ? mmio_read32(addr) : 0xffffffffu;
}

static void ecam_write32(void *ctx, uint32_t bdf, uint16_t off, uint32_t val)
{
	uint64_t addr = ecam_address(bdf, off);

	(void)ctx;
	if (addr)
		mmio_write32(addr, val);
}

static const struct pci_cfg_ops ecam_ops = {ecam_read32, ecam_write32, NULL};
static const struct pci_cfg_ops *host_ops = &ecam_ops;

const struct pci_cfg_ops *pci_host_ops(void)
{
	return host_ops;
}

/* Without MCFG (Bochs, old chipsets): segment 0's conventional space through ports. */
static void use_legacy_access(void)
{
	if (!pci_legacy_present()) {
		log_error("pci", "no ECAM (MCFG) window and no port access at 0xcf8: PCI devices "
			  "can't be enumerated");
		return;
	}
	log_warn("pci", "no ECAM (MCFG) window: configuration access through ports 0xcf8/0xcfc, "
		 "extended capabilities (SR-IOV, AER, ARI) out of reach");
	segments[0].alloc = pci_legacy_window();
	segment_count = 1;
	host_ops = pci_legacy_ops();
}

void pci_host_discover(const struct boot_info *bi)
{
	const struct platform *p = platform_get();

	for (uint32_t i = 0; p->have_mcfg && i < p->mcfg.count; i++) {
		if (segment_count == PCI_HOST_MAX_SEGMENTS) {
			log_warn("pci", "segments beyond %u ignored", PCI_HOST_MAX_SEGMENTS);
			break;
		}
		segments[segment_count].alloc = &p->mcfg.allocations[i];
		segment_count++;
	}
	if (!segment_count)
		use_legacy_access();
	for (unsigned i = 0; i < segment_count; i++) {
		const struct mcfg_allocation *a = segments[i].alloc;
		phys_addr_t pa;

		if (hv_pages_alloc(ALIGN_UP(sizeof(struct pci_topology), PAGE_SIZE) / PAGE_SIZE,
				   &pa))
			panic("no memory for the PCI topology of segment %u", a->segment);
		topologies[i] = (struct pci_topology *)(uintptr_t)pa;
		pci_enumerate(host_ops, a->segment, a->start_bus, a->end_bus, topologies[i]);
		quiesced += pci_disable_bus_master(host_ops, topologies[i]);
	}
	log_info("pci", "bus mastering off functions_cleared=%u loader_cleared=%u", quiesced,
		 bi->quiesced_functions);
}

unsigned pci_host_segment_count(void)
{
	return segment_count;
}

const struct pci_topology *pci_host_topology(unsigned segment_index)
{
	return segment_index < segment_count ? topologies[segment_index] : NULL;
}

unsigned pci_host_function_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < segment_count; i++)
		n += topologies[i]->count;
	return n;
}

const struct pci_function *pci_host_find(uint32_t bdf)
{
	for (unsigned s = 0; s < segment_count; s++)
		for (uint32_t i = 0; i < topologies[s]->count; i++)
			if (topologies[s]->fn[i].bdf == bdf)
				return &topologies[s]->fn[i];
	return NULL;
}

unsigned pci_host_quiesced(void)
{
	return quiesced;
}

int pci_host_check_sriov_request(uint32_t vfs)
{
	unsigned pfs = 0;
	int err = 0;

	for (unsigned s = 0; s < segment_count; s++)
		for (uint32_t i = 0; i < topologies[s]->count; i++) {
			const struct pci_function *fn = &topologies[s]->fn[i];
			const struct pci_sriov *sr = &fn->caps.sriov;

			if (!sr->offset || !sr->valid)
				continue;
			pfs++;
			if (vfs > sr->total_vfs) {
				log_error("config", "refused field=sriov.vfs reason=\"%u VFs "
					  "requested, PF " PCI_BDF_FMT " has total_vfs=%u\"", vfs,
					  PCI_BDF_ARGS(fn->bdf), sr->total_vfs);
				err = -EINVAL;
			}
		}
	if (vfs && !pfs) {
		log_error("config", "refused field=sriov.vfs reason=\"%u VFs requested, no "
			  "SR-IOV physical function found\"", vfs);
		err = -EINVAL;
	}
	return err;
}
