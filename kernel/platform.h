/*
 * What the firmware and the processor say about this machine, gathered once
 * at boot from validated ACPI tables, CPUID/MSRs and the VT-d units' own
 * registers. Everything the inventory prints and the verdict judges is here.
 */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include "hv/boot_info.h"
#include "iommu/vtd_caps.h"
#include "kernel/acpi/acpi.h"
#include "kernel/percpu.h"
#include "kernel/timer.h"
#include "vmm/virt_caps.h"

struct dmar_unit {
	const struct dmar_drhd *drhd;
	bool usable; /* registers mapped and their values make sense */
	uint32_t ver;
	uint64_t cap, ecap;
	struct vtd_caps caps;
};

struct platform {
	bool acpi_ok;
	struct acpi acpi;
	bool have_madt, have_mcfg, have_dmar, have_fadt;
	struct madt_info madt;
	struct mcfg_info mcfg;
	struct dmar_info dmar;
	struct fadt_info fadt;
	unsigned dmar_unit_count;
	struct dmar_unit dmar_units[DMAR_MAX_DRHDS];
	unsigned cpu_count; /* enabled CPUs in the MADT, capped at HV_MAX_CPUS */
	uint32_t cpu_apic_ids[HV_MAX_CPUS];
	unsigned cpus_ignored; /* enabled in the MADT beyond HV_MAX_CPUS */
	struct virt_raw virt_raw;
	struct virt_caps virt;
	struct timer_calibration timer;
};

const struct platform *platform_get(void);
/* ACPI tables, CPU list, VT-d units, virtualization features. */
void platform_discover(const struct boot_info *bi);
/* Needs the boot CPU's APIC; uses the FADT's PM timer when there is one. */
void platform_calibrate_timer(void);

#endif
