/*
 * Misbehaviours of the CPU itself, each of which the hypervisor must
 * contain by stopping this partition and nothing else:
 *   hostile=triple-fault           an IDT of limit 0, then int3
 *   hostile=ipi [target=<apic id>] fixed IPI, NMI, INIT to a CPU (default 0)
 *   hostile=msr [msr=apic_base|efer|both]  move the APIC, clear EFER.SVME
 *   hostile=io                     outb to port 0x80
 * Whatever the hypervisor lets through is reported as `hostile survived`.
 */
#include "guests/lib/guest.h"
#include "guests/child/child.h"

#define IPI_VECTOR     0xf0
#define IPI_SETTLE_US  10000 /* time for an IPI to arrive before the next step */
#define APIC_BASE_MOVE BIT(20)
#define IO_PORT	       0x80
#define VALUE_MAX      16

struct idt_pointer {
	uint16_t limit;
	uint64_t base;
} __packed;

/*
 * int3 finds no gate within limit 0: #GP; #GP finds none either: #DF; and
 * #DF none: the CPU shuts down (triple fault). Interrupts are off so the
 * timer can't be the one to fault first.
 */
void hostile_triple_fault(const struct hv_guest_boot_info *bi, const char *cmdline)
{
	static const struct idt_pointer empty = {0, 0};

	(void)bi;
	(void)cmdline;
	printf("hostile action=triple-fault\n");
	cpu_cli();
	__asm__ volatile("lidt %0; int3" ::"m"(empty) : "memory");
	idt_load();
	cpu_sti();
	printf("hostile survived action=triple-fault\n");
}

static void ipi_received(struct trap_frame *frame)
{
	printf("hostile ipi received vector=0x%lx\n", frame->vector);
	apic_eoi();
}

static void send_icr(const char *mode, uint32_t target, uint64_t icr)
{
	printf("hostile action=ipi mode=%s target=%u\n", mode, target);
	apic_write_icr((uint64_t)target << X2APIC_ICR_DEST_SHIFT | icr);
	tsc_delay_us(IPI_SETTLE_US);
	printf("hostile survived action=ipi mode=%s target=%u\n", mode, target);
}

void hostile_ipi(const struct hv_guest_boot_info *bi, const char *cmdline)
{
	char value[VALUE_MAX];
	uint64_t target = 0;

	(void)bi;
	if (!cmdline_get(cmdline, CHILD_CMDLINE_SIZE, "target", value, sizeof(value)) &&
	    (parse_u64(value, &target) || target > UINT32_MAX)) {
		printf("hostile error=EINVAL option=target\n");
		return;
	}
	irq_set_handler(IPI_VECTOR, ipi_received);
	send_icr("fixed", (uint32_t)target, X2APIC_ICR_ASSERT | X2APIC_ICR_MODE_FIXED | IPI_VECTOR);
	send_icr("nmi", (uint32_t)target, X2APIC_ICR_ASSERT | X2APIC_ICR_MODE_NMI);
	send_icr("init", (uint32_t)target, X2APIC_ICR_ASSERT | X2APIC_ICR_MODE_INIT);
}

static void write_msr(const char *name, uint32_t msr, uint64_t old, uint64_t val)
{
	printf("hostile action=msr msr=%s old=0x%lx new=0x%lx\n", name, old, val);
	cpu_wrmsr(msr, val);
	printf("hostile survived action=msr msr=%s now=0x%lx\n", name, cpu_rdmsr(msr));
}

void hostile_msr(const struct hv_guest_boot_info *bi, const char *cmdline)
{
	char which[VALUE_MAX] = "both";
	uint64_t v;

	(void)bi;
	cmdline_get(cmdline, CHILD_CMDLINE_SIZE, "msr", which, sizeof(which));
	if (strcmp(which, "efer")) {
		v = cpu_rdmsr(MSR_IA32_APIC_BASE);
		write_msr("apic_base", MSR_IA32_APIC_BASE, v, v ^ APIC_BASE_MOVE);
	}
	if (strcmp(which, "apic_base")) {
		v = cpu_rdmsr(MSR_EFER);
		write_msr("efer", MSR_EFER, v, v & ~MSR_EFER_SVME);
	}
}

void hostile_io(const struct hv_guest_boot_info *bi, const char *cmdline)
{
	(void)bi;
	(void)cmdline;
	printf("hostile action=io port=0x%x\n", IO_PORT);
	__asm__ volatile("outb %b0, %w1" ::"a"(0), "Nd"(IO_PORT) : "memory");
	printf("hostile survived action=io port=0x%x\n", IO_PORT);
}

/*
 * INVD would throw away dirty cache lines of the whole machine; the
 * hypervisor runs it as WBINVD. A value written just before must survive.
 */
void hostile_invd(const struct hv_guest_boot_info *bi, const char *cmdline)
{
	static volatile uint64_t witness;

	(void)bi;
	(void)cmdline;
	witness = 0x1dc0ffee;
	printf("hostile action=invd\n");
	__asm__ volatile("invd" ::: "memory");
	printf("hostile survived action=invd witness=0x%lx\n", (unsigned long)witness);
}

/* INVLPGA names another ASID: an SVM instruction, so #UD for a guest. */
void hostile_invlpga(const struct hv_guest_boot_info *bi, const char *cmdline)
{
	(void)bi;
	(void)cmdline;
	printf("hostile action=invlpga asid=0\n");
	__asm__ volatile("invlpga %%rax, %%ecx" ::"a"(0UL), "c"(0U) : "memory");
	printf("hostile survived action=invlpga\n");
}
