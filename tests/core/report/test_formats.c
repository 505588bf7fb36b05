/* test_formats.c — the report formats checked by tools nobody here wrote: junit.xml against the
 * Jenkins JUnit schema with xmllint, report.sarif with the SARIF multitool's validator; plus the
 * SARIF content, the size bound of summary.md, `sg17tb diff` and `sg17tb report --from`. A test
 * whose tool is missing reports itself skipped with the command that installs it. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/report.h"
#include "report/report_diff.h"
#include "report/report_text.h"
#include "report_fixture.h"
#include "scratch.h"

SG17_SCRATCH_SUITE(formats, "formats");

/* Whether a program is on PATH. */
static bool have_tool(const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

/* Runs a shell command, its output (stdout and stderr) into out; returns its exit status. */
static int run(const char *cmd, sg17_rbuf_t *out)
{
    sg17_rbuf_reset(out);
    char full[2048];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    cr_assert_not_null(p);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        sg17_rbuf_putn(out, buf, n);
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The fixture report (every verdict, hostile strings) written in all formats to tmpdir/out. */
static void write_all(json_t *r, char *out, size_t size)
{
    snprintf(out, size, "%s/out", tmpdir);
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_report_write(r, out, NULL, &err), 0, "%s", err.msg);
}

Test(formats, junit_validates_against_the_jenkins_junit_schema)
{
    if (!have_tool("xmllint"))
        cr_skip_test("xmllint missing: apt-get install libxml2-utils");
    json_t *r = fixture_report();
    char out[512], cmd[1400];
    write_all(r, out, sizeof out);
    sg17_rbuf_t o = {0};
    snprintf(cmd, sizeof cmd,
             "xmllint --noout --schema '%s/junit/junit-jenkins.xsd' '%s/junit.xml'",
             SG17TB_TEST_DATA_DIR, out);
    cr_assert_eq(run(cmd, &o), 0, "junit.xml does not validate:\n%s", o.data);
    cr_assert_not_null(strstr(o.data, "validates"), "%s", o.data);
    /* the schema is not a rubber stamp: a testcase attribute it does not know is refused */
    char bad[600];
    snprintf(bad, sizeof bad, "%s/bad.xml", tmpdir);
    FILE *f = fopen(bad, "w");
    fputs("<testsuites><testsuite name=\"m\" tests=\"1\" failures=\"0\" errors=\"0\">"
          "<testcase name=\"x\" bogus=\"1\"/></testsuite></testsuites>\n",
          f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "xmllint --noout --schema '%s/junit/junit-jenkins.xsd' '%s'",
             SG17TB_TEST_DATA_DIR, bad);
    cr_assert_neq(run(cmd, &o), 0, "the schema must reject an unknown attribute:\n%s", o.data);
    sg17_rbuf_free(&o);
    json_decref(r);
}

Test(formats, sarif_has_one_result_per_scenario_that_does_not_hold_ruled_by_requirement)
{
    json_t *r = fixture_report();
    json_t *log = sg17_report_sarif(r);
    cr_assert_str_eq(json_string_value(json_object_get(log, "version")), "2.1.0");
    json_t *run0 = json_array_get(json_object_get(log, "runs"), 0);
    json_t *rules =
        json_object_get(json_object_get(json_object_get(run0, "tool"), "driver"), "rules");
    /* every catalogue requirement is a rule (5): modules sorted, each in catalogue order */
    cr_assert_eq(json_array_size(rules), 5);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(rules, 0), "id")),
                     "X1365-R-SIG");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(rules, 1), "id")),
                     "X1332-R-INT-02");
    json_t *results = json_object_get(run0, "results");
    size_t not_holding = 0, i;
    json_t *s;
    json_array_foreach(json_object_get(r, "scenarios"), i,
                       s) if (strcmp(json_string_value(json_object_get(s, "verdict")), "holds")
                              != 0) not_holding++;
    cr_assert_eq(json_array_size(results), not_holding);
    cr_assert_eq(not_holding, 5);
    bool saw_fresh = false, saw_error = false;
    json_t *res;
    json_array_foreach(results, i, res)
    {
        const char *rule = json_string_value(json_object_get(res, "ruleId"));
        json_int_t idx = json_integer_value(json_object_get(res, "ruleIndex"));
        cr_assert_str_eq(
            json_string_value(json_object_get(json_array_get(rules, (size_t)idx), "id")), rule,
            "ruleIndex points at the rule");
        const char *sc =
            json_string_value(json_object_get(json_object_get(res, "properties"), "scenario"));
        const char *level = json_string_value(json_object_get(res, "level"));
        json_t *supp = json_object_get(res, "suppressions");
        if (strcmp(sc, "metering/stale-readings") == 0) {
            saw_fresh = true;
            cr_assert_str_eq(rule, "X1332-R-FRESH");
            cr_assert_str_eq(level, "error");
            cr_assert_null(supp, "a verdict that is not expected is not suppressed");
        } else if (strcmp(sc, HOSTILE_ID) == 0) {
            saw_error = true;
            cr_assert_str_eq(rule, "X1365-R-SIG");
            cr_assert_str_eq(level, "error");
        } else if (strcmp(sc, "metering/strict-counter") == 0) {
            cr_assert_str_eq(level, "warning");
            cr_assert_not_null(supp, "a verdict the scenario expects is reported suppressed");
        }
    }
    cr_assert(saw_fresh && saw_error);
    json_decref(log);
    json_decref(r);
}

