UNIT_TESTS += netvsc_proto
unit-netvsc_proto-srcs := tests/unit/test_netvsc_proto.c guests/lib/netvsc_proto.c
