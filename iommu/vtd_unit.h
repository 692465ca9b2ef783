/*
 * One VT-d remapping unit (a DRHD): its registers, its root/context tables,
 * its invalidation queue (register-based invalidation when it has none) and
 * its fault recording registers.
 */
#ifndef IOMMU_VTD_UNIT_H
#define IOMMU_VTD_UNIT_H

#include "iommu/vtd_caps.h"
#include "iommu/vtd_fault.h"
#include "iommu/vtd_inv.h"
#include "iommu/vtd_irte.h"
#include "iommu/vtd_tables.h"
#include "kernel/acpi/dmar.h"
#include "kernel/spinlock.h"

struct vtd_unit {
	unsigned index;
	uint64_t base; /* register window, identity-mapped uncached */
	const struct dmar_drhd *drhd;
	const struct vtd_caps *caps;
	struct vtd_context_map ctx;
	bool qi;
	struct vtd_queue queue;
	volatile uint32_t *wait_status;
	phys_addr_t wait_status_pa;
	uint32_t wait_seq;
	struct spinlock lock;
	bool translating;
	bool remapping; /* interrupt remapping on */
	struct vtd_irte *irt;
	uint32_t irt_owner[256]; /* VTD_IRT_KEY(rid, message) of each entry, 0 = free */
	uint64_t faults, faults_lost;
};

/* Root table set, queued invalidation on, caches invalidated; translation still off. */
int vtd_unit_init(struct vtd_unit *u, unsigned index, const struct dmar_drhd *drhd,
		  const struct vtd_caps *caps);
/* Fault events as MSI: vector to x2APIC id dest, or an NMI when nmi is set. */
void vtd_unit_fault_irq(struct vtd_unit *u, uint32_t dest, uint8_t vector, bool nmi);
int vtd_unit_enable(struct vtd_unit *u);
/* Interrupt remapping with an empty table (needs QI and ECAP.IR); compatibility format blocked. */
int vtd_unit_enable_ir(struct vtd_unit *u);
/* Writes IRTE index (present or not) and invalidates its cache entry. */
int vtd_unit_set_irte(struct vtd_unit *u, unsigned index, const struct vtd_irte *e);
/* Marks IRTE index not present (interrupts through it are blocked) and invalidates it. */
int vtd_unit_clear_irte(struct vtd_unit *u, unsigned index);

/*
 * Who an IRTE belongs to: a function's routing id and which of its messages
 * (12 bits: MSI-X entries 0..2047, and MSI messages flagged by bit 11, so a
 * function's MSI and its MSI-X entry 0 never share an entry).
 */
#define VTD_IRT_KEY(rid, msg) (BIT(31) | (uint32_t)(rid) << 12 | ((msg) & 0xfffu))
#define VTD_IRT_KEY_RID(key) (((key) >> 12) & 0xffffu)

/* Context cache for one source id, then that domain's IOTLB. Complete on return. */
int vtd_unit_flush_device(struct vtd_unit *u, uint16_t sid, uint16_t domain_id);
int vtd_unit_flush_all(struct vtd_unit *u);

/* Reads and clears every pending fault record; calls report for each. */
unsigned vtd_unit_drain_faults(struct vtd_unit *u,
			       void (*report)(struct vtd_unit *u, const struct vtd_fault *f));

#endif
