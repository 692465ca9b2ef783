/*
 * hostile=hypercalls [count=N] [seed=S]: N hypercalls (default 100000)
 * with random numbers in 0..63 and random arguments from a seeded xorshift,
 * so a failing run can be replayed. Every result is counted: ok, or
 * refused by errno. The hypervisor must survive all of them and may stop
 * the child for flooding it with refused calls.
 */
#include "guests/lib/guest.h"
#include "guests/child/child.h"

#define FUZZ_DEFAULT_COUNT  100000
#define FUZZ_DEFAULT_SEED   0x243f6a8885a308d3ULL /* pi's fraction: nothing up the sleeve */
#define FUZZ_PROGRESS_EVERY 10000
#define FUZZ_NUMBERS	    64
#define FUZZ_ERRNO_SLOTS    128
#define FUZZ_VALUE_MAX	    24

struct fuzz_counts {
	uint64_t done, ok, refused;
	uint64_t by_errno[FUZZ_ERRNO_SLOTS]; /* slot 0: codes beyond the table */
};

static uint64_t option(const char *cmdline, const char *key, uint64_t fallback)
{
	char value[FUZZ_VALUE_MAX];
	uint64_t v;

	if (cmdline_get(cmdline, CHILD_CMDLINE_SIZE, key, value, sizeof(value)) ||
	    parse_u64(value, &v))
		return fallback;
	return v;
}

static void count_result(struct fuzz_counts *c, long ret)
{
	c->done++;
	if (ret >= 0) {
		c->ok++;
		return;
	}
	c->refused++;
	c->by_errno[-ret < FUZZ_ERRNO_SLOTS ? -ret : 0]++;
}

static void one_call(struct xorshift *rng, struct fuzz_counts *c)
{
	uint64_t nr = rand_next(rng) % FUZZ_NUMBERS;
	uint64_t a0 = rand_next(rng), a1 = rand_next(rng), a2 = rand_next(rng);
	uint64_t a3 = rand_next(rng), a4 = rand_next(rng);

	count_result(c, hc_raw(nr, a0, a1, a2, a3, a4));
}

static void print_errors(const struct fuzz_counts *c)
{
	char line[CONSOLE_LINE_MAX];
	struct strbuf sb = STRBUF_INIT(line, sizeof(line));

	strbuf_printf(&sb, "hostile errors");
	for (unsigned e = 1; e < FUZZ_ERRNO_SLOTS; e++) {
		if (c->by_errno[e])
			strbuf_printf(&sb, " %s=%lu", errno_name(-(int)e), c->by_errno[e]);
	}
	if (c->by_errno[0])
		strbuf_printf(&sb, " other=%lu", c->by_errno[0]);
	printf("%s\n", line);
}

void hostile_hypercalls(const struct hv_guest_boot_info *bi, const char *cmdline)
{
	uint64_t count = option(cmdline, "count", FUZZ_DEFAULT_COUNT);
	uint64_t seed = option(cmdline, "seed", FUZZ_DEFAULT_SEED);
	struct fuzz_counts c;
	struct xorshift rng;

	(void)bi;
	memset(&c, 0, sizeof(c));
	rand_seed(&rng, seed);
	printf("hostile action=hypercalls count=%lu seed=0x%lx\n", count, seed);
	while (c.done < count) {
		one_call(&rng, &c);
		if (c.done % FUZZ_PROGRESS_EVERY == 0)
			printf("hostile progress=%lu ok=%lu refused=%lu\n", c.done, c.ok,
			       c.refused);
	}
	printf("hostile done=%lu ok=%lu refused=%lu\n", c.done, c.ok, c.refused);
	print_errors(&c);
}
