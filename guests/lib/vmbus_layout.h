/*
 * Where the rings sit in the "vmbus" channel region every child shares with
 * its parent (docs/channel.md). Offsets are from the start of the region;
 * each ring is a 4 KiB control page (struct ring_ctrl) followed by its data
 * area. The parent produces into the parent->child rings and the child into
 * the child->parent ones; each producer runs ring_init_shared() on its
 * rings. The rest of the region is reserved and stays zero.
 */
#ifndef GUESTS_LIB_VMBUS_LAYOUT_H
#define GUESTS_LIB_VMBUS_LAYOUT_H

#include "guests/lib/ring.h"
#include "hv/guest_abi.h"

#define VMBUS_CHANNEL_NAME "vmbus"

#define VMBUS_CTL_RING_SIZE (32 * KiB)
#define VMBUS_CTL_DATA_SIZE (VMBUS_CTL_RING_SIZE - RING_CTRL_SIZE)
#define VMBUS_NET_RING_SIZE (512 * KiB)
#define VMBUS_NET_DATA_SIZE (VMBUS_NET_RING_SIZE - RING_CTRL_SIZE)

/* Control rings: the control protocol of vmbus_ctl.h. */
#define VMBUS_CTL_P2C_OFFSET 0x000000ULL
#define VMBUS_CTL_C2P_OFFSET 0x008000ULL
/* The netvsc device's rings (netvsc_proto.h). */
#define VMBUS_NET_P2C_OFFSET 0x010000ULL
#define VMBUS_NET_C2P_OFFSET 0x090000ULL
/* First byte after the last ring: [VMBUS_RESERVED_OFFSET, slot end) is reserved. */
#define VMBUS_RESERVED_OFFSET (VMBUS_NET_C2P_OFFSET + VMBUS_NET_RING_SIZE)

/* A ring's data area follows its control page. */
#define VMBUS_RING_DATA(ring_offset) ((ring_offset) + RING_CTRL_SIZE)

_Static_assert(VMBUS_CTL_C2P_OFFSET == VMBUS_CTL_P2C_OFFSET + VMBUS_CTL_RING_SIZE,
	       "control rings are adjacent and do not overlap");
_Static_assert(VMBUS_NET_P2C_OFFSET == VMBUS_CTL_C2P_OFFSET + VMBUS_CTL_RING_SIZE,
	       "the netvsc rings follow the control rings without overlap");
_Static_assert(VMBUS_NET_C2P_OFFSET == VMBUS_NET_P2C_OFFSET + VMBUS_NET_RING_SIZE,
	       "netvsc rings are adjacent and do not overlap");
_Static_assert(VMBUS_RESERVED_OFFSET <= HV_GUEST_CHANNEL_SLOT, "the rings fit in one slot");
_Static_assert(VMBUS_CTL_P2C_OFFSET % PAGE_SIZE == 0 && VMBUS_CTL_C2P_OFFSET % PAGE_SIZE == 0 &&
		   VMBUS_NET_P2C_OFFSET % PAGE_SIZE == 0 && VMBUS_NET_C2P_OFFSET % PAGE_SIZE == 0,
	       "control pages are page aligned");
_Static_assert(VMBUS_CTL_DATA_SIZE >= RING_MIN_DATA_SIZE && VMBUS_CTL_DATA_SIZE % RING_ALIGN == 0,
	       "control data size is a valid ring size");
_Static_assert(VMBUS_NET_DATA_SIZE <= RING_MAX_DATA_SIZE && VMBUS_NET_DATA_SIZE % RING_ALIGN == 0,
	       "netvsc data size is a valid ring size");

#endif
