/*
 * The parent partition: announces itself, then lives on a 100 Hz APIC
 * timer tick. Each tick it drains partition events and console input; once
 * a second it prints a heartbeat. Between ticks vCPU 0 HLTs, which the
 * hypervisor does not intercept: an idle parent costs no exits.
 */
#include "guests/lib/guest.h"
#include "guests/parent/netvsp.h"
#include "guests/parent/nic.h"
#include "guests/parent/parent.h"
#include "guests/parent/story.h"

/*
 * The parent polls its console and the partition events on every tick:
 * two hypercalls each. 20 Hz keeps typing responsive (50 ms) at ~40 exits
 * per second; an event doorbell would make it zero.
 */
#define TICK_HZ 20

/* The functions this partition owns, as their configuration space says (emulated ECAM). */
static void list_devices(const struct hv_guest_boot_info *bi)
{
	for (uint32_t i = 0; i < bi->device_count; i++) {
		pci_bdf_t bdf = (pci_bdf_t)(bi->devices[i] & 0xffff);
		uint32_t id = pci_read32(bdf, 0), class_rev = pci_read32(bdf, 8);

		printf("device bdf=%02x:%02x.%x id=%04x:%04x class=%06x\n", PCI_BUS(bdf),
		       PCI_DEV(bdf), PCI_FN(bdf), id & 0xffff, id >> 16, class_rev >> 8);
	}
}

/* Leaves a greeting in each channel for its peer to find. */
static void greet_channels(const struct hv_guest_boot_info *bi)
{
	for (uint32_t i = 0; i < bi->channel_count && i < HV_GUEST_MAX_CHANNELS; i++) {
		const struct hv_guest_channel *ch = &bi->channels[i];
		char *mem;

		if (!strncmp(ch->name, "vmbus", HV_NAME_LEN))
			continue; /* its rings' control pages start at offset 0: no text there */
		mem = channel_map(ch);
		if (!mem) {
			printf("channel name=%.*s error=unmappable\n", HV_NAME_LEN, ch->name);
			continue;
		}
		hv_snprintf(mem, ch->size, "greetings from %.*s over %.*s", HV_NAME_LEN, bi->name,
			 HV_NAME_LEN, ch->name);
		printf("channel name=%.*s peer=%.*s gpa=0x%lx size=%lu wrote=yes\n", HV_NAME_LEN,
		       ch->name, HV_NAME_LEN, ch->peer, ch->gpa, ch->size);
	}
}

int main(const struct hv_guest_boot_info *bi)
{
	uint64_t seen = 0, beats = 0;
	int err;

	printf("ready vcpu=0 partition=%.*s memory=%lu\n", HV_NAME_LEN, bi->name, bi->memory_size);
	list_devices(bi);
	greet_channels(bi);
	dma_probe_run(bi);
	nic_start(bi);
	netvsp_start(bi); /* after the NIC: the children's switch ports are its */
	notices_enable();
	doorbell_enable();
	err = tick_start(TICK_HZ);
	if (err) {
		printf("error timer err=%s apic_timer_hz=%lu\n", errno_name(err),
		       bi->apic_timer_hz);
		return err;
	}
	shell_start();
	msi_probe_run(bi); /* after the timer: interrupts are on from here */
	story_start(bi);   /* story=yes: the `make run` story, told from the loop below */
	for (;;) {
		/* The tick, the NIC's interrupt or a doorbell; or no sleep while frames flow. */
		bool spin = netvsp_keep_polling();
		uint64_t now = spin ? tick_count() : nic_wait(seen);
		bool tick = now != seen;

		seen = now;
		/* Hypercalls: on the tick only, not on every frame's wakeup. */
		if (tick)
			events_poll();
		/*
		 * The PF's registers, while spinning, only when it interrupted (or
		 * on the tick): under TCG every register access takes QEMU's global
		 * lock, and a vCPU spinning on them starves QEMU's own I/O (the
		 * wire's frames waited out every 3 ms spin).
		 */
		if (!spin || tick || nic_irq_taken())
			nic_poll();
		netvsp_poll();
		if (tick) {
			shell_poll();
			story_poll();
		}
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
