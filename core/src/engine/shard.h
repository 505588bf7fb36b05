/* shard.h — which slice of the scenarios one process runs (`--shard I/N`, `--shard auto`) and how
 * the scenarios are dealt to the slices: by cost, so that N machines finish at about the same
 * time. Every shard computes the same deal from the same inputs (the sorted scenario list and the
 * same costs), so the slices never overlap and together cover every scenario. */
#ifndef SG17_ENGINE_SHARD_H
#define SG17_ENGINE_SHARD_H

#include <stddef.h>

#include "util/diag.h"

/* Reads an environment variable (getenv, or a table in tests). */
typedef const char *(*sg17_env_fn)(const char *name);

/* `--shard auto`: the slice from the scheduler that started this process, looked up in this order:
 *   SG17TB_SHARD_INDEX + SG17TB_SHARD_COUNT  explicit (index 0-based), e.g. from a GitHub Actions
 *                                            matrix: ${{ strategy.job-index }}, ${{
 * strategy.job-total }} JOB_COMPLETION_INDEX (0-based)           Kubernetes Indexed Job; the count
 * from
 *     + JOB_COMPLETIONS or SG17TB_SHARD_COUNT  the Job's .spec.completions, passed as an env var
 *                                            (Kubernetes does not export it itself)
 *   SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN  Slurm job array (--array=0-3 or 1-4: both work);
 *     + SLURM_ARRAY_TASK_COUNT                 the array must be a contiguous range without step
 *   CI_NODE_INDEX (1-based) + CI_NODE_TOTAL  GitLab CI `parallel: N`
 * Sets *index (1-based, as --shard I/N) and *count, and *source to the scheduler's name. -1 with
 * the reason when none is present or a value is not a number in range. */
int sg17_shard_from_env(sg17_env_fn env, unsigned *index, unsigned *count, const char **source,
                        sg17_err_t *err);

/* Deals n jobs of the given costs (seconds, or any unit shared by all) to count shards: the
 * costliest first, each to the shard with the least cost so far (the longest-processing-time
 * rule; ties go to the lower shard and the earlier job). shard_of[i] = 0-based shard of job i.
 * Deterministic: the same costs give the same deal on every machine. */
void sg17_shard_deal(const double *cost, size_t n, unsigned count, unsigned *shard_of);

#endif
