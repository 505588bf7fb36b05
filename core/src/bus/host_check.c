/* host_check.c — the module host trusts no broker frame: a Setup's topology and configuration
 * and an event's entities and attack parameters are checked against the module's descriptor,
 * with the scenario validator's normal forms, before the module sees them (over tcp:// the
 * broker may be buggy or hostile). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/host_internal.h"

static const sg17_entity_kind_t *declared_kind(const sg17_module_t *m, const char *name)
{
    for (const sg17_entity_kind_t *k = m->entity_kinds; k && k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

static const sg17_config_key_t *declared_config(const sg17_module_t *m, const char *name)
{
    for (const sg17_config_key_t *k = m->config; k && k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

static const sg17_attack_t *declared_attack(const sg17_module_t *m, const char *name)
{
    for (const sg17_attack_t *a = m->attacks; a && a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

static const sg17_param_t *declared_param(const sg17_attack_t *a, const char *name)
{
    for (const sg17_param_t *p = a->params; p && p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

static const char *type_desc(sg17_type_t type)
{
    switch (type) {
    case SG17_TYPE_INT:
        return "an integer";
    case SG17_TYPE_NUMBER:
        return "a finite number";
    case SG17_TYPE_BOOL:
        return "true or false";
    case SG17_TYPE_STRING:
        return "a string";
    case SG17_TYPE_DURATION:
        return "a duration in microseconds";
    case SG17_TYPE_HEX:
        return "lower-case hex of even length";
    case SG17_TYPE_ENTITY:
        return "an entity <kind>-<index> of this run";
    case SG17_TYPE_COUNT:
        return "a whole number from 0 to 1000000000";
    }
    return "a value of a type the host does not know";
}

/* True when text names an entity of this run's (checked) topology, as the scenario validator's
 * entity check accepts it: "<kind>-<index>", the index at most 10 digits and below the count. */
static bool entity_name_ok(const host_t *h, const char *text)
{
    const char *dash = strrchr(text, '-');
    if (!dash || dash == text || !dash[1] || strlen(dash + 1) > 10)
        return false;
    for (const char *d = dash + 1; *d; d++)
        if (!isdigit((unsigned char)*d))
            return false;
    unsigned long long index = strtoull(dash + 1, NULL, 10);
    size_t klen = (size_t)(dash - text);
    for (size_t i = 0; i < h->setup->n_kinds; i++) {
        const Sg17__EntityKind *k = h->setup->kinds[i];
        if (strlen(k->kind) == klen && strncmp(k->kind, text, klen) == 0)
            return index < k->count;
    }
    return false;
}

/* True when text is the normal form of a value of type (see sg17_api_t.config): exactly what the
 * scenario validator produces, which modules rely on (a count sizes a loop, an entity indexes an
 * array). Numbers are checked by printing them back the way the validator does. */
static bool value_ok(const host_t *h, sg17_type_t type, const char *text)
{
    char buf[64], *end;
    errno = 0;
    switch (type) {
    case SG17_TYPE_INT:
    case SG17_TYPE_COUNT: {
        long long x = strtoll(text, &end, 10);
        if (errno || end == text || *end)
            return false;
        snprintf(buf, sizeof buf, "%lld", x);
        return strcmp(buf, text) == 0 && (type == SG17_TYPE_INT || (x >= 0 && x <= SG17_COUNT_MAX));
    }
    case SG17_TYPE_DURATION: {
        unsigned long long x = strtoull(text, &end, 10);
        if (errno || end == text || *end)
            return false;
        snprintf(buf, sizeof buf, "%llu", x);
        return strcmp(buf, text) == 0; /* also refuses a sign, which strtoull accepts */
    }
    case SG17_TYPE_NUMBER: {
        double x = strtod(text, &end);
        if (end == text || *end || !isfinite(x))
            return false;
        snprintf(buf, sizeof buf, "%.17g", x);
        return strcmp(buf, text) == 0;
    }
    case SG17_TYPE_BOOL:
        return strcmp(text, "true") == 0 || strcmp(text, "false") == 0;
    case SG17_TYPE_STRING:
        return true;
    case SG17_TYPE_HEX: {
        size_t n = strlen(text);
        if (n == 0 || n % 2)
            return false;
        for (size_t i = 0; i < n; i++)
            if (!strchr("0123456789abcdef", text[i]))
                return false;
        return true;
    }
    case SG17_TYPE_ENTITY:
        return entity_name_ok(h, text);
    }
    return false;
}

/* Checks a Setup's topology against the module's descriptor before anything uses it: every kind
 * declared by the module and named once, each count within the kind's max_count, and entity ids
 * consecutive from 0 in the order given, so `first` is the running sum (no gap, overlap or wrap)
 * and the total stays below SG17_NO_ENTITY. The broker's topology (engine/world.c) always has
 * this shape. Sets h->n_entities; returns 0, or -1 after host_fail. */
