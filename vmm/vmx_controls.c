/*
 * The VMX controls this hypervisor runs partitions with, adjusted against
 * the capability MSRs (see vmx_controls.h). Each wanted control is listed
 * with why; everything unlisted stays at the value the CPU forces.
 * Capability MSR semantics: SDM vol. 3, appendix A.3-A.5 and A.7-A.10.
 */
#include "vmm/vmx_controls.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "vmm/vmx_vmcs.h"

#define EPTP_WALK_4LEVEL 3ULL /* page-walk length minus one */
#define MEMTYPE_WB 6u	      /* IA32_VMX_BASIC bits 53:50, SDM A.1 */

/*
 * NMIs are how other CPUs kick this one; external interrupts belong to the
 * partition (they pass through), so they must not exit.
 */
static const struct vmx_ctl_bit pin_bits[] = {
    {VMX_PIN_EXT_INTR_EXITING, VMX_CTL_FORBIDDEN, "external-interrupt-exiting"},
    {VMX_PIN_NMI_EXITING, VMX_CTL_REQUIRED, "nmi-exiting"},
};

/*
 * Ports and MSRs exit per bitmap. HLT stays in the guest. With EPT the
 * guest owns CR3, INVLPG and CR8; an exit for them would have no handler.
 */
static const struct vmx_ctl_bit proc_bits[] = {
    {VMX_PROC_HLT_EXITING, VMX_CTL_FORBIDDEN, "hlt-exiting"},
    {VMX_PROC_INVLPG_EXITING, VMX_CTL_FORBIDDEN, "invlpg-exiting"},
    {VMX_PROC_RDPMC_EXITING, VMX_CTL_FORBIDDEN, "rdpmc-exiting"},
    {VMX_PROC_RDTSC_EXITING, VMX_CTL_FORBIDDEN, "rdtsc-exiting"},
    {VMX_PROC_CR3_LOAD_EXITING, VMX_CTL_FORBIDDEN, "cr3-load-exiting"},
    {VMX_PROC_CR3_STORE_EXITING, VMX_CTL_FORBIDDEN, "cr3-store-exiting"},
    {VMX_PROC_CR8_LOAD_EXITING, VMX_CTL_FORBIDDEN, "cr8-load-exiting"},
    {VMX_PROC_CR8_STORE_EXITING, VMX_CTL_FORBIDDEN, "cr8-store-exiting"},
    {VMX_PROC_MOV_DR_EXITING, VMX_CTL_FORBIDDEN, "mov-dr-exiting"},
    {VMX_PROC_USE_IO_BITMAPS, VMX_CTL_REQUIRED, "use-io-bitmaps"},
    {VMX_PROC_USE_MSR_BITMAPS, VMX_CTL_REQUIRED, "use-msr-bitmaps"},
    {VMX_PROC_SECONDARY_CTLS, VMX_CTL_REQUIRED, "activate-secondary-controls"},
};

/*
 * EPT and an unrestricted guest (CR0.PE/PG free) are the model; the
 * instructions CPUID shows the guest must not raise #UD, so they are
 * enabled where the CPU can.
 */
static const struct vmx_ctl_bit proc2_bits[] = {
    {VMX_PROC2_ENABLE_EPT, VMX_CTL_REQUIRED, "enable-ept"},
    {VMX_PROC2_UNRESTRICTED_GUEST, VMX_CTL_REQUIRED, "unrestricted-guest"},
    {VMX_PROC2_ENABLE_VPID, VMX_CTL_OPTIONAL, "enable-vpid"},
    {VMX_PROC2_ENABLE_RDTSCP, VMX_CTL_OPTIONAL, "enable-rdtscp"},
    {VMX_PROC2_ENABLE_INVPCID, VMX_CTL_OPTIONAL, "enable-invpcid"},
    {VMX_PROC2_ENABLE_XSAVES, VMX_CTL_OPTIONAL, "enable-xsaves-xrstors"},
};

/* PAT and EFER differ between host and guest: the CPU switches both. */
static const struct vmx_ctl_bit exit_bits[] = {
    {VMX_EXIT_HOST_ADDR_SPACE_SIZE, VMX_CTL_REQUIRED, "host-address-space-size"},
    {VMX_EXIT_SAVE_DEBUG_CTLS, VMX_CTL_OPTIONAL, "save-debug-controls"},
    {VMX_EXIT_ACK_INTR_ON_EXIT, VMX_CTL_FORBIDDEN, "acknowledge-interrupt-on-exit"},
    {VMX_EXIT_SAVE_IA32_PAT, VMX_CTL_REQUIRED, "save-ia32-pat"},
    {VMX_EXIT_LOAD_IA32_PAT, VMX_CTL_REQUIRED, "load-ia32-pat"},
    {VMX_EXIT_SAVE_IA32_EFER, VMX_CTL_REQUIRED, "save-ia32-efer"},
    {VMX_EXIT_LOAD_IA32_EFER, VMX_CTL_REQUIRED, "load-ia32-efer"},
};

static const struct vmx_ctl_bit entry_bits[] = {
    {VMX_ENTRY_LOAD_DEBUG_CTLS, VMX_CTL_OPTIONAL, "load-debug-controls"},
    {VMX_ENTRY_IA32E_MODE_GUEST, VMX_CTL_REQUIRED, "ia-32e-mode-guest"},
    {VMX_ENTRY_SMM, VMX_CTL_FORBIDDEN, "entry-to-smm"},
    {VMX_ENTRY_LOAD_IA32_PAT, VMX_CTL_REQUIRED, "load-ia32-pat"},
    {VMX_ENTRY_LOAD_IA32_EFER, VMX_CTL_REQUIRED, "load-ia32-efer"},
};

