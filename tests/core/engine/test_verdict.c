/* test_verdict.c — the verdict truth table, the reasons it gives, the control run (no adversary,
 * mitigations off) and what the report says when it is skipped, the determinism guard, and
 * adversary.compromised counting entities. */
#include <stdlib.h>
#include <unistd.h>

#include "engine/runner.h"
#include "engine/verdict.h"
#include "engine_util.h"
#include "report/report.h"

Test(verdict, truth_table_follows_design_precedence)
{
    struct {
        sg17_verdict_input_t in;
        sg17_verdict_t want;
    } rows[] = {
        {{.error = true, .success_baseline = true}, SG17_ERROR},
        {{.success_baseline = false, .success_protected = true}, SG17_VACUOUS},
        {{.success_baseline = true, .success_protected = true, .service_ok = true}, SG17_FAILS},
        {{.success_baseline = true, .has_service = true, .service_ok = false}, SG17_DEGRADED},
        {{.success_baseline = true, .has_service = true, .service_ok = true}, SG17_HOLDS},
        {{.success_baseline = true, .service_ok = true}, SG17_HOLDS},
        {{.success_baseline = true, .service_ok = true, .has_detection = true}, SG17_FAILS},
        {{.success_baseline = true,
          .service_ok = true,
          .has_detection = true,
          .detection_ok = true},
         SG17_HOLDS},
        {{.success_baseline = true, .has_service = true, .has_detection = true}, SG17_FAILS},
        /* a success condition that holds without any attack measures nothing */
        {{.has_control = true,
          .success_control = true,
          .success_baseline = true,
          .service_ok = true},
         SG17_VACUOUS},
        {{.has_control = true,
          .success_control = true,
          .success_baseline = true,
          .success_protected = true},
         SG17_VACUOUS},
        {{.has_control = true, .success_baseline = true, .service_ok = true}, SG17_HOLDS},
        /* skipped (--no-control): its result is not looked at */
        {{.success_control = true, .success_baseline = true, .service_ok = true}, SG17_HOLDS},
        /* error before vacuous */
        {{.error = true, .has_control = true, .success_control = true}, SG17_ERROR},
        /* nothing under test and yet the runs disagree: never holds, and error comes first */
        {{.success_baseline = true, .service_ok = true, .no_mitigations = true}, SG17_ERROR},
        {{.success_protected = true, .no_mitigations = true}, SG17_ERROR},
        {{.success_baseline = true, .success_protected = true, .no_mitigations = true}, SG17_FAILS},
        {{.no_mitigations = true}, SG17_VACUOUS},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *why = NULL;
        sg17_verdict_t v = sg17_verdict_decide(&rows[i].in, &why);
        cr_assert_eq(v, rows[i].want, "row %zu: got %s", i, sg17_verdict_names[v]);
        cr_assert_not_null(why);
    }
}

/* The reason of a verdict for the given input. */
static const char *reason_of(sg17_verdict_input_t in)
{
    const char *why = NULL;
    sg17_verdict_decide(&in, &why);
    return why;
}

Test(verdict, reasons_claim_only_what_was_checked)
{
    sg17_verdict_input_t holds = {.success_baseline = true, .service_ok = true};
    cr_assert_null(strstr(reason_of(holds), "service"), "%s", reason_of(holds));
    cr_assert_null(strstr(reason_of(holds), "detected"));
    holds.has_service = true;
    cr_assert(strstr(reason_of(holds), "service held"), "%s", reason_of(holds));
    holds.has_detection = holds.detection_ok = true;
    cr_assert(strstr(reason_of(holds), "detected"));
    holds.has_service = false;
    cr_assert(strstr(reason_of(holds), "detected"));
    cr_assert_null(strstr(reason_of(holds), "service"), "%s", reason_of(holds));

    sg17_verdict_input_t fails = {.success_baseline = true, .success_protected = true};
    cr_assert(strstr(reason_of(fails), "although the mitigations were on"));
    fails.no_mitigations = true;
    cr_assert_null(strstr(reason_of(fails), "mitigations were on"), "%s", reason_of(fails));
    cr_assert(strstr(reason_of(fails), "no mitigation is under test"));

    sg17_verdict_input_t control = {.has_control = true, .success_control = true};
    cr_assert(strstr(reason_of(control), "control run"), "%s", reason_of(control));

    sg17_verdict_input_t guard = {.success_baseline = true, .no_mitigations = true};
    cr_assert_null(strstr(reason_of(guard), "module"), "the guard blames no module: %s",
                   reason_of(guard));
}

