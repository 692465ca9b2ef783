/*
 * Unit tests of kernel/pci below enumeration, over configuration-space images
 * (tests/unit/pci_images.c): accessors, capability walking and decoding,
 * SR-IOV and BAR decoding, on an 82576-like SR-IOV PF and on images malformed
 * on purpose. The fixture also checks that nothing was accessed outside
 * 0..4095 and that no BAR was written while it decoded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/errno.h"
#include "kernel/pci/pci.h"
#include "tests/unit/log_capture.h"
#include "tests/unit/pci_images.h"

/* --- accessors --- */

static void test_cfg_narrow_reads(void **state)
{
	(void)state;
	img_add_82576(img, IGB);
	assert_int_equal(pci_cfg_read16(ops, IGB, PCI_VENDOR_ID), 0x8086);
	assert_int_equal(pci_cfg_read16(ops, IGB, PCI_DEVICE_ID), 0x10c9);
	assert_int_equal(pci_cfg_read32(ops, IGB, 0), 0x10c98086);
	assert_int_equal(pci_cfg_read8(ops, IGB, 0x0b), 0x02);
	assert_int_equal(pci_cfg_read16(ops, IGB, 0x0a), 0x0200);
	assert_int_equal(pci_cfg_read8(ops, IGB, IGB_MSI_OFF + 1), IGB_MSIX_OFF);
	/* Nothing at this bdf: master-abort all-ones. */
	assert_int_equal(pci_cfg_read16(ops, PCI_BDF(0, 9, 0, 0), PCI_VENDOR_ID), 0xffff);
}

static void test_cfg_command_write_keeps_status(void **state)
{
	struct pci_image_fn *f;

	(void)state;
	f = img_add_82576(img, IGB);
	pci_cfg_write16(ops, IGB, PCI_COMMAND, PCI_COMMAND_MEMORY);
	assert_int_equal(img_get16(f, PCI_COMMAND), PCI_COMMAND_MEMORY);
	assert_true(img_get16(f, PCI_STATUS) & PCI_STATUS_RCV_MST_ABORT);
}

static void test_cfg_write16_keeps_other_half(void **state)
{
	uint16_t pgsz = IGB_SRIOV_OFF + PCI_SRIOV_SYS_PGSIZE;
	struct pci_image_fn *f;

	(void)state;
	f = img_add_82576(img, IGB);
	img_set32(f, pgsz, 0xabcd0001);
	pci_cfg_write16(ops, IGB, pgsz, 0x0010);
	assert_int_equal(img_get32(f, pgsz), 0xabcd0010);
	pci_cfg_write16(ops, IGB, pgsz + 2, 0x1234);
	assert_int_equal(img_get32(f, pgsz), 0x12340010);
}

/* The RMW write clears a pending RW1C bit in the other half; the ctl write does not. */
static void test_cfg_write16_ctl_spares_rw1c(void **state)
{
	uint16_t devctl = IGB_EXP_OFF + PCI_EXP_DEVCTL, devsta = IGB_EXP_OFF + 0x0a;
	struct pci_image_fn *f;

	(void)state;
	f = img_add_82576(img, IGB);
	img_wmask32(f, devctl, 0x0000ffff);
	f->w1c[devsta] = 0x0f; /* Correctable/Non-Fatal/Fatal/UR Detected */
	img_set16(f, devsta, 0x0004);
	pci_cfg_write16_ctl(ops, IGB, devctl, 0x2810);
	assert_int_equal(img_get16(f, devctl), 0x2810);
	assert_int_equal(img_get16(f, devsta), 0x0004);
	pci_cfg_write16(ops, IGB, devctl, 0x2810);
	assert_int_equal(img_get16(f, devsta), 0);
}

static void test_cfg_bad_offsets(void **state)
{
	(void)state;
	img_add_82576(img, IGB);
	assert_int_equal(pci_cfg_read32(ops, IGB, 0x1000), 0xffffffff);
	assert_int_equal(pci_cfg_read32(ops, IGB, 0x0ffe), 0xffffffff);
	assert_int_equal(pci_cfg_read16(ops, IGB, 0x0fff), 0xffff);
	assert_int_equal(pci_cfg_read16(ops, IGB, 0x0005), 0xffff);
	pci_cfg_write32(ops, IGB, 0x0002, 0);
	assert_int_equal(img->reads + img->writes, 0);
	assert_logged("E pci: bad config access bdf=0000:01:00.0 off=0x1000 width=4");
}

