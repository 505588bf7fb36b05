/* seeds.h — a scenario over K derived seeds (`sg17tb run --seeds K`, `repeat: K`): the seed of
 * each replicate, and the aggregate entry of report.json (docs/report.md, "Verdicts over seeds").
 */
#ifndef SG17_ENGINE_SEEDS_H
#define SG17_ENGINE_SEEDS_H

#include <jansson.h>
#include <stdint.h>

/* The seed of replicate i (0-based) of a scenario whose seed is `seed`: replicate 0 uses the
 * seed itself; the others a SplitMix64 mix of seed and i, below 2^53 (exact in JSON). */
uint64_t sg17_seed_derive(uint64_t seed, unsigned i);

/* One entry for K entries of the same scenario (borrowed) run with seeds[0..k-1]: the entry of
 * seed 0 (or, when the verdicts differ, of the first seed that gave the overall verdict) plus
 * "seeds": {count, list, verdicts: {verdict: n}, unanimous, metrics: {run: {metric: {mean,
 * ci95: [lo, hi], min, max, n}}}} for every metric the conditions read. The overall verdict is
 * the common one when unanimous, else the most severe any seed gave (error, vacuous, fails,
 * degraded, holds in that order); the reason then gives the distribution. wall_ms is the sum. */
json_t *sg17_seeds_aggregate(json_t *const *entries, const uint64_t *seeds, unsigned k);

#endif
