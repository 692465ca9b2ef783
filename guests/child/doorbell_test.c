/*
 * The child's end of its "vmbus" channel as the doorbell boot tests use it
 * (tests/boot/test_channel.py). Always: report the channel and count the
 * doorbells the parent rings (handler entries, lib/doorbell.c). With
 * `doorbell=<mode>` on the command line:
 *   echo   on each doorbell, print the parent's mailbox text, answer in the
 *          child's half of the mailbox and ring back;
 *   ring   ring the parent once per heartbeat, with "beat N" in the mailbox;
 *   flood  after the second heartbeat ring as fast as it can for flood_s
 *          seconds (default 3), then report what the hypervisor let through.
 * The mailbox is the test page of the channel (guests/lib/doorbell.h).
 */
#include "guests/lib/guest.h"
#include "guests/child/child.h"

#define MODE_MAX	16
#define FLOOD_AT_BEAT	2
#define FLOOD_DEFAULT_S 3
#define FLOOD_MAX_S	30

enum mode { MODE_NONE, MODE_ECHO, MODE_RING, MODE_FLOOD };
static const char *const mode_names[] = {"none", "echo", "ring", "flood"};

static struct {
	enum mode mode;
	int index;		      /* in boot_info.channels[], < 0 without a vmbus channel */
	struct doorbell_mailbox *box; /* shared: read after a fence, see echo() */
	uint64_t seen, flood_s;
	char name[HV_NAME_LEN + 1];
} t = {.index = -ENOENT};

static enum mode parse_mode(const char *cmdline)
{
	char value[MODE_MAX];
	uint64_t s = FLOOD_DEFAULT_S;

	if (!cmdline_get(cmdline, CHILD_CMDLINE_SIZE, "flood_s", value, sizeof(value)))
		parse_u64(value, &s);
	t.flood_s = s && s <= FLOOD_MAX_S ? s : FLOOD_DEFAULT_S;
	if (cmdline_get(cmdline, CHILD_CMDLINE_SIZE, "doorbell", value, sizeof(value)))
		return MODE_NONE;
	for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (!strcmp(value, mode_names[i]))
			return (enum mode)i;
	printf("doorbell error=EINVAL mode=%s\n", value);
	return MODE_NONE;
}

void doorbell_test_start(const struct hv_guest_boot_info *bi)
{
	char cmdline[CHILD_CMDLINE_SIZE];
	size_t len = strnlen(bi->cmdline, HV_GUEST_CMDLINE_LEN);
	const struct hv_guest_channel *ch;
	uint8_t *mem;

	memcpy(cmdline, bi->cmdline, len);
	cmdline[len] = '\0';
	memcpy(t.name, bi->name, HV_NAME_LEN);
	t.index = channel_find(bi, "vmbus", NULL);
	if (t.index < 0) {
		printf("vmbus absent\n");
		return;
	}
	ch = &bi->channels[t.index];
	mem = channel_map(ch);
	if (!mem || ch->size < HV_GUEST_CHANNEL_SLOT) {
		printf("vmbus error=unmappable size=%lu\n", ch->size);
		t.index = -EINVAL;
		return;
	}
	t.box = (struct doorbell_mailbox *)(mem + DOORBELL_MAILBOX_OFFSET);
	t.mode = parse_mode(cmdline);
	doorbell_enable();
	printf("vmbus index=%d peer=%.*s peer_id=%u gpa=0x%lx size=%lu mode=%s\n", t.index,
	       HV_NAME_LEN, ch->peer, ch->peer_id, ch->gpa, ch->size, mode_names[t.mode]);
}

/* The mailbox text of side `from`, terminated, into buf. */
static void mailbox_text(int from, char *buf)
{
	memcpy(buf, t.box->text[from], DOORBELL_MAILBOX_TEXT);
	buf[DOORBELL_MAILBOX_TEXT - 1] = '\0';
}

static int ring_with_text(const char *text)
{
	hv_snprintf(t.box->text[1], DOORBELL_MAILBOX_TEXT, "%s", text);
	__atomic_store_n(&t.box->rang_us[1], tsc_us(), __ATOMIC_RELAXED);
	/* The text must be in memory before the peer can take the interrupt. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return doorbell_ring((unsigned)t.index);
}

static void echo(uint64_t n)
{
	char text[DOORBELL_MAILBOX_TEXT], reply[DOORBELL_MAILBOX_TEXT];
	uint64_t rang, at = doorbell_last_us();
	int err;

	/* Pairs with the parent's fence before ringing: its text is complete here. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	rang = __atomic_load_n(&t.box->rang_us[0], __ATOMIC_RELAXED);
	mailbox_text(0, text);
	printf("doorbell received n=%lu latency_us=%lu text=\"%s\"\n", n,
	       rang && at >= rang ? at - rang : 0, text);
	hv_snprintf(reply, sizeof(reply), "echo n=%lu from %s: %s", n, t.name, text);
	err = ring_with_text(reply);
	printf("doorbell echoed n=%lu err=%s\n", n, err ? errno_name(err) : "none");
}

void doorbell_test_poll(void)
{
	uint64_t n = doorbell_received();

	if (t.index < 0 || n == t.seen)
		return;
	t.seen = n;
	if (t.mode == MODE_ECHO)
		echo(n);
}

static void flood(void)
{
	uint64_t end = tsc_us() + t.flood_s * 1000000, calls = 0, sent = 0, dropped = 0;
	uint64_t other = 0;
	int last = 0;

	printf("doorbell flood start seconds=%lu\n", t.flood_s);
	while (tsc_us() < end) {
		int err = doorbell_ring((unsigned)t.index);

		calls++;
		if (!err) {
			sent++;
		} else if (err == -EAGAIN) {
			dropped++;
		} else {
			other++;
			last = err;
		}
	}
	printf("doorbell flood end seconds=%lu calls=%lu sent=%lu dropped=%lu other=%lu "
	       "last_err=%s rate_per_s=%lu\n",
	       t.flood_s, calls, sent, dropped, other, last ? errno_name(last) : "none",
	       calls / t.flood_s);
}

static void ring_beat(uint64_t beat)
{
	char text[DOORBELL_MAILBOX_TEXT];
	int err;

	hv_snprintf(text, sizeof(text), "beat %lu from %s", beat, t.name);
	err = ring_with_text(text);
	printf("doorbell rang n=%lu err=%s\n", beat, err ? errno_name(err) : "none");
}

void doorbell_test_beat(uint64_t beat, uint64_t prev)
{
	if (t.index < 0)
		return;
	if (t.mode == MODE_RING)
		ring_beat(beat);
	if (t.mode == MODE_FLOOD && prev < FLOOD_AT_BEAT && beat >= FLOOD_AT_BEAT)
		flood();
}
