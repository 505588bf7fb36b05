/* report_sarif.c — report.sarif: the run as a SARIF 2.1.0 log (OASIS Static Analysis Results
 * Interchange Format), so that code-scanning UIs list the requirements that do not hold.
 *
 * One run, tool.driver = sg17tb with one rule per catalogue requirement (id = the requirement id,
 * its title and paraphrase as descriptions) plus the requirements scenarios cite that no
 * catalogue has. One result per scenario whose verdict is not `holds`: ruleId = the first
 * requirement the scenario exercises (all of them in properties.requirements), level error for
 * fails/error, warning for degraded/vacuous, the location the scenario file. A scenario whose
 * verdict is what it expects (a known weakness recorded with `expect`) is reported suppressed,
 * with the scenario's expect_reason as the justification. docs/report.md describes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/report_text.h"
#include "util/fsutil.h"

#define SARIF_SCHEMA_URI "https://json.schemastore.org/sarif-2.1.0.json"
/* The rule of a scenario that cites no requirement. */
#define SARIF_RULE_UNMAPPED "SG17TB-UNMAPPED"

/* A sentence for SARIF's message text: the text with a final period (SARIF guidance). */
static json_t *sarif_message(const char *text)
{
    size_t n = strlen(text);
    if (n && (text[n - 1] == '.' || text[n - 1] == '!' || text[n - 1] == '?'))
        return json_pack("{s:s}", "text", text);
    sg17_rbuf_t b = {0};
    sg17_rbuf_puts(&b, text);
    sg17_rbuf_puts(&b, ".");
    json_t *m = json_pack("{s:s}", "text", b.data ? b.data : ".");
    sg17_rbuf_free(&b);
    return m;
}

/* A rule (reportingDescriptor) for a requirement of a catalogue, or NULL when req is NULL. */
static json_t *sarif_rule(const char *id, const char *recommendation, const json_t *req)
{
    const char *title = sg17_rj_str(req, "title", NULL);
    const char *text = sg17_rj_str(req, "text", NULL);
    json_t *rule = json_pack("{s:s}", "id", id);
    if (title)
        json_object_set_new(rule, "shortDescription", sarif_message(title));
    else
        json_object_set_new(rule, "shortDescription",
                            sarif_message(req ? "A requirement of the catalogue"
                                              : "A requirement that no catalogue of the run has"));
    if (text)
        json_object_set_new(rule, "fullDescription", sarif_message(text));
    json_t *props = json_object();
    if (recommendation)
        json_object_set_new(props, "recommendation", json_string(recommendation));
    const char *clause = sg17_rj_str(req, "clause", NULL);
    if (clause)
        json_object_set_new(props, "clause", json_string(clause));
    const char *source = sg17_rj_str(req, "source", NULL);
    if (source)
        json_object_set_new(props, "source", json_string(source));
    const char *untestable = sg17_rj_str(req, "untestable", NULL);
    if (untestable)
        json_object_set_new(props, "untestable", json_string(untestable));
    if (!req)
        json_object_set_new(props, "inCatalogue", json_false());
    json_object_set_new(rule, "properties", props);
    return rule;
}

/* Adds a rule unless its id is known (index maps id -> position in rules). */
static void rules_add(json_t *rules, json_t *index, const char *id, const char *recommendation,
                      const json_t *req)
{
    if (json_object_get(index, id))
        return;
    json_object_set_new(index, id, json_integer((json_int_t)json_array_size(rules)));
    json_array_append_new(rules, sarif_rule(id, recommendation, req));
}

/* The rules: every catalogue requirement (modules sorted), then ids scenarios cite that no
 * catalogue has, then the rule for scenarios without requirements when one needs it. */
static void sarif_rules(const json_t *report, json_t *rules, json_t *index)
{
    json_t *cats = sg17_rj_object(report, "catalogues");
    json_t *modules = sg17_report_modules(report, true);
    size_t m;
    json_t *mv;
    json_array_foreach(modules, m, mv)
    {
        const json_t *cat = sg17_rj_object(cats, json_string_value(mv));
        size_t i;
        json_t *req;
        json_array_foreach(sg17_rj_array(cat, "requirements"), i, req)
        {
            const char *id = sg17_rj_str(req, "id", NULL);
            if (id)
                rules_add(rules, index, id, sg17_rj_str(cat, "recommendation", NULL), req);
        }
    }
    json_decref(modules);
    size_t i;
    json_t *s;
    json_array_foreach(sg17_rj_array(report, "scenarios"), i, s)
    {
        size_t k;
        json_t *r;
        bool any = false;
        json_array_foreach(sg17_rj_array(s, "requirements"), k, r)
        {
            if (!json_is_string(r))
                continue;
            any = true;
            rules_add(rules, index, json_string_value(r), NULL, NULL);
        }
        if (!any && strcmp(sg17_rj_str(s, "verdict", "error"), "holds") != 0
            && !json_object_get(index, SARIF_RULE_UNMAPPED)) {
            json_object_set_new(index, SARIF_RULE_UNMAPPED,
                                json_integer((json_int_t)json_array_size(rules)));
            json_array_append_new(
                rules, json_pack("{s:s, s:o}", "id", SARIF_RULE_UNMAPPED, "shortDescription",
                                 sarif_message("A scenario that cites no requirement")));
        }
    }
}

/* The strings of an array member as a new JSON array. */
static json_t *string_list(const json_t *obj, const char *key)
{
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(sg17_rj_array(obj, key), i, v) if (json_is_string(v))
        json_array_append(out, v);
    return out;
}

