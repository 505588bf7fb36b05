/* host.c — the module host: runs one module instance for the broker, a batch of events at a time
 * (after host_check.c has checked the frame against the module's descriptor), and implements the
 * module SDK's service table (sg17_api_t) on top of that. */
#include "bus/host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/host_internal.h"
#include "module/config.h"
#include "module/descriptor.h"

static host_t *host_of(sg17_ctx_t *ctx)
{
    return (host_t *)ctx;
}

/* Returns arr grown to hold need elements (arr itself when it already does), or NULL with arr
 * and *cap untouched. */
static void *grow_array(void *arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return arr;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *p = realloc(arr, n * elem);
    if (p)
        *cap = n;
    return p;
}

/* Ends the run in error with the first failure's message (later ones would only be its
 * consequences). The arguments may point into h->error. */
void sg17_host_fail(host_t *h, const char *fmt, ...)
{
    if (h->failed)
        return;
    char msg[sizeof h->error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    memcpy(h->error, msg, sizeof msg);
    h->failed = true;
}

/* ---- topology ---- */

static const Sg17__EntityKind *kind_of(host_t *h, sg17_entity_t e)
{
    return e < h->n_entities ? h->setup->kinds[h->entity_kind[e]] : NULL;
}

/* The module's declaration of e's kind (its handlers); e is an entity of this run. */
static const sg17_entity_kind_t *decl_of(host_t *h, sg17_entity_t e)
{
    return h->kind_decl[h->entity_kind[e]];
}

static sg17_time_t api_now(sg17_ctx_t *ctx)
{
    return host_of(ctx)->now;
}
static uint64_t api_rand_u64(sg17_ctx_t *ctx)
{
    return sg17_rng_next(&host_of(ctx)->rng);
}

static unsigned api_count(sg17_ctx_t *ctx, const char *kind)
{
    host_t *h = host_of(ctx);
    int k = sg17_topo_find(h->topo, h->setup->n_kinds, kind, strlen(kind));
    return k < 0 ? 0 : h->topo[k].count;
}

static sg17_entity_t api_entity(sg17_ctx_t *ctx, const char *kind, unsigned index)
{
    host_t *h = host_of(ctx);
    int k = sg17_topo_find(h->topo, h->setup->n_kinds, kind, strlen(kind));
    return k < 0 ? SG17_NO_ENTITY : sg17_topo_entity(&h->topo[k], index);
}

static const char *api_entity_name(sg17_ctx_t *ctx, sg17_entity_t e)
{
    host_t *h = host_of(ctx);
    if (e >= h->n_entities)
        return "adversary";
    if (!h->names) {
        h->names = calloc(h->n_entities, sizeof *h->names);
        if (!h->names)
            return "?";
    }
    if (!h->names[e]) {
        char buf[160];
        h->names[e] = strdup(sg17_topo_name(h->topo, h->setup->n_kinds, e, buf, sizeof buf));
    }
    return h->names[e] ? h->names[e] : "?";
}

static const char *api_entity_kind(sg17_ctx_t *ctx, sg17_entity_t e)
{
    const Sg17__EntityKind *k = kind_of(host_of(ctx), e);
    return k ? k->kind : "";
}

static unsigned api_entity_index(sg17_ctx_t *ctx, sg17_entity_t e)
{
    const Sg17__EntityKind *k = kind_of(host_of(ctx), e);
    return k ? e - k->first : 0;
}

/* ---- traffic ---- */

/* Queues a send for the Output: the envelope set copies the payload and keeps a pointer to the
 * type, so the type is the run's interned copy (or, past HOST_MAX_TYPES, one made for this send
 * and freed with the Output). */
static int queue_send(host_t *h, sg17_entity_t src, sg17_entity_t dst, const char *type,
                      const void *payload, size_t len, bool injected)
{
    if (dst >= h->n_entities) {
        sg17_host_fail(h, "send to unknown entity %u", dst);
        return -1;
    }
    if (!type || (!payload && len)) {
        sg17_host_fail(h, "send with no %s", type ? "payload" : "message type");
        return -1;
    }
    const host_type_t *t = sg17_host_type(h, type);
    char *name = t ? t->name : NULL;
    if (!t) {
        void **bufs = grow_array(h->send_bufs, &h->cap_bufs, h->n_bufs + 1, sizeof *h->send_bufs);
        if (bufs)
            h->send_bufs = bufs;
        if (!bufs || !(name = strdup(type))) {
            sg17_host_fail(h, "out of memory");
            return -1;
        }
        h->send_bufs[h->n_bufs++] = name;
    }
    Sg17__Envelope env = SG17__ENVELOPE__INIT;
    env.src = src;
    env.dst = dst;
    env.type = name;
    env.sent_at = h->now;
    env.payload.data = (uint8_t *)(uintptr_t)payload; /* only read: the set copies it */
    env.payload.len = len;
    if (sg17_envcols_add(&h->sends, &env, h->now, injected) < 0) {
        sg17_host_fail(h, "out of memory");
        return -1;
    }
    return 0;
}

static int api_send(sg17_ctx_t *ctx, sg17_entity_t src, sg17_entity_t dst, const char *type,
                    const void *payload, size_t len)
{
    host_t *h = host_of(ctx);
    if (src >= h->n_entities) {
        sg17_host_fail(h, "send from unknown entity %u", src);
        return -1;
    }
    return queue_send(h, src, dst, type, payload, len, false);
}

/* One transmission to n receivers: queued as one envelope to dsts[0] that fans out to the rest
 * (sg17.Envelopes.fanout), so its payload crosses the bus once. No receivers: nothing is sent. */
static int api_send_many(sg17_ctx_t *ctx, sg17_entity_t src, const sg17_entity_t *dsts, size_t n,
                         const char *type, const void *payload, size_t len)
{
    host_t *h = host_of(ctx);
    if (src >= h->n_entities) {
        sg17_host_fail(h, "send from unknown entity %u", src);
        return -1;
    }
    if (n == 0)
        return 0;
    if (!dsts || n - 1 > SG17_MAX_FANOUT) {
        sg17_host_fail(h, "send_many to %zu receivers (at most %u)", n, SG17_MAX_FANOUT + 1);
        return -1;
    }
    for (size_t i = 1; i < n; i++)
        if (dsts[i] >= h->n_entities) {
            sg17_host_fail(h, "send to unknown entity %u", dsts[i]);
            return -1;
        }
    if (queue_send(h, src, dsts[0], type, payload, len, false) < 0)
        return -1;
    if (sg17_envcols_fan_out(&h->sends, dsts + 1, n - 1) < 0) {
        sg17_host_fail(h, "out of memory");
        return -1;
    }
    return 0;
}

static int api_inject(sg17_ctx_t *ctx, sg17_entity_t claimed_src, sg17_entity_t dst,
                      const char *type, const void *payload, size_t len)
{
    host_t *h = host_of(ctx);
    if (!h->in_attack) {
        sg17_host_fail(h, "sg17_inject called outside an attack hook");
        return -1;
    }
    if (claimed_src != SG17_NO_ENTITY && claimed_src >= h->n_entities) {
        sg17_host_fail(h, "inject claiming unknown entity %u", claimed_src);
        return -1;
    }
    return queue_send(h, claimed_src, dst, type, payload, len, true);
}

static int api_timer(sg17_ctx_t *ctx, sg17_entity_t e, sg17_time_t delay, uint64_t tag)
{
    host_t *h = host_of(ctx);
    if (e >= h->n_entities) {
        sg17_host_fail(h, "timer for unknown entity %u", e);
        return -1;
    }
    if (!decl_of(h, e)->on_timer) {
        sg17_host_fail(h, "timer for %s, whose kind has no on_timer handler",
                       api_entity_name(ctx, e));
        return -1;
    }
    if (delay > UINT64_MAX - h->now) {
        sg17_host_fail(h, "timer of %s beyond the end of virtual time", api_entity_name(ctx, e));
        return -1;
    }
    sg17_time_t at = h->now + delay;
    if (at < h->window_end) { /* fires inside this window: keep it local, in order */
        local_timer_t *local = grow_array(h->local, &h->cap_local, h->n_local + 1, sizeof *local);
        if (!local) {
            sg17_host_fail(h, "out of memory");
            return -1;
        }
        h->local = local;
        h->local[h->n_local++] = (local_timer_t){at, h->local_order++, e, tag};
        return 0;
    }
    Sg17__Timer *items =
        grow_array(h->timer_items, &h->cap_timers, h->n_timers + 1, sizeof *h->timer_items);
    if (!items) {
        sg17_host_fail(h, "out of memory");
        return -1;
    }
    h->timer_items = items;
    Sg17__Timer *t = &items[h->n_timers++];
    sg17__timer__init(t);
    t->entity = e;
    t->time = at;
    t->tag = tag;
    return 0;
}

/* Queues the report on msg for the Output. reason (only when rejected) lives as long as the host:
 * the module's declared reason or a core constant. */
static void add_report(host_t *h, const sg17_msg_t *msg, bool accepted, const char *reason)
{
    Sg17__Report *items =
        grow_array(h->report_items, &h->cap_reports, h->n_reports + 1, sizeof *h->report_items);
    if (!items) {
        sg17_host_fail(h, "out of memory");
        return;
    }
    h->report_items = items;
    Sg17__Report *r = &items[h->n_reports++];
    sg17__report__init(r);
    r->id = msg->id;
    r->accepted = accepted;
    r->reason = (char *)(uintptr_t)(accepted || !reason ? "" : reason); /* packed, not written */
}

/* sg17_accept / sg17_reject: a rejection gives a reason the module declares (as the mock context
 * requires), or the run ends in error: an undeclared reason would reach the ledger's metrics as a
 * name no scenario can be checked against. */
static void api_report(sg17_ctx_t *ctx, const sg17_msg_t *msg, bool accepted, const char *reason)
{
    host_t *h = host_of(ctx);
    const sg17_reason_t *declared = NULL;
    if (!accepted && (!reason || !(declared = sg17_module_reason(h->module, reason)))) {
        sg17_host_fail(h,
                       "sg17_reject of message %llu with reason '%s', which module %s does not "
                       "declare (add it to the descriptor's reasons)",
                       (unsigned long long)msg->id, reason ? reason : "(null)", h->module->name);
        return;
    }
    add_report(h, msg, accepted, declared ? declared->name : NULL);
}

static void api_metric_add(sg17_ctx_t *ctx, const char *name, double delta)
{
    host_t *h = host_of(ctx);
    sg17_metrics_add_id(h->metrics, sg17_host_module_metric(h, name), delta);
}

static void api_metric_set(sg17_ctx_t *ctx, const char *name, double value)
{
    host_t *h = host_of(ctx);
    sg17_metrics_set_id(h->metrics, sg17_host_module_metric(h, name), value);
}

static bool api_compromised(sg17_ctx_t *ctx, sg17_entity_t e)
{
    host_t *h = host_of(ctx);
    return e < h->n_entities && h->compromised && h->compromised[e];
}

static const char *api_param(const sg17_params_t *p, const char *name)
{
    for (size_t i = 0; i < p->n_kv; i++)
        if (strcmp(p->kv[i]->key, name) == 0)
            return p->kv[i]->value;
    return NULL;
}

static size_t api_captured_count(const sg17_params_t *p)
{
    return p->n_captured;
}

static const sg17_msg_t *api_captured(const sg17_params_t *p, size_t i)
{
    return i < p->n_captured ? &p->captured[i] : NULL;
}

/* The module's last line is the reason its hook failed (see create and an attack's run), unless the
 * run already failed for a reason of its own. */
static void api_log(sg17_ctx_t *ctx, const char *fmt, va_list ap)
{
    host_t *h = host_of(ctx);
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    if (!h->failed)
        snprintf(h->error, sizeof h->error, "%s", line);
    if (h->verbose)
        fprintf(stderr, "[%s %s t=%.3fs] %s\n", h->module->name, h->setup ? h->setup->run : "",
                (double)h->now / 1e6, line);
}

#define MAX_ARTIFACTS 32

static void artifacts_clear(host_t *h)
{
    for (size_t i = 0; i < h->n_artifacts; i++)
        free(h->artifact_name[i]), free(h->artifact_text[i]);
    free(h->artifact_name), free(h->artifact_text);
    h->artifact_name = h->artifact_text = NULL;
    h->n_artifacts = 0;
}

static bool artifact_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9')
              || name[i] == '_' || name[i] == '.' || name[i] == '-'))
            return false;
    return true;
}