Test(formats, sarif_passes_the_sarif_multitool_validator)
{
    if (!have_tool("sarif-multitool"))
        cr_skip_test("SARIF multitool missing: npm install -g @microsoft/sarif-multitool "
                     "(then chmod u+x the Sarif.Multitool binary under "
                     "$(npm root -g)/@microsoft/sarif-multitool)");
    json_t *r = fixture_report();
    char out[512], cmd[1400], val[600];
    write_all(r, out, sizeof out);
    snprintf(val, sizeof val, "%s/validation.sarif", tmpdir);
    snprintf(cmd, sizeof cmd,
             "sarif-multitool validate --log ForceOverwrite -o '%s' '%s/report.sarif'", val, out);
    sg17_rbuf_t o = {0};
    cr_assert_eq(run(cmd, &o), 0, "sarif-multitool failed:\n%s", o.data);
    /* the validator's own log: no result at level error */
    json_error_t jerr;
    json_t *v = json_load_file(val, 0, &jerr);
    cr_assert_not_null(v, "%s", jerr.text);
    size_t i, errors = 0;
    json_t *res;
    json_array_foreach(json_object_get(json_array_get(json_object_get(v, "runs"), 0), "results"), i,
                       res)
    {
        const char *level = json_string_value(json_object_get(res, "level"));
        if (level && strcmp(level, "error") == 0) { /* SARIF's default level is warning */
            errors++;
            cr_log_error("%s", json_dumps(res, 0));
        }
    }
    cr_assert_eq(errors, 0, "the validator found errors:\n%s", o.data);
    /* and the validator is not a rubber stamp: a log without its version is refused */
    char bad[600];
    snprintf(bad, sizeof bad, "%s/bad.sarif", tmpdir);
    FILE *f = fopen(bad, "w");
    fputs("{\"runs\": [{\"tool\": {\"driver\": {}}}]}\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "sarif-multitool validate --log ForceOverwrite -o '%s' '%s'", val,
             bad);
    run(cmd, &o);
    json_decref(v);
    v = json_load_file(val, 0, &jerr);
    cr_assert_not_null(v, "%s", jerr.text);
    errors = 0;
    json_array_foreach(json_object_get(json_array_get(json_object_get(v, "runs"), 0), "results"), i,
                       res)
    {
        const char *level = json_string_value(json_object_get(res, "level"));
        errors += level && strcmp(level, "error") == 0;
    }
    cr_assert_gt(errors, 0, "a log without a version must not validate:\n%s", o.data);
    json_decref(v);
    sg17_rbuf_free(&o);
    json_decref(r);
}

