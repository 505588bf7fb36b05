/* beacon.c — a minimal out-of-tree sg17tb module, built with nothing but the installed SDK:
 *
 *     cc -O2 -Wall $(pkg-config --cflags --libs sg17tb-module) -o beacon.so beacon.c
 *
 * Every `interval`, each station broadcasts one status beacon to all collectors (one multicast
 * send: sg17_send_many, checked with SG17_API_HAS as a service newer than minor 0): payload =
 * station (2, BE) || sequence (4, BE) || tag (4, BE), tag = a keyed checksum over the first six
 * bytes (a stand-in for a MAC: this example is about the SDK, not cryptography). Mitigation
 * `authenticated`: a collector drops beacons whose tag does not verify. Attack `spoof`: the
 * adversary injects beacons in a station's name without the key. The file follows the module
 * layout's names (entity_kinds, config_keys, ..., beacon_create/_destroy/_start), so one
 * SG17_MODULE_DEFINE writes its descriptor. scripts/check-out-of-tree.sh builds it against an
 * installed sg17tb and runs spoof.yaml on it. */
#include <stdlib.h>
#include <string.h>

#include <sg17tb/module.h>
#include <sg17tb/wire.h>

#define BEACON_LEN     10
#define MAX_COLLECTORS 8

/* The config struct: every config key and mitigation binds to one field. */
typedef struct {
    sg17_time_t interval;
    int64_t key;
    bool authenticated;
} beacon_config_t;

typedef struct {
    beacon_config_t cfg;
    unsigned n_stations, n_collectors;
    sg17_entity_t collectors[MAX_COLLECTORS];
    uint32_t *seq;
} beacon_t;

/* FNV-1a over the body, seeded with the key. */
static uint32_t beacon_tag(int64_t key, const uint8_t *body)
{
    uint32_t h = 2166136261u ^ (uint32_t)key;
    for (size_t i = 0; i < 6; i++)
        h = (h ^ body[i]) * 16777619u;
    return h;
}

/* A beacon of station `station` with sequence `seq`, tagged under `key`, into out. */
static void beacon_write(uint8_t out[BEACON_LEN], int64_t key, unsigned station, uint32_t seq)
{
    sg17_writer_t w = sg17_writer(out, BEACON_LEN);
    sg17_put_u16(&w, (uint16_t)station);
    sg17_put_u32(&w, seq);
    sg17_put_u32(&w, beacon_tag(key, out));
}

/* One beacon from src to every collector: a multicast where the core offers it, else one send
 * per collector (a core older than the multicast service). */
static void beacon_broadcast(beacon_t *b, sg17_ctx_t *ctx, sg17_entity_t src, bool injected,
                             const uint8_t msg[BEACON_LEN])
{
    if (injected)
        for (unsigned c = 0; c < b->n_collectors; c++)
            sg17_inject(ctx, src, b->collectors[c], "beacon.status", msg, BEACON_LEN);
    else if (SG17_API_HAS(ctx, send_many))
        sg17_send_many(ctx, src, b->collectors, b->n_collectors, "beacon.status", msg, BEACON_LEN);
    else
        for (unsigned c = 0; c < b->n_collectors; c++)
            sg17_send(ctx, src, b->collectors[c], "beacon.status", msg, BEACON_LEN);
}

static void *beacon_create(sg17_ctx_t *ctx, const void *config)
{
    unsigned n_stations = sg17_count(ctx, "station");
    beacon_t *b = calloc(1, sizeof *b);
    uint32_t *seq = calloc(n_stations + 1, sizeof *seq);
    if (!b || !seq) {
        free(b), free(seq);
        sg17_log(ctx, "beacon: out of memory");
        return NULL;
    }
    *b = (beacon_t){.cfg = *(const beacon_config_t *)config, .n_stations = n_stations, .seq = seq};
    b->n_collectors = sg17_count(ctx, "collector"); /* at most MAX_COLLECTORS: its max_count */
    for (unsigned c = 0; c < b->n_collectors; c++)
        b->collectors[c] = sg17_entity(ctx, "collector", c);
    return b;
}

static void beacon_destroy(void *instance)
{
    beacon_t *b = instance;
    free(b->seq);
    free(b);
}

/* Time 0: the stations' first beacons, spread over one interval. */
static void beacon_start(void *instance, sg17_ctx_t *ctx)
{
    beacon_t *b = instance;
    for (unsigned i = 0; i < b->n_stations; i++)
        sg17_timer(ctx, sg17_entity(ctx, "station", i), b->cfg.interval * i / b->n_stations, 0);
}

