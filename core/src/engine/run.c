/* run.c — the broker's scheduler for one run: windows of events out, outputs in, ledger, adversary
 * and links in between. Deterministic: every id and sequence number comes from one counter, in an
 * order that depends only on the scenario and its seed. */
#include "engine/run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/adversary.h"
#include "engine/ledger.h"
#include "engine/queue.h"
#include "engine/trace.h"
#include "engine/world.h"
#include "util/rng.h"
#include "util/text.h"

const char *const sg17_arm_names[SG17_N_ARMS] = {"control", "baseline", "protected"};

typedef struct {
    sg17_broker_t *broker;
    int host;
    const sg17_scenario_t *s;
    const sg17_module_t *module;
    sg17_arm_t arm;
    sg17_world_t world;
    sg17_queue_t queue;
    uint64_t seq;
    sg17_ledger_t *ledger;
    sg17_trace_t *trace; /* --trace: the envelopes delivered, else NULL */
    sg17_adversary_t *adv;
    sg17_rng_t net_rng;
    sg17_metrics_t *metrics;
    uint8_t *compromised; /* per entity: handed to the adversary */
    uint64_t *flooded;    /* per action: messages its flood has sent */
    sg17_time_t lookahead;
    uint64_t frames; /* bus frames this run exchanged with its host, both ways */
    sg17_run_stats_t *stats;
    int timeout_ms;
    double started_ms;
    sg17_err_t *err;
} run_t;

double sg17_mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void drop_event(sg17_event_t *ev)
{
    if (ev->kind == SG17_EV_DELIVER)
        sg17_envelope_free(ev->ptr);
}

/* The link between two kinds: first matching `links` entry, else the scenario defaults. */
static void link_of(const run_t *r, sg17_entity_t src, sg17_entity_t dst, sg17_time_t *latency,
                    sg17_time_t *jitter, double *loss)
{
    const char *from = sg17_world_kind(&r->world, src), *to = sg17_world_kind(&r->world, dst);
    for (size_t i = 0; i < r->s->n_links; i++) {
        const sg17_link_t *l = &r->s->links[i];
        if ((!strcmp(l->from, "*") || !strcmp(l->from, from))
            && (!strcmp(l->to, "*") || !strcmp(l->to, to))) {
            *latency = l->latency;
            *jitter = l->jitter;
            *loss = l->loss;
            return;
        }
    }
    *latency = r->s->latency;
    *jitter = r->s->jitter;
    *loss = r->s->loss;
}

/* Puts a recorded message on the wire: link loss, latency and jitter, then a delivery event.
 * Takes ownership of env. */
static int transmit(run_t *r, Sg17__Envelope *env, sg17_time_t t, sg17_time_t extra_delay)
{
    sg17_time_t latency, jitter;
    double loss;
    link_of(r, env->src, env->dst, &latency, &jitter, &loss);
    if (loss > 0 && sg17_rng_double(&r->net_rng) < loss) {
        sg17_ledger_set_fate(r->ledger, env->id, SG17_FATE_DROPPED);
        sg17_metrics_add(r->metrics, "sim.lost", 1);
        sg17_envelope_free(env);
        return 0;
    }
    sg17_time_t j = jitter ? (sg17_time_t)(sg17_rng_double(&r->net_rng) * (double)jitter) : 0;
    sg17_event_t ev = {
        .time = t + latency + j + extra_delay, .seq = env->id, .kind = SG17_EV_DELIVER, .ptr = env};
    if (sg17_queue_push(&r->queue, &ev) < 0) {
        sg17_envelope_free(env);
        return sg17_err(r->err, "out of memory");
    }
    return 0;
}

/* An adversary-originated message (inject, flood, replay): recorded, then transmitted. */
static int adversary_send(run_t *r, Sg17__Envelope *env, sg17_prov_t prov, sg17_time_t t)
{
    env->id = ++r->seq;
    env->sent_at = prov == SG17_PROV_REPLAYED ? env->sent_at : t;
    if (!sg17_ledger_record(r->ledger, env->id, SG17_NO_ENTITY, env->src, env->dst, env->type, prov,
                            t)) {
        sg17_envelope_free(env);
        return sg17_err(r->err, "out of memory");
    }
    return transmit(r, env, t, 0);
}

/* A message an entity (or a module attack) sent at `sent`'s send time: provenance, ledger,
 * adversary rules, link. */
