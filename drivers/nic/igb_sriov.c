/*
 * SR-IOV from the parent: the PF's SR-IOV extended capability (PCI Express
 * Base 6.0, 9.3.3; SR-IOV 1.1, 3.3) programmed through the parent's
 * emulated configuration space. The hypervisor checks each write (NumVFs,
 * VF BARs and the page size only while VFs are off; VF Enable only with the
 * VF BARs inside the bridge window above the PF) and learns the VFs' RIDs
 * and BARs itself: nothing here is taken on trust. Every write is read back,
 * so a refused one is named in our log too (the hypervisor's log says why).
 *
 * Order (SR-IOV 1.1, 3.3.3 and 3.3.10; PLATFORM.md): NumVFs, then the VF
 * BARs, then VF Enable with VF MSE, then 100 ms before the first request to
 * a VF, then each VF's own Command.MEM (QEMU decodes a VF's BARs only with
 * it) and BME.
 */
#include "drivers/nic/igb_pf.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "kernel/pci/pci.h"

#define VF_ENABLE_WAIT_US 100000 /* SR-IOV 1.1, 3.3.3.1 */
#define IOV_REUSE_WAIT_US 100000
#define SYS_PAGE_4K	  0x1u /* System Page Size: bit n = 2^(n+12) bytes */

/* The VF BARs: where firmware put them, where they go, per-VF size (0: unused slot). */
struct vf_bar_plan {
	uint64_t firmware[PCI_SRIOV_NUM_BARS];
	uint64_t base[PCI_SRIOV_NUM_BARS];
	uint64_t size[PCI_SRIOV_NUM_BARS];
	bool is64[PCI_SRIOV_NUM_BARS];
};

static uint16_t sriov_reg(const struct igb_pf *pf, uint16_t off)
{
	return (uint16_t)(pf->sriov.cap + off);
}

static uint32_t cfg_rd32(const struct igb_pf *pf, uint16_t off)
{
	return pci_cfg_read32(pf->cfg, pf->bdf, sriov_reg(pf, off));
}

static uint16_t cfg_rd16(const struct igb_pf *pf, uint16_t off)
{
	return pci_cfg_read16(pf->cfg, pf->bdf, sriov_reg(pf, off));
}

static void refused(const struct igb_pf *pf, const char *what, uint32_t want, uint32_t got)
{
	log_warn("igb", "sriov write refused bdf=" PCI_BDF_FMT " what=%s want=0x%x got=0x%x",
		 PCI_BDF_ARGS(pf->bdf), what, want, got);
}

int igb_sriov_probe(struct igb_pf *pf)
{
	struct igb_sriov *s = &pf->sriov;

	*s = (struct igb_sriov){0};
	s->cap = pci_find_ext_cap(pf->cfg, pf->bdf, PCI_EXT_CAP_ID_SRIOV);
	if (!s->cap) {
		log_info("igb", "sriov absent bdf=" PCI_BDF_FMT, PCI_BDF_ARGS(pf->bdf));
		return -ENODEV;
	}
	s->total_vfs = cfg_rd16(pf, PCI_SRIOV_TOTAL_VF);
	s->vf_device = cfg_rd16(pf, PCI_SRIOV_VF_DID);
	if (s->vf_device != igb_mac(pf)->vf_device) {
		/* A VF of another MAC type would take another driver and queue layout. */
		log_warn("igb", "sriov refused vf_device=%04x mac=%s expected=%04x", s->vf_device,
			 igb_mac(pf)->name, igb_mac(pf)->vf_device);
		s->cap = 0;
		return -ENODEV;
	}
	if (cfg_rd16(pf, PCI_SRIOV_CTRL) & PCI_SRIOV_CTRL_VFE) {
		/* Already on (a restarted parent): serve those VFs as they are. */
		s->num_vfs = (uint16_t)MIN(cfg_rd16(pf, PCI_SRIOV_NUM_VF), IGB_MAX_VFS);
		s->vf_offset = cfg_rd16(pf, PCI_SRIOV_VF_OFFSET);
		s->vf_stride = cfg_rd16(pf, PCI_SRIOV_VF_STRIDE);
	}
	log_info("igb", "sriov cap=0x%x total=%u vf_device=%04x enabled=%u", s->cap, s->total_vfs,
		 s->vf_device, s->num_vfs);
	return 0;
}

