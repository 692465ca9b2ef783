/*
 * The AMD SVM virtual machine control block (APM vol. 2, appendix B):
 * control area at 0x000, state save area at 0x400. Field names follow the
 * APM; offsets are checked at compile time.
 */
#ifndef VMM_SVM_VMCB_H
#define VMM_SVM_VMCB_H

#include "hv/types.h"

struct vmcb_segment {
	uint16_t selector;
	uint16_t attrib; /* type:4 S DPL:2 P AVL L D/B G */
	uint32_t limit;
	uint64_t base;
} __packed;

struct vmcb_control {
	uint32_t intercept_cr;	/* reads 0-15, writes 16-31 */
	uint32_t intercept_dr;
	uint32_t intercept_exceptions;
	uint32_t intercept_misc1;
	uint32_t intercept_misc2;
	uint32_t intercept_misc3;
	uint8_t reserved_018[0x03c - 0x018];
	uint16_t pause_filter_threshold;
	uint16_t pause_filter_count;
	uint64_t iopm_base_pa;
	uint64_t msrpm_base_pa;
	uint64_t tsc_offset;
	uint32_t guest_asid;
	uint8_t tlb_control;
	uint8_t reserved_05d[3];
	uint64_t v_intr; /* V_TPR, V_IRQ, V_INTR_MASKING, ... */
	uint64_t interrupt_shadow;
	uint64_t exitcode;
	uint64_t exitinfo1;
	uint64_t exitinfo2;
	uint64_t exitintinfo;
	uint64_t np_enable;
	uint64_t avic_apic_bar;
	uint64_t ghcb_pa;
	uint64_t eventinj;
	uint64_t n_cr3;
	uint64_t lbr_virtualization;
	uint32_t vmcb_clean;
	uint32_t reserved_0c4;
	uint64_t next_rip;
	uint8_t insn_len;
	uint8_t insn_bytes[15];
	uint8_t reserved_0e0[0x400 - 0x0e0];
} __packed;

struct vmcb_save {
	struct vmcb_segment es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;
	uint8_t reserved_0a0[0x0cb - 0x0a0];
	uint8_t cpl;
	uint32_t reserved_0cc;
	uint64_t efer;
	uint8_t reserved_0d8[0x148 - 0x0d8];
	uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip;
	uint8_t reserved_180[0x1d8 - 0x180];
	uint64_t rsp;
	uint64_t s_cet, ssp, isst_addr;
	uint64_t rax;
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t cr2;
	uint8_t reserved_248[0x268 - 0x248];
	uint64_t g_pat;
	uint64_t dbgctl;
	uint8_t reserved_278[0xc00 - 0x278];
} __packed;

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __packed;

_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area");
_Static_assert(__builtin_offsetof(struct vmcb_control, iopm_base_pa) == 0x40, "IOPM_BASE_PA");
_Static_assert(__builtin_offsetof(struct vmcb_control, guest_asid) == 0x58, "ASID");
_Static_assert(__builtin_offsetof(struct vmcb_control, exitcode) == 0x70, "EXITCODE");
_Static_assert(__builtin_offsetof(struct vmcb_control, eventinj) == 0xa8, "EVENTINJ");
_Static_assert(__builtin_offsetof(struct vmcb_control, n_cr3) == 0xb0, "N_CR3");
_Static_assert(__builtin_offsetof(struct vmcb_control, next_rip) == 0xc8, "nRIP");
_Static_assert(__builtin_offsetof(struct vmcb_save, cpl) == 0xcb, "CPL");
_Static_assert(__builtin_offsetof(struct vmcb_save, efer) == 0xd0, "EFER");
_Static_assert(__builtin_offsetof(struct vmcb_save, cr4) == 0x148, "CR4");
_Static_assert(__builtin_offsetof(struct vmcb_save, rip) == 0x178, "RIP");
_Static_assert(__builtin_offsetof(struct vmcb_save, rsp) == 0x1d8, "RSP");
_Static_assert(__builtin_offsetof(struct vmcb_save, rax) == 0x1f8, "RAX");
_Static_assert(__builtin_offsetof(struct vmcb_save, cr2) == 0x240, "CR2");
_Static_assert(__builtin_offsetof(struct vmcb_save, g_pat) == 0x268, "G_PAT");
_Static_assert(sizeof(struct vmcb) == 0x1000, "VMCB is one page");