static int entity_send(run_t *r, const Sg17__Envelope *sent, bool injected)
{
    Sg17__Envelope *env = sg17_envelope_copy(sent);
    if (!env)
        return sg17_err(r->err, "out of memory");
    sg17_time_t t = env->sent_at;
    env->id = ++r->seq;
    if (injected)
        return adversary_send(r, env, SG17_PROV_INJECTED, t);
    if (env->src >= r->world.n_entities || env->dst >= r->world.n_entities) {
        sg17_envelope_free(env);
        return sg17_err(r->err, "module sent a message between unknown entities");
    }
    /* a compromise opens its own window (sg17_run_once), so every send made before it has been
     * filed by the time the flag is set */
    sg17_prov_t prov = r->compromised[env->src] ? SG17_PROV_FROM_COMPROMISED : SG17_PROV_GENUINE;
    if (!sg17_ledger_record(r->ledger, env->id, env->src, env->src, env->dst, env->type, prov, t)) {
        sg17_envelope_free(env);
        return sg17_err(r->err, "out of memory");
    }
    sg17_verdict_on_send_t v = sg17_adversary_on_send(r->adv, env, t, &r->net_rng, r->metrics);
    if (v.drop) {
        sg17_ledger_set_fate(r->ledger, env->id, SG17_FATE_DROPPED);
        sg17_envelope_free(env);
        return 0;
    }
    if (v.modified) { /* the original never arrives; a modified copy does, with a new id */
        sg17_ledger_set_fate(r->ledger, env->id, SG17_FATE_REPLACED);
        env->id = ++r->seq;
        if (!sg17_ledger_record(r->ledger, env->id, SG17_NO_ENTITY, env->src, env->dst, env->type,
                                SG17_PROV_MODIFIED, t)) {
            sg17_envelope_free(env);
            return sg17_err(r->err, "out of memory");
        }
    }
    return transmit(r, env, t, v.delay);
}

/* One receiver's copy of a multicast transmission, already in the ledger under env->id: the
 * adversary's rules on this receiver's link, then the link itself. Takes ownership of env. */
static int multicast_copy(run_t *r, Sg17__Envelope *env, sg17_prov_t prov)
{
    sg17_time_t t = env->sent_at;
    if (prov == SG17_PROV_INJECTED) /* the adversary's own send: its rules are not for it */
        return transmit(r, env, t, 0);
    sg17_verdict_on_send_t v = sg17_adversary_on_receiver(r->adv, env, t, &r->net_rng, r->metrics);
    if (v.drop) {
        sg17_ledger_set_fate(r->ledger, env->id, SG17_FATE_DROPPED);
        sg17_envelope_free(env);
        return 0;
    }
    if (v.modified) { /* as for a unicast: a modified copy replaces the original */
        sg17_ledger_set_fate(r->ledger, env->id, SG17_FATE_REPLACED);
        env->id = ++r->seq;
        if (!sg17_ledger_record(r->ledger, env->id, SG17_NO_ENTITY, env->src, env->dst, env->type,
                                SG17_PROV_MODIFIED, t)) {
            sg17_envelope_free(env);
            return sg17_err(r->err, "out of memory");
        }
    }
    return transmit(r, env, t, v.delay);
}

/* A multicast (sg17_send_many): one transmission from sent->src to sent->dst and the n_more
 * receivers in more. The ledger records the send once, with consecutive ids for its receivers'
 * copies; the adversary hears it once, then every receiver's copy goes its own way. */
static int entity_send_many(run_t *r, const Sg17__Envelope *sent, const uint32_t *more,
                            size_t n_more, bool injected)
{
    size_t n = n_more + 1;
    sg17_entity_t *receivers = malloc(n * sizeof *receivers);
    if (!receivers)
        return sg17_err(r->err, "out of memory");
    receivers[0] = sent->dst;
    memcpy(receivers + 1, more, n_more * sizeof *more);
    bool known = injected || sent->src < r->world.n_entities;
    for (size_t i = 0; i < n; i++)
        known &= receivers[i] < r->world.n_entities;
    if (!known) {
        free(receivers);
        return sg17_err(r->err, "module sent a message between unknown entities");
    }
    sg17_prov_t prov = injected                    ? SG17_PROV_INJECTED
                       : r->compromised[sent->src] ? SG17_PROV_FROM_COMPROMISED
                                                   : SG17_PROV_GENUINE;
    sg17_time_t t = sent->sent_at;
    uint64_t first = r->seq + 1;
    r->seq += n;
    int rc = sg17_ledger_record(r->ledger, first, injected ? SG17_NO_ENTITY : sent->src, sent->src,
                                receivers[0], sent->type, prov, t)
                 ? 0
                 : sg17_err(r->err, "out of memory");
    for (size_t i = 1; rc == 0 && i < n; i++)
        if (sg17_ledger_record_copy(r->ledger, first + i, receivers[i]) < 0)
            rc = sg17_err(r->err, "out of memory");
    if (rc == 0 && !injected)
        sg17_adversary_on_multicast(r->adv, sent, receivers, n, t, r->metrics);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        Sg17__Envelope *env = sg17_envelope_copy(sent);
        if (!env) {
            rc = sg17_err(r->err, "out of memory");
            break;
        }
        env->dst = receivers[i];
        env->id = first + i;
        rc = multicast_copy(r, env, prov);
    }
    free(receivers);
    return rc;
}

static const char *run_name(const run_t *r)
{
    return sg17_arm_names[r->arm];
}

/* A frame the broker could not send: the host died (its connection closed), or the socket
 * failed. */
