/*
 * The parent partition: announces itself, then lives on a 100 Hz APIC
 * timer tick. Each tick it drains partition events and console input; once
 * a second it prints a heartbeat. Between ticks vCPU 0 HLTs, which the
 * hypervisor does not intercept: an idle parent costs no exits.
 */
#include "guests/lib/guest.h"
#include "guests/parent/parent.h"

#define TICK_HZ 100

int main(const struct hv_guest_boot_info *bi)
{
	uint64_t seen = 0, beats = 0;
	int err;

	printf("ready vcpu=0 partition=%.*s memory=%lu\n", HV_NAME_LEN, bi->name, bi->memory_size);
	err = tick_start(TICK_HZ);
	if (err) {
		printf("error timer err=%s apic_timer_hz=%lu\n", errno_name(err),
		       bi->apic_timer_hz);
		return err;
	}
	shell_start();
	for (;;) {
		seen = tick_wait(seen);
		events_poll();
		shell_poll();
		if (seen / TICK_HZ > beats) {
			beats = seen / TICK_HZ;
			printf("heartbeat n=%lu\n", beats);
		}
	}
}

/* The parent's other CPUs idle until work for them exists. */
void secondary_main(const struct hv_guest_boot_info *bi, unsigned vcpu)
{
	printf("ready vcpu=%u partition=%.*s\n", vcpu, HV_NAME_LEN, bi->name);
	guest_idle();
}
