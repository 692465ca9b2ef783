/*
 * DMA remapping for partitions (what vmm/ uses): one VT-d domain per
 * partition, whose second-level tables map exactly the partition's
 * guest-physical memory to its host memory, and a context entry for every
 * PCI function the partition owns, on the unit that covers it. A function
 * nobody owns has no context entry: its DMA faults.
 */
#ifndef IOMMU_IOMMU_H
#define IOMMU_IOMMU_H

#include "hv/types.h"
#include "kernel/mm/paging.h"

struct iommu_domain {
	uint16_t id; /* VT-d domain id, never 0 */
	struct paging sl; /* second-level tables (paging_format_vtd_sl) */
	unsigned aw;	  /* context entry address width value */
	bool ready;
};

/* Sets up every usable unit (tables, invalidation, faults). 0 units is not an error. */
int iommu_init(void);
unsigned iommu_unit_count(void);

/* A domain mapping guest-physical [0, size) to host hpa. */
int iommu_domain_create(struct iommu_domain *d, uint16_t id, uint64_t size, phys_addr_t hpa);
/* Identity-maps [base, base + size) into the domain (RMRR regions). */
int iommu_domain_map_identity(struct iommu_domain *d, uint64_t base, uint64_t size);

/* Gives bdf (segment<<16 | bus<<8 | devfn) to the domain; invalidations done on return. */
int iommu_assign(uint32_t bdf, struct iommu_domain *d);
/* Back to blocked: no context entry, caches invalidated before return. */
int iommu_unassign(uint32_t bdf);

/* Fault events to host_cpu: a host interrupt, or an NMI when every CPU runs a guest. */
void iommu_route_faults(unsigned host_cpu, bool nmi);
/* Turns translation on on every unit. */
int iommu_enable(void);
/* Called for every DMA fault after it is logged (containment lives in vmm/). */
void iommu_set_fault_hook(void (*hook)(uint32_t bdf, uint64_t addr, uint8_t reason));
/* Interrupt remapping on every unit that can: 0, or the first unit's error. */
int iommu_enable_ir(void);
bool iommu_ir_enabled(void);
/* msg for iommu_msi_remap: MSI capability message n (MSI-X entries are 0..2047). */
#define IOMMU_MSG_MSI(n) ((uint16_t)(0x800u | (n)))

/*
 * Routes message msg of bdf (IOMMU_MSG_MSI(n) for MSI, the table entry for MSI-X) to vector
 * on dest (physical APIC id) through an IRTE that only bdf may use; gives
 * the remappable address/data to program into the device. -ENOTSUP while
 * interrupt remapping is off.
 */
int iommu_msi_remap(uint32_t bdf, uint16_t msg, uint32_t dest, uint8_t vector, uint32_t *addr,
		    uint32_t *data);
/* Blocks and frees every IRTE of bdf (the function changes hands). */
int iommu_msi_unmap_all(uint32_t bdf);
/* After table writes: written back to memory when a unit doesn't snoop (ECAP.C = 0). */
void iommu_tables_written(void);
/* Polls and reports every unit's fault records (interrupt and NMI paths). */
void iommu_handle_faults(void);

#endif
