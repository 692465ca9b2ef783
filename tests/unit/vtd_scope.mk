UNIT_TESTS += vtd_scope
unit-vtd_scope-srcs := tests/unit/test_vtd_scope.c tests/unit/acpi_images.c iommu/vtd_scope.c \
	kernel/acpi/dmar.c kernel/acpi/table.c kernel/pci/pci_sriov.c \
	kernel/pci/pci_cfg.c kernel/pci/pci_bar.c
