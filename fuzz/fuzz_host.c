/* fuzz_host.c — the module host's frame handling on arbitrary broker traffic, without sockets: the
 * input is a sequence of frames, each a 2-byte little-endian length and that many bytes, handed
 * in order to sg17_host_handle (bytes that do not decode are dropped, as the host loop drops
 * them). The module below indexes its per-entity arrays by sg17_entity_index without checking, as
 * real modules do, so a topology the host should have refused shows as an ASan report; and it
 * traps when the host breaks the SDK's promises (an entity outside the run, an index beyond its
 * kind's count). Every answer is packed and decoded again. Seeds: fuzz/corpus/fuzz_host/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/host.h"

/* ---- a small module: nodes ping a sink, the sink answers ---- */

/* What the SDK promises every callback; a broken promise is a host bug, reported as a crash. */
#define PROMISED(cond)        \
    do {                      \
        if (!(cond))          \
            __builtin_trap(); \
    } while (0)

typedef struct {
    uint64_t burst;
    sg17_entity_t target;
    bool check; /* mitigation */
} fz_config_t;

typedef struct {
    unsigned n_nodes, n_sinks;
    uint32_t *node_seen; /* exactly n_nodes slots */
    uint32_t *sink_seen; /* exactly n_sinks slots */
    unsigned burst;
    sg17_entity_t target;
    bool check;
} fz_t;

/* The module's own slot for entity e, found the way modules do (kind, then index). Every entity
 * the host hands over is one of the run's. */
static uint32_t *slot(fz_t *f, sg17_ctx_t *ctx, sg17_entity_t e)
{
    PROMISED(e < f->n_nodes + f->n_sinks + sg17_count(ctx, "mute"));
    const char *kind = sg17_entity_kind(ctx, e);
    PROMISED(strcmp(kind, "mute") != 0); /* a mute entity's kind has no handlers */
    PROMISED(sg17_entity_index(ctx, e) < sg17_count(ctx, kind));
    if (strcmp(kind, "node") == 0)
        return &f->node_seen[sg17_entity_index(ctx, e)];
    PROMISED(strcmp(kind, "sink") == 0);
    return &f->sink_seen[sg17_entity_index(ctx, e)];
}

/* An envelope's claimed source: one of the run's entities, or none (NULL; also for a mute one,
 * which only the adversary can claim). */
static uint32_t *source_slot(fz_t *f, sg17_ctx_t *ctx, sg17_entity_t e)
{
    if (e == SG17_NO_ENTITY || strcmp(sg17_entity_kind(ctx, e), "mute") == 0)
        return NULL;
    return slot(f, ctx, e);
}

/* An entity from its normal-form name "kind-N" (the host checked it names one of this run). */
static sg17_entity_t entity_named(sg17_ctx_t *ctx, const char *name)
{
    const char *dash = name ? strrchr(name, '-') : NULL;
    char kind[32];
    if (!dash || (size_t)(dash - name) >= sizeof kind)
        return SG17_NO_ENTITY;
    memcpy(kind, name, (size_t)(dash - name));
    kind[dash - name] = '\0';
    return sg17_entity(ctx, kind, (unsigned)strtoul(dash + 1, NULL, 10));
}

static void *fz_create(sg17_ctx_t *ctx, const void *config)
{
    const fz_config_t *cfg = config;
    fz_t *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->n_nodes = sg17_count(ctx, "node");
    f->n_sinks = sg17_count(ctx, "sink");
    f->node_seen = calloc(f->n_nodes ? f->n_nodes : 1, sizeof *f->node_seen);
    f->sink_seen = calloc(f->n_sinks ? f->n_sinks : 1, sizeof *f->sink_seen);
    f->burst = (unsigned)(cfg->burst % 4); /* a count: at most 10^9 */
    f->target = cfg->target;
    f->check = cfg->check;
    PROMISED(f->target < f->n_nodes + f->n_sinks + sg17_count(ctx, "mute")); /* of the run */
    if (!f->node_seen || !f->sink_seen) {
        free(f->node_seen), free(f->sink_seen), free(f);
        sg17_log(ctx, "out of memory");
        return NULL;
    }
    return f;
}

