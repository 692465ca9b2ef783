/* xorshift64 with the shifts 13, 7, 17 (a full-period triple from Marsaglia's paper). */
#include "guests/lib/rand.h"

#define RAND_DEFAULT_SEED 0x9e3779b97f4a7c15ULL

void rand_seed(struct xorshift *rng, uint64_t seed)
{
	rng->state = seed ? seed : RAND_DEFAULT_SEED;
}

uint64_t rand_next(struct xorshift *rng)
{
	uint64_t x = rng->state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng->state = x;
	return x;
}
