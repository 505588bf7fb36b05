/* report_html.c — report.html: one self-contained page (inline CSS, no scripts, no external URLs)
 * for standards contributors. Header and summary tiles, then per module a traceability matrix
 * (catalogue requirements × the module's scenarios, then threats × scenarios), the sweep charts,
 * and a detail block per scenario with the evidence for its verdict. Every verdict is shown as
 * colour and text so the page survives greyscale printing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/report_svg.h"
#include "report/report_text.h"
#include "util/fsutil.h"
#include "util/text.h"

static const char html_css[] =
    ":root{--holds:#1a7f37;--fails:#cf222e;--degraded:#b35900;--vacuous:#6e7781;"
    "--error:#8250df;--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;color:var(--ink);background:#fff;font:14px/1.45 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
    "main{max-width:1240px;margin:0 auto;padding:28px 36px 60px}\n"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:21px;margin:40px 0 6px;padding-bottom:6px;"
    "border-bottom:2px solid var(--ink)}h3{font-size:16px;margin:26px 0 8px}"
    "h4{font-size:15px;margin:0 0 8px}\n"
    "a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}\n"
    ".meta{color:var(--muted);margin:0 0 14px}.meta b{color:var(--ink);font-weight:600}\n"
    "code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    "font-size:12.5px}\n"
    ".banner{padding:10px 14px;border-radius:6px;margin:10px 0 18px;font-weight:600}\n"
    ".banner.ok{background:#dafbe1;border:1px solid #4ac26b}\n"
    ".banner.bad{background:#ffebe9;border:2px solid var(--fails);color:#82071e;"
    "font-size:16px;letter-spacing:.02em}\n"
    ".banner.warn{background:#fff8c5;border:1px solid #d4a72c;color:#633c01}\n"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(118px,1fr));gap:10px;"
    "margin:6px 0 8px}\n"
    ".tile{border:1px solid var(--line);border-top:5px solid var(--c,var(--ink));"
    "border-radius:6px;padding:8px 12px;background:#fff}\n"
    ".tile b{display:block;font-size:28px;line-height:1.2}.tile span{color:var(--muted);"
    "font-size:12px;text-transform:uppercase;letter-spacing:.04em}\n"
    ".v-holds{--c:var(--holds)}.v-fails{--c:var(--fails)}.v-degraded{--c:var(--degraded)}"
    ".v-vacuous{--c:var(--vacuous)}.v-error{--c:var(--error)}.v-ok{--c:var(--holds)}"
    ".v-bad{--c:var(--fails)}\n"
    ".badge{display:inline-block;white-space:nowrap;padding:1px 7px;border-radius:10px;"
    "font-size:11.5px;font-weight:600;color:#fff;background:var(--c)}\n"
    ".badge.mismatch{outline:2px dashed var(--ink);outline-offset:1px}\n"
    ".seeds{font-size:11px;color:#555;white-space:nowrap;margin-left:3px}\n"
    ".seeds.split{color:#a40000;font-weight:700}\n"
    "h4 .badge,.legend .badge{margin:0 6px 0 4px}\n"
    "table{border-collapse:collapse;margin:6px 0 10px}\n"
    "th,td{border:1px solid var(--line);padding:4px 8px;vertical-align:top;text-align:left}\n"
    "th{background:var(--soft);font-weight:600}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".scroll{overflow-x:auto;max-width:100%}\n"
    ".matrix td.cell,.matrix th.col{text-align:center;min-width:34px;padding:4px 3px}\n"
    ".matrix th.col a{font-family:ui-monospace,Menlo,Consolas,monospace}\n"
    ".matrix td.id{white-space:nowrap}\n"
    ".matrix tr.untestable td{color:#8c959f;background:var(--soft)}\n"
    ".matrix tr.untestable td.id{text-decoration:line-through}\n"
    ".matrix .note{display:block;font-size:12px;color:var(--muted);font-style:italic}\n"
    ".flag{display:inline-block;font-size:11px;font-weight:600;padding:0 5px;border-radius:3px;"
    "border:1px dashed #9a6700;color:#7d4e00;background:#fff8c5;margin-left:6px}\n"
    ".flag.grey{border-color:#8c959f;color:#59636e;background:var(--soft)}\n"
    ".legend{columns:2 340px;margin:4px 0 10px;padding-left:0;list-style:none;font-size:13px}\n"
    ".legend li{break-inside:avoid}.legend code{display:inline-block;min-width:34px;"
    "color:var(--muted)}\n"
    ".detail{border:1px solid var(--line);border-left:6px solid var(--c);border-radius:6px;"
    "padding:12px 16px;margin:12px 0;break-inside:avoid}\n"
    ".detail dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:4px 0 8px}\n"
    ".detail dt{color:var(--muted)}.detail dd{margin:0}\n"
    ".reason{background:var(--soft);border-radius:4px;padding:6px 10px;margin:6px 0}\n"
    ".error{background:#fbefff;border:1px solid var(--error);border-radius:4px;"
    "padding:6px 10px;margin:6px 0}\n"
    ".sweep{border:1px solid var(--line);border-radius:6px;padding:12px 16px;margin:12px 0;"
    "break-inside:avoid}\n"
    ".charts{display:flex;flex-wrap:wrap;gap:8px 20px}\n"
    "svg.chart{max-width:100%;height:auto;font:11px system-ui,Arial,sans-serif}\n"
    "svg.chart .axis{font-size:12px;font-weight:600;fill:#1f2328}"
    "svg.chart .tick{fill:#59636e}svg.chart .legend text{font-size:11.5px;fill:#1f2328}\n"
    "details summary{cursor:pointer;color:var(--muted)}\n"
    "footer{margin-top:40px;color:var(--muted);font-size:12px}\n"
    "@media print{main{max-width:none;padding:0}body{font-size:11px;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}h2{break-before:page}"
    "a{color:inherit}.scroll{overflow:visible}.matrix{break-inside:auto}tr{break-inside:avoid}}\n";

/* Glyph + text of a verdict: readable without colour. */
static const char *verdict_glyph(const char *v)
{
    if (strcmp(v, "holds") == 0)
        return "✓";
    if (strcmp(v, "fails") == 0)
        return "✗";
    if (strcmp(v, "degraded") == 0)
        return "◐";
    if (strcmp(v, "vacuous") == 0)
        return "○";
    return "!";
}

