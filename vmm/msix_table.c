/* Emulated MSI-X tables (see msix_table.h). PCI Local Bus 3.0, 6.8.2. */
#include "vmm/msix_table.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "kernel/memory.h"
#include "kernel/spinlock.h"
#include "vmm/msi_filter.h"
#include "vmm/partition.h"

#define ENTRY_ADDR 0
#define ENTRY_ADDR_HI 1
#define ENTRY_DATA 2
#define ENTRY_CTRL 3
#define VECTOR_MASKED 1u
#define REFUSALS_LOGGED 8

static struct spinlock msix_lock = SPINLOCK_INIT;

static uint64_t table_base(const struct pci_dev *d)
{
	return d->bars[d->caps.msix.table_bir].base + d->caps.msix.table_offset;
}

static uint64_t pba_base(const struct pci_dev *d)
{
	return d->bars[d->caps.msix.pba_bir].base + d->caps.msix.pba_offset;
}

static bool in_pages(uint64_t gpa, uint64_t base, uint64_t len)
{
	return gpa >= ALIGN_DOWN(base, PAGE_SIZE) && gpa < ALIGN_UP(base + len, PAGE_SIZE);
}

struct pci_dev *msix_table_lookup(const struct partition *p, uint64_t gpa)
{
	for (unsigned i = 0; pci_dev_at(i); i++) {
		struct pci_dev *d = pci_dev_at(i);
		const struct pci_msix *m = &d->caps.msix;

		if (d->owner != p || !m->offset || !table_base(d))
			continue;
		if (in_pages(gpa, table_base(d), m->table_size * 16ULL) ||
		    in_pages(gpa, pba_base(d), DIV_ROUND_UP(m->table_size, 64) * 8ULL))
			return d;
	}
	return NULL;
}

static volatile uint32_t *device_dword(uint64_t hpa)
{
	uint8_t *page = memory_map_mmio(ALIGN_DOWN(hpa, PAGE_SIZE), PAGE_SIZE);

	return (volatile uint32_t *)(page + (hpa & (PAGE_SIZE - 1)));
}

static bool in_table(const struct pci_dev *d, uint64_t gpa)
{
	return gpa >= table_base(d) && gpa < table_base(d) + d->caps.msix.table_size * 16ULL;
}

/*
 * The entry index and dword of gpa when it lies in the table's tracked
 * entries. Entries past what is tracked are never enabled (no device here
 * has that many; they stay masked and the owner's writes are dropped).
 */
static bool table_slot(const struct pci_dev *d, uint64_t gpa, unsigned *entry, unsigned *dw)
{
	uint64_t base = table_base(d);

	if (!in_table(d, gpa) || (gpa - base) / 16 >= PCI_DEV_MSIX_MAX)
		return false;
	*entry = (unsigned)((gpa - base) / 16);
	*dw = (unsigned)((gpa - base) % 16) / 4;
	return true;
}

static void refuse(struct pci_dev *d, unsigned n, const char *why)
{
	const struct msix_vector *v = &d->msix[n];

	if (++d->msix_refused <= REFUSALS_LOGGED)
		log_warn("vmm", "msix entry refused partition=%s bdf=" PCI_BDF_FMT " entry=%u "
			 "reason=%s addr=0x%x data=0x%x total=%u", partition_name(d->owner),
			 PCI_BDF_ARGS(d->bdf), n, why, v->addr, v->data, d->msix_refused);
}

/* The device's entry n from the owner's: masked first, then what it may have. */
static void sync_entry(struct pci_dev *d, unsigned n)
{
	const struct msix_vector *v = &d->msix[n];
	volatile uint32_t *hw = device_dword(table_base(d) + n * 16ULL);
	const char *why;
	uint32_t addr, data;

	hw[ENTRY_CTRL] = VECTOR_MASKED;
	if (v->ctrl & VECTOR_MASKED)
		return;
	why = msi_message_invalid(d->owner, v->addr, v->addr_hi, v->data);
	if (!why && msi_message_route(d->bdf, (uint16_t)n, v->addr, v->data, &addr, &data))
		why = "no-interrupt-remapping-entry";
	if (why) {
		refuse(d, n, why);
		return;
	}
	hw[ENTRY_ADDR] = addr;
	hw[ENTRY_ADDR_HI] = 0;
	hw[ENTRY_DATA] = data;
	hw[ENTRY_CTRL] = v->ctrl & ~VECTOR_MASKED;
}

static uint32_t *view_dword(struct pci_dev *d, unsigned entry, unsigned dw)
{
	struct msix_vector *v = &d->msix[entry];
	uint32_t *fields[] = {&v->addr, &v->addr_hi, &v->data, &v->ctrl};

	return fields[dw];
}

static void write_dword(struct pci_dev *d, uint64_t gpa, uint32_t value)
{
	unsigned entry, dw;

	if (!table_slot(d, gpa, &entry, &dw)) {
		if (!in_table(d, gpa))
			*device_dword(gpa) = value; /* PBA (read-only) or a neighbouring register */
		return;
	}
	*view_dword(d, entry, dw) = value;
	/* The mask bit decides; address/data changes of a masked entry wait for unmask. */
	if (dw == ENTRY_CTRL || !(d->msix[entry].ctrl & VECTOR_MASKED))
		sync_entry(d, entry);
}

static uint32_t read_dword(struct pci_dev *d, uint64_t gpa)
{
	unsigned entry, dw;

	if (!table_slot(d, gpa, &entry, &dw))
		return in_table(d, gpa) ? (uint32_t)~0u : *device_dword(gpa);
	return *view_dword(d, entry, dw);
}

uint64_t msix_table_read(struct pci_dev *d, uint64_t gpa, unsigned size)
{
	uint64_t value = ~0ULL;

	if ((size != 4 && size != 8) || (gpa & (size - 1)))
		return value;
	spin_lock(&msix_lock);
	value = read_dword(d, gpa);
	if (size == 8)
		value |= (uint64_t)read_dword(d, gpa + 4) << 32;
	spin_unlock(&msix_lock);
	return value;
}

void msix_table_write(struct pci_dev *d, uint64_t gpa, unsigned size, uint64_t value)
{
	if ((size != 4 && size != 8) || (gpa & (size - 1))) {
		log_warn("vmm", "msix access refused partition=%s bdf=" PCI_BDF_FMT " gpa=0x%llx "
			 "size=%u reason=not-dword-or-qword", partition_name(d->owner),
			 PCI_BDF_ARGS(d->bdf), (unsigned long long)gpa, size);
		return;
	}
	spin_lock(&msix_lock);
	write_dword(d, gpa, (uint32_t)value);
	if (size == 8)
		write_dword(d, gpa + 4, (uint32_t)(value >> 32));
	spin_unlock(&msix_lock);
}

int msix_table_reset(struct pci_dev *d)
{
	unsigned n = d->caps.msix.offset ? d->caps.msix.table_size : 0;

	if (n && !table_base(d))
		return -EINVAL;
	spin_lock(&msix_lock);
	for (unsigned i = 0; i < n; i++) {
		if (i < PCI_DEV_MSIX_MAX)
			d->msix[i] = (struct msix_vector){.ctrl = VECTOR_MASKED};
		device_dword(table_base(d) + i * 16ULL)[ENTRY_CTRL] = VECTOR_MASKED;
	}
	d->msix_refused = 0;
	spin_unlock(&msix_lock);
	return 0;
}
