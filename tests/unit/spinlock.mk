UNIT_TESTS += spinlock
unit-spinlock-srcs := tests/unit/test_spinlock.c
