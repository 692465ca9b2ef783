/*
 * Hypercall argument checks: every call with good, bad and hostile
 * arguments; the rights of a child against parent-only calls; and a random
 * storm that must never accept a buffer outside the caller's memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include "hv/guest_abi.h"
#include "vmm/hypercall_decode.h"

#define MEM (16ULL << 20)

static const struct hc_caller parent = {.id = 0, .parent = true, .mem_size = MEM,
					.partition_count = 3, .channel_count = 2};
static const struct hc_caller child = {.id = 1, .parent = false, .mem_size = MEM,
				       .partition_count = 3, .channel_count = 1};

static int call(const struct hc_caller *c, uint64_t nr, uint64_t a0, uint64_t a1,
		struct hc_call *out)
{
	const uint64_t args[HC_ARGS] = {a0, a1, 0xdead, 0xbeef, 0xf00d};

	return hc_decode(c, nr, args, out);
}

static void test_unknown_numbers(void **state)
{
	struct hc_call out;

	(void)state;
	for (uint64_t nr = HC_DEVICE_RELEASE + 1; nr < HC_CONSOLE_READ; nr++)
		assert_int_equal(call(&parent, nr, 0, 0, &out), -ENOSYS);
	assert_int_equal(call(&parent, HC_COUNT, 0, 0, &out), -ENOSYS);
	assert_int_equal(call(&parent, UINT64_MAX, 0, 0, &out), -ENOSYS);
	assert_int_equal(call(&child, 1ULL << 63, 0, 0, &out), -ENOSYS);
	assert_string_equal(hc_name(UINT64_MAX), "unknown");
	assert_string_equal(hc_name(HC_CONSOLE_WRITE), "console-write");
}

static void test_device_calls(void **state)
{
	struct hc_call out;

	(void)state;
	/* Any partition: notices and release. */
	assert_int_equal(call(&child, HC_NOTICE, 0x2000, 0, &out), 0);
	assert_int_equal(out.len, sizeof(struct hv_notice));
	assert_int_equal(call(&child, HC_NOTICE, MEM - 8, 0, &out), -EFAULT);
	assert_int_equal(call(&child, HC_DEVICE_RELEASE, 0x180, 0, &out), 0);
	assert_int_equal(out.bdf, 0x180);
	assert_int_equal(call(&child, HC_DEVICE_RELEASE, 1ULL << 32, 0, &out), -EINVAL);
	/* Parent only: assignment, revocation, listing. */
	assert_int_equal(call(&child, HC_VF_ASSIGN, 0x180, 2, &out), -EPERM);
	assert_int_equal(call(&child, HC_VF_REVOKE, 0x180, 0, &out), -EPERM);
	assert_int_equal(call(&child, HC_DEVICE_LIST, 0x2000, 4, &out), -EPERM);
	assert_int_equal(call(&parent, HC_VF_ASSIGN, 0x180, 1, &out), 0);
	assert_int_equal(out.bdf, 0x180);
	assert_int_equal(out.target, 1);
	assert_int_equal(call(&parent, HC_VF_ASSIGN, 0x180, 0, &out), -EINVAL); /* itself */
	assert_int_equal(call(&parent, HC_VF_ASSIGN, 0x180, 99, &out), -ENOENT);
	assert_int_equal(call(&parent, HC_VF_ASSIGN, UINT64_MAX, 1, &out), -EINVAL);
	assert_int_equal(call(&parent, HC_VF_REVOKE, UINT64_MAX, 0, &out), -EINVAL);
	assert_int_equal(call(&parent, HC_DEVICE_LIST, 0x2000, 0, &out), -EINVAL);
	assert_int_equal(call(&parent, HC_DEVICE_LIST, 0x2000, HC_DEVICE_LIST_MAX + 1, &out),
			 -EINVAL);
	assert_int_equal(call(&parent, HC_DEVICE_LIST, MEM - 16, 2, &out), -EFAULT);
	assert_int_equal(call(&parent, HC_DEVICE_LIST, 0x2000, 2, &out), 0);
	assert_int_equal(out.len, 2 * sizeof(struct hv_device_status));
	assert_string_equal(hc_name(HC_VF_REVOKE), "vf-revoke");
}

static void test_console_write_buffer_checks(void **state)
{
	struct hc_call out;

	(void)state;
	assert_int_equal(call(&child, HC_CONSOLE_WRITE, 0x1000, 12, &out), 0);
	assert_int_equal(out.gpa, 0x1000);
	assert_int_equal(out.len, 12);
	assert_int_equal(call(&child, HC_CONSOLE_WRITE, MEM - 12, 12, &out), 0);
	assert_int_equal(call(&child, HC_CONSOLE_WRITE, MEM - 11, 12, &out), -EFAULT);
	assert_int_equal(call(&child, HC_CONSOLE_WRITE, MEM, 0, &out), -EFAULT);
	assert_int_equal(call(&child, HC_CONSOLE_WRITE, UINT64_MAX - 4, 8, &out), -EFAULT);
	assert_int_equal(call(&child, HC_CONSOLE_WRITE, 0, HC_CONSOLE_MAX + 1, &out), -E2BIG);
	assert_int_equal(call(&child, HC_CONSOLE_WRITE, 0, UINT64_MAX, &out), -E2BIG);
	assert_int_equal(call(&child, HC_CONSOLE_WRITE, 0, HC_CONSOLE_MAX, &out), 0);
}

