UNIT_TESTS += vf_alloc
unit-vf_alloc-srcs := tests/unit/test_vf_alloc.c drivers/nic/vf_alloc.c drivers/nic/mbx_decode.c \
	lib/format.c lib/string.c
