/* adversary.c — rule matching, captures and in-transit modification. */
#include "engine/adversary.h"

#include <stdlib.h>
#include <string.h>

#include "bus/frame.h"
#include "util/text.h"

typedef struct {
    sg17_action_kind_t kind;
    sg17_time_t start, end;
    long long limit; /* -1 = unlimited */
    long long matched;
    const char *src, *dst, *type; /* globs, NULL = any */
    double probability;
    sg17_time_t by;
    long long offset;
    uint8_t *bytes; /* modify: xor or set */
    size_t n_bytes;
    bool xor_mode;
    const char *capture_as;
} rule_t;

typedef struct {
    const char *name;
    Sg17__Envelope **envs;
    size_t n, cap;
} capture_t;

struct sg17_adversary {
    const sg17_world_t *world;
    rule_t *rules;
    size_t n_rules;
    capture_t *captures;
    size_t n_captures;
};

Sg17__Envelope *sg17_envelope_make(sg17_entity_t src, sg17_entity_t dst, const char *type,
                                   const uint8_t *payload, size_t len, sg17_time_t sent_at)
{
    Sg17__Envelope *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    sg17__envelope__init(e);
    e->version = SG17_ENVELOPE_VERSION;
    e->src = src;
    e->dst = dst;
    e->type = strdup(type ? type : "");
    e->sent_at = sent_at;
    e->payload.len = len;
    e->payload.data = len ? malloc(len) : NULL;
    if (!e->type || (len && !e->payload.data)) {
        sg17_envelope_free(e);
        return NULL;
    }
    if (len)
        memcpy(e->payload.data, payload, len);
    return e;
}

Sg17__Envelope *sg17_envelope_copy(const Sg17__Envelope *env)
{
    Sg17__Envelope *e = sg17_envelope_make(env->src, env->dst, env->type, env->payload.data,
                                           env->payload.len, env->sent_at);
    if (e)
        e->id = env->id;
    return e;
}

void sg17_envelope_free(Sg17__Envelope *env)
{
    if (!env)
        return;
    free(env->type);
    free(env->payload.data);
    free(env);
}

static long long param_int(const sg17_action_t *a, const char *key, long long dflt)
{
    const char *v = sg17_action_param(a, key);
    return v ? strtoll(v, NULL, 10) : dflt;
}

sg17_adversary_t *sg17_adversary_new(const sg17_scenario_t *s, const sg17_world_t *world)
{
    sg17_adversary_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->world = world;
    self->rules = calloc(s->n_actions ? s->n_actions : 1, sizeof *self->rules);
    self->captures = calloc(s->n_actions ? s->n_actions : 1, sizeof *self->captures);
    if (!self->rules || !self->captures) {
        sg17_adversary_destroy(&self);
        return NULL;
    }
    for (size_t i = 0; i < s->n_actions; i++) {
        const sg17_action_t *a = &s->actions[i];
        switch (a->kind) {
        case SG17_ACTION_OBSERVE:
        case SG17_ACTION_CAPTURE:
        case SG17_ACTION_DROP:
        case SG17_ACTION_DELAY:
        case SG17_ACTION_MODIFY:
            break;
        default:
            continue;
        }
        rule_t *r = &self->rules[self->n_rules++];
        r->kind = a->kind;
        r->start = a->at;
        long long dur = param_int(a, "for", -1);
        r->end = dur < 0 ? UINT64_MAX : a->at + (sg17_time_t)dur;
        r->limit = param_int(a, "count", -1);
        r->src = sg17_action_param(a, "match.src");
        r->dst = sg17_action_param(a, "match.dst");
        r->type = sg17_action_param(a, "match.type");
        const char *p = sg17_action_param(a, "probability");
        r->probability = p ? strtod(p, NULL) : 1.0;
        r->by = (sg17_time_t)param_int(a, "by", 0);
        r->offset = param_int(a, "offset", 0);
        const char *hex = sg17_action_param(a, "xor");
        r->xor_mode = hex != NULL;
        if (!hex)
            hex = sg17_action_param(a, "set");
        if (hex)
            r->bytes = sg17_hex_decode(hex, &r->n_bytes);
        if (a->kind == SG17_ACTION_CAPTURE) {
            r->capture_as = sg17_action_param(a, "as");
            self->captures[self->n_captures++].name = r->capture_as;
        }
    }
    return self;
}

void sg17_adversary_destroy(sg17_adversary_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sg17_adversary_t *self = *self_p;
    for (size_t i = 0; i < self->n_rules; i++)
        free(self->rules[i].bytes);
    for (size_t i = 0; i < self->n_captures; i++) {
        for (size_t j = 0; j < self->captures[i].n; j++)
            sg17_envelope_free(self->captures[i].envs[j]);
        free(self->captures[i].envs);
    }
    free(self->rules);
    free(self->captures);
    free(self);
    *self_p = NULL;
}

static capture_t *capture_named(const sg17_adversary_t *self, const char *name)
{
    for (size_t i = 0; i < self->n_captures; i++)
        if (self->captures[i].name && strcmp(self->captures[i].name, name) == 0)
            return &self->captures[i];
    return NULL;
}

Sg17__Envelope *const *sg17_adversary_captured(const sg17_adversary_t *self, const char *name,
                                               size_t *n)
{
    capture_t *c = capture_named(self, name);
    *n = c ? c->n : 0;
    return c ? c->envs : NULL;
}