/* A verdict badge. A scenario whose verdict is not its expect gets a dashed outline. */
/* Beside a verdict reached over several seeds (`seeds` in the entry): how many seeds gave which
 * verdict, flagged when they disagree. */
static void html_seeds(sg17_rbuf_t *b, const json_t *s)
{
    const json_t *seeds = sg17_rj_object(s, "seeds");
    if (!seeds)
        return;
    bool unanimous = sg17_rj_bool(seeds, "unanimous", true);
    long long k = (long long)sg17_rj_num(seeds, "count", 0);
    sg17_rbuf_printf(b, "<span class=\"seeds%s\" title=\"verdicts over %lld seeds\">",
                     unanimous ? "" : " split", k);
    const json_t *counts = sg17_rj_object(seeds, "verdicts");
    bool first = true;
    for (int i = 4; i >= 0; i--) { /* holds first */
        long long c = (long long)sg17_rj_num(counts, sg17_report_verdicts[i], 0);
        if (!c)
            continue;
        sg17_rbuf_printf(b, "%s%s %lld/%lld", first ? "" : " · ", sg17_report_verdicts[i], c, k);
        first = false;
    }
    sg17_rbuf_puts(b, unanimous ? "</span>" : " — not unanimous</span>");
}

static void html_badge(sg17_rbuf_t *b, const json_t *s)
{
    const char *v = sg17_rj_str(s, "verdict", "error");
    if (!sg17_report_verdict_known(v))
        v = "error";
    bool matched = sg17_report_scenario_matched(s);
    sg17_rbuf_printf(b, "<span class=\"badge v-%s%s\"", v, matched ? "" : " mismatch");
    if (!matched) {
        sg17_rbuf_puts(b, " title=\"expected ");
        sg17_rbuf_html(b, sg17_rj_str(s, "expect", "holds"));
        sg17_rbuf_puts(b, "\"");
    }
    sg17_rbuf_printf(b, ">%s %s</span>", verdict_glyph(v), v);
    html_seeds(b, s);
}

/* The id of a scenario without its "<module>/" prefix, for legends. */
static const char *short_id(const json_t *s)
{
    const char *id = sg17_rj_str(s, "id", "?");
    const char *module = sg17_rj_str(s, "module", "");
    size_t n = strlen(module);
    if (n && strncmp(id, module, n) == 0 && id[n] == '/' && id[n + 1])
        return id + n + 1;
    return id;
}

static bool array_has_string(const json_t *arr, const char *str)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_is_string(v)
                                      && strcmp(json_string_value(v), str) == 0) return true;
    return false;
}

static void html_list(sg17_rbuf_t *b, const json_t *arr)
{
    size_t i;
    json_t *v;
    bool first = true;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v))
            continue;
        sg17_rbuf_puts(b, first ? "<code>" : ", <code>");
        sg17_rbuf_html(b, json_string_value(v));
        sg17_rbuf_puts(b, "</code>");
        first = false;
    }
    if (first)
        sg17_rbuf_puts(b, "—");
}

static void html_header(sg17_rbuf_t *b, const json_t *report)
{
    const json_t *tool = sg17_rj_object(report, "tool");
    sg17_rbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                      "<title>sg17tb report");
    const char *started = sg17_rj_str(report, "started", NULL);
    if (started) {
        sg17_rbuf_puts(b, " — ");
        sg17_rbuf_html(b, started);
    }
    sg17_rbuf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", html_css);
    sg17_rbuf_puts(b, "<header>\n<h1>Security testbed report</h1>\n<p class=\"meta\"><b>");
    sg17_rbuf_html(b, sg17_rj_str(tool, "name", "sg17tb"));
    sg17_rbuf_puts(b, " ");
    sg17_rbuf_html(b, sg17_rj_str(tool, "version", "?"));
    sg17_rbuf_puts(b, "</b> · git <code>");
    sg17_rbuf_html(b, sg17_rj_str(tool, "git", "unknown"));
    sg17_rbuf_puts(b, "</code> · started <b>");
    sg17_rbuf_html(b, sg17_rj_str(report, "started", "?"));
    sg17_rbuf_puts(b, "</b> · finished <b>");
    sg17_rbuf_html(b, sg17_rj_str(report, "finished", "?"));
    sg17_rbuf_puts(b, "</b> · seed <b>");
    json_t *seed = json_object_get(report, "seed");
    if (json_is_number(seed))
        sg17_rbuf_num(b, seed, "");
    else
        sg17_rbuf_puts(b, "per scenario");
    sg17_rbuf_puts(b, "</b>");
    const char *shard = sg17_rj_str(report, "shard", NULL);
    if (shard) {
        sg17_rbuf_puts(b, " · shard <b>");
        sg17_rbuf_html(b, shard);
        sg17_rbuf_puts(b, "</b>");
    }
    sg17_rbuf_puts(b, "</p>\n");
    if (sg17_rj_bool(report, "complete", false))
        sg17_rbuf_puts(b, "<div class=\"banner ok\">Complete run: every selected scenario ran "
                          "to a verdict.</div>\n");
    else
        sg17_rbuf_puts(b, "<div class=\"banner bad\">INCOMPLETE: the run was interrupted (or "
                          "shards are missing). Only the scenarios below ran; absent "
                          "scenarios are not failures and not passes.</div>\n");
    if (!sg17_report_controlled(report)) {
        sg17_rbuf_puts(b, "<div class=\"banner warn\">");
        sg17_rbuf_html(b, sg17_report_no_control_note);
        sg17_rbuf_puts(b, ".</div>\n");
    }
    sg17_rbuf_puts(b, "</header>\n");
}

