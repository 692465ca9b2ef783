# The VF driver against a fake VF joined to the PF driver's mailbox service
# and switch policy (fake_igbvf.c over fake_igb.c): both ends of the mailbox
# are real code. Recursive: IGB_PF_UNDER_TEST comes from igb_pf.mk.
UNIT_TESTS += igbvf
unit-igbvf-srcs = tests/unit/test_igbvf.c tests/unit/fake_igbvf.c drivers/nic/igbvf.c \
	drivers/nic/igbvf_mbx.c drivers/nic/igbvf_rings.c $(IGB_PF_UNDER_TEST)
