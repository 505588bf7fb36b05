/* test_sim_scenarios.c — shipped v2x scenarios run in process through the engine and the module
 * host (real multicast): the baseline/protected difference each one claims, judged from the
 * ledger, every delivery reported, and the same seed giving the same metrics. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "scenario_run.h"

static json_t *run_file(const char *name)
{
    return run_module_scenario("v2x", name);
}

Test(v2x_scenarios, replay_inside_the_window_is_caught_by_the_duplicate_check_only)
{
    json_t *e = run_file("replay-inside-window.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_gt(metric(e, "baseline", "ledger.accepted.replayed.v2x.cam"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.replayed.v2x.cam"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.replay"),
                 metric(e, "protected", "ledger.delivered.replayed.v2x.cam"));
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.stale"), 0,
                 "inside the window: freshness alone lets them through");
    assert_all_reported(e);
    json_decref(e);
}

Test(v2x_scenarios, reports_get_the_insider_revoked_and_every_receiver_refuses_it)
{
    json_t *e = run_file("misbehaviour-revocation.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "aa.revoked_vehicles"), 0);
    cr_assert_eq(metric(e, "protected", "pki.revoked_attackers"), 1);
    cr_assert_eq(metric(e, "protected", "pki.revoked_honest"), 0);
    cr_assert_gt(metric(e, "protected", "ledger.rejected.reason.revoked"), 0);
    cr_assert_lt(metric(e, "protected", "mbd.time_to_revocation"), 5);
    assert_all_reported(e);
    json_decref(e);
}

Test(v2x_scenarios, a_slow_offset_below_the_range_threshold_fails_honestly)
{
    json_t *e = run_file("slow-offset-below-range.yaml");
    cr_assert_str_eq(verdict(e), "fails");
    double acc = metric(e, "protected", "ledger.accepted.from_compromised.v2x.cam");
    double del = metric(e, "protected", "ledger.delivered.from_compromised.v2x.cam");
    cr_assert_gt(del, 0);
    cr_assert_gt(acc, 0.9 * del, "the drift passes the local checks: %g of %g accepted", acc, del);
    json_decref(e);
}

Test(v2x_scenarios, same_seed_gives_the_same_metrics)
{
    json_t *a = run_file("forged-signature.yaml"), *b = run_file("forged-signature.yaml");
    for (int r = 0; r < 2; r++) {
        const char *run = r ? "protected" : "baseline";
        json_t *ma = json_object_get(json_object_get(json_object_get(a, "runs"), run), "metrics");
        const char *k;
        json_t *v;
        json_object_foreach(ma, k, v)
        {
            if (strncmp(k, "cost.", 5) == 0)
                continue;
            cr_assert_eq(json_number_value(v), metric(b, run, k), "%s %s", run, k);
        }
    }
    json_decref(a);
    json_decref(b);
}

Test(v2x_scenarios, the_aa_gives_an_outsider_ats_only_without_validation_by_the_ea)
{
    json_t *e = run_file("pki-outsider-authorization.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "attacker.ats_obtained"), 3);
    cr_assert_eq(metric(e, "protected", "attacker.ats_obtained"), 0);
    cr_assert_eq(metric(e, "protected", "ea.denied"), 3);
    cr_assert_eq(metric(e, "protected", "aa.refused"), 3);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.injected.v2x.cam"), 0);
    cr_assert_eq(metric(e, "control", "vehicle.enrolled"), 8);
    assert_all_reported(e);
    json_decref(e);
}

Test(v2x_scenarios, a_revoked_ec_obtains_ats_only_when_the_ea_ignores_its_status)
{
    json_t *e = run_file("pki-revoked-ec.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "attacker.ats_obtained"), 3);
    cr_assert_eq(metric(e, "baseline", "ea.denied"), 0);
    cr_assert_eq(metric(e, "protected", "attacker.ats_obtained"), 0);
    cr_assert_eq(metric(e, "protected", "ea.denied"), 3);
    cr_assert_gt(metric(e, "protected", "ledger.rejected.reason.psid"), 0,
                 "with no AT the adversary's CAMs carry an EC, which permits no CAM");
    assert_all_reported(e);
    json_decref(e);
}

Test(v2x_scenarios, a_replayed_at_request_is_served_twice_only_without_request_freshness)
{
    json_t *e = run_file("pki-request-replay.yaml");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "pki.issued_twice"), 2);
    cr_assert_eq(metric(e, "protected", "pki.issued_twice"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.request_replay"), 2);
    cr_assert_eq(metric(e, "control", "pki.issued_twice"), 0);
    assert_all_reported(e);
    json_decref(e);
}
