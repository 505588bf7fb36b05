/* scenario_actions.c — the `actions:` list of a scenario: core network actions and module attack
 * primitives, their parameters (flattened, typed, normalised), capabilities and capture names. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/validate.h"
#include "util/text.h"

const char *const sg17_core_actions[SG17_ACTION_MODULE] = {
    "observe", "capture", "drop", "delay", "replay", "inject", "modify", "flood", "compromise",
};

#define MATCH_PARAMS                                                                          \
    {"match.src", SG17_TYPE_STRING, false, "glob over source entity names", {0, 0}},          \
        {"match.dst", SG17_TYPE_STRING, false, "glob over destination entity names", {0, 0}}, \
        {"match.type", SG17_TYPE_STRING, false, "glob over message types", {0, 0}},           \
        {"count", SG17_TYPE_COUNT, false, "act on at most this many messages", {0, 0}},       \
    {                                                                                         \
        "for", SG17_TYPE_DURATION, false, "act for this long",                                \
        {                                                                                     \
            0, 0                                                                              \
        }                                                                                     \
    }

static const sg17_param_t observe_params[] = {MATCH_PARAMS, {NULL, 0, false, NULL, {0, 0}}};
static const sg17_param_t capture_params[] = {
    MATCH_PARAMS,
    {"as", SG17_TYPE_STRING, true, "name of the capture", {0, 0}},
    {NULL, 0, false, NULL, {0, 0}}};
static const sg17_param_t drop_params[] = {
    MATCH_PARAMS,
    {"probability", SG17_TYPE_NUMBER, false, "in [0,1]", {0, 0}},
    {NULL, 0, false, NULL, {0, 0}}};
static const sg17_param_t delay_params[] = {MATCH_PARAMS,
                                            {"by", SG17_TYPE_DURATION, true, "extra delay", {0, 0}},
                                            {NULL, 0, false, NULL, {0, 0}}};
static const sg17_param_t replay_params[] = {
    {"capture", SG17_TYPE_STRING, true, "the `as` of a capture", {0, 0}},
    {"after", SG17_TYPE_DURATION, false, "wait before replaying", {0, 0}},
    {"dst", SG17_TYPE_ENTITY, false, "replay to this entity", {0, 0}},
    {"to",
     SG17_TYPE_STRING,
     false,
     "replay as one multicast to every entity matching this glob",
     {0, 0}},
    {"count", SG17_TYPE_COUNT, false, "replay at most this many", {0, 0}},
    {NULL, 0, false, NULL, {0, 0}}};
static const sg17_param_t inject_params[] = {
    {"src", SG17_TYPE_ENTITY, false, "claimed source", {0, 0}},
    {"dst", SG17_TYPE_ENTITY, false, "destination (or to)", {0, 0}},
    {"to",
     SG17_TYPE_STRING,
     false,
     "one multicast to every entity matching this glob (or dst)",
     {0, 0}},
    {"type", SG17_TYPE_STRING, true, "message type", {0, 0}},
    {"payload", SG17_TYPE_HEX, false, "raw payload", {0, 0}},
    {NULL, 0, false, NULL, {0, 0}}};
static const sg17_param_t modify_params[] = {
    MATCH_PARAMS,
    {"offset", SG17_TYPE_COUNT, false, "byte offset", {0, 0}},
    {"xor", SG17_TYPE_HEX, false, "bytes xored at offset", {0, 0}},
    {"set", SG17_TYPE_HEX, false, "bytes written at offset", {0, 0}},
    {NULL, 0, false, NULL, {0, 0}}};
static const sg17_param_t flood_params[] = {
    {"src", SG17_TYPE_ENTITY, false, "claimed source", {0, 0}},
    {"dst", SG17_TYPE_ENTITY, true, "destination", {0, 0}},
    {"type", SG17_TYPE_STRING, true, "message type", {0, 0}},
    {"payload", SG17_TYPE_HEX, false, "raw payload", {0, 0}},
    {"rate", SG17_TYPE_NUMBER, false, "messages per second", {0, 0}},
    {"for", SG17_TYPE_DURATION, true, "how long", {0, 0}},
    {NULL, 0, false, NULL, {0, 0}}};
static const sg17_param_t compromise_params[] = {
    {"entity", SG17_TYPE_ENTITY, true, "the entity handed to the adversary", {0, 0}},
    {NULL, 0, false, NULL, {0, 0}}};

static const sg17_param_t *const core_params[SG17_ACTION_MODULE] = {
    observe_params, capture_params, drop_params,  delay_params,      replay_params,
    inject_params,  modify_params,  flood_params, compromise_params,
};

/* One flattened parameter: "match.type" and the nodes of its last key and its value. */
typedef struct {
    char *key;
    const sg17_yaml_node_t *key_node, *value;
} flat_t;

