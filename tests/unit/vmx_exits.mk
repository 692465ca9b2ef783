UNIT_TESTS += vmx_exits
unit-vmx_exits-srcs := tests/unit/test_vmx_exits.c vmm/vmx_exits.c vmm/vmx_msr_bitmap.c \
	vmm/msr_policy.c vmm/vmx_cr.c vmm/vmx_controls.c vmm/xcr0_check.c
