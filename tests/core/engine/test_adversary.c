/* test_adversary.c — each core adversary action, run through the whole path (broker, ledger,
 * host, fixture module), judged by the ledger's metrics. */
#include "engine_util.h"

Test(adversary, replay_of_captured_pings_is_replayed_provenance_and_dedup_stops_it)
{
    json_t *e =
        run_fixture("mitigations: [dedup]\n"
                    "adversary: {capabilities: [capture, replay]}\n"
                    "actions:\n"
                    "  - {at: 5s, capture: {match: {type: fixture.ping}, count: 6, as: old}}\n"
                    "  - {at: 30s, replay: {capture: old}}\n"
                    "success: [ledger.accepted.replayed > 0]\n"
                    "service: [ledger.accepted.genuine == ledger.delivered.genuine]\n"
                    "detection: [ledger.rejected.reason.replay >= 6]\n");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "adversary.captured"), 6);
    cr_assert_eq(metric(e, "baseline", "ledger.sent.replayed"), 6);
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.replayed"), 6);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.replayed"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.replay"), 6);
    json_decref(e);
}

Test(adversary, drop_removes_matching_messages_and_counts_them)
{
    json_t *e = run_fixture("mitigations: []\n"
                            "adversary: {capabilities: [drop]}\n"
                            "actions:\n"
                            "  - {at: 0s, drop: {match: {src: node-1}}}\n"
                            "success: [ledger.dropped.genuine > 0]\n");
    /* node-1 sends one ping per second for a minute; every one is dropped */
    cr_assert_geq(metric(e, "baseline", "ledger.dropped.genuine"), 59);
    cr_assert_eq(metric(e, "baseline", "adversary.dropped"),
                 metric(e, "baseline", "ledger.dropped.genuine"));
    cr_assert_leq(metric(e, "baseline", "ledger.delivered.all")
                      + metric(e, "baseline", "ledger.dropped.all"),
                  metric(e, "baseline", "ledger.sent.all"));
    /* with nothing under test, the verdict can never be holds */
    cr_assert_str_eq(verdict(e), "fails");
    json_decref(e);
}

Test(adversary, modify_replaces_the_message_and_auth_rejects_the_copy)
{
    json_t *e = run_fixture(
        "mitigations: [auth]\n"
        "adversary: {capabilities: [modify]}\n"
        "actions:\n"
        "  - {at: 10s, modify: {match: {type: fixture.ping}, count: 5, offset: 7, xor: \"01\"}}\n"
        "success: [ledger.accepted.modified > 0]\n"
        "detection: [ledger.rejected.reason.auth >= 5]\n");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "baseline", "ledger.sent.modified"), 5);
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.modified"), 5);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.modified"), 5);
    json_decref(e);
}

Test(adversary, inject_raw_bytes_is_injected_provenance)
{
    json_t *e = run_fixture("mitigations: [auth]\n"
                            "adversary: {capabilities: [inject]}\n"
                            "actions:\n"
                            "  - {at: 3s, inject: {src: node-0, dst: sink-0, type: fixture.ping,"
                            " payload: \"00000000000003e8000000000102030405060708\"}}\n"
                            "success: [ledger.accepted.injected > 0]\n");
    cr_assert_str_eq(verdict(e), "holds");
    cr_assert_eq(metric(e, "baseline", "ledger.sent.injected"), 1);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.auth"), 1);
    json_decref(e);
}

/* The fixture's beacon kind declares no on_message: the host rejects what reaches it with the
 * core's reason no_receiver, in both runs, and the module never sees it. */
