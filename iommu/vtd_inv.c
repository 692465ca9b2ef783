/*
 * Encoders for VT-d invalidation requests and the invalidation queue ring
 * (iommu/vtd_inv.h). Bit positions: VT-d specification 6.5.2 (descriptors)
 * and 11.4.3/11.4.8 (CCMD_REG, IOTLB_REG, IVA_REG). Every encoder checks
 * all fields first and writes its output only when they fit, so a caller
 * never submits a half-built descriptor.
 */
#include "iommu/vtd_inv.h"
#include "hv/errno.h"
#include "hv/log.h"

#define VTD_FM_MAX	 3
#define VTD_IEC_IM_MAX	 16 /* interrupt indices are 16 bits */
#define VTD_IOTLB_AM_MAX 51 /* 2^63 bytes; wider: use domain granularity */

static inline void compiler_barrier(void)
{
	__asm__ __volatile__("" ::: "memory");
}

static int check_cc(const struct vtd_cc_inv *inv)
{
	if (inv->gran < VTD_CIRG_GLOBAL || inv->gran > VTD_CIRG_DEVICE || inv->fm > VTD_FM_MAX)
		return -EINVAL;
	return 0;
}

int vtd_desc_cc(const struct vtd_cc_inv *inv, struct vtd_desc *out)
{
	uint64_t lo = VTD_DESC_TYPE_CC | vtd_put(VTD_DESC_CC_G, inv->gran);

	if (check_cc(inv))
		return -EINVAL;
	if (inv->gran >= VTD_CIRG_DOMAIN)
		lo |= vtd_put(VTD_DESC_CC_DID, inv->domain_id);
	if (inv->gran == VTD_CIRG_DEVICE)
		lo |= vtd_put(VTD_DESC_CC_SID, inv->sid) | vtd_put(VTD_DESC_CC_FM, inv->fm);
	*out = (struct vtd_desc){.lo = lo, .hi = 0};
	return 0;
}

int vtd_ccmd_value(const struct vtd_cc_inv *inv, uint64_t *ccmd)
{
	uint64_t v = VTD_CCMD_ICC | vtd_put(VTD_CCMD_CIRG, inv->gran);

	if (check_cc(inv))
		return -EINVAL;
	if (inv->gran >= VTD_CIRG_DOMAIN)
		v |= vtd_put(VTD_CCMD_DID, inv->domain_id);
	if (inv->gran == VTD_CIRG_DEVICE)
		v |= vtd_put(VTD_CCMD_SID, inv->sid) | vtd_put(VTD_CCMD_FM, inv->fm);
	*ccmd = v;
	return 0;
}

/* Page granularity needs addr aligned to its 2^am pages (6.5.2.3). */
static int check_iotlb(const struct vtd_iotlb_inv *inv)
{
	if (inv->gran < VTD_IIRG_GLOBAL || inv->gran > VTD_IIRG_PAGE)
		return -EINVAL;
	if (inv->gran != VTD_IIRG_PAGE)
		return 0;
	if (inv->am > VTD_IOTLB_AM_MAX || !IS_ALIGNED(inv->addr, PAGE_SIZE << inv->am))
		return -EINVAL;
	return 0;
}

/* The address half of a page-selective request: same layout in hi and IVA_REG. */
static uint64_t iotlb_addr_bits(const struct vtd_iotlb_inv *inv)
{
	if (inv->gran != VTD_IIRG_PAGE)
		return 0;
	return (inv->addr & VTD_DESC_IOTLB_ADDR) | (inv->ih ? VTD_DESC_IOTLB_IH : 0) |
	       vtd_put(VTD_DESC_IOTLB_AM, inv->am);
}

int vtd_desc_iotlb(const struct vtd_iotlb_inv *inv, struct vtd_desc *out)
{
	uint64_t lo = VTD_DESC_TYPE_IOTLB | vtd_put(VTD_DESC_IOTLB_G, inv->gran);

	if (check_iotlb(inv))
		return -EINVAL;
	lo |= (inv->dr ? VTD_DESC_IOTLB_DR : 0) | (inv->dw ? VTD_DESC_IOTLB_DW : 0);
	if (inv->gran >= VTD_IIRG_DOMAIN)
		lo |= vtd_put(VTD_DESC_IOTLB_DID, inv->domain_id);
	*out = (struct vtd_desc){.lo = lo, .hi = iotlb_addr_bits(inv)};
	return 0;
}

int vtd_iotlb_reg_values(const struct vtd_iotlb_inv *inv, uint64_t *iotlb, uint64_t *iva)
{
	uint64_t v = VTD_IOTLB_IVT | vtd_put(VTD_IOTLB_IIRG, inv->gran);

	if (check_iotlb(inv))
		return -EINVAL;
	v |= (inv->dr ? VTD_IOTLB_DR : 0) | (inv->dw ? VTD_IOTLB_DW : 0);
	if (inv->gran >= VTD_IIRG_DOMAIN)
		v |= vtd_put(VTD_IOTLB_DID, inv->domain_id);
	*iotlb = v;
	*iva = iotlb_addr_bits(inv);
	return 0;
}

