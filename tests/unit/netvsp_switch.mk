UNIT_TESTS += netvsp_switch
unit-netvsp_switch-srcs := tests/unit/test_netvsp_switch.c guests/lib/netvsp_switch.c \
	guests/lib/netvsc_proto.c drivers/nic/switch_port.c drivers/nic/mbx_decode.c \
	lib/format.c lib/string.c
