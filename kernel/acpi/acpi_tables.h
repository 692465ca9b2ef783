/*
 * Firmware layouts of the ACPI tables the core reads, exactly as the ACPI
 * specification (6.5, chapter 5.2) and the Intel VT-d specification (chapter
 * 8) define them. Only the parsers include this header; everything else sees
 * the validated, decoded forms in acpi.h, madt.h, mcfg.h, dmar.h and fadt.h.
 * All fields are little-endian and may sit at any alignment, hence __packed.
 */
#ifndef KERNEL_ACPI_ACPI_TABLES_H
#define KERNEL_ACPI_ACPI_TABLES_H

#include "hv/types.h"

/* Root System Description Pointer (ACPI 5.2.5.3). */
struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* covers the first 20 bytes only */
	char oem_id[6];
	uint8_t revision; /* 0: ACPI 1.0 (20 bytes), 2: ACPI 2.0 and later */
	uint32_t rsdt_address;
	/* Revision 2 and later. */
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum; /* covers all of length */
	uint8_t reserved[3];
} __packed;
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP layout");
#define ACPI_RSDP_V1_LENGTH 20

/* System Description Table Header (ACPI 5.2.6), common to every table. */
struct acpi_sdt_header {
	char signature[4];
	uint32_t length; /* whole table, header included */
	uint8_t revision;
	uint8_t checksum; /* all bytes of the table sum to zero */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;
_Static_assert(sizeof(struct acpi_sdt_header) == 36, "SDT header layout");

/* Generic Address Structure (ACPI 5.2.3.2). */
struct acpi_gas {
	uint8_t space_id; /* ACPI_GAS_SPACE_* in fadt.h */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __packed;
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS layout");

/* ---- MADT, signature "APIC" (ACPI 5.2.12) ---- */
struct acpi_madt {
	struct acpi_sdt_header header;
	uint32_t lapic_address; /* Local Interrupt Controller Address */
	uint32_t flags;		/* bit 0 PCAT_COMPAT */
} __packed;
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT layout");

/* Interrupt Controller Structure header: every MADT subtable starts so. */
struct acpi_madt_subtable {
	uint8_t type;
	uint8_t length;
} __packed;

/* Type 0: Processor Local APIC Structure. */
struct acpi_madt_lapic {
	uint8_t type;
	uint8_t length;
	uint8_t acpi_processor_uid;
	uint8_t apic_id;
	uint32_t flags; /* bit 0 Enabled, bit 1 Online Capable */
} __packed;
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT LAPIC layout");

/* Type 1: I/O APIC Structure. */
struct acpi_madt_ioapic {
	uint8_t type;
	uint8_t length;
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t ioapic_address;
	uint32_t gsi_base; /* Global System Interrupt Base */
} __packed;
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT IOAPIC layout");

/* Type 2: Interrupt Source Override Structure. */
struct acpi_madt_iso {
	uint8_t type;
	uint8_t length;
	uint8_t bus; /* 0: ISA */
	uint8_t source;
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags: polarity bits 1:0, trigger 3:2 */
} __packed;
_Static_assert(sizeof(struct acpi_madt_iso) == 10, "MADT ISO layout");

/* Type 3: Non-Maskable Interrupt (NMI) Source Structure. */
struct acpi_madt_nmi_source {
	uint8_t type;
	uint8_t length;
	uint16_t flags;
	uint32_t gsi;
} __packed;
_Static_assert(sizeof(struct acpi_madt_nmi_source) == 8, "MADT NMI source layout");

/* Type 4: Local APIC NMI Structure. */
struct acpi_madt_lapic_nmi {
	uint8_t type;
	uint8_t length;
	uint8_t acpi_processor_uid; /* 0xff: all processors */
	uint16_t flags;
	uint8_t lint;
} __packed;
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "MADT LAPIC NMI layout");

/* Type 5: Local APIC Address Override Structure. */
struct acpi_madt_lapic_override {
	uint8_t type;
	uint8_t length;
	uint16_t reserved;
	uint64_t lapic_address;
} __packed;
_Static_assert(sizeof(struct acpi_madt_lapic_override) == 12, "MADT override layout");

/* Type 9: Processor Local x2APIC Structure. */
struct acpi_madt_x2apic {
	uint8_t type;
	uint8_t length;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags; /* as in type 0 */
	uint32_t acpi_processor_uid;
} __packed;
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "MADT x2APIC layout");

/* Type 10: Local x2APIC NMI Structure. */
struct acpi_madt_x2apic_nmi {
	uint8_t type;
	uint8_t length;
	uint16_t flags;
	uint32_t acpi_processor_uid;
	uint8_t lint;
	uint8_t reserved[3];
} __packed;
_Static_assert(sizeof(struct acpi_madt_x2apic_nmi) == 12, "MADT x2APIC NMI layout");

/* ---- MCFG (PCI Firmware Specification 3.x, 4.1.2) ---- */
struct acpi_mcfg {
	struct acpi_sdt_header header;
	uint8_t reserved[8];
} __packed;
_Static_assert(sizeof(struct acpi_mcfg) == 44, "MCFG layout");

/* Configuration Space Base Address Allocation Structure. */
struct acpi_mcfg_allocation {
	uint64_t base_address; /* ECAM address of bus 0 of the segment */
	uint16_t segment;      /* PCI Segment Group Number */
	uint8_t start_bus;
	uint8_t end_bus;
	uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct acpi_mcfg_allocation) == 16, "MCFG allocation layout");