/* A named text for the report, kept until Done; the same name again replaces it. */
static void api_artifact(sg17_ctx_t *ctx, const char *name, const char *text)
{
    host_t *h = host_of(ctx);
    if (!artifact_name_ok(name)) {
        sg17_host_fail(h, "module %s named an artifact '%.80s': expected 1 to 64 of a-z 0-9 _ . -",
                       h->module->name, name ? name : "(null)");
        return;
    }
    size_t len = text ? strnlen(text, SG17_ARTIFACT_MAX) : 0, i = 0;
    while (i < h->n_artifacts && strcmp(h->artifact_name[i], name) != 0)
        i++;
    if (i == h->n_artifacts && i == MAX_ARTIFACTS) {
        sg17_host_fail(h, "module %s made more than %d artifacts", h->module->name, MAX_ARTIFACTS);
        return;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        sg17_host_fail(h, "out of memory");
        return;
    }
    memcpy(copy, text ? text : "", len);
    copy[len] = 0;
    if (i < h->n_artifacts) {
        free(h->artifact_text[i]);
        h->artifact_text[i] = copy;
        return;
    }
    char **names = realloc(h->artifact_name, (i + 1) * sizeof *names);
    if (names)
        h->artifact_name = names;
    char **texts = names ? realloc(h->artifact_text, (i + 1) * sizeof *texts) : NULL;
    if (texts)
        h->artifact_text = texts;
    char *name_copy = texts ? strdup(name) : NULL;
    if (!name_copy) {
        free(copy);
        sg17_host_fail(h, "out of memory");
        return;
    }
    h->artifact_name[i] = name_copy;
    h->artifact_text[i] = copy;
    h->n_artifacts++;
}

