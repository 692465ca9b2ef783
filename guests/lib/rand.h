/*
 * A tiny xorshift64 generator (Marsaglia, "Xorshift RNGs", 2003): fast,
 * reproducible from its seed, not for anything secret.
 */
#ifndef GUESTS_LIB_RAND_H
#define GUESTS_LIB_RAND_H

#include "hv/types.h"

struct xorshift {
	uint64_t state;
};

/* Seed 0 would stay 0 forever; it is replaced by a fixed non-zero value. */
void rand_seed(struct xorshift *rng, uint64_t seed);
uint64_t rand_next(struct xorshift *rng);

#endif
