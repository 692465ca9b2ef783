UNIT_TESTS += config_channels
unit-config_channels-srcs := tests/unit/test_config_channels.c lib/config.c lib/config_value.c \
	lib/config_validate.c lib/format.c lib/string.c
