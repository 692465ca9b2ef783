UNIT_TESTS += virt_caps
unit-virt_caps-srcs := tests/unit/test_virt_caps.c vmm/virt_caps.c lib/format.c
