/* test_seeds.c — verdicts over several seeds (`--seeds K`, `repeat: K`): derived seeds, the
 * verdict distribution, the overall verdict of a split (the most severe), and the mean and 95 %
 * interval of each judged metric. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "engine/seeds.h"

/* An entry as the engine writes it, with one judged metric m read in both runs. */
static json_t *entry(const char *verdict, double baseline, double protected_)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:s, s:i, s:f, s:[{s:s, s:s, s:[s]}],"
                     " s:{s:{s:{s:f}}, s:{s:{s:f}}}}",
                     "id", "m/x", "verdict", verdict, "expect", "holds", "matches_expect",
                     !strcmp(verdict, "holds"), "reason", verdict, "seed", 1, "wall_ms", 10.0,
                     "conditions", "set", "success", "expr", "m > 0", "metrics", "m", "runs",
                     "baseline", "metrics", "m", baseline, "protected", "metrics", "m", protected_);
}

static double stat(const json_t *agg, const char *run, const char *key, int index)
{
    json_t *st = json_object_get(
        json_object_get(json_object_get(json_object_get(agg, "seeds"), "metrics"), run), "m");
    json_t *v = json_object_get(st, key);
    if (index >= 0)
        v = json_array_get(v, (size_t)index);
    cr_assert(json_is_number(v), "%s.%s missing", run, key);
    return json_number_value(v);
}

Test(seeds, derived_seeds_keep_the_first_and_are_distinct_and_exact_in_json)
{
    cr_assert_eq(sg17_seed_derive(42, 0), 42);
    uint64_t a = sg17_seed_derive(42, 1), b = sg17_seed_derive(42, 2);
    cr_assert_neq(a, b);
    cr_assert_neq(a, 42);
    cr_assert_lt(a, 1ull << 53);
    cr_assert_eq(sg17_seed_derive(42, 1), a, "deterministic");
    cr_assert_neq(sg17_seed_derive(43, 1), a, "depends on the scenario's seed");
}

Test(seeds, a_split_takes_the_most_severe_verdict_and_reports_the_distribution)
{
    json_t *e[3] = {entry("holds", 1, 0), entry("holds", 2, 0), entry("fails", 3, 6)};
    uint64_t seeds[3] = {42, 7, 9};
    json_t *agg = sg17_seeds_aggregate(e, seeds, 3);
    cr_assert_str_eq(json_string_value(json_object_get(agg, "verdict")), "fails");
    cr_assert(json_is_false(json_object_get(agg, "matches_expect")));
    json_t *sd = json_object_get(agg, "seeds");
    cr_assert(json_is_false(json_object_get(sd, "unanimous")));
    cr_assert_eq(json_integer_value(json_object_get(sd, "count")), 3);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(sd, "verdicts"), "holds")), 2);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(sd, "verdicts"), "fails")), 1);
    const char *reason = json_string_value(json_object_get(agg, "reason"));
    cr_assert_not_null(strstr(reason, "not unanimous over 3 seeds (holds 2/3, fails 1/3)"), "%s",
                       reason);
    /* the evidence shown is that of the seed that failed */
    cr_assert_eq(json_integer_value(json_object_get(agg, "seed")), 9);
    /* baseline 1, 2, 3: mean 2, s = 1, half width t(0.975, 2) / sqrt(3) = 4.303 / 1.732 */
    cr_assert_float_eq(stat(agg, "baseline", "mean", -1), 2.0, 1e-12);
    cr_assert_float_eq(stat(agg, "baseline", "ci95", 0), 2.0 - 4.303 / sqrt(3.0), 1e-9);
    cr_assert_float_eq(stat(agg, "baseline", "ci95", 1), 2.0 + 4.303 / sqrt(3.0), 1e-9);
    cr_assert_float_eq(stat(agg, "protected", "mean", -1), 2.0, 1e-12);
    cr_assert_float_eq(stat(agg, "protected", "max", -1), 6.0, 1e-12);
    cr_assert_float_eq(json_number_value(json_object_get(agg, "wall_ms")), 30.0, 1e-9);
    json_decref(agg);
    for (int i = 0; i < 3; i++)
        json_decref(e[i]);
}

Test(seeds, unanimous_seeds_keep_the_verdict_and_a_zero_width_interval_when_constant)
{
    json_t *e[2] = {entry("holds", 5, 0), entry("holds", 5, 0)};
    uint64_t seeds[2] = {1, 2};
    json_t *agg = sg17_seeds_aggregate(e, seeds, 2);
    cr_assert_str_eq(json_string_value(json_object_get(agg, "verdict")), "holds");
    cr_assert_str_eq(json_string_value(json_object_get(agg, "reason")), "holds");
    cr_assert(json_is_true(json_object_get(json_object_get(agg, "seeds"), "unanimous")));
    cr_assert_float_eq(stat(agg, "baseline", "ci95", 0), 5.0, 1e-12);
    cr_assert_float_eq(stat(agg, "baseline", "ci95", 1), 5.0, 1e-12);
    json_decref(agg);
    json_decref(e[0]);
    json_decref(e[1]);
}