/* intercept_misc1 */
#define SVM_INTERCEPT_INTR BIT(0)
#define SVM_INTERCEPT_NMI BIT(1)
#define SVM_INTERCEPT_SMI BIT(2)
#define SVM_INTERCEPT_INIT BIT(3)
#define SVM_INTERCEPT_CPUID BIT(18)
#define SVM_INTERCEPT_INVD BIT(22)
#define SVM_INTERCEPT_HLT BIT(24)
#define SVM_INTERCEPT_INVLPGA BIT(26)
#define SVM_INTERCEPT_IOIO_PROT BIT(27)
#define SVM_INTERCEPT_MSR_PROT BIT(28)
#define SVM_INTERCEPT_SHUTDOWN BIT(31)
/* intercept_misc2 */
#define SVM_INTERCEPT_VMRUN BIT(0)
#define SVM_INTERCEPT_VMMCALL BIT(1)
#define SVM_INTERCEPT_VMLOAD BIT(2)
#define SVM_INTERCEPT_VMSAVE BIT(3)
#define SVM_INTERCEPT_STGI BIT(4)
#define SVM_INTERCEPT_CLGI BIT(5)
#define SVM_INTERCEPT_SKINIT BIT(6)

/* np_enable */
#define SVM_NP_ENABLE BIT(0)
/* tlb_control */
#define SVM_TLB_FLUSH_ALL 1

/* eventinj / exitintinfo */
#define SVM_EVENT_VALID BIT(31)
#define SVM_EVENT_ERROR_VALID BIT(11)
#define SVM_EVENT_TYPE_SHIFT 8
#define SVM_EVENT_TYPE_MASK (7u << SVM_EVENT_TYPE_SHIFT)
#define SVM_EVENT_TYPE_INTR 0
#define SVM_EVENT_TYPE_NMI 2
#define SVM_EVENT_TYPE_EXCEPTION 3
#define SVM_EVENT_TYPE_SOFT_INT 4

/* Exit codes */
#define SVM_EXIT_EXCEPTION_BASE 0x40
#define SVM_EXIT_INTR 0x60
#define SVM_EXIT_NMI 0x61
#define SVM_EXIT_INIT 0x63
#define SVM_EXIT_CPUID 0x72
#define SVM_EXIT_INVD 0x76
#define SVM_EXIT_INVLPGA 0x7a
#define SVM_EXIT_HLT 0x78
#define SVM_EXIT_IOIO 0x7b
#define SVM_EXIT_MSR 0x7c
#define SVM_EXIT_SHUTDOWN 0x7f
#define SVM_EXIT_VMRUN 0x80
#define SVM_EXIT_VMMCALL 0x81
#define SVM_EXIT_VMLOAD 0x82
#define SVM_EXIT_VMSAVE 0x83
#define SVM_EXIT_STGI 0x84
#define SVM_EXIT_CLGI 0x85
#define SVM_EXIT_SKINIT 0x86
#define SVM_EXIT_NPF 0x400
/* VMEXIT_INVALID is -1; TCG reports it as 0xffffffff: compare the low 32 bits. */
#define SVM_EXIT_INVALID 0xffffffffu

/* IOIO EXITINFO1 */
#define SVM_IOIO_IN BIT(0)
#define SVM_IOIO_STRING BIT(2)
#define SVM_IOIO_SIZE_SHIFT 4 /* bits 4-6: SZ8, SZ16, SZ32 one-hot */
#define SVM_IOIO_PORT_SHIFT 16

/* NPF EXITINFO1 (a #PF error code) */
#define SVM_NPF_PRESENT BIT(0)
#define SVM_NPF_WRITE BIT(1)
#define SVM_NPF_FETCH BIT(4)

/* Bitmap sizes (APM 15.10, 15.11) */
#define SVM_IOPM_SIZE (12 * KiB)
#define SVM_MSRPM_SIZE (8 * KiB)

#endif
