/* seeds.c — `sg17tb run --seeds K` (or `repeat: K` in a scenario): a scenario run over K derived
 * seeds, and its entry of report.json with the verdict distribution and, for every metric the
 * conditions read, the mean and 95 % interval per run (docs/report.md, "Verdicts over seeds"). */
#include "engine/seeds.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* SplitMix64: a well-mixed 64-bit function of its input, to derive seed i from the scenario's. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

uint64_t sg17_seed_derive(uint64_t seed, unsigned i)
{
    /* seed 0 of the K is the scenario's own, so one replicate is the plain run; a derived seed
     * stays within JSON's exact integers (53 bits) */
    return i == 0 ? seed : mix64(seed ^ mix64(i)) >> 11;
}

/* Student's t quantile t(0.975, df) for df = 1..30; beyond, the normal 1.96. */
static double t975(unsigned df)
{
    static const double t[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                               2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                               2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                               2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
    return df == 0 ? 0 : df <= 30 ? t[df - 1] : 1.96;
}

/* The precedence of the verdicts, most severe first (docs/architecture.md §8). */
static const char *const severity[] = {"error", "vacuous", "fails", "degraded", "holds"};

static int rank(const char *v)
{
    for (int i = 0; i < 5; i++)
        if (v && !strcmp(v, severity[i]))
            return i;
    return 0;
}

/* The metric names the entry's conditions read, as a set (object name -> true). */
static void judged(const json_t *e, json_t *set)
{
    size_t i, k;
    json_t *c, *m;
    json_array_foreach(json_object_get(e, "conditions"), i, c)
        json_array_foreach(json_object_get(c, "metrics"), k, m) if (json_is_string(m))
            json_object_set_new(set, json_string_value(m), json_true());
}

/* {mean, ci95: [lo, hi], min, max, n} of one metric of one run over the entries. */
static json_t *stats_of(json_t *const *entries, unsigned k, const char *run, const char *name)
{
    double sum = 0, sq = 0, lo = INFINITY, hi = -INFINITY;
    unsigned n = 0;
    for (unsigned i = 0; i < k; i++) {
        json_t *m = json_object_get(
            json_object_get(json_object_get(json_object_get(entries[i], "runs"), run), "metrics"),
            name);
        json_t *runs = json_object_get(json_object_get(entries[i], "runs"), run);
        if (!runs)
            continue; /* the run did not happen (an error before it) */
        double v = json_is_number(m) ? json_number_value(m) : 0; /* a missing metric reads 0 */
        sum += v;
        sq += v * v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        n++;
    }
    if (n == 0)
        return NULL;
    double mean = sum / n;
    double var = n > 1 ? (sq - n * mean * mean) / (n - 1) : 0;
    double half = n > 1 && var > 0 ? t975(n - 1) * sqrt(var / n) : 0;
    return json_pack("{s:f, s:[f, f], s:f, s:f, s:i}", "mean", mean, "ci95", mean - half,
                     mean + half, "min", lo, "max", hi, "n", (json_int_t)n);
}

json_t *sg17_seeds_aggregate(json_t *const *entries, const uint64_t *seeds, unsigned k)
{
    json_t *out = json_deep_copy(entries[0]);
    if (!out)
        return NULL;
    json_t *counts = json_object(), *list = json_array();
    int worst = 4;
    for (unsigned i = 0; i < k; i++) {
        const char *v = json_string_value(json_object_get(entries[i], "verdict"));
        json_int_t c = json_integer_value(json_object_get(counts, v ? v : "error"));
        json_object_set_new(counts, v ? v : "error", json_integer(c + 1));
        json_array_append_new(list, json_integer((json_int_t)seeds[i]));
        if (rank(v) < worst)
            worst = rank(v);
    }
    bool unanimous = json_object_size(counts) == 1;
    json_t *names = json_object();
    for (unsigned i = 0; i < k; i++)
        judged(entries[i], names);
    json_t *metrics = json_object();
    static const char *const runs[] = {"control", "baseline", "protected"};
    for (size_t r = 0; r < 3; r++) {
        json_t *per = json_object();
        const char *name;
        json_t *unused;
        json_object_foreach(names, name, unused)
        {
            json_t *st = stats_of(entries, k, runs[r], name);
            if (st)
                json_object_set_new(per, name, st);
        }
        if (json_object_size(per))
            json_object_set_new(metrics, runs[r], per);
        else
            json_decref(per);
    }
    json_decref(names);
    double wall = 0;
    for (unsigned i = 0; i < k; i++)
        wall += json_is_number(json_object_get(entries[i], "wall_ms"))
                    ? json_number_value(json_object_get(entries[i], "wall_ms"))
                    : 0;
    json_object_set_new(out, "wall_ms", json_real(wall));
    json_object_set_new(out, "seeds",
                        json_pack("{s:i, s:o, s:o, s:b, s:o}", "count", (json_int_t)k, "list", list,
                                  "verdicts", counts, "unanimous", unanimous, "metrics", metrics));
    /* the overall verdict: unanimous, that verdict; otherwise the most severe one any seed gave
     * (a single seed on which the attack succeeds is a failure of the mitigation) */
    const char *overall = severity[worst];
    if (!unanimous) {
        char reason[1024];
        size_t used = (size_t)snprintf(reason, sizeof reason, "not unanimous over %u seeds (", k);
        bool comma = false;
        for (int v = 4; v >= 0; v--) {
            json_int_t c = json_integer_value(json_object_get(counts, severity[v]));
            if (!c || used >= sizeof reason)
                continue;
            used += (size_t)snprintf(reason + used, sizeof reason - used, "%s%s %lld/%u",
                                     comma ? ", " : "", severity[v], (long long)c, k);
            comma = true;
        }
        /* the reason is that of a seed that gave the overall verdict */
        const char *why = "";
        for (unsigned i = 0; i < k; i++)
            if (rank(json_string_value(json_object_get(entries[i], "verdict"))) == worst) {
                why = json_string_value(json_object_get(entries[i], "reason"));
                json_object_set(out, "conditions", json_object_get(entries[i], "conditions"));
                json_object_set(out, "runs", json_object_get(entries[i], "runs"));
                json_object_set(out, "error", json_object_get(entries[i], "error"));
                json_object_set_new(out, "seed", json_integer((json_int_t)seeds[i]));
                break;
            }
        if (used < sizeof reason)
            snprintf(reason + used, sizeof reason - used,
                     "): the most severe counts; on seed %lld: %s",
                     (long long)json_integer_value(json_object_get(out, "seed")), why ? why : "");
        json_object_set_new(out, "reason", json_string(reason));
    }
    json_object_set_new(out, "verdict", json_string(overall));
    const char *expect = json_string_value(json_object_get(out, "expect"));
    json_object_set_new(out, "matches_expect",
                        json_boolean(!strcmp(overall, expect ? expect : "holds")));
    return out;
}
