/* Platform discovery (see platform.h). */
#include "kernel/platform.h"
#include "hv/log.h"
#include "kernel/arch/cpu.h"
#include "kernel/memory.h"

#define ACPI_GAS_SPACE_SYSTEM_IO 1
#define VTD_REG_VER 0x0
#define VTD_REG_CAP 0x8
#define VTD_REG_ECAP 0x10

static struct platform platform;

const struct platform *platform_get(void)
{
	return &platform;
}

static const void *acpi_map(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	return memory_map_firmware(pa, len);
}

static const void *table(const char *sig, uint32_t *len)
{
	return acpi_find_table(&platform.acpi, sig, 0, len);
}

static void discover_acpi(const struct boot_info *bi)
{
	const void *t;
	uint32_t len;

	if (!bi->rsdp || acpi_init(&platform.acpi, bi->rsdp, acpi_map, NULL)) {
		log_error("acpi", "no usable ACPI tables rsdp=0x%llx", (unsigned long long)bi->rsdp);
		return;
	}
	platform.acpi_ok = true;
	if ((t = table("APIC", &len)))
		platform.have_madt = !acpi_parse_madt(t, len, &platform.madt);
	if ((t = table("MCFG", &len)))
		platform.have_mcfg = !acpi_parse_mcfg(t, len, &platform.mcfg);
	if ((t = table("DMAR", &len)))
		platform.have_dmar = !acpi_parse_dmar(t, len, &platform.dmar);
	if ((t = table("FACP", &len)))
		platform.have_fadt = !acpi_parse_fadt(t, len, &platform.fadt);
}

static void collect_cpus(void)
{
	for (uint32_t i = 0; platform.have_madt && i < platform.madt.cpu_count; i++) {
		const struct madt_cpu *c = &platform.madt.cpus[i];

		if (!c->enabled)
			continue;
		if (platform.cpu_count == HV_MAX_CPUS) {
			platform.cpus_ignored++;
			continue;
		}
		platform.cpu_apic_ids[platform.cpu_count++] = c->apic_id;
	}
	if (platform.cpus_ignored)
		log_warn("smp", "cpus_ignored=%u beyond the limit of %u", platform.cpus_ignored,
			 HV_MAX_CPUS);
}

static void read_dmar_unit(struct dmar_unit *u, const struct dmar_drhd *drhd)
{
	uint64_t size = drhd->register_size ? drhd->register_size : PAGE_SIZE;
	void *regs = memory_map_mmio(drhd->register_base, size);

	u->drhd = drhd;
	if (!regs)
		return;
	/* VER is a 32-bit register: QEMU aborts on 64-bit access to those. */
	u->ver = mmio_read32(drhd->register_base + VTD_REG_VER);
	u->cap = mmio_read64(drhd->register_base + VTD_REG_CAP);
	u->ecap = mmio_read64(drhd->register_base + VTD_REG_ECAP);
	vtd_decode_caps(u->ver, u->cap, u->ecap, &u->caps);
	u->usable = vtd_caps_check(&u->caps, size) == 0;
}

static void discover_dmar_units(void)
{
	for (uint32_t i = 0; platform.have_dmar && i < platform.dmar.drhd_count; i++)
		read_dmar_unit(&platform.dmar_units[platform.dmar_unit_count++],
			       &platform.dmar.drhds[i]);
}

static struct cpuid_regs leaf(uint32_t n)
{
	struct cpuid_result r = cpuid(n, 0);

	return (struct cpuid_regs){r.eax, r.ebx, r.ecx, r.edx};
}

static uint64_t read_msr(uint32_t msr)
{
	return rdmsr(msr);
}

static void discover_virtualization(void)
{
	struct virt_raw *raw = &platform.virt_raw;

	raw->leaf0 = leaf(0);
	raw->leaf1 = leaf(1);
	raw->leaf7 = leaf(7);
	raw->ext0 = leaf(0x80000000);
	raw->ext1 = leaf(0x80000001);
	raw->ext7 = leaf(0x80000007);
	raw->ext8 = leaf(0x80000008);
	raw->svm = leaf(0x8000000a);
	virt_read_msrs(raw, read_msr);
	virt_decode(raw, &platform.virt);
}

void platform_discover(const struct boot_info *bi)
{
	discover_acpi(bi);
	collect_cpus();
	discover_dmar_units();
	discover_virtualization();
}

void platform_calibrate_timer(void)
{
	const struct fadt_info *f = &platform.fadt;
	uint16_t port = 0;

	if (platform.have_fadt && f->pm_timer_present &&
	    f->pm_timer.space_id == ACPI_GAS_SPACE_SYSTEM_IO && f->pm_timer.address <= 0xffff)
		port = (uint16_t)f->pm_timer.address;
	if (timer_calibrate(port, f->pm_timer_32bit, &platform.timer))
		log_error("timer", "calibration failed reference=%s",
			  timer_reference_name(platform.timer.reference));
	log_info("timer", "calibrated reference=%s tsc_hz=%llu apic_timer_hz=%llu window_us=%llu",
		 timer_reference_name(platform.timer.reference),
		 (unsigned long long)platform.timer.tsc_hz,
		 (unsigned long long)platform.timer.apic_timer_hz,
		 (unsigned long long)platform.timer.window_us);
}