/* The case: a success condition that is a side effect of the mitigation. With auth on,
 * the sink raises alarms, so "no alarm" is true in baseline and false when protected, whatever
 * the adversary does: it does not measure the attack. */
#define SIDE_EFFECT_BODY                   \
    "mitigations: [auth]\n"                \
    "adversary: {capabilities: [forge]}\n" \
    "actions:\n"                           \
    "  - {at: 20s, forge: {count: 3}}\n"   \
    "success: [sink.alarms == 0]\n"        \
    "service: [sink.accepted >= node.sent - 3]\n"

Test(control, a_success_condition_that_holds_without_any_attack_is_vacuous)
{
    json_t *e = run_fixture(SIDE_EFFECT_BODY);
    cr_assert_str_eq(verdict(e), "vacuous", "%s", json_string_value(json_object_get(e, "reason")));
    cr_assert(strstr(json_string_value(json_object_get(e, "reason")), "control run"));
    cr_assert_eq(metric(e, "control", "sink.alarms"), 0);
    cr_assert_gt(metric(e, "protected", "sink.alarms"), 0, "auth rejects the forged pings");
    json_t *first = json_array_get(json_object_get(e, "conditions"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(first, "run")), "control");
    cr_assert(json_is_true(json_object_get(first, "result")));
    json_decref(e);
}

Test(control, skipping_the_control_run_gives_the_weaker_verdict)
{
    size_t n;
    sg17_scenario_t *s = fixture_scenario(SIDE_EFFECT_BODY, &n);
    sg17_engine_opts_t o = {.no_control = true};
    json_t *e = sg17_engine_run_scenario(&s[0], &o);
    cr_assert_str_eq(verdict(e), "holds", "without the control run the flaw goes unseen");
    cr_assert_null(json_object_get(json_object_get(e, "runs"), "control"));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(e, "conditions"), i, c)
        cr_assert_str_neq(json_string_value(json_object_get(c, "run")), "control");
    json_decref(e);
    sg17_scenarios_free(s, n);
}

Test(control, the_control_run_has_no_adversary_and_the_mitigations_off)
{
    json_t *e = run_fixture("mitigations: [dedup]\n"
                            "adversary: {capabilities: [capture, replay, compromise, forge]}\n"
                            "actions:\n"
                            "  - {at: 5s, capture: {match: {type: fixture.ping}, count: 6, as: "
                            "old}}\n"
                            "  - {at: 10s, compromise: {entity: node-1}}\n"
                            "  - {at: 20s, forge: {count: 2}}\n"
                            "  - {at: 30s, replay: {capture: old}}\n"
                            "success: [ledger.accepted.replayed > 0]\n");
    cr_assert_str_eq(verdict(e), "holds", "%s", json_string_value(json_object_get(e, "reason")));
    const char *adversarial[] = {"adversary.captured",           "adversary.replayed",
                                 "adversary.compromised",        "ledger.sent.replayed",
                                 "ledger.sent.injected",         "ledger.sent.from_compromised",
                                 "ledger.rejected.reason.replay"};
    for (size_t i = 0; i < sizeof adversarial / sizeof adversarial[0]; i++) {
        cr_assert_eq(metric(e, "control", adversarial[i]), 0, "control: %s", adversarial[i]);
        cr_assert_gt(metric(e, "baseline", adversarial[i]) + metric(e, "protected", adversarial[i]),
                     0, "%s: the attack did act in the other runs", adversarial[i]);
    }
    /* the same system, the same seed: benign traffic is what the baseline would send unattacked */
    cr_assert_eq(metric(e, "control", "node.sent"), metric(e, "baseline", "node.sent"));
    cr_assert_gt(metric(e, "control", "ledger.accepted.genuine"), 0);
    json_decref(e);
}

