/* test_scenarios.c — shipped iaas scenarios run in process: the verdict, the ground truth behind
 * it in each run (baseline against protected), every delivered message reported, and the same
 * metrics for the same seed. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "scenario_run.h"

static json_t *run_file(const char *name)
{
    return run_module_scenario("iaas", name);
}

Test(iaas_scenarios, shared_snapshot_read_by_the_outsider_only_without_the_allowlist)
{
    json_t *e = run_file("share-snapshot.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "control", "leak.canary_reads"), 0);
    cr_assert_eq(metric(e, "baseline", "leak.canary_reads"), 1);
    cr_assert_eq(metric(e, "protected", "leak.canary_reads"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.guardrail"), 1);
    cr_assert_eq(metric(e, "protected", "audit.expected_missing"), 0);
    assert_all_reported(e);
    json_decref(e);
}

Test(iaas_scenarios, stopped_trail_hides_an_accepted_action)
{
    json_t *e = run_file("trail-stop.yaml");
    cr_assert_str_eq(verdict(e), "holds");
    /* StopLogging, CreateAccessKey, StartLogging carried out; only the first recorded */
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.injected.iaas.api_request"), 3);
    cr_assert_eq(metric(e, "baseline", "audit.correlated_allowed"), 1);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.injected.iaas.api_request"),
                 metric(e, "protected", "audit.correlated_allowed"));
    cr_assert_eq(metric(e, "protected", "audit.chain_breaks"), 0);
    assert_all_reported(e);
    json_decref(e);
}

Test(iaas_scenarios, noisy_neighbour_is_measured_on_the_victim)
{
    json_t *e = run_file("noisy-neighbour.yaml"); /* the first point: cpu, 40 threads */
    cr_assert_str_eq(verdict(e), "holds");
    cr_assert_eq(metric(e, "control", "victim.worst_ratio"), 1);
    cr_assert_lt(metric(e, "baseline", "victim.worst_ratio"), 0.5);
    cr_assert_eq(metric(e, "protected", "victim.worst_ratio"), 1);
    cr_assert_gt(metric(e, "protected", "hypervisor.throttled_ticks"), 0);
    json_decref(e);
}

Test(iaas_scenarios, same_seed_gives_the_same_metrics)
{
    json_t *a = run_file("remanence.yaml"), *b = run_file("remanence.yaml");
    for (int r = 0; r < 3; r++) {
        const char *run = r == 0 ? "control" : r == 1 ? "baseline" : "protected";
        json_t *ma = json_object_get(json_object_get(json_object_get(a, "runs"), run), "metrics");
        const char *k;
        json_t *v;
        cr_assert_gt(json_object_size(ma), 10);
        json_object_foreach(ma, k, v)
        {
            if (strncmp(k, "cost.", 5) != 0)
                cr_assert_eq(json_number_value(v), metric(b, run, k), "%s %s differs", run, k);
        }
    }
    cr_assert_eq(metric(a, "baseline", "leak.canary_reads"), 1);
    json_decref(a);
    json_decref(b);
}

Test(iaas_scenarios, api_flood_starves_the_victim_only_without_quotas)
{
    json_t *e = run_file("api-flood.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    double sent = metric(e, "baseline", "victim.api_sent");
    cr_assert_gt(sent, 100);
    cr_assert_eq(metric(e, "control", "victim.api_ok"), metric(e, "control", "victim.api_sent"));
    /* the window is the flood's after its first tenth: about one call in five gets through */
    cr_assert_lt(metric(e, "baseline", "victim.api_ok"), 0.3 * sent);
    cr_assert_gt(metric(e, "baseline", "ledger.rejected.reason.overloaded"), 1000);
    cr_assert_geq(metric(e, "protected", "victim.api_ok"), 0.99 * sent - 1);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.overloaded"), 0);
    cr_assert_gt(metric(e, "protected", "ledger.rejected.reason.throttled"), 1000);
    assert_all_reported(e);
    json_decref(e);
}
