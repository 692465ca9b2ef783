UNIT_TESTS += vtd_inv
unit-vtd_inv-srcs := tests/unit/test_vtd_inv.c iommu/vtd_inv.c iommu/vtd_caps.c lib/format.c
