UNIT_TESTS += pci
unit-pci-srcs := tests/unit/test_pci.c tests/unit/pci_images.c kernel/pci/pci_cfg.c \
	kernel/pci/pci_caps.c kernel/pci/pci_cap_decode.c kernel/pci/pci_bar.c \
	kernel/pci/pci_sriov.c kernel/pci/pci_enum.c kernel/pci/pci_quiesce.c \
	kernel/pci/pci_inventory.c