static int send_failed(run_t *r, const char *what)
{
    if (sg17_broker_host_dead(r->broker, r->host))
        sg17_broker_host_death(r->broker, r->host, r->err);
    else
        sg17_err(r->err, "%s", what);
    return sg17_err_prefix(r->err, "%s run", run_name(r));
}

/* ---- batches ---- */

typedef struct {
    Sg17__Event **events; /* every event but deliveries */
    Sg17__Event *storage;
    size_t n, cap;
    sg17_envcols_t deliveries; /* borrow from owned */
    Sg17__Envelope **owned;    /* delivered envelopes, freed after the batch is sent */
    size_t n_owned, cap_owned;
    Sg17__KeyValue *kv; /* attack params */
    Sg17__KeyValue **kvp;
    size_t n_kv;
} batch_t;

static Sg17__Event *batch_add(batch_t *b, Sg17__Event__Kind kind, sg17_time_t t, uint64_t seq)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        Sg17__Event *st = realloc(b->storage, cap * sizeof *st);
        if (!st)
            return NULL;
        b->storage = st;
        b->cap = cap;
    }
    Sg17__Event *ev = &b->storage[b->n++];
    sg17__event__init(ev);
    ev->kind = kind;
    ev->time = t;
    ev->seq = seq;
    return ev;
}

/* Adds a delivery; the batch owns env from here on (and frees it if this fails). */
static int batch_deliver(batch_t *b, Sg17__Envelope *env, sg17_time_t t)
{
    if (b->n_owned == b->cap_owned) {
        size_t cap = b->cap_owned ? b->cap_owned * 2 : 256;
        Sg17__Envelope **ow = realloc(b->owned, cap * sizeof *ow);
        if (!ow) {
            sg17_envelope_free(env);
            return -1;
        }
        b->owned = ow;
        b->cap_owned = cap;
    }
    b->owned[b->n_owned++] = env;
    return sg17_envcols_add(&b->deliveries, env, t, false);
}

static size_t batch_size(const batch_t *b)
{
    return b->n + sg17_envcols_count(&b->deliveries);
}

static void batch_reset(batch_t *b)
{
    for (size_t i = 0; i < b->n_owned; i++)
        sg17_envelope_free(b->owned[i]);
    for (size_t i = 0; i < b->n; i++)
        free(b->storage[i].captured);
    b->n = b->n_owned = 0;
    sg17_envcols_clear(&b->deliveries);
    free(b->kv);
    free(b->kvp);
    b->kv = NULL;
    b->kvp = NULL;
    b->n_kv = 0;
}

static void batch_free(batch_t *b)
{
    batch_reset(b);
    sg17_envcols_release(&b->deliveries);
    free(b->storage);
    free(b->owned);
    free(b->events);
}

/* Parameters of an action as the host sees them (borrowed strings from the scenario). */
static void attach_params(batch_t *b, Sg17__Event *ev, const sg17_action_t *a)
{
    size_t base = b->n_kv;
    Sg17__KeyValue *kv = realloc(b->kv, (base + a->n_params + 1) * sizeof *kv);
    if (!kv)
        return;
    b->kv = kv;
    for (size_t i = 0; i < a->n_params; i++) {
        sg17__key_value__init(&kv[base + i]);
        kv[base + i].key = a->params[i].key;
        kv[base + i].value = a->params[i].value;
    }
    b->n_kv = base + a->n_params;
    /* pointers are fixed up in batch_send, once kv no longer moves */
    ev->n_params = a->n_params;
    ev->params = (Sg17__KeyValue **)(uintptr_t)(base + 1); /* offset + 1, 0 = none */
}

static int batch_send(run_t *r, batch_t *b, sg17_time_t window_end)
{
    Sg17__Event **evp = realloc(b->events, (b->n ? b->n : 1) * sizeof *evp);
    Sg17__KeyValue **kvp = malloc((b->n_kv ? b->n_kv : 1) * sizeof *kvp);
    if (!evp || !kvp) {
        free(kvp);
        if (evp)
            b->events = evp;
        return sg17_err(r->err, "out of memory");
    }
    b->events = evp;
    b->kvp = kvp;
    for (size_t i = 0; i < b->n_kv; i++)
        kvp[i] = &b->kv[i];
    for (size_t i = 0; i < b->n; i++) {
        evp[i] = &b->storage[i];
        if (evp[i]->n_params)
            evp[i]->params = kvp + ((uintptr_t)evp[i]->params - 1);
    }
    Sg17__Batch batch = SG17__BATCH__INIT;
    batch.window_end = window_end;
    batch.events = evp;
    batch.n_events = b->n;
    if (sg17_envcols_count(&b->deliveries))
        batch.deliveries = &b->deliveries.cols;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_BATCH;
    f.batch = &batch;
    r->stats->events += batch_size(b);
    r->stats->batches++;
    r->frames++;
    if (sg17_broker_send(r->broker, r->host, &f) < 0)
        return send_failed(r, "cannot send a batch to the module host");
    return 0;
}

static int left_ms(const run_t *r)
{
    double left = r->timeout_ms - (sg17_mono_ms() - r->started_ms);
    return left < 1 ? 1 : (int)left + 2; /* past the deadline, so that check_timeout sees it */
}

