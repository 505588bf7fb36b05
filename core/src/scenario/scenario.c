/* scenario.c — loads a scenario file: the top-level keys of the language, `${name}` substitution
 * for each point of a `matrix`, and the validated sg17_scenario_t the engine runs. Typed values
 * are in scenario_values.c, actions in scenario_actions.c. */
#include "scenario/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/validate.h"
#include "util/text.h"

#define MAX_DURATION (30 * 24 * SG17_HOUR)

static const char *const top_keys[] = {
    "id",       "title",   "description", "module",    "requirements", "threats",   "seed",
    "duration", "timeout", "topology",    "config",    "mitigations",  "adversary", "network",
    "actions",  "success", "service",     "detection", "expect",       "matrix",    "repeat",
};
#define N_TOP_KEYS (sizeof top_keys / sizeof top_keys[0])

static int oom(sg17_validator_t *v)
{
    return sg17_err(v->err, "%s: out of memory", v->file);
}

/* A copy of a non-empty text scalar (string type), or -1. */
static int text_value(sg17_validator_t *v, const sg17_yaml_node_t *n, const char *path, char **out)
{
    if (sg17_v_value(v, SG17_TYPE_STRING, n, path, out) < 0)
        return -1;
    if (!**out) {
        free(*out);
        *out = NULL;
        sg17_v_fail(v, n, path, "a non-empty text", NULL, "the value is empty");
        return -1; /* spelled out: callers use *out whenever this returns 0 */
    }
    return 0;
}

/* Whether a key is one of keys. */
static bool key_known(const char *key, const char *const *keys, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (!strcmp(key, keys[j]))
            return true;
    return false;
}

/* Unknown keys of a mapping, with the nearest known key: every one of them. */
static int known_keys(sg17_validator_t *v, const sg17_yaml_node_t *map, const char *prefix,
                      const char *const *keys, size_t n, const char *expected)
{
    int rc = 0;
    for (size_t i = 0; i < map->n; i++) {
        bool ok = false;
        for (size_t j = 0; j < n && !ok; j++)
            ok = !strcmp(map->keys[i]->scalar, keys[j]);
        if (ok)
            continue;
        char path[SG17_PATH_MAX];
        sg17_v_path(path, sizeof path, "%s%s%.100s", prefix, *prefix ? "." : "",
                    map->keys[i]->scalar);
        rc = sg17_v_fail(v, map->keys[i], path, expected,
                         sg17_nearest(map->keys[i]->scalar, keys, n), "unknown key '%.100s'",
                         map->keys[i]->scalar);
    }
    return rc;
}

/* A required top-level key. When it is missing because of a typo (an unknown key whose nearest
 * valid key is this one, already reported with a "did you mean"), it is not reported again. */
static const sg17_yaml_node_t *require(sg17_validator_t *v, const sg17_yaml_node_t *map,
                                       const char *key, const char *expected)
{
    const sg17_yaml_node_t *n = sg17_yaml_get(map, key);
    if (n)
        return n;
    for (size_t i = 0; i < map->n; i++) {
        const char *k = map->keys[i]->scalar;
        const char *near = sg17_nearest(k, top_keys, N_TOP_KEYS);
        if (!key_known(k, top_keys, N_TOP_KEYS) && near && !strcmp(near, key))
            return NULL;
    }
    sg17_v_fail(v, map, key, expected, NULL, "required key is missing");
    return NULL;
}

/* A list of names, each in `known` (when known is not NULL); no duplicates. */
static int name_list(sg17_validator_t *v, const sg17_yaml_node_t *n, const char *path,
                     bool non_empty, const char *const *known, size_t n_known, const char *what,
                     char ***out, size_t *n_out)
{
    if (n->kind != SG17_YAML_SEQ)
        return sg17_v_fail(v, n, path, non_empty ? "a non-empty list" : "a list", NULL, "found %s",
                           sg17_yaml_kind_name(n->kind));
    if (non_empty && !n->n)
        return sg17_v_fail(v, n, path, "at least one entry", NULL, "the list is empty");
    *out = calloc(n->n ? n->n : 1, sizeof **out);
    if (!*out)
        return oom(v);
    int rc = 0;
    for (size_t i = 0; i < n->n; i++) {
        char ipath[SG17_PATH_MAX];
        sg17_v_path(ipath, sizeof ipath, "%s[%zu]", path, i);
        char *name;
        if (text_value(v, n->items[i], ipath, &name) < 0) {
            rc = -1;
            continue;
        }
        (*out)[(*n_out)++] = name;
        if (known && !key_known(name, known, n_known)) {
            rc = sg17_v_fail(v, n->items[i], ipath, what, sg17_nearest(name, known, n_known),
                             "unknown name '%.100s'", name);
            continue;
        }
        for (size_t j = 0; j + 1 < *n_out; j++)
            if (!strcmp((*out)[j], name)) {
                rc = sg17_v_fail(v, n->items[i], ipath, "each name once", NULL,
                                 "'%.100s' is listed twice", name);
                break;
            }
    }
    return rc;
}