/* --- capabilities --- */

static void test_caps_82576(void **state)
{
	struct pci_caps caps;

	(void)state;
	img_add_82576(img, IGB);
	assert_int_equal(pci_caps_parse(ops, IGB, &caps), 0);
	assert_int_equal(caps.msi.offset, IGB_MSI_OFF);
	assert_true(caps.msi.is64 && caps.msi.per_vector_mask && !caps.msi.enabled);
	assert_int_equal(caps.msi.mmc_log2, 3);
	assert_int_equal(caps.msix.offset, IGB_MSIX_OFF);
	assert_int_equal(caps.msix.table_size, 10);
	assert_int_equal(caps.msix.table_bir, 3);
	assert_int_equal(caps.msix.table_offset, 0);
	assert_int_equal(caps.msix.pba_bir, 3);
	assert_int_equal(caps.msix.pba_offset, 0x2000);
	assert_false(caps.msix.enabled);
	assert_int_equal(caps.pcie.offset, IGB_EXP_OFF);
	assert_int_equal(caps.pcie.version, 2);
	assert_int_equal(caps.pcie.port_type, PCI_EXP_TYPE_ENDPOINT);
	assert_true(caps.pcie.flr && caps.pcie.has_link && !caps.pcie.ari_forwarding);
	assert_int_equal(caps.pcie.link_speed, 1);
	assert_int_equal(caps.pcie.link_width, 4);
	assert_int_equal(caps.aer_offset, IGB_AER_OFF);
	assert_int_equal(caps.ari.offset, IGB_ARI_OFF);
	assert_int_equal(caps.ari.next_fn, 0);
	assert_int_equal(caps.sriov.offset, IGB_SRIOV_OFF);
	assert_true(caps.sriov.valid);
	/* The inventory: PM, MSI, MSI-X, PCIe; AER, ARI, SR-IOV, in list order. */
	assert_int_equal(caps.std_count, 4);
	assert_int_equal(caps.std[0].id, PCI_CAP_ID_PM);
	assert_int_equal(caps.std[3].id, PCI_CAP_ID_EXP);
	assert_int_equal(caps.ext_count, 3);
	assert_int_equal(caps.ext[2].id, PCI_EXT_CAP_ID_SRIOV);
	assert_int_equal(caps.ext[2].offset, IGB_SRIOV_OFF);
	assert_no_warnings();
}

static void test_find_cap(void **state)
{
	(void)state;
	img_add_82576(img, IGB);
	assert_int_equal(pci_find_cap(ops, IGB, PCI_CAP_ID_PM), 0x40);
	assert_int_equal(pci_find_cap(ops, IGB, PCI_CAP_ID_MSIX), IGB_MSIX_OFF);
	assert_int_equal(pci_find_cap(ops, IGB, PCI_CAP_ID_VPD), 0);
	assert_int_equal(pci_find_ext_cap(ops, IGB, PCI_EXT_CAP_ID_ARI), IGB_ARI_OFF);
	assert_int_equal(pci_find_ext_cap(ops, IGB, PCI_EXT_CAP_ID_SRIOV), IGB_SRIOV_OFF);
	assert_int_equal(pci_find_ext_cap(ops, IGB, PCI_EXT_CAP_ID_ATS), 0);
}

static void test_caps_need_status_bit(void **state)
{
	struct pci_image_fn *f;
	struct pci_caps caps;

	(void)state;
	f = img_add_82576(img, IGB);
	img_set16(f, PCI_STATUS, 0);
	assert_int_equal(pci_find_cap(ops, IGB, PCI_CAP_ID_MSI), 0);
	assert_int_equal(pci_find_ext_cap(ops, IGB, PCI_EXT_CAP_ID_SRIOV), 0);
	assert_int_equal(pci_caps_parse(ops, IGB, &caps), 0);
	assert_int_equal(caps.std_count + caps.ext_count, 0);
}