/* The scenario's `timeout` as it reads best: "5 s", "300 ms", "1500 us". */
static const char *timeout_text(const sg17_scenario_t *s, char *buf, size_t size)
{
    long long us = llround(s->timeout_s * 1e6);
    if (us % 1000000 == 0)
        snprintf(buf, size, "%lld s", us / 1000000);
    else if (us % 1000 == 0)
        snprintf(buf, size, "%lld ms", us / 1000);
    else
        snprintf(buf, size, "%lld us", us);
    return buf;
}

static const char waiting_answer[] = "while waiting for the module's answer (does it hang?)";
static const char waiting_metrics[] = "while waiting for the module's metrics (does it hang?)";

static int timeout_error(const sg17_scenario_t *s, sg17_arm_t arm, const char *waiting,
                         sg17_err_t *err)
{
    char t[48];
    return sg17_err(err, "the %s run exceeded its timeout of %s%s%s", sg17_arm_names[arm],
                    timeout_text(s, t, sizeof t), waiting ? " " : "", waiting ? waiting : "");
}

int sg17_run_timeout_error(const sg17_scenario_t *s, sg17_arm_t arm, bool finishing,
                           sg17_err_t *err)
{
    return timeout_error(s, arm, finishing ? waiting_metrics : waiting_answer, err);
}

/* Ends the run when its wall-clock time is up: the message names the scenario's timeout as
 * written, and what the run was waiting for (`waiting`, or NULL while the broker worked). */
static int check_timeout(run_t *r, const char *waiting)
{
    if (sg17_mono_ms() - r->started_ms < r->timeout_ms)
        return 0;
    r->stats->timed_out = true;
    return timeout_error(r->s, r->arm, waiting, r->err);
}

/* The host's answer, or -1 with err set: the run's timeout (checked first: a receive that gave
 * up at the deadline says so; an answer that came after it, from a host that ran on this thread
 * (an inline link), is the same timeout), a host that died, an interrupt. */
static sg17_frame_t *recv_answer(run_t *r, const char *waiting)
{
    sg17_frame_t *f = sg17_broker_recv(r->broker, r->host, left_ms(r), r->err);
    if (f && check_timeout(r, waiting) < 0)
        sg17_frame_free(&f);
    else if (!f && check_timeout(r, waiting) == 0)
        sg17_err_prefix(r->err, "%s run", run_name(r));
    return f;
}

static int process_output(run_t *r)
{
    sg17_frame_t *f = recv_answer(r, waiting_answer);
    if (!f)
        return -1;
    r->frames++;
    if (f->body_case != SG17__FRAME__BODY_OUTPUT) {
        sg17_frame_free(&f);
        return sg17_err(r->err, "module host answered a batch with something else");
    }
    const Sg17__Output *out = f->output;
    int rc = 0;
    if (out->error && *out->error)
        rc = sg17_err(r->err, "module %s: %s", r->module->name, out->error);
    size_t n_sends = sg17_envcols_size(out->sends), more = 0;
    for (size_t i = 0; rc == 0 && i < n_sends; i++) {
        Sg17__Envelope sent;
        sg17_envcols_get(out->sends, i, &sent);
        sent.sent_at = out->sends->time[i];
        size_t fanout = sg17_envcols_fanout(out->sends, i); /* decoding checked the sum */
        if (fanout)
            rc = entity_send_many(r, &sent, out->sends->more_dst + more, fanout,
                                  out->sends->injected[i]);
        else
            rc = entity_send(r, &sent, out->sends->injected[i]);
        more += fanout;
    }
    for (size_t i = 0; rc == 0 && i < out->n_timers; i++) {
        sg17_event_t ev = {.time = out->timers[i]->time,
                           .seq = ++r->seq,
                           .kind = SG17_EV_TIMER,
                           .entity = out->timers[i]->entity,
                           .tag = out->timers[i]->tag};
        rc = sg17_queue_push(&r->queue, &ev);
    }
    for (size_t i = 0; rc == 0 && i < out->n_reports; i++)
        if (sg17_ledger_report(r->ledger, out->reports[i]->id, out->reports[i]->accepted,
                               out->reports[i]->reason)
            < 0)
            sg17_metrics_add(r->metrics, "bus.report_anomalies", 1);
    sg17_metrics_add(r->metrics, "sim.messages", (double)n_sends);
    sg17_frame_free(&f);
    return rc;
}

/* ---- adversary actions that happen at a moment (not rules) ---- */

static sg17_entity_t param_entity(const run_t *r, const sg17_action_t *a, const char *key)
{
    const char *v = sg17_action_param(a, key);
    return v ? sg17_world_entity(&r->world, v) : SG17_NO_ENTITY;
}

/* The entities whose names match glob, in id order (a neighbourhood a scenario names with
 * `to`); *n = 0 when none (or out of memory). Caller frees. */
