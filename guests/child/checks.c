/*
 * What a child can check about its own partition from the inside: the
 * boot info is well formed and agrees with HC_PARTITION_SELF, the basic
 * hypercalls answer and the parent-only ones refuse. Failures are
 * EXPECT lines the boot tests collect; the child runs on either way.
 */
#include "guests/lib/guest.h"
#include "guests/child/child.h"

/* Linker-script symbol (guests/guest.ld): the end of the loaded image. */
extern char __image_end[];

static void check_mem_ranges(const struct hv_guest_boot_info *bi)
{
	EXPECT(bi->mem_count <= HV_GUEST_MAX_MEM);
	for (uint32_t i = 0; i < bi->mem_count && i < HV_GUEST_MAX_MEM; i++) {
		const struct hv_guest_mem_range *r = &bi->mem[i];

		EXPECT(r->base + r->size >= r->base);
		EXPECT(r->base + r->size <= bi->memory_size);
		EXPECT(r->type == HV_GUEST_MEM_FREE || r->type == HV_GUEST_MEM_RESERVED);
	}
}

static void check_boot_info(const struct hv_guest_boot_info *bi)
{
	EXPECT(bi->magic == HV_GUEST_BOOT_MAGIC);
	EXPECT(bi->version == HV_GUEST_BOOT_VERSION);
	EXPECT(bi->size == sizeof(*bi));
	EXPECT(bi->role == 1);
	EXPECT(strnlen(bi->name, HV_NAME_LEN) > 0 && strnlen(bi->name, HV_NAME_LEN) < HV_NAME_LEN);
	EXPECT(bi->memory_size > 0 && IS_ALIGNED(bi->memory_size, PAGE_SIZE));
	EXPECT(bi->memory_size >= (uint64_t)(uintptr_t)__image_end);
	EXPECT(bi->vcpu_count >= 1 && bi->vcpu_count <= HV_GUEST_MAX_VCPUS);
	EXPECT(bi->device_count <= HV_GUEST_MAX_DEVICES);
	EXPECT(bi->tsc_hz > 0);
	EXPECT(bi->apic_timer_hz > 0);
	EXPECT(strnlen(bi->cmdline, HV_GUEST_CMDLINE_LEN) < HV_GUEST_CMDLINE_LEN);
	check_mem_ranges(bi);
}

static void check_self(const struct hv_guest_boot_info *bi)
{
	struct hv_partition_status st;
	size_t len = strnlen(bi->name, HV_NAME_LEN);

	memset(&st, 0, sizeof(st));
	if (!EXPECT(hc_partition_self(&st) == 0))
		return;
	EXPECT(st.id == bi->partition_id);
	EXPECT(st.role == bi->role);
	EXPECT(strnlen(st.name, HV_NAME_LEN) == len && !memcmp(st.name, bi->name, len));
	EXPECT(st.state == HV_PARTITION_RUNNING);
	EXPECT(st.memory_bytes == bi->memory_size);
	EXPECT(st.starts >= 1);
}

/* A child must be refused what only the parent may do, and unknown numbers. */
static void check_refusals(const struct hv_guest_boot_info *bi)
{
	struct hv_partition_status list[1];
	struct hv_partition_event ev;
	char c;

	EXPECT(hc_console_read(&c, 1) == -EPERM);
	EXPECT(hc_partition_list(list, ARRAY_SIZE(list)) == -EPERM);
	EXPECT(hc_partition_stop(bi->partition_id) == -EPERM);
	EXPECT(hc_partition_event(&ev) == -EPERM);
	EXPECT(hc_raw(HC_COUNT, 0, 0, 0, 0, 0) == -ENOSYS);
	/* A buffer beyond the partition's memory is not the hypervisor's to read. */
	EXPECT(hc_raw(HC_CONSOLE_WRITE, bi->memory_size, 1, 0, 0, 0) < 0);
	/* Functions it doesn't own look absent: the host bridge 00:00.0 reads all-ones. */
	if (bi->ecam_base && bi->device_count == 0)
		EXPECT(pci_read32(0, 0) == 0xffffffffu);
}

void checks_run(const struct hv_guest_boot_info *bi)
{
	check_boot_info(bi);
	EXPECT(hc_version() == HV_ABI_VERSION);
	EXPECT(apic_id() == bi->apic_ids[0]);
	check_self(bi);
	check_refusals(bi);
}

void checks_secondary(const struct hv_guest_boot_info *bi, unsigned vcpu)
{
	if (EXPECT(vcpu < bi->vcpu_count && vcpu < HV_GUEST_MAX_VCPUS))
		EXPECT(apic_id() == bi->apic_ids[vcpu]);
}
