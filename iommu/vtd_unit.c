/*
 * Programming a VT-d unit (VT-d spec ch. 10, 11). Global commands are
 * one-at-a-time: GCMD is write-only, so every write carries the status bits
 * that must stay on, then waits for GSTS to confirm. Waits are bounded: a
 * unit that doesn't answer is an error, never a hang.
 */
#include "iommu/vtd_unit.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "iommu/vtd_regs.h"
#include "kernel/arch/cpu.h"
#include "kernel/memory.h"
#include "kernel/timer.h"

#define VTD_TIMEOUT_US 100000
#define GCMD_PERSISTENT (VTD_GCMD_TE | VTD_GCMD_QIE | VTD_GCMD_IRE | VTD_GCMD_CFI)
#define MSI_ADDR_BASE 0xfee00000u
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_DATA_DELIVERY_NMI (4u << 8)

static uint32_t rd32(const struct vtd_unit *u, uint32_t reg)
{
	return mmio_read32(u->base + reg);
}

static void wr32(const struct vtd_unit *u, uint32_t reg, uint32_t v)
{
	mmio_write32(u->base + reg, v);
}

static uint64_t rd64(const struct vtd_unit *u, uint32_t reg)
{
	return mmio_read64(u->base + reg);
}

static void wr64(const struct vtd_unit *u, uint32_t reg, uint64_t v)
{
	mmio_write64(u->base + reg, v);
}

static int wait_status(const struct vtd_unit *u, uint32_t reg, uint32_t mask, uint32_t want)
{
	uint64_t deadline = timer_deadline_after_us(VTD_TIMEOUT_US);

	while ((rd32(u, reg) & mask) != want)
		if (timer_deadline_passed(deadline))
			return -ETIMEDOUT;
	return 0;
}

static int global_command(struct vtd_unit *u, uint32_t cmd, uint32_t status, bool on)
{
	uint32_t keep = rd32(u, VTD_GSTS_REG) & GCMD_PERSISTENT;

	wr32(u, VTD_GCMD_REG, on ? keep | cmd : keep & ~cmd);
	return wait_status(u, VTD_GSTS_REG, status, on ? status : 0);
}

/* One-shot commands (SRTP): the status bit says the command completed. */
static int one_shot(struct vtd_unit *u, uint32_t cmd, uint32_t status)
{
	uint32_t keep = rd32(u, VTD_GSTS_REG) & GCMD_PERSISTENT;

	wr32(u, VTD_GCMD_REG, keep | cmd);
	return wait_status(u, VTD_GSTS_REG, status, status);
}

static int submit_and_wait(struct vtd_unit *u, const struct vtd_desc *d, unsigned n)
{
	struct vtd_desc batch[4];
	struct vtd_wait w = {.sw = true, .fence = true, .status_data = ++u->wait_seq,
			     .status_addr = u->wait_status_pa};
	uint64_t deadline;
	int tail;

	if (n > 3 || vtd_desc_wait(&w, &batch[n]))
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		batch[i] = d[i];
	tail = vtd_queue_submit(&u->queue, batch, n + 1,
				vtd_iqh_index(rd64(u, VTD_IQH_REG)));
	if (tail < 0)
		return tail;
	wr64(u, VTD_IQT_REG, vtd_iqt_value((unsigned)tail));
	deadline = timer_deadline_after_us(VTD_TIMEOUT_US);
	while (__atomic_load_n(u->wait_status, __ATOMIC_ACQUIRE) != u->wait_seq)
		if (timer_deadline_passed(deadline) || (rd32(u, VTD_FSTS_REG) & VTD_FSTS_IQE))
			return -ETIMEDOUT;
	return 0;
}

static int register_invalidate(struct vtd_unit *u, const struct vtd_cc_inv *cc,
			       const struct vtd_iotlb_inv *iotlb)
{
	uint64_t ccmd, ivt, iva;
	uint32_t iotlb_reg = u->caps->iro + VTD_IOTLB_OFFSET;
	uint64_t deadline = timer_deadline_after_us(VTD_TIMEOUT_US);

	if (vtd_ccmd_value(cc, &ccmd) || vtd_iotlb_reg_values(iotlb, &ivt, &iva))
		return -EINVAL;
	wr64(u, VTD_CCMD_REG, ccmd);
	while (rd64(u, VTD_CCMD_REG) & VTD_CCMD_ICC)
		if (timer_deadline_passed(deadline))
			return -ETIMEDOUT;
	if (iotlb->gran == VTD_IIRG_PAGE)
		wr64(u, u->caps->iro, iva); /* even 0: a page-selective flush of page 0 */
	wr64(u, iotlb_reg, ivt);
	while (rd64(u, iotlb_reg) & BIT(63))
		if (timer_deadline_passed(deadline))
			return -ETIMEDOUT;
	return 0;
}