/* The result of one scenario that does not hold. */
static json_t *sarif_result(const json_t *s, const json_t *index)
{
    const char *verdict = sg17_rj_str(s, "verdict", "error");
    const char *expect = sg17_rj_str(s, "expect", "holds");
    const char *rule = SARIF_RULE_UNMAPPED;
    json_t *first = json_array_get(sg17_rj_array(s, "requirements"), 0);
    if (json_is_string(first))
        rule = json_string_value(first);
    sg17_rbuf_t msg = {0};
    sg17_rbuf_printf(&msg, "Scenario %s: %s", sg17_rj_str(s, "id", "?"), verdict);
    const char *why = sg17_rj_str(s, "error", sg17_rj_str(s, "reason", NULL));
    if (why)
        sg17_rbuf_printf(&msg, ": %s", why);
    json_t *res = json_object();
    json_object_set_new(res, "ruleId", json_string(rule));
    json_object_set(res, "ruleIndex", json_object_get(index, rule));
    bool severe = strcmp(verdict, "fails") == 0 || strcmp(verdict, "error") == 0;
    json_object_set_new(res, "level", json_string(severe ? "error" : "warning"));
    json_object_set_new(res, "message", sarif_message(msg.data ? msg.data : verdict));
    sg17_rbuf_free(&msg);
    const char *file = sg17_rj_str(s, "file", NULL);
    if (file)
        json_object_set_new(res, "locations",
                            json_pack("[{s:{s:{s:s, s:s}, s:{s:i}}}]", "physicalLocation",
                                      "artifactLocation", "uri", file, "uriBaseId", "SRCROOT",
                                      "region", "startLine", 1));
    /* the same scenario and verdict are the same finding from run to run */
    sg17_rbuf_t fp = {0};
    sg17_rbuf_printf(&fp, "%s/%s", sg17_rj_str(s, "id", "?"), verdict);
    json_object_set_new(res, "partialFingerprints",
                        json_pack("{s:s}", "sg17tbScenario/v1", fp.data ? fp.data : ""));
    sg17_rbuf_free(&fp);
    if (strcmp(verdict, expect) == 0) {
        const char *just = sg17_rj_str(s, "expect_reason", "the scenario expects this verdict");
        json_object_set_new(res, "suppressions",
                            json_pack("[{s:s, s:s, s:s}]", "kind", "inSource", "status", "accepted",
                                      "justification", just));
    }
    json_t *props = json_pack(
        "{s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "scenario", sg17_rj_str(s, "id", "?"), "module",
        sg17_rj_str(s, "module", "?"), "verdict", verdict, "expect", expect, "matchesExpect",
        sg17_report_scenario_matched(s), "requirements", string_list(s, "requirements"), "threats",
        string_list(s, "threats"), "mitigations", string_list(s, "mitigations"));
    json_object_set_new(res, "properties", props);
    return res;
}

json_t *sg17_report_sarif(const json_t *report)
{
    json_t *rules = json_array(), *index = json_object();
    sarif_rules(report, rules, index);
    const json_t *tool = sg17_rj_object(report, "tool");
    json_t *driver = json_pack("{s:s, s:s, s:o}", "name", "sg17tb", "version",
                               sg17_rj_str(tool, "version", "unknown"), "rules", rules);
    json_t *results = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(sg17_rj_array(report, "scenarios"), i, s)
    {
        if (strcmp(sg17_rj_str(s, "verdict", "error"), "holds") != 0)
            json_array_append_new(results, sarif_result(s, index));
    }
    json_decref(index);
    json_t *invocation =
        json_pack("{s:b}", "executionSuccessful", sg17_rj_bool(report, "complete", false));
    const char *started = sg17_rj_str(report, "started", NULL);
    const char *finished = sg17_rj_str(report, "finished", NULL);
    if (started)
        json_object_set_new(invocation, "startTimeUtc", json_string(started));
    if (finished)
        json_object_set_new(invocation, "endTimeUtc", json_string(finished));
    json_t *run = json_pack(
        "{s:{s:o}, s:o, s:[o], s:{s:{s:o}}, s:{s:s, s:b}}", "tool", "driver", driver, "results",
        results, "invocations", invocation, "originalUriBaseIds", "SRCROOT", "description",
        sarif_message("The directory sg17tb ran in; scenario files are relative to it"),
        "properties", "git", sg17_rj_str(tool, "git", "unknown"), "control",
        sg17_report_controlled(report));
    return json_pack("{s:s, s:s, s:[o]}", "$schema", SARIF_SCHEMA_URI, "version", "2.1.0", "runs",
                     run);
}

int sg17_report_write_sarif(const json_t *report, const char *path, sg17_err_t *err)
{
    json_t *log = sg17_report_sarif(report);
    if (!log)
        return sg17_err(err, "%s: out of memory", path);
    char *text = json_dumps(log, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    json_decref(log);
    if (!text)
        return sg17_err(err, "%s: cannot encode the SARIF log", path);
    sg17_rbuf_t b = {0};
    sg17_rbuf_puts(&b, text);
    sg17_rbuf_puts(&b, "\n");
    free(text);
    int rc = b.failed ? sg17_err(err, "%s: out of memory", path)
                      : sg17_fs_write_atomic(path, b.data, b.len, err);
    sg17_rbuf_free(&b);
    return rc;
}
