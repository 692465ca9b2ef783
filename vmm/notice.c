/* Per-partition device notices (see notice.h). */
#include "vmm/notice.h"
#include "hv/log.h"
#include "kernel/arch/apic.h"
#include "kernel/pci/pci.h"
#include "vmm/partition.h"

static const char *kind_name(enum hv_notice_kind kind)
{
	static const char *const names[] = {
		[HV_NOTICE_DEVICE_OFFERED] = "offered",	  [HV_NOTICE_DEVICE_REVOKING] = "revoking",
		[HV_NOTICE_DEVICE_REVOKED] = "revoked",	  [HV_NOTICE_DMA_FAULT] = "dma-fault",
		[HV_NOTICE_QUARANTINED] = "quarantined",
	};

	return (unsigned)kind < ARRAY_SIZE(names) && names[kind] ? names[kind] : "unknown";
}

void notice_post(struct partition *p, enum hv_notice_kind kind, uint32_t bdf, uint64_t addr,
		 uint64_t deadline_us)
{
	uint64_t irq = spin_lock_irqsave(&p->notice_lock);

	/* Full: the oldest goes; a partition that never reads can't grow the queue. */
	if (p->notice_tail - p->notice_head == PARTITION_NOTICES) {
		p->notice_head++;
		p->notices_dropped++;
	}
	p->notices[p->notice_tail++ % PARTITION_NOTICES] =
	    (struct hv_notice){.kind = kind, .bdf = bdf, .addr = addr, .deadline_us = deadline_us};
	spin_unlock_irqrestore(&p->notice_lock, irq);
	if (p->state == HV_PARTITION_RUNNING && p->vcpu_count)
		apic_send_fixed_ipi(p->vcpus[0]->apic_id, HV_NOTICE_VECTOR);
	log_info("vmm", "notice partition=%s kind=%s bdf=" PCI_BDF_FMT " addr=0x%llx",
		 partition_name(p), kind_name(kind), PCI_BDF_ARGS(bdf), (unsigned long long)addr);
}

bool notice_take(struct partition *p, struct hv_notice *n)
{
	uint64_t irq = spin_lock_irqsave(&p->notice_lock);
	bool found = p->notice_head != p->notice_tail;

	if (found)
		*n = p->notices[p->notice_head++ % PARTITION_NOTICES];
	spin_unlock_irqrestore(&p->notice_lock, irq);
	return found;
}

void notice_clear(struct partition *p)
{
	uint64_t irq = spin_lock_irqsave(&p->notice_lock);

	p->notice_head = p->notice_tail;
	spin_unlock_irqrestore(&p->notice_lock, irq);
}
