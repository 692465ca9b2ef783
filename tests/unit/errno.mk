UNIT_TESTS += errno
unit-errno-srcs := tests/unit/test_errno.c lib/errno.c
