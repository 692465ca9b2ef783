UNIT_TESTS += guest_walk
unit-guest_walk-srcs := tests/unit/test_guest_walk.c vmm/guest_walk.c