static bool run_id_ok(const char *id)
{
    if (!id || strlen(id) != 8)
        return false;
    for (const char *c = id; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return false;
    return true;
}

static const char *api_run_id(sg17_ctx_t *ctx)
{
    const host_t *h = host_of(ctx);
    return h->setup && h->setup->run_id ? h->setup->run_id : "";
}

static const sg17_api_t host_api = {
    SG17_API_HEADER,
    .now = api_now,
    .rand_u64 = api_rand_u64,
    .count = api_count,
    .entity = api_entity,
    .entity_name = api_entity_name,
    .entity_kind = api_entity_kind,
    .entity_index = api_entity_index,
    .send = api_send,
    .send_many = api_send_many,
    .timer = api_timer,
    .report = api_report,
    .metric_add = api_metric_add,
    .metric_set = api_metric_set,
    .inject = api_inject,
    .compromised = api_compromised,
    .param = api_param,
    .captured_count = api_captured_count,
    .captured = api_captured,
    .log = api_log,
    .artifact = api_artifact,
    .run_id = api_run_id,
};

/* ---- run lifecycle ---- */

static void host_reset_output(host_t *h)
{
    for (size_t i = 0; i < h->n_bufs; i++)
        free(h->send_bufs[i]);
    h->n_bufs = 0;
    sg17_envcols_clear(&h->sends);
    h->n_timers = h->n_reports = 0;
}

static void host_end_run(host_t *h)
{
    if (h->instance && h->module->destroy)
        h->module->destroy(h->instance);
    h->instance = NULL;
    sg17_config_free(h->config);
    h->config = NULL;
    free(h->entity_kind);
    h->entity_kind = NULL;
    free(h->kind_decl);
    h->kind_decl = NULL;
    free(h->topo);
    h->topo = NULL;
    if (h->names)
        for (uint32_t i = 0; i < h->n_entities; i++)
            free(h->names[i]);
    free(h->names);
    h->names = NULL;
    free(h->compromised);
    h->compromised = NULL;
    h->n_entities = 0;
    sg17_frame_free(&h->setup_frame);
    h->setup = NULL;
    sg17_metrics_destroy(&h->metrics);
    artifacts_clear(h);
    host_reset_output(h);
    sg17_host_types_clear(h); /* after the Output, which points at them */
    h->n_local = 0;
}

static double elapsed_us(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e6 + (double)(b.tv_nsec - a->tv_nsec) / 1e3;
}

/* Precomputes each entity's kind (an index into setup->kinds) and each setup kind's declaration,
 * so a delivery or a timer is dispatched to its kind's handler without comparing names. The
 * kinds are already checked (declared, distinct, consecutive ids). 0, or -1 after host_fail. */
static int host_index_kinds(host_t *h)
{
    const Sg17__Setup *s = h->setup;
    h->entity_kind = calloc(h->n_entities ? h->n_entities : 1, sizeof *h->entity_kind);
    h->kind_decl = calloc(s->n_kinds ? s->n_kinds : 1, sizeof *h->kind_decl);
    h->topo = calloc(s->n_kinds ? s->n_kinds : 1, sizeof *h->topo);
    if (!h->entity_kind || !h->kind_decl || !h->topo) {
        sg17_host_fail(h, "out of memory for %u entities", h->n_entities);
        return -1;
    }
    for (size_t i = 0; i < s->n_kinds; i++) {
        h->kind_decl[i] = sg17_module_kind(h->module, s->kinds[i]->kind);
        h->topo[i] = (sg17_topo_kind_t){s->kinds[i]->kind, s->kinds[i]->count, s->kinds[i]->first};
        for (uint32_t e = 0; e < s->kinds[i]->count; e++)
            h->entity_kind[s->kinds[i]->first + e] = (uint16_t)i;
    }
    return 0;
}

/* The config source of module/config.h over the run's Setup (already checked). */
static const char *setup_value(void *arg, const char *key)
{
    const host_t *h = arg;
    for (size_t i = 0; i < h->setup->n_config; i++)
        if (strcmp(h->setup->config[i]->key, key) == 0)
            return h->setup->config[i]->value;
    return NULL;
}

static bool setup_mitigation_on(void *arg, const char *name)
{
    const host_t *h = arg;
    for (size_t i = 0; i < h->setup->n_mitigations_on; i++)
        if (strcmp(h->setup->mitigations_on[i], name) == 0)
            return true;
    return false;
}

static sg17_entity_t setup_entity(void *arg, const char *kind, size_t len, unsigned index)
{
    const host_t *h = arg;
    for (size_t i = 0; i < h->setup->n_kinds; i++) {
        const Sg17__EntityKind *k = h->setup->kinds[i];
        if (strlen(k->kind) == len && strncmp(k->kind, kind, len) == 0)
            return index < k->count ? k->first + index : SG17_NO_ENTITY;
    }
    return SG17_NO_ENTITY;
}

/* Starts a run from its Setup frame (kept until the run ends). A Setup the checks refuse leaves
 * the run failed without an instance: the next Output carries the error. */
static void host_begin_run(host_t *h, sg17_frame_t *frame)
{
    host_end_run(h);
    h->setup_frame = frame;
    h->setup = frame->setup;
    h->failed = false;
    h->error[0] = '\0';
    h->now = 0;
    h->window_end = 0;
    h->metrics = sg17_metrics_new();
    h->cost_handlers = h->cost_start = h->cost_timer = h->cost_attack = COST_UNSET;
    memset(h->metric_cache, 0, sizeof h->metric_cache);
    if (!h->metrics) {
        sg17_host_fail(h, "out of memory");
        return;
    }
    if (!run_id_ok(h->setup->run_id)) {
        sg17_host_fail(h, "the Setup's run_id is not 8 lower-case hex digits");
        return;
    }
    if (sg17_host_check_kinds(h) < 0 || sg17_host_check_config(h) < 0 || host_index_kinds(h) < 0)
        return;
    h->compromised = calloc(h->n_entities ? h->n_entities : 1, 1);
    if (!h->compromised) {
        sg17_host_fail(h, "out of memory for %u entities", h->n_entities);
        return;
    }
    char why[256];
    sg17_config_source_t src = {setup_value, setup_mitigation_on, setup_entity, h};
    h->config = sg17_config_build(h->module, &src, why, sizeof why);
    if (!h->config) {
        sg17_host_fail(h, "module %s: %s", h->module->name, why);
        return;
    }
    sg17_rng_seed(&h->rng, h->setup->seed, 1);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    h->instance = h->module->create ? h->module->create(&h->ctx, h->config) : NULL;
    if (!h->instance && h->module->create)
        sg17_host_fail(h, "module %s failed to create an instance: %s", h->module->name,
                       h->error[0] ? h->error : "no reason given");
    sg17_metrics_add(h->metrics, "cost.create.us", elapsed_us(&t0));
}

/* Fills p from an event's parameters and captured envelopes (already checked). Returns 0 or -1
 * after host_fail. */
static int fill_params(host_t *h, sg17_params_t *p, const Sg17__Event *ev)
{
    p->kv = ev->params;
    p->n_kv = ev->n_params;
    p->n_captured = ev->n_captured;
    p->captured = ev->n_captured ? calloc(ev->n_captured, sizeof *p->captured) : NULL;
    if (ev->n_captured && !p->captured) {
        sg17_host_fail(h, "out of memory for %zu captured envelopes", ev->n_captured);
        return -1;
    }
    for (size_t i = 0; i < p->n_captured; i++) {
        const Sg17__Envelope *e = ev->captured[i];
        p->captured[i] = (sg17_msg_t){.id = e->id,
                                      .dst = e->dst,
                                      .claimed_src = e->src,
                                      .type = e->type,
                                      .payload = e->payload.data,
                                      .len = e->payload.len,
                                      .sent_at = e->sent_at};
    }
    return 0;
}

/* The handler's time since t0 into metric id and into cost.handlers.us. */
static void add_cost(host_t *h, int id, const struct timespec *t0)
{
    double us = elapsed_us(t0);
    sg17_metrics_add_id(h->metrics, id, us);
    sg17_metrics_add_id(h->metrics, sg17_host_cost_id(h, &h->cost_handlers, "cost.handlers.us"),
                        us);
}

/* Delivers envelope i of the batch to the module, timing the handler into cost.* metrics. */
static void host_deliver(host_t *h, const Sg17__Envelopes *cols, size_t i)
{
    Sg17__Envelope e;
    sg17_envcols_get(cols, i, &e);
    if (!sg17_host_entity_ok(h, e.dst, "a delivery's destination")
        || !sg17_host_source_ok(h, e.src, "a delivery's claimed source"))
        return;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sg17_msg_t msg = {.id = e.id,
                      .dst = e.dst,
                      .claimed_src = e.src,
                      .type = e.type,
                      .payload = e.payload.data,
                      .len = e.payload.len,
                      .sent_at = e.sent_at};
    const sg17_entity_kind_t *kind = decl_of(h, e.dst);
    if (kind->on_message) /* the entity's kind handles it */
        kind->on_message(h->instance, &h->ctx, &msg);
    else /* a kind that receives nothing: the core rejects it on the entity's behalf */
        add_report(h, &msg, false, SG17_REASON_NO_RECEIVER);
    add_cost(h, sg17_host_message_cost_id(h, cols, i), &t0);
}

/* Runs one event through the module, timing the handler into cost.* metrics. */
static void host_dispatch(host_t *h, const Sg17__Event *ev)
{
    const sg17_module_t *m = h->module;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int *cost;
    const char *cost_name;
    switch (ev->kind) {
    case SG17__EVENT__KIND__START:
        if (m->start)
            m->start(h->instance, &h->ctx);
        cost = &h->cost_start, cost_name = "cost.start.us";
        break;
    case SG17__EVENT__KIND__TIMER:
        if (!sg17_host_entity_ok(h, ev->entity, "a timer"))
            return;
        if (!decl_of(h, ev->entity)->on_timer) {
            sg17_host_fail(h, "a timer for %s fired, but its kind has no on_timer handler",
                           api_entity_name(&h->ctx, ev->entity));
            return;
        }
        decl_of(h, ev->entity)->on_timer(h->instance, &h->ctx, ev->entity, ev->tag);
        cost = &h->cost_timer, cost_name = "cost.timer.us";
        break;
    case SG17__EVENT__KIND__ATTACK:
    case SG17__EVENT__KIND__COMPROMISE: {
        bool compromise = ev->kind == SG17__EVENT__KIND__COMPROMISE;
        const sg17_attack_t *attack;
        if ((compromise && !sg17_host_entity_ok(h, ev->entity, "a compromise"))
            || sg17_host_check_params(h, ev, &attack) < 0)
            return;
        sg17_params_t p;
        if (fill_params(h, &p, ev) < 0)
            return;
        h->in_attack = true;
        if (compromise) {
            h->compromised[ev->entity] = 1;
            if (m->on_compromise)
                m->on_compromise(h->instance, &h->ctx, ev->entity, &p);
        } else if (!attack
                        ->run) { /* the loader refuses this; a descriptor given directly may not */
            sg17_host_fail(h, "attack '%s' failed: it has no run handler", ev->name);
        } else {
            h->error[0] = '\0'; /* the handler's own sg17_log line says why it failed */
            if (attack->run(h->instance, &h->ctx, &p) < 0)
                sg17_host_fail(h, "attack '%s' failed: %s", ev->name,
                               h->error[0] ? h->error : "no reason given");
        }
        h->in_attack = false;
        free(p.captured);
        cost = &h->cost_attack, cost_name = "cost.attack.us";
        break;
    }
    default:
        return;
    }
    add_cost(h, sg17_host_cost_id(h, cost, cost_name), &t0);
}

static int local_before(const local_timer_t *a, const local_timer_t *b)
{
    return a->time < b->time || (a->time == b->time && a->order < b->order);
}

/* Pops the earliest local timer (small arrays: a linear scan is enough). */
static local_timer_t local_pop(host_t *h)
{
    size_t best = 0;
    for (size_t i = 1; i < h->n_local; i++)
        if (local_before(&h->local[i], &h->local[best]))
            best = i;
    local_timer_t t = h->local[best];
    h->local[best] = h->local[--h->n_local];
    return t;
}

static size_t local_min(const host_t *h)
{
    size_t best = 0;
    for (size_t i = 1; i < h->n_local; i++)
        if (local_before(&h->local[i], &h->local[best]))
            best = i;
    return best;
}

/* Processes a batch in (time, seq) order: its events and its deliveries (a delivery's seq is its
 * envelope id), interleaving timers armed inside the window. */
static void host_run_batch(host_t *h, const Sg17__Batch *batch)
{
    h->window_end = batch->window_end;
    h->n_local = 0;
    const Sg17__Envelopes *dl = batch->deliveries;
    size_t i = 0, d = 0, n_deliveries = sg17_envcols_size(dl);
    if (n_deliveries) { /* each type's cost metric found once per batch */
        int *bc = grow_array(h->batch_cost, &h->cap_batch_cost, dl->n_types, sizeof *bc);
        if (bc)
            h->batch_cost = bc;
        for (size_t k = 0; k < dl->n_types && k < h->cap_batch_cost; k++)
            h->batch_cost[k] = COST_UNSET;
    }
    while (!h->failed && (i < batch->n_events || d < n_deliveries || h->n_local)) {
        /* the earlier of the next event and the next delivery */
        bool have_event = i < batch->n_events, have_delivery = d < n_deliveries;
        bool take_delivery = have_delivery;
        if (have_event && have_delivery) {
            const Sg17__Event *ev = batch->events[i];
            take_delivery =
                dl->time[d] < ev->time || (dl->time[d] == ev->time && dl->id[d] < ev->seq);
        }
        sg17_time_t next = take_delivery ? dl->time[d] : have_event ? batch->events[i]->time : 0;
        bool take_local = false;
        if (h->n_local) {
            const local_timer_t *lt = &h->local[local_min(h)];
            take_local = !(have_event || have_delivery) || lt->time < next;
        }
        if (take_local) {
            local_timer_t lt = local_pop(h);
            Sg17__Event ev = SG17__EVENT__INIT;
            ev.kind = SG17__EVENT__KIND__TIMER;
            ev.time = lt.time;
            ev.entity = lt.entity;
            ev.tag = lt.tag;
            h->now = lt.time;
            host_dispatch(h, &ev);
        } else {
            if (next > h->now)
                h->now = next;
            if (take_delivery)
                host_deliver(h, dl, d++);
            else
                host_dispatch(h, batch->events[i++]);
        }
    }
}

/* Answers with the Output built so far (and the run's error, if it failed), then empties it. */
static int send_output(host_t *h, sg17_host_reply_fn *reply, void *arg)
{
    Sg17__Timer **timers =
        grow_array(h->timers, &h->cap_timer_ptrs, h->n_timers + 1, sizeof *h->timers);
    if (timers)
        h->timers = timers;
    Sg17__Report **reports =
        grow_array(h->reports, &h->cap_report_ptrs, h->n_reports + 1, sizeof *h->reports);
    if (reports)
        h->reports = reports;
    if (!timers || !reports) {
        sg17_host_fail(h, "out of memory");
        h->n_timers = h->n_reports = 0;
    }
    for (size_t i = 0; i < h->n_timers; i++)
        h->timers[i] = &h->timer_items[i];
    for (size_t i = 0; i < h->n_reports; i++)
        h->reports[i] = &h->report_items[i];
    Sg17__Output out = SG17__OUTPUT__INIT;
    if (sg17_envcols_count(&h->sends))
        out.sends = &h->sends.cols;
    out.timers = h->timers;
    out.n_timers = h->n_timers;
    out.reports = h->reports;
    out.n_reports = h->n_reports;
    out.error = h->failed ? h->error : "";
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_OUTPUT;
    f.output = &out;
    int rc = reply ? reply(&f, arg) : 0;
    host_reset_output(h);
    return rc;
}

typedef struct {
    Sg17__Metric *items;
    Sg17__Metric **ptrs;
    size_t n;
} metric_list_t;

static void collect_metric(const char *name, double value, void *arg)
{
    metric_list_t *l = arg;
    Sg17__Metric *m = &l->items[l->n];
    sg17__metric__init(m);
    m->name = (char *)name;
    m->value = value;
    m->absolute = true;
    l->ptrs[l->n++] = m;
}

/* Ends the run: the module's finish, then a Done with the metrics, or, when the run failed (in
 * finish, say, by reporting a core metric), an Output with the error, which the broker takes as
 * the run's error since Done has no error field. */
static int send_done(host_t *h, sg17_host_reply_fn *reply, void *arg)
{
    if (h->instance && h->module->finish && !h->failed)
        h->module->finish(h->instance, &h->ctx);
    if (h->failed) {
        int rc = send_output(h, reply, arg);
        host_end_run(h);
        return rc;
    }
    size_t n = h->metrics ? sg17_metrics_size(h->metrics) : 0;
    metric_list_t l = {calloc(n + 1, sizeof(Sg17__Metric)), calloc(n + 1, sizeof(Sg17__Metric *)),
                       0};
    if (h->metrics && l.items && l.ptrs)
        sg17_metrics_each(h->metrics, collect_metric, &l);
    Sg17__Done done = SG17__DONE__INIT;
    done.metrics = l.ptrs;
    done.n_metrics = l.n;
    Sg17__KeyValue *kv = calloc(h->n_artifacts + 1, sizeof *kv);
    Sg17__KeyValue **kvp = calloc(h->n_artifacts + 1, sizeof *kvp);
    for (size_t i = 0; kv && kvp && i < h->n_artifacts; i++) {
        sg17__key_value__init(&kv[i]);
        kv[i].key = h->artifact_name[i];
        kv[i].value = h->artifact_text[i];
        kvp[done.n_artifacts++] = &kv[i];
    }
    done.artifacts = kvp;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_DONE;
    f.done = &done;
    int rc = reply ? reply(&f, arg) : 0;
    free(l.items);
    free(l.ptrs);
    free(kv);
    free(kvp);
    host_end_run(h);
    return rc;
}

/* ---- the host object ---- */

sg17_host_t *sg17_host_new(const sg17_module_t *module)
{
    host_t *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->ctx.api = &host_api;
    h->module = module;
    h->verbose = getenv("SG17TB_VERBOSE") != NULL;
    return h;
}

void sg17_host_destroy(sg17_host_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    host_t *h = *self_p;
    host_end_run(h);
    sg17_envcols_release(&h->sends);
    free(h->send_bufs);
    free(h->timers);
    free(h->timer_items);
    free(h->reports);
    free(h->report_items);
    free(h->batch_cost);
    free(h->local);
    free(h);
    *self_p = NULL;
}

int sg17_host_handle(sg17_host_t *h, sg17_frame_t **frame_p, sg17_host_reply_fn *reply, void *arg)
{
    sg17_frame_t *frame = *frame_p;
    *frame_p = NULL;
    if (!frame)
        return 0;
    int rc = 0;
    switch (frame->body_case) {
    case SG17__FRAME__BODY_SETUP:
        host_begin_run(h, frame);
        frame = NULL; /* kept as the run's setup */
        break;
    case SG17__FRAME__BODY_BATCH:
        if (h->setup)
            host_run_batch(h, frame->batch);
        else
            sg17_host_fail(h, "batch before setup");
        rc = send_output(h, reply, arg);
        break;
    case SG17__FRAME__BODY_FINISH:
        rc = send_done(h, reply, arg);
        break;
    case SG17__FRAME__BODY_QUIT:
        rc = 1;
        break;
    default:
        break;
    }
    sg17_frame_free(&frame);
    return rc;
}

/* ---- serving a broker over a socket ---- */

static int reply_on_socket(const sg17_frame_t *reply, void *arg)
{
    return sg17_frame_send(arg, NULL, reply);
}

static int host_loop(zsock_t *dealer, zsock_t *pipe, const sg17_module_t *module, sg17_err_t *err)
{
    Sg17__Hello hello = SG17__HELLO__INIT;
    hello.module = (char *)module->name;
    hello.abi = SG17_MODULE_ABI_MAJOR;
    Sg17__Frame f = SG17__FRAME__INIT;
    f.body_case = SG17__FRAME__BODY_HELLO;
    f.hello = &hello;
    if (sg17_frame_send(dealer, NULL, &f) < 0)
        return sg17_err(err, "host: cannot send hello");
    sg17_host_t *h = sg17_host_new(module);
    if (!h)
        return sg17_err(err, "host: out of memory");

    zpoller_t *poller = zpoller_new(dealer, pipe, NULL);
    while (true) {
        /* poll (a system call) only when the broker has nothing for us now or within the spin */
        zsock_t *which = sg17_sock_readable_soon(dealer) ? dealer : zpoller_wait(poller, -1);
        if (!which || which == pipe) /* interrupted, or $TERM from the actor's owner */
            break;
        int malformed;
        sg17_frame_t *frame = sg17_frame_recv(dealer, NULL, &malformed);
        if (!frame) {
            if (malformed)
                continue; /* counted by nobody here: never crash on it */
            break;
        }
        /* an answer that cannot be sent shows as a failed receive next */
        if (sg17_host_handle(h, &frame, reply_on_socket, dealer) == 1)
            break;
    }
    sg17_host_destroy(&h);
    zpoller_destroy(&poller);
    return 0;
}

int sg17_host_serve(zsock_t *dealer, const sg17_module_t *module, sg17_err_t *err)
{
    return host_loop(dealer, NULL, module, err);
}

void sg17_host_actor(zsock_t *pipe, void *args)
{
    const sg17_module_t *module = args;
    zsock_signal(pipe, 0);
    char *endpoint = zstr_recv(pipe);
    if (!endpoint)
        return;
    zsock_t *dealer = zsock_new_dealer(endpoint);
    zstr_free(&endpoint);
    if (dealer) {
        zsock_set_sndhwm(dealer, 0);
        zsock_set_rcvhwm(dealer, 0);
        host_loop(dealer, pipe, module, NULL);
        zsock_destroy(&dealer);
    }
    /* wait for $TERM so zactor_destroy's handshake completes */
    while (true) {
        char *cmd = zstr_recv(pipe);
        if (!cmd)
            break;
        bool term = strcmp(cmd, "$TERM") == 0;
        zstr_free(&cmd);
        if (term)
            break;
    }
}

int sg17_host_curve(zsock_t *dealer, const char *cert, const char *broker_cert, sg17_err_t *err)
{
    zcert_t *mine = zcert_load(cert);
    zcert_t *broker = zcert_load(broker_cert);
    int rc = 0;
    if (!mine)
        rc = sg17_err(err, "host: cannot load CURVE certificate %s", cert);
    else if (!broker)
        rc = sg17_err(err, "host: cannot load the broker's public certificate %s", broker_cert);
    else {
        zcert_apply(mine, dealer);
        zsock_set_curve_serverkey(dealer, zcert_public_txt(broker));
    }
    zcert_destroy(&mine);
    zcert_destroy(&broker);
    return rc;
}
