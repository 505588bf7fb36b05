/* test_sim.c — the naas system under test: shipped scenarios run in process (the attack's frames
 * reach a receiving endpoint in baseline and none do when protected, every delivery reported,
 * the truth table wrong without the mitigation and right with it), and entity checks through the
 * mock context. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "mock_ctx.h"
#include "proto/frame.h"
#include "scenario_run.h"

extern const sg17_module_t sg17_module;

static json_t *run_file(const char *name)
{
    return run_module_scenario("naas", name);
}

Test(naas_scenarios, cross_tenant_frames_land_without_isolation_and_not_with_it)
{
    json_t *e = run_file("cross-tenant-reach.yaml");
    cr_assert_str_eq(verdict(e), "holds");
    cr_assert_gt(metric(e, "baseline", "ledger.accepted.from_compromised.naas.delivery"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.from_compromised.naas.delivery"), 0);
    cr_assert_gt(metric(e, "baseline", "truth.reachable_unexpected"), 0);
    cr_assert_eq(metric(e, "protected", "truth.incorrect"), 0);
    cr_assert_gt(metric(e, "protected", "truth.correct"), 0);
    cr_assert_eq(metric(e, "protected", "truth.cells"),
                 metric(e, "protected", "truth.correct")
                     + metric(e, "protected", "truth.unmeasured"));
    for (int r = 0; r < 3; r++) {
        const char *run = r == 0 ? "control" : r == 1 ? "baseline" : "protected";
        cr_assert_eq(metric(e, run, "ledger.unreported.all"), 0, "%s", run);
    }
    json_decref(e);
}

static const char *truth_table(json_t *e, const char *run)
{
    return json_string_value(json_object_get(
        json_object_get(json_object_get(json_object_get(e, "runs"), run), "artifacts"),
        "truth_table"));
}

Test(naas_scenarios, the_truth_table_reaches_the_report_entry_with_the_probe_of_each_wrong_cell)
{
    json_t *e = run_file("cross-tenant-reach.yaml");
    const char *b = truth_table(e, "baseline"), *p = truth_table(e, "protected");
    cr_assert_not_null(b);
    cr_assert_not_null(p);
    cr_assert_not_null(strstr(b, "correct 16, incorrect 8, could not measure 12"), "%s", b);
    cr_assert_not_null(strstr(b, "tenant-1 -> endpoint-0:22/udp  expected X observed .  probe: "
                                 "endpoint-3 udp 10.0.1.10:33434 -> 10.0.0.10:22"),
                       "%s", b);
    cr_assert_not_null(strstr(b, "tenant-0    ...XXX  tenant-0    ..!..!  tenant-0    ..!XX!"),
                       "%s", b);
    cr_assert_not_null(strstr(p, "correct 24, incorrect 0, could not measure 12"), "%s", p);
    cr_assert_null(strstr(p, "wrong cells"));
    json_decref(e);
}

Test(naas_scenarios, chain_bypass_needs_the_chain_header_integrity)
{
    json_t *e = run_file("chain-bypass.yaml");
    cr_assert_str_eq(verdict(e), "holds");
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.from_compromised.naas.delivery"), 5);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.chain_integrity"), 5);
    cr_assert_gt(metric(e, "protected", "sf.blocked"), 0);
    json_decref(e);
}

Test(naas_scenarios, a_route_leak_lands_in_the_other_tenant_without_vrfs_and_not_with_them)
{
    json_t *e = run_file("vrouter-route-leak.yaml");
    cr_assert_str_eq(verdict(e), "holds");
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.from_compromised.naas.delivery"), 5);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.from_compromised.naas.delivery"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.no_route"), 5);
    for (int r = 0; r < 3; r++) {
        const char *run = r == 0 ? "control" : r == 1 ? "baseline" : "protected";
        cr_assert_gt(metric(e, run, "vrouter.routed"), 0, "%s", run);
        cr_assert_gt(metric(e, run, "endpoint.app_received"), 0, "%s", run);
        cr_assert_eq(metric(e, run, "truth.incorrect"), 0, "%s", run);
        cr_assert_eq(metric(e, run, "ledger.unreported.all"), 0, "%s", run);
    }
    json_decref(e);
}

Test(naas_scenarios, a_forged_routed_path_needs_the_chain_header_integrity)
{
    json_t *e = run_file("vrouter-context-forge.yaml");
    cr_assert_str_eq(verdict(e), "holds");
    cr_assert_eq(metric(e, "baseline", "ledger.accepted.from_compromised.naas.delivery"), 5);
    cr_assert_eq(metric(e, "protected", "ledger.accepted.from_compromised.naas.delivery"), 0);
    cr_assert_eq(metric(e, "protected", "ledger.rejected.reason.chain_integrity"), 5);
    /* the forged frames skipped the vFW: it passed only the genuine routed flow */
    cr_assert_eq(metric(e, "baseline", "sf.passed"), metric(e, "control", "sf.passed"));
    json_decref(e);
}

