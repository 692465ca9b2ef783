/*
 * Everything of the guest runtime in one include, for guest programs
 * (docs/guest-sdk.md). The runtime is freestanding: no C library, only
 * these headers, hv/ (errno, format, string, the ABI) and <std*.h>.
 */
#ifndef GUESTS_LIB_GUEST_H
#define GUESTS_LIB_GUEST_H

#include "guests/lib/apic.h"
#include "guests/lib/cmdline.h"
#include "guests/lib/console.h"
#include "guests/lib/cpu.h"
#include "guests/lib/devices.h"
#include "guests/lib/doorbell.h"
#include "guests/lib/expect.h"
#include "guests/lib/hvnames.h"
#include "guests/lib/hypercalls.h"
#include "guests/lib/idt.h"
#include "guests/lib/paging.h"
#include "guests/lib/pci.h"
#include "guests/lib/rand.h"
#include "guests/lib/sriov.h"
#include "guests/lib/runtime.h"
#include "guests/lib/tick.h"
#include "guests/lib/tsc.h"
#include "hv/errno.h"
#include "guests/lib/channel.h"
#include "hv/format.h"
#include "hv/guest_abi.h"
#include "hv/string.h"

#endif
