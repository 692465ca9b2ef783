/*
 * Emulated MMIO: the PCI configuration space (ECAM window) as a partition
 * sees it (vmm/config_space.h), and the MSI-X tables of the functions it
 * owns (vmm/msix_table.h).
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
#include "vmm/config_space.h"
#include "vmm/guest_walk.h"
#include "vmm/msix_table.h"
#include "vmm/partition.h"
#include "vmm/x86_decode.h"

#define ECAM_BUS_SHIFT 20
#define ECAM_FN_SHIFT 12
#define MAX_INSN 15

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

static void emulate_config(struct vcpu *v, const struct mcfg_allocation *a, uint64_t gpa,
			   const struct x86_insn *in)
{
	uint64_t off = gpa - a->base;
	uint32_t bdf = (uint32_t)a->segment << 16 | (uint32_t)((off >> ECAM_FN_SHIFT) & 0xffff);
	uint16_t reg = off & 0xfff;

	if (in->write)
		config_space_write(v->part, bdf, reg, in->size, store_value(v, in));
	else
		apply_load(v, in, config_space_read(v->part, bdf, reg, in->size));
}

static void emulate_msix(struct vcpu *v, struct pci_dev *d, uint64_t gpa,
			 const struct x86_insn *in)
{
	if (in->write)
		msix_table_write(d, gpa, in->size, store_value(v, in));
	else
		apply_load(v, in, msix_table_read(d, gpa, in->size));
}

bool exit_mmio(struct vcpu *v, const struct vm_exit *e)
{
	const struct mcfg_allocation *a = ecam_window(e->npf.gpa);
	struct pci_dev *d = a ? NULL : msix_table_lookup(v->part, e->npf.gpa);
	uint8_t bytes[MAX_INSN];
	struct x86_insn in;
	int n;

	if ((!a && !d) || e->npf.fetch)
		return false;
	n = fetch(v, bytes);
	if (n <= 0 || x86_decode_mmio(bytes, (size_t)n, &in) || in.write != e->npf.write) {
		log_error("vmm", "mmio instruction not emulated partition=%s rip=0x%llx gpa=0x%llx",
			  partition_name(v->part), (unsigned long long)e->rip,
			  (unsigned long long)e->npf.gpa);
		exit_contain(v, HV_STOP_UNHANDLED_EXIT, e->npf.gpa);
		return true;
	}
	if (a)
		emulate_config(v, a, e->npf.gpa, &in);
	else
		emulate_msix(v, d, e->npf.gpa, &in);
	exit_skip_instruction(v, in.length);
	return true;
}