static void html_tiles(sg17_rbuf_t *b, const json_t *report)
{
    static const struct {
        const char *key, *label, *cls;
    } tiles[] = {
        {"total", "scenarios", ""},          {"holds", "holds", "v-holds"},
        {"fails", "fails", "v-fails"},       {"degraded", "degraded", "v-degraded"},
        {"vacuous", "vacuous", "v-vacuous"}, {"error", "error", "v-error"},
        {"matched", "as expected", "v-ok"},  {"mismatched", "not as expected", "v-bad"},
    };
    const json_t *summary = sg17_rj_object(report, "summary");
    sg17_rbuf_puts(b, "<section class=\"tiles\">\n");
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++)
        sg17_rbuf_printf(b, "<div class=\"tile %s\"><b>%lld</b><span>%s</span></div>\n",
                         tiles[i].cls, (long long)sg17_rj_num(summary, tiles[i].key, 0),
                         tiles[i].label);
    sg17_rbuf_puts(b, "</section>\n");
}

/* Indices (into report.scenarios) of one module's scenarios, in report order. */
typedef struct {
    size_t *idx;
    size_t n;
} scen_set_t;

static scen_set_t module_scenarios(const json_t *report, const char *module)
{
    scen_set_t set = {0};
    json_t *all = sg17_rj_array(report, "scenarios");
    set.idx = calloc(json_array_size(all) + 1, sizeof *set.idx);
    if (!set.idx)
        return set;
    size_t i;
    json_t *s;
    json_array_foreach(all, i, s) if (strcmp(sg17_rj_str(s, "module", ""), module) == 0)
        set.idx[set.n++] = i;
    return set;
}

/* The modules table: catalogue, scenarios, coverage of requirements. */
static void html_overview(sg17_rbuf_t *b, const json_t *report, const json_t *modules)
{
    sg17_rbuf_puts(b, "<h2>Modules</h2>\n<table>\n<tr><th>module</th><th>Recommendation</th>"
                      "<th>title</th><th>scenarios</th><th>requirements exercised</th>"
                      "<th>verdicts</th></tr>\n");
    json_t *all = sg17_rj_array(report, "scenarios");
    size_t m;
    json_t *mv;
    json_array_foreach(modules, m, mv)
    {
        const char *module = json_string_value(mv);
        const json_t *cat = sg17_rj_object(sg17_rj_object(report, "catalogues"), module);
        scen_set_t set = module_scenarios(report, module);
        size_t n_req = 0, n_hit = 0, n_untestable = 0;
        size_t i;
        json_t *r;
        json_array_foreach(sg17_rj_array(cat, "requirements"), i, r)
        {
            const char *rid = sg17_rj_str(r, "id", "");
            n_req++;
            if (sg17_rj_str(r, "untestable", NULL))
                n_untestable++;
            for (size_t k = 0; k < set.n; k++)
                if (array_has_string(sg17_rj_array(json_array_get(all, set.idx[k]), "requirements"),
                                     rid)) {
                    n_hit++;
                    break;
                }
        }
        sg17_rbuf_printf(b, "<tr><td><a href=\"#m-%zu\">", m);
        sg17_rbuf_html(b, module);
        sg17_rbuf_puts(b, "</a></td><td>");
        sg17_rbuf_html(b, sg17_rj_str(cat, "recommendation", "—"));
        sg17_rbuf_puts(b, "</td><td>");
        sg17_rbuf_html(b, sg17_rj_str(cat, "title", ""));
        sg17_rbuf_printf(b, "</td><td class=\"num\">%zu</td><td class=\"num\">%zu / %zu", set.n,
                         n_hit, n_req);
        if (n_untestable)
            sg17_rbuf_printf(b, " <span class=\"flag grey\">%zu untestable</span>", n_untestable);
        sg17_rbuf_puts(b, "</td><td>");
        static const size_t order[5] = {4, 2, 3, 1, 0}; /* holds fails degraded vacuous error */
        for (size_t o = 0; o < 5; o++) {
            size_t v = order[o];
            size_t c = 0;
            for (size_t k = 0; k < set.n; k++)
                if (strcmp(sg17_rj_str(json_array_get(all, set.idx[k]), "verdict", ""),
                           sg17_report_verdicts[v])
                    == 0)
                    c++;
            if (c)
                sg17_rbuf_printf(b, "<span class=\"badge v-%s\">%zu %s</span> ",
                                 sg17_report_verdicts[v], c, sg17_report_verdicts[v]);
        }
        sg17_rbuf_puts(b, "</td></tr>\n");
        free(set.idx);
    }
    sg17_rbuf_puts(b, "</table>\n");
}

