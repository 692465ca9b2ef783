/*
 * The PF's MSI-X interrupt in the parent: table entry 0 aimed at this CPU
 * (the hypervisor traps the table page and installs an interrupt remapping
 * entry, vmm/msix_table.c), the mailbox causes routed to it (igb_irq.c),
 * and a handler that only reads ICR and counts. nic_wait() is the main
 * loop's wait: it returns on the next tick or on a PF interrupt, so a VF's
 * mailbox request is served at once instead of on the next 20 Hz tick.
 */
#include "guests/lib/apic.h"
#include "guests/lib/console.h"
#include "guests/lib/cpu.h"
#include "guests/lib/doorbell.h"
#include "guests/lib/idt.h"
#include "guests/lib/paging.h"
#include "guests/lib/tick.h"
#include "guests/parent/nic.h"
#include "hv/errno.h"
#include "kernel/pci/pci.h" /* not guests/lib/pci.h: both name PCI_BDF */

#define MSIX_ENTRY	 0
#define MSI_ADDR_BASE	 0xfee00000u
#define MSIX_CTRL_MASKED 0x1u

static struct igb_pf *irq_pf;
static volatile uint64_t irqs; /* interrupts taken */
static uint64_t woken;	       /* irqs the main loop has seen */
static uint64_t doorbells;     /* channel doorbells the main loop has seen */

static void on_irq(struct trap_frame *frame)
{
	(void)frame;
	(void)igb_irq_ack(irq_pf); /* ICR read clears it: the next cause interrupts again */
	irqs++;
	apic_eoi();
}

/* The MSI-X table of the PF, mapped uncached; NULL when unusable. */
static volatile uint32_t *map_table(uint32_t bdf, uint16_t cap)
{
	const struct pci_cfg_ops *ops = nic_pci_ops();
	uint32_t table = pci_cfg_read32(ops, bdf, (uint16_t)(cap + PCI_MSIX_TABLE));
	unsigned bir = table & PCI_MSIX_BIR;
	uint32_t lo = bir < PCI_STD_NUM_BARS ? pci_cfg_read32(ops, bdf, PCI_BASE_ADDRESS(bir)) : 0;
	uint64_t base = lo & PCI_BAR_MEM_ADDR_MASK, at;

	if (!base || (lo & PCI_BAR_SPACE_IO))
		return NULL;
	if ((lo & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_TYPE_64 && bir + 1 < PCI_STD_NUM_BARS)
		base |= (uint64_t)pci_cfg_read32(ops, bdf, PCI_BASE_ADDRESS(bir + 1)) << 32;
	at = base + (table & PCI_MSIX_OFFSET_MASK);
	if (paging_identity_map(ALIGN_DOWN(at, PAGE_SIZE), PAGE_SIZE, PAGING_UNCACHED))
		return NULL;
	return (volatile uint32_t *)(uintptr_t)at;
}

int nic_irq_start(struct nic *n)
{
	const struct pci_cfg_ops *ops = nic_pci_ops();
	uint16_t cap = pci_find_cap(ops, n->pf.bdf, PCI_CAP_ID_MSIX);
	volatile uint32_t *e = cap ? map_table(n->pf.bdf, cap) : NULL;
	uint16_t ctrl;
	int err;

	if (!e) {
		printf("nic irq mode=poll reason=no-msix-table\n");
		return -ENODEV;
	}
	irq_pf = &n->pf;
	irq_set_handler(NIC_IRQ_VECTOR, on_irq);
	e += MSIX_ENTRY * PCI_MSIX_ENTRY_SIZE / 4;
	e[0] = MSI_ADDR_BASE | apic_id() << 12;
	e[1] = 0;
	e[2] = NIC_IRQ_VECTOR;
	e[3] = 0; /* unmasked */
	ctrl = pci_cfg_read16(ops, n->pf.bdf, (uint16_t)(cap + PCI_MSIX_FLAGS));
	pci_cfg_write16_ctl(ops, n->pf.bdf, (uint16_t)(cap + PCI_MSIX_FLAGS),
			    (uint16_t)((ctrl | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL));
	err = igb_irq_enable(&n->pf, MSIX_ENTRY);
	printf("nic irq mode=%s entry=%u vector=0x%x dest=%u readback=0x%x%s%s\n",
	       err ? "poll" : "msix", MSIX_ENTRY, NIC_IRQ_VECTOR, apic_id(),
	       e[3] & MSIX_CTRL_MASKED, err ? " err=" : "", err ? errno_name(err) : "");
	return err;
}

uint64_t nic_irq_count(void)
{
	return irqs;
}

bool nic_irq_taken(void)
{
	if (irqs == woken)
		return false;
	woken = irqs;
	return true;
}

uint64_t nic_wait(uint64_t seen)
{
	uint64_t now;

	/* As tick_wait: checked with interrupts off, so no wakeup is lost before the HLT. */
	cpu_cli();
	while ((now = tick_count()) == seen && irqs == woken && doorbell_received() == doorbells)
		cpu_wait_interrupt();
	woken = irqs;
	doorbells = doorbell_received(); /* a child rang: its rings are served now */
	cpu_sti();
	return now;
}