int igb_sriov_vf_bdf(const struct igb_pf *pf, unsigned vf, uint32_t *bdf)
{
	const struct igb_sriov *s = &pf->sriov;
	uint32_t rid = (pf->bdf & 0xffffu) + s->vf_offset + (uint32_t)s->vf_stride * vf;

	if (vf >= s->num_vfs || !s->vf_offset || rid > 0xffffu)
		return -EINVAL;
	*bdf = (pf->bdf & 0xffff0000u) | rid;
	return 0;
}

/* --- VF BARs ------------------------------------------------------------ */

/*
 * Size of the VF BAR at slot i, the standard way (all-ones, read back,
 * restore). A write the hypervisor drops reads back unchanged: -EPERM.
 */
static int vf_bar_size(struct igb_pf *pf, unsigned i, bool is64, uint64_t *size)
{
	uint16_t reg = sriov_reg(pf, (uint16_t)(PCI_SRIOV_BAR + 4 * i));
	uint32_t lo = pci_cfg_read32(pf->cfg, pf->bdf, reg);
	uint32_t hi = is64 ? pci_cfg_read32(pf->cfg, pf->bdf, (uint16_t)(reg + 4)) : 0;
	uint32_t mlo, mhi = 0xffffffffu;
	uint64_t mask;

	pci_cfg_write32(pf->cfg, pf->bdf, reg, 0xffffffffu);
	if (is64)
		pci_cfg_write32(pf->cfg, pf->bdf, (uint16_t)(reg + 4), 0xffffffffu);
	mlo = pci_cfg_read32(pf->cfg, pf->bdf, reg);
	if (is64)
		mhi = pci_cfg_read32(pf->cfg, pf->bdf, (uint16_t)(reg + 4));
	pci_cfg_write32(pf->cfg, pf->bdf, reg, lo);
	if (is64)
		pci_cfg_write32(pf->cfg, pf->bdf, (uint16_t)(reg + 4), hi);
	if (mlo == lo && (!is64 || mhi == hi) && (lo & PCI_BAR_MEM_ADDR_MASK)) {
		refused(pf, "vf-bar-sizing", 0xffffffffu, mlo);
		return -EPERM;
	}
	mask = (uint64_t)mhi << 32 | (mlo & PCI_BAR_MEM_ADDR_MASK);
	/* No writable address bit: the slot is absent (a 32-bit one has no upper half). */
	*size = (is64 || (mlo & PCI_BAR_MEM_ADDR_MASK)) ? mask & (~mask + 1) : 0;
	return 0;
}

static void vf_bar_write(struct igb_pf *pf, unsigned i, bool is64, uint64_t base)
{
	uint16_t reg = sriov_reg(pf, (uint16_t)(PCI_SRIOV_BAR + 4 * i));
	uint32_t flags = pci_cfg_read32(pf->cfg, pf->bdf, reg) & ~PCI_BAR_MEM_ADDR_MASK;

	pci_cfg_write32(pf->cfg, pf->bdf, reg, (uint32_t)base | flags);
	if (is64)
		pci_cfg_write32(pf->cfg, pf->bdf, (uint16_t)(reg + 4), (uint32_t)(base >> 32));
}

static uint64_t vf_bar_read(const struct igb_pf *pf, unsigned i, bool is64)
{
	uint64_t base = cfg_rd32(pf, (uint16_t)(PCI_SRIOV_BAR + 4 * i)) & PCI_BAR_MEM_ADDR_MASK;

	if (is64)
		base |= (uint64_t)cfg_rd32(pf, (uint16_t)(PCI_SRIOV_BAR + 4 * i + 4)) << 32;
	return base;
}

