UNIT_TESTS += hypercall_decode
unit-hypercall_decode-srcs := tests/unit/test_hypercall_decode.c vmm/hypercall_decode.c