Test(adversary, a_message_to_a_kind_without_a_receiver_is_rejected_as_no_receiver)
{
    size_t n;
    const char *yaml =
        "id: fixture/beacon\ntitle: beacon\nmodule: fixture\n"
        "requirements: [FIX-R-AUTH]\nseed: 3\nduration: 10s\n"
        "topology: {node: 2, sink: 1, beacon: 1}\nmitigations: [auth]\n"
        "adversary: {capabilities: [inject]}\nactions:\n"
        "  - {at: 3s, inject: {dst: beacon-0, type: fixture.ping, payload: \"00\"}}\n"
        "success: [ledger.rejected.reason.no_receiver > 0]\n";
    sg17_registry_t reg = sg17_loader_registry();
    sg17_scenario_t *s = NULL;
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_scenario_parse(yaml, strlen(yaml), "b.yaml", &reg, &s, &n, &err), 0, "%s",
                 err.msg);
    json_t *e = sg17_engine_run_scenario(&s[0], NULL);
    sg17_scenarios_free(s, n);
    cr_assert_eq(metric(e, "baseline", "ledger.rejected.reason.no_receiver"), 1);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.no_receiver"), 1);
    cr_assert_eq(metric(e, "baseline", "ledger.rejected.injected"), 1);
    cr_assert_eq(metric(e, "baseline", "bus.report_anomalies"), 0);
    json_decref(e);
}

Test(adversary, flood_sends_rate_times_duration_messages)
{
    json_t *e = run_fixture("mitigations: []\n"
                            "adversary: {capabilities: [flood]}\n"
                            "actions:\n"
                            "  - {at: 10s, flood: {dst: sink-0, type: fixture.ping, payload: "
                            "\"00\", rate: 50, for: 4s}}\n"
                            "success: [ledger.rejected.reason.malformed >= 200]\n");
    cr_assert_eq(metric(e, "baseline", "adversary.flooded"), 200);
    cr_assert_eq(metric(e, "baseline", "ledger.sent.injected"), 200);
    json_decref(e);
}

Test(adversary, delay_postpones_delivery_past_the_end_of_the_run)
{
    json_t *e = run_fixture("mitigations: []\n"
                            "adversary: {capabilities: [delay]}\n"
                            "actions:\n"
                            "  - {at: 50s, delay: {match: {src: node-2}, by: 30s}}\n"
                            "success: [adversary.delayed > 0]\n");
    double delayed = metric(e, "baseline", "adversary.delayed");
    cr_assert_geq(delayed, 9);
    /* delayed beyond the 1 min horizon: sent but never delivered */
    cr_assert_geq(metric(e, "baseline", "ledger.sent.genuine")
                      - metric(e, "baseline", "ledger.delivered.genuine"),
                  delayed);
    json_decref(e);
}

Test(adversary, compromise_marks_later_sends_from_compromised)
{
    json_t *e = run_fixture("mitigations: []\n"
                            "adversary: {capabilities: [compromise, observe]}\n"
                            "actions:\n"
                            "  - {at: 0s, observe: {match: {type: fixture.ping}}}\n"
                            "  - {at: 30s, compromise: {entity: node-0}}\n"
                            "success: [ledger.accepted.from_compromised > 0]\n");
    /* node-0 pings at 0s, 1s, ... 60s: those from 30s on are the adversary's */
    cr_assert_eq(metric(e, "baseline", "ledger.sent.from_compromised"), 31);
    cr_assert_eq(metric(e, "baseline", "adversary.observed"),
                 metric(e, "baseline", "ledger.sent.all"));
    cr_assert_eq(metric(e, "baseline", "adversary.compromised"), 1);
    json_decref(e);
}

/* A compromise in the middle of a lookahead window: the ping node-0 sent at 30s, earlier in the
 * same window, was still genuine. */
Test(adversary, compromise_mid_window_leaves_earlier_sends_genuine)
{
    json_t *e = run_fixture("mitigations: []\n"
                            "adversary: {capabilities: [compromise]}\n"
                            "actions:\n"
                            "  - {at: 30.0015s, compromise: {entity: node-0}}\n"
                            "success: [ledger.accepted.from_compromised > 0]\n");
    cr_assert_eq(metric(e, "baseline", "ledger.sent.from_compromised"), 30);
    json_decref(e);
}

Test(adversary, module_attack_forge_is_stopped_by_auth)
{
    json_t *e = run_fixture("mitigations: [auth]\n"
                            "adversary: {capabilities: [forge]}\n"
                            "actions:\n"
                            "  - {at: 20s, forge: {node: 1, count: 3}}\n"
                            "success: [ledger.accepted.injected >= 3]\n"
                            "service: [sink.accepted >= 0.99 * node.sent]\n");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.auth"), 3);
    json_decref(e);
}
