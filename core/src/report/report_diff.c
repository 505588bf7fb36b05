/* report_diff.c — `sg17tb diff OLD.json NEW.json`: what changed between two runs, for a
 * pull-request check (docs/report.md, "Comparing two reports"). Scenarios are matched by id.
 * Listed: verdict changes (a regression when the new verdict ranks below the old one or the
 * scenario no longer matches its expect), scenarios added or removed, and moves of the judged
 * metrics (those the scenario's conditions read; every non-cost metric with all_metrics) whose
 * relative change exceeds the tolerance. */
#include "report/report_diff.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/report_text.h"

/* holds is best, error worst: a move down this list is a regression. */
static int verdict_rank(const char *v)
{
    static const char *const order[] = {"holds", "degraded", "vacuous", "fails", "error"};
    for (int i = 0; i < 5; i++)
        if (strcmp(v, order[i]) == 0)
            return i;
    return 5;
}

/* The scenario of report with this id, or NULL. */
static const json_t *find_scenario(const json_t *report, const char *id)
{
    size_t i;
    json_t *s;
    json_array_foreach(sg17_rj_array(report, "scenarios"), i, s)
    {
        if (strcmp(sg17_rj_str(s, "id", ""), id) == 0)
            return s;
    }
    return NULL;
}

/* The metric names a scenario's conditions read, as a set (object name -> true). */
static void judged_metrics(const json_t *s, json_t *set)
{
    size_t i;
    json_t *c;
    json_array_foreach(sg17_rj_array(s, "conditions"), i, c)
    {
        size_t k;
        json_t *m;
        json_array_foreach(sg17_rj_array(c, "metrics"), k, m) if (json_is_string(m))
            json_object_set_new(set, json_string_value(m), json_true());
    }
}

/* true when |new - old| exceeds tolerance relative to |old| (any change when old is 0). */
static bool moved(double a, double b, double tolerance)
{
    if (a == b)
        return false;
    if (isnan(a) || isnan(b))
        return true;
    double scale = fabs(a);
    if (scale == 0)
        return true;
    return fabs(b - a) / scale > tolerance;
}

/* Lists the metric moves of one scenario present in both reports. */
static void diff_metrics(const json_t *os, const json_t *ns, const sg17_diff_opts_t *opts,
                         sg17_rbuf_t *out, sg17_diff_counts_t *counts)
{
    static const char *const runs[] = {"control", "baseline", "protected"};
    json_t *names = json_object();
    judged_metrics(os, names);
    judged_metrics(ns, names);
    for (size_t r = 0; r < 3; r++) {
        const json_t *om =
            sg17_rj_object(sg17_rj_object(sg17_rj_object(os, "runs"), runs[r]), "metrics");
        const json_t *nm =
            sg17_rj_object(sg17_rj_object(sg17_rj_object(ns, "runs"), runs[r]), "metrics");
        if (!om || !nm)
            continue;
        if (opts->all_metrics) {
            const char *k;
            json_t *v;
            json_object_foreach((json_t *)nm, k, v) if (strncmp(k, "cost.", 5) != 0)
                json_object_set_new(names, k, json_true());
        }
        const char *name;
        json_t *unused;
        json_object_foreach(names, name, unused)
        {
            /* a metric a run does not report reads as 0 in a condition */
            double a = sg17_rj_num(om, name, 0), b = sg17_rj_num(nm, name, 0);
            if (!moved(a, b, opts->tolerance))
                continue;
            counts->metric_moves++;
            sg17_rbuf_printf(out, "metric    %s %s %s: %.6g -> %.6g", sg17_rj_str(ns, "id", "?"),
                             runs[r], name, a, b);
            if (a != 0 && !isnan(a) && !isnan(b))
                sg17_rbuf_printf(out, " (%+.1f %%)", 100.0 * (b - a) / fabs(a));
            sg17_rbuf_puts(out, "\n");
        }
    }
    json_decref(names);
}

void sg17_report_diff(const json_t *old_report, const json_t *new_report,
                      const sg17_diff_opts_t *opts, sg17_rbuf_t *out, sg17_diff_counts_t *counts)
{
    memset(counts, 0, sizeof *counts);
    size_t i;
    json_t *ns;
    json_array_foreach(sg17_rj_array(new_report, "scenarios"), i, ns)
    {
        const char *id = sg17_rj_str(ns, "id", "?");
        const json_t *os = find_scenario(old_report, id);
        const char *nv = sg17_rj_str(ns, "verdict", "error");
        if (!os) {
            counts->added++;
            sg17_rbuf_printf(out, "added     %s: %s (expect %s)\n", id, nv,
                             sg17_rj_str(ns, "expect", "holds"));
            continue;
        }
        const char *ov = sg17_rj_str(os, "verdict", "error");
        bool was_matched = sg17_report_scenario_matched(os);
        bool is_matched = sg17_report_scenario_matched(ns);
        if (strcmp(ov, nv) != 0 || was_matched != is_matched) {
            bool regression = verdict_rank(nv) > verdict_rank(ov) || (was_matched && !is_matched);
            counts->verdict_changes++;
            if (regression)
                counts->regressions++;
            sg17_rbuf_printf(out, "verdict   %s: %s -> %s (expect %s)%s\n", id, ov, nv,
                             sg17_rj_str(ns, "expect", "holds"), regression ? "  REGRESSION" : "");
        }
        diff_metrics(os, ns, opts, out, counts);
    }
    json_t *os;
    json_array_foreach(sg17_rj_array(old_report, "scenarios"), i, os)
    {
        const char *id = sg17_rj_str(os, "id", "?");
        if (find_scenario(new_report, id))
            continue;
        counts->removed++;
        sg17_rbuf_printf(out, "removed   %s: was %s\n", id, sg17_rj_str(os, "verdict", "error"));
    }
    sg17_rbuf_printf(out,
                     "%zu regression%s, %zu verdict change%s, %zu metric move%s beyond %g, "
                     "%zu added, %zu removed\n",
                     counts->regressions, counts->regressions == 1 ? "" : "s",
                     counts->verdict_changes, counts->verdict_changes == 1 ? "" : "s",
                     counts->metric_moves, counts->metric_moves == 1 ? "" : "s", opts->tolerance,
                     counts->added, counts->removed);
}
