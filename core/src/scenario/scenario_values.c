/* scenario_values.c — typed scenario values and their normal forms, entity names, the metric
 * namespace (sg17_metric_known) and the validator's error messages. */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/validate.h"
#include "util/text.h"

const char *const sg17_ledger_verbs[] = {"sent",    "delivered",  "accepted", "rejected",
                                         "dropped", "unreported", NULL};
const char *const sg17_ledger_provenances[] = {
    "genuine", "injected", "replayed", "modified", "from_compromised", "all", NULL};
static const char *const adversary_metrics[] = {"observed",    "captured", "dropped",  "delayed",
                                                "modified",    "replayed", "injected", "flooded",
                                                "compromised", NULL};
static const char *const sim_metrics[] = {"events", "messages", "timers", "virtual_seconds", NULL};
static const char *const bus_metrics[] = {"malformed", "frames", "report_anomalies", NULL};

const char *const sg17_core_metric_patterns[] = {
    "ledger.<verb>.<prov>",
    "ledger.<verb>.<prov>.<message_type>",
    "ledger.rejected.reason.<reason>",
    "bus.malformed",
    "bus.frames",
    "bus.report_anomalies",
    "adversary.observed",
    "adversary.captured",
    "adversary.dropped",
    "adversary.delayed",
    "adversary.modified",
    "adversary.replayed",
    "adversary.injected",
    "adversary.flooded",
    "adversary.compromised",
    "sim.events",
    "sim.messages",
    "sim.timers",
    "sim.virtual_seconds",
    "cost.<anything>",
    NULL,
};

