# vmm/: virtualization backends and what the processor offers for them.
core-y += vmm/virt_caps.o
core-y += vmm/elf_loader.o vmm/guest_layout.o
core-y += vmm/x86_decode.o vmm/guest_walk.o
core-y += vmm/svm.o vmm/svm_entry.o vmm/svm_msrpm.o vmm/msr_policy.o vmm/partition.o \
	vmm/vcpu_loop.o vmm/exits.o vmm/exit_cpuid.o vmm/exit_msr.o vmm/exit_mmio.o \
	vmm/exit_xsetbv.o vmm/xcr0_check.o \
	vmm/hypercall.o vmm/hypercall_decode.o vmm/guest_console.o vmm/canary.o vmm/vmm.o \
	vmm/channels.o vmm/dma.o vmm/device_mmio.o \
	vmm/msi_filter.o vmm/dma_probe.o vmm/pci_dev.o vmm/config_space.o \
	vmm/sriov_filter.o vmm/msix_table.o vmm/notice.o vmm/vf_assign.o \
	vmm/doorbell.o
core-y += vmm/vmx.o vmm/vmx_entry.o vmm/vmx_controls.o vmm/vmx_exits.o vmm/vmx_msr_bitmap.o \
	vmm/vmx_vmcs_setup.o vmm/vmx_cr.o vmm/vmx_emulate.o
