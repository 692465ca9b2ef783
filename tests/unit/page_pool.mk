UNIT_TESTS += page_pool
unit-page_pool-srcs := tests/unit/test_page_pool.c kernel/mm/page_pool.c
