UNIT_TESTS += format
unit-format-srcs := tests/unit/test_format.c lib/format.c
