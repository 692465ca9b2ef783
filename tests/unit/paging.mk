UNIT_TESTS += paging
unit-paging-srcs := tests/unit/test_paging.c tests/unit/fake_mm.c kernel/mm/paging.c kernel/mm/paging_formats.c
