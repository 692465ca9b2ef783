/*
 * The smallest useful guest, and the template of docs/guest-sdk.md: says
 * hello, checks a few things about its partition, beats three times on
 * the APIC timer and reports its checks.
 */
#include "guests/lib/guest.h"

#define HEARTBEATS 3

int main(const struct hv_guest_boot_info *bi)
{
	uint64_t seen = 0;
	int err;

	printf("hello partition=%.*s vcpus=%u memory=%lu\n", HV_NAME_LEN, bi->name, bi->vcpu_count,
	       bi->memory_size);

	EXPECT(bi->magic == HV_GUEST_BOOT_MAGIC);
	EXPECT(hc_version() == HV_ABI_VERSION);
	EXPECT(bi->vcpu_count >= 1);

	err = tick_start(1);
	if (!EXPECT(err == 0)) {
		expect_summary();
		return err;
	}
	for (unsigned n = 1; n <= HEARTBEATS; n++) {
		seen = tick_wait(seen);
		printf("heartbeat n=%u\n", n);
	}
	tick_stop();

	expect_summary();
	return expect_failures() ? 1 : 0;
}
