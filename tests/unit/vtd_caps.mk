UNIT_TESTS += vtd_caps
unit-vtd_caps-srcs := tests/unit/test_vtd_caps.c iommu/vtd_caps.c lib/format.c
