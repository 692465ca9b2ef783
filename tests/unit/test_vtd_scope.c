/*
 * Unit tests for iommu/vtd_scope.c: which VT-d unit remaps a function and
 * which RMRRs name it, on a DMAR built as firmware of a client machine with
 * several units lays it out (a graphics unit listing one endpoint, a unit
 * for the PCIe root ports listing a sub-hierarchy and a device two hops
 * down, and an INCLUDE_PCI_ALL unit for the rest) and a synthetic
 * enumerated topology with an SR-IOV PF. DMAR structure layout: VT-d
 * specification, chapter 8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/errno.h"
#include "iommu/vtd_scope.h"
#include "tests/unit/acpi_images.h"

enum { UNIT_GFX, UNIT_PORTS, UNIT_ALL };

static struct img t;
static struct dmar_info dmar;
static struct pci_topology topo;
static const struct dmar_drhd *drhds[DMAR_MAX_DRHDS];

#define BDF(bus, dev, fn) PCI_BDF(0, bus, dev, fn)

static void scope(uint8_t type, uint8_t bus, const uint8_t *path, unsigned hops)
{
	img_scope(&t, type, 0, bus, path, hops);
}

static void build_dmar(void)
{
	uint32_t s;

	img_dmar_begin(&t, 38, DMAR_FLAG_INTR_REMAP);
	s = img_drhd_begin(&t, 0, 0, 0, 0xfed90000); /* graphics */
	scope(DMAR_SCOPE_PCI_ENDPOINT, 0, (const uint8_t[]){2, 0}, 1);
	img_struct_end(&t, s);
	s = img_drhd_begin(&t, 0, 0, 0, 0xfed91000); /* root ports */
	scope(DMAR_SCOPE_PCI_SUBHIERARCHY, 0, (const uint8_t[]){1, 0}, 1);
	scope(DMAR_SCOPE_PCI_ENDPOINT, 0, (const uint8_t[]){0x1c, 0, 0, 0}, 2);
	scope(DMAR_SCOPE_PCI_ENDPOINT, 0, (const uint8_t[]){0x19, 0}, 1);
	img_struct_end(&t, s);
	s = img_drhd_begin(&t, DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0, 0xfed92000);
	scope(DMAR_SCOPE_IOAPIC, 0xf0, (const uint8_t[]){0x1f, 0}, 1);
	img_struct_end(&t, s);
	s = img_rmrr_begin(&t, 0, 0x7b800000, 0x7b81ffff); /* USB and graphics stolen memory */
	scope(DMAR_SCOPE_PCI_ENDPOINT, 0, (const uint8_t[]){0x14, 0}, 1);
	scope(DMAR_SCOPE_PCI_ENDPOINT, 0, (const uint8_t[]){2, 0}, 1);
	img_struct_end(&t, s);
	s = img_rmrr_begin(&t, 0, 0x7c000000, 0x7c0fffff); /* behind the second root port */
	scope(DMAR_SCOPE_PCI_ENDPOINT, 0, (const uint8_t[]){0x1c, 0, 0, 0}, 2);
	img_struct_end(&t, s);
	img_finish(&t);
	assert_int_equal(acpi_parse_dmar(t.b, t.len, &dmar), 0);
	for (unsigned i = 0; i < dmar.drhd_count; i++)
		drhds[i] = &dmar.drhds[i];
}

static struct pci_function *add(uint32_t bdf, uint8_t secondary, uint8_t subordinate)
{
	struct pci_function *f = &topo.fn[topo.count++];

	memset(f, 0, sizeof(*f));
	f->bdf = bdf;
	f->secondary_bus = secondary;
	f->subordinate_bus = subordinate;
	return f;
}

/* 00:19.0 is an integrated SR-IOV PF: VF n at RID 0xc8 + 0x80 + 2n, on bus 1. */
static void build_topology(void)
{
	struct pci_function *pf;

	topo.count = 0;
	add(BDF(0, 0, 0), 0, 0);
	add(BDF(0, 1, 0), 2, 3); /* root port */
	add(BDF(2, 0, 0), 0, 0); /* I350 PF behind it */
	add(BDF(0, 2, 0), 0, 0); /* graphics */
	add(BDF(0, 0x14, 0), 0, 0);
	add(BDF(0, 0x1c, 0), 5, 5);
	add(BDF(5, 0, 0), 0, 0);
	add(BDF(0, 0x1f, 0), 0, 0);
	pf = add(BDF(0, 0x19, 0), 0, 0);
	pf->caps.sriov = (struct pci_sriov){.offset = 0x160, .valid = true, .total_vfs = 4,
					    .num_vfs = 4, .vf_offset = 0x80, .vf_stride = 2};
}

static int setup(void **state)
{
	(void)state;
	build_dmar();
	build_topology();
	return 0;
}

static int unit_of(uint32_t bdf)
{
	return vtd_drhd_for(drhds, dmar.drhd_count, &topo, bdf);
}

