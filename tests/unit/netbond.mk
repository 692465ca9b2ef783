UNIT_TESTS += netbond
unit-netbond-srcs := tests/unit/test_netbond.c guests/lib/netbond.c guests/lib/netvsc_proto.c \
	lib/format.c lib/string.c