static void test_parent_only_calls_refused_to_children(void **state)
{
	struct hc_call out;

	(void)state;
	for (uint64_t nr = HC_CONSOLE_READ; nr <= HC_DEVICE_LIST; nr++)
		assert_int_equal(call(&child, nr, 0x1000, 1, &out), -EPERM);
	assert_int_equal(call(&parent, HC_CONSOLE_READ, 0x1000, 16, &out), 0);
}

static void test_lifecycle_targets(void **state)
{
	struct hc_call out;

	(void)state;
	assert_int_equal(call(&parent, HC_PARTITION_STOP, 2, 0, &out), 0);
	assert_int_equal(out.target, 2);
	assert_int_equal(call(&parent, HC_PARTITION_RESTART, 3, 0, &out), -ENOENT);
	assert_int_equal(call(&parent, HC_PARTITION_START, UINT64_MAX, 0, &out), -ENOENT);
	assert_int_equal(call(&parent, HC_PARTITION_STOP, 0, 0, &out), -EINVAL); /* itself */
}

static void test_list_event_self_idle(void **state)
{
	struct hc_call out;
	uint64_t one = sizeof(struct hv_partition_status);

	(void)state;
	assert_int_equal(call(&parent, HC_PARTITION_LIST, 0x2000, 3, &out), 0);
	assert_int_equal(out.len, 3 * one);
	assert_int_equal(call(&parent, HC_PARTITION_LIST, 0x2000, 0, &out), -EINVAL);
	assert_int_equal(call(&parent, HC_PARTITION_LIST, 0x2000, HC_LIST_MAX + 1, &out),
			 -EINVAL);
	assert_int_equal(call(&parent, HC_PARTITION_LIST, MEM - one, 2, &out), -EFAULT);
	assert_int_equal(call(&parent, HC_PARTITION_EVENT, MEM - 8, 0, &out), -EFAULT);
	assert_int_equal(call(&child, HC_PARTITION_SELF, MEM - one, 0, &out), 0);
	assert_int_equal(call(&child, HC_PARTITION_SELF, MEM - one + 1, 0, &out), -EFAULT);
	assert_int_equal(call(&child, HC_IDLE, HC_IDLE_MAX_US, 0, &out), 0);
	assert_int_equal(call(&child, HC_IDLE, HC_IDLE_MAX_US + 1, 0, &out), -EINVAL);
	assert_int_equal(call(&child, HC_VERSION, 0, 0, &out), 0);
}

/* Any partition may ring, but only a channel its own boot info lists. */
static void test_channel_signal(void **state)
{
	static const struct hc_caller lonely = {.id = 2, .mem_size = MEM, .partition_count = 3};
	static const struct hc_caller full = {.id = 2, .mem_size = MEM, .partition_count = 3,
					      .channel_count = 99};
	struct hc_call out;

	(void)state;
	assert_int_equal(call(&child, HC_CHANNEL_SIGNAL, 0, 0, &out), 0);
	assert_int_equal(out.channel, 0);
	assert_int_equal(call(&child, HC_CHANNEL_SIGNAL, 1, 0, &out), -EINVAL);
	assert_int_equal(call(&parent, HC_CHANNEL_SIGNAL, 1, 0, &out), 0);
	assert_int_equal(out.channel, 1);
	assert_int_equal(call(&parent, HC_CHANNEL_SIGNAL, 2, 0, &out), -EINVAL);
	assert_int_equal(call(&parent, HC_CHANNEL_SIGNAL, UINT64_MAX, 0, &out), -EINVAL);
	assert_int_equal(call(&parent, HC_CHANNEL_SIGNAL, 1ULL << 32, 0, &out), -EINVAL);
	assert_int_equal(call(&lonely, HC_CHANNEL_SIGNAL, 0, 0, &out), -EINVAL);
	/* A count beyond the boot info's array is capped by the array. */
	assert_int_equal(call(&full, HC_CHANNEL_SIGNAL, HV_GUEST_MAX_CHANNELS - 1, 0, &out), 0);
	assert_int_equal(call(&full, HC_CHANNEL_SIGNAL, HV_GUEST_MAX_CHANNELS, 0, &out),
			 -EINVAL);
	assert_string_equal(hc_name(HC_CHANNEL_SIGNAL), "channel-signal");
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Whatever a hostile guest passes, an accepted buffer lies inside its memory. */
static void test_random_storm(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		uint64_t args[HC_ARGS], nr = xorshift(&seed) % 40;
		const struct hc_caller *c = (i & 1) ? &child : &parent;
		struct hc_call out;

		for (int a = 0; a < HC_ARGS; a++)
			args[a] = (i & 2) ? xorshift(&seed) % (2 * MEM) : xorshift(&seed);
		if (hc_decode(c, nr, args, &out) != 0)
			continue;
		assert_true(out.len <= MEM && out.gpa <= MEM - out.len);
		assert_true(c->parent || nr < HC_CONSOLE_READ || nr == HC_CHANNEL_SIGNAL);
		if (nr == HC_CHANNEL_SIGNAL)
			assert_true(out.channel < c->channel_count);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_numbers),
		cmocka_unit_test(test_console_write_buffer_checks),
		cmocka_unit_test(test_parent_only_calls_refused_to_children),
		cmocka_unit_test(test_lifecycle_targets),
		cmocka_unit_test(test_list_event_self_idle),
		cmocka_unit_test(test_random_storm),
		cmocka_unit_test(test_device_calls),
		cmocka_unit_test(test_channel_signal),
	};

	return cmocka_run_group_tests_name("hypercall_decode", tests, NULL, NULL);
}
