/*
 * A fake 82576 (or I350: fake_igb_model) behind the igb platform contract
 * (drivers/nic/igb_hw.h), for host tests of the PF driver: a plain
 * register file plus the semantics the driver depends on, after the
 * datasheet and QEMU's model (hw/net/igb_core.c): the mailbox ownership
 * bits (PFU granted only while the VF doesn't hold the buffer, released by
 * any write without it), write-1-to-clear cause
 * registers, clear-on-read statistics. A fake clock advances by the
 * driver's own delays. The VF side of the mailbox is driven by the test.
 */
#ifndef TESTS_UNIT_FAKE_IGB_H
#define TESTS_UNIT_FAKE_IGB_H

#include "drivers/nic/igb_pf.h"

void fake_igb_reset(void);
uint32_t fake_reg(uint32_t reg);
void fake_set(uint32_t reg, uint32_t val);
void fake_advance_us(uint64_t us);

/* The VF side of VF vf's mailbox (igbvf's e1000_write_mbx_vf / read). */
int fake_vf_send(unsigned vf, const uint32_t *words, unsigned n); /* -EBUSY: PF holds it */
void fake_vf_read(unsigned vf, uint32_t *words, unsigned n);
bool fake_vf_pf_wrote(unsigned vf); /* PFSTS seen (read to clear) */
bool fake_vf_pf_acked(unsigned vf); /* PFACK seen (read to clear) */
void fake_vf_hold(unsigned vf, bool hold);
/* What the VF does on VTCTRL.RST in QEMU: VFLRE set, its pool's RX/TX off. */
void fake_vf_reset(unsigned vf);

/*
 * Bring-up: which MAC the fake is (82576 after fake_igb_reset) and the
 * behaviour the reset, PHY and link code depend on. CTRL.RST self-clears
 * and reports the NVM auto-read (EECD.AUTO_RD), this port's EEMNGCTL
 * CFG_DONE when fake_igb_cfg_done(true) and, on an I350, STATUS.DEV_RST_SET
 * (write 1 to clear); registers keep their values (RAR[0] stands for what
 * the NVM reloads). STATUS is otherwise read-only but for PHYRA, cleared
 * by writing 0. MDIC reaches a PHY at address 1 whose registers the test
 * sets (fake_phy_set); other addresses answer with MDIC.ERROR. Counts the
 * CTRL.RST writes.
 */
void fake_igb_model(enum igb_mac_type type);
void fake_igb_cfg_done(bool reported);
void fake_phy_set(unsigned reg, uint16_t val);
uint16_t fake_phy_reg(unsigned reg);
unsigned fake_igb_resets(void);

#endif
