/* The unowned-device DMA probe (see dma_probe.h). 82576 registers: datasheet ch. 8. */
#include "vmm/dma_probe.h"
#include "hv/log.h"
#include "kernel/arch/cpu.h"
#include "kernel/memory.h"
#include "kernel/pci_host.h"
#include "kernel/timer.h"
#include "vmm/canary.h"
#include "vmm/partition.h"

#define IGB_VENDOR 0x8086
#define IGB_DEVICE 0x10c9
#define IGB_TCTL 0x0400
#define IGB_TCTL_EN (1u << 1)
#define IGB_TDBAL0 0xe000
#define IGB_TDBAH0 0xe004
#define IGB_TDLEN0 0xe008
#define IGB_TDH0 0xe010
#define IGB_TDT0 0xe018
#define IGB_TXDCTL0 0xe028
#define IGB_TXDCTL_ENABLE (1u << 25)
#define PROBE_WAIT_US 100000

static const struct partition *owner(uint32_t bdf)
{
	for (unsigned id = 0; id < partition_count(); id++) {
		const struct partition *p = partition_get(id);

		for (uint32_t i = 0; i < p->cfg->device_count; i++)
			if (p->cfg->devices[i] == bdf)
				return p;
	}
	return NULL;
}

static void ring_doorbell(uint64_t regs, uint64_t target)
{
	mmio_write32(regs + IGB_TXDCTL0, mmio_read32(regs + IGB_TXDCTL0) | IGB_TXDCTL_ENABLE);
	mmio_write32(regs + IGB_TDBAL0, (uint32_t)target);
	mmio_write32(regs + IGB_TDBAH0, (uint32_t)(target >> 32));
	mmio_write32(regs + IGB_TDLEN0, 1024);
	mmio_write32(regs + IGB_TDH0, 0);
	mmio_write32(regs + IGB_TDT0, 0);
	mmio_write32(regs + IGB_TCTL, mmio_read32(regs + IGB_TCTL) | IGB_TCTL_EN);
	mmio_write32(regs + IGB_TDT0, 1);
}

void dma_probe_unowned(const struct config *cfg)
{
	const struct pci_cfg_ops *ops = pci_host_ops();
	uint32_t bdf = cfg->debug_dma_probe - 1;
	const struct pci_function *fn;
	const struct partition *p;
	uint16_t cmd;

	if (!cfg->debug_dma_probe)
		return;
	fn = pci_host_find(bdf);
	p = owner(bdf);
	if (!fn || p || fn->vendor != IGB_VENDOR || fn->device != IGB_DEVICE ||
	    !fn->bars[0].base || !memory_map_mmio(fn->bars[0].base, fn->bars[0].size)) {
		log_error("vmm", "dma probe refused bdf=" PCI_BDF_FMT " reason=%s", PCI_BDF_ARGS(bdf),
			  !fn ? "no-such-function" : p ? "owned" : "not-an-unowned-82576");
		return;
	}
	cmd = pci_cfg_read16(ops, bdf, PCI_COMMAND);
	pci_cfg_write16(ops, bdf, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	log_warn("vmm", "dma probe bdf=" PCI_BDF_FMT " owner=none target=0x%llx (the canary)",
		 PCI_BDF_ARGS(bdf), (unsigned long long)canary_hpa());
	ring_doorbell(fn->bars[0].base, canary_hpa());
	timer_delay_us(PROBE_WAIT_US);
	pci_cfg_write16(ops, bdf, PCI_COMMAND, cmd & (uint16_t)~PCI_COMMAND_MASTER);
	canary_check_all("dma-probe");
}
