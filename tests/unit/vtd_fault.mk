UNIT_TESTS += vtd_fault
unit-vtd_fault-srcs := tests/unit/test_vtd_fault.c iommu/vtd_fault.c iommu/vtd_caps.c lib/format.c
