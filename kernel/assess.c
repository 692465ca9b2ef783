/* Judging the machine against the hypervisor's requirements (see assess.h). */
#include "kernel/assess.h"
#include "hv/log.h"
#include "kernel/arch/apic.h"
#include "kernel/pci_host.h"
#include "kernel/platform.h"

#define MIN_CPUS 2 /* the parent and at least one child, each on its own CPU */
#define VIRT_REASONS_MAX 8

static void require(struct assessment *a, bool ok, const char *what)
{
	if (ok)
		return;
	a->required_missing++;
	log_error("check", "missing requirement=\"%s\"", what);
}

static void recommend(struct assessment *a, bool ok, const char *what)
{
	if (ok)
		return;
	a->optional_missing++;
	log_warn("check", "missing optional=\"%s\"", what);
}

static void assess_virtualization(struct assessment *a)
{
	const char *missing[VIRT_REASONS_MAX], *optional[VIRT_REASONS_MAX];
	unsigned opt_count = 0;
	unsigned n = virt_requirements(&platform_get()->virt, missing, VIRT_REASONS_MAX,
				       optional, VIRT_REASONS_MAX, &opt_count);

	for (unsigned i = 0; i < n && i < VIRT_REASONS_MAX; i++)
		require(a, false, missing[i]);
	a->required_missing += n > VIRT_REASONS_MAX ? n - VIRT_REASONS_MAX : 0;
	for (unsigned i = 0; i < opt_count && i < VIRT_REASONS_MAX; i++)
		recommend(a, false, optional[i]);
}

static unsigned usable_dmar_units(bool *all_ir)
{
	const struct platform *p = platform_get();
	unsigned n = 0;

	*all_ir = p->dmar_unit_count > 0;
	for (unsigned i = 0; i < p->dmar_unit_count; i++) {
		if (!p->dmar_units[i].usable)
			continue;
		n++;
		*all_ir = *all_ir && p->dmar_units[i].caps.ir;
	}
	return n;
}

static void warn_unsafe(void)
{
	log_warn("check", "UNSAFE: running WITHOUT DMA remapping (hypervisor.unsafe_no_iommu=yes)");
	log_warn("check", "UNSAFE: any device can DMA into the hypervisor and every partition");
	log_warn("check", "UNSAFE: no isolation from devices; never use this outside testing "
		 "(partitions that own devices are refused)");
}

static void assess_iommu(const struct config *cfg, struct assessment *a)
{
	const struct platform *p = platform_get();
	bool all_ir = false;
	unsigned units = usable_dmar_units(&all_ir);

	if (units == 0 && cfg->unsafe_no_iommu) {
		a->unsafe = true;
		warn_unsafe();
		return;
	}
	require(a, p->have_dmar, "vt-d: no DMAR ACPI table (no IOMMU, or VT-d off in firmware; hypervisor.unsafe_no_iommu=yes runs without DMA remapping, unsafely)");
	require(a, !p->have_dmar || units > 0, "vt-d: no usable DMA remapping unit");
	recommend(a, !units || (all_ir && (p->dmar.flags & DMAR_FLAG_INTR_REMAP)),
		  "vt-d interrupt remapping: absent (device interrupts can't be confined)");
}

void assess_machine(const struct config *cfg, struct assessment *a)
{
	const struct platform *p = platform_get();

	*a = (struct assessment){0};
	require(a, p->acpi_ok, "acpi: no valid RSDP/XSDT");
	require(a, p->have_madt, "acpi: no valid MADT (CPU list)");
	require(a, pci_host_segment_count() > 0,
		"pci: no configuration access (no ECAM window in an MCFG table, no ports 0xcf8/0xcfc)");
	recommend(a, p->have_mcfg, "pci: no ECAM window (MCFG table): extended capabilities "
		  "(SR-IOV, AER, ARI) out of reach");
	require(a, percpu_online_count() >= MIN_CPUS,
		"cpus: at least 2 online CPUs (parent and one child)");
	recommend(a, percpu_online_count() == p->cpu_count, "cpus: some CPUs did not start");
	/* Partitions drive their own CPU's local APIC through the x2APIC MSRs. */
	require(a, apic_is_x2apic(), "apic: x2APIC mode (partitions use the x2APIC MSRs)");
	assess_virtualization(a);
	assess_iommu(cfg, a);
	log_info("check", "verdict=%s required_missing=%u optional_missing=%u unsafe=%s",
		 a->required_missing ? "unsupported" : "ok", a->required_missing,
		 a->optional_missing, a->unsafe ? "yes" : "no");
	if (a->required_missing)
		log_error("check", "this machine can NOT run the hypervisor: %u requirement(s) "
			  "missing, listed above", a->required_missing);
	else
		log_info("check", "this machine can run the hypervisor%s",
			 a->unsafe ? " (UNSAFE: without DMA remapping)" : "");
}