/* Without the PCI Express capability there is no extended list to walk. */
static void test_ext_caps_need_pcie(void **state)
{
	struct pci_image_fn *f;
	struct pci_caps caps;

	(void)state;
	f = img_add_82576(img, IGB);
	img_set8(f, IGB_MSIX_OFF + 1, 0);
	assert_int_equal(pci_find_ext_cap(ops, IGB, PCI_EXT_CAP_ID_SRIOV), 0);
	assert_int_equal(pci_caps_parse(ops, IGB, &caps), 0);
	assert_int_equal(caps.ext_count, 0);
	assert_int_equal(caps.sriov.offset, 0);
}

static void test_std_loop(void **state)
{
	struct pci_image_fn *f;
	struct pci_caps caps;

	(void)state;
	f = img_add_endpoint(img, IGB);
	img_set8(f, PCI_CAPABILITY_LIST, 0x40);
	img_cap(f, 0x40, PCI_CAP_ID_PM, 0x50);
	img_cap(f, 0x50, PCI_CAP_ID_MSI, 0x40);
	assert_int_equal(pci_find_cap(ops, IGB, PCI_CAP_ID_MSIX), 0);
	assert_logged("W pci: cap list cut bdf=0000:01:00.0 list=std at=0x51 ptr=0x40 reason=loop");
	assert_int_equal(pci_caps_parse(ops, IGB, &caps), -EBADMSG);
	assert_true(caps.malformed);
	assert_int_equal(caps.std_count, 2);
	assert_int_equal(caps.msi.offset, 0x50);
}

static void test_std_ptr_into_header(void **state)
{
	struct pci_image_fn *f;

	(void)state;
	f = img_add_endpoint(img, IGB);
	img_set8(f, PCI_CAPABILITY_LIST, 0x20);
	img_set16(f, PCI_STATUS, PCI_STATUS_CAP_LIST);
	assert_int_equal(pci_find_cap(ops, IGB, PCI_CAP_ID_MSI), 0);
	assert_logged("list=std at=0x34 ptr=0x20 reason=inside-header");
	log_capture_reset();
	/* The same further down the list; the capability before it is kept. */
	img_set8(f, PCI_CAPABILITY_LIST, 0x40);
	img_cap(f, 0x40, PCI_CAP_ID_MSI, 0x3c);
	assert_int_equal(pci_find_cap(ops, IGB, PCI_CAP_ID_MSI), 0x40);
	assert_int_equal(pci_find_cap(ops, IGB, PCI_CAP_ID_PM), 0);
	assert_logged("list=std at=0x41 ptr=0x3c reason=inside-header");
}

/* 0xff is what a read of a vanished function returns: masked to 0xfc, id 0xff. */
static void test_std_ptr_ff(void **state)
{
	struct pci_image_fn *f;
	struct pci_caps caps;

	(void)state;
	f = img_add_endpoint(img, IGB);
	img_set8(f, PCI_CAPABILITY_LIST, 0x40);
	img_cap(f, 0x40, PCI_CAP_ID_MSI, 0xff);
	img_set32(f, 0xfc, 0xffffffff);
	assert_int_equal(pci_caps_parse(ops, IGB, &caps), -EBADMSG);
	assert_int_equal(caps.std_count, 1);
	assert_logged("list=std at=0xfc ptr=0xff reason=id-all-ones");
}

static struct pci_image_fn *igb_with_ext_next(uint16_t at, uint16_t id, uint16_t next)
{
	struct pci_image_fn *f = img_add_82576(img, IGB);

	img_ext_cap(f, at, id, next);
	return f;
}

static void test_ext_loop(void **state)
{
	struct pci_caps caps;

	(void)state;
	igb_with_ext_next(IGB_ARI_OFF, PCI_EXT_CAP_ID_ARI, IGB_AER_OFF);
	assert_int_equal(pci_find_ext_cap(ops, IGB, PCI_EXT_CAP_ID_SRIOV), 0);
	assert_logged(
	    "W pci: cap list cut bdf=0000:01:00.0 list=ext at=0x150 ptr=0x100 reason=loop");
	assert_int_equal(pci_caps_parse(ops, IGB, &caps), -EBADMSG);
	assert_int_equal(caps.ext_count, 2);
	assert_int_equal(caps.ari.offset, IGB_ARI_OFF);
}

