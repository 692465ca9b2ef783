/*
 * Turns off bus mastering on every PCI endpoint the firmware knows, after
 * the loader has read everything it needs and before ExitBootServices, so
 * no firmware-programmed DMA keeps running into memory the hypervisor is
 * about to hand to partitions before the IOMMU is on. Bridges are left
 * alone: with every endpoint below them quiet they forward nothing, and the
 * partition that later owns a device needs its path upstream.
 */
#include "boot/efi/efi_loader.h"
#include "kernel/pci/pci_regs.h"

static bool quiesce_one(EFI_PCI_IO *io)
{
	UINT16 command;
	UINT8 header;

	if (EFI_ERROR(io->Pci.Read(io, EfiPciIoWidthUint16, PCI_COMMAND, 1, &command)) ||
	    EFI_ERROR(io->Pci.Read(io, EfiPciIoWidthUint8, PCI_HEADER_TYPE, 1, &header)))
		return false;
	if ((header & PCI_HEADER_TYPE_LAYOUT) != PCI_HEADER_TYPE_NORMAL)
		return false;
	if (!(command & PCI_COMMAND_MASTER))
		return false;
	return !EFI_ERROR(io->Attributes(io, EfiPciIoAttributeOperationDisable,
					 EFI_PCI_IO_ATTRIBUTE_BUS_MASTER, NULL));
}

unsigned pci_quiesce_bus_masters(void)
{
	EFI_HANDLE *handles = NULL;
	UINTN count = 0;
	unsigned cleared = 0;

	if (EFI_ERROR(LibLocateHandle(ByProtocol, &PciIoProtocol, NULL, &count, &handles)))
		return 0;
	for (UINTN i = 0; i < count; i++) {
		EFI_PCI_IO *io;

		if (EFI_ERROR(BS->HandleProtocol(handles[i], &PciIoProtocol, (void **)&io)))
			continue;
		if (quiesce_one(io))
			cleared++;
	}
	FreePool(handles);
	return cleared;
}