/* ---- DMAR, DMA Remapping Reporting Structure (VT-d 8.1) ---- */
struct acpi_dmar {
	struct acpi_sdt_header header;
	uint8_t host_address_width; /* HAW: maximum DMA address width - 1 */
	uint8_t flags;		    /* INTR_REMAP, X2APIC_OPT_OUT, DMA_CTRL_PLATFORM_OPT_IN */
	uint8_t reserved[10];
} __packed;
_Static_assert(sizeof(struct acpi_dmar) == 48, "DMAR layout");

/* Remapping Structure header (VT-d 8.2): 16-bit type and length. */
struct acpi_dmar_header {
	uint16_t type;
	uint16_t length;
} __packed;

/* Type 0: DMA Remapping Hardware Unit Definition (VT-d 8.3). */
struct acpi_dmar_drhd {
	uint16_t type;
	uint16_t length;
	uint8_t flags; /* bit 0 INCLUDE_PCI_ALL */
	uint8_t size;  /* bits 3:0: register set is 2^N 4 KiB pages (reserved before VT-d 3.x) */
	uint16_t segment;
	uint64_t register_base;
	/* Device Scope entries follow. */
} __packed;
_Static_assert(sizeof(struct acpi_dmar_drhd) == 16, "DRHD layout");

/* Type 1: Reserved Memory Region Reporting (VT-d 8.4). */
struct acpi_dmar_rmrr {
	uint16_t type;
	uint16_t length;
	uint16_t reserved;
	uint16_t segment;
	uint64_t base_address;
	uint64_t limit_address; /* last byte of the region */
				/* Device Scope entries follow. */
} __packed;
_Static_assert(sizeof(struct acpi_dmar_rmrr) == 24, "RMRR layout");

/* Type 2: Root Port ATS Capability Reporting (VT-d 8.5). */
struct acpi_dmar_atsr {
	uint16_t type;
	uint16_t length;
	uint8_t flags;
	uint8_t reserved;
	uint16_t segment;
} __packed;
_Static_assert(sizeof(struct acpi_dmar_atsr) == 8, "ATSR layout");

/* Type 3: Remapping Hardware Static Affinity (VT-d 8.6). */
struct acpi_dmar_rhsa {
	uint16_t type;
	uint16_t length;
	uint32_t reserved;
	uint64_t register_base;
	uint32_t proximity_domain;
} __packed;
_Static_assert(sizeof(struct acpi_dmar_rhsa) == 20, "RHSA layout");

/* Type 4: ACPI Name-space Device Declaration (VT-d 8.7); a name follows. */
struct acpi_dmar_andd {
	uint16_t type;
	uint16_t length;
	uint8_t reserved[3];
	uint8_t acpi_device_number;
} __packed;
_Static_assert(sizeof(struct acpi_dmar_andd) == 8, "ANDD layout");

/* Type 5: SoC Integrated Address Translation Cache (VT-d 8.8). */
struct acpi_dmar_satc {
	uint16_t type;
	uint16_t length;
	uint8_t flags;
	uint8_t reserved;
	uint16_t segment;
} __packed;
_Static_assert(sizeof(struct acpi_dmar_satc) == 8, "SATC layout");

/* Device Scope Structure (VT-d 8.3.1); (device, function) pairs follow. */
struct acpi_dmar_scope {
	uint8_t type;
	uint8_t length; /* 6 + 2 * path entries */
	uint8_t flags;	/* reserved before VT-d 3.x */
	uint8_t reserved;
	uint8_t enumeration_id; /* IOAPIC id, HPET number or ACPI device number */
	uint8_t start_bus;
} __packed;
_Static_assert(sizeof(struct acpi_dmar_scope) == 6, "device scope layout");

struct acpi_dmar_path {
	uint8_t device;
	uint8_t function;
} __packed;
_Static_assert(sizeof(struct acpi_dmar_path) == 2, "device scope path layout");

/*
 * ---- FADT, signature "FACP" (ACPI 5.2.9) ----
 * Revision 1 tables end after flags (116 bytes); later revisions append
 * fields, so readers check the table's length before each newer field.
 */
struct acpi_fadt {
	struct acpi_sdt_header header;
	uint32_t firmware_ctrl; /* FACS */
	uint32_t dsdt;
	uint8_t reserved0; /* INT_MODEL in ACPI 1.0 */
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk; /* system I/O port of the PM timer */
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len; /* 4 when the PM timer is supported */
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;	 /* RTC CMOS index of the century, 0 if none */
	uint16_t iapc_boot_arch; /* IA-PC Boot Architecture Flags (revision 2+) */
	uint8_t reserved1;
	uint32_t flags;
	/* Revision 2 and later. */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t fadt_minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	/* Revision 5 and later. */
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	/* Revision 6 and later. */
	uint64_t hypervisor_vendor_identity;
} __packed;
_Static_assert(offsetof(struct acpi_fadt, pm_tmr_blk) == 76, "FADT PM_TMR_BLK offset");
_Static_assert(offsetof(struct acpi_fadt, pm_tmr_len) == 91, "FADT PM_TMR_LEN offset");
_Static_assert(offsetof(struct acpi_fadt, century) == 108, "FADT CENTURY offset");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH offset");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT flags offset");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "FADT RESET_REG offset");
_Static_assert(offsetof(struct acpi_fadt, reset_value) == 128, "FADT RESET_VALUE offset");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT offset");
_Static_assert(offsetof(struct acpi_fadt, x_pm_tmr_blk) == 208, "FADT X_PM_TMR_BLK offset");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT layout");

/* The length of an ACPI 1.0 (revision 1) FADT: everything up to flags. */
#define ACPI_FADT_V1_LENGTH 116

#endif
