UNIT_TESTS += vtd_tables
unit-vtd_tables-srcs := tests/unit/test_vtd_tables.c tests/unit/fake_mm.c iommu/vtd_tables.c iommu/vtd_caps.c \
	kernel/mm/paging_formats.c lib/format.c
