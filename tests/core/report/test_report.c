/* test_report.c — the report writers, loader and merge: every format written atomically from one
 * report (two modules, every verdict, a sweep, hostile strings), escaping, round trip, merge of
 * shards, and format-list errors. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report.h"
#include "report/report_text.h"
#include "report_fixture.h"

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sg17-report-test-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static void cleanup(void)
{
    remove_tree(tmpdir);
}

TestSuite(report, .init = make_tmpdir, .fini = cleanup);

static char *slurp(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    cr_assert_not_null(f, "%s should exist", p);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static size_t count_substr(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Writes the fixture (all formats) into <tmpdir>/out/nested and returns that path. */
static const char *write_fixture(json_t *r, char *out, size_t size)
{
    snprintf(out, size, "%s/out/nested", tmpdir);
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_report_write(r, out, NULL, &err), 0, "%s", err.msg);
    return out;
}

Test(report, summary_counts_every_verdict_and_expect_matches)
{
    json_t *r = fixture_report();
    sg17_report_summarize(r);
    json_t *want =
        json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "total", 8, "holds", 3, "fails", 2,
                  "degraded", 1, "vacuous", 1, "error", 1, "matched", 6, "mismatched", 2);
    cr_assert(json_equal(json_object_get(r, "summary"), want));
    json_decref(want);
    json_decref(r);
}

Test(report, write_creates_dir_and_leaves_exactly_five_files_no_temp)
{
    json_t *r = fixture_report();
    char out[512];
    write_fixture(r, out, sizeof out);
    DIR *d = opendir(out);
    cr_assert_not_null(d);
    const char *want[] = {"report.json", "junit.xml", "report.html", "summary.md", "report.sarif"};
    int seen[5] = {0}, others = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        int hit = 0;
        for (int i = 0; i < 5; i++)
            if (!strcmp(e->d_name, want[i]))
                seen[i]++, hit = 1;
        if (!hit) {
            others++;
            cr_log_error("unexpected file left behind: %s", e->d_name);
        }
    }
    closedir(d);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(seen[i], 1, "%s missing", want[i]);
    cr_assert_eq(others, 0);
    json_decref(r);
}

Test(report, json_round_trips_through_load_and_is_sorted_and_stable)
{
    json_t *r = fixture_report();
    char out[512];
    write_fixture(r, out, sizeof out); /* also summarises r */
    char path[600];
    snprintf(path, sizeof path, "%s/report.json", out);
    sg17_err_t err = {{0}};
    json_t *back = sg17_report_load(path, &err);
    cr_assert_not_null(back, "%s", err.msg);
    cr_assert(json_equal(back, r), "report.json must load back to the same tree");
    char *text = slurp(out, "report.json");
    /* sorted keys, 2-space indent, trailing newline */
    cr_assert(strncmp(text, "{\n  \"catalogues\": {\n    \"ibc\": {", 31) == 0, "%.60s", text);
    cr_assert_not_null(strstr(text, "\n  \"schema\": \"sg17tb-report/1\",\n"));
    cr_assert_not_null(strstr(text, "\"wall_ms\": 13.25"));
    cr_assert_eq(text[strlen(text) - 1], '\n');
    /* writing the loaded report again gives the same bytes */
    char again[600];
    snprintf(again, sizeof again, "%s/again.json", tmpdir);
    cr_assert_eq(sg17_report_write_json(back, again, &err), 0, "%s", err.msg);
    char *text2 = slurp(tmpdir, "again.json");
    cr_assert_str_eq(text, text2);
    free(text);
    free(text2);
    json_decref(back);
    json_decref(r);
}