static int invalidate(struct vtd_unit *u, const struct vtd_cc_inv *cc,
		      const struct vtd_iotlb_inv *iotlb)
{
	struct vtd_desc d[2];
	uint64_t irq = spin_lock_irqsave(&u->lock);
	int err;

	if (u->qi) {
		err = vtd_desc_cc(cc, &d[0]);
		if (!err)
			err = vtd_desc_iotlb(iotlb, &d[1]);
		if (!err)
			err = submit_and_wait(u, d, 2);
	} else {
		err = register_invalidate(u, cc, iotlb);
	}
	spin_unlock_irqrestore(&u->lock, irq);
	return err;
}

int vtd_unit_flush_device(struct vtd_unit *u, uint16_t sid, uint16_t domain_id)
{
	struct vtd_cc_inv cc = {.gran = VTD_CIRG_DEVICE, .domain_id = domain_id, .sid = sid};
	struct vtd_iotlb_inv iotlb = {.gran = VTD_IIRG_DOMAIN, .domain_id = domain_id,
				      .dr = u->caps->drd, .dw = u->caps->dwd};

	return invalidate(u, &cc, &iotlb);
}

int vtd_unit_flush_all(struct vtd_unit *u)
{
	struct vtd_cc_inv cc = {.gran = VTD_CIRG_GLOBAL};
	struct vtd_iotlb_inv iotlb = {.gran = VTD_IIRG_GLOBAL, .dr = u->caps->drd,
				      .dw = u->caps->dwd};

	return invalidate(u, &cc, &iotlb);
}

static int enable_queue(struct vtd_unit *u)
{
	phys_addr_t ring, status;
	int err = hv_pages_alloc(1, &ring);

	if (!err)
		err = hv_pages_alloc(1, &status);
	if (!err)
		err = vtd_queue_init(&u->queue, (struct vtd_desc *)(uintptr_t)ring,
				     VTD_QUEUE_MIN_ENTRIES);
	if (err)
		return err;
	u->wait_status = (volatile uint32_t *)(uintptr_t)status;
	u->wait_status_pa = status;
	wr64(u, VTD_IQT_REG, 0);
	wr64(u, VTD_IQA_REG, vtd_iqa_value(ring, VTD_QUEUE_MIN_ENTRIES));
	return global_command(u, VTD_GCMD_QIE, VTD_GSTS_QIES, true);
}

static void disable_if_on(struct vtd_unit *u)
{
	/* Firmware (pre-boot DMA protection) may have left it on with its own tables. */
	if (rd32(u, VTD_GSTS_REG) & VTD_GSTS_TES)
		global_command(u, VTD_GCMD_TE, VTD_GSTS_TES, false);
	if (rd32(u, VTD_GSTS_REG) & VTD_GSTS_QIES)
		global_command(u, VTD_GCMD_QIE, VTD_GSTS_QIES, false);
}

int vtd_unit_init(struct vtd_unit *u, unsigned index, const struct dmar_drhd *drhd,
		  const struct vtd_caps *caps)
{
	int err;

	u->index = index;
	u->drhd = drhd;
	u->caps = caps;
	u->base = drhd->register_base;
	disable_if_on(u);
	err = vtd_ctx_init(&u->ctx, memory_table_mm());
	if (!err)
		err = vtd_ctx_limit_domains(&u->ctx, caps->domains);
	if (err)
		return err;
	wr64(u, VTD_RTADDR_REG, vtd_ctx_root(&u->ctx));
	err = one_shot(u, VTD_GCMD_SRTP, VTD_GSTS_RTPS);
	if (!err && caps->qi) {
		err = enable_queue(u);
		u->qi = !err;
	}
	if (!err)
		err = vtd_unit_flush_all(u);
	if (!err)
		wr32(u, VTD_FSTS_REG, vtd_fsts_clear_bits(rd32(u, VTD_FSTS_REG)));
	return err;
}