Test(formats, summary_md_stays_under_the_comment_limit_and_folds_long_tables)
{
    json_t *r = fixture_report();
    json_t *sc = json_object_get(r, "scenarios");
    json_t *proto = json_deep_copy(json_array_get(sc, 1)); /* fails, expected holds */
    for (int i = 0; i < 3000; i++) {
        json_t *s = json_deep_copy(proto);
        char id[64];
        snprintf(id, sizeof id, "metering/generated-%04d", i);
        json_object_set_new(s, "id", json_string(id));
        json_array_append_new(sc, s);
    }
    json_decref(proto);
    char out[512], path[600];
    write_all(r, out, sizeof out);
    snprintf(path, sizeof path, "%s/summary.md", out);
    char *md = slurp(path);
    cr_assert_leq(strlen(md), SG17_REPORT_MD_MAX);
    cr_assert_not_null(strstr(md, "<details><summary>All 3008 scenarios</summary>"));
    cr_assert_not_null(strstr(md, "more rows: see report.html"));
    cr_assert_not_null(strstr(md, "more scenarios not as expected"));
    cr_assert_not_null(strstr(md, "**3008 scenarios**"), "the counts cover every scenario");
    free(md);
    /* a short report is not folded */
    json_t *small = fixture_report();
    write_all(small, out, sizeof out);
    md = slurp(path);
    cr_assert_null(strstr(md, "<details>"));
    free(md);
    json_decref(small);
    json_decref(r);
}

Test(formats, diff_lists_verdict_changes_and_metric_moves_and_flags_regressions)
{
    json_t *a = fixture_report(), *b = fixture_report();
    json_t *sb = json_object_get(b, "scenarios");
    /* replay-readings: holds -> fails (a regression), and its protected metric moves 0 -> 7 */
    json_t *s0 = json_array_get(sb, 0);
    json_object_set_new(s0, "verdict", json_string("fails"));
    json_object_set_new(s0, "matches_expect", json_false());
    json_t *pm =
        json_object_get(json_object_get(json_object_get(s0, "runs"), "protected"), "metrics");
    json_object_set_new(pm, "ledger.accepted.replayed", json_integer(7));
    /* stale-readings: fails -> holds (an improvement) with a 2 % move in the baseline */
    json_t *s1 = json_array_get(sb, 1);
    json_object_set_new(s1, "verdict", json_string("holds"));
    json_object_set_new(s1, "matches_expect", json_true());
    json_t *bm =
        json_object_get(json_object_get(json_object_get(s1, "runs"), "baseline"), "metrics");
    json_object_set_new(bm, "ledger.accepted.replayed", json_integer(51));
    json_array_remove(sb, 3); /* no-attack removed */

    sg17_rbuf_t out = {0};
    sg17_diff_counts_t c;
    sg17_diff_opts_t opts = {.tolerance = 0};
    sg17_report_diff(a, b, &opts, &out, &c);
    cr_assert_eq(c.regressions, 1, "%s", out.data);
    cr_assert_eq(c.verdict_changes, 2, "%s", out.data);
    cr_assert_eq(c.metric_moves, 2, "%s", out.data);
    cr_assert_eq(c.removed, 1);
    cr_assert_eq(c.added, 0);
    cr_assert_not_null(strstr(out.data, "verdict   metering/replay-readings: holds -> fails "
                                        "(expect holds)  REGRESSION\n"),
                       "%s", out.data);
    cr_assert_not_null(strstr(out.data, "metric    metering/stale-readings baseline "
                                        "ledger.accepted.replayed: 50 -> 51 (+2.0 %)\n"),
                       "%s", out.data);
    cr_assert_not_null(strstr(out.data, "removed   metering/no-attack: was vacuous\n"));
    /* a 5 % tolerance hides the 2 % move but not the move from 0 */
    sg17_rbuf_reset(&out);
    opts.tolerance = 0.05;
    sg17_report_diff(a, b, &opts, &out, &c);
    cr_assert_eq(c.metric_moves, 1, "%s", out.data);
    /* a report compared with itself: nothing */
    sg17_rbuf_reset(&out);
    sg17_report_diff(a, a, &opts, &out, &c);
    cr_assert_eq(c.regressions + c.verdict_changes + c.metric_moves + c.added + c.removed, 0);
    sg17_rbuf_free(&out);
    json_decref(a);
    json_decref(b);
}