/*
 * Where VF BARs may go below 4 GiB: the PF sits in its root port's 32-bit
 * memory window with its own BARs, so the window has room after them (and
 * the hypervisor refuses VF Enable if the guess leaves the window). A BAR
 * of size S is aligned to S, so the PF's highest BAR ends by its base plus
 * the base's lowest set bit; every lower one ends before that base.
 */
static uint64_t after_pf_bars(const struct igb_pf *pf)
{
	uint64_t highest = 0;

	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		uint32_t v = pci_cfg_read32(pf->cfg, pf->bdf, PCI_BASE_ADDRESS(i));
		uint64_t base = v & PCI_BAR_MEM_ADDR_MASK;

		if (v & PCI_BAR_SPACE_IO)
			continue;
		if ((v & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_TYPE_64)
			base |= (uint64_t)pci_cfg_read32(pf->cfg, pf->bdf, PCI_BASE_ADDRESS(++i))
				<< 32;
		if (base < BIT(32))
			highest = MAX(highest, base);
	}
	return highest ? highest + (highest & (~highest + 1)) : 0;
}

/* Reads VF BAR slot i: its firmware base and size. Returns the slots it takes. */
static int probe_vf_bar(struct igb_pf *pf, unsigned i, struct vf_bar_plan *plan)
{
	uint32_t raw = cfg_rd32(pf, (uint16_t)(PCI_SRIOV_BAR + 4 * i));
	bool is64 = (raw & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_TYPE_64 && i + 1 < PCI_SRIOV_NUM_BARS;
	int err = vf_bar_size(pf, i, is64, &plan->size[i]);

	if (err)
		return err;
	plan->is64[i] = is64;
	plan->firmware[i] = vf_bar_read(pf, i, is64);
	plan->base[i] = plan->firmware[i];
	return is64 ? 2 : 1;
}

/*
 * QEMU 10 decodes a VF's BAR by its low 32 bits (docs/ARCHITECTURE.md), so
 * VF BARs firmware put above 4 GiB (or nowhere) are moved below it, after
 * the PF's BARs. Real hardware decodes all 64 bits; there the move is
 * harmless, and undone if the hypervisor finds it outside the window.
 */
static bool plan_low(const struct igb_pf *pf, unsigned num, struct vf_bar_plan *plan)
{
	uint64_t next = after_pf_bars(pf);
	bool moved = false;

	for (unsigned i = 0; i < PCI_SRIOV_NUM_BARS; i++) {
		uint64_t size = plan->size[i], fw = plan->firmware[i], base;

		if (!size || (fw && fw + size * num <= BIT(32) && !(fw & (size - 1))))
			continue;
		base = ALIGN_UP(next, size);
		if (!next || base + size * num > BIT(32))
			return moved;
		plan->base[i] = base;
		next = base + size * num;
		moved = true;
	}
	return moved;
}

static int write_plan(struct igb_pf *pf, const struct vf_bar_plan *plan, unsigned num)
{
	for (unsigned i = 0; i < PCI_SRIOV_NUM_BARS; i++) {
		if (!plan->size[i])
			continue;
		if (plan->base[i] != plan->firmware[i]) {
			vf_bar_write(pf, i, plan->is64[i], plan->base[i]);
			if (vf_bar_read(pf, i, plan->is64[i]) != plan->base[i]) {
				refused(pf, "vf-bar", (uint32_t)plan->base[i],
					(uint32_t)vf_bar_read(pf, i, plan->is64[i]));
				return -EPERM;
			}
		}
		pf->sriov.vf_bar[i] = plan->base[i];
		pf->sriov.vf_bar_size[i] = plan->size[i];
		log_info("igb", "vf bar=%u base=0x%llx size=0x%llx vfs=%u firmware=0x%llx", i,
			 (unsigned long long)plan->base[i], (unsigned long long)plan->size[i], num,
			 (unsigned long long)plan->firmware[i]);
	}
	return 0;
}

static void restore_firmware(struct igb_pf *pf, struct vf_bar_plan *plan)
{
	for (unsigned i = 0; i < PCI_SRIOV_NUM_BARS; i++) {
		if (plan->size[i] && plan->base[i] != plan->firmware[i])
			vf_bar_write(pf, i, plan->is64[i], plan->firmware[i]);
		plan->base[i] = plan->firmware[i];
	}
}

static int probe_vf_bars(struct igb_pf *pf, struct vf_bar_plan *plan)
{
	*plan = (struct vf_bar_plan){0};
	for (unsigned i = 0; i < PCI_SRIOV_NUM_BARS;) {
		int slots = probe_vf_bar(pf, i, plan);

		if (slots < 0)
			return slots;
		i += (unsigned)slots;
	}
	return 0;
}

/* --- Enable / disable ----------------------------------------------------- */

static int set_num_vfs(struct igb_pf *pf, unsigned num)
{
	struct igb_sriov *s = &pf->sriov;
	uint16_t got;

	if (cfg_rd32(pf, PCI_SRIOV_SYS_PGSIZE) != SYS_PAGE_4K)
		pci_cfg_write32(pf->cfg, pf->bdf, sriov_reg(pf, PCI_SRIOV_SYS_PGSIZE), SYS_PAGE_4K);
	pci_cfg_write16(pf->cfg, pf->bdf, sriov_reg(pf, PCI_SRIOV_NUM_VF), (uint16_t)num);
	got = cfg_rd16(pf, PCI_SRIOV_NUM_VF);
	if (got != num) {
		refused(pf, "num-vfs", num, got);
		return -EPERM;
	}
	/* First VF Offset and VF Stride may depend on NumVFs: read them now. */
	s->vf_offset = cfg_rd16(pf, PCI_SRIOV_VF_OFFSET);
	s->vf_stride = cfg_rd16(pf, PCI_SRIOV_VF_STRIDE);
	if (!s->vf_offset || (!s->vf_stride && num > 1)) {
		log_error("igb", "sriov bad routing offset=0x%x stride=%u", s->vf_offset,
			  s->vf_stride);
		return -EIO;
	}
	return 0;
}

static int set_control(struct igb_pf *pf, uint16_t bits, bool on)
{
	uint16_t ctrl = cfg_rd16(pf, PCI_SRIOV_CTRL), want, got;

	want = on ? (uint16_t)(ctrl | bits) : (uint16_t)(ctrl & ~bits);
	pci_cfg_write16_ctl(pf->cfg, pf->bdf, sriov_reg(pf, PCI_SRIOV_CTRL), want);
	got = cfg_rd16(pf, PCI_SRIOV_CTRL);
	if ((got & bits) != (want & bits)) {
		refused(pf, on ? "vf-enable" : "vf-disable", want, got);
		return -EPERM;
	}
	return 0;
}

/* A VF answers as 8086:vf_device; its Command gets memory decoding and bus mastering. */
static int vf_bring_up(struct igb_pf *pf, unsigned vf)
{
	const uint16_t on = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	uint32_t bdf, id;
	uint16_t cmd;

	if (igb_sriov_vf_bdf(pf, vf, &bdf))
		return -EINVAL;
	id = pci_cfg_read32(pf->cfg, bdf, PCI_VENDOR_ID);
	if (id != (IGB_VENDOR_INTEL | (uint32_t)pf->sriov.vf_device << 16)) {
		log_error("igb", "vf absent vf=%u bdf=" PCI_BDF_FMT " id=0x%08x", vf,
			  PCI_BDF_ARGS(bdf), id);
		return -EIO;
	}
	cmd = pci_cfg_read16(pf->cfg, bdf, PCI_COMMAND);
	pci_cfg_write16_ctl(pf->cfg, bdf, PCI_COMMAND, (uint16_t)(cmd | on));
	cmd = pci_cfg_read16(pf->cfg, bdf, PCI_COMMAND);
	if ((cmd & on) != on) {
		log_warn("igb", "vf command refused vf=%u bdf=" PCI_BDF_FMT " command=0x%x", vf,
			 PCI_BDF_ARGS(bdf), cmd);
		return -EPERM;
	}
	log_info("igb", "vf up vf=%u bdf=" PCI_BDF_FMT " id=%04x:%04x command=0x%x bar0=0x%llx", vf,
		 PCI_BDF_ARGS(bdf), id & 0xffff, id >> 16, cmd,
		 (unsigned long long)(pf->sriov.vf_bar[0] + pf->sriov.vf_bar_size[0] * vf));
	return 0;
}

/*
 * NumVFs, the VF BARs (moved below 4 GiB when the plan says so), then VF
 * Enable and MSE; a refused enable with moved BARs is retried once with
 * firmware's placement.
 */
static int enable_bars_and_vfs(struct igb_pf *pf, unsigned num)
{
	const uint16_t on = PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE;
	struct vf_bar_plan plan;
	bool moved;
	int err = set_num_vfs(pf, num);

	if (!err)
		err = probe_vf_bars(pf, &plan);
	if (err)
		return err;
	moved = plan_low(pf, num, &plan);
	err = write_plan(pf, &plan, num);
	if (!err)
		err = set_control(pf, on, true);
	if (err == -EPERM && moved) {
		log_info("igb", "vf bars back to firmware's placement after refusal");
		restore_firmware(pf, &plan);
		err = write_plan(pf, &plan, num);
		if (!err)
			err = set_control(pf, on, true);
	}
	return err;
}

static int enable_checked(struct igb_pf *pf, unsigned num)
{
	int err = enable_bars_and_vfs(pf, num);

	if (err)
		return err;
	pf->sriov.num_vfs = (uint16_t)num;
	igb_delay_us(VF_ENABLE_WAIT_US);
	for (unsigned vf = 0; vf < num; vf++) {
		err = vf_bring_up(pf, vf);
		if (err)
			return err;
	}
	return 0;
}

int igb_sriov_enable(struct igb_pf *pf, unsigned num)
{
	struct igb_sriov *s = &pf->sriov;
	int err;

	if (!s->cap)
		return -ENODEV;
	if (num == 0 || num > s->total_vfs || num > IGB_MAX_VFS) {
		log_warn("igb", "sriov refused vfs=%u total=%u max=%u", num, s->total_vfs,
			 IGB_MAX_VFS);
		return -EINVAL;
	}
	if (s->num_vfs) {
		log_warn("igb", "sriov refused vfs=%u reason=already-enabled enabled=%u", num,
			 s->num_vfs);
		return -EBUSY;
	}
	err = enable_checked(pf, num);
	if (err) {
		log_error("igb", "sriov enable failed vfs=%u err=%d", num, err);
		if (s->num_vfs)
			igb_sriov_disable(pf);
		return err;
	}
	log_info("igb", "sriov enabled vfs=%u offset=0x%x stride=%u vf_device=%04x", num,
		 s->vf_offset, s->vf_stride, s->vf_device);
	return 0;
}

int igb_sriov_disable(struct igb_pf *pf)
{
	int err;

	if (!pf->sriov.cap)
		return -ENODEV;
	for (unsigned vf = 0; vf < pf->sriov.num_vfs; vf++)
		igb_switch_vf_reset(pf, vf);
	err = set_control(pf, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE, false);
	if (err)
		return err;
	pf->sriov.num_vfs = 0;
	/*
	 * The PF may use the VFs' queues again once they are quiet: Linux's
	 * igb_disable_sriov does it for the 82576 and the I350 alike.
	 */
	igb_delay_us(IOV_REUSE_WAIT_US);
	igb_wr(&pf->hw, IGB_IOVCTL, IGB_IOVCTL_REUSE_VFQ);
	log_info("igb", "sriov disabled");
	return 0;
}