static void capture_store(capture_t *c, const Sg17__Envelope *env)
{
    if (!c)
        return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        Sg17__Envelope **e = realloc(c->envs, cap * sizeof *e);
        if (!e)
            return;
        c->envs = e;
        c->cap = cap;
    }
    Sg17__Envelope *copy = sg17_envelope_copy(env);
    if (copy)
        c->envs[c->n++] = copy;
}

/* Flips (xor) or overwrites (set) payload bytes from offset; bytes past the end are ignored,
 * as on a wire where the attacker can only touch what is there. */
static bool apply_modify(const rule_t *r, Sg17__Envelope *env)
{
    if (!r->bytes || (size_t)r->offset >= env->payload.len)
        return false;
    for (size_t i = 0; i < r->n_bytes && (size_t)r->offset + i < env->payload.len; i++) {
        uint8_t *b = &env->payload.data[(size_t)r->offset + i];
        *b = r->xor_mode ? (uint8_t)(*b ^ r->bytes[i]) : r->bytes[i];
    }
    return true;
}

static const char *const adversary_metric[] = {
    [SG17_ACTION_OBSERVE] = "adversary.observed", [SG17_ACTION_CAPTURE] = "adversary.captured",
    [SG17_ACTION_DROP] = "adversary.dropped",     [SG17_ACTION_DELAY] = "adversary.delayed",
    [SG17_ACTION_MODIFY] = "adversary.modified",
};

/* What a rule does: hear the air (observe, capture) or act on one receiver's link (drop, delay,
 * modify). A unicast send meets both kinds, in the scenario's order; a multicast meets the first
 * kind once per transmission, then the second once per receiver. */
enum { HEARS = 1, ACTS = 2 };

static unsigned rule_role(const rule_t *r)
{
    return r->kind == SG17_ACTION_OBSERVE || r->kind == SG17_ACTION_CAPTURE ? HEARS : ACTS;
}

/* Whether match.dst accepts the send: its destination, or for a multicast heard once (receivers
 * given), any of its receivers, then written to *heard_dst. */
static bool dst_matches(const sg17_adversary_t *self, const rule_t *r, const Sg17__Envelope *env,
                        const char *dst_name, const sg17_entity_t *receivers, size_t n,
                        sg17_entity_t *heard_dst)
{
    *heard_dst = env->dst;
    if (!r->dst)
        return true;
    if (!receivers)
        return sg17_glob(r->dst, dst_name);
    char name[96];
    for (size_t i = 0; i < n; i++) {
        sg17_world_name(self->world, receivers[i], name, sizeof name);
        if (sg17_glob(r->dst, name)) {
            *heard_dst = receivers[i];
            return true;
        }
    }
    return false;
}

static sg17_verdict_on_send_t apply_rules(sg17_adversary_t *self, Sg17__Envelope *env,
                                          const sg17_entity_t *receivers, size_t n_receivers,
                                          unsigned roles, sg17_time_t t, sg17_rng_t *rng,
                                          sg17_metrics_t *m)
{
    sg17_verdict_on_send_t v = {0};
    char src[96], dst[96];
    bool named = false;
    for (size_t i = 0; i < self->n_rules && !v.drop; i++) {
        rule_t *r = &self->rules[i];
        if (!(rule_role(r) & roles))
            continue;
        if (t < r->start || t >= r->end || (r->limit >= 0 && r->matched >= r->limit))
            continue;
        if (!named) {
            sg17_world_name(self->world, env->src, src, sizeof src);
            sg17_world_name(self->world, env->dst, dst, sizeof dst);
            named = true;
        }
        sg17_entity_t heard_dst;
        if ((r->src && !sg17_glob(r->src, src))
            || !dst_matches(self, r, env, dst, receivers, n_receivers, &heard_dst)
            || (r->type && !sg17_glob(r->type, env->type)))
            continue;
        if (r->kind == SG17_ACTION_DROP && r->probability < 1.0
            && sg17_rng_double(rng) >= r->probability)
            continue;
        r->matched++;
        sg17_metrics_add(m, adversary_metric[r->kind], 1);
        switch (r->kind) {
        case SG17_ACTION_CAPTURE: {
            Sg17__Envelope heard = *env;
            heard.dst = heard_dst;
            capture_store(capture_named(self, r->capture_as), &heard);
            break;
        }
        case SG17_ACTION_DROP:
            v.drop = true;
            break;
        case SG17_ACTION_DELAY:
            v.delay += r->by;
            break;
        case SG17_ACTION_MODIFY:
            v.modified |= apply_modify(r, env);
            break;
        default:
            break;
        }
    }
    return v;
}

sg17_verdict_on_send_t sg17_adversary_on_send(sg17_adversary_t *self, Sg17__Envelope *env,
                                              sg17_time_t t, sg17_rng_t *rng, sg17_metrics_t *m)
{
    return apply_rules(self, env, NULL, 0, HEARS | ACTS, t, rng, m);
}

void sg17_adversary_on_multicast(sg17_adversary_t *self, const Sg17__Envelope *env,
                                 const sg17_entity_t *receivers, size_t n, sg17_time_t t,
                                 sg17_metrics_t *m)
{
    Sg17__Envelope heard = *env; /* hearing changes nothing: no rule here modifies */
    apply_rules(self, &heard, receivers, n, HEARS, t, NULL, m);
}

sg17_verdict_on_send_t sg17_adversary_on_receiver(sg17_adversary_t *self, Sg17__Envelope *env,
                                                  sg17_time_t t, sg17_rng_t *rng, sg17_metrics_t *m)
{
    return apply_rules(self, env, NULL, 0, ACTS, t, rng, m);
}
