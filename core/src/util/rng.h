/* rng.h — the seeded random stream of a run (xoshiro256**, seeded through splitmix64).
 * Deterministic by design: the same seed gives the same stream on every machine. Not for keys. */
#ifndef SG17_UTIL_RNG_H
#define SG17_UTIL_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} sg17_rng_t;

void sg17_rng_seed(sg17_rng_t *rng, uint64_t seed, uint64_t stream);
uint64_t sg17_rng_next(sg17_rng_t *rng);
/* Uniform in [0, 1). */
double sg17_rng_double(sg17_rng_t *rng);

#endif
