/* fuzz_sim.c — every simulated ibc entity's message handler (KMS, device, gateway) on arbitrary
 * bytes, through a stub host context, against an instance provisioned once by running the genuine
 * protocol (C.3 parameters, C.4 keys, D.1 sessions) and restored before every input.
 *
 * Input: octet 0 = mitigations 0-7; octet 1 = bit 0 mitigation 8, bit 1 unsigned D.1, bit 2 no
 * cross-domain trust, bit 3 devices compromised, bit 4 derived payload (the rest is XORed onto a
 * genuine message of the route, and extends it), bits 5-7 claimed source (0: the route's own);
 * octet 2 = the route (message type and receiving entity: every type on_message dispatches);
 * the rest = the payload. Checks that each delivered message is reported exactly once (accepted,
 * or rejected with a declared reason), that every reply goes to a real entity with a declared
 * message type, that every metric is declared, and that nothing crashes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sg17tb/module.h>

#include "sim/ibc_sim.h"

extern const sg17_module_t sg17_module;

/* Topology of the stub run: kms 0-1, devices 2-5 (device-i in domain kms-(i % 2)), gateway 6. */
enum { E_KMS0 = 0, E_KMS1 = 1, E_DEV0 = 2, N_DEV = 4, E_GW = 6, N_ENT = 7 };
#define NOW (3 * SG17_HOUR + 30 * SG17_MIN) /* inside key period 3 */

typedef struct {
    sg17_ctx_t base;
    uint64_t rng;
    bool compromised;
    /* provisioning: what the entities send and arm is queued and run */
    bool provisioning;
    size_t n_msgs, n_timers;
    struct queued_msg {
        sg17_entity_t src, dst;
        const char *type;
        uint8_t *payload;
        size_t len;
    } msgs[256];
    struct queued_timer {
        sg17_entity_t e;
        uint64_t tag;
    } timers[256];
    /* the message under test */
    unsigned reports;
    const char *reason;
} stub_t;

static stub_t *stub(sg17_ctx_t *c)
{
    return (stub_t *)c;
}

static const char *const kinds[N_ENT] = {"kms",    "kms",    "device", "device",
                                         "device", "device", "gateway"};
static const char *const names[N_ENT] = {"kms-0",    "kms-1",    "device-0", "device-1",
                                         "device-2", "device-3", "gateway-0"};

static bool declared_type(const char *type)
{
    for (const char *const *t = sg17_module.message_types; *t; t++)
        if (strcmp(*t, type) == 0)
            return true;
    return false;
}

static bool declared_metric(const char *name)
{
    for (const sg17_metric_t *m = sg17_module.metrics; m->name; m++) {
        size_t n = strlen(m->name);
        if (strcmp(m->name, name) == 0
            || (n >= 2 && strcmp(m->name + n - 2, ".*") == 0 && strncmp(m->name, name, n - 1) == 0))
            return true;
    }
    return false;
}