int sg17_v_fail(sg17_validator_t *v, const sg17_yaml_node_t *n, const char *path,
                const char *expected, const char *near, const char *what_fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, what_fmt);
    vsnprintf(what, sizeof what, what_fmt, ap);
    va_end(ap);
    return sg17_err(v->err, "%s:%d:%d: %s: %s; expected %s%s%.100s%s", v->file, n ? n->line : 1,
                    n ? n->col : 1, path && *path ? path : "(top level)", what, expected,
                    near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
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

const char *sg17_v_type_desc(sg17_type_t type)
{
    switch (type) {
    case SG17_TYPE_INT:
        return "an integer";
    case SG17_TYPE_NUMBER:
        return "a number";
    case SG17_TYPE_BOOL:
        return "true or false";
    case SG17_TYPE_STRING:
        return "a text value";
    case SG17_TYPE_DURATION:
        return "a duration such as 250ms, 15min or 6h";
    case SG17_TYPE_HEX:
        return "at least one byte, as two hex digits per byte";
    case SG17_TYPE_ENTITY:
        return "an entity name such as <kind>-0";
    case SG17_TYPE_COUNT:
        return "a whole number from 0 to 1000000000";
    }
    return "a value";
}

const char **sg17_v_names(const void *table, size_t stride, size_t *n)
{
    size_t count = 0;
    const char *p = table;
    while (table && *(const char *const *)(p + count * stride))
        count++;
    const char **names = calloc(count + 1, sizeof *names);
    if (!names) {
        *n = 0;
        return NULL;
    }
    for (size_t i = 0; i < count; i++)
        names[i] = *(const char *const *)(p + i * stride);
    *n = count;
    return names;
}

/* An optional sign and digits only: an integer as written, whatever its size. */
static bool integer_syntax(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static bool decimal_chars(const char *s)
{
    for (; *s; s++)
        if (!isdigit((unsigned char)*s) && !strchr("+-.eE", *s))
            return false;
    return true;
}

/* Checks an entity name "<kind>-<index>" against the scenario's topology. Returns NULL when good,
 * or what is wrong in why (and a suggestion in *near). */
static const char *entity_check(sg17_validator_t *v, const char *text, char *why, size_t size,
                                const char **near, char *expected, size_t esize)
{
    const char *dash = strrchr(text, '-');
    snprintf(expected, esize, "%s", sg17_v_type_desc(SG17_TYPE_ENTITY));
    if (!dash || dash == text || !dash[1]) {
        snprintf(why, size, "'%.100s' is not an entity name", text);
        return why;
    }
    for (const char *d = dash + 1; *d; d++)
        if (!isdigit((unsigned char)*d)) {
            snprintf(why, size, "'%.100s' is not an entity name (the index is not a number)", text);
            return why;
        }
    size_t klen = (size_t)(dash - text);
    const sg17_topology_entry_t *kind = NULL;
    for (size_t i = 0; i < v->s->n_topology; i++)
        if (strlen(v->s->topology[i].kind) == klen && !strncmp(v->s->topology[i].kind, text, klen))
            kind = &v->s->topology[i];
    if (!kind) {
        char kname[128];
        snprintf(kname, sizeof kname, "%.*s", (int)(klen < 100 ? klen : 100), text);
        size_t n;
        const char **kinds = sg17_v_names(v->mod->entity_kinds, sizeof *v->mod->entity_kinds, &n);
        *near = kinds ? sg17_nearest(kname, kinds, n) : NULL;
        free(kinds);
        snprintf(why, size, "'%.100s' names no entity kind of module %s", text, v->mod->name);
        return why;
    }
    char *end;
    unsigned long long index = strtoull(dash + 1, &end, 10);
    if (strlen(dash + 1) > 10 || index >= kind->count) {
        snprintf(why, size, "'%.100s' is out of range: the topology has %u %s entities", text,
                 kind->count, kind->kind);
        if (kind->count)
            snprintf(expected, esize, "%s-0 .. %s-%u", kind->kind, kind->kind, kind->count - 1);
        else
            snprintf(expected, esize, "a %s count above 0 in topology", kind->kind);
        return why;
    }
    return NULL;
}

/* The normal form of text of a type (see sg17_api_t.config). Returns NULL when good and *out set,
 * else what is wrong. */
static const char *normalise(sg17_validator_t *v, sg17_type_t type, const char *text, bool quoted,
                             char **out, char *why, size_t size, const char **near, char *expected,
                             size_t esize)
{
    char buf[64];
    *out = NULL;
    *near = NULL;
    snprintf(expected, esize, "%s", sg17_v_type_desc(type));
    if (quoted && type != SG17_TYPE_STRING && type != SG17_TYPE_HEX && type != SG17_TYPE_ENTITY) {
        snprintf(why, size, "\"%.100s\" is quoted, which makes it text", text);
        snprintf(expected, esize, "%s, written without quotes", sg17_v_type_desc(type));
        return why;
    }
    switch (type) {
    case SG17_TYPE_INT:
    case SG17_TYPE_COUNT: {
        long long x;
        if (sg17_parse_int(text, &x) < 0 && integer_syntax(text)) { /* beyond 64 bits */
            snprintf(why, size, "%.100s is out of range", text);
            if (type == SG17_TYPE_INT)
                snprintf(expected, esize, "an integer from %lld to %lld", LLONG_MIN, LLONG_MAX);
            return why;
        }
        if (sg17_parse_int(text, &x) < 0 || !decimal_chars(text)) {
            snprintf(why, size, "'%.100s' is not %s", text,
                     type == SG17_TYPE_INT ? "an integer" : "a whole number");
            return why;
        }
        if (type == SG17_TYPE_COUNT && (x < 0 || x > SG17_COUNT_MAX)) {
            snprintf(why, size, "%lld is out of range", x);
            return why;
        }
        snprintf(buf, sizeof buf, "%lld", x);
        *out = strdup(buf);
        break;
    }
    case SG17_TYPE_NUMBER: {
        double x;
        if (!decimal_chars(text) || sg17_parse_number(text, &x) < 0) {
            snprintf(why, size, "'%.100s' is not a number", text);
            return why;
        }
        snprintf(buf, sizeof buf, "%.17g", x);
        *out = strdup(buf);
        break;
    }
    case SG17_TYPE_BOOL: {
        bool x;
        if (sg17_parse_bool(text, &x) < 0) {
            snprintf(why, size, "'%.100s' is not a truth value", text);
            snprintf(expected, esize, "true, false, on, off, yes or no");
            return why;
        }
        *out = strdup(x ? "true" : "false");
        break;
    }
    case SG17_TYPE_DURATION: {
        sg17_time_t t;
        if (sg17_duration_parse(text, &t) < 0) {
            snprintf(why, size, "'%.100s' is not a duration", text);
            return why;
        }
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)t);
        *out = strdup(buf);
        break;
    }
    case SG17_TYPE_HEX: {
        size_t n = strlen(text);
        bool hex = true;
        for (size_t i = 0; hex && i < n; i++)
            hex = isxdigit((unsigned char)text[i]);
        if (n == 0)
            snprintf(why, size, "the value is empty");
        else if (!hex)
            snprintf(why, size, "'%.100s' is not hex", text);
        else if (n % 2)
            snprintf(why, size, "'%.100s' has an odd number of hex digits", text);
        if (n == 0 || !hex || n % 2)
            return why;
        *out = strdup(text);
        for (char *c = *out; c && *c; c++)
            *c = (char)tolower((unsigned char)*c);
        break;
    }
    case SG17_TYPE_STRING:
        *out = strdup(text);
        break;
    case SG17_TYPE_ENTITY:
        if (entity_check(v, text, why, size, near, expected, esize))
            return why;
        *out = strdup(text);
        break;
    default:
        snprintf(why, size, "the module declares an unknown type %d", (int)type);
        return why;
    }
    if (!*out) {
        snprintf(why, size, "out of memory");
        return why;
    }
    return NULL;
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
    const char *desc = accepted ? accepted : sg17_v_type_desc(type);
    if (n->kind != SG17_YAML_SCALAR)
        return sg17_v_fail(v, n, path, desc, NULL, "found %s", sg17_yaml_kind_name(n->kind));
    if (sg17_v_is_null(n))
        return sg17_v_fail(v, n, path, desc, NULL, "no value");
    char why[512], expected[256];
    const char *near;
    if (normalise(v, type, n->scalar, n->quoted, out, why, sizeof why, &near, expected,
                  sizeof expected))
        return sg17_v_fail(v, n, path, accepted ? accepted : expected, near, "%s", why);
    return 0;
}