void vtd_unit_fault_irq(struct vtd_unit *u, uint32_t dest, uint8_t vector, bool nmi)
{
	/* 32-bit accesses only: QEMU aborts on 64-bit access to these. */
	wr32(u, VTD_FEDATA_REG, nmi ? MSI_DATA_DELIVERY_NMI : vector);
	wr32(u, VTD_FEADDR_REG, MSI_ADDR_BASE | (dest & 0xff) << MSI_ADDR_DEST_SHIFT);
	wr32(u, VTD_FEUADDR_REG, u->caps->eim ? dest & ~0xffu : 0);
	wr32(u, VTD_FECTL_REG, 0); /* unmask */
}

int vtd_unit_enable(struct vtd_unit *u)
{
	int err = global_command(u, VTD_GCMD_TE, VTD_GSTS_TES, true);

	u->translating = !err;
	return err;
}

#define IRT_ENTRIES 256 /* one page */

int vtd_unit_enable_ir(struct vtd_unit *u)
{
	phys_addr_t pa;
	uint64_t irta;
	struct vtd_desc d;
	int err;

	if (!u->qi || !u->caps->ir)
		return -ENOTSUP;
	err = hv_pages_alloc(1, &pa);
	if (!err)
		err = vtd_irta_value(pa, IRT_ENTRIES, u->caps->eim, &irta);
	if (err)
		return err;
	u->irt = (struct vtd_irte *)(uintptr_t)pa;
	wr64(u, VTD_IRTA_REG, irta);
	err = one_shot(u, VTD_GCMD_SIRTP, VTD_GSTS_IRTPS);
	if (!err)
		err = vtd_desc_iec_global(&d);
	if (!err) {
		uint64_t irq = spin_lock_irqsave(&u->lock);

		err = submit_and_wait(u, &d, 1);
		spin_unlock_irqrestore(&u->lock, irq);
	}
	if (!err)
		err = global_command(u, VTD_GCMD_IRE, VTD_GSTS_IRES, true);
	u->remapping = !err;
	return err;
}

static int invalidate_irte(struct vtd_unit *u, unsigned index)
{
	struct vtd_desc d;
	uint64_t irq;
	int err = vtd_desc_iec_index((uint16_t)index, 0, &d);

	if (!u->caps->coherent) /* the entry must be in memory before the unit rereads it */
		__asm__ volatile("wbinvd" ::: "memory");
	if (err)
		return err;
	irq = spin_lock_irqsave(&u->lock);
	err = submit_and_wait(u, &d, 1);
	spin_unlock_irqrestore(&u->lock, irq);
	return err;
}

int vtd_unit_set_irte(struct vtd_unit *u, unsigned index, const struct vtd_irte *e)
{
	int err;

	if (!u->remapping || index >= IRT_ENTRIES)
		return -EINVAL;
	vtd_irte_clear(&u->irt[index]);
	err = vtd_irte_install(&u->irt[index], e);
	return err ? err : invalidate_irte(u, index);
}

int vtd_unit_clear_irte(struct vtd_unit *u, unsigned index)
{
	if (!u->remapping || index >= IRT_ENTRIES)
		return -EINVAL;
	vtd_irte_clear(&u->irt[index]);
	return invalidate_irte(u, index);
}

static bool drain_one(struct vtd_unit *u, unsigned index,
		      void (*report)(struct vtd_unit *u, const struct vtd_fault *f))
{
	struct vtd_fault f;
	uint32_t off;

	if (vtd_frcd_offset(u->caps, index, &off))
		return false;
	if (vtd_fault_decode(rd64(u, off), rd64(u, off + 8), &f) || !f.valid)
		return false;
	/* F is RW1C in the record's top dword: clearing it frees the record. */
	wr32(u, off + 12, (uint32_t)BIT(31));
	u->faults++;
	report(u, &f);
	return true;
}

unsigned vtd_unit_drain_faults(struct vtd_unit *u,
			       void (*report)(struct vtd_unit *u, const struct vtd_fault *f))
{
	uint32_t fsts = rd32(u, VTD_FSTS_REG);
	struct vtd_fault_status st;
	unsigned n = 0;

	vtd_fsts_decode(fsts, &st);
	for (unsigned i = 0; i < u->caps->nfr; i++)
		n += drain_one(u, (st.fri + i) % u->caps->nfr, report);
	if (st.pfo) {
		/* One recording register (QEMU): faults beyond it are lost, but not unseen. */
		u->faults_lost++;
		log_error("iommu", "fault overflow unit=%u: faults were dropped lost_events=%llu",
			  u->index, (unsigned long long)u->faults_lost);
	}
	wr32(u, VTD_FSTS_REG, vtd_fsts_clear_bits(fsts));
	return n;
}