static int read_duration(sg17_validator_t *v, const sg17_yaml_node_t *n, const char *path,
                         sg17_time_t *out)
{
    char *t;
    if (sg17_v_value(v, SG17_TYPE_DURATION, n, path, &t) < 0)
        return -1;
    *out = strtoull(t, NULL, 10);
    free(t);
    return 0;
}

static int read_loss(sg17_validator_t *v, const sg17_yaml_node_t *n, const char *path, double *out)
{
    char *t;
    if (sg17_v_value(v, SG17_TYPE_NUMBER, n, path, &t) < 0)
        return -1;
    *out = strtod(t, NULL);
    free(t);
    if (!(*out >= 0 && *out < 1))
        return sg17_v_fail(v, n, path, "a probability in [0, 1)", NULL, "'%.100s' is out of range",
                           n->scalar);
    return 0;
}

/* module: the descriptor from the registry, or an error naming the nearest module. */
static int read_module(sg17_validator_t *v, const sg17_registry_t *reg,
                       const sg17_yaml_node_t *root)
{
    const sg17_yaml_node_t *n = require(v, root, "module", "a module name such as metering");
    if (!n || text_value(v, n, "module", &v->s->module) < 0)
        return -1;
    size_t n_names = 0;
    const char *const *names = reg->module_names ? reg->module_names(reg->arg, &n_names) : NULL;
    bool listed = false;
    for (size_t i = 0; names && i < n_names; i++)
        listed |= names[i] && !strcmp(names[i], v->s->module);
    sg17_err_t merr = {{0}};
    v->mod = reg->module ? reg->module(reg->arg, v->s->module, &merr) : NULL;
    if (v->mod)
        return 0;
    if (listed)
        return sg17_v_fail(v, n, "module", "a module that loads", NULL, "%s", merr.msg);
    char expected[512] = "the name of an installed module";
    size_t used = 0;
    for (size_t i = 0; names && i < n_names && used < sizeof expected - 110; i++)
        used += (size_t)snprintf(expected + used, sizeof expected - used, "%s%.100s",
                                 i ? ", " : "one of ", names[i]);
    return sg17_v_fail(v, n, "module", expected,
                       names ? sg17_nearest(v->s->module, names, n_names) : NULL,
                       "unknown module '%.100s'", v->s->module);
}

/* The id; its module prefix is checked only when the module is known (module_ok), so that an
 * unknown module is one error, not two. */
static int read_id(sg17_validator_t *v, const sg17_yaml_node_t *root, bool module_ok)
{
    const sg17_yaml_node_t *n = require(v, root, "id", "<module>/<name>");
    if (!n || text_value(v, n, "id", &v->s->base_id) < 0)
        return -1;
    const char *id = v->s->base_id;
    for (const char *c = id; *c; c++)
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || strchr("_./-", *c)))
            return sg17_v_fail(v, n, "id", "lower-case letters, digits and _ . / -", NULL,
                               "'%.100s' contains '%c'", id, isprint((unsigned char)*c) ? *c : '?');
    if (!module_ok || !v->s->module)
        return 0;
    size_t ml = strlen(v->s->module);
    if (strncmp(id, v->s->module, ml) || id[ml] != '/' || !id[ml + 1]) {
        char expected[160];
        snprintf(expected, sizeof expected, "%.100s/<name>", v->s->module);
        return sg17_v_fail(v, n, "id", expected, NULL,
                           "'%.100s' does not start with the module name and '/'", id);
    }
    return 0;
}

/* requirements and threats: ids of the module's catalogue. Without a catalogue (ids NULL) any
 * name is accepted; with an empty one (ids non-NULL, none listed) every name is unknown. */
static int read_catalogue_refs(sg17_validator_t *v, const sg17_yaml_node_t *root)
{
    const sg17_catalogue_t *c = v->cat;
    const sg17_yaml_node_t *n = require(v, root, "requirements", "a list of requirement ids");
    int bad = n ? 0 : -1;
    for (int pass = 0; pass < 2; pass++) {
        const char **ids = NULL;
        size_t n_ids = 0;
        if (c) {
            size_t count = pass ? c->n_threats : c->n_requirements;
            const sg17_catalogue_entry_t *e = pass ? c->threats : c->requirements;
            ids = calloc(count + 1, sizeof *ids);
            if (!ids)
                return oom(v);
            for (size_t i = 0; i < count; i++)
                ids[n_ids++] = e[i].id;
        }
        const sg17_yaml_node_t *list = pass ? sg17_yaml_get(root, "threats") : n;
        if (!list) {
            free(ids);
            continue;
        }
        int rc = 0;
        if (list && pass)
            rc = name_list(v, list, "threats", false, ids, c ? n_ids : 0,
                           "a threat id of the module's catalogue", &v->s->threats,
                           &v->s->n_threats);
        else if (list)
            rc = name_list(v, list, "requirements", true, ids, c ? n_ids : 0,
                           "a requirement id of the module's catalogue", &v->s->requirements,
                           &v->s->n_requirements);
        free(ids);
        if (rc < 0)
            bad = -1;
    }
    return bad;
}

