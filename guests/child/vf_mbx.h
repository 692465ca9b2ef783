/*
 * Raw VF mailbox traffic from a child, for tests of the parent's PF
 * (docs/nic-switch.md): the words igbvf would send, or garbage, written
 * straight into an offered VF's mailbox. Command line:
 *   vf-mbx=<op>[,<op>...]   after the VF reset handshake, in order:
 *       setmac:<aa:bb:cc:dd:ee:ff>   SET_MAC_ADDR, prints the PF's ACK or NACK
 *       vlan:<id>                    SET_VLAN add
 *       flood:<n>                    n malformed messages, back to back
 *       reset                        nothing more than the handshake
 * Without vf-mbx the VF's mailbox is left to a real driver.
 */
#ifndef GUESTS_CHILD_VF_MBX_H
#define GUESTS_CHILD_VF_MBX_H

#include "hv/types.h"

/* Runs the vf-mbx operations of cmdline (terminated) on the VF whose BAR0 is mapped at bar0. */
void vf_mbx_run(const char *cmdline, uint64_t bar0);

#endif
