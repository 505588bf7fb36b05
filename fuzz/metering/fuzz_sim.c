/* fuzz_sim.c — every simulated metering entity's message handler on arbitrary bytes, through a
 * stub host context: the first octet picks the mitigations, the second the message type (every
 * type the module's on_message dispatches) with its receiving entity, the rest is the payload.
 * Checks that each delivered message is reported exactly once (accepted, or rejected with a
 * declared reason) and that nothing crashes, then runs the end-of-run metrics over the state. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sg17tb/module.h>

#include "sim/sim.h"

extern const sg17_module_t sg17_module;

/* Topology of the stub run: meters 0-3, hes 4, mdm 5, thirdparty 6, operator 7. */
enum { N_METERS = 4, E_HES = 4, E_MDM = 5, E_TP = 6, E_OP = 7, N_ENT = 8 };

typedef struct {
    sg17_ctx_t base;
    unsigned mit, reports;
    const char *reason;
    uint64_t rng;
} stub_t;

static stub_t *stub(sg17_ctx_t *c)
{
    return (stub_t *)c;
}
static sg17_time_t s_now(sg17_ctx_t *c)
{
    (void)c;
    return 3 * SG17_HOUR;
}
static uint64_t s_rand(sg17_ctx_t *c)
{
    return stub(c)->rng = stub(c)->rng * 6364136223846793005ULL + 1442695040888963407ULL;
}
static unsigned s_count(sg17_ctx_t *c, const char *k)
{
    (void)c;
    return strcmp(k, "meter") == 0 ? N_METERS : 1;
}
static sg17_entity_t s_entity(sg17_ctx_t *c, const char *k, unsigned i)
{
    (void)c;
    if (strcmp(k, "meter") == 0)
        return i < N_METERS ? i : SG17_NO_ENTITY;
    if (i)
        return SG17_NO_ENTITY;
    return strcmp(k, "hes") == 0          ? E_HES
           : strcmp(k, "mdm") == 0        ? E_MDM
           : strcmp(k, "thirdparty") == 0 ? E_TP
                                          : E_OP;
}
static const char *s_kind(sg17_ctx_t *c, sg17_entity_t e)
{
    (void)c;
    static const char *const k[] = {"meter", "meter", "meter",      "meter",
                                    "hes",   "mdm",   "thirdparty", "operator"};
    return e < N_ENT ? k[e] : "";
}
static const char *s_name(sg17_ctx_t *c, sg17_entity_t e)
{
    return s_kind(c, e);
}
static unsigned s_index(sg17_ctx_t *c, sg17_entity_t e)
{
    (void)c;
    return e < N_METERS ? e : 0;
}
static const char *s_config(sg17_ctx_t *c, const char *key)
{
    (void)c;
    static const char *const durations[] = {
        "reading_interval",    "push_slot",   "ondemand_interval", "tariff_interval", "dr_interval",
        "disconnect_interval", "firmware_at", "disconnect_window", "mdm_learning",    NULL};
    for (int i = 0; durations[i]; i++)
        if (strcmp(key, durations[i]) == 0)
            return "900000000";
    if (strcmp(key, "plain_push_when_off") == 0)
        return "false";
    for (const sg17_config_key_t *k = sg17_module.config; k->name; k++)
        if (strcmp(k->name, key) == 0)
            return k->default_value;
    return "0";
}
static bool s_mitigation(sg17_ctx_t *c, const char *name)
{
    unsigned i = 0;
    for (const sg17_mitigation_t *m = sg17_module.mitigations; m->name; m++, i++)
        if (strcmp(m->name, name) == 0)
            return stub(c)->mit >> (i % 8) & 1;
    return false;
}
static int s_send(sg17_ctx_t *c, sg17_entity_t a, sg17_entity_t b, const char *t, const void *p,
                  size_t n)
{
    (void)c, (void)a, (void)t, (void)p, (void)n;
    if (b >= N_ENT)
        abort(); /* a reply to a forged source must still go to a real entity */
    return 0;
}
static int s_timer(sg17_ctx_t *c, sg17_entity_t e, sg17_time_t d, uint64_t t)
{
    (void)c, (void)e, (void)d, (void)t;
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
    (void)c, (void)n, (void)v;
}
static int s_inject(sg17_ctx_t *c, sg17_entity_t a, sg17_entity_t b, const char *t, const void *p,
                    size_t n)
{
    (void)c, (void)a, (void)b, (void)t, (void)p, (void)n;
    return 0;
}
static bool s_compromised(sg17_ctx_t *c, sg17_entity_t e)
{
    (void)c, (void)e;
    return false;
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

static const sg17_api_t api = {SG17_MODULE_ABI_VERSION,
                               s_now,
                               s_rand,
                               s_count,
                               s_entity,
                               s_name,
                               s_kind,
                               s_index,
                               s_config,
                               s_mitigation,
                               s_send,
                               s_timer,
                               s_report,
                               s_metric,
                               s_metric,
                               s_inject,
                               s_compromised,
                               s_param,
                               s_ccount,
                               s_captured,
                               s_log};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    stub_t st = {.base = {&api}, .mit = data[0], .rng = 1};
    sg17_ctx_t *ctx = &st.base;
    msim_t *s = sg17_module.create(ctx);
    if (!s)
        return 0;
    /* some state to decode against: a reading from every meter, associations opened */
    for (unsigned i = 0; i < N_METERS; i++) {
        sg17_module.on_timer(s, ctx, i, TAG(TAG_READING, i));
        s->meters[i].assoc = ASSOC_OPEN;
        s->meters[i].assoc_hls = data[0] & 0x80;
        s->meters[i].assoc_pending = true;
        s->peers[i].assoc = ASSOC_PENDING;
    }
    /* every message type on_message dispatches, to the entity that handles it, from the
     * source it expects (NO_SRC: a source picked by the input) */
    enum { NO_SRC = N_ENT };
    static const struct {
        const char *type;
        sg17_entity_t dst, src;
    } routes[] = {
        {"metering.reading", E_HES, NO_SRC},
        {"metering.aarq", 1, E_HES},
        {"metering.aare", E_HES, NO_SRC},
        {"metering.hls", 2, E_HES},
        {"metering.command", 3, E_HES},
        {"metering.firmware", 0, E_HES},
        {"metering.response", E_HES, NO_SRC},
        {"metering.op_request", E_HES, E_OP},
        {"metering.export", E_MDM, E_HES},
        {"metering.tp_request", E_MDM, E_TP},
        {"metering.tp_response", E_TP, E_MDM},
        {"metering.audit_anchor", E_MDM, E_HES},
        {"metering.audit_log", E_MDM, E_HES},
        {"metering.hls", E_HES, NO_SRC},
        {"other", E_OP, NO_SRC},
    };
    unsigned t = data[1] % (sizeof routes / sizeof routes[0]);
    uint8_t *payload = malloc(size - 2 ? size - 2 : 1); /* exact size: ASan sees any over-read */
    if (payload) {
        memcpy(payload, data + 2, size - 2);
        sg17_entity_t src = routes[t].src == NO_SRC ? (data[1] >> 4) % N_ENT : routes[t].src;
        sg17_msg_t m = {.id = 1,
                        .dst = routes[t].dst,
                        .claimed_src = src,
                        .type = routes[t].type,
                        .payload = payload,
                        .len = size - 2,
                        .sent_at = 0};
        sg17_module.on_message(s, ctx, &m);
        if (st.reports != 1)
            abort();
        if (st.reason) { /* every rejection reason is declared */
            bool known = false;
            for (const sg17_reason_t *r = sg17_module.reasons; r->name; r++)
                known |= strcmp(r->name, st.reason) == 0;
            if (!known)
                abort();
        }
        free(payload);
        sg17_module.finish(s, ctx); /* end-of-run inference over what the message left behind */
    }
    sg17_module.destroy(s);
    return 0;
}