static void test_several_units(void **state)
{
	(void)state;
	assert_int_equal(dmar.drhd_count, 3);
	assert_true(dmar.drhds[UNIT_ALL].include_pci_all);
	assert_int_equal(unit_of(BDF(0, 2, 0)), UNIT_GFX);
	/* the root port itself, and everything on its buses 2..3 */
	assert_int_equal(unit_of(BDF(0, 1, 0)), UNIT_PORTS);
	assert_int_equal(unit_of(BDF(2, 0, 0)), UNIT_PORTS);
	assert_int_equal(unit_of(BDF(3, 0x10, 4)), UNIT_PORTS); /* a VF of the PF on bus 2 */
	/* a two-hop path: 00:1c.0's secondary bus 5, device 0 */
	assert_int_equal(unit_of(BDF(5, 0, 0)), UNIT_PORTS);
}

/* Whatever no other unit lists, in the catch-all unit's segment; nothing elsewhere. */
static void test_include_pci_all_takes_the_rest(void **state)
{
	(void)state;
	assert_int_equal(unit_of(BDF(0, 0x14, 0)), UNIT_ALL);
	/* a scope naming a function behind 00:1c.0 does not name the bridge itself */
	assert_int_equal(unit_of(BDF(0, 0x1c, 0)), UNIT_ALL);
	assert_int_equal(unit_of(BDF(0, 0x1f, 0)), UNIT_ALL);
	assert_int_equal(unit_of(BDF(6, 0, 0)), UNIT_ALL); /* not enumerated */
	assert_int_equal(unit_of(BDF(0, 2, 1)), UNIT_ALL); /* another function of the endpoint */
	assert_int_equal(unit_of(PCI_BDF(1, 0, 2, 0)), -ENODEV);
	/* without the catch-all unit, unlisted functions have no unit at all */
	assert_int_equal(vtd_drhd_for(drhds, 2, &topo, BDF(0, 0x14, 0)), -ENODEV);
	/* without a topology only the catch-all unit is left */
	assert_int_equal(vtd_drhd_for(drhds, 3, NULL, BDF(0, 2, 0)), UNIT_ALL);
}

/* A VF is not enumerated: it belongs to its PF's unit, not the catch-all one. */
static void test_vf_follows_its_pf(void **state)
{
	(void)state;
	assert_int_equal(unit_of(BDF(0, 0x19, 0)), UNIT_PORTS);
	assert_int_equal(unit_of(BDF(1, 0x09, 0)), UNIT_PORTS); /* VF 0: RID 0x148 */
	assert_int_equal(unit_of(BDF(1, 0x09, 6)), UNIT_PORTS); /* VF 3: RID 0x14e */
	assert_int_equal(unit_of(BDF(1, 0x09, 7)), UNIT_ALL);	/* past the stride */
	assert_int_equal(unit_of(BDF(1, 0x0a, 0)), UNIT_ALL);	/* past TotalVFs */
}

/* A path hop through something that is not a bridge, or a missing hop, matches nothing. */
static void test_broken_paths_match_nothing(void **state)
{
	struct dmar_scope s = {.type = DMAR_SCOPE_PCI_ENDPOINT, .start_bus = 0, .path_len = 2,
			       .path = {{0x14, 0}, {0, 0}}};

	(void)state;
	assert_false(vtd_scope_covers(&s, 0, &topo, BDF(0, 0x14, 0)));
	s.path[0] = (struct dmar_path){0x1c, 0};
	s.path[1] = (struct dmar_path){1, 0}; /* 05:01.0 does not exist */
	assert_false(vtd_scope_covers(&s, 0, &topo, BDF(5, 1, 0)));
	s.type = DMAR_SCOPE_IOAPIC;
	s.path_len = 1;
	s.path[0] = (struct dmar_path){0x1c, 0};
	assert_false(vtd_scope_covers(&s, 0, &topo, BDF(0, 0x1c, 0)));
	/* the right function in another segment */
	s.type = DMAR_SCOPE_PCI_ENDPOINT;
	assert_false(vtd_scope_covers(&s, 1, &topo, BDF(0, 0x1c, 0)));
}

static void test_rmrr_devices(void **state)
{
	(void)state;
	assert_int_equal(dmar.rmrr_count, 2);
	assert_true(vtd_rmrr_covers(&dmar.rmrrs[0], &topo, BDF(0, 0x14, 0)));
	assert_true(vtd_rmrr_covers(&dmar.rmrrs[0], &topo, BDF(0, 2, 0)));
	assert_false(vtd_rmrr_covers(&dmar.rmrrs[0], &topo, BDF(2, 0, 0)));
	assert_true(vtd_rmrr_covers(&dmar.rmrrs[1], &topo, BDF(5, 0, 0)));
	assert_false(vtd_rmrr_covers(&dmar.rmrrs[1], &topo, BDF(0, 0x1c, 0)));
	assert_int_equal(dmar.rmrrs[1].base, 0x7c000000);
	assert_int_equal(dmar.rmrrs[1].limit, 0x7c0fffff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_several_units, setup),
	    cmocka_unit_test_setup(test_include_pci_all_takes_the_rest, setup),
	    cmocka_unit_test_setup(test_vf_follows_its_pf, setup),
	    cmocka_unit_test_setup(test_broken_paths_match_nothing, setup),
	    cmocka_unit_test_setup(test_rmrr_devices, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
