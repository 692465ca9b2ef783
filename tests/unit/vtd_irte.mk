UNIT_TESTS += vtd_irte
unit-vtd_irte-srcs := tests/unit/test_vtd_irte.c iommu/vtd_irte.c