static int read_topology(sg17_validator_t *v, const sg17_yaml_node_t *root)
{
    sg17_scenario_t *s = v->s;
    size_t n_kinds;
    const char **kinds =
        sg17_table_names(v->mod->entity_kinds, sizeof *v->mod->entity_kinds, &n_kinds);
    if (!kinds)
        return oom(v);
    s->topology = calloc(n_kinds ? n_kinds : 1, sizeof *s->topology);
    if (!s->topology) {
        free(kinds);
        return oom(v);
    }
    for (size_t i = 0; i < n_kinds; i++) {
        s->topology[i].count = v->mod->entity_kinds[i].default_count;
        if (!(s->topology[i].kind = strdup(kinds[i]))) {
            free(kinds);
            return oom(v);
        }
        s->n_topology++;
    }
    const sg17_yaml_node_t *t = sg17_yaml_get(root, "topology");
    int rc = 0;
    if (t && !sg17_v_is_null(t) && t->kind != SG17_YAML_MAP)
        rc = sg17_v_fail(v, t, "topology", "a mapping of entity kind to count", NULL, "found %s",
                         sg17_yaml_kind_name(t->kind));
    else if (t && t->kind == SG17_YAML_MAP)
        rc = known_keys(v, t, "topology", kinds, n_kinds, "an entity kind of the module");
    for (size_t i = 0; t && t->kind == SG17_YAML_MAP && i < t->n; i++) {
        char path[SG17_PATH_MAX], *val;
        if (!key_known(t->keys[i]->scalar, kinds, n_kinds))
            continue; /* reported as an unknown key */
        sg17_v_path(path, sizeof path, "topology.%.100s", t->keys[i]->scalar);
        if (sg17_v_value(v, SG17_TYPE_INT, t->items[i], path, &val) < 0) {
            rc = -1;
            continue;
        }
        long long count = strtoll(val, NULL, 10);
        free(val);
        for (size_t k = 0; k < n_kinds; k++) {
            if (strcmp(kinds[k], t->keys[i]->scalar))
                continue;
            const sg17_entity_kind_t *kind = &v->mod->entity_kinds[k];
            unsigned max = kind->max_count ? kind->max_count : 1000000u;
            if (count < (long long)kind->min_count || count > (long long)max) {
                char expected[96];
                snprintf(expected, sizeof expected, "a count from %u to %u", kind->min_count, max);
                bool low = count < (long long)kind->min_count;
                rc = sg17_v_fail(v, t->items[i], path, expected, NULL,
                                 "%lld is out of range: at %s %u", count, low ? "least" : "most",
                                 low ? kind->min_count : max);
            } else {
                s->topology[k].count = (unsigned)count;
            }
        }
    }
    free(kinds);
    return rc;
}

static int read_config(sg17_validator_t *v, const sg17_yaml_node_t *root)
{
    sg17_scenario_t *s = v->s;
    size_t n_keys;
    const char **names = sg17_table_names(v->mod->config, sizeof *v->mod->config, &n_keys);
    if (!names)
        return oom(v);
    int rc = 0;
    const sg17_yaml_node_t *c = sg17_yaml_get(root, "config");
    if (c && !sg17_v_is_null(c) && c->kind != SG17_YAML_MAP)
        rc = sg17_v_fail(v, c, "config", "a mapping of configuration key to value", NULL,
                         "found %s", sg17_yaml_kind_name(c->kind));
    else if (c && c->kind == SG17_YAML_MAP)
        rc = known_keys(v, c, "config", names, n_keys, "a configuration key of the module");
    if (!(s->config = calloc(n_keys ? n_keys : 1, sizeof *s->config))) {
        free(names);
        return oom(v);
    }
    for (size_t i = 0; i < n_keys; i++) { /* every key: one error does not hide the next */
        const sg17_config_key_t *k = &v->mod->config[i];
        char path[SG17_PATH_MAX];
        sg17_v_path(path, sizeof path, "config.%s", k->name);
        if (!(s->config[i].key = strdup(k->name))) {
            rc = oom(v);
            break;
        }
        s->n_config++;
        const sg17_yaml_node_t *val =
            c && c->kind == SG17_YAML_MAP ? sg17_yaml_get(c, k->name) : NULL;
        int krc;
        if (val)
            krc = sg17_v_value(v, k->type, val, path, &s->config[i].value);
        else
            krc = sg17_v_default(v, k->type, k->default_value, path, &s->config[i].value);
        if (krc == 0)
            krc = sg17_v_range(v, k->type, k->range, s->config[i].value, val, path);
        if (krc == 0)
            krc = sg17_v_choice(v, sg17_module_choices(v->mod, NULL, k->name), s->config[i].value,
                                val, path);
        if (krc < 0)
            rc = -1;
    }
    free(names);
    return rc;
}