/* One row of a traceability matrix: the catalogue entry (or a bare id that scenarios cite but
 * the catalogue lacks), then one cell per scenario of the module. */
static void matrix_row(sg17_rbuf_t *b, const json_t *report, const scen_set_t *set, const char *key,
                       const char *id, const json_t *entry)
{
    json_t *all = sg17_rj_array(report, "scenarios");
    const char *untestable = sg17_rj_str(entry, "untestable", NULL);
    bool hit = false;
    for (size_t k = 0; k < set->n; k++)
        if (array_has_string(sg17_rj_array(json_array_get(all, set->idx[k]), key), id))
            hit = true;
    sg17_rbuf_printf(b, "<tr%s><td class=\"id\"><code>", untestable ? " class=\"untestable\"" : "");
    sg17_rbuf_html(b, id);
    sg17_rbuf_puts(b, "</code></td><td>");
    const char *clause = sg17_rj_str(entry, "clause", NULL);
    if (clause && strcmp(sg17_rj_str(entry, "source", ""), "derived") != 0)
        sg17_rbuf_html(b, clause);
    else if (entry)
        sg17_rbuf_puts(b, "<i>derived</i>");
    sg17_rbuf_puts(b, "</td><td");
    const char *text = sg17_rj_str(entry, "text", NULL);
    if (text) {
        sg17_rbuf_puts(b, " title=\"");
        sg17_rbuf_html(b, text);
        sg17_rbuf_puts(b, "\"");
    }
    sg17_rbuf_puts(b, ">");
    sg17_rbuf_html(b, sg17_rj_str(entry, "title", ""));
    if (!entry)
        sg17_rbuf_puts(b, "<span class=\"flag\">not in catalogue</span>");
    else if (untestable) {
        sg17_rbuf_puts(b, "<span class=\"flag grey\">untestable</span><span class=\"note\">");
        sg17_rbuf_html(b, untestable);
        sg17_rbuf_puts(b, "</span>");
    } else if (!hit)
        sg17_rbuf_puts(b, "<span class=\"flag\">not exercised</span>");
    sg17_rbuf_puts(b, "</td>");
    for (size_t k = 0; k < set->n; k++) {
        const json_t *s = json_array_get(all, set->idx[k]);
        sg17_rbuf_puts(b, "<td class=\"cell\">");
        if (array_has_string(sg17_rj_array(s, key), id)) {
            sg17_rbuf_printf(b, "<a href=\"#s-%zu\">", set->idx[k]);
            html_badge(b, s);
            sg17_rbuf_puts(b, "</a>");
        }
        sg17_rbuf_puts(b, "</td>");
    }
    sg17_rbuf_puts(b, "</tr>\n");
}

/* A traceability matrix: entries of the catalogue list `key` ("requirements" or "threats") as
 * rows, the module's scenarios as numbered columns. */
static void html_matrix(sg17_rbuf_t *b, const json_t *report, const json_t *cat,
                        const scen_set_t *set, const char *key, const char *heading)
{
    json_t *all = sg17_rj_array(report, "scenarios");
    json_t *entries = sg17_rj_array(cat, key);
    sg17_rbuf_printf(b, "<h3>%s × scenarios</h3>\n", heading);
    sg17_rbuf_printf(b,
                     "<div class=\"scroll\"><table class=\"matrix\" data-kind=\"%s\">\n"
                     "<tr><th>id</th><th>clause</th><th>%s</th>",
                     key, strcmp(key, "threats") == 0 ? "threat" : "requirement");
    for (size_t k = 0; k < set->n; k++) {
        sg17_rbuf_printf(b, "<th class=\"col\"><a href=\"#s-%zu\" title=\"", set->idx[k]);
        sg17_rbuf_html(b, sg17_rj_str(json_array_get(all, set->idx[k]), "id", ""));
        sg17_rbuf_printf(b, "\">S%zu</a></th>", k + 1);
    }
    sg17_rbuf_puts(b, "</tr>\n");
    json_t *known = json_object();
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        const char *id = sg17_rj_str(e, "id", NULL);
        if (!id)
            continue;
        json_object_set_new(known, id, json_true());
        matrix_row(b, report, set, key, id, e);
    }
    /* ids that scenarios cite but the catalogue does not list, each once */
    for (size_t k = 0; k < set->n; k++) {
        json_t *v;
        json_array_foreach(sg17_rj_array(json_array_get(all, set->idx[k]), key), i, v)
        {
            const char *id = json_string_value(v);
            if (!id || json_object_get(known, id))
                continue;
            json_object_set_new(known, id, json_true());
            matrix_row(b, report, set, key, id, NULL);
        }
    }
    if (json_object_size(known) == 0)
        sg17_rbuf_printf(b, "<tr><td colspan=\"%zu\"><i>no %s in the catalogue</i></td></tr>\n",
                         set->n + 3, key);
    json_decref(known);
    sg17_rbuf_puts(b, "</table></div>\n");
}

