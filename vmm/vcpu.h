/*
 * The vCPU contract: what generic code (partitions, exit handlers,
 * hypercalls) needs from a hardware virtualization backend, and what the
 * backends share. AMD SVM with nested paging (vmm/svm.c) and Intel VMX with
 * EPT (vmm/vmx.c) implement the same ops. The backend is chosen once at
 * boot from the processor's capabilities (vcpu_backend_select), never with
 * #ifdef.
 */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include "hv/hypercall.h"
#include "hv/types.h"

struct partition;
struct paging_format;
struct virt_caps;

/* General-purpose registers in encoding order (rax = 0 ... r15 = 15). */
enum gpr { GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	   GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15, GPR_COUNT };

/* What an exit was, in backend-neutral terms. */
enum vm_exit_type {
	VM_EXIT_HYPERCALL,
	VM_EXIT_CPUID,
	VM_EXIT_MSR_READ,
	VM_EXIT_MSR_WRITE,
	VM_EXIT_IO,
	VM_EXIT_NPF,	  /* nested page fault / EPT violation */
	VM_EXIT_NMI,	  /* a host NMI (a kick) arrived while the guest ran */
	VM_EXIT_INTR,	  /* a host interrupt (not used while interrupts pass through) */
	VM_EXIT_HLT,
	VM_EXIT_SHUTDOWN, /* triple fault */
	VM_EXIT_INVALID,  /* the processor refused the guest state */
	VM_EXIT_FORBIDDEN_INSN, /* VMRUN, VMLOAD, ... from the guest */
	VM_EXIT_XSETBV,	  /* checked and loaded by exit_xsetbv (VMX always exits) */
	VM_EXIT_EMULATED, /* the backend emulated it (VMX: CR0/CR4 writes, INVD): nothing to do */
	VM_EXIT_REFUSED,  /* the backend refused it and logged why: stop with refused.reason */
	VM_EXIT_OTHER,
};

struct vm_exit {
	enum vm_exit_type type;
	uint64_t vendor_code; /* the backend's own exit code, for logs */
	uint64_t rip;
	uint8_t insn_len;     /* known length of the exiting instruction, 0 if unknown */
	union {
		struct {
			uint16_t port;
			uint8_t size;
			bool in;
			bool string;
		} io;
		struct {
			uint64_t gpa;
			bool write;
			bool fetch;
			bool present;
		} npf;
		struct {
			uint32_t msr;
		} msr;
		struct {
			uint32_t reason; /* enum hv_stop_reason */
		} refused;
	};
};

enum vcpu_request {
	VCPU_REQ_NONE = 0,
	VCPU_REQ_STOP = 1,  /* leave the guest and park */
	VCPU_REQ_START = 2, /* reset to the start state and enter */
};

struct vcpu {
	struct partition *part;
	unsigned index;	   /* within the partition */
	unsigned host_cpu; /* percpu index it is pinned to */
	uint32_t apic_id;
	uint64_t gprs[GPR_COUNT]; /* rsp and rax live in the backend's state */
	void *backend;		  /* VMCB or VMCS state */
	volatile uint32_t request;
	volatile bool parked;
	volatile uint32_t npt_gen; /* the partition's nested-table generation it runs with */
	uint64_t start_rip, start_rsp, start_rdi, start_rsi;
};

/* Guest start state every backend sets from a vCPU's start_* fields. */
struct vcpu_start_state {
	uint64_t cr3;
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint64_t npt_root; /* nested table root (host-physical) */
};

struct vcpu_backend {
	const char *name;
	/* Entry format of the nested tables partitions are built with (NPT or EPT). */
	const struct paging_format *nested_format;
	/* On each physical CPU before its first guest (EFER.SVME, host save area). */
	int (*cpu_enable)(void);
	int (*create)(struct vcpu *v);
	/* Puts the vCPU in the 64-bit start state (guest_abi.h). */
	void (*reset)(struct vcpu *v, const struct vcpu_start_state *st);
	/* Runs the guest until an exit; fills *exit. Interrupts off on entry and return. */
	void (*run)(struct vcpu *v, struct vm_exit *exit);
	uint64_t (*get_rip)(struct vcpu *v);
	void (*set_rip)(struct vcpu *v, uint64_t rip);
	uint64_t (*get_reg)(struct vcpu *v, enum gpr reg); /* incl. rax and rsp */
	void (*set_reg)(struct vcpu *v, enum gpr reg, uint64_t val);
	uint64_t (*get_cr3)(struct vcpu *v);
	bool (*paging_enabled)(struct vcpu *v);
	uint64_t (*get_efer)(struct vcpu *v);
	void (*set_efer)(struct vcpu *v, uint64_t efer);
	void (*inject_gp)(struct vcpu *v);
	void (*inject_ud)(struct vcpu *v);
	/* The next entry drops every cached guest and nested translation of v. */
	void (*flush_tlb)(struct vcpu *v);
};

/* The backend this machine uses; NULL when it has no usable virtualization. */
const struct vcpu_backend *vcpu_backend(void);
void vcpu_backend_select(void);

extern const struct vcpu_backend svm_backend;
extern const struct vcpu_backend vmx_backend;

/*
 * Decides the VMX controls from the capability MSRs; 0 if VMX can run
 * partitions here, else -ENOTSUP after a log line naming what is missing.
 */
int vmx_backend_prepare(const struct virt_caps *caps);

#endif
