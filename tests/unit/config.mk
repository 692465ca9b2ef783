UNIT_TESTS += config
unit-config-srcs := tests/unit/test_config.c lib/config.c lib/config_value.c \
	lib/config_validate.c lib/format.c lib/string.c
