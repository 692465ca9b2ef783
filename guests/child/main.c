/*
 * The child partition: announces itself, checks its boot info, then
 * heartbeats once a second on the APIC timer, HLTing in between. After the
 * second heartbeat it runs the behaviour its command line asks for, if any.
 */
#include "guests/lib/guest.h"
#include "guests/child/child.h"

#define TICK_HZ		100
#define SUMMARY_AT_BEAT 1 /* the other vCPUs have checked in by then */
#define HOSTILE_AT_BEAT 2

/* prev is the last beat handled: a long behaviour may make beats skip. */
/* Reports what the peer left in each channel (the parent greets at its start). */
/*
 * Doorbells between a partition's own CPUs: vCPU 0 rings vCPU 1 with a
 * fixed IPI once per heartbeat; the hypervisor checks the destination and
 * the interrupt reaches vCPU 1's IDT directly.
 */
#define DOORBELL_VECTOR 0x40

#define CHANNELS_AT_BEAT 2

static void read_channels(const struct hv_guest_boot_info *bi)
{
	for (uint32_t i = 0; i < bi->channel_count && i < HV_GUEST_MAX_CHANNELS; i++) {
		const struct hv_guest_channel *ch = &bi->channels[i];
		const char *mem = channel_map(ch);

		/* vmbus holds rings, not text: doorbell_test.c reports it */
		if (mem && strncmp(ch->name, "vmbus", HV_NAME_LEN))
			printf("channel name=%.*s peer=%.*s text=\"%.*s\"\n", HV_NAME_LEN, ch->name,
			       HV_NAME_LEN, ch->peer, 64, mem);
	}
}

static void on_heartbeat(const struct hv_guest_boot_info *bi, uint64_t beat, uint64_t prev)
{
	printf("heartbeat n=%lu\n", beat);
	if (bi->vcpu_count > 1 && apic_send_ipi(1, DOORBELL_VECTOR) == 0)
		printf("doorbell sent to=1 n=%lu\n", beat);
	if (prev < CHANNELS_AT_BEAT && beat >= CHANNELS_AT_BEAT)
		read_channels(bi);
	if (prev < SUMMARY_AT_BEAT && beat >= SUMMARY_AT_BEAT)
		expect_summary();
	if (prev < HOSTILE_AT_BEAT && beat >= HOSTILE_AT_BEAT)
		hostile_run(bi);
	doorbell_test_beat(beat, prev);
}

int main(const struct hv_guest_boot_info *bi)
{
	uint64_t seen = 0, beats = 0;
	int err;

	printf("ready vcpu=0 partition=%.*s memory=%lu vcpus=%u cmdline=\"%.*s\"\n", HV_NAME_LEN,
	       bi->name, bi->memory_size, bi->vcpu_count, HV_GUEST_CMDLINE_LEN, bi->cmdline);
	checks_run(bi);
	vf_user_start(bi);
	doorbell_test_start(bi);
	net_app_start(bi);
	err = tick_start(TICK_HZ);
	if (err) {
		printf("error timer err=%s apic_timer_hz=%lu\n", errno_name(err),
		       bi->apic_timer_hz);
		expect_summary();
		return err;
	}
	for (;;) {
		seen = net_app_wait(seen); /* the tick, a doorbell or the VF's interrupt */
		vf_user_poll();
		net_app_poll();
		doorbell_test_poll();
		if (seen / TICK_HZ > beats) {
			on_heartbeat(bi, seen / TICK_HZ, beats);
			beats = seen / TICK_HZ;
		}
	}
}

static volatile uint64_t doorbells;

static void on_doorbell(struct trap_frame *frame)
{
	(void)frame;
	doorbells++;
	printf("doorbell received vcpu=1 n=%lu\n", doorbells);
	apic_eoi();
}

void secondary_main(const struct hv_guest_boot_info *bi, unsigned vcpu)
{
	if (vcpu == 1) {
		apic_init();
		irq_set_handler(DOORBELL_VECTOR, on_doorbell);
	}
	printf("ready vcpu=%u partition=%.*s\n", vcpu, HV_NAME_LEN, bi->name);
	checks_secondary(bi, vcpu);
	guest_idle();
}
