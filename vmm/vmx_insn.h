/*
 * The VMX instructions the backend uses, one inline function each. VMXON,
 * VMCLEAR, VMPTRLD and VMWRITE report failure through CF (VMfailInvalid)
 * or ZF (VMfailValid, reason in the VM-instruction error field): SETNA
 * catches both. VMREAD of a field the VMCS has cannot fail here.
 */
#ifndef VMM_VMX_INSN_H
#define VMM_VMX_INSN_H

#include "hv/errno.h"
#include "hv/log.h"
#include "hv/types.h"
#include "vmm/vmx_controls.h"
#include "vmm/vmx_vmcs.h"

static inline int vmxon(phys_addr_t pa)
{
	bool failed;

	__asm__ volatile("vmxon %1; setna %0" : "=qm"(failed) : "m"(pa) : "cc", "memory");
	return failed ? -EIO : 0;
}

static inline int vmclear(phys_addr_t pa)
{
	bool failed;

	__asm__ volatile("vmclear %1; setna %0" : "=qm"(failed) : "m"(pa) : "cc", "memory");
	return failed ? -EIO : 0;
}

static inline int vmptrld(phys_addr_t pa)
{
	bool failed;

	__asm__ volatile("vmptrld %1; setna %0" : "=qm"(failed) : "m"(pa) : "cc", "memory");
	return failed ? -EIO : 0;
}

static inline uint64_t vmcs_read(enum vmcs_field field)
{
	uint64_t value;

	__asm__ volatile("vmread %1, %0" : "=r"(value) : "r"((uint64_t)field) : "cc");
	return value;
}

static inline void vmcs_write(enum vmcs_field field, uint64_t value)
{
	bool failed;

	__asm__ volatile("vmwrite %1, %2; setna %0"
			 : "=qm"(failed)
			 : "r"(value), "r"((uint64_t)field)
			 : "cc", "memory");
	if (failed)
		log_error("vmx", "vmwrite failed field=0x%x error=%llu", field,
			  (unsigned long long)vmcs_read(VMCS_VM_INSTRUCTION_ERROR));
}

struct inv_desc {
	uint64_t a, b;
};

static inline void invept(enum vmx_inv_type type, uint64_t eptp)
{
	struct inv_desc d = {eptp, 0};

	__asm__ volatile("invept %0, %1" ::"m"(d), "r"((uint64_t)type) : "cc", "memory");
}

static inline void invvpid(enum vmx_inv_type type, uint16_t vpid)
{
	struct inv_desc d = {vpid, 0};

	__asm__ volatile("invvpid %0, %1" ::"m"(d), "r"((uint64_t)type) : "cc", "memory");
}

#endif