static sg17_time_t s_now(sg17_ctx_t *c)
{
    (void)c;
    return NOW;
}
static uint64_t s_rand(sg17_ctx_t *c)
{
    return stub(c)->rng = stub(c)->rng * 6364136223846793005ULL + 1442695040888963407ULL;
}
static unsigned s_count(sg17_ctx_t *c, const char *k)
{
    (void)c;
    return strcmp(k, "kms") == 0 ? 2 : strcmp(k, "device") == 0 ? N_DEV : 1;
}
static sg17_entity_t s_entity(sg17_ctx_t *c, const char *k, unsigned i)
{
    (void)c;
    if (strcmp(k, "kms") == 0)
        return i < 2 ? E_KMS0 + i : SG17_NO_ENTITY;
    if (strcmp(k, "device") == 0)
        return i < N_DEV ? E_DEV0 + i : SG17_NO_ENTITY;
    return strcmp(k, "gateway") == 0 && i == 0 ? E_GW : SG17_NO_ENTITY;
}
static const char *s_name(sg17_ctx_t *c, sg17_entity_t e)
{
    (void)c;
    return e < N_ENT ? names[e] : NULL;
}
static const char *s_kind(sg17_ctx_t *c, sg17_entity_t e)
{
    (void)c;
    return e < N_ENT ? kinds[e] : NULL;
}
static unsigned s_index(sg17_ctx_t *c, sg17_entity_t e)
{
    (void)c;
    return e == E_KMS1 ? 1 : e >= E_DEV0 && e < E_DEV0 + N_DEV ? e - E_DEV0 : 0;
}
static int s_send(sg17_ctx_t *c, sg17_entity_t a, sg17_entity_t b, const char *t, const void *p,
                  size_t n)
{
    stub_t *st = stub(c);
    if (a >= N_ENT || b >= N_ENT || !declared_type(t))
        abort(); /* a reply to a forged source must still go to a real entity */
    if (st->provisioning && st->n_msgs < sizeof st->msgs / sizeof st->msgs[0]) {
        struct queued_msg *q = &st->msgs[st->n_msgs];
        if (!(q->payload = malloc(n ? n : 1)))
            return -1;
        memcpy(q->payload, p, n);
        q->src = a, q->dst = b, q->type = t, q->len = n;
        st->n_msgs++;
    }
    return 0;
}
static int s_timer(sg17_ctx_t *c, sg17_entity_t e, sg17_time_t d, uint64_t t)
{
    stub_t *st = stub(c);
    (void)d;
    if (e >= N_ENT)
        abort();
    if (st->provisioning && st->n_timers < sizeof st->timers / sizeof st->timers[0])
        st->timers[st->n_timers++] = (struct queued_timer){e, t};
    return 0;
}
static void s_report(sg17_ctx_t *c, const sg17_msg_t *m, bool ok, const char *why)
{
    (void)m;
    stub(c)->reports++;
    stub(c)->reason = ok ? NULL : why;
}
static void s_metric(sg17_ctx_t *c, const char *n, double v)
{
    (void)c, (void)v;
    if (!declared_metric(n))
        abort();
}
static int s_inject(sg17_ctx_t *c, sg17_entity_t a, sg17_entity_t b, const char *t, const void *p,
                    size_t n)
{
    (void)c, (void)a, (void)b, (void)t, (void)p, (void)n;
    abort(); /* receivers never inject */
}
static bool s_compromised(sg17_ctx_t *c, sg17_entity_t e)
{
    return stub(c)->compromised && e >= E_DEV0 && e < E_DEV0 + N_DEV;
}
static const char *s_param(const sg17_params_t *p, const char *n)
{
    (void)p, (void)n;
    return NULL;
}
static size_t s_ccount(const sg17_params_t *p)
{
    (void)p;
    return 0;
}
static const sg17_msg_t *s_captured(const sg17_params_t *p, size_t i)
{
    (void)p, (void)i;
    return NULL;
}
static void s_log(sg17_ctx_t *c, const char *f, va_list ap)
{
    (void)c, (void)f, (void)ap;
}

static int s_send_many(sg17_ctx_t *c, sg17_entity_t a, const sg17_entity_t *dsts, size_t n,
                       const char *t, const void *p, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (s_send(c, a, dsts[i], t, p, len) != 0)
            return -1;
    return 0;
}

static const sg17_api_t api = {.abi_major = SG17_MODULE_ABI_MAJOR,
                               .size = sizeof(sg17_api_t),
                               .now = s_now,
                               .rand_u64 = s_rand,
                               .count = s_count,
                               .entity = s_entity,
                               .entity_name = s_name,
                               .entity_kind = s_kind,
                               .entity_index = s_index,
                               .send = s_send,
                               .send_many = s_send_many,
                               .timer = s_timer,
                               .report = s_report,
                               .metric_add = s_metric,
                               .metric_set = s_metric,
                               .inject = s_inject,
                               .compromised = s_compromised,
                               .param = s_param,
                               .captured_count = s_ccount,
                               .captured = s_captured,
                               .log = s_log};

/* The descriptor's handlers for the kind of entity e. */
static const sg17_entity_kind_t *kind_of(sg17_entity_t e)
{
    for (const sg17_entity_kind_t *k = sg17_module.entity_kinds; k->name; k++)
        if (strcmp(k->name, kinds[e]) == 0)
            return k;
    abort();
}

/* Every message type on_message dispatches, to each kind of receiver that handles it (and one
 * type each receiver does not take), with the source it normally comes from. */