Test(control, an_error_verdict_of_the_determinism_guard_names_the_condition_and_is_the_error)
{
    size_t n;
    sg17_scenario_t *s = fixture_scenario("mitigations: []\n"
                                          "adversary: {capabilities: [forge]}\n"
                                          "actions: [{at: 20s, forge: {count: 1}}]\n"
                                          "success: [sink.accepted > 0, sink.alarms < 5]\n",
                                          &n);
    json_t *control = json_pack("{s:f, s:f}", "sink.accepted", 0.0, "sink.alarms", 0.0);
    json_t *baseline = json_pack("{s:f, s:f}", "sink.accepted", 4.0, "sink.alarms", 0.0);
    json_t *protected_run = json_pack("{s:f, s:f}", "sink.accepted", 4.0, "sink.alarms", 7.0);
    json_t *metrics[SG17_N_ARMS] = {control, baseline, protected_run};
    json_t *e = json_object();
    sg17_engine_judge(e, &s[0], metrics);
    cr_assert_str_eq(verdict(e), "error");
    const char *reason = json_string_value(json_object_get(e, "reason"));
    const char *error = json_string_value(json_object_get(e, "error"));
    cr_assert_not_null(error, "an error verdict carries its cause");
    cr_assert_str_eq(error, reason);
    cr_assert(strstr(reason, "'sink.alarms < 5' is true in baseline (0 vs 5) and false in "
                             "protected (7 vs 5)"),
              "%s", reason);
    cr_assert_null(strstr(reason, "module"), "%s", reason);
    json_decref(e);
    json_decref(control);
    json_decref(baseline);
    json_decref(protected_run);
    sg17_scenarios_free(s, n);
}

/* Writes one fixture scenario file into dir. */
static void write_side_effect_scenario(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/side-effect.yaml", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "id: fixture/side-effect\ntitle: t\nmodule: fixture\nrequirements: [FIX-R-AUTH]\n"
               "seed: 3\nduration: 1min\n" SIDE_EFFECT_BODY);
    fclose(f);
}

/* Runs the scenarios of dir with or without the control run and loads the report. */
static json_t *run_dir(const char *dir, bool no_control, int *rc)
{
    char out[600], path[700];
    snprintf(out, sizeof out, "%s/out-%d", dir, no_control);
    sg17_runner_opts_t o = {.jobs = 1, .out_dir = out, .no_control = no_control};
    char *paths[] = {(char *)dir};
    *rc = sg17_runner_run(paths, 1, &o);
    snprintf(path, sizeof path, "%s/report.json", out);
    sg17_err_t err;
    json_t *r = sg17_report_load(path, &err);
    cr_assert_not_null(r, "%s", err.msg);
    return r;
}

/* The whole text of a file of the report directory. */
static char *slurp(const char *dir, bool no_control, const char *name)
{
    char path[800];
    snprintf(path, sizeof path, "%s/out-%d/%s", dir, no_control, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    return strdup(text);
}

Test(control, the_report_says_whether_the_control_run_took_place)
{
    char dir[] = "/tmp/sg17-control-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    write_side_effect_scenario(dir);
    int rc;
    json_t *with = run_dir(dir, false, &rc);
    cr_assert_eq(rc, 1, "vacuous is not the expected holds");
    cr_assert(json_is_true(json_object_get(with, "control")));
    json_t *s = json_array_get(json_object_get(with, "scenarios"), 0);
    cr_assert_not_null(json_object_get(json_object_get(s, "runs"), "control"));
    char *html = slurp(dir, false, "report.html");
    cr_assert(strstr(html, "<th>control</th>"), "the control run's values beside the others");
    cr_assert_null(strstr(html, "No control run"));
    free(html);

    json_t *without = run_dir(dir, true, &rc);
    cr_assert_eq(rc, 0, "the flaw goes unseen: holds, as expected");
    cr_assert(json_is_false(json_object_get(without, "control")));
    const char *files[] = {"report.html", "summary.md", "junit.xml"};
    for (size_t i = 0; i < 3; i++) {
        char *text = slurp(dir, true, files[i]);
        cr_assert(strstr(text, "No control run") || strstr(text, "no control run"),
                  "%s says the verdicts are weaker", files[i]);
        cr_assert(strstr(text, "--no-control"), "%s names the option", files[i]);
        free(text);
    }
    json_decref(with);
    json_decref(without);
}

Test(adversary, compromised_counts_entities_not_compromise_actions)
{
    json_t *e = run_fixture("mitigations: [auth]\n"
                            "adversary: {capabilities: [compromise]}\n"
                            "actions:\n"
                            "  - {at: 10s, compromise: {entity: node-1}}\n"
                            "  - {at: 20s, compromise: {entity: node-1}}\n"
                            "  - {at: 30s, compromise: {entity: node-2}}\n"
                            "  - {at: 40s, compromise: {entity: node-1}}\n"
                            "success: [ledger.accepted.from_compromised > 0]\n");
    cr_assert_eq(metric(e, "baseline", "adversary.compromised"), 2, "node-1 and node-2");
    cr_assert_eq(metric(e, "protected", "adversary.compromised"), 2);
    cr_assert_eq(metric(e, "control", "adversary.compromised"), 0);
    json_decref(e);
}
