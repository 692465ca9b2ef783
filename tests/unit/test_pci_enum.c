/*
 * Unit tests of PCI enumeration, quiescing and the inventory
 * (kernel/pci/pci_enum.c, pci_quiesce.c, pci_inventory.c) over
 * configuration-space images: a q35-like machine with an 82576-like SR-IOV
 * PF behind a root port, ARI devices, and bridges programmed wrongly on
 * purpose (loops, ranges, depth).
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

/* --- enumeration --- */

static const struct pci_function *find_fn(uint32_t bdf)
{
	for (uint32_t i = 0; i < topo->count; i++)
		if (topo->fn[i].bdf == bdf)
			return &topo->fn[i];
	return NULL;
}

static void test_enum_igb_machine(void **state)
{
	static const uint32_t order[] = {
	    PCI_BDF(0, 0, 0, 0),
	    PCI_BDF(0, 0, 1, 0),
	    PCI_BDF(0, 0, 2, 0),
	    PCI_BDF(0, 0, 0x1f, 0),
	    PCI_BDF(0, 0, 0x1f, 2),
	    PCI_BDF(0, 0, 0x1f, 3),
	    IGB,
	};

	(void)state;
	img_build_igb_machine(img, false);
	assert_int_equal(pci_enumerate(ops, 0, 0, 255, topo), 7);
	assert_false(topo->truncated);
	for (unsigned i = 0; i < ARRAY_SIZE(order); i++)
		assert_int_equal(topo->fn[i].bdf, order[i]);
	const struct pci_function *rp = find_fn(ROOT_PORT), *igb = find_fn(IGB);
	assert_int_equal(rp->header_type, PCI_HEADER_TYPE_BRIDGE);
	assert_int_equal(rp->secondary_bus, 1);
	assert_int_equal(rp->subordinate_bus, 1);
	assert_int_equal(rp->caps.pcie.port_type, PCI_EXP_TYPE_ROOT_PORT);
	assert_false(rp->has_parent);
	assert_true(igb->has_parent);
	assert_int_equal(igb->parent_bdf, ROOT_PORT);
	assert_int_equal(igb->vendor, 0x8086);
	assert_int_equal(igb->device, 0x10c9);
	assert_int_equal(igb->class_code, 0x020000);
	assert_int_equal(igb->bars[3].size, 16 * KiB);
	assert_true(igb->caps.sriov.valid);
	assert_int_equal(igb->caps.msix.table_size, 10);
	assert_true(find_fn(PCI_BDF(0, 0, 0x1f, 0))->multifunction);
	assert_int_equal(find_fn(PCI_BDF(0, 0, 0x1f, 2))->bars[5].size, 4096);
	assert_int_equal(find_fn(PCI_BDF(0, 0, 1, 0))->bars[0].size, 16 * MiB);
	assert_logged("I pci: enumerated segment=0000 buses=00-ff functions=7");
	assert_no_warnings();
}

static void test_enum_functions_need_mfd(void **state)
{
	(void)state;
	img_add_endpoint(img, PCI_BDF(0, 0, 3, 0));
	img_add_endpoint(img, PCI_BDF(0, 0, 3, 1)); /* not scanned: function 0 is single-function */
	img_add_fn(img, PCI_BDF(0, 0, 4, 0), 0x8086, 0x2918, 0x060100, 0x80);
	img_add_endpoint(img, PCI_BDF(0, 0, 4, 7));
	assert_int_equal(pci_enumerate(ops, 0, 0, 0, topo), 3);
	assert_null(find_fn(PCI_BDF(0, 0, 3, 1)));
	assert_non_null(find_fn(PCI_BDF(0, 0, 4, 7)));
}

