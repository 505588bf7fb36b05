/* beacon.c — a minimal out-of-tree sg17tb module, built with nothing but the installed SDK:
 *
 *     cc -O2 -Wall $(pkg-config --cflags --libs sg17tb-module) -o beacon.so beacon.c
 *
 * Stations broadcast a status beacon to one collector every `interval`: payload = station (2, BE)
 * || sequence (4, BE) || tag (4, BE), tag = a keyed checksum over the first six bytes (a stand-in
 * for a MAC: this example is about the SDK, not cryptography). Mitigation `authenticated`: the
 * collector drops beacons whose tag does not verify. Attack `spoof`: the adversary injects
 * beacons in a station's name without the key. scripts/check-out-of-tree.sh builds it against an
 * installed sg17tb and runs spoof.yaml on it. */
#include <stdlib.h>
#include <string.h>

#include <sg17tb/module.h>
#include <sg17tb/wire.h>

#define BEACON_LEN 10

/* The config struct: every config key and mitigation binds to one field. */
typedef struct {
    sg17_time_t interval;
    int64_t key;
    bool authenticated;
} beacon_config_t;

typedef struct {
    beacon_config_t cfg;
    unsigned n_stations;
    sg17_entity_t collector;
    uint32_t *seq;
} beacon_t;

static uint32_t tag_of(int64_t key, const uint8_t *body, size_t len)
{
    uint32_t h = 2166136261u ^ (uint32_t)key;
    for (size_t i = 0; i < len; i++)
        h = (h ^ body[i]) * 16777619u;
    return h;
}

static void encode(uint8_t out[BEACON_LEN], int64_t key, uint16_t station, uint32_t seq)
{
    sg17_writer_t w = sg17_writer(out, BEACON_LEN);
    sg17_put_u16(&w, station);
    sg17_put_u32(&w, seq);
    sg17_put_u32(&w, tag_of(key, out, 6));
}

static void *beacon_create(sg17_ctx_t *ctx, const void *config)
{
    beacon_t *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    memcpy(&b->cfg, config, sizeof b->cfg);
    b->n_stations = sg17_count(ctx, "station");
    b->collector = sg17_entity(ctx, "collector", 0);
    b->seq = calloc(b->n_stations + 1, sizeof *b->seq);
    if (!b->seq) {
        free(b);
        sg17_log(ctx, "beacon: out of memory");
        return NULL;
    }
    return b;
}

static void beacon_destroy(void *instance)
{
    beacon_t *b = instance;
    free(b->seq);
    free(b);
}

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
    encode(msg, b->cfg.key, (uint16_t)i, ++b->seq[i]);
    sg17_send(ctx, e, b->collector, "beacon.status", msg, sizeof msg);
    sg17_metric_add(ctx, "station.sent", 1);
    sg17_timer(ctx, e, b->cfg.interval, tag);
}

static void collector_on_message(void *instance, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    beacon_t *b = instance;
    sg17_reader_t r = sg17_reader(m->payload, m->len);
    uint16_t station = sg17_get_u16(&r);
    sg17_get_u32(&r);
    uint32_t tag = sg17_get_u32(&r);
    if (!sg17_reader_done(&r) || station >= b->n_stations) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (b->cfg.authenticated && tag != tag_of(b->cfg.key, m->payload, 6)) {
        sg17_reject(ctx, m, "bad_tag");
        sg17_metric_add(ctx, "collector.alarms", 1);
        return;
    }
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "collector.accepted", 1);
}

/* spoof: `count` beacons in the name of station `station`, with a guessed key. */
static int spoof_run(void *instance, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    beacon_t *b = instance;
    unsigned count = (unsigned)sg17_param_number(ctx, p, "count", 1);
    unsigned station = (unsigned)sg17_param_number(ctx, p, "station", 0) % b->n_stations;
    for (unsigned i = 0; i < count; i++) {
        uint8_t msg[BEACON_LEN];
        encode(msg, b->cfg.key + 1, (uint16_t)station, 1000000 + i);
        sg17_inject(ctx, sg17_entity(ctx, "station", station), b->collector, "beacon.status", msg,
                    sizeof msg);
    }
    return 0;
}

static const sg17_entity_kind_t kinds[] = {
    {.name = "station",
     .description = "sends a status beacon every interval",
     .default_count = 3,
     .min_count = 1,
     .max_count = 1000,
     .on_timer = station_on_timer},
    {.name = "collector",
     .description = "receives the beacons",
     .default_count = 1,
     .min_count = 1,
     .max_count = 1,
     .on_message = collector_on_message},
    {.name = NULL},
};

static const sg17_config_key_t config[] = {
    {.name = "interval",
     .type = SG17_TYPE_DURATION,
     .default_value = "1s",
     .description = "time between two beacons of a station",
     .offset = offsetof(beacon_config_t, interval),
     .range = {0.01, 3600}},
    {.name = "key",
     .type = SG17_TYPE_INT,
     .default_value = "7",
     .description = "the stations' shared key",
     .offset = offsetof(beacon_config_t, key)},
    {.name = NULL},
};

static const char *const auth_reqs[] = {"BEACON-R-AUTH", NULL};

static const sg17_mitigation_t mitigations[] = {
    {.name = "authenticated",
     .description = "the collector verifies each beacon's tag; off: any well-formed one counts",
     .requirements = auth_reqs,
     .offset = offsetof(beacon_config_t, authenticated)},
    {.name = NULL},
};

static const sg17_param_t spoof_params[] = {
    {.name = "station",
     .type = SG17_TYPE_INT,
     .description = "the station to impersonate (default 0)",
     .range = {0, 999}},
    {.name = "count",
     .type = SG17_TYPE_COUNT,
     .description = "how many beacons (default 1)",
     .range = {1, 1000}},
    {.name = NULL},
};

static const sg17_attack_t attacks[] = {
    {.name = "spoof",
     .description = "inject beacons in a station's name without its key",
     .params = spoof_params,
     .run = spoof_run},
    {.name = NULL},
};

static const sg17_metric_t metrics[] = {
    {.name = "station.sent", .description = "beacons the stations sent"},
    {.name = "collector.accepted", .description = "beacons the collector accepted"},
    {.name = "collector.alarms", .description = "beacons whose tag did not verify"},
    {.name = NULL},
};

static const sg17_reason_t reasons[] = {
    {"bad_tag", "the tag does not verify"},
    {"malformed", "not a beacon"},
    {NULL, NULL},
};

static const char *const message_types[] = {"beacon.status", NULL};

const sg17_module_t sg17_module = {
    SG17_MODULE_HEADER,
    .name = "beacon",
    .recommendation = "EXAMPLE",
    .title = "Out-of-tree example: authenticated status beacons",
    .version = "1",
    .catalogue = "requirements.yaml",
    .entity_kinds = kinds,
    .config = config,
    .mitigations = mitigations,
    .attacks = attacks,
    .metrics = metrics,
    .reasons = reasons,
    .message_types = message_types,
    .config_size = sizeof(beacon_config_t),
    .create = beacon_create,
    .destroy = beacon_destroy,
    .start = beacon_start,
    .finish = NULL,
};