/* Metric names read by a scenario's conditions, in first-use order, as a new array. */
static json_t *condition_metrics(const json_t *s, json_t *into)
{
    size_t i, j;
    json_t *c, *m;
    json_array_foreach(sg17_rj_array(s, "conditions"), i, c) json_array_foreach(
        sg17_rj_array(c, "metrics"), j,
        m) if (json_is_string(m) && !array_has_string(into, json_string_value(m)))
        json_array_append(into, m);
    return into;
}

/* The runs of a scenario a metrics table shows, in run order: control only when it ran. */
static size_t table_runs(const json_t *s, const char *runs[3])
{
    size_t n = 0;
    if (sg17_report_has_control(s))
        runs[n++] = "control";
    runs[n++] = "baseline";
    runs[n++] = "protected";
    return n;
}

/* "<tr><th>first</th><th>control</th><th>baseline</th><th>protected</th></tr>". */
static void metric_header(sg17_rbuf_t *b, const json_t *s, const char *first)
{
    const char *runs[3];
    size_t n = table_runs(s, runs);
    sg17_rbuf_printf(b, "<tr><th>%s</th>", first);
    for (size_t i = 0; i < n; i++)
        sg17_rbuf_printf(b, "<th>%s</th>", runs[i]);
    sg17_rbuf_puts(b, "</tr>\n");
}

static void metric_row(sg17_rbuf_t *b, const json_t *s, const char *name)
{
    const char *runs[3];
    size_t n = table_runs(s, runs);
    sg17_rbuf_puts(b, "<tr><td><code>");
    sg17_rbuf_html(b, name);
    sg17_rbuf_puts(b, "</code></td>");
    for (size_t i = 0; i < n; i++) {
        sg17_rbuf_puts(b, "<td class=\"num\">");
        sg17_rbuf_num(b, sg17_report_run_metric(s, runs[i], name), "—");
        sg17_rbuf_puts(b, "</td>");
    }
    sg17_rbuf_puts(b, "</tr>\n");
}

/* The metrics of a scenario: those its conditions read first, all others folded away. */
static void html_metrics(sg17_rbuf_t *b, const json_t *s)
{
    json_t *key = condition_metrics(s, json_array());
    json_t *names = json_object();
    const char *run_names[3];
    size_t n_runs = table_runs(s, run_names);
    for (size_t r = 0; r < n_runs; r++) {
        const char *name;
        json_t *v;
        json_object_foreach(
            sg17_rj_object(sg17_rj_object(sg17_rj_object(s, "runs"), run_names[r]), "metrics"),
            name, v) if (!array_has_string(key, name))
            json_object_set_new(names, name, json_true());
    }
    if (json_array_size(key) > 0) {
        sg17_rbuf_puts(b, "<table>");
        metric_header(b, s, "key metric");
        size_t i;
        json_t *m;
        json_array_foreach(key, i, m) metric_row(b, s, json_string_value(m));
        sg17_rbuf_puts(b, "</table>\n");
    }
    size_t n = json_object_size(names);
    if (n > 0) {
        const char **sorted = calloc(n, sizeof *sorted);
        if (sorted) {
            size_t i = 0;
            const char *name;
            json_t *v;
            json_object_foreach(names, name, v) sorted[i++] = name;
            /* insertion sort: metric lists are short and this keeps the page stable */
            for (size_t a = 1; a < n; a++)
                for (size_t c = a; c > 0 && strcmp(sorted[c - 1], sorted[c]) > 0; c--) {
                    const char *t = sorted[c];
                    sorted[c] = sorted[c - 1];
                    sorted[c - 1] = t;
                }
            sg17_rbuf_printf(b, "<details><summary>all metrics (%zu more)</summary>\n<table>", n);
            metric_header(b, s, "metric");
            for (i = 0; i < n; i++)
                metric_row(b, s, sorted[i]);
            sg17_rbuf_puts(b, "</table></details>\n");
            free(sorted);
        }
    }
    json_decref(names);
    json_decref(key);
}

/* The texts a module handed the report (sg17_artifact), per run: a truth table, a transcript. The
 * protected run's open, the others folded. */
static void html_artifacts(sg17_rbuf_t *b, const json_t *s)
{
    const char *runs[3];
    size_t n = table_runs(s, runs);
    for (size_t r = 0; r < n; r++) {
        json_t *arts =
            sg17_rj_object(sg17_rj_object(sg17_rj_object(s, "runs"), runs[r]), "artifacts");
        const char *name;
        json_t *text;
        json_object_foreach(arts, name, text)
        {
            if (!json_is_string(text))
                continue;
            sg17_rbuf_printf(b, "<details%s><summary>",
                             strcmp(runs[r], "protected") == 0 ? " open" : "");
            sg17_rbuf_html(b, name);
            sg17_rbuf_printf(b, " (%s run)</summary>\n<pre class=\"artifact\">", runs[r]);
            sg17_rbuf_html(b, json_string_value(text));
            sg17_rbuf_puts(b, "</pre></details>\n");
        }
    }
}

