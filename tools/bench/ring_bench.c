/*
 * `make bench`: the channel ring (guests/lib/ring.c) against DPDK's rte_ring
 * on the host, one producer thread and one consumer thread pinned to two
 * CPUs, 64-byte messages, batches of BATCH on both sides, in one run.
 *
 * The work per message is the same for every contender: the producer
 * writes the 64 bytes (eight words, seq * 8 + j) and the consumer reads all
 * 64 and sums them, checking word 0 for order; the sums are checked at the
 * end. Copy contenders build each batch in a local buffer that the ring
 * copies in, and copy out into a local buffer that the consumer sums;
 * zero-copy contenders write and sum the bytes in the ring itself.
 *
 * rte_ring carries the 64 bytes themselves as 64-byte elements (esize 64),
 * not pointers, through its copying calls and through its zero-copy ones
 * (rte_ring_peek_zc.h): our zero-copy calls are compared with both. It is
 * set up without the EAL: rte_ring_get_memsize_elem() and rte_ring_init()
 * on an aligned allocation, single producer and single consumer (which its
 * zero-copy API needs), 8192 slots (512 KiB). Ours uses
 * the netvsc ring's data size and adds an 8-byte header per message (72
 * bytes each), checks every header and index against a hostile peer, and
 * runs with and without the doorbell check (the full fence after each
 * batch that a producer whose consumer may sleep needs; rte_ring has no
 * notification at all). Our consumer polls (interrupt_mask set).
 *
 * The packed contenders put a whole batch in one ring packet, as NetVSC's
 * FRAME_BATCH does with frames: one header per batch, the messages back to
 * back. The target (ours >= 1.2x rte_ring) is read against
 * rte_ring's standard copying calls; the ratio against its zero-copy calls
 * is printed too. Both rings end near the machine's core-to-core transfer
 * rate at these sizes, which is why the figures close up.
 *
 * Without DPDK (built without HAVE_DPDK) only our ring runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv/types.h"

#include "guests/lib/ring.h"
#include "guests/lib/vmbus_layout.h"
#include "hv/log.h"

#ifdef HAVE_DPDK
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_ring_peek_zc.h>
#endif

#define MSG_SIZE       64
#define MSG_WORDS      (MSG_SIZE / 8)
#define BATCH	       32
#define MESSAGES       (10u * 1000 * 1000)
#define ROUNDS	       15
#define RTE_SLOTS      8192
#define MAX_CONTENDERS 12

struct msg {
	uint64_t w[MSG_WORDS];
};
_Static_assert(sizeof(struct msg) == MSG_SIZE, "64-byte messages");

enum api { API_COPY, API_ZC, API_COPY_BURST, API_ZC_PACKED };

/* One kind of ring under test: a producer and a consumer loop. */
struct contender {
	const char *name;
	void *(*setup)(void);
	void *(*produce)(void *arg);
	void *(*consume)(void *arg);
	bool ours;
	enum api api;
	bool doorbell; /* ours: check for a signal after each batch */
};

static int cpus[2];
static const struct contender *current; /* the one running */
static volatile int go;
static uint64_t consumer_errors;
static uint64_t consumer_sum;

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void wait_go(int cpu)
{
	pin(cpu);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		;
}

/* The producer's work: all 64 bytes of message seq, eight word stores. */
static inline void fill_msg(void *p, uint64_t seq)
{
	for (unsigned j = 0; j < MSG_WORDS; j++) {
		uint64_t w = seq * MSG_WORDS + j;

		__builtin_memcpy((uint8_t *)p + 8 * j, &w, 8);
	}
}

/* The consumer's work: eight word loads, summed; word 0 says the order. */
static inline uint64_t sum_msg(const void *p, uint64_t *next, uint64_t *errors)
{
	uint64_t w, s = 0;

	for (unsigned j = 0; j < MSG_WORDS; j++) {
		__builtin_memcpy(&w, (const uint8_t *)p + 8 * j, 8);
		s += w;
		if (j == 0)
			*errors += w != (*next)++ * MSG_WORDS;
	}
	return s;
}

static uint64_t expected_sum(void)
{
	uint64_t n = MESSAGES;

	return MSG_WORDS * MSG_WORDS * (n * (n - 1) / 2) + n * (MSG_WORDS * (MSG_WORDS - 1) / 2);
}

static void consumer_done(uint64_t sum, uint64_t errors)
{
	consumer_sum = sum;
	consumer_errors += errors;
}

static unsigned batch_of(uint64_t sent)
{
	return MESSAGES - sent < BATCH ? (unsigned)(MESSAGES - sent) : BATCH;
}

