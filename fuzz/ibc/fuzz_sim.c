/* fuzz_sim.c — every simulated ibc entity's message handler (KMS, device, gateway) on arbitrary
 * bytes, through the strict mock context (tests/support/mock_ctx.h), against an instance
 * provisioned once by running the genuine protocol (C.3 parameters, C.4 keys, D.1 sessions, the
 * application traffic) into key period 1 (10 min periods), and restored before every input.
 *
 * Input: octet 0 = mitigations 0-7 (in the descriptor's order); octet 1 = bit 0 mitigation 8,
 * bit 1 unsigned D.1, bit 2 no cross-domain trust, bit 3 devices compromised, bit 4 derived
 * payload (the rest is XORed onto the route's genuine message of period 1, and extends it), bits
 * 5-7 claimed source (0: the route's own); octet 2 = the route (message type and receiving entity:
 * every type a receiver handles, and one each does not take); the rest = the payload.
 *
 * The mock turns every broken promise into a trap: a delivery reported never or twice, an
 * undeclared reason, message type or metric, a reply to an entity outside the run, an injection
 * outside an attack. Each input is one delivery: what the receiver sends in reply stays queued in
 * the mock, undelivered, and the mock is provisioned afresh every REPROVISION_EVERY inputs so
 * that queue stays small. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mock_ctx.h"
#include "sim/ibc_sim.h"

extern const sg17_module_t sg17_module;

#define PERIOD            (10 * SG17_MIN)
#define NOW               (PERIOD + 5 * SG17_MIN) /* inside key period 1 */
#define REPROVISION_EVERY 4096

/* The run's entities: kms-0/1, device-0..3 (device-i in domain kms-(i % 2); device-3 revoked from
 * the start, so it never holds keys), the gateway. */
enum { KMS0, KMS1, DEV0, DEV1, DEV2, DEV3, GW, N_ENT };
static const char *const names[N_ENT] = {"kms-0",    "kms-1",    "device-0", "device-1",
                                         "device-2", "device-3", "gateway-0"};

/* Every message type a receiver handles, to each kind of receiver that takes it (and one type each
 * receiver does not take), with the source it normally comes from. */
