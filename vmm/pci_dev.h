/*
 * The PCI functions the hypervisor hands to partitions, and to whom: the
 * functions a partition's configuration names (owned from boot) and the
 * VFs of an SR-IOV PF, learned by the hypervisor itself from the PF's
 * configuration space when the PF's owner enables them. A VF belongs to
 * its PF's owner (configuration access only, no DMA) until the parent
 * assigns it to a child. Nobody else's word decides a RID or an address.
 */
#ifndef VMM_PCI_DEV_H
#define VMM_PCI_DEV_H

#include "hv/hypercall.h"
#include "kernel/pci/pci.h"

struct partition;

/* An MSI-X table entry as the owner wrote it (PCI Local Bus 3.0, 6.8.2.6). */
struct msix_vector {
	uint32_t addr, addr_hi, data, ctrl;
};

#define PCI_DEV_MAX 48
#define PCI_DEV_MSIX_MAX 32 /* vectors tracked per function */

enum pci_dev_vf_state {
	VF_HELD = 0,	/* with its PF's owner: no DMA, not mapped anywhere */
	VF_ASSIGNED,	/* a child owns it: DMA in its domain, BAR0 in its NPT */
	VF_REVOKING,	/* the child was asked to let go; forced at the deadline */
};

struct pci_dev {
	bool used;
	uint32_t bdf;
	uint16_t vendor, device;
	bool is_vf;
	uint32_t pf_bdf;    /* VFs: the PF they belong to */
	uint16_t vf_index;
	struct partition *owner; /* who may reach its configuration and registers */
	bool dma;		 /* has a context entry in owner's domain */
	bool quarantined;
	uint32_t faults;
	struct pci_bar bars[PCI_STD_NUM_BARS]; /* VFs: synthesized from the PF's capability */
	struct pci_caps caps;
	uint32_t bar_sizing; /* VFs: BARs whose last write was all-ones (synthesized view) */
	uint16_t vf_command; /* VFs: Command as the owner sees it */
	enum pci_dev_vf_state vf_state;
	uint64_t revoke_deadline_us;
	bool released; /* the child let go during revocation */
	bool unmapped; /* revocation: BARs already out of the child's tables */
	struct msix_vector msix[PCI_DEV_MSIX_MAX]; /* the owner's view of its MSI-X table */
	uint32_t msix_refused;
};

/* The functions a partition owns from its configuration (boot, before it runs). */
int pci_dev_add_owned(struct partition *p, uint32_t bdf);
struct pci_dev *pci_dev_find(uint32_t bdf);
/* bdf's device if p owns it, else NULL. */
struct pci_dev *pci_dev_owned_by(const struct partition *p, uint32_t bdf);
/* The i-th registered function, NULL past the end (iteration). */
struct pci_dev *pci_dev_at(unsigned i);

/* VF registration after VF Enable (from the PF's capability), and removal. */
int pci_dev_add_vfs(struct pci_dev *pf);
/* -EBUSY while one of pf's VFs is not held by pf's owner. */
int pci_dev_remove_vfs(struct pci_dev *pf);
unsigned pci_dev_vf_count(const struct pci_dev *pf);

/* Function-level reset: 0, or -ENOTSUP when d can't; wait: the 100 ms before reuse. */
int pci_dev_flr(struct pci_dev *d, bool wait);
/* Bus mastering off, then FLR if it can: nothing of the function's DMA continues. */
void pci_dev_stop_dma(struct pci_dev *d, bool wait);

/* Serializes ownership changes against each other (hypercalls from any CPU). */
void pci_dev_lock(void);
/* For the DMA fault path, which may run as an NMI: gives up after spins. */
bool pci_dev_trylock(uint64_t spins);
void pci_dev_unlock(void);

#endif