static int read_network(sg17_validator_t *v, const sg17_yaml_node_t *root)
{
    static const char *const keys[] = {"latency", "jitter", "loss", "links"};
    static const char *const link_keys[] = {"from", "to", "latency", "jitter", "loss"};
    sg17_scenario_t *s = v->s;
    s->latency = 5 * SG17_MSEC;
    const sg17_yaml_node_t *net = sg17_yaml_get(root, "network");
    if (!net || sg17_v_is_null(net))
        return 0;
    if (net->kind != SG17_YAML_MAP)
        return sg17_v_fail(v, net, "network", "a mapping with latency, jitter, loss, links", NULL,
                           "found %s", sg17_yaml_kind_name(net->kind));
    if (known_keys(v, net, "network", keys, 4, "one of latency, jitter, loss, links") < 0)
        return -1;
    const sg17_yaml_node_t *n;
    if ((n = sg17_yaml_get(net, "latency"))
        && read_duration(v, n, "network.latency", &s->latency) < 0)
        return -1;
    if (n && s->latency < 1)
        return sg17_v_fail(v, n, "network.latency", "a duration of at least 1us", NULL,
                           "the latency is 0");
    if ((n = sg17_yaml_get(net, "jitter")) && read_duration(v, n, "network.jitter", &s->jitter) < 0)
        return -1;
    if ((n = sg17_yaml_get(net, "loss")) && read_loss(v, n, "network.loss", &s->loss) < 0)
        return -1;
    const sg17_yaml_node_t *links = sg17_yaml_get(net, "links");
    if (!links || sg17_v_is_null(links))
        return 0;
    if (links->kind != SG17_YAML_SEQ)
        return sg17_v_fail(v, links, "network.links", "a list of {from, to, latency, ...}", NULL,
                           "found %s", sg17_yaml_kind_name(links->kind));
    if (links->n && !(s->links = calloc(links->n, sizeof *s->links)))
        return oom(v);
    for (size_t i = 0; i < links->n; i++) {
        const sg17_yaml_node_t *l = links->items[i];
        char path[SG17_PATH_MAX];
        sg17_v_path(path, sizeof path, "network.links[%zu]", i);
        if (l->kind != SG17_YAML_MAP)
            return sg17_v_fail(v, l, path, "a mapping {from, to, latency, jitter, loss}", NULL,
                               "found %s", sg17_yaml_kind_name(l->kind));
        if (known_keys(v, l, path, link_keys, 5, "one of from, to, latency, jitter, loss") < 0)
            return -1;
        sg17_link_t *link = &s->links[s->n_links++];
        link->latency = s->latency;
        link->jitter = s->jitter;
        link->loss = s->loss;
        for (int end = 0; end < 2; end++) {
            const char *key = end ? "to" : "from";
            char epath[SG17_PATH_MAX + 8];
            sg17_v_path(epath, sizeof epath, "%s.%s", path, key);
            const sg17_yaml_node_t *e = sg17_yaml_get(l, key);
            if (!e)
                return sg17_v_fail(v, l, epath, "an entity kind or \"*\"", NULL,
                                   "required key is missing");
            char **dst = end ? &link->to : &link->from;
            if (text_value(v, e, epath, dst) < 0)
                return -1;
            bool ok = !strcmp(*dst, "*");
            /* lint: a proven false positive below. n_topology counts only the entries whose
             * kind read_topology has set, so kind is never NULL (the analyzer cannot see that
             * from here). */
            for (size_t k = 0; k < s->n_topology && !ok; k++)
                /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
                ok = !strcmp(*dst, s->topology[k].kind);
            if (!ok) {
                size_t nk;
                const char **kinds =
                    sg17_table_names(v->mod->entity_kinds, sizeof *v->mod->entity_kinds, &nk);
                int rc = sg17_v_fail(v, e, epath, "an entity kind of the module or \"*\"",
                                     kinds ? sg17_nearest(*dst, kinds, nk) : NULL,
                                     "unknown entity kind '%.100s'", *dst);
                free(kinds);
                return rc;
            }
        }
        char fpath[SG17_PATH_MAX + 16];
        sg17_v_path(fpath, sizeof fpath, "%s.latency", path);
        if ((n = sg17_yaml_get(l, "latency")) && read_duration(v, n, fpath, &link->latency) < 0)
            return -1;
        if (n && link->latency < 1)
            return sg17_v_fail(v, n, fpath, "a duration of at least 1us", NULL, "the latency is 0");
        sg17_v_path(fpath, sizeof fpath, "%s.jitter", path);
        if ((n = sg17_yaml_get(l, "jitter")) && read_duration(v, n, fpath, &link->jitter) < 0)
            return -1;
        sg17_v_path(fpath, sizeof fpath, "%s.loss", path);
        if ((n = sg17_yaml_get(l, "loss")) && read_loss(v, n, fpath, &link->loss) < 0)
            return -1;
    }
    return 0;
}

static int read_adversary(sg17_validator_t *v, const sg17_yaml_node_t *root)
{
    static const char *const keys[] = {"capabilities"};
    const sg17_yaml_node_t *adv = sg17_yaml_get(root, "adversary");
    if (!adv || sg17_v_is_null(adv))
        return 0;
    if (adv->kind != SG17_YAML_MAP)
        return sg17_v_fail(v, adv, "adversary", "a mapping {capabilities: [...]}", NULL, "found %s",
                           sg17_yaml_kind_name(adv->kind));
    int keys_rc = known_keys(v, adv, "adversary", keys, 1, "capabilities");
    const sg17_yaml_node_t *caps = sg17_yaml_get(adv, "capabilities");
    if (!caps)
        return keys_rc;
    size_t n_att = 0;
    while (v->mod->attacks && v->mod->attacks[n_att].name)
        n_att++;
    const char **known = calloc(SG17_ACTION_MODULE + n_att + 1, sizeof *known);
    if (!known)
        return oom(v);
    size_t n = 0;
    for (size_t i = 0; i < SG17_ACTION_MODULE; i++)
        known[n++] = sg17_core_actions[i];
    for (size_t i = 0; i < n_att; i++) {
        const char *cap =
            v->mod->attacks[i].capability ? v->mod->attacks[i].capability : v->mod->attacks[i].name;
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = !strcmp(known[j], cap);
        if (!dup)
            known[n++] = cap;
    }
    int rc = name_list(v, caps, "adversary.capabilities", false, known, n,
                       "a core action or a capability of the module's attacks", &v->s->capabilities,
                       &v->s->n_capabilities);
    free(known);
    return rc < 0 ? rc : keys_rc;
}