static void html_conditions(sg17_rbuf_t *b, const json_t *s)
{
    json_t *conds = sg17_rj_array(s, "conditions");
    if (json_array_size(conds) == 0)
        return;
    sg17_rbuf_puts(b, "<table><tr><th>set</th><th>run</th><th>condition</th><th>lhs</th>"
                      "<th>rhs</th><th>result</th></tr>\n");
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c)
    {
        json_t *r = json_object_get(c, "result");
        sg17_rbuf_puts(b, "<tr><td>");
        sg17_rbuf_html(b, sg17_rj_str(c, "set", "?"));
        sg17_rbuf_puts(b, "</td><td>");
        sg17_rbuf_html(b, sg17_rj_str(c, "run", "?"));
        sg17_rbuf_puts(b, "</td><td><code>");
        sg17_rbuf_html(b, sg17_rj_str(c, "expr", "?"));
        sg17_rbuf_puts(b, "</code></td><td class=\"num\">");
        sg17_rbuf_num(b, json_object_get(c, "lhs"), "n/a");
        sg17_rbuf_puts(b, "</td><td class=\"num\">");
        sg17_rbuf_num(b, json_object_get(c, "rhs"), "n/a");
        sg17_rbuf_printf(b, "</td><td><b>%s</b></td></tr>\n",
                         json_is_true(r)    ? "true"
                         : json_is_false(r) ? "false"
                                            : "n/a");
    }
    sg17_rbuf_puts(b, "</table>\n");
}

static void detail_field(sg17_rbuf_t *b, const char *label, const char *value)
{
    sg17_rbuf_printf(b, "<dt>%s</dt><dd>", label);
    sg17_rbuf_html(b, value);
    sg17_rbuf_puts(b, "</dd>");
}

/* The evidence block of one scenario (anchor s-<index>). */
/* One "mean [lo, hi]" cell of the statistics over seeds. */
static void html_stat_cell(sg17_rbuf_t *b, const json_t *st)
{
    sg17_rbuf_puts(b, "<td class=\"num\">");
    if (st) {
        const json_t *ci = sg17_rj_array(st, "ci95");
        sg17_rbuf_num(b, json_object_get(st, "mean"), "–");
        sg17_rbuf_puts(b, " [");
        sg17_rbuf_num(b, json_array_get(ci, 0), "?");
        sg17_rbuf_puts(b, ", ");
        sg17_rbuf_num(b, json_array_get(ci, 1), "?");
        sg17_rbuf_puts(b, "]");
    }
    sg17_rbuf_puts(b, "</td>");
}

/* Over several seeds: every judged metric's mean and 95 % interval per run. */
static void html_seed_stats(sg17_rbuf_t *b, const json_t *s)
{
    const json_t *seeds = sg17_rj_object(s, "seeds");
    const json_t *metrics = sg17_rj_object(seeds, "metrics");
    if (!metrics)
        return;
    static const char *const runs[] = {"control", "baseline", "protected"};
    sg17_rbuf_printf(b, "<table><tr><th>over %lld seeds: mean [95 %% interval]</th>",
                     (long long)sg17_rj_num(seeds, "count", 0));
    for (size_t r = 0; r < 3; r++)
        if (sg17_rj_object(metrics, runs[r]))
            sg17_rbuf_printf(b, "<th>%s</th>", runs[r]);
    sg17_rbuf_puts(b, "</tr>\n");
    const json_t *names = sg17_rj_object(metrics, "protected");
    if (!names)
        names = sg17_rj_object(metrics, "baseline");
    const char *name;
    json_t *unused;
    json_object_foreach((json_t *)names, name, unused)
    {
        sg17_rbuf_puts(b, "<tr><td><code>");
        sg17_rbuf_html(b, name);
        sg17_rbuf_puts(b, "</code></td>");
        for (size_t r = 0; r < 3; r++)
            if (sg17_rj_object(metrics, runs[r]))
                html_stat_cell(b, sg17_rj_object(sg17_rj_object(metrics, runs[r]), name));
        sg17_rbuf_puts(b, "</tr>\n");
    }
    sg17_rbuf_puts(b, "</table>\n");
}

static void html_detail(sg17_rbuf_t *b, const json_t *s, size_t index, size_t number)
{
    const char *v = sg17_rj_str(s, "verdict", "error");
    if (!sg17_report_verdict_known(v))
        v = "error";
    sg17_rbuf_printf(b, "<section class=\"detail v-%s\" id=\"s-%zu\">\n<h4>S%zu ", v, index,
                     number);
    html_badge(b, s);
    sg17_rbuf_puts(b, " <code>");
    sg17_rbuf_html(b, sg17_rj_str(s, "id", "?"));
    sg17_rbuf_puts(b, "</code></h4>\n<dl>");
    const char *title = sg17_rj_str(s, "title", NULL);
    if (title)
        detail_field(b, "title", title);
    sg17_rbuf_puts(b, "<dt>expect</dt><dd>");
    sg17_rbuf_html(b, sg17_rj_str(s, "expect", "holds"));
    sg17_rbuf_puts(b, sg17_report_scenario_matched(s) ? " — <b>as expected</b>"
                                                      : " — <b>NOT as expected</b>");
    const char *er = sg17_rj_str(s, "expect_reason", NULL);
    if (er) {
        sg17_rbuf_puts(b, " (");
        sg17_rbuf_html(b, er);
        sg17_rbuf_puts(b, ")");
    }
    sg17_rbuf_puts(b, "</dd><dt>mitigations</dt><dd>");
    html_list(b, sg17_rj_array(s, "mitigations"));
    sg17_rbuf_puts(b, "</dd><dt>requirements</dt><dd>");
    html_list(b, sg17_rj_array(s, "requirements"));
    sg17_rbuf_puts(b, "</dd><dt>threats</dt><dd>");
    html_list(b, sg17_rj_array(s, "threats"));
    sg17_rbuf_puts(b, "</dd>");
    const char *file = sg17_rj_str(s, "file", NULL);
    if (file)
        detail_field(b, "file", file);
    json_t *seed = json_object_get(s, "seed");
    if (json_is_number(seed)) {
        sg17_rbuf_puts(b, "<dt>seed</dt><dd>");
        sg17_rbuf_num(b, seed, "");
        sg17_rbuf_puts(b, "</dd>");
    }
    if (json_is_number(json_object_get(s, "wall_ms")))
        sg17_rbuf_printf(b, "<dt>wall time</dt><dd>%.1f ms</dd>", sg17_rj_num(s, "wall_ms", 0));
    if (sg17_rj_object(sg17_rj_object(s, "runs"), "baseline")) {
        sg17_rbuf_puts(b, "<dt>control run</dt><dd>");
        if (sg17_report_has_control(s))
            sg17_rbuf_puts(b, "yes: no adversary, mitigations off");
        else
            sg17_rbuf_html(b, sg17_report_no_control_note);
        sg17_rbuf_puts(b, "</dd>");
    }
    sg17_rbuf_puts(b, "</dl>\n");
    const char *text = sg17_rj_str(s, "reason", NULL);
    if (text) {
        sg17_rbuf_puts(b, "<div class=\"reason\">");
        sg17_rbuf_html(b, text);
        sg17_rbuf_puts(b, "</div>\n");
    }
    if ((text = sg17_rj_str(s, "error", NULL))) {
        sg17_rbuf_puts(b, "<div class=\"error\"><b>error:</b> ");
        sg17_rbuf_html(b, text);
        sg17_rbuf_puts(b, "</div>\n");
    }
    html_conditions(b, s);
    html_artifacts(b, s);
    html_seed_stats(b, s);
    html_metrics(b, s);
    sg17_rbuf_puts(b, "</section>\n");
}