int sg17_v_default(sg17_validator_t *v, sg17_type_t type, const char *text, const char *path,
                   char **out)
{
    char why[512], expected[256];
    const char *near;
    if (!text)
        return sg17_v_fail(v, NULL, path, sg17_v_type_desc(type), NULL,
                           "module %s gives no default value and the scenario sets none",
                           v->mod->name);
    if (normalise(v, type, text, false, out, why, sizeof why, &near, expected, sizeof expected))
        return sg17_v_fail(v, NULL, path, expected, near, "the default of module %s is invalid: %s",
                           v->mod->name, why);
    return 0;
}

static bool in_list(const char *const *list, const char *s, size_t len)
{
    for (; *list; list++)
        if (strlen(*list) == len && !strncmp(*list, s, len))
            return true;
    return false;
}

static bool in_table(const void *table, size_t stride, const char *s)
{
    const char *p = table;
    for (size_t i = 0; table && *(const char *const *)(p + i * stride); i++)
        if (!strcmp(*(const char *const *)(p + i * stride), s))
            return true;
    return false;
}

/* "ledger.<verb>.<prov>[.<message_type>]" and "ledger.rejected.reason.<reason>". */
static bool ledger_known(const sg17_module_t *m, const char *rest)
{
    if (!strncmp(rest, "rejected.reason.", 16))
        return m && in_table(m->reasons, sizeof *m->reasons, rest + 16);
    const char *dot = strchr(rest, '.');
    if (!dot || !in_list(sg17_ledger_verbs, rest, (size_t)(dot - rest)))
        return false;
    const char *prov = dot + 1, *end = strchr(prov, '.');
    size_t plen = end ? (size_t)(end - prov) : strlen(prov);
    if (!in_list(sg17_ledger_provenances, prov, plen))
        return false;
    if (!end)
        return true;
    return m && m->message_types && in_list(m->message_types, end + 1, strlen(end + 1));
}