/* Behind an ARI-forwarding port, function numbers run 0..255 along the ARI chain. */
static void igb_ari_pair(bool ari_forwarding, uint8_t second_fn, uint8_t second_next)
{
	img_add_root_port(img, ROOT_PORT, 1, 1, ari_forwarding);
	struct pci_image_fn *pf0 = img_add_82576(img, IGB);
	struct pci_image_fn *pf1 = img_add_82576(img, PCI_BDF(0, 1, 0, 0) | second_fn);
	img_set16(pf0, IGB_ARI_OFF + PCI_ARI_CAP, (uint16_t)(second_fn << 8));
	img_set16(pf1, IGB_ARI_OFF + PCI_ARI_CAP, (uint16_t)(second_next << 8));
}

static void test_enum_ari_chain(void **state)
{
	(void)state;
	igb_ari_pair(true, 0x08, 0);
	img_add_endpoint(img,
			 PCI_BDF(0, 1, 2, 0)); /* not in the chain: not a function of the device */
	assert_int_equal(pci_enumerate(ops, 0, 0, 255, topo), 3);
	assert_true(find_fn(ROOT_PORT)->caps.pcie.ari_forwarding);
	assert_non_null(find_fn(PCI_BDF(0, 1, 1, 0))); /* ARI function 8 */
	assert_null(find_fn(PCI_BDF(0, 1, 2, 0)));
	assert_no_warnings();
}

static void test_enum_ari_chain_malformed(void **state)
{
	(void)state;
	igb_ari_pair(true, 0x01, 0x01);
	assert_int_equal(pci_enumerate(ops, 0, 0, 255, topo), 3);
	assert_logged("ari chain cut bdf=0000:01:00.1 next_fn=1 reason=not-ascending");
	img->count = 0;
	igb_ari_pair(true, 0x01, 0x05);
	assert_int_equal(pci_enumerate(ops, 0, 0, 255, topo), 3);
	assert_logged("ari chain cut bdf=0000:01:00.1 next_fn=5 reason=absent");
}

/* Without ARI forwarding the multi-function bit decides, as on any bus. */
static void test_enum_ari_not_forwarded(void **state)
{
	(void)state;
	igb_ari_pair(false, 0x08, 0);
	assert_int_equal(pci_enumerate(ops, 0, 0, 255, topo), 3);
	assert_non_null(find_fn(PCI_BDF(0, 1, 1, 0))); /* found as device 1 */
	img->count = 0;
	igb_ari_pair(false, 0x01, 0);
	assert_int_equal(pci_enumerate(ops, 0, 0, 255, topo), 2);
	pci_image_fn(img, IGB)->cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_MFD;
	assert_int_equal(pci_enumerate(ops, 0, 0, 255, topo), 3);
}

static void bridge_skipped(uint8_t secondary, uint8_t subordinate, uint8_t end_bus,
			   const char *reason)
{
	char text[128];

	img->count = 0;
	log_capture_reset();
	img_add_root_port(img, ROOT_PORT, secondary, subordinate, false);
	img_add_82576(img, IGB);
	assert_int_equal(pci_enumerate(ops, 0, 0, end_bus, topo), 1);
	snprintf(text, sizeof(text),
		 "bridge skipped bdf=0000:00:02.0 secondary=%u subordinate=%u "
		 "limit=%u reason=%s",
		 secondary, subordinate, end_bus, reason);
	assert_logged(text);
}

static void test_enum_bad_bridges(void **state)
{
	(void)state;
	bridge_skipped(0, 0, 255, "secondary-not-above-bus");
	bridge_skipped(1, 1, 0, "secondary-outside-range");
	bridge_skipped(2, 1, 255, "subordinate-below-secondary");
}

