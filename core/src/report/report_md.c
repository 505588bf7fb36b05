/* report_md.c — summary.md: a Markdown digest for CI job summaries and merge requests: counts,
 * one table row per scenario, then the evidence for each scenario whose verdict was not the
 * expected one. All report text is escaped (pipes included) so it cannot break the tables. */
#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "report/report_text.h"
#include "util/fsutil.h"

/* Tables longer than this fold into a <details> block. */
#define MD_FOLD_ROWS 25

/* The strings of an array as an escaped, comma-separated list. */
static void md_list(sg17_rbuf_t *b, const json_t *obj, const char *key)
{
    size_t i;
    json_t *v;
    bool first = true;
    json_array_foreach(sg17_rj_array(obj, key), i, v)
    {
        if (!json_is_string(v))
            continue;
        sg17_rbuf_puts(b, first ? "" : ", ");
        sg17_rbuf_md(b, json_string_value(v));
        first = false;
    }
    if (first)
        sg17_rbuf_puts(b, "–");
}

static long long summary_count(const json_t *report, const char *key)
{
    return (long long)sg17_rj_num(sg17_rj_object(report, "summary"), key, 0);
}

/* Title, provenance line, the incomplete warning and the counts line. */
static void md_header(sg17_rbuf_t *b, const json_t *report)
{
    const json_t *tool = sg17_rj_object(report, "tool");
    sg17_rbuf_puts(b, "# sg17tb report\n\n");
    sg17_rbuf_md(b, sg17_rj_str(tool, "name", "sg17tb"));
    sg17_rbuf_puts(b, " ");
    sg17_rbuf_md(b, sg17_rj_str(tool, "version", "?"));
    sg17_rbuf_puts(b, " (git ");
    sg17_rbuf_md(b, sg17_rj_str(tool, "git", "unknown"));
    sg17_rbuf_puts(b, ") · started ");
    sg17_rbuf_md(b, sg17_rj_str(report, "started", "?"));
    sg17_rbuf_puts(b, " · finished ");
    sg17_rbuf_md(b, sg17_rj_str(report, "finished", "?"));
    json_t *seed = json_object_get(report, "seed");
    if (json_is_number(seed)) {
        sg17_rbuf_puts(b, " · seed ");
        sg17_rbuf_num(b, seed, "");
    }
    const char *shard = sg17_rj_str(report, "shard", NULL);
    if (shard) {
        sg17_rbuf_puts(b, " · shard ");
        sg17_rbuf_md(b, shard);
    }
    sg17_rbuf_puts(b, "\n\n");
    if (!sg17_rj_bool(report, "complete", false))
        sg17_rbuf_puts(b, "> **INCOMPLETE**: the run was interrupted or shards are missing; "
                          "only the scenarios listed below ran.\n\n");
    if (!sg17_report_controlled(report)) {
        sg17_rbuf_puts(b, "> **");
        sg17_rbuf_md(b, sg17_report_no_control_note);
        sg17_rbuf_puts(b, ".**\n\n");
    }
    sg17_rbuf_printf(b,
                     "**%lld scenarios**: %lld holds, %lld fails, %lld degraded, "
                     "%lld vacuous, %lld error — **%lld as expected, %lld not**\n\n",
                     summary_count(report, "total"), summary_count(report, "holds"),
                     summary_count(report, "fails"), summary_count(report, "degraded"),
                     summary_count(report, "vacuous"), summary_count(report, "error"),
                     summary_count(report, "matched"), summary_count(report, "mismatched"));
}

/* The conditions of one scenario as a table with their values. */
static void md_conditions(sg17_rbuf_t *b, const json_t *s)
{
    json_t *conds = sg17_rj_array(s, "conditions");
    if (json_array_size(conds) == 0)
        return;
    sg17_rbuf_puts(b, "| set | run | condition | result | lhs | rhs |\n"
                      "|---|---|---|---|---:|---:|\n");
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c)
    {
        json_t *r = json_object_get(c, "result");
        sg17_rbuf_puts(b, "| ");
        sg17_rbuf_md(b, sg17_rj_str(c, "set", "?"));
        sg17_rbuf_puts(b, " | ");
        sg17_rbuf_md(b, sg17_rj_str(c, "run", "?"));
        sg17_rbuf_puts(b, " | ");
        sg17_rbuf_md(b, sg17_rj_str(c, "expr", "?"));
        sg17_rbuf_printf(b, " | %s | ",
                         json_is_true(r)    ? "true"
                         : json_is_false(r) ? "false"
                                            : "n/a");
        sg17_rbuf_num(b, json_object_get(c, "lhs"), "n/a");
        sg17_rbuf_puts(b, " | ");
        sg17_rbuf_num(b, json_object_get(c, "rhs"), "n/a");
        sg17_rbuf_puts(b, " |\n");
    }
    sg17_rbuf_puts(b, "\n");
}