/* ---- ours --------------------------------------------------------------- */

/* On lines of their own: two threads write them all the time. */
static struct ring_end ours_prod __attribute__((aligned(128)));
static struct ring_end ours_cons __attribute__((aligned(128)));

static void *ours_produce_copy(void *arg)
{
	struct msg b[BATCH];
	struct ring_msg m[BATCH];
	bool sig, *sigp = current->doorbell ? &sig : NULL;

	(void)arg;
	wait_go(cpus[0]);
	for (unsigned i = 0; i < BATCH; i++)
		m[i] = (struct ring_msg){.type = 1, .len = MSG_SIZE, .buf = &b[i]};
	for (uint64_t sent = 0; sent < MESSAGES;) {
		unsigned n = batch_of(sent);
		int rc;

		for (unsigned i = 0; i < n; i++)
			fill_msg(&b[i], sent + i);
		while ((rc = ring_write_batch(&ours_prod, m, n, sigp)) == -ENOSPC)
			;
		if (rc < 0)
			return NULL;
		sent += n;
	}
	return NULL;
}

static void *ours_consume_copy(void *arg)
{
	struct msg b[BATCH];
	struct ring_rbuf v[BATCH];
	uint64_t next = 0, sum = 0, errors = 0;

	(void)arg;
	wait_go(cpus[1]);
	for (unsigned i = 0; i < BATCH; i++)
		v[i] = (struct ring_rbuf){.buf = &b[i], .cap = MSG_SIZE};
	/* A polling consumer: no doorbells wanted. */
	ring_read_begin(&ours_cons);
	while (next < MESSAGES) {
		int n = ring_read_batch(&ours_cons, v, BATCH);

		if (n < 0) {
			errors++;
			break;
		}
		for (int i = 0; i < n; i++)
			sum += sum_msg(&b[i], &next, &errors);
	}
	ring_read_end(&ours_cons);
	consumer_done(sum, errors);
	return NULL;
}

static void *ours_produce_zc(void *arg)
{
	bool sig, *sigp = current->doorbell ? &sig : NULL;

	(void)arg;
	wait_go(cpus[0]);
	for (uint64_t sent = 0; sent < MESSAGES;) {
		unsigned n = batch_of(sent), i = 0;
		void *p;

		while (i < n) {
			int rc = ring_reserve(&ours_prod, 1, MSG_SIZE, &p);

			if (rc == -ENOSPC) {
				ring_commit(&ours_prod, sigp);
				continue;
			}
			if (rc < 0)
				return NULL;
			fill_msg(p, sent + i++);
		}
		if (ring_commit(&ours_prod, sigp) < 0)
			return NULL;
		sent += n;
	}
	return NULL;
}

static void *ours_consume_zc(void *arg)
{
	uint64_t next = 0, sum = 0, errors = 0;

	(void)arg;
	wait_go(cpus[1]);
	ring_read_begin(&ours_cons);
	while (next < MESSAGES) {
		const void *p;
		uint32_t len;
		uint16_t type;
		int n, rc = 0;

		for (n = 0; n < BATCH && (rc = ring_peek(&ours_cons, &type, &p, &len)) > 0; n++)
			sum += sum_msg(p, &next, &errors);
		if (rc < 0 || ring_release(&ours_cons) < 0) {
			errors++;
			break;
		}
	}
	ring_read_end(&ours_cons);
	consumer_done(sum, errors);
	return NULL;
}

/*
 * Several messages per ring packet, the way NetVSC's FRAME_BATCH carries
 * frames: one header per batch instead of per message, so the messages sit
 * back to back, 64 bytes each, and the consumer walks them without waiting
 * for each header's length. The consumer checks the packet's length is a
 * whole number of messages (a hostile producer could send anything).
 */
static void *ours_produce_packed(void *arg)
{
	bool sig, *sigp = current->doorbell ? &sig : NULL;

	(void)arg;
	wait_go(cpus[0]);
	for (uint64_t sent = 0; sent < MESSAGES;) {
		unsigned n = batch_of(sent);
		void *p;
		int rc = ring_reserve(&ours_prod, 2, n * MSG_SIZE, &p);

		if (rc == -ENOSPC)
			continue;
		if (rc < 0)
			return NULL;
		for (unsigned i = 0; i < n; i++)
			fill_msg((uint8_t *)p + i * MSG_SIZE, sent + i);
		if (ring_commit(&ours_prod, sigp) < 0)
			return NULL;
		sent += n;
	}
	return NULL;
}

