/* VF assignment and revocation (see vf_assign.h). */
#include "vmm/vf_assign.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "kernel/pci_host.h"
#include "kernel/timer.h"
#include "vmm/device_mmio.h"
#include "vmm/msix_table.h"
#include "vmm/notice.h"
#include "vmm/partition.h"
#include "vmm/pci_dev.h"
#include "vmm/vcpu_loop.h"

static bool vf_enabled(const struct pci_dev *pf)
{
	uint16_t ctrl = pci_cfg_read16(pci_host_ops(), pf->bdf,
				       (uint16_t)(pf->caps.sriov.offset + PCI_SRIOV_CTRL));

	return (ctrl & (PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE)) ==
	       (PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
}

/* The caller's VF at bdf, or why not. */
static int caller_vf(const struct partition *caller, uint32_t bdf, struct pci_dev **out)
{
	struct pci_dev *d = pci_dev_find(bdf), *pf;

	if (!d || !d->is_vf)
		return -ENODEV;
	pf = pci_dev_find(d->pf_bdf);
	if (!pf || pf->owner != caller)
		return -EPERM;
	if (!vf_enabled(pf))
		return -ENODEV;
	*out = d;
	return 0;
}

/* The hypervisor's memory of the VF's last owner, gone. */
static void scrub(struct pci_dev *d)
{
	d->quarantined = false;
	d->faults = 0;
	d->bar_sizing = 0;
	d->released = false;
	d->unmapped = false;
}

/*
 * The VF as a child finds it, on assignment and on each new run: reset,
 * nothing of before remembered, its DMA in the child's domain (again, if
 * it was quarantined), its MSI-X table masked, memory decoding on.
 */
static int reset_for(struct pci_dev *d, struct partition *child)
{
	int err = 0;

	pci_dev_stop_dma(d, true); /* nothing of the last owner's state survives */
	scrub(d);
	if (!d->dma)
		err = iommu_assign(d->bdf, &child->dma);
	d->dma = !err;
	if (!err)
		err = msix_table_reset(d);
	/* A VF decodes its BARs only with its own Memory Space Enable (QEMU); BME is the child's. */
	if (!err)
		pci_cfg_write16(pci_host_ops(), d->bdf, PCI_COMMAND, PCI_COMMAND_MEMORY);
	return err;
}

static int give(struct pci_dev *d, struct partition *child)
{
	int err = reset_for(d, child);

	if (err)
		return err;
	d->owner = child;
	return device_mmio_map(child, d);
}

static void refused(const struct partition *caller, const char *op, uint32_t bdf, int err)
{
	log_warn("vmm", "vf %s refused partition=%s bdf=" PCI_BDF_FMT " err=%s", op,
		 partition_name(caller), PCI_BDF_ARGS(bdf), errno_name(err));
}

int vf_assign(struct partition *caller, uint32_t bdf, struct partition *child)
{
	struct pci_dev *d;
	int err;

	if (child->role != PARTITION_CHILD)
		return -EINVAL;
	pci_dev_lock();
	err = caller_vf(caller, bdf, &d);
	if (!err && (d->owner != caller || d->vf_state != VF_HELD))
		err = -EBUSY;
	if (!err && !child->dma.ready)
		err = -ENOTSUP; /* no DMA remapping: a VF can't be given safely */
	if (!err)
		err = give(d, child);
	if (!err) {
		d->vf_state = VF_ASSIGNED;
		log_info("vmm", "vf assigned bdf=" PCI_BDF_FMT " partition=%s bar0=0x%llx",
			 PCI_BDF_ARGS(bdf), partition_name(child),
			 (unsigned long long)d->bars[0].base);
		notice_post(child, HV_NOTICE_DEVICE_OFFERED, bdf, d->bars[0].base, 0);
	}
	pci_dev_unlock();
	if (err)
		refused(caller, "assign", bdf, err);
	return err;
}

/*
 * The child's vCPUs must flush before the VF is reused; one of them may be
 * waiting for the device lock in a config-space exit, so the lock is let go
 * meanwhile (the VF stays REVOKING: nothing else can take it).
 */
static int unmap_from_child(struct pci_dev *d)
{
	struct partition *child = d->owner;
	int err = d->unmapped ? 0 : device_mmio_unmap(child, d);

	d->unmapped = !err;
	pci_dev_unlock();
	if (!err)
		err = vcpu_loop_unmapped(child);
	pci_dev_lock();
	return err;
}

/* Takes the VF back from its child: nothing it did survives, nothing it held stays reachable. */
static int take_back(struct partition *parent, struct pci_dev *d)
{
	struct partition *child = d->owner;
	int err = unmap_from_child(d);

	/* Not yet safe to reuse: a vCPU may still hold the BAR's translation. Retried later. */
	if (err) {
		log_error("vmm", "vf revoke delayed bdf=" PCI_BDF_FMT " partition=%s err=%s",
			  PCI_BDF_ARGS(d->bdf), partition_name(child), errno_name(err));
		return -EAGAIN;
	}
	iommu_unassign(d->bdf);
	d->dma = false;
	iommu_msi_unmap_all(d->bdf);
	pci_dev_stop_dma(d, true);
	d->owner = parent;
	d->vf_state = VF_HELD;
	scrub(d);
	msix_table_reset(d);
	notice_post(child, HV_NOTICE_DEVICE_REVOKED, d->bdf, 0, 0);
	log_info("vmm", "vf revoked bdf=" PCI_BDF_FMT " from=%s", PCI_BDF_ARGS(d->bdf),
		 partition_name(child));
	return 0;
}

int vf_revoke(struct partition *caller, uint32_t bdf)
{
	struct pci_dev *d;
	int err;

	pci_dev_lock();
	err = caller_vf(caller, bdf, &d);
	if (!err && d->vf_state == VF_HELD)
		err = -EINVAL;
	if (!err && d->vf_state == VF_ASSIGNED) {
		d->vf_state = VF_REVOKING;
		d->revoke_deadline_us = timer_uptime_us() + REVOKE_WAIT_US;
		notice_post(d->owner, HV_NOTICE_DEVICE_REVOKING, bdf, 0, REVOKE_WAIT_US);
		err = -EAGAIN;
	} else if (!err && d->vf_state == VF_REVOKING) {
		if (!d->released && timer_uptime_us() < d->revoke_deadline_us)
			err = -EAGAIN;
		else {
			if (!d->released)
				log_warn("vmm", "vf revoke forced bdf=" PCI_BDF_FMT " partition=%s "
					 "reason=no-release-before-deadline", PCI_BDF_ARGS(bdf),
					 partition_name(d->owner));
			err = take_back(caller, d);
		}
	}
	pci_dev_unlock();
	if (err && err != -EAGAIN)
		refused(caller, "revoke", bdf, err);
	return err;
}

int vf_release(struct partition *child, uint32_t bdf)
{
	struct pci_dev *d;
	int err = 0;

	pci_dev_lock();
	d = pci_dev_owned_by(child, bdf);
	if (!d || !d->is_vf)
		err = -ENODEV;
	else if (d->vf_state != VF_REVOKING)
		err = -EINVAL;
	else
		d->released = true;
	pci_dev_unlock();
	return err;
}

/* The VFs a child holds (assigned, or being revoked), one at a time. */
static struct pci_dev *next_vf_of(const struct partition *child, unsigned *i)
{
	for (struct pci_dev *d; (d = pci_dev_at(*i)); ) {
		(*i)++;
		if (d->is_vf && d->owner == child && d->vf_state != VF_HELD)
			return d;
	}
	return NULL;
}

void vf_partition_stopped(struct partition *child)
{
	unsigned i = 0;

	pci_dev_lock();
	for (struct pci_dev *d; (d = next_vf_of(child, &i));) {
		pci_dev_stop_dma(d, false); /* the new start waits for the reset */
		iommu_msi_unmap_all(d->bdf);
		log_info("vmm", "vf stopped bdf=" PCI_BDF_FMT " partition=%s bus_master=off flr=%s",
			 PCI_BDF_ARGS(d->bdf), partition_name(child),
			 d->caps.pcie.flr ? "yes" : "no");
	}
	pci_dev_unlock();
}

void vf_partition_starting(struct partition *child)
{
	unsigned i = 0;

	pci_dev_lock();
	for (struct pci_dev *d; (d = next_vf_of(child, &i));) {
		int err;

		if (d->vf_state == VF_REVOKING) {
			d->released = true;
			continue;
		}
		err = reset_for(d, child);
		log_write(err ? LOG_ERROR : LOG_INFO, "vmm",
			  "vf offered again bdf=" PCI_BDF_FMT " partition=%s result=%s",
			  PCI_BDF_ARGS(d->bdf), partition_name(child), err ? errno_name(err) : "ok");
		if (!err)
			notice_post(child, HV_NOTICE_DEVICE_OFFERED, d->bdf, d->bars[0].base, 0);
	}
	pci_dev_unlock();
}

static void fill_status(const struct pci_dev *d, struct hv_device_status *st)
{
	static const uint32_t states[] = {[VF_HELD] = HV_DEVICE_VF_HELD,
					  [VF_ASSIGNED] = HV_DEVICE_VF_ASSIGNED,
					  [VF_REVOKING] = HV_DEVICE_VF_REVOKING};

	*st = (struct hv_device_status){.bdf = d->bdf, .vendor = d->vendor, .device = d->device,
					.state = d->is_vf ? states[d->vf_state] : HV_DEVICE_OWNED,
					.owner = d->owner ? d->owner->id : ~0u,
					.pf_bdf = d->pf_bdf, .vf_index = d->vf_index,
					.dma_faults = d->faults, .quarantined = d->quarantined,
					.bar0 = d->bars[0].base, .bar0_size = d->bars[0].size};
}

unsigned vf_list(const struct partition *caller, struct hv_device_status *out, unsigned max)
{
	unsigned n = 0;

	pci_dev_lock();
	for (unsigned i = 0; n < max && pci_dev_at(i); i++) {
		const struct pci_dev *d = pci_dev_at(i);
		const struct pci_dev *pf = d->is_vf ? pci_dev_find(d->pf_bdf) : d;

		if (d->owner == caller || (pf && pf->owner == caller))
			fill_status(d, &out[n++]);
	}
	pci_dev_unlock();
	return n;
}
