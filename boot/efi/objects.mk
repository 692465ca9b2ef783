# The UEFI loader (GNU-EFI); the only code that includes efi.h.
efi-y += boot/efi/main.o boot/efi/esp_files.o boot/efi/memory.o boot/efi/pci_quiesce.o \
	boot/efi/handoff.o
