UNIT_TESTS += x86_decode
unit-x86_decode-srcs := tests/unit/test_x86_decode.c vmm/x86_decode.c
