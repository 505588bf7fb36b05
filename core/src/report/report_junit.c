/* report_junit.c — junit.xml: one <testsuite> per module, one <testcase> per scenario, in the
 * JUnit XML dialect that GitLab, Jenkins and GitHub test reporters read, valid against the
 * Jenkins xUnit plugin's published JUnit schema (a copy with its provenance in tests/data/junit/:
 * tests, failures, errors, skipped, time; <failure>/<error> with message and type; <properties>
 * of a testsuite; <system-out>). A verdict that differs from expect is a failure; verdict error is
 * an error. */
#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "report/report_text.h"
#include "util/fsutil.h"

/* Seconds with millisecond precision, as JUnit readers expect. */
static double scenario_seconds(const json_t *s)
{
    double ms = sg17_rj_num(s, "wall_ms", 0);
    return ms > 0 ? ms / 1000.0 : 0.0;
}

/* A comma-joined list of the strings of array key (requirements, threats). */
static void join_strings(sg17_rbuf_t *b, const json_t *obj, const char *key)
{
    size_t i;
    json_t *v;
    bool first = true;
    json_array_foreach(sg17_rj_array(obj, key), i, v)
    {
        if (!json_is_string(v))
            continue;
        if (!first)
            sg17_rbuf_puts(b, ",");
        sg17_rbuf_puts(b, json_string_value(v));
        first = false;
    }
}

/* One <testcase>, its failure or error, and the explanation as its text. The testcase carries
 * only what the published JUnit schema allows (tests/data/junit/junit-jenkins.xsd): name,
 * classname, time; the scenario's file, requirements, threats, mitigations and whether it had a
 * control run follow the explanation as lines of text. */
static void junit_testcase(sg17_rbuf_t *b, const json_t *s)
{
    const char *verdict = sg17_rj_str(s, "verdict", "error");
    const char *expect = sg17_rj_str(s, "expect", "holds");
    sg17_rbuf_puts(b, "    <testcase classname=\"");
    sg17_rbuf_xml(b, sg17_rj_str(s, "module", ""), true);
    sg17_rbuf_puts(b, "\" name=\"");
    sg17_rbuf_xml(b, sg17_rj_str(s, "id", ""), true);
    sg17_rbuf_printf(b, "\" time=\"%.3f\">\n", scenario_seconds(s));

    sg17_rbuf_t why = {0};
    sg17_report_explain(&why, s);
    sg17_rbuf_puts(&why, "requirements: ");
    join_strings(&why, s, "requirements");
    sg17_rbuf_puts(&why, "\nthreats: ");
    join_strings(&why, s, "threats");
    sg17_rbuf_puts(&why, "\nmitigations: ");
    join_strings(&why, s, "mitigations");
    sg17_rbuf_printf(&why, "\ncontrol run: %s\n", sg17_report_has_control(s) ? "ran" : "none");
    const char *file = sg17_rj_str(s, "file", NULL);
    if (file)
        sg17_rbuf_printf(&why, "file: %s\n", file);
    const char *explanation = why.data ? why.data : "";
    if (strcmp(verdict, "error") == 0) {
        sg17_rbuf_puts(b, "      <error message=\"");
        sg17_rbuf_xml(b, sg17_rj_str(s, "error", sg17_rj_str(s, "reason", "error")), true);
        sg17_rbuf_puts(b, "\" type=\"error\">");
        sg17_rbuf_xml(b, explanation, false);
        sg17_rbuf_puts(b, "</error>\n");
    } else if (!sg17_report_scenario_matched(s)) {
        sg17_rbuf_puts(b, "      <failure message=\"expected ");
        sg17_rbuf_xml(b, expect, true);
        sg17_rbuf_puts(b, ", got ");
        sg17_rbuf_xml(b, verdict, true);
        sg17_rbuf_puts(b, "\" type=\"verdict\">");
        sg17_rbuf_xml(b, explanation, false);
        sg17_rbuf_puts(b, "</failure>\n");
    } else {
        /* a passing testcase still carries its evidence for the CI log */
        sg17_rbuf_puts(b, "      <system-out>");
        sg17_rbuf_xml(b, explanation, false);
        sg17_rbuf_puts(b, "</system-out>\n");
    }
    sg17_rbuf_puts(b, "    </testcase>\n");
    sg17_rbuf_free(&why);
}

/* Counts of one module's scenarios (module NULL: all). */
static void junit_counts(const json_t *report, const char *module, long *tests, long *failures,
                         long *errors, double *seconds)
{
    *tests = *failures = *errors = 0;
    *seconds = 0;
    size_t i;
    json_t *s;
    json_array_foreach(sg17_rj_array(report, "scenarios"), i, s)
    {
        if (module && strcmp(sg17_rj_str(s, "module", ""), module) != 0)
            continue;
        (*tests)++;
        *seconds += scenario_seconds(s);
        if (strcmp(sg17_rj_str(s, "verdict", "error"), "error") == 0)
            (*errors)++;
        else if (!sg17_report_scenario_matched(s))
            (*failures)++;
    }
}

int sg17_report_write_junit(const json_t *report, const char *path, sg17_err_t *err)
{
    json_t *modules = sg17_report_modules(report, false);
    if (!modules)
        return sg17_err(err, "%s: out of memory", path);
    sg17_rbuf_t b = {0};
    long tests, failures, errors;
    double seconds;
    junit_counts(report, NULL, &tests, &failures, &errors, &seconds);
    sg17_rbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sg17_rbuf_printf(&b,
                     "<testsuites name=\"sg17tb\" tests=\"%ld\" failures=\"%ld\" "
                     "errors=\"%ld\" time=\"%.3f\">\n",
                     tests, failures, errors, seconds);
    size_t m;
    json_t *mv;
    json_array_foreach(modules, m, mv)
    {
        const char *module = json_string_value(mv);
        junit_counts(report, module, &tests, &failures, &errors, &seconds);
        sg17_rbuf_puts(&b, "  <testsuite name=\"");
        sg17_rbuf_xml(&b, module, true);
        sg17_rbuf_printf(&b,
                         "\" tests=\"%ld\" failures=\"%ld\" errors=\"%ld\" skipped=\"0\" "
                         "time=\"%.3f\"",
                         tests, failures, errors, seconds);
        const char *started = sg17_rj_str(report, "started", NULL);
        if (started) {
            sg17_rbuf_puts(&b, " timestamp=\"");
            sg17_rbuf_xml(&b, started, true);
            sg17_rbuf_puts(&b, "\"");
        }
        sg17_rbuf_puts(&b, ">\n");
        size_t i;
        json_t *s;
        json_array_foreach(sg17_rj_array(report, "scenarios"), i,
                           s) if (strcmp(sg17_rj_str(s, "module", ""), module) == 0)
            junit_testcase(&b, s);
        sg17_rbuf_puts(&b, "  </testsuite>\n");
    }
    sg17_rbuf_puts(&b, "</testsuites>\n");
    json_decref(modules);
    int rc = b.failed ? sg17_err(err, "%s: out of memory", path)
                      : sg17_fs_write_atomic(path, b.data, b.len, err);
    sg17_rbuf_free(&b);
    return rc;
}
