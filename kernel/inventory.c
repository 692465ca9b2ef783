/* The boot-time hardware inventory (see inventory.h). */
#include "kernel/inventory.h"
#include "hv/format.h"
#include "hv/log.h"
#include "kernel/arch/apic.h"
#include "kernel/memory.h"
#include "kernel/pci_host.h"
#include "kernel/platform.h"

#define LINE_MAX 384
#define U64(x) ((unsigned long long)(x))

static void print_cpus(void)
{
	const struct platform *p = platform_get();
	char ids[LINE_MAX] = "";
	struct strbuf sb = STRBUF_INIT(ids, sizeof(ids));

	for (unsigned i = 0; i < HV_MAX_CPUS; i++)
		if (percpu_area[i].online)
			strbuf_printf(&sb, "%s%u", sb.pos ? "," : "", percpu_area[i].apic_id);
	log_info("inv", "cpus online=%u madt_enabled=%u apic_ids=%s apic_mode=%s "
		 "bsp_apic_id=%u", percpu_online_count(), p->cpu_count, ids,
		 apic_is_x2apic() ? "x2apic" : "xapic", percpu_area[0].apic_id);
}

static void print_virtualization(void)
{
	const struct platform *p = platform_get();
	char line[LINE_MAX];

	virt_caps_format(&p->virt, line, sizeof(line));
	log_info("inv", "virt %s", line);
}

static void print_scope(unsigned unit, const struct dmar_scope *s)
{
	char path[64] = "";
	struct strbuf sb = STRBUF_INIT(path, sizeof(path));

	for (unsigned i = 0; i < s->path_len; i++)
		strbuf_printf(&sb, "%s%02x.%x", i ? "/" : "", s->path[i].dev, s->path[i].fn);
	log_info("inv", "dmar_scope unit=%u type=%s enum_id=%u start_bus=0x%02x path=%s", unit,
		 dmar_scope_type_name(s->type), s->enumeration_id, s->start_bus, path);
}

static void print_dmar_unit(unsigned i, const struct dmar_unit *u)
{
	char caps[LINE_MAX];

	if (u->usable)
		vtd_caps_format(&u->caps, caps, sizeof(caps));
	else
		hv_snprintf(caps, sizeof(caps), "usable=no cap=0x%llx ecap=0x%llx", U64(u->cap),
			    U64(u->ecap));
	log_info("inv", "dmar_unit index=%u base=0x%llx segment=%u include_pci_all=%s scopes=%u %s",
		 i, U64(u->drhd->register_base), u->drhd->segment,
		 u->drhd->include_pci_all ? "yes" : "no", u->drhd->scope_count, caps);
	for (uint32_t s = 0; s < u->drhd->scope_count; s++)
		print_scope(i, &u->drhd->scopes[s]);
}

static void print_iommu(void)
{
	const struct platform *p = platform_get();

	if (!p->have_dmar) {
		log_info("inv", "dmar present=no units=0");
		return;
	}
	log_info("inv", "dmar present=yes haw=%u intr_remap=%s x2apic_opt_out=%s units=%u rmrrs=%u",
		 p->dmar.host_address_width, p->dmar.flags & DMAR_FLAG_INTR_REMAP ? "yes" : "no",
		 p->dmar.flags & DMAR_FLAG_X2APIC_OPT_OUT ? "yes" : "no", p->dmar_unit_count,
		 p->dmar.rmrr_count);
	for (unsigned i = 0; i < p->dmar_unit_count; i++)
		print_dmar_unit(i, &p->dmar_units[i]);
	for (uint32_t i = 0; i < p->dmar.rmrr_count; i++)
		log_info("inv", "rmrr index=%u segment=%u base=0x%llx limit=0x%llx scopes=%u", i,
			 p->dmar.rmrrs[i].segment, U64(p->dmar.rmrrs[i].base),
			 U64(p->dmar.rmrrs[i].limit), p->dmar.rmrrs[i].scope_count);
}

static void print_pci(void)
{
	const struct platform *p = platform_get();

	for (uint32_t i = 0; p->have_mcfg && i < p->mcfg.count; i++)
		log_info("inv", "ecam segment=%u base=0x%llx start_bus=%u end_bus=%u",
			 p->mcfg.allocations[i].segment, U64(p->mcfg.allocations[i].base),
			 p->mcfg.allocations[i].start_bus, p->mcfg.allocations[i].end_bus);
	for (unsigned s = 0; s < pci_host_segment_count(); s++)
		pci_log_topology(pci_host_topology(s));
	log_info("inv", "pci functions=%u segments=%u", pci_host_function_count(),
		 pci_host_segment_count());
}

static void print_memory(const struct boot_info *bi)
{
	struct memory_stats st;

	for (uint32_t i = 0; i < bi->mem_count; i++)
		log_debug("mem", "range base=0x%llx end=0x%llx type=%s", U64(bi->mem[i].base),
			  U64(bi->mem[i].base + bi->mem[i].size),
			  boot_mem_type_name(bi->mem[i].type));
	memory_get_stats(&st);
	log_info("inv", "memory ram_total=%llu usable=%llu hv_reserved=%llu modules=%llu "
		 "acpi=%llu firmware=%llu highest_ram=0x%llx ranges=%u",
		 U64(st.ram_total), U64(st.usable), U64(st.hv_reserved), U64(st.modules),
		 U64(st.acpi), U64(st.firmware), U64(st.highest_ram), st.ranges);
	log_info("inv", "memory_pools hv_free=%llu ram_free=%llu hv_page_tables=%llu",
		 U64(st.hv_pool_free), U64(st.ram_pool_free), U64(st.pt_pages));
}

void inventory_print(const struct boot_info *bi)
{
	log_info("inv", "begin");
	print_cpus();
	print_virtualization();
	print_iommu();
	print_pci();
	print_memory(bi);
	log_info("inv", "end");
}