static sg17_entity_t *entities_matching(const run_t *r, const char *glob, size_t *n)
{
    sg17_entity_t *found = malloc((r->world.n_entities + 1) * sizeof *found);
    char name[160];
    *n = 0;
    for (sg17_entity_t e = 0; found && e < r->world.n_entities; e++)
        if (sg17_glob(glob, sg17_world_name(&r->world, e, name, sizeof name)))
            found[(*n)++] = e;
    return found;
}

/* An adversary transmission to a neighbourhood (inject or replay `to`): one send in the ledger,
 * with consecutive ids for every receiver's copy, each then on its own link. Takes env. */
static int adversary_send_many(run_t *r, Sg17__Envelope *env, const char *to, sg17_prov_t prov,
                               sg17_time_t t)
{
    size_t n;
    sg17_entity_t *receivers = entities_matching(r, to, &n);
    env->sent_at = prov == SG17_PROV_REPLAYED ? env->sent_at : t;
    uint64_t first = r->seq + 1;
    r->seq += n;
    int rc = n == 0 ? sg17_err(r->err, "no entity matches '%s'", to)
             : sg17_ledger_record(r->ledger, first, SG17_NO_ENTITY, env->src, receivers[0],
                                  env->type, prov, t)
                 ? 0
                 : sg17_err(r->err, "out of memory");
    for (size_t i = 1; rc == 0 && i < n; i++)
        if (sg17_ledger_record_copy(r->ledger, first + i, receivers[i]) < 0)
            rc = sg17_err(r->err, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        Sg17__Envelope *copy = sg17_envelope_copy(env);
        if (!copy) {
            rc = sg17_err(r->err, "out of memory");
            break;
        }
        copy->dst = receivers[i];
        copy->id = first + i;
        rc = transmit(r, copy, t, 0);
    }
    free(receivers);
    sg17_envelope_free(env);
    return rc;
}

static int inject_from_params(run_t *r, const sg17_action_t *a, sg17_time_t t)
{
    const char *hex = sg17_action_param(a, "payload");
    size_t len = 0;
    uint8_t *payload = hex ? sg17_hex_decode(hex, &len) : NULL;
    sg17_entity_t src = param_entity(r, a, "src");
    Sg17__Envelope *env = sg17_envelope_make(src, param_entity(r, a, "dst"),
                                             sg17_action_param(a, "type"), payload, len, t);
    free(payload);
    if (!env)
        return sg17_err(r->err, "out of memory");
    const char *to = sg17_action_param(a, "to");
    return to ? adversary_send_many(r, env, to, SG17_PROV_INJECTED, t)
              : adversary_send(r, env, SG17_PROV_INJECTED, t);
}

static int do_replay(run_t *r, const sg17_action_t *a, sg17_time_t t)
{
    size_t n;
    Sg17__Envelope *const *caps =
        sg17_adversary_captured(r->adv, sg17_action_param(a, "capture"), &n);
    const char *cnt = sg17_action_param(a, "count");
    if (cnt && (size_t)strtoull(cnt, NULL, 10) < n)
        n = (size_t)strtoull(cnt, NULL, 10);
    if (n > (size_t)SG17_ACTION_MAX_EVENTS) /* bounded work, whatever validation let through */
        n = (size_t)SG17_ACTION_MAX_EVENTS;
    const char *after = sg17_action_param(a, "after");
    sg17_time_t spacing = after ? (sg17_time_t)strtoull(after, NULL, 10) : 0;
    sg17_entity_t dst = param_entity(r, a, "dst");
    const char *to = sg17_action_param(a, "to");
    for (size_t i = 0; i < n; i++) {
        Sg17__Envelope *env = sg17_envelope_copy(caps[i]);
        if (!env)
            return sg17_err(r->err, "out of memory");
        if (dst != SG17_NO_ENTITY)
            env->dst = dst;
        if ((to ? adversary_send_many(r, env, to, SG17_PROV_REPLAYED, t + spacing * i)
                : adversary_send(r, env, SG17_PROV_REPLAYED, t + spacing * i))
            < 0)
            return -1;
        sg17_metrics_add(r->metrics, "adversary.replayed", 1);
    }
    return 0;
}

/* One message of a flood, and the next one scheduled while the flood lasts. */
static int flood_tick(run_t *r, size_t index, sg17_time_t t)
{
    const sg17_action_t *a = &r->s->actions[index];
    const char *dur = sg17_action_param(a, "for");
    sg17_time_t end = a->at + (dur ? (sg17_time_t)strtoull(dur, NULL, 10) : 0);
    if (t >= end || r->flooded[index] >= (uint64_t)SG17_ACTION_MAX_EVENTS)
        return 0; /* over, or at the bound of one action's work */
    if (inject_from_params(r, a, t) < 0)
        return -1;
    r->flooded[index]++;
    sg17_metrics_add(r->metrics, "adversary.flooded", 1);
    const char *rate = sg17_action_param(a, "rate");
    double per_s = rate ? strtod(rate, NULL) : 100.0;
    if (!(per_s > 0))
        per_s = 100.0;
    sg17_time_t step = (sg17_time_t)llround(1e6 / per_s);
    sg17_event_t ev = {
        .time = t + (step ? step : 1), .seq = ++r->seq, .kind = SG17_EV_FLOOD, .tag = index};
    return sg17_queue_push(&r->queue, &ev);
}

