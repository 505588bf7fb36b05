/* report_fixture.h — a report built in code for the report tests: two modules with catalogues,
 * every verdict, a three-point sweep, and hostile strings in ids, titles and reasons. */
#ifndef SG17_TEST_REPORT_FIXTURE_H
#define SG17_TEST_REPORT_FIXTURE_H

#include <jansson.h>

/* A hostile string: markup, quotes, a pipe, and control bytes. */
#define HOSTILE                                   \
    "<script>alert(\"x\")</script> & 'q' | a\x01" \
    "b\x1b"                                       \
    "c"
/* A hostile scenario id (must survive every format, attributes included). */
#define HOSTILE_ID "ibc/q\"<&>'|id"

static json_t *fixture_condition(const char *set, const char *run, const char *expr, int result,
                                 json_t *lhs, json_t *rhs, const char *metric)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:[s]}", "set", set, "run", run, "expr", expr,
                     "result", result, "lhs", lhs, "rhs", rhs, "metrics", metric);
}

/* One scenario. matrix_value NULL = not a sweep point. */
static json_t *fixture_scenario(const char *id, const char *base, const char *module,
                                const char *verdict, const char *expect, const char *req,
                                const char *threat, const char *matrix_value, double replayed_b,
                                double replayed_p)
{
    json_t *s = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:[s], s:[s], s:i, s:[s], s:s, s:s, s:n, s:b, s:s, s:n,"
        " s:f}",
        "id", id, "base_id", base, "file", "scenarios/x.yaml", "module", module, "title",
        "Captured readings are replayed", "requirements", req, "threats", threat, "seed", 42,
        "mitigations", "invocation_counter", "verdict", verdict, "expect", expect, "expect_reason",
        "matches_expect", strcmp(verdict, expect) == 0, "reason",
        "attack succeeded in baseline and was stopped when protected", "error", "wall_ms", 27.0);
    if (matrix_value) {
        json_object_set_new(s, "matrix", json_pack("{s:s}", "magnitude", matrix_value));
        json_object_set_new(s, "matrix_x", json_string("magnitude"));
    } else {
        json_object_set_new(s, "matrix", json_null());
        json_object_set_new(s, "matrix_x", json_null());
    }
    json_t *conds = json_array();
    json_array_append_new(conds,
                          fixture_condition("success", "baseline", "ledger.accepted.replayed > 0",
                                            replayed_b > 0, json_real(replayed_b), json_integer(0),
                                            "ledger.accepted.replayed"));
    json_array_append_new(conds,
                          fixture_condition("success", "protected", "ledger.accepted.replayed > 0",
                                            replayed_p > 0, json_real(replayed_p), json_integer(0),
                                            "ledger.accepted.replayed"));
    json_array_append_new(
        conds, fixture_condition("service", "protected", "ledger.accepted.genuine >= 0.99 * x", 1,
                                 json_null(), json_null(), "ledger.accepted.genuine"));
    json_object_set_new(s, "conditions", conds);
    json_object_set_new(s, "runs",
                        json_pack("{s:{s:{s:f, s:i, s:i}, s:f}, s:{s:{s:f, s:i, s:i}, s:f}}",
                                  "baseline", "metrics", "ledger.accepted.replayed", replayed_b,
                                  "ledger.accepted.genuine", 990, "cost.handler_us", 17, "wall_ms",
                                  12.5, "protected", "metrics", "ledger.accepted.replayed",
                                  replayed_p, "ledger.accepted.genuine", 995, "cost.handler_us", 21,
                                  "wall_ms", 13.25));
    return s;
}

