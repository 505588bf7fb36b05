/* report.c — the report as data: summary, the format list, report.json write/load, and the merge
 * of shard reports (docs/architecture.md §9: `sg17tb run --shard I/N` then `sg17tb merge`). */
#include "report/report.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_text.h"
#include "util/fsutil.h"
#include "util/text.h"

/* The output formats, in the order they are written. */
enum { FMT_JSON = 1, FMT_JUNIT = 2, FMT_HTML = 4, FMT_MD = 8, FMT_SARIF = 16, FMT_ALL = 31 };
static const struct {
    const char *name, *file;
    unsigned bit;
    int (*write)(const json_t *, const char *, sg17_err_t *);
} formats_table[] = {
    {"json", SG17_REPORT_JSON_NAME, FMT_JSON, sg17_report_write_json},
    {"junit", SG17_REPORT_JUNIT_NAME, FMT_JUNIT, sg17_report_write_junit},
    {"html", SG17_REPORT_HTML_NAME, FMT_HTML, sg17_report_write_html},
    {"md", SG17_REPORT_MD_NAME, FMT_MD, sg17_report_write_md},
    {"sarif", SG17_REPORT_SARIF_NAME, FMT_SARIF, sg17_report_write_sarif},
};
#define N_FORMATS (sizeof formats_table / sizeof formats_table[0])

void sg17_report_summarize(json_t *report)
{
    if (!json_is_object(report))
        return;
    json_int_t counts[5] = {0}, total = 0, matched = 0;
    json_t *scenarios = sg17_rj_array(report, "scenarios");
    size_t i;
    json_t *s;
    json_array_foreach(scenarios, i, s)
    {
        total++;
        const char *v = sg17_rj_str(s, "verdict", "error");
        for (size_t k = 0; k < 5; k++)
            if (strcmp(v, sg17_report_verdicts[k]) == 0)
                counts[k]++;
        if (sg17_report_scenario_matched(s))
            matched++;
    }
    json_t *summary = json_object();
    json_object_set_new(summary, "total", json_integer(total));
    for (size_t k = 0; k < 5; k++)
        json_object_set_new(summary, sg17_report_verdicts[k], json_integer(counts[k]));
    json_object_set_new(summary, "matched", json_integer(matched));
    json_object_set_new(summary, "mismatched", json_integer(total - matched));
    json_object_set_new(report, "summary", summary);
}

/* Parses a format list into a bit set; -1 with a message naming the bad entry. */
static int formats_parse(const char *formats, unsigned *out, sg17_err_t *err)
{
    static const char *const names[] = {"json", "junit", "html", "md", "sarif"};
    if (!formats) {
        *out = FMT_ALL;
        return 0;
    }
    unsigned bits = 0;
    const char *p = formats;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && (*p == ' ' || *p == '\t'))
            p++, n--;
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        char word[32];
        if (n == 0)
            return sg17_err(
                err, "--format \"%s\": empty entry (valid: json, junit, html, md, sarif)", formats);
        unsigned bit = 0;
        for (size_t k = 0; k < N_FORMATS && n < sizeof word; k++)
            if (strlen(formats_table[k].name) == n && strncmp(formats_table[k].name, p, n) == 0)
                bit = formats_table[k].bit;
        if (!bit) {
            snprintf(word, sizeof word, "%.*s", (int)(n < sizeof word ? n : sizeof word - 1), p);
            const char *near = sg17_nearest(word, names, 5);
            return sg17_err(err,
                            "--format: unknown report format \"%.*s\"%s%s%s (valid: json, "
                            "junit, html, md, sarif)",
                            (int)n, p, near ? "; did you mean \"" : "", near ? near : "",
                            near ? "\"?" : "");
        }
        bits |= bit;
        if (!end)
            break;
        p = end + 1;
    }
    *out = bits;
    return 0;
}

int sg17_report_formats_check(const char *formats, sg17_err_t *err)
{
    unsigned bits;
    return formats_parse(formats, &bits, err);
}

