UNIT_TESTS += string
unit-string-srcs := tests/unit/test_string.c lib/string.c