static json_t *fixture_catalogues(void)
{
    return json_pack(
        "{s:{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:n, s:s}, {s:s, s:s, s:s, s:n, s:s}],"
        "    s:[{s:s, s:s, s:s, s:s, s:s, s:[s], s:n},"
        "       {s:s, s:s, s:s, s:s, s:s, s:[s], s:n},"
        "       {s:s, s:s, s:s, s:n, s:s, s:[], s:s},"
        "       {s:s, s:s, s:s, s:n, s:s, s:[], s:n}]},"
        " s:{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:n, s:s}],"
        "    s:[{s:s, s:s, s:s, s:s, s:s, s:[s], s:n}]}}",
        "metering", "recommendation", "X.1332", "title", "Smart metering", "file",
        "modules/metering/requirements.yaml", "threats", "id", "X1332-T-INVALID-DATA", "title",
        "Invalid data", "source", "derived", "clause", "text", "Readings that are not genuine",
        "id", "X1332-T-UNUSED", "title", "Unused threat", "source", "derived", "clause", "text",
        "t", "requirements", "id", "X1332-R-INT-02", "title", "Reading integrity", "source",
        "clause", "clause", "9.1", "text", "Readings are integrity protected", "threats",
        "X1332-T-INVALID-DATA", "untestable", "id", "X1332-R-FRESH", "title", "Freshness", "source",
        "clause", "clause", "9.2", "text", "Old readings are refused", "threats",
        "X1332-T-INVALID-DATA", "untestable", "id", "X1332-R-PHYS", "title",
        "Physical tamper evidence", "source", "derived", "clause", "text", "t", "threats",
        "untestable", "needs hardware", "id", "X1332-R-LONELY", "title", "Lonely requirement",
        "source", "derived", "clause", "text", "t", "threats", "untestable", "ibc",
        "recommendation", "X.1365", "title", "IBC for IoT", "file", "modules/ibc/requirements.yaml",
        "threats", "id", "X1365-T-FORGE", "title", "Forgery", "source", "derived", "clause", "text",
        "t", "requirements", "id", "X1365-R-SIG", "title", HOSTILE, "source", "clause", "clause",
        "7.1", "text", "t", "threats", "X1365-T-FORGE", "untestable");
}

/* The whole report: 8 scenarios (holds, fails≠expect, degraded, vacuous=expect, error, and a
 * three-point sweep), complete, not summarised yet. */
static json_t *fixture_report(void)
{
    json_t *r = json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:b, s:n, s:n}", "schema",
                          "sg17tb-report/1", "tool", "name", "sg17tb", "version", "0.1.0", "git",
                          "v0.1.0-3-gabc", "started", "2026-11-27T14:00:00Z", "finished",
                          "2026-11-27T14:00:03Z", "complete", 1, "seed", "shard");
    json_object_set_new(r, "catalogues", fixture_catalogues());
    json_t *sc = json_array();
    json_array_append_new(sc,
                          fixture_scenario("metering/replay-readings", "metering/replay-readings",
                                           "metering", "holds", "holds", "X1332-R-INT-02",
                                           "X1332-T-INVALID-DATA", NULL, 50, 0));
    json_array_append_new(sc, fixture_scenario("metering/stale-readings", "metering/stale-readings",
                                               "metering", "fails", "holds", "X1332-R-FRESH",
                                               "X1332-T-INVALID-DATA", NULL, 50, 50));
    json_array_append_new(sc, fixture_scenario("metering/strict-counter", "metering/strict-counter",
                                               "metering", "degraded", "degraded", "X1332-R-INT-02",
                                               "X1332-T-INVALID-DATA", NULL, 50, 0));
    json_array_append_new(sc, fixture_scenario("metering/no-attack", "metering/no-attack",
                                               "metering", "vacuous", "vacuous", "X1332-R-INT-02",
                                               "X1332-T-INVALID-DATA", NULL, 0, 0));
    json_t *err = fixture_scenario(HOSTILE_ID, HOSTILE_ID, "ibc", "error", "holds", "X1365-R-SIG",
                                   "X1365-T-FORGE", NULL, 0, 0);
    json_object_set_new(err, "error", json_string("module crashed: " HOSTILE));
    json_object_set_new(err, "reason", json_string(HOSTILE));
    json_array_append_new(sc, err);
    static const char *const mags[] = {"0.1", "1", "10"};
    static const double prot[] = {0, 2, 9};
    for (int i = 0; i < 3; i++) {
        char id[96];
        snprintf(id, sizeof id, "metering/sweep[magnitude=%s]", mags[i]);
        json_array_append_new(
            sc, fixture_scenario(id, "metering/sweep", "metering", prot[i] > 5 ? "fails" : "holds",
                                 prot[i] > 5 ? "fails" : "holds", "X1332-R-INT-02",
                                 "X1332-T-INVALID-DATA", mags[i], 20 * (i + 1), prot[i]));
    }
    json_object_set_new(r, "scenarios", sc);
    return r;
}

#endif