int sg17_host_check_kinds(host_t *h)
{
    const Sg17__Setup *s = h->setup;
    uint64_t next = 0;
    for (size_t i = 0; i < s->n_kinds; i++) {
        const Sg17__EntityKind *k = s->kinds[i];
        const sg17_entity_kind_t *decl = declared_kind(h->module, k->kind);
        if (!decl) {
            sg17_host_fail(h, "setup names entity kind '%.100s', which module %s does not declare",
                           k->kind, h->module->name);
            return -1;
        }
        for (size_t j = 0; j < i; j++) /* bounded: kinds before i are declared and distinct */
            if (strcmp(s->kinds[j]->kind, k->kind) == 0) {
                sg17_host_fail(h, "setup names entity kind '%s' twice", k->kind);
                return -1;
            }
        unsigned max = decl->max_count ? decl->max_count : 1000000u;
        if (k->count > max) {
            sg17_host_fail(h, "setup asks for %u %s entities; module %s allows at most %u",
                           k->count, k->kind, h->module->name, max);
            return -1;
        }
        if (k->first != next) {
            sg17_host_fail(
                h,
                "setup puts %s-0 at entity id %u, expected %llu: the ids of a run's kinds "
                "are consecutive from 0, without gaps or overlaps",
                k->kind, k->first, (unsigned long long)next);
            return -1;
        }
        next += k->count;
        if (next >= SG17_NO_ENTITY) {
            sg17_host_fail(h, "setup has %llu entities, more than entity ids can number",
                           (unsigned long long)next);
            return -1;
        }
    }
    h->n_entities = (uint32_t)next;
    return 0;
}

/* Checks a Setup's configuration: every key the module declares, given once, in the normal form
 * of its type, and no other key. Returns 0, or -1 after host_fail. */
int sg17_host_check_config(host_t *h)
{
    const Sg17__Setup *s = h->setup;
    for (size_t i = 0; i < s->n_config; i++) {
        const Sg17__KeyValue *kv = s->config[i];
        const sg17_config_key_t *decl = declared_config(h->module, kv->key);
        if (!decl) {
            sg17_host_fail(h, "setup gives config key '%.100s', which module %s does not declare",
                           kv->key, h->module->name);
            return -1;
        }
        for (size_t j = 0; j < i; j++) /* bounded: keys before i are declared and distinct */
            if (strcmp(s->config[j]->key, kv->key) == 0) {
                sg17_host_fail(h, "setup gives config key '%s' twice", kv->key);
                return -1;
            }
        if (!value_ok(h, decl->type, kv->value)) {
            sg17_host_fail(h, "setup gives config %s = '%.100s', which is not %s", kv->key,
                           kv->value, type_desc(decl->type));
            return -1;
        }
    }
    for (const sg17_config_key_t *k = h->module->config; k && k->name; k++) {
        bool given = false;
        for (size_t i = 0; i < s->n_config && !given; i++)
            given = strcmp(s->config[i]->key, k->name) == 0;
        if (!given) {
            sg17_host_fail(h, "setup lacks config key '%s' of module %s", k->name, h->module->name);
            return -1;
        }
    }
    return 0;
}

/* True when e is an entity of this run; otherwise fails the run naming what carried e. */
bool sg17_host_entity_ok(host_t *h, sg17_entity_t e, const char *what)
{
    if (e < h->n_entities)
        return true;
    sg17_host_fail(h, "%s names entity %u, but this run has %u entities", what, e, h->n_entities);
    return false;
}

/* An envelope's claimed source may also be nobody (SG17_NO_ENTITY): the adversary's injections
 * need not claim one. */
bool sg17_host_source_ok(host_t *h, sg17_entity_t e, const char *what)
{
    return e == SG17_NO_ENTITY || sg17_host_entity_ok(h, e, what);
}

/* Checks what an attack or compromise event hands the module: the envelopes it captured, and
 * for an attack, that the module declares it and its parameters are declared, given once, in the
 * normal form of their type, with every required one present. Returns 0, or -1 after host_fail. */
int sg17_host_check_params(host_t *h, const Sg17__Event *ev)
{
    for (size_t i = 0; i < ev->n_captured; i++)
        if (!sg17_host_entity_ok(h, ev->captured[i]->dst, "a captured envelope's destination")
            || !sg17_host_source_ok(h, ev->captured[i]->src, "a captured envelope's source"))
            return -1;
    if (ev->kind != SG17__EVENT__KIND__ATTACK)
        return 0;
    const sg17_attack_t *a = declared_attack(h->module, ev->name);
    if (!a) {
        sg17_host_fail(h, "batch asks for attack '%.100s', which module %s does not declare",
                       ev->name, h->module->name);
        return -1;
    }
    for (size_t i = 0; i < ev->n_params; i++) {
        const Sg17__KeyValue *kv = ev->params[i];
        const sg17_param_t *spec = declared_param(a, kv->key);
        if (!spec) {
            sg17_host_fail(h, "attack '%s' got parameter '%.100s', which it does not declare",
                           a->name, kv->key);
            return -1;
        }
        for (size_t j = 0; j < i; j++) /* bounded: parameters before i are declared and distinct */
            if (strcmp(ev->params[j]->key, kv->key) == 0) {
                sg17_host_fail(h, "attack '%s' got parameter '%s' twice", a->name, kv->key);
                return -1;
            }
        if (!value_ok(h, spec->type, kv->value)) {
            sg17_host_fail(h, "attack '%s' got %s = '%.100s', which is not %s", a->name, kv->key,
                           kv->value, type_desc(spec->type));
            return -1;
        }
    }
    for (const sg17_param_t *p = a->params; p && p->name; p++) {
        bool given = !p->required;
        for (size_t i = 0; i < ev->n_params && !given; i++)
            given = strcmp(ev->params[i]->key, p->name) == 0;
        if (!given) {
            sg17_host_fail(h, "attack '%s' lacks its required parameter '%s'", a->name, p->name);
            return -1;
        }
    }
    return 0;
}
