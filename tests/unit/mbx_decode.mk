UNIT_TESTS += mbx_decode
unit-mbx_decode-srcs := tests/unit/test_mbx_decode.c drivers/nic/mbx_decode.c lib/string.c
