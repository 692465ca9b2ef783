UNIT_TESTS += vmbus_ctl
unit-vmbus_ctl-srcs := tests/unit/test_vmbus_ctl.c guests/lib/vmbus_ctl.c lib/string.c