static int read_conditions(sg17_validator_t *v, const sg17_yaml_node_t *root, const char *key,
                           bool required, sg17_condition_t **out, size_t *n_out)
{
    const sg17_yaml_node_t *list =
        required ? require(v, root, key, "a list of conditions") : sg17_yaml_get(root, key);
    if (!list)
        return required ? -1 : 0;
    if (list->kind != SG17_YAML_SEQ)
        return sg17_v_fail(v, list, key,
                           "a list of conditions such as 'ledger.accepted.replayed > 0'", NULL,
                           "found %s", sg17_yaml_kind_name(list->kind));
    if (required && !list->n)
        return sg17_v_fail(v, list, key, "at least one condition", NULL, "the list is empty");
    if (list->n && !(*out = calloc(list->n, sizeof **out)))
        return oom(v);
    int rc = 0;
    for (size_t i = 0; i < list->n; i++) { /* every condition: one error does not hide the next */
        const sg17_yaml_node_t *n = list->items[i];
        char path[64];
        sg17_v_path(path, sizeof path, "%s[%zu]", key, i);
        sg17_condition_t *c = &(*out)[(*n_out)++];
        c->line = n->line;
        c->col = n->col;
        if (text_value(v, n, path, &c->text) < 0) {
            rc = -1;
            continue;
        }
        size_t off = 0;
        sg17_err_t eerr;
        c->expr = sg17_expr_parse(c->text, &off, &eerr);
        if (!c->expr) {
            /* the expression's message starts "column N: "; the file position replaces it */
            const char *msg = strstr(eerr.msg, ": ");
            msg = msg ? msg + 2 : eerr.msg;
            const char *semi = strstr(msg, "; expected ");
            sg17_yaml_node_t at = *n;
            at.col += (int)off + (n->quoted ? 1 : 0);
            if (semi)
                rc = sg17_v_fail(v, &at, path, semi + 11, NULL, "%.*s", (int)(semi - msg), msg);
            else
                rc = sg17_v_fail(v, &at, path, "a condition", NULL, "%s", msg);
            continue;
        }
        if (sg17_v_condition_metrics(v, n, path, c->expr) < 0)
            rc = -1;
    }
    return rc;
}

static int read_expect(sg17_validator_t *v, const sg17_yaml_node_t *root)
{
    static const char *const verdicts[] = {"holds", "fails", "degraded", "vacuous"};
    static const char *const keys[] = {"verdict", "reason"};
    const char *expected = "holds, fails, degraded or vacuous";
    const sg17_yaml_node_t *e = sg17_yaml_get(root, "expect"), *verdict = e, *reason = NULL;
    if (!e) {
        v->s->expect = strdup("holds");
        return v->s->expect ? 0 : oom(v);
    }
    if (e->kind == SG17_YAML_MAP) {
        if (known_keys(v, e, "expect", keys, 2, "verdict or reason") < 0)
            return -1;
        verdict = sg17_yaml_get(e, "verdict");
        reason = sg17_yaml_get(e, "reason");
        if (!verdict)
            return sg17_v_fail(v, e, "expect.verdict", expected, NULL, "required key is missing");
    } else if (e->kind != SG17_YAML_SCALAR) {
        return sg17_v_fail(v, e, "expect", "a verdict or {verdict: ..., reason: ...}", NULL,
                           "found %s", sg17_yaml_kind_name(e->kind));
    }
    const char *vpath = e->kind == SG17_YAML_MAP ? "expect.verdict" : "expect";
    if (text_value(v, verdict, vpath, &v->s->expect) < 0)
        return -1;
    bool ok = false;
    for (size_t i = 0; i < 4 && !ok; i++)
        ok = !strcmp(verdicts[i], v->s->expect);
    if (!ok)
        return sg17_v_fail(v, verdict, vpath, expected, sg17_nearest(v->s->expect, verdicts, 4),
                           "unknown verdict '%.100s'", v->s->expect);
    if (reason && text_value(v, reason, "expect.reason", &v->s->expect_reason) < 0)
        return -1;
    if (!reason && strcmp(v->s->expect, "holds"))
        return sg17_v_fail(v, e, "expect.reason", "{verdict: ..., reason: \"why\"}", NULL,
                           "a '%s' expectation needs a reason", v->s->expect);
    return 0;
}

/* Validates one point (the tree already substituted) into v->s. Goes on after an error, so that
 * one pass finds every error of the file: each part is checked unless a part it depends on has
 * an error (the module's keys need the module; the network and the actions need the topology;
 * the actions need the duration and the capabilities; the conditions need the topology), so
 * that one mistake is reported once, not again as the consequences it has on later keys. */