Test(formats, cli_report_rerenders_and_diff_exits_1_on_a_regression)
{
    json_t *r = fixture_report();
    char dir[512], cmd[1600];
    snprintf(dir, sizeof dir, "%s/orig", tmpdir);
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_report_write(r, dir, "json", &err), 0, "%s", err.msg);
    sg17_rbuf_t o = {0};
    snprintf(cmd, sizeof cmd, "'%s' report --from '%s/report.json' --format sarif,md --out '%s/re'",
             SG17TB_CLI, dir, tmpdir);
    cr_assert_eq(run(cmd, &o), 0, "%s", o.data);
    char p[700];
    struct stat st;
    snprintf(p, sizeof p, "%s/re/report.sarif", tmpdir);
    cr_assert_eq(stat(p, &st), 0);
    snprintf(p, sizeof p, "%s/re/summary.md", tmpdir);
    cr_assert_eq(stat(p, &st), 0);
    snprintf(p, sizeof p, "%s/re/report.html", tmpdir);
    cr_assert_neq(stat(p, &st), 0, "only the formats asked for");
    /* without --out: beside the input */
    snprintf(cmd, sizeof cmd, "'%s' report --from '%s/report.json' --format html", SG17TB_CLI, dir);
    cr_assert_eq(run(cmd, &o), 0, "%s", o.data);
    snprintf(p, sizeof p, "%s/report.html", dir);
    cr_assert_eq(stat(p, &st), 0);
    snprintf(cmd, sizeof cmd, "'%s' report --from '%s/nope.json'", SG17TB_CLI, dir);
    cr_assert_eq(run(cmd, &o), 2, "%s", o.data);

    /* diff: the same report → 0; a regression → 1 */
    snprintf(cmd, sizeof cmd, "'%s' diff '%s/report.json' '%s/report.json'", SG17TB_CLI, dir, dir);
    cr_assert_eq(run(cmd, &o), 0, "%s", o.data);
    cr_assert_not_null(strstr(o.data, "0 regressions, 0 verdict changes"), "%s", o.data);
    json_t *s0 = json_array_get(json_object_get(r, "scenarios"), 0);
    json_object_set_new(s0, "verdict", json_string("error"));
    json_object_set_new(s0, "matches_expect", json_false());
    char dir2[512];
    snprintf(dir2, sizeof dir2, "%s/new", tmpdir);
    cr_assert_eq(sg17_report_write(r, dir2, "json", &err), 0, "%s", err.msg);
    snprintf(cmd, sizeof cmd, "'%s' diff --tolerance 0.1 '%s/report.json' '%s/report.json'",
             SG17TB_CLI, dir, dir2);
    cr_assert_eq(run(cmd, &o), 1, "%s", o.data);
    cr_assert_not_null(strstr(o.data, "holds -> error (expect holds)  REGRESSION"), "%s", o.data);
    snprintf(cmd, sizeof cmd, "'%s' diff --tolerance -1 '%s/report.json' '%s/report.json'",
             SG17TB_CLI, dir, dir2);
    cr_assert_eq(run(cmd, &o), 2, "%s", o.data);
    sg17_rbuf_free(&o);
    json_decref(r);
}

Test(formats, a_sweep_over_several_seeds_gets_error_bars_and_the_distribution_beside_the_verdict)
{
    json_t *r = fixture_report();
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(r, "scenarios"), i, s)
    {
        if (!json_is_object(json_object_get(s, "matrix")))
            continue;
        json_object_set_new(
            s, "seeds",
            json_pack("{s:i, s:[i, i], s:{s:i, s:i}, s:b, s:{s:{s:{s:f, s:[f, f], s:i}}}}", "count",
                      2, "list", 42, 7, "verdicts", "holds", 1, "fails", 1, "unanimous", 0,
                      "metrics", "protected", "ledger.accepted.replayed", "mean", 3.0, "ci95", 1.0,
                      5.0, "n", 2));
    }
    char out[512], path[600];
    write_all(r, out, sizeof out);
    snprintf(path, sizeof path, "%s/report.html", out);
    char *h = slurp(path);
    cr_assert_eq(strstr(h, "class=\"errbar\"") != NULL, true, "an error bar per point");
    cr_assert_not_null(strstr(h, "holds 1/2 · fails 1/2 — not unanimous</span>"));
    free(h);
    snprintf(path, sizeof path, "%s/summary.md", out);
    char *md = slurp(path);
    cr_assert_not_null(strstr(md, "(holds 1/2, fails 1/2 ⚠ not unanimous)"), "%s", md);
    free(md);
    json_decref(r);
}
