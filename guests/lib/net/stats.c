/*
 * Names of the stack's drop counters (stats.h), stable because tests and
 * reports match them.
 */
#include "guests/lib/net/stats.h"

static const char *const drop_names[NET_DROP_COUNT] = {
	[NET_DROP_NONE] = "none",
	[NET_DROP_ETH_SHORT] = "eth_short",
	[NET_DROP_ETH_LONG] = "eth_long",
	[NET_DROP_ETH_DST] = "eth_dst",
	[NET_DROP_ETH_SRC] = "eth_src",
	[NET_DROP_ETH_TYPE] = "eth_type",
	[NET_DROP_ARP_SHORT] = "arp_short",
	[NET_DROP_ARP_FORMAT] = "arp_format",
	[NET_DROP_ARP_OP] = "arp_op",
	[NET_DROP_ARP_SENDER] = "arp_sender",
	[NET_DROP_ARP_TARGET] = "arp_target",
	[NET_DROP_ARP_CONFLICT] = "arp_conflict",
	[NET_DROP_IP_SHORT] = "ip_short",
	[NET_DROP_IP_VERSION] = "ip_version",
	[NET_DROP_IP_IHL] = "ip_ihl",
	[NET_DROP_IP_LENGTH] = "ip_length",
	[NET_DROP_IP_CSUM] = "ip_csum",
	[NET_DROP_IP_FRAGMENT] = "ip_fragment",
	[NET_DROP_IP_TTL] = "ip_ttl",
	[NET_DROP_IP_SRC] = "ip_src",
	[NET_DROP_IP_DST] = "ip_dst",
	[NET_DROP_IP_PROTO] = "ip_proto",
	[NET_DROP_ICMP_SHORT] = "icmp_short",
	[NET_DROP_ICMP_CSUM] = "icmp_csum",
	[NET_DROP_ICMP_TYPE] = "icmp_type",
	[NET_DROP_ICMP_BROADCAST] = "icmp_broadcast",
	[NET_DROP_ICMP_UNMATCHED] = "icmp_unmatched",
	[NET_DROP_UDP_SHORT] = "udp_short",
	[NET_DROP_UDP_LENGTH] = "udp_length",
	[NET_DROP_UDP_CSUM] = "udp_csum",
	[NET_DROP_UDP_PORT] = "udp_port",
	[NET_DROP_TX_NO_ROUTE] = "tx_no_route",
	[NET_DROP_TX_ARP_FAILED] = "tx_arp_failed",
	[NET_DROP_TX_HELD_OVER] = "tx_held_over",
	[NET_DROP_TX_HOOK] = "tx_hook",
};

const char *net_drop_name(enum net_drop why)
{
	if ((unsigned)why >= NET_DROP_COUNT)
		return "none";
	return drop_names[why];
}

uint64_t net_drops_total(const struct net_counters *c)
{
	uint64_t sum = 0;

	for (unsigned i = NET_DROP_NONE + 1; i < NET_DROP_COUNT; i++)
		sum += c->drops[i];
	return sum;
}