static int validate_point(sg17_validator_t *v, const sg17_registry_t *reg,
                          const sg17_yaml_node_t *root)
{
    sg17_scenario_t *s = v->s;
    if (root->kind != SG17_YAML_MAP)
        return sg17_v_fail(v, root, "(top level)", "a mapping with id, title, module, ...", NULL,
                           "found %s", sg17_yaml_kind_name(root->kind));
    int rc =
        known_keys(v, root, "", top_keys, N_TOP_KEYS, "a scenario key (see docs/scenarios.md)");
    bool module_ok = read_module(v, reg, root) == 0;
    if (read_id(v, root, module_ok) < 0)
        rc = -1;
    if (module_ok) {
        sg17_err_t cat_err = {{0}};
        v->cat = reg->catalogue ? reg->catalogue(reg->arg, s->module, &cat_err) : NULL;
        if (!v->cat && cat_err.msg[0]) /* a broken catalogue must not turn the id checks off */
            module_ok =
                sg17_v_fail(v, sg17_yaml_get(root, "module"), "module",
                            "a module whose requirement catalogue loads", NULL, "%s", cat_err.msg)
                == 0;
    }
    if (!module_ok)
        rc = -1;
    const sg17_yaml_node_t *n = require(v, root, "title", "a one-line title");
    if (!n || text_value(v, n, "title", &s->title) < 0)
        rc = -1;
    if ((n = sg17_yaml_get(root, "description")) && !sg17_v_is_null(n)
        && sg17_v_value(v, SG17_TYPE_STRING, n, "description", &s->description) < 0)
        rc = -1;
    if (module_ok && read_catalogue_refs(v, root) < 0)
        rc = -1;
    s->seed = 1;
    if ((n = sg17_yaml_get(root, "seed"))) {
        char *t;
        if (sg17_v_value(v, SG17_TYPE_INT, n, "seed", &t) < 0) {
            rc = -1;
        } else {
            long long seed = strtoll(t, NULL, 10);
            free(t);
            if (seed < 0)
                rc = sg17_v_fail(v, n, "seed", "an integer >= 0", NULL, "the seed is negative");
            else
                s->seed = (uint64_t)seed;
        }
    }
    bool duration_ok = (n = require(v, root, "duration", "a duration such as 6h"))
                       && read_duration(v, n, "duration", &s->duration) == 0;
    if (duration_ok && (s->duration == 0 || s->duration > MAX_DURATION))
        duration_ok = sg17_v_fail(v, n, "duration", "a duration above 0 and at most 30d", NULL,
                                  "'%.100s' is out of range", n->scalar)
                      == 0;
    if (!duration_ok)
        rc = -1;
    if ((n = sg17_yaml_get(root, "repeat"))) {
        char *t;
        if (sg17_v_value(v, SG17_TYPE_INT, n, "repeat", &t) < 0) {
            rc = -1;
        } else {
            long long k = strtoll(t, NULL, 10);
            free(t);
            if (k < 1 || k > SG17_MAX_REPEAT)
                rc = sg17_v_fail(v, n, "repeat", "a whole number from 1 to 1000", NULL,
                                 "%lld is out of range", k);
            else
                s->repeat = (unsigned)k;
        }
    }
    s->timeout_s = 120;
    if ((n = sg17_yaml_get(root, "timeout"))) {
        sg17_time_t t;
        if (read_duration(v, n, "timeout", &t) < 0)
            rc = -1;
        else if (t == 0 || t > 24 * SG17_HOUR)
            rc = sg17_v_fail(v, n, "timeout", "a wall-clock duration above 0 and at most 24h", NULL,
                             t ? "'%.100s' is out of range" : "the timeout is 0", n->scalar);
        else
            s->timeout_s = (double)t / 1e6;
    }
    const sg17_yaml_node_t *actions = sg17_yaml_get(root, "actions");
    bool actions_ok = false;
    if (module_ok) {
        bool topology_ok = read_topology(v, root) == 0;
        if (read_config(v, root) < 0)
            rc = -1;
        if (!topology_ok || read_network(v, root) < 0)
            rc = -1;
        size_t n_mit;
        const char **mits =
            sg17_table_names(v->mod->mitigations, sizeof *v->mod->mitigations, &n_mit);
        if (!mits)
            return oom(v);
        n = require(v, root, "mitigations", "a list of mitigation names (may be [])");
        if (!n
            || name_list(v, n, "mitigations", false, mits, n_mit, "a mitigation of the module",
                         &s->mitigations, &s->n_mitigations)
                   < 0)
            rc = -1;
        free(mits);
        bool adversary_ok = read_adversary(v, root) == 0;
        if (!adversary_ok)
            rc = -1;
        if (topology_ok && duration_ok && adversary_ok) {
            actions_ok = sg17_v_actions(v, actions) == 0;
            if (!actions_ok)
                rc = -1;
        }
        if (!topology_ok
            || read_conditions(v, root, "success", true, &s->success, &s->n_success) < 0)
            rc = -1;
        if (topology_ok
            && (read_conditions(v, root, "service", false, &s->service, &s->n_service) < 0
                || read_conditions(v, root, "detection", false, &s->detection, &s->n_detection)
                       < 0))
            rc = -1;
    }
    if (read_expect(v, root) < 0)
        rc = -1;
    /* without an attack, baseline and protected differ only in the mitigations: a verdict would
     * measure their side effects, not what they stop */
    if (actions_ok && s->n_actions == 0)
        return sg17_v_fail(v, actions ? actions : root, "actions",
                           "at least one adversary action: a core network action (observe, "
                           "capture, drop, delay, replay, inject, modify, flood), a compromise or "
                           "an attack of the module",
                           NULL, "the scenario has no adversary action");
    return rc;
}

