/*
 * Interrupt remapping table entries, remappable MSI messages and IRTA_REG
 * (iommu/vtd_irte.h). Bit positions: VT-d specification 9.10 (IRTE),
 * 5.1.5.2 (remappable MSI format) and 11.4.8.1 (IRTA_REG).
 */
#include "iommu/vtd_irte.h"
#include "iommu/vtd_regs.h"
#include "hv/errno.h"
#include "hv/log.h"

#define VTD_IRTE_MIN_VECTOR  16 /* 0..15 are reserved for exceptions */
#define VTD_IRTE_MAX_ENTRIES 65536
#define VTD_IRTE_XAPIC_MAX   0xff

static inline void compiler_barrier(void)
{
	__asm__ __volatile__("" ::: "memory");
}

static inline void store64(uint64_t *p, uint64_t v)
{
	*(volatile uint64_t *)p = v;
}

static bool delivery_ok(const struct vtd_irte_params *p)
{
	switch (p->delivery) {
	case VTD_DLM_FIXED:
	case VTD_DLM_LOWEST:
		return p->vector >= VTD_IRTE_MIN_VECTOR;
	case VTD_DLM_SMI:
	case VTD_DLM_NMI:
	case VTD_DLM_INIT:
	case VTD_DLM_EXTINT:
		return true;
	default:
		return false; /* 3 and 6 are reserved */
	}
}

static bool source_ok(const struct vtd_irte_params *p)
{
	switch (p->svt) {
	case VTD_SVT_NONE:
		return p->sq == 0 && p->sid == 0;
	case VTD_SVT_RID:
		return p->sq <= VTD_SQ_IGN_BITS2_0;
	case VTD_SVT_BUS:
		return p->sq == 0 && (p->sid & 0xff) >= (p->sid >> 8);
	default:
		return false;
	}
}

static int check_params(const struct vtd_irte_params *p)
{
	if (!delivery_ok(p) || !source_ok(p)) {
		log_warn("vtd", "refused: irte dlm=%u vector=%u svt=%u sq=%u sid=%#x", p->delivery,
			 p->vector, p->svt, p->sq, p->sid);
		return -EINVAL;
	}
	if (!p->x2apic && p->dest > VTD_IRTE_XAPIC_MAX) {
		log_warn("vtd", "refused: irte xAPIC destination dest=%#x", p->dest);
		return -EINVAL;
	}
	return 0;
}

static uint64_t flag(bool set, uint64_t bit)
{
	return set ? bit : 0;
}

int vtd_irte_make(const struct vtd_irte_params *p, struct vtd_irte *out)
{
	uint64_t lo = VTD_IRTE_LO_P;

	if (check_params(p))
		return -EINVAL;
	lo |= flag(p->fpd, VTD_IRTE_LO_FPD) | flag(p->logical, VTD_IRTE_LO_DM);
	lo |= flag(p->redir_hint, VTD_IRTE_LO_RH) | flag(p->level, VTD_IRTE_LO_TM);
	lo |= vtd_put(VTD_IRTE_LO_DLM, p->delivery) | vtd_put(VTD_IRTE_LO_V, p->vector);
	lo |= vtd_put(p->x2apic ? VTD_IRTE_LO_DST : VTD_IRTE_LO_DST_XAPIC, p->dest);
	out->lo = lo;
	out->hi = vtd_put(VTD_IRTE_HI_SID, p->sid) | vtd_put(VTD_IRTE_HI_SQ, p->sq) |
		  vtd_put(VTD_IRTE_HI_SVT, p->svt);
	return 0;
}

/*
 * The hardware reads an IRTE as it pleases, possibly half before and half
 * after our stores: the half carrying P goes last when installing and
 * first when clearing, so a present entry is always whole.
 */
int vtd_irte_install(struct vtd_irte *slot, const struct vtd_irte *e)
{
	if (*(volatile uint64_t *)&slot->lo & VTD_IRTE_LO_P)
		return -EBUSY;
	store64(&slot->hi, e->hi);
	compiler_barrier();
	store64(&slot->lo, e->lo);
	return 0;
}

void vtd_irte_clear(struct vtd_irte *slot)
{
	store64(&slot->lo, 0);
	compiler_barrier();
	store64(&slot->hi, 0);
}

void vtd_msi_remappable(uint16_t handle, uint32_t *addr, uint32_t *data)
{
	uint32_t a = VTD_MSI_ADDR_BASE | (uint32_t)VTD_MSI_ADDR_IF | (uint32_t)VTD_MSI_ADDR_SHV;

	a |= (uint32_t)vtd_put(VTD_MSI_ADDR_HANDLE_LO, handle & 0x7fffu);
	a |= (uint32_t)vtd_put(VTD_MSI_ADDR_HANDLE_HI, handle >> 15);
	*addr = a;
	*data = 0; /* subhandle */
}

int vtd_irta_value(phys_addr_t base, unsigned entries, bool x2apic, uint64_t *irta)
{
	unsigned order;

	if (entries < 2 || entries > VTD_IRTE_MAX_ENTRIES || (entries & (entries - 1)))
		return -EINVAL;
	if (!IS_ALIGNED(base, PAGE_SIZE))
		return -EINVAL;
	order = (unsigned)__builtin_ctz(entries);
	*irta = base | vtd_put(VTD_IRTA_S, order - 1) | (x2apic ? VTD_IRTA_EIME : 0);
	return 0;
}

int vtd_ir_reach_check(bool eim, uint32_t max_apic_id)
{
	if (eim || max_apic_id <= VTD_IRTE_XAPIC_MAX)
		return 0;
	log_error("vtd", "refused: interrupt remapping without eim max_apic_id=%u", max_apic_id);
	return -ENOTSUP;
}