static const struct {
    const char *type;
    sg17_entity_t dst, src;
} routes[] = {
    {"ibc.param_request", E_KMS0, E_DEV0},
    {"ibc.param_request", E_KMS1, E_DEV0 + 1},
    {"ibc.key_request", E_KMS0, E_DEV0},
    {"ibc.key_request", E_KMS1, E_DEV0 + 1},
    {"ibc.key_request", E_KMS0, E_GW},
    {"ibc.params", E_KMS0, E_GW},
    {"ibc.params", E_DEV0, E_KMS0},
    {"ibc.params", E_DEV0 + 1, E_KMS1},
    {"ibc.key_delivery", E_DEV0, E_KMS0},
    {"ibc.key_delivery", E_DEV0 + 1, E_KMS1},
    {"ibc.challenge", E_DEV0, E_GW},
    {"ibc.challenge", E_DEV0 + 3, E_GW}, /* revoked: holds no keys */
    {"ibc.app_data", E_DEV0 + 2, E_GW},
    {"ibc.d1_auth", E_GW, E_DEV0},
    {"ibc.d1_auth", E_GW, E_DEV0 + 1},
    {"ibc.app_data", E_GW, E_DEV0},
    {"ibc.params", E_GW, E_KMS0},
    {"ibc.params", E_GW, E_KMS1},
    {"ibc.key_delivery", E_GW, E_KMS0},
    {"ibc.challenge", E_GW, E_DEV0},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

/* The provisioned instance and its snapshot (restored before each input), and the first genuine
 * message of each route seen while provisioning (the base of derived payloads). */
static struct {
    stub_t *st;
    ibc_t *s, snap;
    uint64_t rng;
    ibc_device_t *dev;
    ibc_session_t *sessions;
    uint8_t (*nonces)[IBC_NONCE_BYTES];
    sg17_time_t *nonce_at;
    uint8_t *revoked;
    uint8_t *genuine[N_ROUTES];
    size_t genuine_len[N_ROUTES];
} P;

/* Delivers one message and checks it was reported exactly once, with a declared reason. */
static void deliver(stub_t *st, sg17_entity_t src, sg17_entity_t dst, const char *type,
                    const uint8_t *payload, size_t len)
{
    sg17_msg_t m = {.id = 1,
                    .dst = dst,
                    .claimed_src = src,
                    .type = type,
                    .payload = payload,
                    .len = len,
                    .sent_at = NOW};
    st->reports = 0;
    st->reason = NULL;
    kind_of(dst)->on_message(P.s, &st->base, &m);
    if (st->reports != 1)
        abort();
    if (st->reason) {
        bool known = false;
        for (const sg17_reason_t *r = sg17_module.reasons; r->name; r++)
            known |= strcmp(r->name, st->reason) == 0;
        if (!known)
            abort();
    }
}

static void *dup_array(const void *src, size_t n)
{
    void *p = malloc(n);
    if (!p)
        abort();
    return memcpy(p, src, n);
}

/* Runs the genuine protocol at NOW with the descriptor's default mitigations plus
 * key_validation: roll-over (C.3 lookups, C.4 key requests), key installation, one D.1 session
 * and one application message per device that gets keys (device-3 is revoked and gets none). */
static void provision(void)
{
    stub_t *st = calloc(1, sizeof *st);
    if (!st)
        abort();
    st->base.api = &api;
    st->rng = 1;
    ibc_config_t cfg = {.period_length = SG17_HOUR,
                        .start_period = "2026-01",
                        .freshness_window = 30 * SG17_SEC,
                        .app_interval = SG17_MIN,
                        .d1_signed = true,
                        .cross_domain_trust = true,
                        .revoked = "3",
                        .revoke_at = 0};
    for (const sg17_mitigation_t *m = sg17_module.mitigations; m->name; m++)
        *(bool *)((char *)&cfg + m->offset) =
            m->default_on || strcmp(m->name, "key_validation") == 0;
    st->provisioning = true;
    if (!(P.s = sg17_module.create(&st->base, &cfg)))
        abort();
    sg17_module.start(P.s, &st->base);
    bool rolled[N_ENT] = {false}, app_sent[N_ENT] = {false};
    for (int round = 0; round < 32 && (st->n_msgs || st->n_timers); round++) {
        for (size_t k = 0; k < st->n_msgs; k++) { /* grows while it is delivered */
            struct queued_msg q = st->msgs[k];
            for (size_t r = 0; r < N_ROUTES; r++)
                if (!P.genuine[r] && routes[r].dst == q.dst && routes[r].src == q.src
                    && strcmp(routes[r].type, q.type) == 0) {
                    P.genuine[r] = dup_array(q.payload, q.len ? q.len : 1);
                    P.genuine_len[r] = q.len;
                }
            deliver(st, q.src, q.dst, q.type, q.payload, q.len);
        }
        for (size_t k = 0; k < st->n_msgs; k++)
            free(st->msgs[k].payload);
        st->n_msgs = 0;
        struct queued_timer due[256];
        size_t n_due = st->n_timers;
        memcpy(due, st->timers, n_due * sizeof due[0]);
        st->n_timers = 0;
        for (size_t k = 0; k < n_due; k++) {
            sg17_entity_t e = due[k].e;
            bool session = e >= E_DEV0 && e < E_DEV0 + N_DEV && P.s->dev[e - E_DEV0].session;
            if (due[k].tag == IBC_T_ROLL && rolled[e])
                continue;
            if (due[k].tag == IBC_T_APP && (app_sent[e] || !session)) {
                if (!app_sent[e] && st->n_timers < 256)
                    st->timers[st->n_timers++] = due[k]; /* until the device has a session */
                continue;
            }
            rolled[e] |= due[k].tag == IBC_T_ROLL;
            app_sent[e] |= due[k].tag == IBC_T_APP;
            if (kind_of(e)->on_timer)
                kind_of(e)->on_timer(P.s, &st->base, e, due[k].tag);
        }
        if (!st->n_msgs)
            break;
    }
    for (size_t k = 0; k < st->n_msgs; k++)
        free(st->msgs[k].payload);
    st->n_msgs = st->n_timers = 0;
    st->provisioning = false;
    if (!P.s->gw.recv || !P.s->dev[0].session) /* the genuine protocol must have run */
        abort();
    size_t n = P.s->n_dev + 1;
    P.st = st;
    P.snap = *P.s;
    P.rng = st->rng;
    P.dev = dup_array(P.s->dev, n * sizeof *P.s->dev);
    P.sessions = dup_array(P.s->gw.sessions, n * sizeof *P.s->gw.sessions);
    P.nonces = dup_array(P.s->gw.nonces, IBC_NONCE_CACHE * sizeof *P.s->gw.nonces);
    P.nonce_at = dup_array(P.s->gw.nonce_at, IBC_NONCE_CACHE * sizeof *P.s->gw.nonce_at);
    P.revoked = dup_array(P.s->revoked, n);
}

/* Puts the instance back into its provisioned state. The objects it owns (the gateway's SAKKE
 * receiver, the sender cache) are shared with the snapshot; if the last input replaced one, the
 * snapshot's was destroyed, so the instance is rebuilt from scratch instead. */
static void restore(void)
{
    bool same = P.s->gw.recv == P.snap.gw.recv;
    for (unsigned i = 0; i < IBC_SENDER_CACHE; i++)
        same &= P.s->senders[i].s == P.snap.senders[i].s;
    if (!same) {
        sg17_module.destroy(P.s);
        P.s = NULL;
        free(P.st);
        free(P.dev), free(P.sessions);
        free(P.nonces), free(P.nonce_at), free(P.revoked);
        for (size_t r = 0; r < N_ROUTES; r++)
            free(P.genuine[r]), P.genuine[r] = NULL;
        provision();
        return;
    }
    size_t n = P.snap.n_dev + 1;
    *P.s = P.snap;
    memcpy(P.s->dev, P.dev, n * sizeof *P.s->dev);
    memcpy(P.s->gw.sessions, P.sessions, n * sizeof *P.s->gw.sessions);
    memcpy(P.s->gw.nonces, P.nonces, IBC_NONCE_CACHE * sizeof *P.s->gw.nonces);
    memcpy(P.s->gw.nonce_at, P.nonce_at, IBC_NONCE_CACHE * sizeof *P.s->gw.nonce_at);
    memcpy(P.s->revoked, P.revoked, n);
    P.st->rng = P.rng;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    provision();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    restore();
    ibc_t *s = P.s;
    stub_t *st = P.st;
    unsigned mit = data[0] | (data[1] & 1u) << 8;
    unsigned i = 0;
    for (const sg17_mitigation_t *m = sg17_module.mitigations; m->name; m++, i++)
        *(bool *)((char *)&s->cfg + m->offset) = mit >> i & 1;
    s->cfg.d1_signed = !(data[1] & 2);
    s->cfg.cross_domain_trust = !(data[1] & 4);
    st->compromised = data[1] & 8;
    bool derived = data[1] & 16;
    unsigned src_sel = data[1] >> 5;
    size_t r = data[2] % N_ROUTES, n = size - 3;
    const uint8_t *in = data + 3;
    size_t len = derived && P.genuine[r] && P.genuine_len[r] > n ? P.genuine_len[r] : n;
    uint8_t *payload = malloc(len ? len : 1); /* exact size: ASan sees any over-read */
    if (!payload)
        return 0;
    memcpy(payload, in, n);
    if (derived && P.genuine[r])
        for (size_t i = 0; i < P.genuine_len[r]; i++)
            payload[i] = (uint8_t)(P.genuine[r][i] ^ (i < n ? in[i] : 0));
    sg17_entity_t src = src_sel ? (src_sel - 1) % N_ENT : routes[r].src;
    deliver(st, src, routes[r].dst, routes[r].type, payload, len);
    free(payload);
    return 0;
}