static const struct {
    const char *type;
    int dst, src;
} routes[] = {
    {"ibc.param_request", KMS0, DEV0}, {"ibc.param_request", KMS1, DEV1},
    {"ibc.key_request", KMS0, DEV0},   {"ibc.key_request", KMS1, DEV1},
    {"ibc.key_request", KMS0, GW},     {"ibc.params", KMS0, GW},
    {"ibc.params", DEV0, KMS0},        {"ibc.params", DEV1, KMS1},
    {"ibc.key_delivery", DEV0, KMS0},  {"ibc.key_delivery", DEV1, KMS1},
    {"ibc.challenge", DEV0, GW},       {"ibc.challenge", DEV3, GW},
    {"ibc.app_data", DEV2, GW},        {"ibc.d1_auth", GW, DEV0},
    {"ibc.d1_auth", GW, DEV1},         {"ibc.app_data", GW, DEV0},
    {"ibc.params", GW, KMS0},          {"ibc.params", GW, KMS1},
    {"ibc.key_delivery", GW, KMS0},    {"ibc.challenge", GW, DEV0},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

/* One provisioned run and the snapshot of its instance: the instance's own memory and per-entity
 * arrays (the adversary's state is not the receivers' to touch, and no attack runs here). */
typedef struct {
    sg17_mock_t *mock;
    sg17_entity_t ent[N_ENT];
    ibc_t *s, snap;
    ibc_device_t *dev;
    ibc_session_t *sessions;
    uint8_t (*nonces)[IBC_NONCE_BYTES];
    sg17_time_t *nonce_ts;
    uint8_t *revoked;
    uint8_t *genuine[N_ROUTES];
    size_t genuine_len[N_ROUTES];
    unsigned inputs; /* since provisioning */
} world_t;

/* [0]: every device honest; [1]: every device handed to the adversary after provisioning. */
static world_t worlds[2];

static void *dup_bytes(const void *src, size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return memcpy(p, src, n);
}

static void world_free(world_t *w)
{
    sg17_mock_free(w->mock);
    free(w->dev), free(w->sessions), free(w->nonces), free(w->nonce_ts), free(w->revoked);
    for (size_t r = 0; r < N_ROUTES; r++)
        free(w->genuine[r]);
    memset(w, 0, sizeof *w);
}

/* Runs the genuine protocol to NOW with the default mitigations plus key_validation, keeps the
 * first message of each route sent in period 1, and snapshots the instance. */
static void provision(world_t *w, bool compromised)
{
    sg17_mock_t *m = sg17_mock_new(&sg17_module);
    sg17_mock_topology(m, "kms", 2);
    sg17_mock_topology(m, "device", 4);
    sg17_mock_topology(m, "gateway", 1);
    sg17_mock_config(m, "period_length", "10min");
    sg17_mock_config(m, "cross_domain_trust", "true");
    sg17_mock_config(m, "revoked", "3");
    sg17_mock_mitigation(m, "key_validation", true);
    if (sg17_mock_create(m) != 0)
        abort();
    w->mock = m;
    for (int i = 0; i < N_ENT; i++)
        w->ent[i] = sg17_mock_entity(m, names[i]);
    sg17_mock_start(m);
    sg17_mock_run_until(m, PERIOD - 1);
    sg17_mock_clear(m);
    sg17_mock_run_until(m, NOW);
    for (size_t k = 0; k < sg17_mock_send_count(m); k++) {
        const sg17_mock_send_t *q = sg17_mock_send(m, k);
        for (size_t r = 0; r < N_ROUTES; r++)
            if (!w->genuine[r] && q->dst == w->ent[routes[r].dst] && q->src == w->ent[routes[r].src]
                && strcmp(q->type, routes[r].type) == 0) {
                w->genuine[r] = dup_bytes(q->payload, q->len);
                w->genuine_len[r] = q->len;
            }
    }
    for (int d = DEV0; compromised && d <= DEV3; d++)
        sg17_mock_compromise(m, w->ent[d]);
    sg17_mock_clear(m);
    ibc_t *s = w->s = sg17_mock_instance(m);
    if (!s->gw.recv || !s->dev[0].session) /* the genuine protocol must have run */
        abort();
    size_t n = s->n_dev + 1;
    w->snap = *s;
    w->dev = dup_bytes(s->dev, n * sizeof *s->dev);
    w->sessions = dup_bytes(s->gw.sessions, n * sizeof *s->gw.sessions);
    w->nonces = dup_bytes(s->gw.nonces, s->cfg.nonce_cache * sizeof *s->gw.nonces);
    w->nonce_ts = dup_bytes(s->gw.nonce_ts, s->cfg.nonce_cache * sizeof *s->gw.nonce_ts);
    w->revoked = dup_bytes(s->revoked, n);
}

/* Puts the instance back into its provisioned state. The objects it owns (the gateway's SAKKE
 * receiver, the sender cache) are shared with the snapshot; if the last input replaced one, the
 * snapshot's was destroyed, so the run is provisioned afresh instead. */
static void restore(world_t *w, bool compromised)
{
    ibc_t *s = w->s;
    bool same = s->gw.recv == w->snap.gw.recv && w->inputs < REPROVISION_EVERY;
    for (unsigned i = 0; i < IBC_SENDER_CACHE; i++)
        same &= s->senders[i].s == w->snap.senders[i].s;
    if (!same) {
        world_free(w);
        provision(w, compromised);
        return;
    }
    size_t n = w->snap.n_dev + 1;
    *s = w->snap;
    memcpy(s->dev, w->dev, n * sizeof *s->dev);
    memcpy(s->gw.sessions, w->sessions, n * sizeof *s->gw.sessions);
    memcpy(s->gw.nonces, w->nonces, s->cfg.nonce_cache * sizeof *s->gw.nonces);
    memcpy(s->gw.nonce_ts, w->nonce_ts, s->cfg.nonce_cache * sizeof *s->gw.nonce_ts);
    memcpy(s->revoked, w->revoked, n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    provision(&worlds[0], false);
    provision(&worlds[1], true);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    bool compromised = data[1] & 8, derived = data[1] & 16;
    world_t *w = &worlds[compromised];
    restore(w, compromised);
    w->inputs++;
    ibc_t *s = w->s;
    unsigned mit = data[0] | (data[1] & 1u) << 8, i = 0;
    for (const sg17_mitigation_t *m = sg17_module.mitigations; m->name; m++, i++)
        *(bool *)((char *)&s->cfg + m->offset) = mit >> i & 1;
    s->cfg.d1_signed = !(data[1] & 2);
    s->cfg.cross_domain_trust = !(data[1] & 4);
    unsigned src_sel = data[1] >> 5;
    size_t r = data[2] % N_ROUTES, n = size - 3;
    const uint8_t *in = data + 3;
    size_t len = derived && w->genuine[r] && w->genuine_len[r] > n ? w->genuine_len[r] : n;
    uint8_t *payload = malloc(len ? len : 1); /* exact size: ASan sees any over-read */
    if (!payload)
        return 0;
    memcpy(payload, in, n);
    if (derived && w->genuine[r])
        for (size_t k = 0; k < w->genuine_len[r]; k++)
            payload[k] = (uint8_t)(w->genuine[r][k] ^ (k < n ? in[k] : 0));
    sg17_entity_t src = w->ent[src_sel ? (src_sel - 1) % N_ENT : (unsigned)routes[r].src];
    sg17_mock_deliver(w->mock, src, w->ent[routes[r].dst], routes[r].type, payload, len);
    sg17_mock_clear(w->mock);
    free(payload);
    return 0;
}
