/*
 * The `chan` shell command: the parent's shared-memory channels and their
 * doorbells, for people and for the boot tests (tests/boot/test_channel.py).
 *   chan list                 each channel, and the doorbells taken so far
 *   chan write <peer> <text>  into the parent's half of the vmbus test mailbox
 *   chan read <peer>          the child's half of it
 *   chan ring <peer> [n]      ring the vmbus doorbell of <peer> n times (1..1000000)
 *   chan stats                doorbells sent and dropped per partition
 * The mailbox lies in the page the vmbus layout reserves (guests/lib/doorbell.h).
 */
#include "guests/lib/guest.h"
#include "guests/parent/parent.h"

#define CHAN_ARG_MAX 200
#define RING_MAX     1000000

static void print_err(int err)
{
	if (err < 0)
		printf("error %s\n", errno_name(err));
	else
		printf("ok\n");
}

/* The vmbus channel to peer, mapped: its index, or -ENOENT/-ENOMEM. */
static int vmbus_of(const char *peer, struct doorbell_mailbox **box)
{
	const struct hv_guest_boot_info *bi = guest_boot_info();
	int index = channel_find(bi, "vmbus", peer);
	uint8_t *mem;

	if (index < 0)
		return index;
	mem = channel_map(&bi->channels[index]);
	if (!mem || bi->channels[index].size < HV_GUEST_CHANNEL_SLOT)
		return -ENOMEM;
	*box = (struct doorbell_mailbox *)(mem + DOORBELL_MAILBOX_OFFSET);
	return index;
}

static void chan_list(void)
{
	const struct hv_guest_boot_info *bi = guest_boot_info();

	for (uint32_t i = 0; i < bi->channel_count && i < HV_GUEST_MAX_CHANNELS; i++) {
		const struct hv_guest_channel *ch = &bi->channels[i];

		printf("chan index=%u name=%.*s peer=%.*s peer_id=%u gpa=0x%lx size=%lu\n", i,
		       HV_NAME_LEN, ch->name, HV_NAME_LEN, ch->peer, ch->peer_id, ch->gpa,
		       ch->size);
	}
	printf("chan received n=%lu last_us=%lu\n", doorbell_received(), doorbell_last_us());
	print_err(0);
}

static void chan_write(const char *peer, const char *text)
{
	struct doorbell_mailbox *box;
	int err = vmbus_of(peer, &box);

	if (err >= 0)
		hv_snprintf(box->text[0], DOORBELL_MAILBOX_TEXT, "%s", text);
	print_err(err);
}

static void chan_read(const char *peer)
{
	struct doorbell_mailbox *box;
	char text[DOORBELL_MAILBOX_TEXT];
	uint64_t rang, at = doorbell_last_us();
	int err = vmbus_of(peer, &box);

	if (err < 0) {
		print_err(err);
		return;
	}
	/* Pairs with the child's fence before it rang: its text is complete. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	rang = __atomic_load_n(&box->rang_us[1], __ATOMIC_RELAXED);
	memcpy(text, box->text[1], sizeof(text));
	text[sizeof(text) - 1] = '\0';
	printf("chan text peer=%s received=%lu latency_us=%lu text=\"%s\"\n", peer,
	       doorbell_received(), rang && at >= rang ? at - rang : 0, text);
	print_err(0);
}

static void chan_ring(const char *peer, const char *count)
{
	struct doorbell_mailbox *box;
	uint64_t n = 1, sent = 0, dropped = 0;
	int index = vmbus_of(peer, &box), err = 0;

	if (index >= 0 && *count && (parse_u64(count, &n) || n == 0 || n > RING_MAX))
		index = -EINVAL;
	if (index < 0) {
		print_err(index);
		return;
	}
	__atomic_store_n(&box->rang_us[0], tsc_us(), __ATOMIC_RELAXED);
	/* The mailbox must be in memory before the child can take the interrupt. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (uint64_t i = 0; i < n; i++) {
		err = doorbell_ring((unsigned)index);
		sent += err == 0;
		dropped += err == -EAGAIN;
		if (err && err != -EAGAIN)
			break;
	}
	printf("chan rang peer=%s index=%d sent=%lu dropped=%lu\n", peer, index, sent, dropped);
	print_err(err == -EAGAIN ? 0 : err);
}

static void chan_stats(void)
{
	const struct hv_partition_status *list;
	size_t count;
	long err = partitions_fetch();

	list = partitions_get(&count);
	for (size_t i = 0; i < count; i++)
		printf("chan partition name=%.*s doorbells_sent=%lu doorbells_dropped=%lu\n",
		       HV_NAME_LEN, list[i].name, list[i].doorbells_sent,
		       list[i].doorbells_dropped);
	printf("chan received n=%lu\n", doorbell_received());
	print_err(err < 0 ? (int)err : 0);
}

/* Cuts s at its first blank; returns what follows, blanks skipped. */
static char *next_word(char *s)
{
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

void cmd_chan(const char *arg)
{
	char buf[CHAN_ARG_MAX + 1];
	char *sub = buf, *peer, *rest;

	hv_snprintf(buf, sizeof(buf), "%s", arg);
	peer = next_word(sub);
	rest = next_word(peer);
	if (!*sub || !strcmp(sub, "list"))
		chan_list();
	else if (!strcmp(sub, "stats"))
		chan_stats();
	else if (!*peer)
		print_err(-EINVAL);
	else if (!strcmp(sub, "write"))
		chan_write(peer, rest);
	else if (!strcmp(sub, "read"))
		chan_read(peer);
	else if (!strcmp(sub, "ring"))
		chan_ring(peer, rest);
	else
		print_err(-EINVAL);
}
