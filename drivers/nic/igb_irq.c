/*
 * The PF's interrupt under MSI-X (82576 datasheet 7.3, "Interrupts"), for
 * the causes that need a prompt answer: a VF's mailbox message and a VF's
 * level reset, both reported as ICR.VMMB. They are "other" causes: IVAR_MISC
 * routes them to one MSI-X vector, whose EICR bit clears itself when the
 * message goes out (EIAC). The handler only reads ICR, which clears it (GPIE
 * NSICR: without it QEMU, like the hardware in MSI-X mode, keeps ICR until
 * written, and a cause already set raises no new interrupt), and wakes the
 * parent's main loop; igb_pf_poll does the work, as on a tick. The order and
 * values follow Linux's igb_configure_msix / igb_irq_enable, which programs
 * GPIE and IVAR_MISC the same for the 82576 and the I350 (only the queue
 * IVARs differ, and no queue is routed here); EICR/EIMS/EIAC take one bit
 * per MSI-X entry on both. The entry must exist: 25 on the 82576, 10 on
 * the I350 (igb_mac.h). Link and queues stay polled.
 *
 * A VF the flood brake muted loses its request interrupt (MBVFIMR) until
 * the mute ends: its messages are then seen on the tick only, so a flood
 * can't turn into an interrupt storm in the parent. QEMU ignores MBVFIMR
 * (every mailbox event raises VMMB), so there the storm is bounded only by
 * the VF's own pace; the hardware honours it.
 */
#include "drivers/nic/igb_pf.h"
#include "hv/errno.h"
#include "hv/log.h"

#define VF_REQUEST_BITS 0xffu /* MBVFIMR: a message from any of the 8 VFs interrupts */

int igb_irq_enable(struct igb_pf *pf, unsigned entry)
{
	uint32_t bit;

	if (entry >= igb_mac(pf)->msix_entries) {
		log_warn("igb", "irq refused entry=%u mac=%s entries=%u", entry, igb_mac(pf)->name,
			 igb_mac(pf)->msix_entries);
		return -EINVAL;
	}
	bit = 1u << entry;
	igb_wr(&pf->hw, IGB_GPIE, IGB_GPIE_MSIX_MODE | IGB_GPIE_PBA | IGB_GPIE_NSICR);
	igb_wr(&pf->hw, IGB_IVAR_MISC, (entry | IGB_IVAR_VALID) << 8);
	/* The PF's RX queue too (82576: IVAR(q % 8) byte 0): frames for the children's
	 * synthetic NICs wake the parent instead of waiting for its tick. */
	if (pf->type == IGB_MAC_82576)
		igb_wr(&pf->hw, IGB_IVAR(IGB_PF_POOL % 8),
		       (igb_rd(&pf->hw, IGB_IVAR(IGB_PF_POOL % 8)) & ~0xffu) | entry | IGB_IVAR_VALID);
	igb_wr(&pf->hw, IGB_EIAC, bit);
	igb_wr(&pf->hw, IGB_MBVFIMR, VF_REQUEST_BITS);
	(void)igb_rd(&pf->hw, IGB_ICR); /* causes from before: they would never raise a new one */
	igb_wr(&pf->hw, IGB_IMS, IGB_INT_VMMB);
	igb_wr(&pf->hw, IGB_EIMS, bit);
	igb_flush(&pf->hw);
	pf->irq_entry_bit = bit;
	log_info("igb", "irq msix entry=%u causes=vmmb mac=%s gpie=0x%x ivar_misc=0x%x", entry,
		 igb_mac(pf)->name, igb_rd(&pf->hw, IGB_GPIE), igb_rd(&pf->hw, IGB_IVAR_MISC));
	return 0;
}

uint32_t igb_irq_ack(struct igb_pf *pf)
{
	return igb_rd(&pf->hw, IGB_ICR);
}

void igb_irq_vf_quiet(struct igb_pf *pf, unsigned vf, bool quiet)
{
	uint32_t bit = IGB_MBVFICR_VFREQ(vf);
	uint32_t mask = igb_rd(&pf->hw, IGB_MBVFIMR);

	if (!pf->irq_entry_bit || vf >= IGB_MAX_VFS || !(mask & bit) == quiet)
		return;
	igb_wr(&pf->hw, IGB_MBVFIMR, quiet ? mask & ~bit : mask | bit);
}