bool sg17_metric_known(const sg17_module_t *m, const char *metric)
{
    if (!metric)
        return false;
    if (!strncmp(metric, "ledger.", 7))
        return ledger_known(m, metric + 7);
    if (!strncmp(metric, "bus.", 4))
        return in_list(bus_metrics, metric + 4, strlen(metric + 4));
    if (!strncmp(metric, "adversary.", 10))
        return in_list(adversary_metrics, metric + 10, strlen(metric + 10));
    if (!strncmp(metric, "sim.", 4))
        return in_list(sim_metrics, metric + 4, strlen(metric + 4));
    if (!strncmp(metric, "cost.", 5))
        return metric[5] != '\0';
    for (size_t i = 0; m && m->metrics && m->metrics[i].name; i++) {
        const char *name = m->metrics[i].name;
        size_t len = strlen(name);
        if (!strcmp(name, metric))
            return true;
        /* a family "x.*" matches "x.<more>" */
        if (len >= 2 && !strcmp(name + len - 2, ".*") && !strncmp(metric, name, len - 1)
            && metric[len - 1] != '\0')
            return true;
    }
    return false;
}

/* The concrete metric names a condition may use, for "did you mean" (built once per scenario). */
static int metric_candidates(sg17_validator_t *v)
{
    if (v->metric_names)
        return 0;
    const sg17_module_t *m = v->mod;
    size_t n_types = 0, n_reasons = 0, n_metrics = 0;
    while (m->message_types && m->message_types[n_types])
        n_types++;
    while (m->reasons && m->reasons[n_reasons].name)
        n_reasons++;
    while (m->metrics && m->metrics[n_metrics].name)
        n_metrics++;
    const char *const *const families[] = {bus_metrics, adversary_metrics, sim_metrics};
    size_t n_family = 0, family_bytes = 0;
    for (size_t f = 0; f < 3; f++)
        for (size_t i = 0; families[f][i]; i++, n_family++)
            family_bytes += strlen(families[f][i]) + 16; /* "adversary." + NUL */
    size_t max = 36 * (1 + n_types) + n_reasons + n_family + n_metrics;
    size_t bytes = family_bytes;
    /* an upper bound for the text of every name */
    for (size_t i = 0; i < n_types; i++)
        bytes += 36 * (strlen(m->message_types[i]) + 48);
    for (size_t i = 0; i < n_reasons; i++)
        bytes += strlen(m->reasons[i].name) + 32;
    bytes += 36 * 48;
    v->metric_names = calloc(max, sizeof *v->metric_names);
    v->metric_storage = malloc(bytes);
    if (!v->metric_names || !v->metric_storage)
        return -1;
    char *p = v->metric_storage;
    size_t n = 0;
#define ADD_NAME(...)                                                               \
    do {                                                                            \
        int w_ = snprintf(p, bytes - (size_t)(p - v->metric_storage), __VA_ARGS__); \
        v->metric_names[n++] = p;                                                   \
        p += w_ + 1;                                                                \
    } while (0)
    for (size_t a = 0; sg17_ledger_verbs[a]; a++)
        for (size_t b = 0; sg17_ledger_provenances[b]; b++) {
            ADD_NAME("ledger.%s.%s", sg17_ledger_verbs[a], sg17_ledger_provenances[b]);
            for (size_t t = 0; t < n_types; t++)
                ADD_NAME("ledger.%s.%s.%s", sg17_ledger_verbs[a], sg17_ledger_provenances[b],
                         m->message_types[t]);
        }
    for (size_t i = 0; i < n_reasons; i++)
        ADD_NAME("ledger.rejected.reason.%s", m->reasons[i].name);
    for (size_t i = 0; bus_metrics[i]; i++)
        ADD_NAME("bus.%s", bus_metrics[i]);
    for (size_t i = 0; adversary_metrics[i]; i++)
        ADD_NAME("adversary.%s", adversary_metrics[i]);
    for (size_t i = 0; sim_metrics[i]; i++)
        ADD_NAME("sim.%s", sim_metrics[i]);
#undef ADD_NAME
    for (size_t i = 0; i < n_metrics; i++)
        v->metric_names[n++] = m->metrics[i].name;
    v->n_metric_names = n;
    return 0;
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
    if (sg17_metric_known(v->mod, metric))
        return 0;
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