static void fz_destroy(void *instance)
{
    fz_t *f = instance;
    free(f->node_seen);
    free(f->sink_seen);
    free(f);
}

static void fz_start(void *instance, sg17_ctx_t *ctx)
{
    fz_t *f = instance;
    for (unsigned i = 0; i < f->n_nodes; i++)
        sg17_timer(ctx, sg17_entity(ctx, "node", i), 1000 * (sg17_time_t)(i + 1), 3);
    for (unsigned i = 0; i < f->n_sinks; i++)
        sg17_timer(ctx, sg17_entity(ctx, "sink", i), 500, 0);
}

static void fz_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    fz_t *f = instance;
    (*slot(f, ctx, e))++;
    if (strcmp(sg17_entity_kind(ctx, e), "node") != 0) {
        sg17_metric_add(ctx, "fz.sink_ticks", 1);
        return;
    }
    uint8_t ping[2] = {0x42, (uint8_t)tag};
    for (unsigned i = 0; f->target != SG17_NO_ENTITY && i <= f->burst; i++)
        sg17_send(ctx, e, f->target, "fz.ping", ping, sizeof ping);
    if (tag > 0 && tag < 4) /* a bounded chain, whatever tag the broker sends */
        sg17_timer(ctx, e, tag == 1 ? 0 : 1000, tag - 1);
}

static void fz_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    fz_t *f = instance;
    uint32_t *src = source_slot(f, ctx, m->claimed_src);
    (*slot(f, ctx, m->dst))++;
    if (src)
        (*src)++;
    if (m->len && m->payload[0] == 0xEE) /* a buggy module: the host must refuse this name */
        sg17_metric_add(ctx, "ledger.accepted.genuine", 1);
    if (m->len < 1 || (f->check && m->payload[0] != 0x42)) {
        sg17_reject(ctx, m, "bad");
        return;
    }
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "fz.accepted", 1);
    if (strcmp(sg17_entity_kind(ctx, m->dst), "sink") == 0 && src)
        sg17_send(ctx, m->dst, m->claimed_src, "fz.pong", m->payload, m->len);
    if (sg17_compromised(ctx, m->dst))
        sg17_metric_add(ctx, "fz.compromised_heard", 1);
}

static int fz_forge(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    fz_t *f = instance;
    for (size_t i = 0; i < sg17_captured_count(ctx, p); i++) {
        const sg17_msg_t *m = sg17_captured(ctx, p, i);
        uint32_t *dst = source_slot(f, ctx, m->dst); /* NULL for a mute entity */
        if (dst)
            (*dst)++;
        (void)source_slot(f, ctx, m->claimed_src);
        sg17_inject(ctx, m->claimed_src, m->dst, m->type, m->payload, m->len);
    }
    unsigned count = (unsigned)sg17_param_number(ctx, p, "count", 1) % 8;
    sg17_entity_t victim = entity_named(ctx, sg17_param(ctx, p, "victim"));
    uint8_t forged[2] = {0x42, 0xff};
    for (unsigned i = 0; i < count && f->target != SG17_NO_ENTITY; i++)
        sg17_inject(ctx, victim, f->target, "fz.ping", forged, sizeof forged);
    sg17_metric_add(ctx, "fz.forged", count);
    return 0;
}

static void fz_on_compromise(void *instance, sg17_ctx_t *ctx, sg17_entity_t e,
                             const sg17_params_t *p)
{
    uint32_t *seen = source_slot(instance, ctx, e); /* NULL for a mute entity */
    if (seen)
        *seen += 100;
    (void)p;
}