/* Appends piece to b when it fits in SG17_REPORT_MD_MAX bytes with room for the closing note;
 * otherwise counts it as left out. */
static void md_append(sg17_rbuf_t *b, const sg17_rbuf_t *piece, size_t *left_out)
{
    static const size_t reserve = 400; /* the note on what was left out, and </details> */
    if (*left_out == 0 && b->len + piece->len + reserve <= SG17_REPORT_MD_MAX)
        sg17_rbuf_putn(b, piece->data ? piece->data : "", piece->len);
    else
        (*left_out)++;
}

/* After a verdict reached over several seeds: " (holds 19/20, fails 1/20 ⚠ not unanimous)". */
static void md_seeds(sg17_rbuf_t *b, const json_t *s)
{
    const json_t *seeds = sg17_rj_object(s, "seeds");
    if (!seeds)
        return;
    long long k = (long long)sg17_rj_num(seeds, "count", 0);
    const json_t *counts = sg17_rj_object(seeds, "verdicts");
    sg17_rbuf_puts(b, " (");
    bool first = true;
    for (int i = 4; i >= 0; i--) {
        long long c = (long long)sg17_rj_num(counts, sg17_report_verdicts[i], 0);
        if (!c)
            continue;
        sg17_rbuf_printf(b, "%s%s %lld/%lld", first ? "" : ", ", sg17_report_verdicts[i], c, k);
        first = false;
    }
    sg17_rbuf_puts(b, sg17_rj_bool(seeds, "unanimous", true) ? ")" : " ⚠ not unanimous)");
}

/* A scenario run over several seeds: its judged metrics' means and 95 % intervals, folded. */
static void md_seed_stats(sg17_rbuf_t *b, const json_t *s)
{
    const json_t *seeds = sg17_rj_object(s, "seeds");
    const json_t *metrics = sg17_rj_object(seeds, "metrics");
    static const char *const runs[] = {"control", "baseline", "protected"};
    sg17_rbuf_puts(b, "<details><summary>");
    sg17_rbuf_md(b, sg17_rj_str(s, "id", "?"));
    sg17_rbuf_puts(b, ": ");
    sg17_rbuf_md(b, sg17_rj_str(s, "verdict", "error"));
    md_seeds(b, s);
    sg17_rbuf_puts(b, "</summary>\n\n| metric: mean [95 % interval] |");
    for (size_t r = 0; r < 3; r++)
        if (sg17_rj_object(metrics, runs[r]))
            sg17_rbuf_printf(b, " %s |", runs[r]);
    sg17_rbuf_puts(b, "\n|---|");
    for (size_t r = 0; r < 3; r++)
        if (sg17_rj_object(metrics, runs[r]))
            sg17_rbuf_puts(b, "---:|");
    sg17_rbuf_puts(b, "\n");
    const json_t *names = sg17_rj_object(metrics, "protected");
    if (!names)
        names = sg17_rj_object(metrics, "baseline");
    const char *name;
    json_t *unused;
    json_object_foreach((json_t *)names, name, unused)
    {
        sg17_rbuf_puts(b, "| ");
        sg17_rbuf_md(b, name);
        sg17_rbuf_puts(b, " |");
        for (size_t r = 0; r < 3; r++) {
            const json_t *per = sg17_rj_object(metrics, runs[r]);
            if (!per)
                continue;
            const json_t *st = sg17_rj_object(per, name);
            const json_t *ci = sg17_rj_array(st, "ci95");
            sg17_rbuf_puts(b, " ");
            sg17_rbuf_num(b, json_object_get(st, "mean"), "–");
            sg17_rbuf_puts(b, " [");
            sg17_rbuf_num(b, json_array_get(ci, 0), "?");
            sg17_rbuf_puts(b, ", ");
            sg17_rbuf_num(b, json_array_get(ci, 1), "?");
            sg17_rbuf_puts(b, "] |");
        }
        sg17_rbuf_puts(b, "\n");
    }
    sg17_rbuf_puts(b, "\n</details>\n\n");
}

/* One row of the scenario table. */
static void md_row(sg17_rbuf_t *b, const json_t *s)
{
    sg17_rbuf_puts(b, "| ");
    sg17_rbuf_md(b, sg17_rj_str(s, "id", "?"));
    sg17_rbuf_puts(b, " | ");
    sg17_rbuf_md(b, sg17_rj_str(s, "module", "?"));
    sg17_rbuf_puts(b, " | ");
    sg17_rbuf_md(b, sg17_rj_str(s, "verdict", "error"));
    md_seeds(b, s);
    sg17_rbuf_puts(b, " | ");
    sg17_rbuf_md(b, sg17_rj_str(s, "expect", "holds"));
    sg17_rbuf_puts(b, sg17_report_scenario_matched(s) ? " | ✓ | " : " | ✗ | ");
    md_list(b, s, "requirements");
    sg17_rbuf_puts(b, " |\n");
}

