/*
 * The hardware inventory printed at every boot: CPUs, virtualization
 * support, time, VT-d units, PCI functions and SR-IOV capabilities, memory.
 * Every value is read from the hardware or firmware tables at this boot.
 */
#ifndef KERNEL_INVENTORY_H
#define KERNEL_INVENTORY_H

#include "hv/boot_info.h"

void inventory_print(const struct boot_info *bi);

#endif