static void test_ext_next_below_0x100(void **state)
{
	(void)state;
	igb_with_ext_next(IGB_AER_OFF, PCI_EXT_CAP_ID_ERR, 0x0f0);
	assert_int_equal(pci_find_ext_cap(ops, IGB, PCI_EXT_CAP_ID_ARI), 0);
	assert_logged("list=ext at=0x100 ptr=0xf0 reason=below-0x100");
}

static void test_ext_next_unaligned(void **state)
{
	(void)state;
	igb_with_ext_next(IGB_ARI_OFF, PCI_EXT_CAP_ID_ARI, IGB_SRIOV_OFF + 2);
	assert_int_equal(pci_find_ext_cap(ops, IGB, PCI_EXT_CAP_ID_SRIOV), 0);
	assert_int_equal(pci_find_ext_cap(ops, IGB, PCI_EXT_CAP_ID_ARI), IGB_ARI_OFF);
	assert_logged("list=ext at=0x150 ptr=0x162 reason=unaligned");
}

static void test_ext_header_all_ones(void **state)
{
	struct pci_image_fn *f;
	struct pci_caps caps;

	(void)state;
	/* At 0x100 it means no extended capabilities, not a malformed list. */
	f = img_add_82576(img, IGB);
	img_set32(f, PCI_EXT_CAP_START, 0xffffffff);
	assert_int_equal(pci_caps_parse(ops, IGB, &caps), 0);
	assert_int_equal(caps.ext_count, 0);
	assert_no_warnings();
	/* Pointed at from inside the list it is. */
	img_ext_cap(f, PCI_EXT_CAP_START, PCI_EXT_CAP_ID_ERR, 0x400);
	img_set32(f, 0x400, 0xffffffff);
	assert_int_equal(pci_caps_parse(ops, IGB, &caps), -EBADMSG);
	assert_int_equal(caps.ext_count, 1);
	assert_logged("list=ext at=0x400 ptr=0xffffffff reason=header-all-ones");
}

/* A capability whose registers would run past 0xff is refused, not read. */
static void test_cap_overruns_space(void **state)
{
	struct pci_image_fn *f;
	struct pci_caps caps;

	(void)state;
	f = img_add_endpoint(img, IGB);
	img_set8(f, PCI_CAPABILITY_LIST, 0xf8);
	img_cap(f, 0xf8, PCI_CAP_ID_MSIX, 0);
	assert_int_equal(pci_caps_parse(ops, IGB, &caps), -EBADMSG);
	assert_int_equal(caps.msix.offset, 0);
	assert_logged("cap refused bdf=0000:01:00.0 cap=msix off=0xf8 len=12 reason=overruns");
}

/* --- SR-IOV --- */

static void test_sriov_82576(void **state)
{
	struct pci_image_fn *f;
	struct pci_sriov s;

	(void)state;
	f = img_add_82576(img, IGB);
	assert_int_equal(pci_sriov_parse(ops, IGB, IGB_SRIOV_OFF, &s), 0);
	assert_true(s.valid);
	assert_int_equal(s.total_vfs, 8);
	assert_int_equal(s.initial_vfs, 8);
	assert_int_equal(s.num_vfs, 0);
	assert_int_equal(s.vf_offset, 0x80);
	assert_int_equal(s.vf_stride, 2);
	assert_int_equal(s.vf_device, 0x10ca);
	assert_int_equal(s.supported_page_sizes, 0x553);
	assert_int_equal(s.system_page_size, 1);
	const uint8_t types[] = {PCI_BAR_MEM64, PCI_BAR_MEM64_UPPER, PCI_BAR_UNUSED,
				 PCI_BAR_MEM64, PCI_BAR_MEM64_UPPER, PCI_BAR_UNUSED};
	for (unsigned i = 0; i < PCI_SRIOV_NUM_BARS; i++)
		assert_int_equal(s.vf_bars[i].type, types[i]);
	assert_true(s.vf_bars[0].prefetchable && s.vf_bars[0].size_known);
	assert_int_equal(s.vf_bars[0].size, 16 * KiB);
	assert_int_equal(s.vf_bars[0].base, 0xc4000000);
	assert_int_equal(s.vf_bars[3].size, 16 * KiB);
	assert_int_equal(s.vf_bars[3].base, 0xc4020000);
	/* Sizing restored the registers. */
	assert_int_equal(img_get32(f, IGB_SRIOV_OFF + PCI_SRIOV_BAR), 0xc400000c);
	assert_int_equal(img_get32(f, IGB_SRIOV_OFF + PCI_SRIOV_BAR + 4), 0);
	assert_no_warnings();
}

