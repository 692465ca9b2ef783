/*
 * A fake 82576 VF behind the VF driver's platform contract (igbvf_hw.h),
 * joined to the fake PF of tests/unit/fake_igb.c the way QEMU's igbvf joins
 * igb_core: the VF's mailbox register and buffer are the PF's VMBMEM and
 * P2VMAILBOX of that VF, VTCTRL.RST is a VF level reset the PF sees, and TX
 * runs only while the PF has the pool enabled (VFTE). The VF's queue 0 is
 * a small DMA engine: TDT writes send descriptors (captured for the test,
 * DD written back), fake_igbvf_receive() fills the next RX descriptor.
 * Time is fake_igb's clock; every driver delay advances it and, every
 * 50 ms of it, runs the PF's mailbox service (the parent's 20 Hz poll) or
 * the test's own PF script.
 */
#ifndef TESTS_UNIT_FAKE_IGBVF_H
#define TESTS_UNIT_FAKE_IGBVF_H

#include "tests/unit/fake_igb.h"
#include "drivers/nic/igbvf.h"

#define FAKE_PF_POLL_US 50000
#define FAKE_TX_MAX	512

struct fake_tx_frame {
	uint8_t data[IGBVF_BUF_SIZE];
	uint32_t len;
};

/* pf_poll runs every FAKE_PF_POLL_US of driver delay; NULL: the PF is silent. */
void fake_igbvf_init(unsigned vf, void (*pf_poll)(void));
void *fake_igbvf_bar0(void); /* what the driver is probed with */
uint32_t fake_igbvf_reg(uint32_t reg);
void fake_igbvf_set(uint32_t reg, uint32_t val);
void fake_igbvf_rsti(bool on);	   /* the PF's reset "in progress" seen by the VF */
void fake_igbvf_tx_pause(bool on); /* TDT writes don't send: the ring fills */
unsigned fake_igbvf_tx_count(void);
const struct fake_tx_frame *fake_igbvf_tx(unsigned i);
/* One frame into the next RX descriptor with status bits; -ENOSPC without one. */
int fake_igbvf_receive(const void *frame, uint16_t len, uint32_t extra_status);

#endif
