/* host_check.c — the module host trusts no broker frame: a Setup's topology, configuration and
 * mitigations and an event's entities and attack parameters are checked against the module's
 * descriptor, with the scenario validator's normal forms and ranges (module/values.h), before
 * the module sees them (over tcp:// the
 * broker may be buggy or hostile). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/host_internal.h"
#include "module/descriptor.h"
#include "module/values.h"

/* The run's topology as module/values.h checks entity values against it. */
static bool setup_count(const void *arg, const char *kind, size_t len, unsigned *count)
{
    const host_t *h = arg;
    for (size_t i = 0; i < h->setup->n_kinds; i++) {
        const Sg17__EntityKind *k = h->setup->kinds[i];
        if (strlen(k->kind) == len && strncmp(k->kind, kind, len) == 0) {
            *count = k->count;
            return true;
        }
    }
    return false;
}

/* True when text is the normal form of a value of type within its declared range: exactly what
 * the scenario validator produces, which modules rely on (a count sizes a loop, an entity
 * indexes an array). Otherwise *why says what it should be. */
static bool value_ok(const host_t *h, sg17_type_t type, sg17_range_t range, const char *text,
                     const char **why, sg17_value_error_t *e)
{
    sg17_topology_view_t topo = {setup_count, h};
    *why = sg17_type_normal_form(type);
    if (!sg17_value_is_normal(type, text, &topo))
        return false;
    if (sg17_value_in_range(type, range, text, e) < 0) {
        *why = e->expected;
        return false;
    }
    return true;
}

/* Checks a Setup's topology against the module's descriptor before anything uses it: every kind
 * declared by the module and named once, each count within the kind's min_count and max_count
 * (a kind the Setup does not name counts 0), and entity ids
 * consecutive from 0 in the order given, so `first` is the running sum (no gap, overlap or wrap)
 * and the total stays below SG17_NO_ENTITY. The broker's topology (engine/world.c) always has
 * this shape. Sets h->n_entities; returns 0, or -1 after host_fail. */
int sg17_host_check_kinds(host_t *h)
{
    const Sg17__Setup *s = h->setup;
    uint64_t next = 0;
    for (size_t i = 0; i < s->n_kinds; i++) {
        const Sg17__EntityKind *k = s->kinds[i];
        const sg17_entity_kind_t *decl = sg17_module_kind(h->module, k->kind);
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
        if (k->count > max || k->count < decl->min_count) {
            sg17_host_fail(h, "setup asks for %u %s entities; module %s allows at %s %u", k->count,
                           k->kind, h->module->name, k->count > max ? "most" : "least",
                           k->count > max ? max : decl->min_count);
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
    for (const sg17_entity_kind_t *d = h->module->entity_kinds; d && d->name; d++) {
        bool named = false;
        for (size_t i = 0; i < s->n_kinds && !named; i++)
            named = strcmp(s->kinds[i]->kind, d->name) == 0;
        if (!named && d->min_count) {
            sg17_host_fail(h, "setup has no %s entities; module %s needs at least %u", d->name,
                           h->module->name, d->min_count);
            return -1;
        }
    }
    h->n_entities = (uint32_t)next;
    return 0;
}

/* Checks a Setup's configuration: every key the module declares, given once, in the normal form
 * of its type and within its range, and no other key; every mitigation it turns on declared and
 * named once. Returns 0, or -1 after host_fail. */
int sg17_host_check_config(host_t *h)
{
    const Sg17__Setup *s = h->setup;
    for (size_t i = 0; i < s->n_config; i++) {
        const Sg17__KeyValue *kv = s->config[i];
        const sg17_config_key_t *decl = sg17_module_config_key(h->module, kv->key);
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
        const char *why;
        sg17_value_error_t e;
        if (!value_ok(h, decl->type, decl->range, kv->value, &why, &e)) {
            sg17_host_fail(h, "setup gives config %s = '%.100s', which is not %s", kv->key,
                           kv->value, why);
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
    for (size_t i = 0; i < s->n_mitigations_on; i++) {
        const char *name = s->mitigations_on[i];
        if (!sg17_module_mitigation(h->module, name)) {
            sg17_host_fail(h,
                           "setup turns on mitigation '%.100s', which module %s does not "
                           "declare",
                           name, h->module->name);
            return -1;
        }
        for (size_t j = 0; j < i; j++) /* bounded: names before i are declared and distinct */
            if (strcmp(s->mitigations_on[j], name) == 0) {
                sg17_host_fail(h, "setup turns on mitigation '%s' twice", name);
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
 * for an attack, that the module declares it (*attack) and its parameters are declared, given
 * once, in the normal form of their type and within their range, with every required one
 * present. Returns 0, or -1 after host_fail. */
int sg17_host_check_params(host_t *h, const Sg17__Event *ev, const sg17_attack_t **attack)
{
    *attack = NULL;
    for (size_t i = 0; i < ev->n_captured; i++)
        if (!sg17_host_entity_ok(h, ev->captured[i]->dst, "a captured envelope's destination")
            || !sg17_host_source_ok(h, ev->captured[i]->src, "a captured envelope's source"))
            return -1;
    if (ev->kind != SG17__EVENT__KIND__ATTACK)
        return 0;
    const sg17_attack_t *a = sg17_module_attack(h->module, ev->name);
    if (!a) {
        sg17_host_fail(h, "batch asks for attack '%.100s', which module %s does not declare",
                       ev->name, h->module->name);
        return -1;
    }
    for (size_t i = 0; i < ev->n_params; i++) {
        const Sg17__KeyValue *kv = ev->params[i];
        const sg17_param_t *spec = sg17_attack_param(a, kv->key);
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
        const char *why;
        sg17_value_error_t e;
        if (!value_ok(h, spec->type, spec->range, kv->value, &why, &e)) {
            sg17_host_fail(h, "attack '%s' got %s = '%.100s', which is not %s", a->name, kv->key,
                           kv->value, why);
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
    *attack = a;
    return 0;
}
