UNIT_TESTS += net_parse
unit-net_parse-srcs := tests/unit/test_net_parse.c tests/unit/net_link.c guests/lib/net/stats.c \
	guests/lib/net/eth.c guests/lib/net/arp.c guests/lib/net/ipv4.c guests/lib/net/icmp.c \
	guests/lib/net/udp.c guests/lib/net/netif.c drivers/nic/mbx_decode.c lib/format.c \
	lib/string.c