/* Smallest am such that one naturally aligned 2^am-page block holds both pages. */
static unsigned block_order(uint64_t first_pfn, uint64_t last_pfn)
{
	uint64_t diff = first_pfn ^ last_pfn;

	return diff ? 64 - (unsigned)__builtin_clzll(diff) : 0;
}

int vtd_iotlb_inv_range(const struct vtd_caps *caps, uint16_t domain_id, uint64_t addr,
			uint64_t size, struct vtd_iotlb_inv *out)
{
	uint64_t first, last;
	unsigned am;

	if (size == 0 || addr + (size - 1) < addr)
		return -EINVAL;
	first = addr >> PAGE_SHIFT;
	last = (addr + (size - 1)) >> PAGE_SHIFT;
	am = block_order(first, last);
	*out = (struct vtd_iotlb_inv){
	    .gran = VTD_IIRG_DOMAIN, .domain_id = domain_id, .dr = caps->drd, .dw = caps->dwd};
	if (caps->psi && am <= caps->mamv && am <= VTD_IOTLB_AM_MAX) {
		out->gran = VTD_IIRG_PAGE;
		out->am = am;
		out->addr = (first >> am) << (am + PAGE_SHIFT);
	}
	return 0;
}

int vtd_desc_iec_global(struct vtd_desc *out)
{
	*out = (struct vtd_desc){.lo = VTD_DESC_TYPE_IEC, .hi = 0};
	return 0;
}

int vtd_desc_iec_index(uint16_t index, unsigned im, struct vtd_desc *out)
{
	if (im > VTD_IEC_IM_MAX || (index & ((1u << im) - 1)))
		return -EINVAL;
	out->lo = VTD_DESC_TYPE_IEC | VTD_DESC_IEC_G | vtd_put(VTD_DESC_IEC_IM, im) |
		  vtd_put(VTD_DESC_IEC_IIDX, index);
	out->hi = 0;
	return 0;
}

/*
 * Exactly one of SW and IF. Both: QEMU 10.0.2 asserts and aborts
 * (PLATFORM.md). Neither: the specification allows it as a pure fence, but
 * QEMU before the fix for FN-only descriptors reports it as an invalid
 * descriptor (IQE), and this driver always wants a completion signal.
 */
static int check_wait(const struct vtd_wait *w)
{
	if (w->sw == w->irq) {
		log_warn("vtd", "refused: wait descriptor needs exactly one of sw/if sw=%d if=%d",
			 w->sw, w->irq);
		return -EINVAL;
	}
	if (w->sw && !IS_ALIGNED(w->status_addr, 4))
		return -EINVAL;
	if (!w->sw && (w->status_addr || w->status_data))
		return -EINVAL;
	return 0;
}

int vtd_desc_wait(const struct vtd_wait *w, struct vtd_desc *out)
{
	uint64_t lo = VTD_DESC_TYPE_WAIT;

	if (check_wait(w))
		return -EINVAL;
	lo |= (w->sw ? VTD_DESC_WAIT_SW : 0) | (w->irq ? VTD_DESC_WAIT_IF : 0);
	lo |= (w->fence ? VTD_DESC_WAIT_FN : 0) | vtd_put(VTD_DESC_WAIT_SDATA, w->status_data);
	*out = (struct vtd_desc){.lo = lo, .hi = w->status_addr & VTD_DESC_WAIT_SADDR};
	return 0;
}

static bool queue_size_ok(unsigned entries)
{
	for (unsigned qs = 0; qs <= VTD_QUEUE_MAX_QS; qs++)
		if (entries == VTD_QUEUE_MIN_ENTRIES << qs)
			return true;
	return false;
}

int vtd_queue_init(struct vtd_queue *q, struct vtd_desc *ring, unsigned entries)
{
	if (!ring || !queue_size_ok(entries))
		return -EINVAL;
	*q = (struct vtd_queue){.ring = ring, .entries = entries, .tail = 0};
	return 0;
}

unsigned vtd_queue_space(const struct vtd_queue *q, unsigned head)
{
	return (head - q->tail - 1) & (q->entries - 1);
}

int vtd_queue_submit(struct vtd_queue *q, const struct vtd_desc *d, unsigned n, unsigned head)
{
	unsigned tail = q->tail;

	if (head >= q->entries || q->tail >= q->entries) {
		log_warn("vtd", "refused: queue index head=%u tail=%u entries=%u", head, q->tail,
			 q->entries);
		return -EINVAL;
	}
	if (n > vtd_queue_space(q, head))
		return -ENOSPC;
	for (unsigned i = 0; i < n; i++) {
		q->ring[tail] = d[i];
		tail = (tail + 1) & (q->entries - 1);
	}
	/*
	 * The caller's IQT_REG write hands the slots to the hardware; the
	 * descriptors must be in memory before it, not kept in registers or
	 * sunk past it by the compiler. x86 orders the stores themselves.
	 */
	compiler_barrier();
	q->tail = tail;
	return (int)tail;
}

uint64_t vtd_iqa_value(phys_addr_t base, unsigned entries)
{
	unsigned qs = 0;

	while (qs < VTD_QUEUE_MAX_QS && (VTD_QUEUE_MIN_ENTRIES << qs) < entries)
		qs++;
	return (base & VTD_IQA_IQA) | vtd_put(VTD_IQA_QS, qs);
}
