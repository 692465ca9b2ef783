UNIT_TESTS += vmx_controls
unit-vmx_controls-srcs := tests/unit/test_vmx_controls.c vmm/vmx_controls.c vmm/virt_caps.c \
	lib/format.c tests/unit/fake_mm.c kernel/mm/paging.c kernel/mm/paging_formats.c