/* The matrix value of a sweep point as text (strings as is, numbers formatted). */
static const char *matrix_label(const json_t *s, const char *xkey, char *buf, size_t n)
{
    json_t *v = json_object_get(sg17_rj_object(s, "matrix"), xkey);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_number(v)) {
        snprintf(buf, n, "%.10g", json_number_value(v));
        return buf;
    }
    return "?";
}

/* The swept parameter: matrix_x, else the first matrix key in sorted order. */
static const char *sweep_xkey(const json_t *s)
{
    const char *x = sg17_rj_str(s, "matrix_x", NULL);
    if (x)
        return x;
    const char *best = NULL, *key;
    json_t *v;
    json_object_foreach(sg17_rj_object(s, "matrix"), key, v) if (!best || strcmp(key, best) < 0)
        best = key;
    return best;
}

static int point_cmp(const void *a, const void *b)
{
    const sg17_sweep_point_t *p = a, *q = b;
    return p->x < q->x ? -1 : p->x > q->x;
}

/* One sweep: the module's points sharing base_id that have a matrix. Shows the per-point
 * verdict row and a chart per metric that the points' conditions read. */
static void html_sweep(sg17_rbuf_t *b, const json_t *report, const scen_set_t *set,
                       const char *base)
{
    json_t *all = sg17_rj_array(report, "scenarios");
    sg17_sweep_point_t *pts = calloc(set->n + 1, sizeof *pts);
    char(*labels)[32] = calloc(set->n + 1, sizeof *labels);
    json_t *metrics = json_array();
    if (!pts || !labels || !metrics) {
        b->failed = true;
        goto done;
    }
    const char *xkey = NULL;
    size_t n = 0;
    for (size_t k = 0; k < set->n; k++) {
        const json_t *s = json_array_get(all, set->idx[k]);
        if (!sg17_rj_object(s, "matrix") || strcmp(sg17_rj_str(s, "base_id", ""), base) != 0)
            continue;
        if (!xkey)
            xkey = sweep_xkey(s);
        pts[n].scenario = s;
        pts[n].label = matrix_label(s, xkey ? xkey : "", labels[n], sizeof labels[n]);
        pts[n].index = set->idx[k];
        pts[n].number = k + 1;
        condition_metrics(s, metrics);
        n++;
    }
    if (!xkey)
        xkey = "?";
    /* numeric when every label parses: then a linear axis in x order, else categories in
     * report order */
    bool numeric = n > 0;
    for (size_t i = 0; i < n && numeric; i++)
        numeric = sg17_parse_number(pts[i].label, &pts[i].x) == 0;
    if (numeric)
        qsort(pts, n, sizeof *pts, point_cmp);
    sg17_rbuf_puts(b, "<div class=\"sweep\">\n<h4>Sweep <code>");
    sg17_rbuf_html(b, base);
    sg17_rbuf_puts(b, "</code> over <code>");
    sg17_rbuf_html(b, xkey);
    sg17_rbuf_printf(b, "</code> (%zu points)</h4>\n<table class=\"matrix\"><tr><th>", n);
    sg17_rbuf_html(b, xkey);
    sg17_rbuf_puts(b, "</th>");
    for (size_t i = 0; i < n; i++) {
        sg17_rbuf_printf(b, "<td class=\"cell\"><a href=\"#s-%zu\">", pts[i].index);
        sg17_rbuf_html(b, pts[i].label);
        sg17_rbuf_printf(b, "</a> <small>S%zu</small></td>", pts[i].number);
    }
    sg17_rbuf_puts(b, "</tr>\n<tr><th>verdict</th>");
    for (size_t i = 0; i < n; i++) {
        sg17_rbuf_puts(b, "<td class=\"cell\">");
        html_badge(b, pts[i].scenario);
        sg17_rbuf_puts(b, "</td>");
    }
    sg17_rbuf_puts(b, "</tr>\n</table>\n<div class=\"charts\">\n");
    size_t i;
    json_t *m;
    json_array_foreach(metrics, i, m)
        sg17_report_svg_sweep(b, pts, n, numeric, xkey, json_string_value(m));
    if (json_array_size(metrics) == 0)
        sg17_rbuf_puts(b, "<p><i>no condition metrics to plot</i></p>\n");
    sg17_rbuf_puts(b, "</div>\n</div>\n");
done:
    json_decref(metrics);
    free(pts);
    free(labels);
}

