# The igb PF driver against a fake 82576 (tests/unit/fake_igb.c stands in for
# drivers/nic/igb_io.c), with the real switch-port policy and mailbox decoding.
IGB_PF_UNDER_TEST := tests/unit/fake_igb.c drivers/nic/igb_hw.c drivers/nic/igb_mac.c drivers/nic/igb_mbx.c \
	drivers/nic/igb_vf_msg.c drivers/nic/igb_irq.c drivers/nic/igb_switch.c drivers/nic/igb_stats.c \
	drivers/nic/switch_port.c drivers/nic/switch_port_text.c drivers/nic/mbx_decode.c \
	drivers/nic/mbx_limit.c lib/format.c lib/string.c
UNIT_TESTS += igb_pf
unit-igb_pf-srcs := tests/unit/test_igb_pf.c $(IGB_PF_UNDER_TEST)
# SR-IOV enable against the configuration-space images of the PCI tests
# (recursive: PCI_UNDER_TEST comes from pci.mk, included after this file).
UNIT_TESTS += igb_sriov
unit-igb_sriov-srcs = tests/unit/test_igb_sriov.c drivers/nic/igb_sriov.c \
	$(filter-out lib/format.c lib/string.c,$(IGB_PF_UNDER_TEST)) $(PCI_UNDER_TEST) \
	lib/format.c lib/string.c
# The same bring-up, SR-IOV, VF allocation, mailbox and MSI-X flows once per
# MAC type (82576, I350) on the fake register file and a PCI image of each.
UNIT_TESTS += igb_mac
unit-igb_mac-srcs = tests/unit/test_igb_mac.c drivers/nic/igb_pf.c drivers/nic/igb_phy.c \
	drivers/nic/igb_rings.c drivers/nic/igb_sriov.c drivers/nic/vf_alloc.c \
	$(filter-out lib/format.c lib/string.c,$(IGB_PF_UNDER_TEST)) $(PCI_UNDER_TEST) \
	lib/format.c lib/string.c
