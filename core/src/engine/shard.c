/* shard.c — the slice of a sharded run: from the scheduler's environment, and dealt by cost. */
#include "engine/shard.h"

#include <stdlib.h>

#include "util/text.h"

/* A whole number in [lo, hi] from variable `name`; -1 with the reason otherwise. */
static int env_number(sg17_env_fn env, const char *name, long long lo, long long hi, long long *out,
                      sg17_err_t *err)
{
    const char *v = env(name);
    if (sg17_parse_int(v, out) < 0 || *out < lo || *out > hi)
        return sg17_err(err, "--shard auto: %s='%s' is not a whole number in %lld..%lld", name,
                        v ? v : "", lo, hi);
    return 0;
}

static bool present(sg17_env_fn env, const char *name)
{
    const char *v = env(name);
    return v && *v;
}

#define SHARDS_MAX 100000LL

int sg17_shard_from_env(sg17_env_fn env, unsigned *index, unsigned *count, const char **source,
                        sg17_err_t *err)
{
    long long i, n, min = 0;
    if (present(env, "SG17TB_SHARD_INDEX")) {
        *source = "SG17TB_SHARD_INDEX/SG17TB_SHARD_COUNT";
        if (!present(env, "SG17TB_SHARD_COUNT"))
            return sg17_err(err, "--shard auto: SG17TB_SHARD_INDEX is set but SG17TB_SHARD_COUNT "
                                 "is not");
        if (env_number(env, "SG17TB_SHARD_COUNT", 1, SHARDS_MAX, &n, err) < 0
            || env_number(env, "SG17TB_SHARD_INDEX", 0, n - 1, &i, err) < 0)
            return -1;
    } else if (present(env, "JOB_COMPLETION_INDEX")) {
        *source = "Kubernetes Indexed Job";
        const char *cn = present(env, "JOB_COMPLETIONS")      ? "JOB_COMPLETIONS"
                         : present(env, "SG17TB_SHARD_COUNT") ? "SG17TB_SHARD_COUNT"
                                                              : NULL;
        if (!cn)
            return sg17_err(err, "--shard auto: JOB_COMPLETION_INDEX is set (a Kubernetes Indexed "
                                 "Job) but the shard count is not: set JOB_COMPLETIONS to the "
                                 "Job's .spec.completions (see deploy/kubernetes/)");
        if (env_number(env, cn, 1, SHARDS_MAX, &n, err) < 0
            || env_number(env, "JOB_COMPLETION_INDEX", 0, n - 1, &i, err) < 0)
            return -1;
    } else if (present(env, "SLURM_ARRAY_TASK_ID")) {
        *source = "Slurm job array";
        if (!present(env, "SLURM_ARRAY_TASK_COUNT"))
            return sg17_err(err, "--shard auto: SLURM_ARRAY_TASK_ID is set but "
                                 "SLURM_ARRAY_TASK_COUNT is not");
        if (env_number(env, "SLURM_ARRAY_TASK_COUNT", 1, SHARDS_MAX, &n, err) < 0)
            return -1;
        if (present(env, "SLURM_ARRAY_TASK_MIN")
            && env_number(env, "SLURM_ARRAY_TASK_MIN", 0, 4000000000LL, &min, err) < 0)
            return -1;
        if (env_number(env, "SLURM_ARRAY_TASK_ID", min, min + n - 1, &i, NULL) < 0)
            return sg17_err(err,
                            "--shard auto: SLURM_ARRAY_TASK_ID='%s' is not in %lld..%lld "
                            "(SLURM_ARRAY_TASK_MIN + COUNT - 1): the array must be a "
                            "contiguous range such as --array=0-3, without a step",
                            env("SLURM_ARRAY_TASK_ID"), min, min + n - 1);
        i -= min;
    } else if (present(env, "CI_NODE_INDEX")) {
        *source = "GitLab CI parallel";
        if (!present(env, "CI_NODE_TOTAL"))
            return sg17_err(err, "--shard auto: CI_NODE_INDEX is set but CI_NODE_TOTAL is not");
        if (env_number(env, "CI_NODE_TOTAL", 1, SHARDS_MAX, &n, err) < 0
            || env_number(env, "CI_NODE_INDEX", 1, n, &i, err) < 0)
            return -1;
        i -= 1;
    } else {
        *source = NULL;
        return sg17_err(err, "--shard auto: no scheduler's shard index in the environment (looked "
                             "for SG17TB_SHARD_INDEX, JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, "
                             "CI_NODE_INDEX); give --shard I/N instead");
    }
    *index = (unsigned)i + 1;
    *count = (unsigned)n;
    return 0;
}

typedef struct {
    double cost;
    size_t job;
} costed_t;

static int costliest_first(const void *a, const void *b)
{
    const costed_t *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    return x->job < y->job ? -1 : x->job > y->job;
}

void sg17_shard_deal(const double *cost, size_t n, unsigned count, unsigned *shard_of)
{
    costed_t *order = malloc((n + 1) * sizeof *order);
    double *load = calloc(count ? count : 1, sizeof *load);
    if (!order || !load) { /* out of memory: deal round-robin, which needs nothing */
        for (size_t i = 0; i < n; i++)
            shard_of[i] = (unsigned)(i % (count ? count : 1));
        free(order);
        free(load);
        return;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (costed_t){cost[i] > 0 ? cost[i] : 0, i};
    qsort(order, n, sizeof *order, costliest_first);
    for (size_t k = 0; k < n; k++) {
        unsigned best = 0;
        for (unsigned s = 1; s < count; s++)
            if (load[s] < load[best])
                best = s;
        load[best] += order[k].cost;
        shard_of[order[k].job] = best;
    }
    free(order);
    free(load);
}