/* A child bridge must stay within the buses its parent forwards. */
static void test_enum_child_outside_parent(void **state)
{
	(void)state;
	img_add_root_port(img, ROOT_PORT, 1, 3, false);
	img_add_root_port(img, PCI_BDF(0, 1, 0, 0), 5, 5, false);
	img_add_endpoint(img, PCI_BDF(0, 5, 0, 0));
	/* Secondary inside, subordinate beyond: scanned, clipped to what is reachable. */
	img_add_root_port(img, PCI_BDF(0, 1, 1, 0), 2, 5, false);
	img_add_endpoint(img, PCI_BDF(0, 2, 0, 0));
	assert_int_equal(pci_enumerate(ops, 0, 0, 255, topo), 4);
	assert_logged("bridge skipped bdf=0000:01:00.0 secondary=5 subordinate=5 limit=3 "
		      "reason=secondary-outside-range");
	assert_logged("bridge range clipped bdf=0000:01:01.0 subordinate=5 limit=3");
	assert_int_equal(find_fn(PCI_BDF(0, 2, 0, 0))->parent_bdf, PCI_BDF(0, 1, 1, 0));
	assert_null(find_fn(PCI_BDF(0, 5, 0, 0)));
}

static void test_enum_bus_loop(void **state)
{
	(void)state;
	img_add_root_port(img, ROOT_PORT, 1, 1, false);
	img_add_root_port(img, PCI_BDF(0, 0, 3, 0), 1, 1, false);
	img_add_82576(img, IGB);
	assert_int_equal(pci_enumerate(ops, 0, 0, 255, topo), 3);
	assert_logged("bridge skipped bdf=0000:00:03.0 secondary=1 subordinate=1 limit=255 "
		      "reason=bus-loop");
	assert_int_equal(find_fn(IGB)->parent_bdf, ROOT_PORT);
}

static void test_enum_depth_limit(void **state)
{
	(void)state;
	for (unsigned bus = 0; bus < 40; bus++)
		img_add_root_port(img, PCI_BDF(0, bus, 0, 0), (uint8_t)(bus + 1), 255, false);
	assert_int_equal(pci_enumerate(ops, 0, 0, 255, topo), PCI_MAX_BRIDGE_DEPTH + 1);
	assert_logged("bridge skipped bdf=0000:20:00.0 secondary=33 subordinate=255 limit=255 "
		      "reason=too-deep");
}