int sg17_report_write(json_t *report, const char *dir, const char *formats, sg17_err_t *err)
{
    unsigned bits;
    if (formats_parse(formats, &bits, err) != 0)
        return -1;
    if (!json_is_object(report))
        return sg17_err(err, "report: not a JSON object");
    if (sg17_fs_mkdir_p(dir, err) != 0)
        return -1;
    sg17_report_summarize(report);
    for (size_t k = 0; k < N_FORMATS; k++) {
        if (!(bits & formats_table[k].bit))
            continue;
        size_t n = strlen(dir) + strlen(formats_table[k].file) + 2;
        char *path = malloc(n);
        if (!path)
            return sg17_err(err, "report: out of memory");
        snprintf(path, n, "%s/%s", dir, formats_table[k].file);
        int rc = formats_table[k].write(report, path, err);
        free(path);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int sg17_report_write_json(const json_t *report, const char *path, sg17_err_t *err)
{
    /* Stable text: sorted keys, 2-space indent, reals with 15 significant digits (0.1 stays
     * "0.1"), UTF-8 as is, a final newline. */
    char *text = json_dumps(report, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    if (!text)
        return sg17_err(err, "%s: cannot encode the report as JSON", path);
    size_t n = strlen(text);
    char *withnl = realloc(text, n + 2);
    if (!withnl) {
        free(text);
        return sg17_err(err, "%s: out of memory", path);
    }
    withnl[n] = '\n';
    withnl[n + 1] = '\0';
    int rc = sg17_fs_write_atomic(path, withnl, n + 1, err);
    free(withnl);
    return rc;
}

/* Checks one scenario of a report: an object with string id/module, a known verdict, and an id
 * not seen before (seen maps id -> index). */
static int scenario_check(const json_t *s, size_t i, json_t *seen, const char *what,
                          sg17_err_t *err)
{
    if (!json_is_object(s))
        return sg17_err(err, "%s: scenarios[%zu] is not an object", what, i);
    static const char *const required[] = {"id", "module", "verdict"};
    for (size_t k = 0; k < 3; k++)
        if (!sg17_rj_str(s, required[k], NULL))
            return sg17_err(err, "%s: scenarios[%zu]: \"%s\" must be a string", what, i,
                            required[k]);
    const char *v = sg17_rj_str(s, "verdict", "");
    if (!sg17_report_verdict_known(v))
        return sg17_err(err,
                        "%s: scenarios[%zu] (%s): unknown verdict \"%s\" (valid: holds, "
                        "fails, degraded, vacuous, error)",
                        what, i, sg17_rj_str(s, "id", ""), v);
    const char *id = sg17_rj_str(s, "id", "");
    json_t *prev = json_object_get(seen, id);
    if (prev)
        return sg17_err(err,
                        "%s: scenario id \"%s\" appears twice (scenarios[%lld] and "
                        "[%zu])",
                        what, id, (long long)json_integer_value(prev), i);
    json_object_set_new(seen, id, json_integer((json_int_t)i));
    return 0;
}

/* Checks the parts of the schema that the writers and the merge rely on. `what` names the
 * report in messages (its path). */
static int report_check(const json_t *r, const char *what, sg17_err_t *err)
{
    if (!json_is_object(r))
        return sg17_err(err, "%s: not a JSON object", what);
    const char *schema = sg17_rj_str(r, "schema", NULL);
    if (!schema)
        return sg17_err(err, "%s: no \"schema\" key: not an sg17tb report", what);
    if (strcmp(schema, SG17_REPORT_SCHEMA) != 0)
        return sg17_err(err, "%s: schema \"%s\" is not supported (this sg17tb reads \"%s\")", what,
                        schema, SG17_REPORT_SCHEMA);
    if (!json_is_boolean(json_object_get(r, "complete")))
        return sg17_err(err, "%s: \"complete\" must be true or false", what);
    json_t *control = json_object_get(r, "control"); /* absent in reports from before it */
    if (control && !json_is_boolean(control))
        return sg17_err(err, "%s: \"control\" must be true or false", what);
    json_t *cat = json_object_get(r, "catalogues");
    if (cat && !json_is_object(cat))
        return sg17_err(err, "%s: \"catalogues\" must be an object", what);
    json_t *scenarios = json_object_get(r, "scenarios");
    if (!json_is_array(scenarios))
        return sg17_err(err, "%s: \"scenarios\" must be an array", what);
    json_t *seen = json_object(); /* id -> index, to find duplicates in one pass */
    size_t i;
    json_t *s;
    int rc = 0;
    json_array_foreach(scenarios, i, s)
    {
        rc = scenario_check(s, i, seen, what, err);
        if (rc != 0)
            break;
    }
    json_decref(seen);
    return rc;
}

json_t *sg17_report_load(const char *path, sg17_err_t *err)
{
    json_error_t jerr;
    json_t *r = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!r) {
        if (jerr.line > 0)
            sg17_err(err, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        else
            sg17_err(err, "%s: %s", path, jerr.text);
        return NULL;
    }
    if (report_check(r, path, err) != 0) {
        json_decref(r);
        return NULL;
    }
    return r;
}

/* A scenario of the merge with the index of the report it came from (for messages). */
typedef struct {
    json_t *scenario;
    size_t from;
} merge_item_t;

static int merge_item_cmp(const void *a, const void *b)
{
    const merge_item_t *x = a, *y = b;
    int c = strcmp(sg17_rj_str(x->scenario, "id", ""), sg17_rj_str(y->scenario, "id", ""));
    if (c)
        return c;
    return x->from < y->from ? -1 : x->from > y->from;
}

/* Two catalogues of one module are the same if everything but "file" (a path that differs
 * between machines) is equal. */
static bool catalogue_same(json_t *a, json_t *b)
{
    json_t *x = json_deep_copy(a), *y = json_deep_copy(b);
    json_object_del(x, "file");
    json_object_del(y, "file");
    bool same = json_equal(x, y);
    json_decref(x);
    json_decref(y);
    return same;
}

/* Shard strings "I/N": true if all reports are shards of the same N and together miss some I.
 * Reports without a shard say nothing. */
static bool shards_missing(json_t *const *reports, size_t n)
{
    long total = 0;
    bool seen[1025] = {false};
    for (size_t i = 0; i < n; i++) {
        const char *sh = sg17_rj_str(reports[i], "shard", NULL);
        long a, b;
        char tail;
        if (!sh || sscanf(sh, "%ld/%ld%c", &a, &b, &tail) != 2 || b < 1 || b > 1024 || a < 1
            || a > b)
            return false;
        if (total && b != total)
            return false;
        total = b;
        seen[a] = true;
    }
    for (long k = 1; k <= total; k++)
        if (!seen[k])
            return true;
    return false;
}

json_t *sg17_report_merge(json_t *const *reports, size_t n, sg17_err_t *err)
{
    if (n == 0) {
        sg17_err(err, "merge: no reports given");
        return NULL;
    }
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        char what[32];
        snprintf(what, sizeof what, "report %zu", i + 1);
        if (report_check(reports[i], what, err) != 0)
            return NULL;
        total += json_array_size(json_object_get(reports[i], "scenarios"));
    }
    merge_item_t *items = calloc(total ? total : 1, sizeof *items);
    if (!items) {
        sg17_err(err, "merge: out of memory");
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j;
        json_t *s;
        json_array_foreach(json_object_get(reports[i], "scenarios"), j, s)
        {
            items[k].scenario = s;
            items[k++].from = i;
        }
    }
    qsort(items, total, sizeof *items, merge_item_cmp);
    for (k = 1; k < total; k++) {
        const char *id = sg17_rj_str(items[k].scenario, "id", "");
        if (strcmp(sg17_rj_str(items[k - 1].scenario, "id", ""), id) == 0) {
            sg17_err(err,
                     "merge: scenario \"%s\" is in report %zu and report %zu (overlapping "
                     "shards?)",
                     id, items[k - 1].from + 1, items[k].from + 1);
            free(items);
            return NULL;
        }
    }

    /* top-level keys of the first report (tool, seed, any extension), without its scenarios */
    json_t *out = json_object();
    const char *key;
    json_t *value;
    json_object_foreach(reports[0], key,
                        value) if (strcmp(key, "scenarios") != 0 && strcmp(key, "catalogues") != 0)
        json_object_set_new(out, key, json_deep_copy(value));
    json_t *scenarios = json_array();
    for (k = 0; k < total; k++)
        json_array_append_new(scenarios, json_deep_copy(items[k].scenario));
    free(items);
    json_object_set_new(out, "scenarios", scenarios);

    json_t *cats = json_object();
    bool complete = true, control = true;
    const char *started = NULL, *finished = NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *cat;
        json_object_foreach(sg17_rj_object(reports[i], "catalogues"), key, cat)
        {
            json_t *have = json_object_get(cats, key);
            if (!have) {
                json_object_set_new(cats, key, json_deep_copy(cat));
            } else if (!catalogue_same(have, cat)) {
                sg17_err(err,
                         "merge: the \"%s\" catalogue of report %zu differs from an earlier "
                         "report's (shards must be run from the same tree)",
                         key, i + 1);
                json_decref(cats);
                json_decref(out);
                return NULL;
            }
        }
        complete = complete && sg17_rj_bool(reports[i], "complete", false);
        /* a report from before control runs had none */
        control = control && sg17_rj_bool(reports[i], "control", false);
        /* ISO 8601 UTC timestamps of one format order as strings. */
        const char *st = sg17_rj_str(reports[i], "started", NULL);
        const char *fi = sg17_rj_str(reports[i], "finished", NULL);
        if (st && (!started || strcmp(st, started) < 0))
            started = st;
        if (fi && (!finished || strcmp(fi, finished) > 0))
            finished = fi;
    }
    json_object_set_new(out, "catalogues", cats);
    if (shards_missing(reports, n))
        complete = false;
    json_object_set_new(out, "complete", json_boolean(complete));
    json_object_set_new(out, "control", json_boolean(control));
    json_object_set_new(out, "shard", json_null());
    json_object_set_new(out, "started", started ? json_string(started) : json_null());
    json_object_set_new(out, "finished", finished ? json_string(finished) : json_null());
    sg17_report_summarize(out);
    return out;
}
