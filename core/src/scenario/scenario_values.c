/* scenario_values.c — the validator's typed values (normal forms and ranges from
 * module/values.h, entities against the scenario's topology), the metrics of conditions
 * (module/metric_names.h, family members against the topology) and its error messages. */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module/metric_names.h"
#include "scenario/validate.h"
#include "util/text.h"

/* Adds a message to v->diags unless it is there already (a matrix validates the same text once
 * per point). Out of memory: the message stays in v->err only. */
static void diag_add(sg17_validator_t *v, int line, int col, const char *text)
{
    for (size_t i = 0; i < v->n_diags; i++)
        if (!strcmp(v->diags[i].text, text))
            return;
    if (v->n_diags == v->cap_diags) {
        size_t cap = v->cap_diags ? 2 * v->cap_diags : 8;
        struct sg17_v_diag *d = realloc(v->diags, cap * sizeof *d);
        if (!d)
            return;
        v->diags = d;
        v->cap_diags = cap;
    }
    char *copy = strdup(text);
    if (!copy)
        return;
    v->diags[v->n_diags++] = (struct sg17_v_diag){line, col, copy};
}

int sg17_v_fail(sg17_validator_t *v, const sg17_yaml_node_t *n, const char *path,
                const char *expected, const char *near, const char *what_fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, what_fmt);
    vsnprintf(what, sizeof what, what_fmt, ap);
    va_end(ap);
    char msg[SG17_ERR_MAX];
    snprintf(msg, sizeof msg, "%s:%d:%d: %s: %s; expected %s%s%.100s%s", v->file, n ? n->line : 1,
             n ? n->col : 1, path && *path ? path : "(top level)", what, expected,
             near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    diag_add(v, n ? n->line : 1, n ? n->col : 1, msg);
    return sg17_err(v->err, "%s", msg);
}

void sg17_v_diags_free(sg17_validator_t *v)
{
    for (size_t i = 0; i < v->n_diags; i++)
        free(v->diags[i].text);
    free(v->diags);
    v->diags = NULL;
    v->n_diags = v->cap_diags = 0;
}

