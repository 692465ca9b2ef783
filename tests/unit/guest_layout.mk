UNIT_TESTS += guest_layout
unit-guest_layout-srcs := tests/unit/test_guest_layout.c vmm/guest_layout.c
