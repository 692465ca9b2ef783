/* Deliberate exceptions for tests (see debug_fault.h). */
#include "kernel/debug_fault.h"
#include "hv/log.h"

/* noinline: the report's stack trace then shows a caller frame. */
static __attribute__((noinline)) void raise_fault(enum config_fault fault)
{
	volatile uint64_t zero = 0;

	switch (fault) {
	case CONFIG_FAULT_PAGE_FAULT:
		(void)*(volatile uint64_t *)(uintptr_t)DEBUG_FAULT_ADDRESS;
		break;
	case CONFIG_FAULT_DIVIDE_ERROR:
		__asm__ volatile("divq %1" ::"a"(1ULL), "r"(zero), "d"(0ULL));
		break;
	case CONFIG_FAULT_INVALID_OPCODE:
		__asm__ volatile("ud2");
		break;
	case CONFIG_FAULT_GENERAL_PROTECTION:
		/* A non-canonical address: #GP, not #PF. */
		(void)*(volatile uint64_t *)(uintptr_t)0x8000000000000000ULL;
		break;
	case CONFIG_FAULT_NONE:
		break;
	}
}

void debug_fault_raise(enum config_fault fault)
{
	if (fault == CONFIG_FAULT_NONE)
		return;
	log_warn("hv", "raising debug_fault=%s as configured", config_fault_name(fault));
	raise_fault(fault);
	log_error("hv", "debug_fault=%s did not fault", config_fault_name(fault));
}
