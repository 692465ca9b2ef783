UNIT_TESTS += ring
unit-ring-srcs := tests/unit/test_ring.c guests/lib/ring.c lib/format.c lib/string.c
