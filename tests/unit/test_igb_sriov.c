/*
 * SR-IOV enable from the PF driver (drivers/nic/igb_sriov.c) against a
 * configuration-space image of an 82576 behind a root port
 * (tests/unit/pci_images.c): the order of the writes, VF BAR placement
 * (firmware's kept when usable, moved below 4 GiB otherwise), each write
 * read back so a refusal by the hypervisor is caught, VFs checked before
 * use. The image counts out-of-range accesses and BAR writes while they
 * decode; the fixture fails the test on either.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "hv/errno.h"
#include "tests/unit/fake_igb.h"
#include "tests/unit/log_capture.h"
#include "tests/unit/pci_images.h"

#define VF0 PCI_BDF(0, 1, 0x10, 0)
#define VF1 PCI_BDF(0, 1, 0x10, 2)

static struct igb_pf pf;
static struct pci_image_fn *pf_fn;

static uint16_t sriov16(uint16_t off)
{
	return img_get16(pf_fn, IGB_SRIOV_OFF + off);
}

static int setup(void **state)
{
	pci_test_setup(state);
	fake_igb_reset();
	img_build_igb_machine(img, true);
	pf_fn = pci_image_fn(img, IGB);
	img_add_fn(img, VF0, 0x8086, 0x10ca, 0x020000, 0);
	img_add_fn(img, VF1, 0x8086, 0x10ca, 0x020000, 0);
	memset(&pf, 0, sizeof(pf));
	pf.cfg = ops;
	pf.bdf = IGB;
	pf.type = IGB_MAC_82576;
	pf.rar_entries = IGB_RAR_ENTRIES_82576;
	assert_int_equal(igb_sriov_probe(&pf), 0);
	return 0;
}

static void test_probe_reads_the_capability(void **state)
{
	(void)state;
	assert_int_equal(pf.sriov.cap, IGB_SRIOV_OFF);
	assert_int_equal(pf.sriov.total_vfs, 8);
	assert_int_equal(pf.sriov.vf_device, 0x10ca);
	assert_int_equal(pf.sriov.num_vfs, 0);
}

static void test_enable_keeps_usable_firmware_bars(void **state)
{
	uint32_t bdf;

	(void)state;
	assert_int_equal(igb_sriov_enable(&pf, 2), 0);
	assert_int_equal(sriov16(PCI_SRIOV_NUM_VF), 2);
	assert_int_equal(sriov16(PCI_SRIOV_CTRL) & (PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE),
			 PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	assert_int_equal(pf.sriov.vf_bar[0], 0xc4000000);
	assert_int_equal(pf.sriov.vf_bar[3], 0xc4020000);
	assert_int_equal(pf.sriov.vf_bar_size[0], 16 * KiB);
	assert_int_equal(pf.sriov.vf_bar_size[2], 0);
	assert_int_equal(pf.sriov.num_vfs, 2);
	assert_int_equal(igb_sriov_vf_bdf(&pf, 1, &bdf), 0);
	assert_int_equal(bdf, VF1);
	assert_int_equal(igb_sriov_vf_bdf(&pf, 2, &bdf), -EINVAL);
	/* Each VF decodes memory and masters the bus, by its own Command register. */
	assert_int_equal(img_get16(pci_image_fn(img, VF0), PCI_COMMAND) & 0x6, 0x6);
	assert_int_equal(img_get16(pci_image_fn(img, VF1), PCI_COMMAND) & 0x6, 0x6);
	assert_logged("sriov enabled vfs=2 offset=0x80 stride=2 vf_device=10ca");
}

static void test_bars_above_4g_move_below(void **state)
{
	(void)state;
	img_bar(pf_fn, IGB_SRIOV_OFF + PCI_SRIOV_BAR, PCI_BAR_MEM_TYPE_64 | PCI_BAR_MEM_PREFETCH,
		0xe000020000ULL, 16 * KiB);
	assert_int_equal(igb_sriov_enable(&pf, 2), 0);
	/* After the PF's BARs: its highest (0xc2040000) ends by 0xc2080000. */
	assert_int_equal(pf.sriov.vf_bar[0], 0xc2080000);
	assert_int_equal(img_get32(pf_fn, IGB_SRIOV_OFF + PCI_SRIOV_BAR + 4), 0);
	assert_int_equal(pf.sriov.vf_bar[3], 0xc4020000);
	assert_logged("vf bar=0 base=0xc2080000 size=0x4000 vfs=2 firmware=0xe000020000");
}

static void test_more_vfs_than_pools_refused(void **state)
{
	(void)state;
	assert_int_equal(igb_sriov_enable(&pf, 8), -EINVAL);
	assert_int_equal(igb_sriov_enable(&pf, 0), -EINVAL);
	assert_int_equal(sriov16(PCI_SRIOV_NUM_VF), 0);
	assert_logged("sriov refused vfs=8 total=8 max=7");
	assert_int_equal(igb_sriov_enable(&pf, 7), -EIO); /* VFs 2..6 don't answer here */
}

static void test_refused_num_vfs_is_caught(void **state)
{
	(void)state;
	img_wmask32(pf_fn, IGB_SRIOV_OFF + PCI_SRIOV_NUM_VF, 0);
	assert_int_equal(igb_sriov_enable(&pf, 2), -EPERM);
	assert_logged("sriov write refused bdf=0000:01:00.0 what=num-vfs want=0x2 got=0x0");
	assert_false(sriov16(PCI_SRIOV_CTRL) & PCI_SRIOV_CTRL_VFE);
}

static void test_absent_vf_turns_sriov_off_again(void **state)
{
	(void)state;
	img_set16(pci_image_fn(img, VF1), PCI_VENDOR_ID, 0xffff);
	assert_int_equal(igb_sriov_enable(&pf, 2), -EIO);
	assert_logged("vf absent vf=1 bdf=0000:01:10.2");
	assert_false(sriov16(PCI_SRIOV_CTRL) & PCI_SRIOV_CTRL_VFE);
	assert_int_equal(pf.sriov.num_vfs, 0);
}

static void test_disable_lets_the_pf_reuse_queues(void **state)
{
	(void)state;
	assert_int_equal(igb_sriov_enable(&pf, 2), 0);
	assert_int_equal(igb_sriov_enable(&pf, 1), -EBUSY);
	assert_int_equal(igb_sriov_disable(&pf), 0);
	assert_false(sriov16(PCI_SRIOV_CTRL) & (PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE));
	assert_int_equal(fake_reg(IGB_IOVCTL), IGB_IOVCTL_REUSE_VFQ);
	assert_int_equal(pf.sriov.num_vfs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_probe_reads_the_capability, setup,
					    pci_test_teardown),
	    cmocka_unit_test_setup_teardown(test_enable_keeps_usable_firmware_bars, setup,
					    pci_test_teardown),
	    cmocka_unit_test_setup_teardown(test_bars_above_4g_move_below, setup,
					    pci_test_teardown),
	    cmocka_unit_test_setup_teardown(test_more_vfs_than_pools_refused, setup,
					    pci_test_teardown),
	    cmocka_unit_test_setup_teardown(test_refused_num_vfs_is_caught, setup,
					    pci_test_teardown),
	    cmocka_unit_test_setup_teardown(test_absent_vf_turns_sriov_off_again, setup,
					    pci_test_teardown),
	    cmocka_unit_test_setup_teardown(test_disable_lets_the_pf_reuse_queues, setup,
					    pci_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