static void scenario_clear(sg17_scenario_t *s)
{
    free(s->file);
    free(s->id);
    free(s->base_id);
    free(s->title);
    free(s->description);
    free(s->module);
    for (size_t i = 0; i < s->n_requirements; i++)
        free(s->requirements[i]);
    free(s->requirements);
    for (size_t i = 0; i < s->n_threats; i++)
        free(s->threats[i]);
    free(s->threats);
    for (size_t i = 0; i < s->n_topology; i++)
        free(s->topology[i].kind);
    free(s->topology);
    for (size_t i = 0; i < s->n_config; i++) {
        free(s->config[i].key);
        free(s->config[i].value);
    }
    free(s->config);
    for (size_t i = 0; i < s->n_mitigations; i++)
        free(s->mitigations[i]);
    free(s->mitigations);
    for (size_t i = 0; i < s->n_capabilities; i++)
        free(s->capabilities[i]);
    free(s->capabilities);
    for (size_t i = 0; i < s->n_actions; i++) {
        for (size_t j = 0; j < s->actions[i].n_params; j++) {
            free(s->actions[i].params[j].key);
            free(s->actions[i].params[j].value);
        }
        free(s->actions[i].params);
        free(s->actions[i].name);
    }
    free(s->actions);
    sg17_condition_t *lists[] = {s->success, s->service, s->detection};
    size_t counts[] = {s->n_success, s->n_service, s->n_detection};
    for (size_t l = 0; l < 3; l++) {
        for (size_t i = 0; i < counts[l]; i++) {
            free(lists[l][i].text);
            sg17_expr_destroy(&lists[l][i].expr);
        }
        free(lists[l]);
    }
    free(s->expect);
    free(s->expect_reason);
    for (size_t i = 0; i < s->n_links; i++) {
        free(s->links[i].from);
        free(s->links[i].to);
    }
    free(s->links);
    for (size_t i = 0; i < s->n_matrix_point; i++) {
        free(s->matrix_point[i].key);
        free(s->matrix_point[i].value);
    }
    free(s->matrix_point);
    free(s->matrix_x);
    memset(s, 0, sizeof *s);
}

void sg17_scenarios_free(sg17_scenario_t *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        scenario_clear(&list[i]);
    free(list);
}

static size_t count_nodes(const sg17_yaml_node_t *n)
{
    size_t total = 1;
    for (size_t i = 0; i < n->n; i++)
        total += count_nodes(n->items[i]) + (n->keys ? 1 : 0);
    return total;
}

/* The point's id "<base>[a=1,b=x]" and its parameter values. */
static int point_identity(sg17_validator_t *v, const sg17_yaml_node_t *matrix, size_t point)
{
    sg17_scenario_t *s = v->s;
    if (!matrix)
        return (s->id = strdup(s->base_id)) ? 0 : oom(v);
    size_t len = strlen(s->base_id) + 3;
    if (!(s->matrix_point = calloc(matrix->n, sizeof *s->matrix_point))
        || !(s->matrix_x = strdup(matrix->keys[0]->scalar)))
        return oom(v);
    for (size_t i = 0; i < matrix->n; i++) {
        const sg17_yaml_node_t *val = sg17_matrix_value(matrix, i, point);
        s->matrix_point[i].key = strdup(matrix->keys[i]->scalar);
        s->matrix_point[i].value = strdup(val->scalar);
        s->n_matrix_point++;
        if (!s->matrix_point[i].key || !s->matrix_point[i].value)
            return oom(v);
        len += strlen(matrix->keys[i]->scalar) + strlen(val->scalar) + 2;
    }
    if (!(s->id = malloc(len)))
        return oom(v);
    size_t used = (size_t)snprintf(s->id, len, "%s[", s->base_id);
    for (size_t i = 0; i < s->n_matrix_point; i++)
        used += (size_t)snprintf(s->id + used, len - used, "%s%s=%s", i ? "," : "",
                                 s->matrix_point[i].key, s->matrix_point[i].value);
    snprintf(s->id + used, len - used, "]");
    return 0;
}

/* (line, col) order of diagnostics; the index keeps equal positions in the order found. */
static int diag_cmp(const void *a, const void *b)
{
    const struct sg17_v_diag *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->text < y->text ? -1 : x->text > y->text; /* stable enough: distinct messages */
}