static int do_action(run_t *r, batch_t *b, size_t index, sg17_time_t t, uint64_t seq)
{
    const sg17_action_t *a = &r->s->actions[index];
    switch (a->kind) {
    case SG17_ACTION_REPLAY:
        return do_replay(r, a, t);
    case SG17_ACTION_INJECT:
        sg17_metrics_add(r->metrics, "adversary.injected", 1);
        return inject_from_params(r, a, t);
    case SG17_ACTION_FLOOD:
        return flood_tick(r, index, t);
    case SG17_ACTION_COMPROMISE: {
        sg17_entity_t e = param_entity(r, a, "entity");
        if (e == SG17_NO_ENTITY)
            return sg17_err(r->err, "compromise: unknown entity");
        if (!r->compromised[e]) /* adversary.compromised counts entities, not actions */
            sg17_metrics_add(r->metrics, "adversary.compromised", 1);
        r->compromised[e] = 1;
        Sg17__Event *ev = batch_add(b, SG17__EVENT__KIND__COMPROMISE, t, seq);
        if (!ev)
            return sg17_err(r->err, "out of memory");
        ev->entity = e;
        attach_params(b, ev, a);
        return 0;
    }
    case SG17_ACTION_MODULE: {
        Sg17__Event *ev = batch_add(b, SG17__EVENT__KIND__ATTACK, t, seq);
        if (!ev)
            return sg17_err(r->err, "out of memory");
        ev->name = a->name;
        attach_params(b, ev, a);
        const char *cap = sg17_action_param(a, "capture");
        if (cap) {
            size_t n;
            Sg17__Envelope *const *caps = sg17_adversary_captured(r->adv, cap, &n);
            ev->captured = n ? malloc(n * sizeof *ev->captured) : NULL;
            ev->n_captured = ev->captured ? n : 0;
            for (size_t i = 0; i < ev->n_captured; i++)
                ev->captured[i] = caps[i];
        }
        return 0;
    }
    default: /* rules are applied as messages pass, not at a moment */
        return 0;
    }
}

/* Moves every event of the window [t, window_end) into the batch, in (time, seq) order. */
static int fill_window(run_t *r, batch_t *b, sg17_time_t window_end)
{
    const sg17_event_t *top;
    while ((top = sg17_queue_peek(&r->queue)) && top->time < window_end
           && top->time <= r->s->duration) {
        sg17_event_t ev;
        sg17_queue_pop(&r->queue, &ev);
        Sg17__Event *out;
        switch (ev.kind) {
        case SG17_EV_START:
            if (!batch_add(b, SG17__EVENT__KIND__START, ev.time, ev.seq))
                return sg17_err(r->err, "out of memory");
            break;
        case SG17_EV_DELIVER: {
            Sg17__Envelope *env = ev.ptr;
            sg17_ledger_set_fate(r->ledger, env->id, SG17_FATE_DELIVERED);
            if (r->trace && sg17_trace_delivered(r->trace, ev.time, env) < 0)
                return sg17_err(r->err, "out of memory");
            if (batch_deliver(b, env, ev.time) < 0)
                return sg17_err(r->err, "out of memory");
            break;
        }
        case SG17_EV_TIMER:
            out = batch_add(b, SG17__EVENT__KIND__TIMER, ev.time, ev.seq);
            if (!out)
                return sg17_err(r->err, "out of memory");
            out->entity = ev.entity;
            out->tag = ev.tag;
            sg17_metrics_add(r->metrics, "sim.timers", 1);
            break;
        case SG17_EV_ACTION:
            if (do_action(r, b, (size_t)ev.tag, ev.time, ev.seq) < 0)
                return -1;
            break;
        case SG17_EV_FLOOD:
            if (flood_tick(r, (size_t)ev.tag, ev.time) < 0)
                return -1;
            break;
        default:
            break;
        }
    }
    return 0;
}

/* Eight hex digits unique among the runs of this machine: the process id, the monotonic clock and
 * a counter, mixed (splitmix64 finaliser). Not secret and not part of any verdict. */