typedef struct {
    flat_t *items;
    size_t n, cap;
} flat_list_t;

static void flat_free(flat_list_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].key);
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

/* Flattens nested mappings into dotted keys; lists are refused. Recursion follows the YAML
 * nesting, which yaml.c bounds. */
static int flatten(sg17_validator_t *v, const sg17_yaml_node_t *map, const char *prefix,
                   const char *path, flat_list_t *out)
{
    for (size_t i = 0; i < map->n; i++) {
        const sg17_yaml_node_t *k = map->keys[i], *val = map->items[i];
        size_t len = strlen(prefix) + strlen(k->scalar) + 2;
        char *key = malloc(len);
        if (!key)
            return sg17_err(v->err, "%s: out of memory", v->file);
        snprintf(key, len, "%s%s%s", prefix, *prefix ? "." : "", k->scalar);
        char kpath[SG17_PATH_MAX];
        sg17_v_path(kpath, sizeof kpath, "%s.%.100s", path, key);
        int rc = 0;
        if (val->kind == SG17_YAML_MAP) {
            rc = flatten(v, val, key, path, out);
        } else if (val->kind == SG17_YAML_SEQ) {
            rc = sg17_v_fail(v, val, kpath, "a single value or a mapping", NULL,
                             "lists are not allowed as parameter values");
        } else {
            for (size_t j = 0; j < out->n && rc == 0; j++)
                if (!strcmp(out->items[j].key, key))
                    rc = sg17_v_fail(v, k, kpath, "each parameter once", NULL,
                                     "parameter '%.100s' is given twice", key);
            if (rc == 0 && out->n == out->cap) {
                size_t cap = out->cap ? 2 * out->cap : 8;
                flat_t *bigger = realloc(out->items, cap * sizeof *bigger);
                if (!bigger)
                    rc = sg17_err(v->err, "%s: out of memory", v->file);
                else {
                    out->items = bigger;
                    out->cap = cap;
                }
            }
            if (rc == 0) {
                out->items[out->n++] = (flat_t){key, k, val};
                key = NULL;
            }
        }
        free(key);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static const sg17_param_t *param_spec(const sg17_param_t *specs, const char *key)
{
    for (size_t i = 0; specs && specs[i].name; i++)
        if (!strcmp(specs[i].name, key))
            return &specs[i];
    return NULL;
}

static bool granted(const sg17_scenario_t *s, const char *cap)
{
    for (size_t i = 0; i < s->n_capabilities; i++)
        if (!strcmp(s->capabilities[i], cap))
            return true;
    return false;
}

/* Whether glob matches the name of an entity of the scenario's topology ("kind-N"). */
static bool entities_match(const sg17_scenario_t *s, const char *glob)
{
    char name[160];
    for (size_t i = 0; i < s->n_topology; i++)
        for (unsigned j = 0; j < s->topology[i].count; j++) {
            snprintf(name, sizeof name, "%s-%u", s->topology[i].kind, j);
            if (sg17_glob(glob, name))
                return true;
        }
    return false;
}

/* The accepted values of the core actions' numeric parameters. A parameter has one description,
 * the same in every action and in every message about it (not a number, too small, too large). */
typedef struct {
    const char *key;
    double min, max;
    bool above_min; /* min itself is refused */
    const char *accepted;
} core_bound_t;

static const core_bound_t core_bounds[] = {
    {"count", 1, (double)SG17_ACTION_MAX_COUNT, false, "a whole number from 1 to 1000000"},
    {"offset", 0, (double)SG17_MODIFY_MAX_OFFSET, false, "a byte offset from 0 to 65535"},
    {"probability", 0, 1, false, "a number from 0 to 1"},
    {"rate", 0, SG17_FLOOD_MAX_RATE, true,
     "a number of messages per second above 0, at most 1000000 (one per microsecond)"},
};

/* The bounds of a core action parameter, or NULL when its type says all. */
static const core_bound_t *core_bound(const char *key)
{
    for (size_t i = 0; i < sizeof core_bounds / sizeof core_bounds[0]; i++)
        if (!strcmp(core_bounds[i].key, key))
            return &core_bounds[i];
    return NULL;
}

/* Range and membership rules of core action parameters beyond their type. */
static int core_param_rules(sg17_validator_t *v, sg17_action_kind_t kind, const flat_t *f,
                            const char *value, const char *path)
{
    const char *k = f->key;
    const core_bound_t *b = core_bound(k);
    double x = strtod(value, NULL);
    if (b && (x < b->min || (b->above_min && x <= b->min) || x > b->max))
        return sg17_v_fail(v, f->value, path, b->accepted, NULL, "%.100s is out of range",
                           f->value->scalar);
    const char *const *types = v->mod->message_types;
    size_t n_types = 0;
    while (types && types[n_types])
        n_types++;
    if (!strcmp(k, "type") && (kind == SG17_ACTION_INJECT || kind == SG17_ACTION_FLOOD)) {
        for (size_t i = 0; i < n_types; i++)
            if (!strcmp(types[i], value))
                return 0;
        return sg17_v_fail(v, f->value, path, "a message type of the module",
                           sg17_nearest(value, types, n_types),
                           "'%.100s' is not a message type of module %s", value, v->mod->name);
    }
    if (!strcmp(k, "to") && !entities_match(v->s, value))
        return sg17_v_fail(v, f->value, path, "a glob matching an entity of the topology", NULL,
                           "'%.100s' matches no entity", value);
    if (!strcmp(k, "match.type")) {
        for (size_t i = 0; i < n_types; i++)
            if (sg17_glob(value, types[i]))
                return 0;
        return sg17_v_fail(v, f->value, path, "a glob matching a message type of the module",
                           sg17_nearest(value, types, n_types),
                           "'%.100s' matches no message type of module %s", value, v->mod->name);
    }
    return 0;
}

/* The declared maxima of core action spans (scenario.h; counts, offsets and rates are in
 * core_bounds): what one action may cost. */
static int core_param_bounds(sg17_validator_t *v, const flat_t *f, const char *value,
                             const char *path)
{
    const char *k = f->key;
    if ((!strcmp(k, "for") || !strcmp(k, "by") || !strcmp(k, "after"))
        && strtoull(value, NULL, 10) > SG17_ACTION_MAX_SPAN)
        return sg17_v_fail(v, f->value, path, "a duration of at most 30d", NULL,
                           "'%.100s' is out of range", f->value->scalar);
    return 0;
}

/* A flood sends rate x (the part of `for` inside the run) messages: at most
 * SG17_ACTION_MAX_EVENTS, so that `flood: {rate: 1e6, for: 1h}` is refused before it runs. */
static int flood_budget(sg17_validator_t *v, const sg17_action_t *a,
                        const sg17_yaml_node_t *rate_node, const sg17_yaml_node_t *key,
                        const char *apath)
{
    const char *rate = sg17_action_param(a, "rate"), *dur = sg17_action_param(a, "for");
    double per_s = rate ? strtod(rate, NULL) : 100.0;
    sg17_time_t span = dur ? strtoull(dur, NULL, 10) : 0;
    if (span > v->s->duration - a->at)
        span = v->s->duration - a->at;
    double messages = per_s * (double)span / 1e6;
    if (messages <= (double)SG17_ACTION_MAX_EVENTS)
        return 0;
    char path[SG17_PATH_MAX];
    sg17_v_path(path, sizeof path, "%s.%s", apath, rate_node ? "rate" : "for");
    return sg17_v_fail(v, rate_node ? rate_node : key, path,
                       "at most 10000000 messages per flood (rate x for, within the run)", NULL,
                       "this flood would send %.0f messages", messages);
}

/* Reads the parameters of one action into a->params. */
static int action_params(sg17_validator_t *v, sg17_action_t *a, const sg17_param_t *specs,
                         const sg17_yaml_node_t *key, const sg17_yaml_node_t *val,
                         const char *apath)
{
    flat_list_t flat = {0};
    const sg17_yaml_node_t *rate_node = NULL;
    int rc = 0;
    if (val->kind == SG17_YAML_MAP)
        rc = flatten(v, val, "", apath, &flat);
    else if (val->kind != SG17_YAML_SCALAR || !sg17_v_is_null(val))
        rc = sg17_v_fail(v, val, apath, "a mapping of parameters (or nothing)", NULL, "found %s",
                         val->kind == SG17_YAML_SCALAR ? "a single value"
                                                       : sg17_yaml_kind_name(val->kind));
    if (rc == 0 && flat.n) {
        a->params = calloc(flat.n, sizeof *a->params);
        if (!a->params)
            rc = sg17_err(v->err, "%s: out of memory", v->file);
    }
    for (size_t i = 0; rc == 0 && i < flat.n; i++) {
        const flat_t *f = &flat.items[i];
        char path[SG17_PATH_MAX];
        sg17_v_path(path, sizeof path, "%s.%.100s", apath, f->key);
        const sg17_param_t *spec = param_spec(specs, f->key);
        if (!spec) {
            size_t n;
            const char **names = sg17_table_names(specs, sizeof *specs, &n);
            char expected[512] = "no parameters";
            size_t used = 0;
            for (size_t j = 0; j < n && used < sizeof expected - 110; j++)
                used += (size_t)snprintf(expected + used, sizeof expected - used, "%s%s",
                                         j ? ", " : "one of ", names[j]);
            rc = sg17_v_fail(v, f->key_node, path, expected,
                             names ? sg17_nearest(f->key, names, n) : NULL,
                             "unknown parameter '%.100s' of %s", f->key, a->name);
            free(names);
            break;
        }
        char *value = NULL;
        const core_bound_t *bound = a->kind != SG17_ACTION_MODULE ? core_bound(f->key) : NULL;
        if (sg17_v_value_in(v, spec->type, f->value, path, bound ? bound->accepted : NULL, &value)
                < 0
            || sg17_v_range(v, spec->type, spec->range, value, f->value, path) < 0
            || (a->kind == SG17_ACTION_MODULE
                && sg17_v_choice(v, sg17_module_choices(v->mod, a->name, f->key), value, f->value,
                                 path)
                       < 0)) {
            free(value);
            rc = -1;
            break;
        }
        if (a->kind != SG17_ACTION_MODULE)
            rc = core_param_rules(v, a->kind, f, value, path);
        if (rc == 0 && a->kind != SG17_ACTION_MODULE)
            rc = core_param_bounds(v, f, value, path);
        if (!strcmp(f->key, "rate"))
            rate_node = f->value;
        a->params[a->n_params].key = f->key;
        a->params[a->n_params].value = value;
        a->n_params++;
        flat.items[i].key = NULL; /* now owned by the action */
    }
    flat_free(&flat);
    for (size_t i = 0; rc == 0 && specs && specs[i].name; i++)
        if (specs[i].required && !sg17_action_param(a, specs[i].name)) {
            char path[SG17_PATH_MAX];
            sg17_v_path(path, sizeof path, "%s.%s", apath, specs[i].name);
            rc = sg17_v_fail(v, key, path, sg17_type_describe(specs[i].type), NULL,
                             "required parameter '%s' of %s is missing", specs[i].name, a->name);
        }
    bool dst = sg17_action_param(a, "dst"), to = sg17_action_param(a, "to");
    if (rc == 0 && (a->kind == SG17_ACTION_INJECT || a->kind == SG17_ACTION_REPLAY) && (dst && to))
        rc = sg17_v_fail(v, key, apath, "at most one of dst and to", NULL,
                         "both dst and to are given");
    if (rc == 0 && a->kind == SG17_ACTION_INJECT && !dst && !to)
        rc = sg17_v_fail(v, key, apath, "a destination: dst (an entity) or to (a glob)", NULL,
                         "neither dst nor to is given");
    if (rc == 0 && a->kind == SG17_ACTION_FLOOD)
        rc = flood_budget(v, a, rate_node, key, apath);
    if (rc == 0 && a->kind == SG17_ACTION_MODIFY
        && !!sg17_action_param(a, "xor") == !!sg17_action_param(a, "set"))
        rc = sg17_v_fail(v, key, apath, "exactly one of xor and set", NULL,
                         sg17_action_param(a, "xor") ? "both xor and set are given"
                                                     : "neither xor nor set is given");
    return rc;
}

/* Finds the action named by the item's single non-`at` key. */
static int action_resolve(sg17_validator_t *v, sg17_action_t *a, const sg17_yaml_node_t *key,
                          const char *ipath, const sg17_param_t **specs, const char **cap)
{
    const char *name = key->scalar;
    for (int k = 0; k < SG17_ACTION_MODULE; k++)
        if (!strcmp(name, sg17_core_actions[k])) {
            a->kind = (sg17_action_kind_t)k;
            *specs = core_params[k];
            *cap = sg17_core_actions[k];
            return 0;
        }
    for (size_t i = 0; v->mod->attacks && v->mod->attacks[i].name; i++)
        if (!strcmp(name, v->mod->attacks[i].name)) {
            a->kind = SG17_ACTION_MODULE;
            *specs = v->mod->attacks[i].params;
            *cap = v->mod->attacks[i].capability ? v->mod->attacks[i].capability : name;
            return 0;
        }
    size_t n_att;
    const char **att = sg17_table_names(v->mod->attacks, sizeof *v->mod->attacks, &n_att);
    const char **all = calloc(SG17_ACTION_MODULE + n_att + 1, sizeof *all);
    const char *near = NULL;
    if (all && att) {
        memcpy(all, sg17_core_actions, SG17_ACTION_MODULE * sizeof *all);
        memcpy(all + SG17_ACTION_MODULE, att, n_att * sizeof *all);
        near = sg17_nearest(name, all, SG17_ACTION_MODULE + n_att);
    }
    char path[SG17_PATH_MAX];
    sg17_v_path(path, sizeof path, "%s.%.100s", ipath, name);
    int rc = sg17_v_fail(v, key, path,
                         "a core action (observe, capture, drop, delay, replay, inject, modify, "
                         "flood, compromise) or an attack of the module",
                         near, "unknown action '%.100s'", name);
    free(all);
    free(att);
    return rc;
}

/* Reads one list item {at: <duration>, <action>: {params}}. */
static int action_read(sg17_validator_t *v, const sg17_yaml_node_t *item, size_t index,
                       sg17_action_t *a)
{
    char ipath[64];
    sg17_v_path(ipath, sizeof ipath, "actions[%zu]", index);
    a->line = item->line;
    a->col = item->col;
    if (item->kind != SG17_YAML_MAP)
        return sg17_v_fail(v, item, ipath, "a mapping {at: <duration>, <action>: {...}}", NULL,
                           "found %s", sg17_yaml_kind_name(item->kind));
    const sg17_yaml_node_t *key = NULL, *val = NULL;
    for (size_t i = 0; i < item->n; i++) {
        if (!strcmp(item->keys[i]->scalar, "at"))
            continue;
        if (key)
            return sg17_v_fail(v, item->keys[i], ipath, "exactly one action per list item", NULL,
                               "more than one action ('%.100s' and '%.100s')", key->scalar,
                               item->keys[i]->scalar);
        key = item->keys[i];
        val = item->items[i];
    }
    const sg17_yaml_node_t *at = sg17_yaml_get(item, "at");
    char path[SG17_PATH_MAX];
    sg17_v_path(path, sizeof path, "%s.at", ipath);
    if (!at)
        return sg17_v_fail(v, item, path, "a duration from the start, such as 1h", NULL,
                           "required key is missing");
    char *t = NULL;
    if (sg17_v_value(v, SG17_TYPE_DURATION, at, path, &t) < 0)
        return -1;
    a->at = strtoull(t, NULL, 10);
    free(t);
    if (a->at > v->s->duration)
        return sg17_v_fail(v, at, path, "a time within the scenario's duration", NULL,
                           "'%.100s' is after the end of the scenario", at->scalar);
    if (!key)
        return sg17_v_fail(v, item, ipath,
                           "one of observe, capture, drop, delay, replay, inject, modify, flood, "
                           "compromise or an attack of the module",
                           NULL, "no action is given");
    const sg17_param_t *specs = NULL;
    const char *cap = NULL;
    if (action_resolve(v, a, key, ipath, &specs, &cap) < 0)
        return -1;
    if (!(a->name = strdup(key->scalar)))
        return sg17_err(v->err, "%s: out of memory", v->file);
    sg17_v_path(path, sizeof path, "%s.%.100s", ipath, a->name);
    if (!granted(v->s, cap)) {
        char expected[160];
        snprintf(expected, sizeof expected, "'%s' in adversary.capabilities", cap);
        return sg17_v_fail(v, key, path, expected, NULL,
                           "needs capability '%s', which adversary.capabilities does not grant",
                           cap);
    }
    return action_params(v, a, specs, key, val, path);
}

/* Every `capture` parameter must name the `as` of a capture at or before its action. */
static int capture_refs(sg17_validator_t *v, const sg17_yaml_node_t *list)
{
    sg17_scenario_t *s = v->s;
    const char **names = calloc(s->n_actions + 1, sizeof *names);
    if (!names)
        return sg17_err(v->err, "%s: out of memory", v->file);
    size_t n_names = 0;
    int rc = 0;
    for (size_t i = 0; i < s->n_actions && rc == 0; i++) {
        const sg17_action_t *a = &s->actions[i];
        const char *as = a->kind == SG17_ACTION_CAPTURE ? sg17_action_param(a, "as") : NULL;
        if (!as)
            continue;
        for (size_t j = 0; j < n_names && rc == 0; j++)
            if (!strcmp(names[j], as)) {
                char path[96];
                sg17_v_path(path, sizeof path, "actions[%zu].capture.as", i);
                rc = sg17_v_fail(v, sg17_yaml_get(list->items[i], "capture"), path,
                                 "a capture name used once", NULL,
                                 "capture name '%.100s' is already used", as);
            }
        names[n_names++] = as;
    }
    for (size_t i = 0; i < s->n_actions && rc == 0; i++) {
        const sg17_action_t *a = &s->actions[i];
        const char *ref = a->kind == SG17_ACTION_CAPTURE ? NULL : sg17_action_param(a, "capture");
        if (!ref)
            continue;
        bool found = false;
        for (size_t j = 0; j < s->n_actions && !found; j++) {
            const sg17_action_t *c = &s->actions[j];
            const char *as = c->kind == SG17_ACTION_CAPTURE ? sg17_action_param(c, "as") : NULL;
            found = as && !strcmp(as, ref) && c->at <= a->at;
        }
        if (found)
            continue;
        char path[SG17_PATH_MAX];
        sg17_v_path(path, sizeof path, "actions[%zu].%.100s.capture", i, a->name);
        const sg17_yaml_node_t *params = sg17_yaml_get(list->items[i], a->name);
        const sg17_yaml_node_t *at = sg17_yaml_get(params, "capture");
        rc = sg17_v_fail(v, at ? at : list->items[i], path,
                         "the `as` name of a capture action at or before this one",
                         sg17_nearest(ref, names, n_names),
                         "no capture named '%.100s' happens at or before this action", ref);
    }
    free(names);
    return rc;
}

typedef struct {
    sg17_action_t a;
    size_t index;
} sort_item_t;

static int by_time(const void *x, const void *y)
{
    const sort_item_t *a = x, *b = y;
    if (a->a.at != b->a.at)
        return a->a.at < b->a.at ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

int sg17_v_actions(sg17_validator_t *v, const sg17_yaml_node_t *list)
{
    sg17_scenario_t *s = v->s;
    if (!list)
        return 0;
    if (sg17_v_is_null(list))
        return 0;
    if (list->kind != SG17_YAML_SEQ)
        return sg17_v_fail(v, list, "actions", "a list of {at: <duration>, <action>: {...}}", NULL,
                           "found %s", sg17_yaml_kind_name(list->kind));
    if (!list->n)
        return 0;
    s->actions = calloc(list->n, sizeof *s->actions);
    if (!s->actions)
        return sg17_err(v->err, "%s: out of memory", v->file);
    int rc = 0;
    for (size_t i = 0; i < list->n; i++) { /* every action: one error does not hide the next */
        s->n_actions++;
        if (action_read(v, list->items[i], i, &s->actions[i]) < 0)
            rc = -1;
    }
    /* references between actions are checked only among valid actions: a capture with an error
     * is reported once, not again by each action that names it */
    if (rc < 0 || capture_refs(v, list) < 0)
        return -1;
    sort_item_t *tmp = malloc(s->n_actions * sizeof *tmp);
    if (!tmp)
        return sg17_err(v->err, "%s: out of memory", v->file);
    for (size_t i = 0; i < s->n_actions; i++)
        tmp[i] = (sort_item_t){s->actions[i], i};
    qsort(tmp, s->n_actions, sizeof *tmp, by_time);
    for (size_t i = 0; i < s->n_actions; i++)
        s->actions[i] = tmp[i].a;
    free(tmp);
    return 0;
}

const char *sg17_action_param(const sg17_action_t *a, const char *key)
{
    if (!a || !key)
        return NULL;
    for (size_t i = 0; i < a->n_params; i++)
        if (a->params[i].key && !strcmp(a->params[i].key, key))
            return a->params[i].value;
    return NULL;
}