/* Every diagnostic of v in file order: as many as fit into err, all of them into *all. */
static void diags_report(sg17_validator_t *v, sg17_err_t *err, char **all)
{
    qsort(v->diags, v->n_diags, sizeof *v->diags, diag_cmp);
    size_t total = 1;
    for (size_t i = 0; i < v->n_diags; i++)
        total += strlen(v->diags[i].text) + 1;
    if (all && (*all = malloc(total))) {
        size_t used = 0;
        for (size_t i = 0; i < v->n_diags; i++)
            used += (size_t)snprintf(*all + used, total - used, "%s%s", i ? "\n" : "",
                                     v->diags[i].text);
    }
    if (!err)
        return;
    size_t used = 0, i = 0;
    err->msg[0] = '\0';
    for (; i < v->n_diags; i++) {
        size_t len = strlen(v->diags[i].text) + (i ? 1 : 0);
        if (used + len + 40 >= sizeof err->msg)
            break;
        used += (size_t)snprintf(err->msg + used, sizeof err->msg - used, "%s%s", i ? "\n" : "",
                                 v->diags[i].text);
    }
    if (i < v->n_diags)
        snprintf(err->msg + used, sizeof err->msg - used, "\n(%zu more errors)", v->n_diags - i);
}

static int scenario_parse(const char *data, size_t len, const char *name,
                          const sg17_registry_t *reg, sg17_scenario_t **out, size_t *n,
                          sg17_err_t *err, char **all)
{
    if (!name)
        name = "<scenario>";
    if (out)
        *out = NULL;
    if (n)
        *n = 0;
    if (all)
        *all = NULL;
    if (!reg || !out || !n)
        return sg17_err(err, "%s: no module registry", name);
    sg17_yaml_node_t *root = sg17_yaml_parse(data, len, name, err);
    if (!root) {
        if (all && err)
            *all = strdup(err->msg);
        return -1;
    }
    sg17_validator_t v = {.file = name, .err = err};
    const sg17_yaml_node_t *matrix =
        root->kind == SG17_YAML_MAP ? sg17_yaml_get(root, "matrix") : NULL;
    size_t points = 1;
    sg17_scenario_t *list = NULL;
    size_t done = 0;
    int rc = sg17_matrix_points(&v, matrix, count_nodes(root), &points);
    if (rc == 0 && !(list = calloc(points, sizeof *list)))
        rc = oom(&v);
    bool invalid = false; /* some point has errors: the others are still checked */
    for (size_t p = 0; rc == 0 && p < points; p++) {
        sg17_yaml_node_t *doc = sg17_matrix_substitute(&v, root, matrix, p);
        if (!doc) {
            rc = -1;
            break;
        }
        v.s = &list[p];
        v.mod = NULL;
        v.cat = NULL;
        done++;
        if (validate_point(&v, reg, doc) < 0)
            invalid = true;
        if (!invalid && !(list[p].file = strdup(name)))
            rc = oom(&v);
        if (rc == 0 && !invalid)
            rc = point_identity(&v, matrix, p);
        sg17_v_release(&v);
        sg17_yaml_destroy(&doc);
    }
    sg17_yaml_destroy(&root);
    if (invalid && rc == 0)
        rc = -1;
    if (rc < 0 && v.n_diags > 0)
        diags_report(&v, err, all);
    else if (rc < 0 && all && err)
        *all = strdup(err->msg);
    sg17_v_diags_free(&v);
    if (rc < 0) {
        sg17_scenarios_free(list, done);
        return -1;
    }
    *out = list;
    *n = points;
    return 0;
}

int sg17_scenario_parse(const char *data, size_t len, const char *name, const sg17_registry_t *reg,
                        sg17_scenario_t **out, size_t *n, sg17_err_t *err)
{
    return scenario_parse(data, len, name, reg, out, n, err, NULL);
}

int sg17_scenario_load_all(const char *path, const sg17_registry_t *reg, sg17_scenario_t **out,
                           size_t *n, sg17_err_t *err, char **errors)
{
    if (out)
        *out = NULL;
    if (n)
        *n = 0;
    if (errors)
        *errors = NULL;
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) {
        sg17_err(err, "%s: cannot open: %s", path ? path : "(null)", strerror(errno));
        if (errors && err)
            *errors = strdup(err->msg);
        return -1;
    }
    /* read at most one byte past the limit: sg17_yaml_parse refuses an oversized document */
    size_t cap = SG17_YAML_MAX_BYTES + 1;
    char *buf = malloc(cap);
    size_t len = buf ? fread(buf, 1, cap, f) : 0;
    bool failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        sg17_err(err, "%s: %s", path, buf ? "read error" : "out of memory");
        free(buf);
        if (errors && err)
            *errors = strdup(err->msg);
        return -1;
    }
    int rc = scenario_parse(buf, len, path, reg, out, n, err, errors);
    free(buf);
    return rc;
}

int sg17_scenario_load(const char *path, const sg17_registry_t *reg, sg17_scenario_t **out,
                       size_t *n, sg17_err_t *err)
{
    return sg17_scenario_load_all(path, reg, out, n, err, NULL);
}

const char *sg17_scenario_config(const sg17_scenario_t *s, const char *key)
{
    if (!s || !key)
        return NULL;
    for (size_t i = 0; i < s->n_config; i++)
        if (!strcmp(s->config[i].key, key))
            return s->config[i].value;
    return NULL;
}