static void make_run_id(char out[9])
{
    static uint64_t counter;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    uint64_t x = ((uint64_t)getpid() << 32) ^ (uint64_t)t.tv_nsec ^ ((uint64_t)t.tv_sec << 20)
                 ^ (++counter * 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    snprintf(out, 9, "%08x", (unsigned)(x ^ (x >> 32)));
}

static int send_setup(run_t *r)
{
    char run_id[9];
    make_run_id(run_id);
    const sg17_scenario_t *s = r->s;
    Sg17__Setup setup = SG17__SETUP__INIT;
    setup.scenario = s->id;
    setup.run = (char *)sg17_arm_names[r->arm]; /* protobuf-c fields are not const; not written */
    setup.seed = s->seed;
    setup.duration = s->duration;
    setup.run_id = run_id;
    Sg17__EntityKind kinds[64], *kp[64];
    for (size_t i = 0; i < s->n_topology; i++) {
        sg17__entity_kind__init(&kinds[i]);
        kinds[i].kind = s->topology[i].kind;
        kinds[i].count = s->topology[i].count;
        kinds[i].first = r->world.first[i];
        kp[i] = &kinds[i];
    }
    setup.kinds = kp;
    setup.n_kinds = s->n_topology;
    Sg17__KeyValue *kv = calloc(s->n_config + 1, sizeof *kv);
    Sg17__KeyValue **kvp = calloc(s->n_config + 1, sizeof *kvp);
    /* mitigations on: the module's defaults, with those under test forced off or on */
    size_t n_m = 0;
    for (const sg17_mitigation_t *m = r->module->mitigations; m && m->name; m++)
        n_m++;
    char **on = calloc(n_m + 1, sizeof *on);
    if (!kv || !kvp || !on) {
        free(kv), free(kvp), free(on);
        return sg17_err(r->err, "out of memory");
    }
    for (size_t i = 0; i < s->n_config; i++) {
        sg17__key_value__init(&kv[i]);
        kv[i].key = s->config[i].key;
        kv[i].value = s->config[i].value;
        kvp[i] = &kv[i];
    }
    setup.config = kvp;
    setup.n_config = s->n_config;
    size_t n_on = 0;
    for (const sg17_mitigation_t *m = r->module->mitigations; m && m->name; m++) {
        bool under_test = false;
        for (size_t i = 0; i < s->n_mitigations; i++)
            under_test |= strcmp(s->mitigations[i], m->name) == 0;
        if (under_test ? r->arm == SG17_ARM_PROTECTED : m->default_on)
            on[n_on++] = (char *)m->name;
    }
    setup.mitigations_on = on;
    setup.n_mitigations_on = n_on;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_SETUP;
    f.setup = &setup;
    int rc = sg17_broker_send(r->broker, r->host, &f);
    r->frames++;
    free(kv);
    free(kvp);
    free(on);
    return rc < 0 ? send_failed(r, "cannot send setup to the module host") : 0;
}

/* The module's artifacts from its Done, for the report (at most 32, as the host allows; the text
 * bounded by SG17_ARTIFACT_MAX whatever a remote host sends). */
static void keep_artifacts(sg17_run_stats_t *st, const Sg17__Done *d)
{
    size_t n = d->n_artifacts < 32 ? d->n_artifacts : 32;
    st->artifact_name = calloc(n + 1, sizeof *st->artifact_name);
    st->artifact_text = calloc(n + 1, sizeof *st->artifact_text);
    for (size_t i = 0; st->artifact_name && st->artifact_text && i < n; i++) {
        const Sg17__KeyValue *kv = d->artifacts[i];
        if (!kv->key || !kv->value)
            continue;
        size_t len = strnlen(kv->value, SG17_ARTIFACT_MAX);
        char *name = strdup(kv->key), *text = malloc(len + 1);
        if (!name || !text) {
            free(name), free(text);
            break;
        }
        memcpy(text, kv->value, len);
        text[len] = 0;
        st->artifact_name[st->n_artifacts] = name;
        st->artifact_text[st->n_artifacts++] = text;
    }
}

static int finish_run(run_t *r)
{
    Sg17__Finish fin = SG17__FINISH__INIT;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_FINISH;
    f.finish = &fin;
    if (sg17_broker_send(r->broker, r->host, &f) < 0)
        return send_failed(r, "cannot reach the module host");
    sg17_frame_t *done = recv_answer(r, waiting_metrics);
    if (!done)
        return -1;
    r->frames += 2;
    int rc = 0;
    if (done->body_case == SG17__FRAME__BODY_OUTPUT && done->output->error && *done->output->error)
        rc = sg17_err(r->err, "module %s: %s", r->module->name,
                      done->output->error); /* failed run */
    else if (done->body_case != SG17__FRAME__BODY_DONE)
        rc = sg17_err(r->err, "module host answered finish with something else");
    else {
        for (size_t i = 0; i < done->done->n_metrics; i++) {
            const Sg17__Metric *m = done->done->metrics[i];
            if (sg17_metric_reserved(m->name)) /* the core's facts are not the host's to report */
                sg17_metrics_add(r->metrics, "bus.report_anomalies", 1);
            else
                sg17_metrics_add(r->metrics, m->name, m->value);
        }
        keep_artifacts(r->stats, done->done);
    }
    sg17_frame_free(&done);
    return rc;
}

void sg17_run_stats_release(sg17_run_stats_t *stats)
{
    for (size_t i = 0; i < stats->n_artifacts; i++)
        free(stats->artifact_name[i]), free(stats->artifact_text[i]);
    free(stats->artifact_name), free(stats->artifact_text);
    stats->artifact_name = stats->artifact_text = NULL;
    stats->n_artifacts = 0;
}

static sg17_time_t min_latency(const sg17_scenario_t *s)
{
    sg17_time_t l = s->latency;
    for (size_t i = 0; i < s->n_links; i++)
        if (s->links[i].latency < l)
            l = s->links[i].latency;
    return l ? l : 1;
}

int sg17_run_once(sg17_broker_t *broker, int host, const sg17_scenario_t *s,
                  const sg17_module_t *module, sg17_arm_t arm, sg17_metrics_t *metrics,
                  sg17_run_stats_t *stats, sg17_err_t *err)
{
    return sg17_run_once_traced(broker, host, s, module, arm, metrics, stats, NULL, err);
}

int sg17_run_once_traced(sg17_broker_t *broker, int host, const sg17_scenario_t *s,
                         const sg17_module_t *module, sg17_arm_t arm, sg17_metrics_t *metrics,
                         sg17_run_stats_t *stats, const char *trace_path, sg17_err_t *err)
{
    /* the control run is the scenario without its adversary: with no actions there are no rules
     * for the adversary to apply, nothing to inject or replay, no attack and no compromise */
    sg17_scenario_t without_adversary;
    if (arm == SG17_ARM_CONTROL) {
        without_adversary = *s;
        without_adversary.actions = NULL;
        without_adversary.n_actions = 0;
        s = &without_adversary;
    }
    run_t r = {.broker = broker,
               .host = host,
               .s = s,
               .module = module,
               .arm = arm,
               .metrics = metrics,
               .stats = stats,
               .timeout_ms = (int)(s->timeout_s * 1000),
               .started_ms = sg17_mono_ms(),
               .err = err};
    memset(stats, 0, sizeof *stats);
    if (sg17_world_init(&r.world, s) < 0)
        return sg17_err(err, "%s: topology too large", s->id);
    r.lookahead = min_latency(s);
    sg17_rng_seed(&r.net_rng, s->seed, 2);
    r.ledger = sg17_ledger_new();
    r.trace = trace_path ? sg17_trace_new() : NULL;
    r.adv = sg17_adversary_new(s, &r.world);
    r.compromised = calloc(r.world.n_entities + 1, 1);
    r.flooded = calloc(s->n_actions + 1, sizeof *r.flooded);
    uint64_t malformed0 = sg17_broker_malformed(broker);
    batch_t b = {0};
    int rc = (!r.ledger || !r.adv || !r.compromised || !r.flooded || (trace_path && !r.trace))
                 ? sg17_err(err, "out of memory")
                 : send_setup(&r);

    sg17_event_t start = {.time = 0, .seq = ++r.seq, .kind = SG17_EV_START};
    if (rc == 0)
        rc = sg17_queue_push(&r.queue, &start);
    for (size_t i = 0; rc == 0 && i < s->n_actions; i++) {
        sg17_event_t ev = {
            .time = s->actions[i].at, .seq = ++r.seq, .kind = SG17_EV_ACTION, .tag = i};
        rc = sg17_queue_push(&r.queue, &ev);
    }
    const sg17_event_t *top;
    size_t next_action = 0; /* first scenario action not yet due */
    while (rc == 0 && (top = sg17_queue_peek(&r.queue)) && top->time <= s->duration) {
        sg17_time_t window_end = top->time + r.lookahead;
        /* an action opens a window of its own: it then sees every send made before it (captures
         * to replay, the entity it compromises), and the host learns of it before it runs any
         * event at or after its time */
        while (next_action < s->n_actions && s->actions[next_action].at <= top->time)
            next_action++;
        if (next_action < s->n_actions && s->actions[next_action].at < window_end)
            window_end = s->actions[next_action].at;
        rc = fill_window(&r, &b, window_end);
        if (rc == 0 && batch_size(&b)) {
            rc = batch_send(&r, &b, window_end);
            batch_reset(&b);
            if (rc == 0)
                rc = process_output(&r);
        } else {
            batch_reset(&b);
        }
        if (rc == 0)
            rc = check_timeout(&r, NULL);
        if (rc == 0 && zsys_interrupted)
            rc = sg17_err(err, "interrupted");
    }
    if (rc == 0)
        rc = finish_run(&r);
    if (rc == 0) {
        sg17_ledger_metrics(r.ledger, metrics, module->reasons);
        sg17_metrics_add(metrics, "bus.malformed",
                         (double)(sg17_broker_malformed(broker) - malformed0));
        sg17_metrics_add(metrics, "bus.frames", (double)r.frames);
        sg17_metrics_add(metrics, "sim.events", (double)stats->events);
        sg17_metrics_add(metrics, "sim.virtual_seconds", (double)s->duration / 1e6);
    }
    if (rc == 0 && r.trace)
        rc = sg17_trace_write(r.trace, trace_path, r.ledger, &r.world, module, err);
    sg17_trace_destroy(&r.trace);
    stats->wall_ms = sg17_mono_ms() - r.started_ms;
    batch_free(&b);
    sg17_queue_clear(&r.queue, drop_event);
    sg17_adversary_destroy(&r.adv);
    sg17_ledger_destroy(&r.ledger);
    free(r.compromised);
    free(r.flooded);
    return rc;
}