void sg17_v_path(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

bool sg17_v_is_null(const sg17_yaml_node_t *n)
{
    return n && n->kind == SG17_YAML_SCALAR && !n->quoted
           && (!*n->scalar || !strcmp(n->scalar, "~") || !strcmp(n->scalar, "null")
               || !strcmp(n->scalar, "Null") || !strcmp(n->scalar, "NULL"));
}

/* The topology view of the scenario being built: counts of the kinds read so far. */
static bool topology_count(const void *arg, const char *kind, size_t len, unsigned *count)
{
    const sg17_scenario_t *s = arg;
    for (size_t i = 0; i < s->n_topology; i++)
        if (strlen(s->topology[i].kind) == len && !strncmp(s->topology[i].kind, kind, len)) {
            *count = s->topology[i].count;
            return true;
        }
    return false;
}

sg17_topology_view_t sg17_v_topology(const sg17_validator_t *v)
{
    return (sg17_topology_view_t){topology_count, v->s};
}

/* The normal form of text (module/values.h) against the scenario's topology. */
static int normalise(sg17_validator_t *v, sg17_type_t type, const char *text, bool quoted,
                     char **out, sg17_value_error_t *e)
{
    sg17_topology_view_t topo = sg17_v_topology(v);
    return sg17_value_normalise(type, text, quoted, &topo, v->mod, out, e);
}

int sg17_v_value(sg17_validator_t *v, sg17_type_t type, const sg17_yaml_node_t *n, const char *path,
                 char **out)
{
    return sg17_v_value_in(v, type, n, path, NULL, out);
}

int sg17_v_value_in(sg17_validator_t *v, sg17_type_t type, const sg17_yaml_node_t *n,
                    const char *path, const char *accepted, char **out)
{
    *out = NULL;
    const char *desc = accepted ? accepted : sg17_type_describe(type);
    if (n->kind != SG17_YAML_SCALAR)
        return sg17_v_fail(v, n, path, desc, NULL, "found %s", sg17_yaml_kind_name(n->kind));
    if (sg17_v_is_null(n))
        return sg17_v_fail(v, n, path, desc, NULL, "no value");
    sg17_value_error_t e;
    if (normalise(v, type, n->scalar, n->quoted, out, &e) < 0)
        return sg17_v_fail(v, n, path, accepted ? accepted : e.expected, e.near, "%s", e.what);
    return 0;
}

int sg17_v_default(sg17_validator_t *v, sg17_type_t type, const char *text, const char *path,
                   char **out)
{
    sg17_value_error_t e;
    if (!text)
        return sg17_v_fail(v, NULL, path, sg17_type_describe(type), NULL,
                           "module %s gives no default value and the scenario sets none",
                           v->mod->name);
    if (normalise(v, type, text, false, out, &e) < 0)
        return sg17_v_fail(v, NULL, path, e.expected, e.near,
                           "the default of module %s is invalid: %s", v->mod->name, e.what);
    return 0;
}

int sg17_v_range(sg17_validator_t *v, sg17_type_t type, sg17_range_t range, const char *normal,
                 const sg17_yaml_node_t *n, const char *path)
{
    sg17_value_error_t e;
    if (sg17_value_in_range(type, range, normal, &e) < 0)
        return sg17_v_fail(v, n, path, e.expected, NULL, "%s", e.what);
    return 0;
}

int sg17_v_choice(sg17_validator_t *v, const char *const *values, const char *normal,
                  const sg17_yaml_node_t *n, const char *path)
{
    if (!values || sg17_choice_ok(values, normal))
        return 0;
    char expected[512];
    sg17_choice_list(values, expected, sizeof expected);
    size_t count = 0;
    while (values[count])
        count++;
    return sg17_v_fail(v, n, path, expected, sg17_nearest(normal, values, count),
                       "'%.100s' is not a value it accepts", normal);
}

/* The concrete metric names a condition may use, for "did you mean" (built once per scenario). */
static int metric_candidates(sg17_validator_t *v)
{
    if (v->metric_names)
        return 0;
    return sg17_metric_candidates(v->mod, &v->metric_names, &v->n_metric_names, &v->metric_storage);
}

typedef struct {
    sg17_validator_t *v;
    const sg17_yaml_node_t *n;
    const char *path;
} metric_walk_t;

/* Column of a metric name inside the condition text (first whole-word occurrence). */
static size_t metric_offset(const char *text, const char *metric)
{
    size_t len = strlen(metric);
    for (const char *p = strstr(text, metric); p; p = strstr(p + 1, metric)) {
        bool before = p > text && (isalnum((unsigned char)p[-1]) || strchr("_.-", p[-1]));
        bool after = isalnum((unsigned char)p[len]) || (p[len] && strchr("_.-", p[len]));
        if (!before && !after)
            return (size_t)(p - text);
    }
    return 0;
}

/* A metric a condition may read: known, and not a cost. cost.* metrics are wall-clock
 * measurements: a condition on one would make the verdict depend on the machine and its load
 * (a cold start alone gives a difference) rather than on the seed; they belong in reports. */
static int check_metric(void *arg, const char *metric)
{
    metric_walk_t *w = arg;
    sg17_validator_t *v = w->v;
    sg17_yaml_node_t at = *w->n;
    at.col += (int)metric_offset(w->n->scalar, metric) + (w->n->quoted ? 1 : 0);
    if (!strncmp(metric, "cost.", 5))
        return sg17_v_fail(v, &at, w->path,
                           "a metric of the simulation (ledger.*, adversary.*, sim.*, bus.* or the "
                           "module's); cost.* metrics belong in reports",
                           NULL,
                           "'%.100s' is a wall-clock cost, which differs from run to run whatever "
                           "the seed",
                           metric);
    if (sg17_metric_known(v->mod, metric)) {
        char why[512];
        sg17_topology_view_t topo = sg17_v_topology(v);
        if (sg17_metric_member_check(v->mod, metric, &topo, why, sizeof why) < 0)
            return sg17_v_fail(v, &at, w->path, "a member of the family within the topology", NULL,
                               "%s", why);
        return 0;
    }
    if (metric_candidates(v) < 0)
        return sg17_err(v->err, "%s: out of memory", v->file);
    const char *near = sg17_nearest(metric, v->metric_names, v->n_metric_names);
    return sg17_v_fail(v, &at, w->path,
                       "a core metric (ledger.<verb>.<prov>, adversary.*, sim.*, bus.*) or a "
                       "metric of the module",
                       near, "unknown metric '%.100s'", metric);
}

int sg17_v_condition_metrics(sg17_validator_t *v, const sg17_yaml_node_t *n, const char *path,
                             const sg17_expr_t *expr)
{
    metric_walk_t w = {v, n, path};
    return sg17_expr_each_metric(expr, check_metric, &w) ? -1 : 0;
}

void sg17_v_release(sg17_validator_t *v)
{
    free(v->metric_names);
    free(v->metric_storage);
    v->metric_names = NULL;
    v->metric_storage = NULL;
    v->n_metric_names = 0;
}
