UNIT_TESTS += mbx_limit
unit-mbx_limit-srcs := tests/unit/test_mbx_limit.c drivers/nic/mbx_limit.c drivers/nic/mbx_decode.c \
	lib/string.c
