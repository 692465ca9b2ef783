PCI_UNDER_TEST := tests/unit/pci_images.c kernel/pci/pci_cfg.c kernel/pci/pci_caps.c \
	kernel/pci/pci_cap_decode.c kernel/pci/pci_bar.c kernel/pci/pci_sriov.c kernel/pci/pci_bridge.c \
	kernel/pci/pci_enum.c kernel/pci/pci_quiesce.c kernel/pci/pci_inventory.c
UNIT_TESTS += pci pci_enum
unit-pci-srcs := tests/unit/test_pci.c $(PCI_UNDER_TEST)
unit-pci_enum-srcs := tests/unit/test_pci_enum.c $(PCI_UNDER_TEST)
