/*
 * FADT parser (ACPI 5.2.9). The table grew field by field over revisions,
 * so it is copied into a zeroed full-size structure up to its own length
 * and every field newer than revision 1 is used only if the table reaches
 * it. See fadt.h for what is refused and what is only reported absent.
 */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"
#include "kernel/acpi/acpi_tables.h"
#include "kernel/acpi/fadt.h"
#include "kernel/acpi/table.h"

/* True if a table of len bytes holds the whole of field. */
#define FADT_HAS(len, field)                                                                       \
	((len) >= offsetof(struct acpi_fadt, field) + sizeof(((struct acpi_fadt *)0)->field))

/* The PM timer register is 4 bytes wide whatever TMR_VAL_EXT says. */
#define FADT_PM_TMR_LEN 4

const char *acpi_gas_space_name(uint8_t space_id)
{
	static const char *const names[] = {
	    [ACPI_GAS_SPACE_MEMORY] = "memory",
	    [ACPI_GAS_SPACE_IO] = "io",
	    [ACPI_GAS_SPACE_PCI] = "pci-config",
	};

	if (space_id < ARRAY_SIZE(names))
		return names[space_id];
	return "other";
}

static struct acpi_register fadt_register(const struct acpi_gas *gas)
{
	return (struct acpi_register){
	    .space_id = gas->space_id,
	    .bit_width = gas->bit_width,
	    .bit_offset = gas->bit_offset,
	    .access_size = gas->access_size,
	    .address = gas->address,
	};
}

static void fadt_basics(const struct acpi_fadt *f, uint32_t len, struct fadt_info *out)
{
	out->revision = f->header.revision;
	out->length = len;
	if (FADT_HAS(len, fadt_minor_version))
		out->minor_revision = f->fadt_minor_version;
	out->flags = f->flags;
	out->hw_reduced = f->flags & FADT_FLAG_HW_REDUCED_ACPI;
	out->sci_int = f->sci_int;
	out->facs = f->firmware_ctrl;
	if (FADT_HAS(len, x_firmware_ctrl) && f->x_firmware_ctrl != 0)
		out->facs = f->x_firmware_ctrl;
	out->dsdt = f->dsdt;
	if (FADT_HAS(len, x_dsdt) && f->x_dsdt != 0)
		out->dsdt = f->x_dsdt;
	out->century = f->century;
}

/* X_PM_TMR_BLK when the table has it and it is set, else the I/O port. */
static bool fadt_pm_timer_register(const struct acpi_fadt *f, uint32_t len,
				   struct acpi_register *reg)
{
	if (FADT_HAS(len, x_pm_tmr_blk) && f->x_pm_tmr_blk.address != 0) {
		*reg = fadt_register(&f->x_pm_tmr_blk);
		return true;
	}
	if (f->pm_tmr_blk == 0)
		return false;
	*reg = (struct acpi_register){
	    .space_id = ACPI_GAS_SPACE_IO,
	    .bit_width = 8 * FADT_PM_TMR_LEN,
	    .address = f->pm_tmr_blk,
	};
	return true;
}

static void fadt_pm_timer(const struct acpi_fadt *f, uint32_t len, struct fadt_info *out)
{
	struct acpi_register reg;

	if (out->hw_reduced || !fadt_pm_timer_register(f, len, &reg))
		return;
	if (f->pm_tmr_len != FADT_PM_TMR_LEN) {
		log_warn("acpi", "fadt pm-timer ignored reason=bad-length pm_tmr_len=%u",
			 f->pm_tmr_len);
		return;
	}
	if (reg.space_id != ACPI_GAS_SPACE_IO && reg.space_id != ACPI_GAS_SPACE_MEMORY) {
		log_warn("acpi", "fadt pm-timer ignored reason=bad-space space=%u", reg.space_id);
		return;
	}
	out->pm_timer = reg;
	out->pm_timer_present = true;
	out->pm_timer_32bit = f->flags & FADT_FLAG_TMR_VAL_EXT;
}

static void fadt_reset(const struct acpi_fadt *f, uint32_t len, struct fadt_info *out)
{
	struct acpi_register reg;

	if (!(f->flags & FADT_FLAG_RESET_REG_SUP) || !FADT_HAS(len, reset_value))
		return;
	reg = fadt_register(&f->reset_reg);
	if (reg.address == 0 || reg.space_id > ACPI_GAS_SPACE_PCI) {
		log_warn("acpi",
			 "fadt reset-register ignored reason=bad-register space=%u "
			 "address=0x%lx",
			 reg.space_id, reg.address);
		return;
	}
	out->reset_reg = reg;
	out->reset_value = f->reset_value;
	out->reset_present = true;
}

static void fadt_boot_arch(const struct acpi_fadt *f, struct fadt_info *out)
{
	if (f->header.revision < 2)
		return;
	out->iapc_boot_arch = f->iapc_boot_arch;
	out->legacy_devices = f->iapc_boot_arch & FADT_BOOT_LEGACY_DEVICES;
	out->has_8042 = f->iapc_boot_arch & FADT_BOOT_8042;
	out->vga_not_present = f->iapc_boot_arch & FADT_BOOT_VGA_NOT_PRESENT;
	out->msi_not_supported = f->iapc_boot_arch & FADT_BOOT_MSI_NOT_SUPPORTED;
}

int acpi_parse_fadt(const void *table, uint32_t len, struct fadt_info *out)
{
	struct acpi_fadt f;
	uint32_t table_len;
	int err;

	memset(out, 0, sizeof(*out));
	err = acpi_table_bounds(table, len, "FACP", ACPI_FADT_V1_LENGTH, "fadt", &table_len);
	if (err)
		return err;
	memset(&f, 0, sizeof(f));
	memcpy(&f, table, MIN(table_len, (uint32_t)sizeof(f)));
	fadt_basics(&f, table_len, out);
	fadt_pm_timer(&f, table_len, out);
	fadt_reset(&f, table_len, out);
	fadt_boot_arch(&f, out);
	log_info("acpi",
		 "fadt revision=%u length=%u hw_reduced=%d pm_timer=%s:0x%lx reset=%s:0x%lx",
		 out->revision, table_len, out->hw_reduced,
		 out->pm_timer_present ? acpi_gas_space_name(out->pm_timer.space_id) : "none",
		 out->pm_timer.address,
		 out->reset_present ? acpi_gas_space_name(out->reset_reg.space_id) : "none",
		 out->reset_reg.address);
	return 0;
}
