/*
 * The core's ticket lock under real contention: host threads stand in for
 * CPUs. Mutual exclusion (a non-atomic counter stays exact), the bounded
 * variant gives up on a lock that is held, and takes a free one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include "kernel/spinlock.h"

#define THREADS 2 /* no more than the CI machine's cores: tickets are served in order */
#define ROUNDS 100000

static struct spinlock lock = SPINLOCK_INIT;
static volatile uint64_t counter;

static void *hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		spin_lock(&lock);
		counter = counter + 1; /* read-modify-write: loses updates without the lock */
		spin_unlock(&lock);
	}
	return NULL;
}

static void test_mutual_exclusion(void **state)
{
	pthread_t t[THREADS];

	(void)state;
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(counter, (uint64_t)THREADS * ROUNDS);
	assert_int_equal(lock.next, lock.owner); /* free again, every ticket served */
}

static void test_bounded_lock(void **state)
{
	struct spinlock l = SPINLOCK_INIT;

	(void)state;
	assert_true(spin_lock_bounded(&l, 10));
	assert_false(spin_lock_bounded(&l, 1000)); /* held: gives up, takes no ticket */
	assert_int_equal(l.next, 1);
	spin_unlock(&l);
	assert_true(spin_lock_bounded(&l, 10));
	spin_unlock(&l);
	assert_int_equal(l.next, l.owner);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutual_exclusion),
		cmocka_unit_test(test_bounded_lock),
	};

	return cmocka_run_group_tests_name("spinlock", tests, NULL, NULL);
}