static void *ours_consume_packed(void *arg)
{
	uint64_t next = 0, sum = 0, errors = 0;

	(void)arg;
	wait_go(cpus[1]);
	ring_read_begin(&ours_cons);
	while (next < MESSAGES) {
		const void *p;
		uint32_t len;
		uint16_t type;
		int rc = ring_peek(&ours_cons, &type, &p, &len);

		if (rc == 0)
			continue;
		if (rc < 0 || len % MSG_SIZE) {
			errors++;
			break;
		}
		for (uint32_t off = 0; off < len; off += MSG_SIZE)
			sum += sum_msg((const uint8_t *)p + off, &next, &errors);
		if (ring_release(&ours_cons) < 0) {
			errors++;
			break;
		}
	}
	ring_read_end(&ours_cons);
	consumer_done(sum, errors);
	return NULL;
}

static void *ours_setup(void)
{
	static uint8_t *mem;

	free(mem);
	mem = aligned_alloc(4096, VMBUS_NET_RING_SIZE);
	if (!mem || ring_init_shared(mem, VMBUS_NET_DATA_SIZE) ||
	    ring_attach(&ours_prod, mem, mem + RING_CTRL_SIZE, VMBUS_NET_DATA_SIZE,
			RING_PRODUCER) ||
	    ring_attach(&ours_cons, mem, mem + RING_CTRL_SIZE, VMBUS_NET_DATA_SIZE, RING_CONSUMER))
		return NULL;
	return mem;
}

/* ---- DPDK --------------------------------------------------------------- */

#ifdef HAVE_DPDK
static struct rte_ring *rte;

static void *rte_produce_copy(void *arg)
{
	struct msg b[BATCH];

	(void)arg;
	wait_go(cpus[0]);
	for (uint64_t sent = 0; sent < MESSAGES;) {
		unsigned n = batch_of(sent);

		for (unsigned i = 0; i < n; i++)
			fill_msg(&b[i], sent + i);
		if (current->api == API_COPY_BURST) {
			for (unsigned done = 0; done < n;)
				done += rte_ring_sp_enqueue_burst_elem(rte, b + done, MSG_SIZE,
								       n - done, NULL);
		} else {
			while (rte_ring_sp_enqueue_bulk_elem(rte, b, MSG_SIZE, n, NULL) == 0)
				;
		}
		sent += n;
	}
	return NULL;
}

static void *rte_consume_copy(void *arg)
{
	struct msg b[BATCH];
	uint64_t next = 0, sum = 0, errors = 0;

	(void)arg;
	wait_go(cpus[1]);
	while (next < MESSAGES) {
		unsigned n = rte_ring_sc_dequeue_burst_elem(rte, b, MSG_SIZE, BATCH, NULL);

		for (unsigned i = 0; i < n; i++)
			sum += sum_msg(&b[i], &next, &errors);
	}
	consumer_done(sum, errors);
	return NULL;
}

/* Elements i of a zero-copy reservation: ptr1 up to n1, then ptr2 (after the wrap). */
static inline struct msg *zc_elem(const struct rte_ring_zc_data *z, unsigned i)
{
	return i < z->n1 ? (struct msg *)z->ptr1 + i : (struct msg *)z->ptr2 + (i - z->n1);
}

static void *rte_produce_zc(void *arg)
{
	struct rte_ring_zc_data z;

	(void)arg;
	wait_go(cpus[0]);
	for (uint64_t sent = 0; sent < MESSAGES;) {
		unsigned n =
		    rte_ring_enqueue_zc_burst_elem_start(rte, MSG_SIZE, batch_of(sent), &z, NULL);

		for (unsigned i = 0; i < n; i++)
			fill_msg(zc_elem(&z, i), sent + i);
		rte_ring_enqueue_zc_elem_finish(rte, n);
		sent += n;
	}
	return NULL;
}

static void *rte_consume_zc(void *arg)
{
	struct rte_ring_zc_data z;
	uint64_t next = 0, sum = 0, errors = 0;

	(void)arg;
	wait_go(cpus[1]);
	while (next < MESSAGES) {
		unsigned n = rte_ring_dequeue_zc_burst_elem_start(rte, MSG_SIZE, BATCH, &z, NULL);

		for (unsigned i = 0; i < n; i++)
			sum += sum_msg(zc_elem(&z, i), &next, &errors);
		rte_ring_dequeue_zc_elem_finish(rte, n);
	}
	consumer_done(sum, errors);
	return NULL;
}

