UNIT_TESTS += switch_port
unit-switch_port-srcs := tests/unit/test_switch_port.c drivers/nic/switch_port.c \
	drivers/nic/switch_port_text.c drivers/nic/mbx_decode.c lib/format.c lib/string.c