static void test_enum_truncated(void **state)
{
	(void)state;
	img_add_root_port(img, ROOT_PORT, 1, 1, false)->cfg[PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_MFD;
	for (unsigned devfn = 0; devfn < 256; devfn++)
		if (devfn != (2 << 3))
			img_add_endpoint(img, PCI_BDF(0, 0, devfn >> 3, devfn & 7))
			    ->cfg[PCI_HEADER_TYPE] = 0x80;
	img_add_endpoint(img, IGB);
	assert_int_equal(pci_enumerate(ops, 0, 0, 255, topo), PCI_MAX_FUNCTIONS);
	assert_true(topo->truncated);
	assert_null(find_fn(IGB));
	assert_logged("topology full bdf=0000:01:00.0 max=256");
	assert_logged("functions=256 truncated=1");
}

static void test_enum_bad_range(void **state)
{
	(void)state;
	assert_int_equal(pci_enumerate(ops, 0, 5, 4, topo), -EINVAL);
	assert_int_equal(topo->count, 0);
}

/* --- quiesce and inventory --- */

static void test_quiesce(void **state)
{
	(void)state;
	img_build_igb_machine(img, false);
	pci_enumerate(ops, 0, 0, 255, topo);
	log_capture_reset();
	/* SATA and the 82576 master; the root port's BME stays. */
	assert_int_equal(pci_disable_bus_master(ops, topo), 2);
	struct pci_image_fn *igb = pci_image_fn(img, IGB);
	assert_int_equal(img_get16(igb, PCI_COMMAND), PCI_COMMAND_MEMORY);
	assert_true(img_get16(igb, PCI_STATUS) & PCI_STATUS_RCV_MST_ABORT);
	assert_int_equal(find_fn(IGB)->command, PCI_COMMAND_MEMORY);
	assert_true(img_get16(pci_image_fn(img, ROOT_PORT), PCI_COMMAND) & PCI_COMMAND_MASTER);
	assert_logged("bus master cleared bdf=0000:00:1f.2");
	assert_logged("bus master disabled functions=2");
	assert_int_equal(pci_disable_bus_master(ops, topo), 0);
}

/* Enabled VFs are not scanned (Vendor ID reads 0xffff) but their BME is cleared. */
static void test_quiesce_enabled_vfs(void **state)
{
	struct pci_image_fn *vf;

	(void)state;
	img_add_root_port(img, ROOT_PORT, 1, 1, false);
	struct pci_image_fn *pf = img_add_82576(img, IGB);
	img_set16(pf, IGB_SRIOV_OFF + PCI_SRIOV_CTRL, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	img_set16(pf, IGB_SRIOV_OFF + PCI_SRIOV_NUM_VF, 2);
	for (unsigned n = 0; n < 2; n++) {
		vf = img_add_fn(img, PCI_BDF(0, 1, 0x10, 2 * n), 0xffff, 0xffff, 0x020000, 0);
		img_set16(vf, PCI_COMMAND, PCI_COMMAND_MASTER);
	}
	assert_int_equal(pci_enumerate(ops, 0, 0, 255, topo), 2);
	assert_int_equal(pci_disable_bus_master(ops, topo), 3);
	assert_int_equal(img_get16(vf, PCI_COMMAND), 0);
	assert_logged("bus master cleared bdf=0000:01:10.2");
}

static void test_class_names(void **state)
{
	(void)state;
	assert_string_equal(pci_class_name(0x020000), "ethernet");
	assert_string_equal(pci_class_name(0x060000), "host-bridge");
	assert_string_equal(pci_class_name(0x060100), "isa-bridge");
	assert_string_equal(pci_class_name(0x060400), "pci-bridge");
	assert_string_equal(pci_class_name(0x060401), "pci-bridge");
	assert_string_equal(pci_class_name(0x010601), "sata");
	assert_string_equal(pci_class_name(0x030000), "vga");
	assert_string_equal(pci_class_name(0x0c0500), "smbus");
	assert_string_equal(pci_class_name(0x028000), "network");
	assert_string_equal(pci_class_name(0xff0000), "other");
}

static void test_inventory(void **state)
{
	(void)state;
	img_build_igb_machine(img, false);
	pci_enumerate(ops, 0, 0, 255, topo);
	pci_log_topology(topo);
	assert_logged("fn bdf=0000:01:00.0 id=8086:10c9 rev=01 class=020000 name=ethernet hdr=0");
	assert_logged("bar bdf=0000:01:00.0 n=2 type=io base=0xd000 size=0x20");
	assert_logged("caps bdf=0000:01:00.0 std=01@040,05@050,11@070,10@0a0 "
		      "ext=0001@100,000e@150,0010@160");
	assert_logged("sriov bdf=0000:01:00.0 vf=8086:10ca total=8 initial=8 num=0 enabled=0 "
		      "offset=0x80 stride=2 first_vf=01:10.0 last_vf=01:11.6");
	assert_logged("vf-bar bdf=0000:01:00.0 n=3 type=mem64 base=0xc4020000 size=0x4000 pref=1");
	assert_logged("bridge bdf=0000:00:02.0 secondary=1 subordinate=1");
	assert_logged("caps bdf=0000:00:00.0 std=- ext=-");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, pci_test_setup, pci_test_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_enum_igb_machine),
	    T(test_enum_functions_need_mfd),
	    T(test_enum_ari_chain),
	    T(test_enum_ari_chain_malformed),
	    T(test_enum_ari_not_forwarded),
	    T(test_enum_bad_bridges),
	    T(test_enum_child_outside_parent),
	    T(test_enum_bus_loop),
	    T(test_enum_depth_limit),
	    T(test_enum_truncated),
	    T(test_enum_bad_range),
	    T(test_quiesce),
	    T(test_quiesce_enabled_vfs),
	    T(test_class_names),
	    T(test_inventory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