Test(report, junit_counts_failures_errors_and_one_testcase_per_scenario)
{
    json_t *r = fixture_report();
    char out[512];
    write_fixture(r, out, sizeof out);
    char *x = slurp(out, "junit.xml");
    cr_assert(strncmp(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0);
    cr_assert_not_null(strstr(x, "<testsuites name=\"sg17tb\" tests=\"8\" failures=\"1\" "
                                 "errors=\"1\" time=\"0.216\">"));
    cr_assert_not_null(strstr(x, "<testsuite name=\"ibc\" tests=\"1\" failures=\"0\" "
                                 "errors=\"1\""));
    cr_assert_not_null(strstr(x, "<testsuite name=\"metering\" tests=\"7\" failures=\"1\" "
                                 "errors=\"0\""));
    cr_assert_eq(count_substr(x, "<testcase "), 8);
    cr_assert_eq(count_substr(x, "</testsuite>"), 2);
    cr_assert_eq(count_substr(x, "<failure "), 1);
    cr_assert_eq(count_substr(x, "<error "), 1);
    cr_assert_not_null(strstr(x, "<testcase classname=\"metering\" "
                                 "name=\"metering/stale-readings\" time=\"0.027\""));
    cr_assert_not_null(strstr(x, "<failure message=\"expected holds, got fails\" type=\"verdict\">"
                                 "verdict: fails (expected holds)\nreason: attack succeeded"));
    /* the failure text carries every condition with its values in both runs */
    cr_assert_not_null(strstr(x, "  [success/protected] ledger.accepted.replayed &gt; 0 -&gt; "
                                 "true (lhs 50, rhs 0)\n      ledger.accepted.replayed: baseline "
                                 "50, protected 50\n"));
    cr_assert_not_null(strstr(x, "[service/protected] ledger.accepted.genuine &gt;= 0.99 * x -&gt; "
                                 "true (lhs n/a, rhs n/a)"));
    /* what the schema does not let a testcase carry as attributes follows as text */
    cr_assert_not_null(strstr(x, "requirements: X1332-R-FRESH\nthreats: X1332-T-INVALID-DATA\n"
                                 "mitigations: invocation_counter\ncontrol run: "));
    cr_assert_not_null(strstr(x, "file: scenarios/x.yaml\n"));
    cr_assert_null(strstr(x, "<property"), "a testcase has no properties in the JUnit schema");
    json_decref(r);
    free(x);
}

Test(report, junit_escapes_hostile_ids_and_text_and_drops_control_bytes)
{
    json_t *r = fixture_report();
    char out[512];
    write_fixture(r, out, sizeof out);
    char *x = slurp(out, "junit.xml");
    cr_assert_not_null(strstr(x, "name=\"ibc/q&quot;&lt;&amp;&gt;&#39;|id\""));
    cr_assert_not_null(strstr(x, "<error message=\"module crashed: &lt;script&gt;alert(&quot;x"
                                 "&quot;)&lt;/script&gt; &amp; &#39;q&#39; | a\\x01b\\x1Bc\" "
                                 "type=\"error\">"));
    cr_assert_not_null(strstr(x, "reason: &lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'q' | "
                                 "a\\x01b\\x1Bc\n"));
    cr_assert_null(strstr(x, "<script"));
    for (const unsigned char *p = (const unsigned char *)x; *p; p++)
        cr_assert(*p >= 0x20 || *p == '\n' || *p == '\t' || *p == '\r',
                  "control byte 0x%02x in junit.xml", *p);
    json_decref(r);
    free(x);
}

Test(report, escapers_handle_markup_quotes_controls_and_bad_utf8)
{
    sg17_rbuf_t b = {0};
    sg17_rbuf_xml(&b, "<&>\"'\x01\t\n", true);
    cr_assert_str_eq(b.data, "&lt;&amp;&gt;&quot;&#39;\\x01&#9;&#10;");
    sg17_rbuf_reset(&b);
    sg17_rbuf_xml(&b, "<&>\"'\x01\t\n", false);
    cr_assert_str_eq(b.data, "&lt;&amp;&gt;\"'\\x01\t\n");
    sg17_rbuf_reset(&b);
    sg17_rbuf_xml(&b,
                  "a\xff"
                  "b\xef\xbf\xbe"
                  "c\xc3\xa9",
                  false); /* bad byte, U+FFFE, é */
    cr_assert_str_eq(b.data, "a\xef\xbf\xbd"
                             "b\\uFFFEc\xc3\xa9");
    sg17_rbuf_reset(&b);
    sg17_rbuf_html(&b, "<a href='x'>&\x7f</a>");
    cr_assert_str_eq(b.data, "&lt;a href=&#39;x&#39;&gt;&amp;\\x7F&lt;/a&gt;");
    sg17_rbuf_reset(&b);
    sg17_rbuf_md(&b, "a|b *c*\n<d>_e_\\");
    cr_assert_str_eq(b.data, "a\\|b \\*c\\* \\<d\\>\\_e\\_\\\\");
    sg17_rbuf_free(&b);
}

Test(report, html_has_matrix_cells_flags_sweep_svg_and_no_raw_markup)
{
    json_t *r = fixture_report();
    char out[512];
    write_fixture(r, out, sizeof out);
    char *h = slurp(out, "report.html");
    cr_assert(strncmp(h, "<!DOCTYPE html>", 15) == 0);
    cr_assert_not_null(strstr(h, "<div class=\"banner ok\">"));
    cr_assert_null(strstr(h, "INCOMPLETE"));
    /* X1332-R-INT-02 row: S1 (replay-readings, scenario index 0) holds */
    const char *row =
        strstr(h, "<tr><td class=\"id\"><code>X1332-R-INT-02</code></td><td>9.1</td>");
    cr_assert_not_null(row);
    const char *row_end = strstr(row, "</tr>");
    const char *cell = strstr(row, "<td class=\"cell\"><a href=\"#s-0\"><span class=\"badge "
                                   "v-holds\">✓ holds</span></a></td>");
    cr_assert(cell && cell < row_end);
    /* ... and the degraded cell for S3 in the same row; FRESH row shows the mismatched fail */
    cell = strstr(row, "<a href=\"#s-2\"><span class=\"badge v-degraded\">◐ degraded</span>");
    cr_assert(cell && cell < row_end);
    cr_assert_not_null(strstr(h, "<a href=\"#s-1\"><span class=\"badge v-fails mismatch\" "
                                 "title=\"expected holds\">✗ fails</span></a>"));
    /* untestable greyed with its reason, unexercised flagged, derived shown */
    cr_assert_not_null(strstr(h, "<tr class=\"untestable\"><td class=\"id\"><code>X1332-R-PHYS"
                                 "</code></td><td><i>derived</i></td>"));
    cr_assert_not_null(strstr(h, "<span class=\"note\">needs hardware</span>"));
    row = strstr(h, "<code>X1332-R-LONELY</code>");
    cr_assert_not_null(row);
    cr_assert(strstr(row, "not exercised") < strstr(row, "</tr>"));
    cr_assert_not_null(strstr(h, "<code>X1332-T-UNUSED</code>"));
    /* detail anchors for every scenario */
    for (int i = 0; i < 8; i++) {
        char anchor[32];
        snprintf(anchor, sizeof anchor, "id=\"s-%d\"", i);
        cr_assert_not_null(strstr(h, anchor), "%s", anchor);
    }
    /* the sweep: one chart per condition metric, numeric axis, points in x order */
    cr_assert_eq(count_substr(h, "<svg "), 2);
    cr_assert_not_null(strstr(h, "<h4>Sweep <code>metering/sweep</code> over <code>magnitude"
                                 "</code> (3 points)</h4>"));
    /* 0.1 … 10 spans two decades: a log axis with decade ticks */
    cr_assert_not_null(strstr(h, "class=\"axis\">magnitude (log scale)</text>"));
    cr_assert_not_null(strstr(h, "class=\"tick\">0.1</text>"));
    cr_assert_not_null(strstr(h, "class=\"tick\">10</text>"));
    cr_assert_not_null(strstr(h, "stroke-dasharray=\"6 4\""));
    const char *p01 = strstr(h, ">0.1</a> <small>S");
    const char *p10 = strstr(h, ">10</a> <small>S");
    cr_assert(p01 && p10 && p01 < p10);
    /* hostile text escaped; self-contained */
    cr_assert_null(strstr(h, "<script"));
    cr_assert_not_null(strstr(h, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
                                 "&#39;q&#39; | a\\x01b\\x1Bc"));
    cr_assert_null(strstr(h, "src="));
    cr_assert_null(strstr(h, "href=\"http"));
    cr_assert_null(strstr(h, "url("));
    json_decref(r);
    free(h);
}

Test(report, html_sweep_with_categorical_x_and_extreme_values_stays_finite)
{
    json_t *r = fixture_report();
    json_t *sc = json_object_get(r, "scenarios");
    static const char *const level[] = {"low", "mid", "high"};
    for (size_t i = 5; i < 8; i++) {
        json_t *s = json_array_get(sc, i);
        json_object_set_new(json_object_get(s, "matrix"), "magnitude", json_string(level[i - 5]));
        json_t *pm =
            json_object_get(json_object_get(json_object_get(s, "runs"), "protected"), "metrics");
        json_object_set_new(pm, "ledger.accepted.replayed", json_real(1e17 + 16.0 * (double)i));
        json_object_set_new(pm, "ledger.accepted.genuine", json_real(i == 6 ? 1e308 : -1e308));
    }
    char path[600];
    snprintf(path, sizeof path, "%s/x.html", tmpdir);
    sg17_err_t err = {{0}};
    sg17_report_summarize(r);
    cr_assert_eq(sg17_report_write_html(r, path, &err), 0, "%s", err.msg);
    char *h = slurp(tmpdir, "x.html");
    cr_assert_eq(count_substr(h, "<svg "), 2);
    /* categories in report order, one tick label each */
    const char *lo = strstr(h, "class=\"tick\">low</text>");
    const char *hi = strstr(h, "class=\"tick\">high</text>");
    cr_assert(lo && hi && lo < hi);
    cr_assert_null(strstr(h, "nan"));
    cr_assert_null(strstr(h, "inf "));
    free(h);
    json_decref(r);
}

Test(report, html_shows_incomplete_banner_for_partial_report)
{
    json_t *r = fixture_report();
    json_object_set_new(r, "complete", json_false());
    char path[600];
    snprintf(path, sizeof path, "%s/r.html", tmpdir);
    sg17_err_t err = {{0}};
    sg17_report_summarize(r);
    cr_assert_eq(sg17_report_write_html(r, path, &err), 0, "%s", err.msg);
    char *h = slurp(tmpdir, "r.html");
    cr_assert_not_null(strstr(h, "<div class=\"banner bad\">INCOMPLETE"));
    free(h);
    json_decref(r);
}

Test(report, md_has_counts_table_rows_and_mismatch_evidence_with_pipes_escaped)
{
    json_t *r = fixture_report();
    char out[512];
    write_fixture(r, out, sizeof out);
    char *m = slurp(out, "summary.md");
    cr_assert(strncmp(m, "# sg17tb report\n", 16) == 0);
    cr_assert_not_null(strstr(m, "**8 scenarios**: 3 holds, 2 fails, 1 degraded, 1 vacuous, "
                                 "1 error — **6 as expected, 2 not**"));
    cr_assert_not_null(
        strstr(m, "| scenario | module | verdict | expect | ✓/✗ | requirements |\n"));
    cr_assert_not_null(strstr(m, "\n| metering/replay-readings | metering | holds | holds | ✓ | "
                                 "X1332-R-INT-02 |\n"));
    cr_assert_not_null(strstr(m, "\n| metering/stale-readings | metering | fails | holds | ✗ | "
                                 "X1332-R-FRESH |\n"));
    cr_assert_not_null(strstr(m, "\n| metering/sweep\\[magnitude=0.1\\] | metering | holds | "
                                 "holds | ✓ |"));
    cr_assert_not_null(strstr(m, "\n| ibc/q\"\\<\\&\\>'\\|id | ibc | error | holds | ✗ |"));
    cr_assert_not_null(strstr(m, "### metering/stale-readings: expected holds, got fails\n"));
    cr_assert_not_null(strstr(m, "| success | protected | ledger.accepted.replayed \\> 0 | true "
                                 "| 50 | 0 |\n"));
    cr_assert_not_null(strstr(m, "Error: module crashed: \\<script\\>alert(\"x\")\\</script\\> "
                                 "\\& 'q' \\| a b c\n"));
    cr_assert_eq(count_substr(m, "### "), 2);
    json_decref(r);
    free(m);
}

/* Three shards: scenarios split out of order across them. */
static json_t *shard(const char *which, const size_t *take, size_t n)
{
    json_t *full = fixture_report();
    json_t *r = json_deep_copy(full);
    json_t *sc = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(sc, json_array_get(json_object_get(full, "scenarios"), take[i]));
    json_object_set_new(r, "scenarios", sc);
    json_object_set_new(r, "shard", json_string(which));
    sg17_report_summarize(r);
    json_decref(full);
    return r;
}

Test(report, merge_unites_shards_sorted_by_id_and_recomputes_summary)
{
    const size_t a[] = {7, 0, 3}, b[] = {1, 4, 2}, c[] = {6, 5};
    json_t *shards[3] = {shard("1/3", a, 3), shard("2/3", b, 3), shard("3/3", c, 2)};
    json_object_set_new(shards[1], "started", json_string("2026-11-27T13:59:00Z"));
    json_object_set_new(shards[2], "finished", json_string("2026-11-27T14:05:00Z"));
    sg17_err_t err = {{0}};
    json_t *m = sg17_report_merge(shards, 3, &err);
    cr_assert_not_null(m, "%s", err.msg);
    json_t *sc = json_object_get(m, "scenarios");
    cr_assert_eq(json_array_size(sc), 8);
    const char *want[] = {HOSTILE_ID,
                          "metering/no-attack",
                          "metering/replay-readings",
                          "metering/stale-readings",
                          "metering/strict-counter",
                          "metering/sweep[magnitude=0.1]",
                          "metering/sweep[magnitude=10]",
                          "metering/sweep[magnitude=1]"};
    for (size_t i = 0; i < 8; i++)
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(sc, i), "id")), want[i]);
    cr_assert(json_is_true(json_object_get(m, "complete")));
    cr_assert(json_is_null(json_object_get(m, "shard")));
    cr_assert_str_eq(json_string_value(json_object_get(m, "started")), "2026-11-27T13:59:00Z");
    cr_assert_str_eq(json_string_value(json_object_get(m, "finished")), "2026-11-27T14:05:00Z");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(m, "summary"), "total")), 8);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(m, "summary"), "mismatched")),
                 2);
    cr_assert_eq(json_object_size(json_object_get(m, "catalogues")), 2);
    json_decref(m);
    for (int i = 0; i < 3; i++)
        json_decref(shards[i]);
}

