/*
 * Emulated MMIO: today the PCI configuration space (ECAM window) as a
 * partition sees it. A partition reads the configuration of the functions
 * it owns and all-ones for every other one, as if they were absent; its
 * writes are refused (and counted) until device assignment filters them.
 *
 * Without decode assists the instruction is fetched through the guest's
 * own page tables and decoded here (vmm/x86_decode.c).
 */
#include "vmm/exits.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/pci_host.h"
#include "kernel/platform.h"
#include "vmm/dma.h"
#include "vmm/guest_walk.h"
#include "vmm/msi_filter.h"
#include "vmm/partition.h"
#include "vmm/x86_decode.h"

#define ECAM_BUS_SHIFT 20
#define ECAM_FN_SHIFT 12
#define MAX_INSN 15
#define OWNER_COMMAND_BITS (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF)

static uint64_t config_writes_refused;

static const struct mcfg_allocation *ecam_window(uint64_t gpa)
{
	const struct platform *p = platform_get();

	for (uint32_t i = 0; p->have_mcfg && i < p->mcfg.count; i++) {
		const struct mcfg_allocation *a = &p->mcfg.allocations[i];
		uint64_t size = (uint64_t)(a->end_bus - a->start_bus + 1) << ECAM_BUS_SHIFT;
		uint64_t lo = a->base + ((uint64_t)a->start_bus << ECAM_BUS_SHIFT);

		if (gpa >= lo && gpa - lo < size)
			return a;
	}
	return NULL;
}

static int read_guest(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	const void *src = partition_gpa_to_host(ctx, gpa, len);

	if (!src)
		return -EFAULT;
	memcpy(buf, src, len);
	return 0;
}

static int fetch(struct vcpu *v, uint8_t *bytes)
{
	const struct vcpu_backend *be = vcpu_backend();
	uint64_t rip = be->get_rip(v);

	if (be->paging_enabled(v))
		return guest_fetch(be->get_cr3(v), rip, bytes, MAX_INSN, read_guest, v->part);
	for (int n = MAX_INSN; n > 0; n--)
		if (!read_guest(v->part, rip, bytes, (size_t)n))
			return n;
	return -EFAULT;
}

static bool owns(const struct partition *p, uint32_t bdf)
{
	for (uint32_t i = 0; i < p->cfg->device_count; i++)
		if (p->cfg->devices[i] == bdf)
			return true;
	return false;
}

static uint64_t config_read(uint32_t bdf, uint16_t reg, unsigned size)
{
	const struct pci_cfg_ops *ops = pci_host_ops();

	switch (size) {
	case 1:
		return pci_cfg_read8(ops, bdf, reg);
	case 2:
		return pci_cfg_read16(ops, bdf, reg);
	case 4:
		return pci_cfg_read32(ops, bdf, reg);
	default: /* 8-byte config access: two dwords, as the bus would split it */
		return pci_cfg_read32(ops, bdf, reg) |
		       (uint64_t)pci_cfg_read32(ops, bdf, (uint16_t)(reg + 4)) << 32;
	}
}

static void apply_load(struct vcpu *v, const struct x86_insn *in, uint64_t value)
{
	const struct vcpu_backend *be = vcpu_backend();
	uint64_t regs[GPR_COUNT];

	for (unsigned i = 0; i < GPR_COUNT; i++)
		regs[i] = be->get_reg(v, i);
	x86_reg_write_load(regs, in, value);
	for (unsigned i = 0; i < GPR_COUNT; i++)
		be->set_reg(v, i, regs[i]);
}

static uint64_t store_value(struct vcpu *v, const struct x86_insn *in)
{
	const struct vcpu_backend *be = vcpu_backend();
	uint64_t regs[GPR_COUNT];

	if (in->has_imm)
		return in->imm;
	for (unsigned i = 0; i < GPR_COUNT; i++)
		regs[i] = be->get_reg(v, i);
	return x86_reg_read(regs, in);
}

/*
 * The owner may switch memory decoding, bus mastering and INTx on and off:
 * what its driver needs, nothing that moves the device in the address space
 * (BARs) or changes how it interrupts (MSI/MSI-X, routed by the hypervisor).
 */
static bool command_write(uint32_t bdf, uint16_t reg, const struct x86_insn *in, uint64_t value)
{
	const struct pci_cfg_ops *ops = pci_host_ops();
	uint16_t cmd;

	if (reg != PCI_COMMAND || (in->size != 2 && in->size != 4))
		return false;
	cmd = pci_cfg_read16(ops, bdf, PCI_COMMAND);
	cmd = (uint16_t)((cmd & ~OWNER_COMMAND_BITS) | (value & OWNER_COMMAND_BITS));
	if (dma_device_quarantined(bdf))
		cmd &= (uint16_t)~PCI_COMMAND_MASTER;
	pci_cfg_write16(ops, bdf, PCI_COMMAND, cmd); /* Status (RW1C) written as 0 */
	return true;
}

static void emulate_config(struct vcpu *v, const struct mcfg_allocation *a, uint64_t gpa,
			   const struct x86_insn *in)
{
	uint64_t off = gpa - a->base;
	uint32_t bdf = (uint32_t)a->segment << 16 | (uint32_t)((off >> ECAM_FN_SHIFT) & 0xffff);
	uint16_t reg = off & 0xfff;
	bool mine = owns(v->part, bdf) && (reg & (in->size - 1)) == 0;

	if (!in->write) {
		uint64_t value = ~0ULL;

		if (mine && !msi_filter_read(bdf, reg, in->size, &value))
			value = config_read(bdf, reg, in->size);
		apply_load(v, in, value);
		return;
	}
	if (mine && command_write(bdf, reg, in, store_value(v, in)))
		return;
	if (mine && msi_filter_write(v->part, bdf, reg, in->size, store_value(v, in)))
		return;
	if (__atomic_add_fetch(&config_writes_refused, 1, __ATOMIC_RELAXED) <= 8)
		log_warn("vmm", "config write refused partition=%s bdf=%02x:%02x.%x reg=0x%x",
			 partition_name(v->part), (bdf >> 8) & 0xff, (bdf >> 3) & 0x1f, bdf & 7,
			 reg);
}

bool exit_mmio(struct vcpu *v, const struct vm_exit *e)
{
	const struct mcfg_allocation *a = ecam_window(e->npf.gpa);
	uint8_t bytes[MAX_INSN];
	struct x86_insn in;
	int n;

	if (!a || e->npf.fetch)
		return false;
	n = fetch(v, bytes);
	if (n <= 0 || x86_decode_mmio(bytes, (size_t)n, &in) || in.write != e->npf.write) {
		log_error("vmm", "mmio instruction not emulated partition=%s rip=0x%llx gpa=0x%llx",
			  partition_name(v->part), (unsigned long long)e->rip,
			  (unsigned long long)e->npf.gpa);
		exit_contain(v, HV_STOP_UNHANDLED_EXIT, e->npf.gpa);
		return true;
	}
	emulate_config(v, a, e->npf.gpa, &in);
	exit_skip_instruction(v, in.length);
	return true;
}
