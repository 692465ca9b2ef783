# PCI: configuration-space logic above the access method (ECAM is elsewhere).
core-y += kernel/pci/pci_cfg.o
core-y += kernel/pci/pci_caps.o
core-y += kernel/pci/pci_cap_decode.o
core-y += kernel/pci/pci_bar.o
core-y += kernel/pci/pci_sriov.o
core-y += kernel/pci/pci_bridge.o
core-y += kernel/pci/pci_enum.o
core-y += kernel/pci/pci_quiesce.o
core-y += kernel/pci/pci_inventory.o