Test(report, merge_rejects_the_same_scenario_id_in_two_shards)
{
    const size_t a[] = {0, 1}, b[] = {2, 1};
    json_t *shards[2] = {shard("1/2", a, 2), shard("2/2", b, 2)};
    sg17_err_t err = {{0}};
    cr_assert_null(sg17_report_merge(shards, 2, &err));
    cr_assert_not_null(strstr(err.msg, "\"metering/stale-readings\" is in report 1 and report 2"),
                       "%s", err.msg);
    json_decref(shards[0]);
    json_decref(shards[1]);
}

Test(report, merge_propagates_incomplete_and_missing_shards)
{
    const size_t a[] = {0}, b[] = {1};
    json_t *shards[2] = {shard("1/2", a, 1), shard("2/2", b, 1)};
    json_object_set_new(shards[1], "complete", json_false());
    sg17_err_t err = {{0}};
    json_t *m = sg17_report_merge(shards, 2, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert(json_is_false(json_object_get(m, "complete")));
    json_decref(m);
    /* both complete, but shard 2/3 never arrived */
    json_object_set_new(shards[1], "complete", json_true());
    json_object_set_new(shards[0], "shard", json_string("1/3"));
    json_object_set_new(shards[1], "shard", json_string("3/3"));
    m = sg17_report_merge(shards, 2, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert(json_is_false(json_object_get(m, "complete")));
    json_decref(m);
    json_decref(shards[0]);
    json_decref(shards[1]);
}

/* The fixture with a control run for metering/replay-readings (index 0) and "control": true. */
static json_t *controlled_report(void)
{
    json_t *r = fixture_report();
    json_object_set_new(r, "control", json_true());
    json_t *s = json_array_get(json_object_get(r, "scenarios"), 0);
    json_object_set_new(json_object_get(s, "runs"), "control",
                        json_pack("{s:{s:f, s:i}, s:f}", "metrics", "ledger.accepted.replayed", 0.0,
                                  "ledger.accepted.genuine", 987, "wall_ms", 11.0));
    json_array_insert_new(json_object_get(s, "conditions"), 0,
                          fixture_condition("success", "control", "ledger.accepted.replayed > 0", 0,
                                            json_real(0), json_integer(0),
                                            "ledger.accepted.replayed"));
    return r;
}

Test(report, control_run_values_are_shown_beside_baseline_and_protected)
{
    json_t *r = controlled_report();
    char out[512];
    write_fixture(r, out, sizeof out);
    char *h = slurp(out, "report.html");
    cr_assert_not_null(strstr(h, "<tr><th>key metric</th><th>control</th><th>baseline</th>"
                                 "<th>protected</th></tr>"));
    cr_assert_not_null(strstr(h, "<td class=\"num\">987</td><td class=\"num\">990</td>"
                                 "<td class=\"num\">995</td>"));
    cr_assert_null(strstr(h, "banner warn"), "every verdict had its control run");
    /* a scenario of the same report without one says so in its detail block */
    cr_assert_not_null(strstr(h, "<dt>control run</dt><dd>yes: no adversary, mitigations off"));
    cr_assert_not_null(strstr(h, "<dt>control run</dt><dd>No control run (--no-control)"));
    char *j = slurp(out, "junit.xml");
    cr_assert_not_null(strstr(j, "control run: ran\n"));
    cr_assert_not_null(strstr(j, "[success/control] ledger.accepted.replayed &gt; 0 -&gt; false"));
    cr_assert_not_null(strstr(j, "ledger.accepted.replayed: control 0, baseline 50, protected 0"));
    char *m = slurp(out, "summary.md");
    cr_assert_null(strstr(m, "No control run"));
    free(h);
    free(j);
    free(m);
    json_decref(r);
}

Test(report, a_report_without_control_runs_loads_renders_and_says_its_verdicts_are_weaker)
{
    json_t *r = fixture_report(); /* as written before control runs: no "control" key */
    char out[512];
    write_fixture(r, out, sizeof out);
    char path[600];
    snprintf(path, sizeof path, "%s/report.json", out);
    sg17_err_t err = {{0}};
    json_t *loaded = sg17_report_load(path, &err);
    cr_assert_not_null(loaded, "%s", err.msg);
    char *h = slurp(out, "report.html");
    cr_assert_not_null(strstr(h, "<div class=\"banner warn\">No control run (--no-control)"));
    cr_assert_not_null(strstr(h, "<tr><th>key metric</th><th>baseline</th><th>protected</th>"));
    char *m = slurp(out, "summary.md");
    cr_assert_not_null(strstr(m, "> **No control run (--no-control): the verdict is weaker"));
    char *j = slurp(out, "junit.xml");
    cr_assert_not_null(strstr(j, "control run: none\n"));
    cr_assert_not_null(strstr(j, "No control run (--no-control): the verdict is weaker"));
    free(h);
    free(m);
    free(j);
    json_decref(loaded);
    json_decref(r);
}

Test(report, merge_has_control_only_when_every_input_had_it)
{
    const size_t a[] = {0, 1}, b[] = {2};
    json_t *shards[2] = {shard("1/2", a, 2), shard("2/2", b, 1)};
    json_object_set_new(shards[0], "control", json_true());
    json_object_set_new(shards[1], "control", json_true());
    sg17_err_t err = {{0}};
    json_t *m = sg17_report_merge(shards, 2, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert(json_is_true(json_object_get(m, "control")));
    json_decref(m);
    json_object_set_new(shards[1], "control", json_false()); /* one shard ran --no-control */
    m = sg17_report_merge(shards, 2, &err);
    cr_assert(json_is_false(json_object_get(m, "control")));
    json_decref(m);
    json_object_del(shards[1], "control"); /* one report from before control runs */
    m = sg17_report_merge(shards, 2, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert(json_is_false(json_object_get(m, "control")));
    json_decref(m);
    json_object_set_new(shards[1], "control", json_string("yes"));
    cr_assert_null(sg17_report_merge(shards, 2, &err));
    cr_assert_not_null(strstr(err.msg, "\"control\" must be true or false"), "%s", err.msg);
    json_decref(shards[0]);
    json_decref(shards[1]);
}

Test(report, merge_rejects_differing_catalogues_of_one_module)
{
    const size_t a[] = {0}, b[] = {1};
    json_t *shards[2] = {shard("1/2", a, 1), shard("2/2", b, 1)};
    json_t *cat = json_object_get(json_object_get(shards[1], "catalogues"), "metering");
    json_object_set_new(cat, "file", json_string("/elsewhere/requirements.yaml"));
    sg17_err_t err = {{0}};
    json_t *m = sg17_report_merge(shards, 2, &err);
    cr_assert_not_null(m, "a different file path alone is fine: %s", err.msg);
    json_decref(m);
    json_object_set_new(cat, "title", json_string("edited"));
    cr_assert_null(sg17_report_merge(shards, 2, &err));
    cr_assert_not_null(strstr(err.msg, "\"metering\" catalogue of report 2 differs"), "%s",
                       err.msg);
    json_decref(shards[0]);
    json_decref(shards[1]);
}

Test(report, unknown_format_is_an_error_and_writes_nothing)
{
    json_t *r = fixture_report();
    char out[600];
    snprintf(out, sizeof out, "%s/never", tmpdir);
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_report_write(r, out, "json,htlm", &err), -1);
    cr_assert_not_null(strstr(err.msg, "unknown report format \"htlm\"; did you mean \"html\"?"),
                       "%s", err.msg);
    struct stat st;
    cr_assert_neq(stat(out, &st), 0, "nothing may be created for a bad format list");
    cr_assert_eq(sg17_report_formats_check("json, junit,html,md", &err), 0, "%s", err.msg);
    cr_assert_eq(sg17_report_formats_check(NULL, &err), 0);
    cr_assert_eq(sg17_report_formats_check("json,,md", &err), -1);
    cr_assert_not_null(strstr(err.msg, "empty entry"));
    cr_assert_eq(sg17_report_formats_check("", &err), -1);
    cr_assert_eq(sg17_report_formats_check("xml", &err), -1);
    json_decref(r);
}

Test(report, write_only_the_requested_formats)
{
    json_t *r = fixture_report();
    char out[600];
    snprintf(out, sizeof out, "%s/some", tmpdir);
    sg17_err_t err = {{0}};
    cr_assert_eq(sg17_report_write(r, out, "md,junit", &err), 0, "%s", err.msg);
    char p[700];
    struct stat st;
    snprintf(p, sizeof p, "%s/summary.md", out);
    cr_assert_eq(stat(p, &st), 0);
    snprintf(p, sizeof p, "%s/junit.xml", out);
    cr_assert_eq(stat(p, &st), 0);
    snprintf(p, sizeof p, "%s/report.json", out);
    cr_assert_neq(stat(p, &st), 0);
    snprintf(p, sizeof p, "%s/report.html", out);
    cr_assert_neq(stat(p, &st), 0);
    snprintf(p, sizeof p, "%s/report.sarif", out);
    cr_assert_neq(stat(p, &st), 0);
    json_decref(r);
}

/* Writes text to <tmpdir>/name and loads it, returning the error message (or "" when loaded). */
static const char *load_text(const char *name, const char *text, sg17_err_t *err)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
    err->msg[0] = '\0';
    json_t *r = sg17_report_load(p, err);
    json_decref(r);
    return r ? "" : err->msg;
}

Test(report, load_rejects_other_schemas_bad_verdicts_duplicates_and_syntax_errors)
{
    sg17_err_t err;
    cr_assert_str_eq(load_text("ok.json",
                               "{\"schema\":\"sg17tb-report/1\",\"complete\":true,"
                               "\"scenarios\":[]}",
                               &err),
                     "");
    cr_assert_not_null(strstr(load_text("s.json",
                                        "{\"schema\":\"sg17tb-report/2\",\"complete\":"
                                        "true,\"scenarios\":[]}",
                                        &err),
                              "schema \"sg17tb-report/2\" is not supported"));
    cr_assert_not_null(strstr(load_text("v.json",
                                        "{\"schema\":\"sg17tb-report/1\",\"complete\":"
                                        "true,\"scenarios\":[{\"id\":\"a\",\"module\":"
                                        "\"m\",\"verdict\":\"passed\"}]}",
                                        &err),
                              "scenarios[0] (a): unknown verdict \"passed\""));
    cr_assert_not_null(strstr(load_text("d.json",
                                        "{\"schema\":\"sg17tb-report/1\",\"complete\":"
                                        "true,\"scenarios\":[{\"id\":\"a\",\"module\":"
                                        "\"m\",\"verdict\":\"holds\"},{\"id\":\"a\","
                                        "\"module\":\"m\",\"verdict\":\"fails\"}]}",
                                        &err),
                              "scenario id \"a\" appears twice (scenarios[0] and [1])"));
    const char *msg = load_text("x.json", "{\n  \"schema\": ,\n}", &err);
    cr_assert_not_null(strstr(msg, "x.json:2:"), "%s", msg);
    cr_assert_not_null(strstr(load_text("c.json",
                                        "{\"schema\":\"sg17tb-report/1\","
                                        "\"scenarios\":[]}",
                                        &err),
                              "\"complete\" must be true or false"));
}

Test(report, html_shows_a_runs_artifacts_escaped)
{
    json_t *r = fixture_report();
    json_t *s0 = json_array_get(json_object_get(r, "scenarios"), 0);
    json_t *prot = json_object_get(json_object_get(s0, "runs"), "protected");
    cr_assert_not_null(prot);
    json_object_set_new(prot, "artifacts",
                        json_pack("{s:s}", "truth_table", "tenant-0 ..X\n" HOSTILE));
    char out[512];
    write_fixture(r, out, sizeof out);
    char *h = slurp(out, "report.html");
    const char *at = strstr(h, "<details open><summary>truth_table (protected run)</summary>\n"
                               "<pre class=\"artifact\">tenant-0 ..X\n&lt;script&gt;");
    cr_assert_not_null(at);
    cr_assert_null(strstr(h, "<script>alert"));
    free(h);
    json_decref(r);
}
