/* Functions handed to partitions (see pci_dev.h). */
#include "vmm/pci_dev.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/pci_host.h"
#include "kernel/spinlock.h"
#include "kernel/timer.h"
#include "vmm/partition.h"

#define FLR_WAIT_US 100000 /* PCI Express Base 6.0, 6.6.2: 100 ms before the next request */

static struct pci_dev devs[PCI_DEV_MAX];
static struct spinlock devs_lock = SPINLOCK_INIT;

void pci_dev_lock(void)
{
	spin_lock(&devs_lock);
}

bool pci_dev_trylock(uint64_t spins)
{
	return spin_lock_bounded(&devs_lock, spins);
}

void pci_dev_unlock(void)
{
	spin_unlock(&devs_lock);
}

static struct pci_dev *slot_for(uint32_t bdf)
{
	struct pci_dev *d = pci_dev_find(bdf);

	for (unsigned i = 0; !d && i < PCI_DEV_MAX; i++)
		if (!devs[i].used)
			d = &devs[i];
	return d;
}

int pci_dev_add_owned(struct partition *p, uint32_t bdf)
{
	const struct pci_function *fn = pci_host_find(bdf);
	struct pci_dev *d;

	if (!fn)
		return -ENODEV;
	d = slot_for(bdf);
	if (!d)
		return -ENOSPC;
	*d = (struct pci_dev){.used = true, .bdf = bdf, .vendor = fn->vendor,
			      .device = fn->device, .owner = p, .caps = fn->caps};
	memcpy(d->bars, fn->bars, sizeof(d->bars));
	return 0;
}

struct pci_dev *pci_dev_find(uint32_t bdf)
{
	for (unsigned i = 0; i < PCI_DEV_MAX; i++)
		if (devs[i].used && devs[i].bdf == bdf)
			return &devs[i];
	return NULL;
}

struct pci_dev *pci_dev_owned_by(const struct partition *p, uint32_t bdf)
{
	struct pci_dev *d = pci_dev_find(bdf);

	return d && d->owner == p ? d : NULL;
}

struct pci_dev *pci_dev_at(unsigned i)
{
	for (unsigned k = 0; k < PCI_DEV_MAX; k++)
		if (devs[k].used && i-- == 0)
			return &devs[k];
	return NULL;
}

unsigned pci_dev_vf_count(const struct pci_dev *pf)
{
	unsigned n = 0;

	for (unsigned i = 0; i < PCI_DEV_MAX; i++)
		n += devs[i].used && devs[i].is_vf && devs[i].pf_bdf == pf->bdf;
	return n;
}

/* VF BAR i of VF n: the capability's BAR base plus n times the per-VF size. */
static void vf_bars(const struct pci_sriov *s, uint16_t n, struct pci_bar bars[PCI_STD_NUM_BARS])
{
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		bars[i] = s->vf_bars[i];
		if (bars[i].size_known && bars[i].size && bars[i].base)
			bars[i].base += (uint64_t)n * bars[i].size;
	}
}

static int add_vf(struct pci_dev *pf, const struct pci_sriov *s, uint16_t n)
{
	const struct pci_cfg_ops *ops = pci_host_ops();
	uint32_t bdf;
	struct pci_dev *d;
	int err = pci_sriov_vf_bdf(s, pf->bdf, n, &bdf);

	if (err)
		return err;
	d = slot_for(bdf);
	if (!d)
		return -ENOSPC;
	*d = (struct pci_dev){.used = true, .bdf = bdf, .vendor = pf->vendor,
			      .device = s->vf_device, .is_vf = true, .pf_bdf = pf->bdf,
			      .vf_index = n, .owner = pf->owner};
	vf_bars(s, n, d->bars);
	pci_caps_parse(ops, bdf, &d->caps); /* a malformed list keeps what was valid */
	d->caps.sriov.offset = 0;
	d->vf_command = pci_cfg_read16(ops, bdf, PCI_COMMAND);
	log_info("vmm", "vf learned pf=" PCI_BDF_FMT " vf=%u bdf=" PCI_BDF_FMT " device=%04x "
		 "bar0=0x%llx+0x%llx msix=%u flr=%s", PCI_BDF_ARGS(pf->bdf), n, PCI_BDF_ARGS(bdf),
		 d->device, (unsigned long long)d->bars[0].base,
		 (unsigned long long)d->bars[0].size, d->caps.msix.table_size,
		 d->caps.pcie.flr ? "yes" : "no");
	return 0;
}

int pci_dev_add_vfs(struct pci_dev *pf)
{
	struct pci_sriov s;
	int err;

	if (!pf->caps.sriov.offset)
		return -ENODEV;
	err = pci_sriov_parse(pci_host_ops(), pf->bdf, pf->caps.sriov.offset, &s);
	if (err || !s.valid)
		return err ? err : -EINVAL;
	/* The per-VF sizes were learned at boot, before VF MSE made sizing unsafe. */
	for (unsigned i = 0; i < PCI_SRIOV_NUM_BARS; i++) {
		s.vf_bars[i].size = pf->caps.sriov.vf_bars[i].size;
		s.vf_bars[i].size_known = pf->caps.sriov.vf_bars[i].size_known;
	}
	for (uint16_t n = 0; !err && n < s.num_vfs; n++)
		err = add_vf(pf, &s, n);
	if (err)
		pci_dev_remove_vfs(pf);
	return err;
}

int pci_dev_remove_vfs(struct pci_dev *pf)
{
	for (unsigned i = 0; i < PCI_DEV_MAX; i++)
		if (devs[i].used && devs[i].is_vf && devs[i].pf_bdf == pf->bdf &&
		    devs[i].owner != pf->owner)
			return -EBUSY;
	for (unsigned i = 0; i < PCI_DEV_MAX; i++)
		if (devs[i].used && devs[i].is_vf && devs[i].pf_bdf == pf->bdf)
			devs[i] = (struct pci_dev){0};
	return 0;
}

int pci_dev_flr(struct pci_dev *d, bool wait)
{
	const struct pci_cfg_ops *ops = pci_host_ops();
	uint16_t ctl = (uint16_t)(d->caps.pcie.offset + PCI_EXP_DEVCTL);

	if (!d->caps.pcie.offset || !d->caps.pcie.flr)
		return -ENOTSUP;
	pci_cfg_write16_ctl(ops, d->bdf, ctl,
			    (uint16_t)(pci_cfg_read16(ops, d->bdf, ctl) | PCI_EXP_DEVCTL_BCR_FLR));
	if (wait)
		timer_delay_us(FLR_WAIT_US);
	return 0;
}

void pci_dev_stop_dma(struct pci_dev *d, bool wait)
{
	const struct pci_cfg_ops *ops = pci_host_ops();
	uint16_t cmd = pci_cfg_read16(ops, d->bdf, PCI_COMMAND);

	pci_cfg_write16(ops, d->bdf, PCI_COMMAND, (uint16_t)(cmd & ~PCI_COMMAND_MASTER));
	d->vf_command &= (uint16_t)~PCI_COMMAND_MASTER;
	pci_dev_flr(d, wait);
}