static void *rte_setup(void)
{
	ssize_t size = rte_ring_get_memsize_elem(MSG_SIZE, RTE_SLOTS);

	free(rte);
	rte = size > 0 ? aligned_alloc(RTE_CACHE_LINE_SIZE, (size_t)size) : NULL;
	if (!rte || rte_ring_init(rte, "bench", RTE_SLOTS, RING_F_SP_ENQ | RING_F_SC_DEQ))
		return NULL;
	return rte;
}
#endif

/* ---- driver ------------------------------------------------------------- */

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One timed run in messages per second; 0 if it failed. */
static double run_once(const struct contender *c)
{
	pthread_t p, q;
	double t0, t1;

	if (!c->setup())
		return 0;
	go = 0;
	consumer_errors = 0;
	consumer_sum = 0;
	current = c;
	pthread_create(&p, NULL, c->produce, NULL);
	pthread_create(&q, NULL, c->consume, NULL);
	t0 = now();
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	pthread_join(p, NULL);
	pthread_join(q, NULL);
	t1 = now();
	if (consumer_errors || consumer_sum != expected_sum())
		return 0;
	return MESSAGES / (t1 - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * ROUNDS runs of each, the contenders taking turns so that other load on
 * the machine falls on all of them alike; best, median and worst. A failed
 * run fails its ring.
 */
static void run_all(const struct contender *c, double *best, unsigned n)
{
	static double rate[MAX_CONTENDERS][ROUNDS];

	for (int round = 0; round < ROUNDS; round++)
		for (unsigned i = 0; i < n; i++)
			rate[i][round] = run_once(&c[i]);
	printf("%-62s %8s %8s %8s  (Mmsg/s)\n", "", "best", "median", "worst");
	for (unsigned i = 0; i < n; i++) {
		qsort(rate[i], ROUNDS, sizeof(double), cmp_double);
		best[i] = rate[i][0] == 0 ? 0 : rate[i][ROUNDS - 1];
		printf("%-62s %8.1f %8.1f %8.1f%s\n", c[i].name, rate[i][ROUNDS - 1] / 1e6,
		       rate[i][ROUNDS / 2] / 1e6, rate[i][0] / 1e6, best[i] == 0 ? " FAILED" : "");
	}
}

/* The flags both rings were compiled with (one gcc run), from gcc's predefined macros. */
static void print_flags(void)
{
	printf("compiled: gcc %d.%d, "
#if defined(__OPTIMIZE_SIZE__)
	       "-Os"
#elif defined(__OPTIMIZE__)
	       "-O2 or higher"
#else
	       "-O0"
#endif
	       ", -march=%s, SSE4.2 %s, AVX2 %s, AVX-512 %s; ring.c and rte_ring's inline"
	       " enqueue/dequeue alike (guests build ring.c -O2 -mgeneral-regs-only)\n",
	       __GNUC__, __GNUC_MINOR__,
#if defined(__corei7__)
	       "corei7 (pkg-config libdpdk)",
#elif defined(__znver4__) || defined(__znver5__)
	       "native (znver)",
#else
	       "gcc default (x86-64)",
#endif
#ifdef __SSE4_2__
	       "on",
#else
	       "off",
#endif
#ifdef __AVX2__
	       "on",
#else
	       "off",
#endif
#ifdef __AVX512F__
	       "on"
#else
	       "off"
#endif
	);
}

/* Other jobs share these CPUs (boot tests run QEMU): say how busy the machine was. */
static void print_load(void)
{
	char buf[64] = "";
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	printf("load average before the run: %s", buf[0] ? buf : "unknown\n");
}

static void pick_cpus(void)
{
	cpu_set_t set;
	int n = 0;

	sched_getaffinity(0, sizeof(set), &set);
	for (int cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[n++] = cpu;
	if (n < 2)
		cpus[1] = cpus[0];
	printf("ring bench: %u messages of %d bytes, batches of %d, producer cpu%d, "
	       "consumer cpu%d, %d rounds in turns\n",
	       MESSAGES, MSG_SIZE, BATCH, cpus[0], cpus[1], ROUNDS);
	printf("every contender: producer writes 8 words per message, consumer reads and "
	       "sums all 8 and checks the order; copy = via local batch buffers, "
	       "zc = in the ring\n");
	printf("ours: 8-byte header per message (72 bytes in the ring), every header and "
	       "index checked against a hostile peer, consumer polls (masked); rte_ring: "
	       "64-byte slots, no checks, no notification\n");
	print_flags();
	print_load();
}

static const struct contender contenders[] = {
    {"ours copy: write_batch / read_batch, doorbell check", ours_setup, ours_produce_copy,
     ours_consume_copy, true, API_COPY, true},
    {"ours copy: write_batch / read_batch, no doorbell check", ours_setup, ours_produce_copy,
     ours_consume_copy, true, API_COPY, false},
    {"ours zc: reserve+commit / peek+release, doorbell check", ours_setup, ours_produce_zc,
     ours_consume_zc, true, API_ZC, true},
    {"ours zc: reserve+commit / peek+release, no doorbell check", ours_setup, ours_produce_zc,
     ours_consume_zc, true, API_ZC, false},
    {"ours zc packed: BATCH messages per ring packet, doorbell check", ours_setup,
     ours_produce_packed, ours_consume_packed, true, API_ZC_PACKED, true},
    {"ours zc packed: BATCH messages per ring packet, no doorbell check", ours_setup,
     ours_produce_packed, ours_consume_packed, true, API_ZC_PACKED, false},
#ifdef HAVE_DPDK
    {"rte_ring copy: sp_enqueue_bulk_elem / sc_dequeue_burst_elem", rte_setup, rte_produce_copy,
     rte_consume_copy, false, API_COPY, false},
    {"rte_ring copy: sp_enqueue_burst_elem / sc_dequeue_burst_elem", rte_setup, rte_produce_copy,
     rte_consume_copy, false, API_COPY_BURST, false},
    {"rte_ring zc: enqueue_zc_burst_elem / dequeue_zc_burst_elem", rte_setup, rte_produce_zc,
     rte_consume_zc, false, API_ZC, false},
#endif
};

_Static_assert(ARRAY_SIZE(contenders) <= MAX_CONTENDERS, "run_all's table holds them all");

/* Best rate among contenders of one side, one API class and doorbell setting (-1: any). */
static double best_of(const double *best, bool ours, int zc, int doorbell)
{
	double b = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(contenders); i++) {
		const struct contender *c = &contenders[i];

		if (c->api == API_ZC_PACKED)
			continue; /* compared on its own below */
		if (c->ours != ours || (zc >= 0 && (c->api == API_ZC) != zc) ||
		    (doorbell >= 0 && c->doorbell != doorbell))
			continue;
		if (best[i] > b)
			b = best[i];
	}
	return b;
}

/* Best rate of our packed contenders with the doorbell check on or off. */
static double best_packed(const double *best, bool doorbell)
{
	double b = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(contenders); i++)
		if (contenders[i].api == API_ZC_PACKED && contenders[i].doorbell == doorbell &&
		    best[i] > b)
			b = best[i];
	return b;
}

static void print_ratio(const char *what, double ours, double theirs)
{
	if (theirs > 0)
		printf("ratio %-66s %.2fx\n", what, ours / theirs);
}

int main(void)
{
	double best[ARRAY_SIZE(contenders)];

	pick_cpus();
#ifndef HAVE_DPDK
	printf("rte_ring: not built (no libdpdk-dev / pkg-config libdpdk): ours alone\n");
#endif
	run_all(contenders, best, ARRAY_SIZE(contenders));
	for (unsigned i = 0; i < ARRAY_SIZE(contenders); i++) {
		if (contenders[i].ours && best[i] == 0) {
			printf("ours: FAILED (ring error, lost or corrupt message)\n");
			return 1;
		}
	}
	/* Target (issue 6): ours >= 1.2x rte_ring. */
	print_ratio("ours zc, no doorbell / rte_ring copy (best of bulk, burst)",
		    best_of(best, true, 1, 0), best_of(best, false, 0, -1));
	print_ratio("ours zc, doorbell check / rte_ring copy (best of bulk, burst)",
		    best_of(best, true, 1, 1), best_of(best, false, 0, -1));
	print_ratio("ours zc, no doorbell / rte_ring zc (same API class)",
		    best_of(best, true, 1, 0), best_of(best, false, 1, -1));
	print_ratio("ours copy, no doorbell / rte_ring copy (same API class)",
		    best_of(best, true, 0, 0), best_of(best, false, 0, -1));
	print_ratio("ours packed, doorbell check / rte_ring copy (its standard calls)",
		    best_packed(best, true), best_of(best, false, 0, -1));
	print_ratio("ours packed, doorbell check / rte_ring best of all its calls",
		    best_packed(best, true), best_of(best, false, -1, -1));
	print_ratio("ours packed, no doorbell / rte_ring best of all its calls",
		    best_packed(best, false), best_of(best, false, -1, -1));
	return 0;
}

/* guests/lib/ring.c logs a broken ring through hv/log.h: to stderr here. */
void log_vwrite(enum log_level level, const char *subsys, const char *fmt, va_list ap)
{
	(void)level;
	fprintf(stderr, "%s: ", subsys);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_write(enum log_level level, const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, subsys, fmt, ap);
	va_end(ap);
}