static void test_sriov_vf_rids(void **state)
{
	static const char *const expect[] = {"01:10.0", "01:10.2", "01:10.4", "01:10.6",
					     "01:11.0", "01:11.2", "01:11.4", "01:11.6"};
	struct pci_sriov s;
	uint32_t bdf;
	uint16_t rid;
	char name[16];

	(void)state;
	img_add_82576(img, IGB);
	assert_int_equal(pci_sriov_parse(ops, IGB, IGB_SRIOV_OFF, &s), 0);
	for (uint16_t n = 0; n < 8; n++) {
		assert_int_equal(pci_sriov_vf_bdf(&s, IGB, n, &bdf), 0);
		snprintf(name, sizeof(name), "%02x:%02x.%x", PCI_BDF_BUS(bdf), PCI_BDF_DEV(bdf),
			 PCI_BDF_FN(bdf));
		assert_string_equal(name, expect[n]);
	}
	assert_int_equal(pci_sriov_vf_rid(&s, 0x0100, 8, &rid), -EINVAL);
	assert_int_equal(pci_sriov_vf_bdf(&s, PCI_BDF(3, 1, 0, 0), 0, &bdf), 0);
	assert_int_equal(bdf, 0x30180);
}

/* Sizing a BAR that decodes is unsafe: with VF MSE set nothing is written. */
static void test_sriov_vf_mse_set(void **state)
{
	struct pci_image_fn *f;
	struct pci_sriov s;

	(void)state;
	f = img_add_82576(img, IGB);
	img_set16(f, IGB_SRIOV_OFF + PCI_SRIOV_CTRL, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	img_set16(f, IGB_SRIOV_OFF + PCI_SRIOV_NUM_VF, 8);
	assert_int_equal(pci_sriov_parse(ops, IGB, IGB_SRIOV_OFF, &s), 0);
	assert_int_equal(img->writes, 0);
	assert_int_equal(s.vf_bars[0].type, PCI_BAR_MEM64);
	assert_int_equal(s.vf_bars[0].base, 0xc4000000);
	assert_false(s.vf_bars[0].size_known);
	assert_logged("sriov vf bars not sized bdf=0000:01:00.0 reason=vf-mse-set");
}

static void sriov_refused(uint16_t reg, uint16_t val, const char *reason)
{
	struct pci_sriov s;
	char text[96];

	img->count = 0;
	log_capture_reset();
	struct pci_image_fn *f = img_add_82576(img, IGB);
	img_set16(f, IGB_SRIOV_OFF + reg, val);
	assert_int_equal(pci_sriov_parse(ops, IGB, IGB_SRIOV_OFF, &s), -EINVAL);
	assert_false(s.valid);
	assert_int_equal(s.offset, IGB_SRIOV_OFF);
	assert_int_equal(img->writes, 0);
	snprintf(text, sizeof(text), "sriov malformed bdf=0000:01:00.0 cap=0x160 reason=%s",
		 reason);
	assert_logged(text);
}

static void test_sriov_malformed(void **state)
{
	(void)state;
	sriov_refused(PCI_SRIOV_TOTAL_VF, 0, "total-vfs-0");
	sriov_refused(PCI_SRIOV_TOTAL_VF, 1000, "total-vfs-above-256");
	sriov_refused(PCI_SRIOV_VF_STRIDE, 0, "vf-stride-0");
	sriov_refused(PCI_SRIOV_VF_OFFSET, 0, "first-vf-offset-0");
	sriov_refused(PCI_SRIOV_INITIAL_VF, 9, "initial-vfs-above-total");
	sriov_refused(PCI_SRIOV_NUM_VF, 9, "num-vfs-above-total");
}

static void test_sriov_single_vf_stride_0(void **state)
{
	struct pci_image_fn *f;
	struct pci_sriov s;
	uint16_t rid;

	(void)state;
	f = img_add_82576(img, IGB);
	img_set16(f, IGB_SRIOV_OFF + PCI_SRIOV_TOTAL_VF, 1);
	img_set16(f, IGB_SRIOV_OFF + PCI_SRIOV_INITIAL_VF, 1);
	img_set16(f, IGB_SRIOV_OFF + PCI_SRIOV_VF_STRIDE, 0);
	assert_int_equal(pci_sriov_parse(ops, IGB, IGB_SRIOV_OFF, &s), 0);
	assert_int_equal(pci_sriov_vf_rid(&s, 0x0100, 0, &rid), 0);
	assert_int_equal(rid, 0x0180);
}

static void test_sriov_rid_beyond_bus_255(void **state)
{
	uint32_t pf = PCI_BDF(0, 255, 0, 0);
	struct pci_image_fn *f;
	struct pci_sriov s;
	uint16_t rid;

	(void)state;
	f = img_add_82576(img, pf);
	img_set16(f, IGB_SRIOV_OFF + PCI_SRIOV_VF_OFFSET, 0xfa);
	assert_int_equal(pci_sriov_parse(ops, pf, IGB_SRIOV_OFF, &s), 0);
	assert_int_equal(pci_sriov_vf_rid(&s, 0xff00, 2, &rid), 0);
	assert_int_equal(rid, 0xfffe);
	assert_int_equal(pci_sriov_vf_rid(&s, 0xff00, 3, &rid), -ERANGE);
	assert_int_equal(pci_sriov_vf_rid(&s, 0xff00, 7, &rid), -ERANGE);
}

static void test_sriov_cap_overruns(void **state)
{
	struct pci_sriov s;

	(void)state;
	img_add_82576(img, IGB);
	assert_int_equal(pci_sriov_parse(ops, IGB, 0xfc8, &s), -EINVAL);
	assert_int_equal(pci_sriov_parse(ops, IGB, 0x40, &s), -EINVAL);
	assert_logged("sriov malformed bdf=0000:01:00.0 cap=0xfc8 reason=cap-overruns");
	assert_int_equal(img->reads, 0);
}

/* --- BARs --- */

static void test_bars_82576(void **state)
{
	struct pci_bar bars[PCI_STD_NUM_BARS];
	struct pci_image_fn *f;

	(void)state;
	f = img_add_82576(img, IGB);
	assert_int_equal(pci_bars_probe(ops, IGB, bars), 6);
	assert_int_equal(bars[0].type, PCI_BAR_MEM32);
	assert_int_equal(bars[0].base, 0xc2020000);
	assert_int_equal(bars[0].size, 128 * KiB);
	assert_int_equal(bars[1].type, PCI_BAR_UNUSED);
	assert_int_equal(bars[2].type, PCI_BAR_IO);
	assert_int_equal(bars[2].base, 0xd000);
	assert_int_equal(bars[2].size, 32);
	assert_int_equal(bars[3].size, 16 * KiB);
	assert_false(bars[3].prefetchable);
	/* Decode was off while sizing (the image counts violations) and is back on. */
	assert_true(img->writes > 0);
	assert_int_equal(img_get16(f, PCI_COMMAND), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_true(img_get16(f, PCI_STATUS) & PCI_STATUS_RCV_MST_ABORT);
	assert_int_equal(img_get32(f, PCI_BASE_ADDRESS(0)), 0xc2020000);
}

static void test_bar_64bit_above_4g(void **state)
{
	struct pci_bar bars[PCI_STD_NUM_BARS];
	struct pci_image_fn *f;

	(void)state;
	f = img_add_endpoint(img, IGB);
	img_bar(f, PCI_BASE_ADDRESS(4), PCI_BAR_MEM_TYPE_64 | PCI_BAR_MEM_PREFETCH, 0x800000000ull,
		8 * GiB);
	assert_int_equal(pci_bars_probe(ops, IGB, bars), 6);
	assert_int_equal(bars[4].type, PCI_BAR_MEM64);
	assert_int_equal(bars[4].base, 0x800000000ull);
	assert_int_equal(bars[4].size, 8 * GiB);
	assert_int_equal(bars[5].type, PCI_BAR_MEM64_UPPER);
}

static void test_bar_64bit_in_slot_5(void **state)
{
	struct pci_bar bars[PCI_STD_NUM_BARS];
	struct pci_image_fn *f;

	(void)state;
	f = img_add_endpoint(img, IGB);
	img_bar(f, PCI_BASE_ADDRESS(5), PCI_BAR_MEM_TYPE_64, 0xc0000000, 4096);
	img_set32(f, PCI_BASE_ADDRESS(3), 0x6); /* reserved memory type */
	assert_int_equal(pci_bars_probe(ops, IGB, bars), -EBADMSG);
	assert_int_equal(bars[5].type, PCI_BAR_MALFORMED);
	assert_int_equal(bars[3].type, PCI_BAR_MALFORMED);
	assert_logged("bar malformed bdf=0000:01:00.0 reg=0x24 reason=64bit-in-last-slot");
	assert_logged("bar malformed bdf=0000:01:00.0 reg=0x1c reason=reserved-type");
}

static void test_bars_bridge(void **state)
{
	struct pci_bar bars[PCI_STD_NUM_BARS];
	struct pci_image_fn *f;

	(void)state;
	f = img_add_root_port(img, ROOT_PORT, 1, 1, false);
	img_bar(f, PCI_BASE_ADDRESS(0), 0, 0xc3000000, 4096);
	img_bar(f, PCI_BASE_ADDRESS(1), PCI_BAR_MEM_TYPE_64, 0xc3001000, 4096);
	assert_int_equal(pci_bars_probe(ops, ROOT_PORT, bars), -EBADMSG);
	assert_int_equal(bars[0].size, 4096);
	assert_int_equal(bars[1].type, PCI_BAR_MALFORMED);
	assert_int_equal(bars[2].type, PCI_BAR_UNUSED); /* bus numbers, not a BAR */
}

/* Host bridges keep decoding, so their BARs are not sized. */
static void test_bars_host_bridge_not_sized(void **state)
{
	struct pci_bar bars[PCI_STD_NUM_BARS];
	struct pci_image_fn *f;
	uint32_t hb = PCI_BDF(0, 0, 0, 0);

	(void)state;
	f = img_add_fn(img, hb, 0x8086, 0x29c0, 0x060000, 0x00);
	img_bar(f, PCI_BASE_ADDRESS(0), 0, 0xfed10000, 16 * KiB);
	img_set16(f, PCI_COMMAND, PCI_COMMAND_MEMORY);
	assert_int_equal(pci_bars_probe(ops, hb, bars), 6);
	assert_int_equal(img->writes, 0);
	assert_int_equal(bars[0].type, PCI_BAR_MEM32);
	assert_false(bars[0].size_known);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, pci_test_setup, pci_test_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_cfg_narrow_reads),
	    T(test_cfg_command_write_keeps_status),
	    T(test_cfg_write16_keeps_other_half),
	    T(test_cfg_write16_ctl_spares_rw1c),
	    T(test_cfg_bad_offsets),
	    T(test_caps_82576),
	    T(test_find_cap),
	    T(test_caps_need_status_bit),
	    T(test_ext_caps_need_pcie),
	    T(test_std_loop),
	    T(test_std_ptr_into_header),
	    T(test_std_ptr_ff),
	    T(test_ext_loop),
	    T(test_ext_next_below_0x100),
	    T(test_ext_next_unaligned),
	    T(test_ext_header_all_ones),
	    T(test_cap_overruns_space),
	    T(test_sriov_82576),
	    T(test_sriov_vf_rids),
	    T(test_sriov_vf_mse_set),
	    T(test_sriov_malformed),
	    T(test_sriov_single_vf_stride_0),
	    T(test_sriov_rid_beyond_bus_255),
	    T(test_sriov_cap_overruns),
	    T(test_bars_82576),
	    T(test_bar_64bit_above_4g),
	    T(test_bar_64bit_in_slot_5),
	    T(test_bars_bridge),
	    T(test_bars_host_bridge_not_sized),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