static void fz_finish(void *instance, sg17_ctx_t *ctx)
{
    fz_t *f = instance;
    double total = 0;
    for (unsigned i = 0; i < f->n_nodes; i++)
        total += f->node_seen[i];
    for (unsigned i = 0; i < f->n_sinks; i++)
        total += f->sink_seen[i];
    sg17_metric_set(ctx, "fz.total", total);
}

static const sg17_entity_kind_t fz_kinds[] = {
    {"node", "pings the sink", 3, 0, 16, fz_on_message, fz_on_timer},
    {"sink", "answers pings", 1, 1, 4, fz_on_message, fz_on_timer},
    {"mute", "receives nothing: deliveries are the host's no_receiver", 0, 0, 4, NULL, NULL},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};
static const sg17_config_key_t fz_config[] = {
    {"burst", SG17_TYPE_COUNT, "1", "extra pings per timer", offsetof(fz_config_t, burst), {0, 0}},
    {"target",
     SG17_TYPE_ENTITY,
     "sink-0",
     "where nodes send pings",
     offsetof(fz_config_t, target),
     {0, 0}},
    {NULL, 0, NULL, NULL, 0, {0, 0}},
};
static const sg17_mitigation_t fz_mitigations[] = {
    {"check", "the receiver checks the ping marker; off: anything is accepted", NULL, false,
     offsetof(fz_config_t, check)},
    {NULL, NULL, NULL, false, 0},
};
static const sg17_param_t fz_forge_params[] = {
    {"count", SG17_TYPE_COUNT, false, "forged pings", {0, 1000}},
    {"victim", SG17_TYPE_ENTITY, false, "claimed source", {0, 0}},
    {"capture", SG17_TYPE_STRING, false, "pings to replay", {0, 0}},
    {NULL, 0, false, NULL, {0, 0}},
};
static const sg17_attack_t fz_attacks[] = {
    {"forge", "inject pings", NULL, fz_forge_params, fz_forge},
    {NULL, NULL, NULL, NULL, NULL},
};
static const sg17_metric_t fz_metrics[] = {{"fz.*", "everything", NULL}, {NULL, NULL, NULL}};
static const sg17_reason_t fz_reasons[] = {{"bad", "no marker"}, {NULL, NULL}};
static const char *const fz_types[] = {"fz.ping", "fz.pong", NULL};

static const sg17_module_t fz_module = {
    SG17_MODULE_HEADER,
    .name = "fz",
    .recommendation = "TEST",
    .title = "host fuzz module",
    .version = "1",
    .entity_kinds = fz_kinds,
    .config = fz_config,
    .mitigations = fz_mitigations,
    .attacks = fz_attacks,
    .metrics = fz_metrics,
    .reasons = fz_reasons,
    .message_types = fz_types,
    .config_size = sizeof(fz_config_t),
    .create = fz_create,
    .destroy = fz_destroy,
    .start = fz_start,
    .on_compromise = fz_on_compromise,
    .finish = fz_finish,
};

/* ---- the harness ---- */

/* An answer goes through packing and decoding, as it would to the broker. */
static int check_reply(const sg17_frame_t *reply, void *arg)
{
    (void)arg;
    if (reply->body_case != SG17__FRAME__BODY_OUTPUT && reply->body_case != SG17__FRAME__BODY_DONE)
        __builtin_trap();
    size_t len = sg17__frame__get_packed_size(reply);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -1;
    sg17__frame__pack(reply, buf);
    sg17_frame_t *again = sg17_frame_decode(buf, len);
    sg17_frame_free(&again);
    free(buf);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sg17_host_t *h = sg17_host_new(&fz_module);
    if (!h)
        return 0;
    while (size >= 2) {
        size_t len = (size_t)data[0] | (size_t)data[1] << 8;
        data += 2, size -= 2;
        if (len > size)
            len = size;
        sg17_frame_t *frame = sg17_frame_decode(data, len);
        data += len, size -= len;
        if (frame && sg17_host_handle(h, &frame, check_reply, NULL) == 1)
            break;
    }
    sg17_host_destroy(&h);
    return 0;
}
