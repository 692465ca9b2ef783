# vmm/: virtualization backends and what the processor offers for them.
core-y += vmm/virt_caps.o