Test(naas_scenarios, enforcement_lag_beyond_the_bound_is_degraded)
{
    json_t *e = run_file("enforce-window-slow.yaml");
    cr_assert_str_eq(verdict(e), "degraded");
    cr_assert_gt(metric(e, "baseline", "ledger.accepted.from_compromised.naas.delivery"), 0);
    cr_assert_gt(metric(e, "protected", "tenant.enforce_wait_max_s"), 2.0);
    json_decref(e);
}

Test(naas_scenarios, same_seed_gives_the_same_metrics)
{
    json_t *a = run_file("arp-poison-gateway.yaml"), *b = run_file("arp-poison-gateway.yaml");
    json_t *ma =
        json_object_get(json_object_get(json_object_get(a, "runs"), "baseline"), "metrics");
    const char *k;
    json_t *v;
    json_object_foreach(ma, k, v)
    {
        if (strncmp(k, "cost.", 5) == 0)
            continue;
        cr_assert_eq(json_number_value(v), metric(b, "baseline", k), "%s", k);
    }
    json_decref(a);
    json_decref(b);
}

/* A frame from endpoint-1 carrying endpoint-0's MAC, delivered to endpoint-1's switch. */
static const sg17_mock_report_t *spoofed(sg17_mock_t *m)
{
    uint8_t f[128];
    const uint8_t dst[6] = {0x02, 0x4e, 0x41, 0, 0, 3}, src[6] = {0x02, 0x4e, 0x41, 0, 0, 0};
    naasp_udp_t u = {.src = 0x0a00000b,
                     .dst = 0x0a00010a,
                     .sport = 1,
                     .dport = 22,
                     .data = (const uint8_t *)"x",
                     .data_len = 1};
    size_t n = naasp_udp_build(f, sizeof f, dst, src, &u);
    return sg17_mock_deliver(m, sg17_mock_entity(m, "endpoint-1"), sg17_mock_entity(m, "vswitch-1"),
                             "naas.frame", f, n);
}

Test(naas_entities, the_source_guard_drops_another_ports_mac)
{
    for (int on = 0; on < 2; on++) {
        sg17_mock_t *m = sg17_mock_new(&sg17_module);
        sg17_mock_mitigation(m, "source_guard", on);
        sg17_mock_mitigation(m, "tenant_isolation", false);
        cr_assert_eq(sg17_mock_create(m), 0, "%s", sg17_mock_last_log(m));
        sg17_mock_start(m);
        sg17_mock_run_until(m, 3 * SG17_SEC);
        const sg17_mock_report_t *r = spoofed(m);
        if (on)
            cr_assert_str_eq(r->reason, "spoof_mac");
        else
            cr_assert(r->accepted, "%s", r->reason ? r->reason : "");
        sg17_mock_free(m);
    }
}

Test(naas_entities, garbage_on_every_route_is_rejected_as_malformed)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    cr_assert_eq(sg17_mock_create(m), 0);
    sg17_mock_start(m);
    sg17_mock_run_until(m, 3 * SG17_SEC);
    static const char *const routes[][3] = {
        {"naas.api", "tenant-0", "controller-0"},  {"naas.frame", "endpoint-0", "vswitch-0"},
        {"naas.vxlan", "vtep-1", "vtep-0"},        {"naas.delivery", "vswitch-0", "endpoint-0"},
        {"naas.audit", "controller-0", "audit-0"}, {"naas.audit_export", "audit-0", "anchor-0"},
        {"naas.nsh", "vswitch-0", "sf-0"},         {"naas.program", "controller-0", "vswitch-1"},
    };
    const uint8_t junk[20] = {0xde, 0xad};
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const sg17_mock_report_t *r =
            sg17_mock_deliver(m, sg17_mock_entity(m, routes[i][1]),
                              sg17_mock_entity(m, routes[i][2]), routes[i][0], junk, sizeof junk);
        cr_assert_not(r->accepted, "%s", routes[i][0]);
        if (strcmp(routes[i][0], "naas.frame") == 0) /* 14+ octets parse as Ethernet */
            cr_assert_str_eq(r->reason, "spoof_mac");
        else if (strcmp(routes[i][0], "naas.delivery") == 0) /* for another MAC */
            cr_assert_str_eq(r->reason, "not_for_me");
        else
            cr_assert_str_eq(r->reason, "malformed", "%s -> %s", routes[i][0], routes[i][2]);
    }
    sg17_mock_free(m);
}

Test(naas_entities, an_unknown_backend_is_an_error_not_a_verdict)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_config(m, "backend", "dpdk");
    cr_assert_eq(sg17_mock_create(m), -1);
    cr_assert_not_null(strstr(sg17_mock_last_log(m), "backend 'dpdk': expected sim or linux"));
    sg17_mock_free(m);
}