/* The section of one scenario whose verdict is not its expect. */
static void md_mismatch(sg17_rbuf_t *b, const json_t *s)
{
    sg17_rbuf_puts(b, "### ");
    sg17_rbuf_md(b, sg17_rj_str(s, "id", "?"));
    sg17_rbuf_puts(b, ": expected ");
    sg17_rbuf_md(b, sg17_rj_str(s, "expect", "holds"));
    sg17_rbuf_puts(b, ", got ");
    sg17_rbuf_md(b, sg17_rj_str(s, "verdict", "error"));
    sg17_rbuf_puts(b, "\n\n");
    const char *text = sg17_rj_str(s, "reason", NULL);
    if (text) {
        sg17_rbuf_puts(b, "Reason: ");
        sg17_rbuf_md(b, text);
        sg17_rbuf_puts(b, "\n\n");
    }
    if ((text = sg17_rj_str(s, "error", NULL))) {
        sg17_rbuf_puts(b, "Error: ");
        sg17_rbuf_md(b, text);
        sg17_rbuf_puts(b, "\n\n");
    }
    /* a long conditions table folds away */
    bool fold = json_array_size(sg17_rj_array(s, "conditions")) > MD_FOLD_ROWS;
    if (fold)
        sg17_rbuf_puts(b, "<details><summary>conditions</summary>\n\n");
    md_conditions(b, s);
    if (fold)
        sg17_rbuf_puts(b, "</details>\n\n");
}

/* summary.md fits a pull-request comment: at most SG17_REPORT_MD_MAX bytes (so as many
 * characters at most); a table longer than MD_FOLD_ROWS rows is folded into <details>; what
 * does not fit is left out with a note pointing to report.html. */
int sg17_report_write_md(const json_t *report, const char *path, sg17_err_t *err)
{
    sg17_rbuf_t b = {0}, piece = {0};
    size_t left_rows = 0, left_sections = 0;
    md_header(&b, report);
    json_t *scenarios = sg17_rj_array(report, "scenarios");
    size_t i, n = json_array_size(scenarios);
    json_t *s;
    if (n > 0) {
        bool fold = n > MD_FOLD_ROWS;
        if (fold)
            sg17_rbuf_printf(&b, "<details><summary>All %zu scenarios</summary>\n\n", n);
        sg17_rbuf_puts(&b, "| scenario | module | verdict | expect | ✓/✗ | requirements |\n"
                           "|---|---|---|---|:-:|---|\n");
        json_array_foreach(scenarios, i, s)
        {
            sg17_rbuf_reset(&piece);
            md_row(&piece, s);
            md_append(&b, &piece, &left_rows);
        }
        if (left_rows)
            sg17_rbuf_printf(&b, "| … %zu more rows: see report.html | | | | | |\n", left_rows);
        sg17_rbuf_puts(&b, fold ? "\n</details>\n\n" : "\n");
    }
    bool seeds_heading = false;
    json_array_foreach(scenarios, i, s)
    {
        if (!sg17_rj_object(sg17_rj_object(s, "seeds"), "metrics"))
            continue;
        if (!seeds_heading)
            sg17_rbuf_puts(&b, "## Over several seeds\n\n");
        seeds_heading = true;
        sg17_rbuf_reset(&piece);
        md_seed_stats(&piece, s);
        md_append(&b, &piece, &left_sections);
    }
    bool heading = false;
    json_array_foreach(scenarios, i, s)
    {
        if (sg17_report_scenario_matched(s))
            continue;
        if (!heading)
            sg17_rbuf_puts(&b, "## Not as expected\n\n");
        heading = true;
        sg17_rbuf_reset(&piece);
        md_mismatch(&piece, s);
        md_append(&b, &piece, &left_sections);
    }
    if (left_sections)
        sg17_rbuf_printf(&b,
                         "… and %zu more scenarios not as expected: summary.md stops at %d "
                         "bytes; report.html and report.json have them all.\n",
                         left_sections, SG17_REPORT_MD_MAX);
    sg17_rbuf_free(&piece);
    int rc = b.failed ? sg17_err(err, "%s: out of memory", path)
                      : sg17_fs_write_atomic(path, b.data, b.len, err);
    sg17_rbuf_free(&b);
    return rc;
}
