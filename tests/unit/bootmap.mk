UNIT_TESTS += bootmap
unit-bootmap-srcs := tests/unit/test_bootmap.c boot/bootmap.c