static void station_on_timer(void *instance, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    beacon_t *b = instance;
    unsigned i = sg17_entity_index(ctx, e);
    uint8_t msg[BEACON_LEN];
    beacon_write(msg, b->cfg.key, i, ++b->seq[i]);
    beacon_broadcast(b, ctx, e, false, msg);
    sg17_metric_add(ctx, "station.sent", 1);
    sg17_timer(ctx, e, b->cfg.interval, tag);
}

static void collector_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    beacon_t *b = instance;
    sg17_reader_t r = sg17_reader(m->payload, m->len);
    unsigned station = sg17_get_u16(&r);
    (void)sg17_get_u32(&r); /* the sequence: this collector keeps no history */
    uint32_t tag = sg17_get_u32(&r);
    const char *why = !sg17_reader_done(&r) || station >= b->n_stations ? "malformed"
                      : b->cfg.authenticated && tag != beacon_tag(b->cfg.key, m->payload)
                          ? "bad_tag"
                          : NULL;
    if (why) {
        sg17_reject(ctx, m, why);
        if (strcmp(why, "bad_tag") == 0)
            sg17_metric_add(ctx, "collector.alarms", 1);
    } else {
        sg17_accept(ctx, m);
        sg17_metric_add(ctx, "collector.accepted", 1);
    }
}

/* spoof: `count` beacons in the name of station `station`, tagged with a guessed key. */
static int spoof_run(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    beacon_t *b = instance;
    unsigned n = (unsigned)sg17_param_number(ctx, p, "count", 1);
    unsigned victim = (unsigned)sg17_param_number(ctx, p, "station", 0) % b->n_stations;
    sg17_entity_t as = sg17_entity(ctx, "station", victim);
    uint8_t msg[BEACON_LEN];
    for (uint32_t k = 0; k < n; k++) {
        beacon_write(msg, b->cfg.key + 1, victim, 1000000 + k);
        beacon_broadcast(b, ctx, as, true, msg);
    }
    return 0;
}

static const sg17_entity_kind_t entity_kinds[] = {
    {"station", "broadcasts a status beacon every interval", 3, 1, 1000, NULL, station_on_timer},
    {"collector", "receives every station's beacons", 1, 1, MAX_COLLECTORS, collector_on_message,
     NULL},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

static const sg17_config_key_t config_keys[] = {
    {"interval",
     SG17_TYPE_DURATION,
     "1s",
     "time between two beacons of a station",
     offsetof(beacon_config_t, interval),
     {0.01, 3600}},
    {"key", SG17_TYPE_INT, "7", "the stations' shared key", offsetof(beacon_config_t, key), {0, 0}},
    {NULL, 0, NULL, NULL, 0, {0, 0}},
};

static const char *const auth_reqs[] = {"BEACON-R-AUTH", NULL};

static const sg17_mitigation_t mitigations[] = {
    {"authenticated", "collectors verify each beacon's tag; off: any well-formed one counts",
     auth_reqs, false, offsetof(beacon_config_t, authenticated)},
    {NULL, NULL, NULL, false, 0},
};

static const sg17_param_t spoof_params[] = {
    {"station", SG17_TYPE_INT, false, "the station to impersonate (default 0)", {0, 999}},
    {"count", SG17_TYPE_COUNT, false, "how many beacons (default 1)", {1, 1000}},
    {NULL, 0, false, NULL, {0, 0}},
};

static const sg17_attack_t attacks[] = {
    {"spoof", "inject beacons in a station's name without its key", NULL, spoof_params, spoof_run},
    {NULL, NULL, NULL, NULL, NULL},
};

static const sg17_metric_t metrics[] = {
    {.name = "station.sent", .description = "beacons the stations sent (each to every collector)"},
    {.name = "collector.accepted", .description = "beacon copies the collectors accepted"},
    {.name = "collector.alarms", .description = "beacon copies whose tag did not verify"},
    {.name = NULL},
};

static const sg17_reason_t reasons[] = {
    {"bad_tag", "the tag does not verify"},
    {"malformed", "not a beacon"},
    {NULL, NULL},
};

static const char *const message_types[] = {"beacon.status", NULL};

SG17_MODULE_DEFINE(beacon, beacon_config_t, "EXAMPLE",
                   "Out-of-tree example: authenticated status beacons, broadcast", "1",
                   .tools = NULL);
