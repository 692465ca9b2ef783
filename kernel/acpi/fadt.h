/*
 * FADT ("FACP") decoded: the fixed hardware the core may touch before any
 * AML runs. The PM timer calibrates the TSC and the APIC timer, the reset
 * register reboots the machine, the boot architecture flags say whether
 * legacy devices (8042, VGA) exist and whether MSI works.
 *
 * Only a table too short or not a FADT is refused. A PM timer or reset
 * register the FADT describes badly is logged and reported absent: the
 * core can live without either, not with a wrong one.
 */
#ifndef KERNEL_ACPI_FADT_H
#define KERNEL_ACPI_FADT_H

#include "hv/types.h"

/* FADT Fixed Feature Flags (ACPI 5.2.9, table 5.10). */
#define FADT_FLAG_TMR_VAL_EXT	  BIT(8)  /* PM timer counts 32 bits, not 24 */
#define FADT_FLAG_RESET_REG_SUP	  BIT(10) /* RESET_REG is valid */
#define FADT_FLAG_HW_REDUCED_ACPI BIT(20) /* no fixed hardware, no PM timer */

/* IA-PC Boot Architecture Flags (ACPI 5.2.9.3); defined from revision 2. */
#define FADT_BOOT_LEGACY_DEVICES    BIT(0)
#define FADT_BOOT_8042		    BIT(1)
#define FADT_BOOT_VGA_NOT_PRESENT   BIT(2)
#define FADT_BOOT_MSI_NOT_SUPPORTED BIT(3)

/* Generic Address Structure address spaces (ACPI 5.2.3.2). */
#define ACPI_GAS_SPACE_MEMORY 0
#define ACPI_GAS_SPACE_IO     1
#define ACPI_GAS_SPACE_PCI    2

/* A register the FADT names, decoded from a Generic Address Structure. */
struct acpi_register {
	uint8_t space_id; /* ACPI_GAS_SPACE_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address; /* port number for system I/O */
};

struct fadt_info {
	uint8_t revision;
	uint8_t minor_revision; /* 0 if the table predates the field */
	uint32_t length;
	uint32_t flags;
	bool hw_reduced;
	uint16_t sci_int;
	uint64_t facs; /* X_FIRMWARE_CTRL if present and nonzero, else FIRMWARE_CTRL */
	uint64_t dsdt; /* X_DSDT if present and nonzero, else DSDT */
	bool pm_timer_present;
	bool pm_timer_32bit; /* TMR_VAL_EXT */
	struct acpi_register pm_timer;
	bool reset_present;
	struct acpi_register reset_reg;
	uint8_t reset_value;
	uint8_t century;	 /* RTC CMOS index, 0 if none */
	uint16_t iapc_boot_arch; /* 0 for revision 1 tables, where it was reserved */
	bool legacy_devices;
	bool has_8042;
	bool vga_not_present;
	bool msi_not_supported;
};

/*
 * Decodes the FADT in [table, table+len); never reads a field that lies
 * beyond the table's length, so revision 1 (116-byte) tables work. Returns
 * 0, or -EINVAL (logged) when the table is shorter than 116 bytes or not a
 * FADT; on failure *out is zeroed.
 */
int acpi_parse_fadt(const void *table, uint32_t len, struct fadt_info *out);

const char *acpi_gas_space_name(uint8_t space_id);

#endif
