/*
 * What the VMX backend asks of the processor, decided once from its
 * capability MSRs (already decoded in struct virt_caps): the five VMCS
 * control fields adjusted against their allowed-0/allowed-1 settings, the
 * INVEPT/INVVPID flavours to use, the EPT pointer and the CR0/CR4 values
 * that satisfy IA32_VMX_CR0/CR4_FIXED0/1.
 *
 * Pure logic, unit-tested on capability images of real and emulated CPUs;
 * vmx.c programs the results.
 */
#ifndef VMM_VMX_CONTROLS_H
#define VMM_VMX_CONTROLS_H

#include "hv/types.h"
#include "vmm/virt_caps.h"

/* What the hypervisor needs of one control bit. */
enum vmx_ctl_need {
	VMX_CTL_REQUIRED,  /* must be 1: refuse if the CPU can't */
	VMX_CTL_OPTIONAL,  /* 1 when the CPU allows it */
	VMX_CTL_FORBIDDEN, /* must be 0: refuse if the CPU forces it */
};

struct vmx_ctl_bit {
	uint32_t bit;
	enum vmx_ctl_need need;
	const char *name; /* for the refusal line, after the SDM's name */
};

/*
 * Adjusts one control field against its capability MSR: low 32 bits =
 * allowed-0 settings (a 1 there means the control must be 1), high 32 bits =
 * allowed-1 settings (a 0 there means it must be 0). Bits not listed take the
 * value the CPU forces (reserved default-1 bits) and 0 otherwise. Returns 0
 * with *out set, or -ENOTSUP after a log line naming field and control.
 */
int vmx_ctl_adjust(const char *field, uint64_t cap, const struct vmx_ctl_bit *bits, size_t count,
		   uint32_t *out);

enum vmx_inv_type {
	VMX_INV_SINGLE_CONTEXT = 1, /* INVEPT: one EPTP; INVVPID: one VPID */
	VMX_INV_ALL_CONTEXT = 2,
};

struct vmx_controls {
	uint32_t pinbased, procbased, procbased2, exit, entry;
	bool vpid;		      /* VPID enabled: INVVPID can flush a vCPU's TLB */
	enum vmx_inv_type invvpid;    /* valid if vpid */
	enum vmx_inv_type invept;
};

/*
 * Everything the backend needs of this processor: VMX usable (not locked off
 * by firmware), VMCS in write-back memory within a page, EPT with a 4-level
 * walk, write-back tables, 2 MiB pages and a usable INVEPT, and every required
 * control. Logs each refusal (subsystem "vmx") and returns -ENOTSUP.
 */
int vmx_controls_build(const struct virt_caps *caps, struct vmx_controls *out);

/* EPT pointer for a 4-level tree at root: write-back walks, no A/D flags. */
uint64_t vmx_eptp(phys_addr_t root);

/*
 * A control register value under IA32_VMX_CR0/CR4_FIXED0/1: want with every
 * fixed-1 bit set and every fixed-0 bit clear. Bits in exempt are left as
 * wanted (CR0.PE/PG for an unrestricted guest). The guest/host mask gives
 * the hypervisor the bits the processor fixes, and the read shadow shows the
 * guest what it asked for: CR4.VMXE stays invisible to it, and a guest write
 * that keeps those bits as it sees them causes no exit.
 */
struct vmx_cr {
	uint64_t value, mask, shadow;
};
struct vmx_cr vmx_cr_fixed(uint64_t want, uint64_t fixed0, uint64_t fixed1, uint64_t exempt);

#endif