static int refuse_ctl(const char *field, const struct vmx_ctl_bit *b)
{
	log_error("vmx", "control not supported field=%s control=%s want=%u", field, b->name,
		  b->need == VMX_CTL_FORBIDDEN ? 0u : 1u);
	return -ENOTSUP;
}

int vmx_ctl_adjust(const char *field, uint64_t cap, const struct vmx_ctl_bit *bits, size_t count,
		   uint32_t *out)
{
	uint32_t must_be_1 = (uint32_t)cap, may_be_1 = (uint32_t)(cap >> 32);
	uint32_t value = must_be_1;

	for (size_t i = 0; i < count; i++) {
		const struct vmx_ctl_bit *b = &bits[i];

		if (b->need == VMX_CTL_FORBIDDEN && (must_be_1 & b->bit))
			return refuse_ctl(field, b);
		if (b->need == VMX_CTL_REQUIRED && !(may_be_1 & b->bit))
			return refuse_ctl(field, b);
		if (b->need != VMX_CTL_FORBIDDEN && (may_be_1 & b->bit))
			value |= b->bit;
	}
	*out = value;
	return 0;
}

struct vmx_need {
	bool ok;
	const char *what;
};

static int check_needs(const struct vmx_need *needs, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (!needs[i].ok) {
			log_error("vmx", "not usable missing=%s", needs[i].what);
			return -ENOTSUP;
		}
	}
	return 0;
}

/* VMX itself and the VMCS region (SDM A.1 IA32_VMX_BASIC). */
static int check_vmx(const struct virt_caps *c)
{
	const struct vmx_need needs[] = {
	    {c->vmx && c->msrs_known, "vmx"},
	    {!c->vmx_locked_off, "vmx-enabled-by-firmware"},
	    {c->vmcs_size && c->vmcs_size <= 4096, "vmcs-size-at-most-4k"},
	    {c->vmcs_memtype == MEMTYPE_WB, "vmcs-write-back"},
	};

	return check_needs(needs, ARRAY_SIZE(needs));
}

/* What EPT must offer once it exists (SDM A.10 IA32_VMX_EPT_VPID_CAP). */
static int check_ept(const struct virt_caps *c)
{
	const struct vmx_need needs[] = {
	    {c->ept_4level, "ept-4-level-walk"},
	    {c->ept_wb, "ept-write-back-tables"},
	    {c->ept_2m, "ept-2m-pages"},
	    {c->invept && (c->invept_single || c->invept_all), "invept"},
	};

	return check_needs(needs, ARRAY_SIZE(needs));
}

static int adjust_all(const struct vmx_ctls *cap, struct vmx_controls *out)
{
	int err = vmx_ctl_adjust("pin-based", cap->pinbased, pin_bits, ARRAY_SIZE(pin_bits),
				 &out->pinbased);

	if (!err)
		err = vmx_ctl_adjust("primary-processor-based", cap->procbased, proc_bits,
				     ARRAY_SIZE(proc_bits), &out->procbased);
	if (!err)
		err = vmx_ctl_adjust("secondary-processor-based", cap->procbased2, proc2_bits,
				     ARRAY_SIZE(proc2_bits), &out->procbased2);
	if (!err)
		err = vmx_ctl_adjust("vm-exit", cap->exit, exit_bits, ARRAY_SIZE(exit_bits),
				     &out->exit);
	if (!err)
		err = vmx_ctl_adjust("vm-entry", cap->entry, entry_bits, ARRAY_SIZE(entry_bits),
				     &out->entry);
	return err;
}

/* A VPID is only worth having if a restarted partition's stale entries can be flushed. */
static void pick_flushes(const struct virt_caps *c, struct vmx_controls *out)
{
	bool invvpid = c->invvpid && (c->invvpid_single || c->invvpid_all);

	if (!invvpid)
		out->procbased2 &= ~(uint32_t)VMX_PROC2_ENABLE_VPID;
	out->vpid = out->procbased2 & VMX_PROC2_ENABLE_VPID;
	out->invvpid = c->invvpid_single ? VMX_INV_SINGLE_CONTEXT : VMX_INV_ALL_CONTEXT;
	out->invept = c->invept_single ? VMX_INV_SINGLE_CONTEXT : VMX_INV_ALL_CONTEXT;
}

int vmx_controls_build(const struct virt_caps *caps, struct vmx_controls *out)
{
	int err = check_vmx(caps);

	*out = (struct vmx_controls){0};
	if (!err)
		err = adjust_all(&caps->ctls, out);
	if (!err)
		err = check_ept(caps);
	if (err)
		return err;
	pick_flushes(caps, out);
	return 0;
}

uint64_t vmx_eptp(phys_addr_t root)
{
	return (root & VMX_EPTP_ADDR_MASK) | VMX_EPTP_MEMTYPE_WB |
	       (EPTP_WALK_4LEVEL << VMX_EPTP_WALK_SHIFT);
}

struct vmx_cr vmx_cr_fixed(uint64_t want, uint64_t fixed0, uint64_t fixed1, uint64_t exempt)
{
	uint64_t set = fixed0 & ~exempt, clear = ~fixed1 & ~exempt;

	return (struct vmx_cr){
	    .value = (want | set) & ~clear,
	    .mask = set | (want & clear),
	    .shadow = want,
	};
}