/* One module: heading, scenario legend, both matrices, sweeps, scenario details. */
static void html_module(sg17_rbuf_t *b, const json_t *report, const char *module, size_t m)
{
    json_t *all = sg17_rj_array(report, "scenarios");
    const json_t *cat = sg17_rj_object(sg17_rj_object(report, "catalogues"), module);
    scen_set_t set = module_scenarios(report, module);
    if (!set.idx) {
        b->failed = true;
        return;
    }
    sg17_rbuf_printf(b, "<section id=\"m-%zu\">\n<h2>", m);
    sg17_rbuf_html(b, module);
    const char *rec = sg17_rj_str(cat, "recommendation", NULL);
    if (rec) {
        sg17_rbuf_puts(b, " — ITU-T ");
        sg17_rbuf_html(b, rec);
    }
    sg17_rbuf_puts(b, "</h2>\n");
    const char *title = sg17_rj_str(cat, "title", NULL);
    if (title || !cat) {
        sg17_rbuf_puts(b, "<p class=\"meta\">");
        sg17_rbuf_html(b, cat ? title : "no requirement catalogue in this report");
        sg17_rbuf_puts(b, "</p>\n");
    }
    if (set.n > 0) {
        sg17_rbuf_puts(b, "<h3>Scenarios</h3>\n<ol class=\"legend\">\n");
        for (size_t k = 0; k < set.n; k++) {
            const json_t *s = json_array_get(all, set.idx[k]);
            sg17_rbuf_printf(b, "<li><code>S%zu</code> ", k + 1);
            html_badge(b, s);
            sg17_rbuf_printf(b, " <a href=\"#s-%zu\">", set.idx[k]);
            sg17_rbuf_html(b, short_id(s));
            sg17_rbuf_puts(b, "</a></li>\n");
        }
        sg17_rbuf_puts(b, "</ol>\n");
    }
    html_matrix(b, report, cat, &set, "requirements", "Requirements");
    html_matrix(b, report, cat, &set, "threats", "Threats");

    /* sweeps: each base_id with matrix points, once, in order of first appearance */
    json_t *done_bases = json_object();
    bool heading = false;
    for (size_t k = 0; k < set.n; k++) {
        const json_t *s = json_array_get(all, set.idx[k]);
        const char *base = sg17_rj_str(s, "base_id", NULL);
        if (!base || !sg17_rj_object(s, "matrix") || json_object_get(done_bases, base))
            continue;
        json_object_set_new(done_bases, base, json_true());
        if (!heading)
            sg17_rbuf_puts(b, "<h3>Sweeps</h3>\n");
        heading = true;
        html_sweep(b, report, &set, base);
    }
    json_decref(done_bases);

    if (set.n > 0)
        sg17_rbuf_puts(b, "<h3>Scenario details</h3>\n");
    for (size_t k = 0; k < set.n; k++)
        html_detail(b, json_array_get(all, set.idx[k]), set.idx[k], k + 1);
    sg17_rbuf_puts(b, "</section>\n");
    free(set.idx);
}

int sg17_report_write_html(const json_t *report, const char *path, sg17_err_t *err)
{
    json_t *modules = sg17_report_modules(report, true);
    if (!modules)
        return sg17_err(err, "%s: out of memory", path);
    sg17_rbuf_t b = {0};
    html_header(&b, report);
    html_tiles(&b, report);
    if (json_array_size(modules) > 0)
        html_overview(&b, report, modules);
    size_t m;
    json_t *mv;
    json_array_foreach(modules, m, mv) html_module(&b, report, json_string_value(mv), m);
    const json_t *tool = sg17_rj_object(report, "tool");
    sg17_rbuf_puts(&b, "<footer>Generated by ");
    sg17_rbuf_html(&b, sg17_rj_str(tool, "name", "sg17tb"));
    sg17_rbuf_puts(&b, " ");
    sg17_rbuf_html(&b, sg17_rj_str(tool, "version", "?"));
    sg17_rbuf_puts(&b, ". Verdicts: ✓ holds (attack stopped, service intact) · ✗ fails (attack "
                       "succeeds when protected) · ◐ degraded (attack stopped, service lost) · "
                       "○ vacuous (attack fails even in baseline, or the success conditions hold "
                       "without any attack) · ! error. A dashed outline "
                       "marks a verdict that differs from the scenario's expect. The machine-"
                       "readable data is report.json.</footer>\n</main>\n</body>\n</html>\n");
    json_decref(modules);
    int rc = b.failed ? sg17_err(err, "%s: out of memory", path)
                      : sg17_fs_write_atomic(path, b.data, b.len, err);
    sg17_rbuf_free(&b);
    return rc;
}
