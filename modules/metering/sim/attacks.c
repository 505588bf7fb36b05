/* sim/attacks.c — the metering module's attack primitives and the adversary's state. Each acts
 * with what the attacker really holds (no key, one meter's extracted keys, the HES key store, a
 * compromised account) and builds its messages with the module's own DLMS encoders; adversary
 * traffic goes out with sg17_inject, a compromised entity's with its own sg17_send. What the
 * attacker holds (msim_adversary_t) is defined here only: no receiver can consult it. The
 * eavesdropper's occupancy inference and the insider's audit-log edits are scored here against
 * ground truth. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim/metering_sim.h"

#define MSIM_FORGED_IC_BASE                                              \
    0x40000000u /* an attacker picks a counter far above any genuine one \
                 */

/* One audit-log entry the insider altered or deleted: its position in the edited log, and
 * whether a failed audit has covered it (ground truth for the metrics). */
typedef struct {
    size_t pos;
    bool detected;
} msim_altered_entry_t;

struct msim_adversary {
    bool has_hes_store; /* extract_key on hes-0: every meter's keys */
    bool has_keys;      /* extract_key on a meter: that meter's keys */
    dlms_keys_t keys;
    EVP_PKEY *sign_key; /* the attacker's own ECDSA key */
    /* the eavesdropper's tallies: correct / total guesses of occupied (1) and empty (0) */
    double correct1, total1, correct0, total0;
    msim_altered_entry_t *altered; /* tamper_audit_log's edits */
    size_t n_altered, cap_altered;
};

msim_adversary_t *msim_adversary_new(sg17_ctx_t *ctx)
{
    msim_adversary_t *a = calloc(1, sizeof *a);
    if (a && !(a->sign_key = msim_seeded_ecdsa(ctx))) {
        free(a);
        return NULL;
    }
    return a;
}

void msim_adversary_free(msim_adversary_t *a)
{
    if (!a)
        return;
    dlms_keys_cleanse(&a->keys);
    EVP_PKEY_free(a->sign_key);
    free(a->altered);
    free(a);
}

bool msim_adversary_audit_finding(msim_adversary_t *a, size_t first_bad)
{
    if (!a)
        return false;
    for (size_t t = 0; t < a->n_altered; t++)
        if (a->altered[t].pos >= first_bad)
            a->altered[t].detected = true;
    return a->n_altered > 0;
}

void msim_adversary_finish(msim_t *s, sg17_ctx_t *ctx)
{
    size_t undetected = 0;
    for (size_t t = 0; t < s->adv->n_altered; t++)
        undetected += !s->adv->altered[t].detected;
    sg17_metric_set(ctx, "audit.undetected_tampered", (double)undetected);
}

/* The entity a "kind-N" parameter names (and N in *index), or SG17_NO_ENTITY. */
static sg17_entity_t param_entity(sg17_ctx_t *ctx, const sg17_params_t *p, const char *name,
                                  const char *kind, unsigned *index)
{
    const char *v = sg17_param(ctx, p, name);
    if (!v)
        return SG17_NO_ENTITY;
    size_t kl = strlen(kind);
    if (strncmp(v, kind, kl) != 0 || v[kl] != '-')
        return SG17_NO_ENTITY;
    *index = (unsigned)strtoul(v + kl + 1, NULL, 10);
    return sg17_entity(ctx, kind, *index);
}

/* The keys the attacker would use against meter j, or NULL when it holds none for it. */
static const dlms_keys_t *adv_keys_for(const msim_t *s, unsigned j)
{
    if (s->adv->has_hes_store)
        return &s->meters[j].keys;
    return s->adv->has_keys ? &s->adv->keys : NULL;
}

/* An APDU wrapped as the HES would send it: ciphered with whatever keys the attacker has for
 * that meter (claiming the HES system title), else in clear. */
static int adv_command(msim_t *s, sg17_ctx_t *ctx, unsigned j, const char *type,
                       const uint8_t *apdu, size_t len, uint32_t *ic)
{
    const dlms_keys_t *k = adv_keys_for(s, j);
    uint8_t frame[MSIM_FRAME_CAP];
    size_t n;
    if (msim_wrap(k, s->hes_systitle, k ? ++*ic : 0, k ? DLMS_SC_AUTH_ENC : 0, apdu, len, frame,
                  sizeof frame, &n))
        return -1;
    return sg17_inject(ctx, s->hes, msim_meter_entity(s, j), type, frame, n);
}

static int build_command(msim_t *s, sg17_ctx_t *ctx, const char *cmd, unsigned j, uint8_t *out,
                         size_t cap, size_t *outlen)
{
    uint8_t apdu[64], v[8];
    size_t n, vl;
    int rc;
    if (strcmp(cmd, "disconnect") == 0 || strcmp(cmd, "reconnect") == 0)
        rc = dlms_disconnect_request_encode(0x51, cmd[0] == 'r', apdu, sizeof apdu, &n);
    else if (strcmp(cmd, "load_limit") == 0)
        rc = dlms_load_limit_request_encode(0x52, 100, apdu, sizeof apdu, &n);
    else if (strcmp(cmd, "tariff") == 0) {
        dlms_data_encode_u32(0xBAD, v, sizeof v, &vl);
        dlms_set_request_t q = {.invoke_id = 0x53,
                                .attr = {DLMS_CLASS_ACTIVITY_CALENDAR, {0}, 2},
                                .value = v,
                                .value_len = vl};
        memcpy(q.attr.obis, DLMS_OBIS_ACTIVITY_CALENDAR, 6);
        rc = dlms_set_request_encode(&q, apdu, sizeof apdu, &n);
        if (rc == 0 && n <= cap) { /* settings are not signed: sent as a bare request */
            memcpy(out, apdu, n);
            *outlen = n;
        }
        return rc || n > cap ? -1 : 0;
    } else {
        sg17_log(ctx,
                 "forge_command: unknown command '%s' (disconnect, reconnect, load_limit, tariff)",
                 cmd);
        return -1;
    }
    if (rc)
        return -1;
    /* critical commands carry a general-signing in operator 0's name, signed with the
     * attacker's own key: the best it can do without the operator's private key */
    return msim_op_request(s, ctx, s->adv->sign_key, 0, j, apdu, n, out, cap, outlen);
}

/* A meter count or index parameter (within the descriptor's range), clamped to the fleet. */
static unsigned count_param(sg17_ctx_t *ctx, const sg17_params_t *p, const char *name,
                            unsigned dflt, unsigned max)
{
    double v = sg17_param_number(ctx, p, name, dflt);
    if (v < 0)
        v = 0;
    return v > max ? max : (unsigned)v;
}

int msim_attack_forge_command(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    const char *cmd = sg17_param(ctx, p, "command");
    unsigned first = count_param(ctx, p, "first", 0, s->n_meters);
    unsigned n = count_param(ctx, p, "meters", 1, s->n_meters - first);
    uint32_t ic = MSIM_FORGED_IC_BASE;
    for (unsigned j = first; j < first + n; j++) {
        uint8_t apdu[512];
        size_t len;
        if (build_command(s, ctx, cmd ? cmd : "disconnect", j, apdu, sizeof apdu, &len)
            || adv_command(s, ctx, j, "metering.command", apdu, len, &ic) < 0)
            return -1;
    }
    return 0;
}

/* A rogue head-end: unauthenticated requests claiming the HES address (it holds no keys). */
int msim_attack_rogue_hes(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    unsigned n = count_param(ctx, p, "meters", s->n_meters, s->n_meters);
    for (unsigned j = 0; j < n; j++) {
        uint8_t apdu[64];
        size_t len;
        dlms_get_request_t g = {.invoke_id = 0x61, .attr = {DLMS_CLASS_REGISTER, {0}, 2}};
        memcpy(g.attr.obis, DLMS_OBIS_ACTIVE_ENERGY_IMPORT, 6);
        if (dlms_get_request_encode(&g, apdu, sizeof apdu, &len)
            || sg17_inject(ctx, s->hes, msim_meter_entity(s, j), "metering.command", apdu, len) < 0)
            return -1;
    }
    return 0;
}

/* Readings in a victim's name: its system title, the attacker's keys, an inflated register. */
int msim_attack_impersonate_meter(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    unsigned v;
    sg17_entity_t victim = param_entity(ctx, p, "victim", "meter", &v);
    if (victim == SG17_NO_ENTITY || !s->adv->has_keys) {
        sg17_log(ctx, "impersonate_meter needs a victim meter and an extract_key first");
        return -1;
    }
    unsigned count = (unsigned)sg17_param_number(ctx, p, "count", 4); /* range: at most 10000 */
    double factor = sg17_param_number(ctx, p, "factor", 2.0);
    msim_meter_t *m = &s->meters[v];
    for (unsigned i = 0; i < count; i++) {
        uint8_t frame[128];
        size_t n;
        uint32_t reg = (uint32_t)llround(m->reported_wh * factor + 1000.0 * i);
        if (msim_reading_frame(m, NULL, &s->adv->keys, MSIM_FORGED_IC_BASE + i, DLMS_SC_AUTH_ENC,
                               m->seq + i, reg, sg17_now(ctx), frame, sizeof frame, &n)
            || sg17_inject(ctx, victim, s->hes, "metering.reading", frame, n) < 0)
            return -1;
    }
    return 0;
}

/* False data from the network, no key: a clear data-notification claiming a meter. */
int msim_attack_inject_reading(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    unsigned v;
    sg17_entity_t e = param_entity(ctx, p, "meter", "meter", &v);
    if (e == SG17_NO_ENTITY) {
        sg17_log(ctx, "inject_reading needs meter: meter-N");
        return -1;
    }
    unsigned count = (unsigned)sg17_param_number(ctx, p, "count", 1); /* range: at most 10000 */
    double value = sg17_param_number(ctx, p, "value", 1e6);
    /* the register is 32 bits: clamp so that value + i stays representable */
    uint32_t reg = value <= 0                              ? 0
                   : value >= (double)(UINT32_MAX - count) ? UINT32_MAX - count
                                                           : (uint32_t)value;
    for (unsigned i = 0; i < count; i++) {
        uint8_t frame[128];
        size_t n;
        if (msim_reading_frame(&s->meters[v], NULL, NULL, 0, 0, s->meters[v].seq + i, reg + i,
                               sg17_now(ctx), frame, sizeof frame, &n)
            || sg17_inject(ctx, e, s->hes, "metering.reading", frame, n) < 0)
            return -1;
    }
    return 0;
}

/* Firmware not released by the manufacturer: signed with the attacker's key in the
 * manufacturer's name, pushed through the association with the keys the attacker holds. */
int msim_attack_malicious_firmware(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    unsigned n = count_param(ctx, p, "meters", s->n_meters, s->n_meters);
    uint8_t body[MSIM_FW_BODY_LEN], apdu[700];
    memset(body, 0xEE, sizeof body);
    static const uint8_t tx[4] = {0, 0, 6, 6};
    size_t al;
    if (msim_firmware_action(s, s->adv->sign_key, 0x666, body, tx, 0x66, apdu, sizeof apdu, &al)
        < 0)
        return -1;
    uint32_t ic = MSIM_FORGED_IC_BASE;
    for (unsigned j = 0; j < n; j++)
        if (adv_command(s, ctx, j, "metering.firmware", apdu, al, &ic) < 0)
            return -1;
    return 0;
}

/* A compromised operator account: valid, signed disconnects for many meters at once. */
int msim_attack_mass_disconnect(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    unsigned op = 0;
    sg17_entity_t e = param_entity(ctx, p, "operator", "operator", &op);
    if (e == SG17_NO_ENTITY)
        e = sg17_entity(ctx, "operator", op = 0);
    if (e == SG17_NO_ENTITY || !sg17_compromised(ctx, e)) {
        sg17_log(ctx, "mass_disconnect needs a compromised operator account (compromise: {entity: "
                      "operator-0})");
        return -1;
    }
    unsigned n = count_param(ctx, p, "meters", s->n_meters, s->n_meters);
    for (unsigned j = 0; j < n; j++) {
        uint8_t apdu[64], req[512];
        size_t len, rl;
        if (dlms_disconnect_request_encode(0x71, false, apdu, sizeof apdu, &len)
            || msim_op_request(s, ctx, s->op_keys[op], op, j, apdu, len, req, sizeof req, &rl)
            || sg17_send(ctx, e, s->hes, "metering.op_request", req, rl) < 0)
            return -1;
    }
    return 0;
}

/* One captured reading as the eavesdropper sees it. */
typedef struct {
    unsigned meter, seq;  /* claimed source; reading number (for scoring only) */
    uint32_t wh, len;     /* consumption read from a clear register; frame length */
    sg17_time_t at;       /* send time in the envelope */
    bool readable, guess; /* wh is known; the occupancy guess */
} msim_observation_t;

/* Eavesdropper: one occupancy guess per captured reading, per meter, from what it observes.
 * Where it can read the register (clear pushes, from a meter's second reading on) it classifies
 * the consumption series; every other frame gets the traffic-analysis guess over the meter's
 * frame lengths and inter-arrival times (msim_classify_traffic). Scored against ground truth. */
int msim_attack_infer_occupancy(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    msim_adversary_t *a = s->adv;
    size_t n = sg17_captured_count(ctx, p), nm = s->n_meters ? s->n_meters : 1, cap = n ? n : 1;
    msim_observation_t *obs = calloc(cap, sizeof *obs);
    size_t *order = calloc(cap, sizeof *order), *off = calloc(nm + 1, sizeof *off);
    uint32_t *last_reg = calloc(nm, sizeof *last_reg), *tv = calloc(cap, sizeof *tv),
             *tl = calloc(cap, sizeof *tl);
    sg17_time_t *ta = calloc(cap, sizeof *ta);
    bool *have = calloc(nm, 1), *tg = calloc(cap, 1);
    int rc = -1;
    if (!obs || !order || !off || !last_reg || !tv || !tl || !ta || !have || !tg)
        goto done;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        const sg17_msg_t *m = sg17_captured(ctx, p, i);
        bool ok;
        unsigned j = msim_meter_index(s, ctx, m->claimed_src, &ok);
        if (!ok || strcmp(m->type, "metering.reading") != 0 || m->sent_at < s->meters[j].phase)
            continue;
        msim_observation_t *o = &obs[used++];
        o->meter = j;
        o->seq = (unsigned)((m->sent_at - s->meters[j].phase + s->cfg.reading_interval / 2)
                            / s->cfg.reading_interval);
        o->len = m->len > UINT32_MAX ? UINT32_MAX : (uint32_t)m->len;
        o->at = m->sent_at;
        dlms_data_notification_t dn;
        if (m->len && m->payload[0] == DLMS_APDU_DATA_NOTIFICATION
            && dlms_data_notification_decode(m->payload, m->len, &dn) == 0) {
            o->readable = have[j] && dn.reading.value >= last_reg[j];
            o->wh = o->readable ? dn.reading.value - last_reg[j] : 0;
            last_reg[j] = dn.reading.value;
            have[j] = true;
        }
    }
    /* group by meter, keeping capture order (a counting sort) */
    for (size_t i = 0; i < used; i++)
        off[obs[i].meter + 1]++;
    for (size_t j = 0; j < nm; j++)
        off[j + 1] += off[j];
    for (size_t i = 0; i < used; i++)
        order[off[obs[i].meter]++] = i;
    for (size_t j = nm; j > 0; j--) /* off[j] was advanced to the group's end: shift back */
        off[j] = off[j - 1];
    off[0] = 0;
    for (size_t j = 0; j < nm; j++) {
        size_t lo = off[j], hi = off[j + 1], c = 0;
        for (size_t g = lo; g < hi; g++) /* the consumption it could read */
            if (obs[order[g]].readable)
                tv[c++] = obs[order[g]].wh;
        msim_classify(tv, c, tg);
        c = 0;
        for (size_t g = lo; g < hi; g++)
            if (obs[order[g]].readable)
                obs[order[g]].guess = tg[c++];
        for (size_t g = lo; g < hi; g++) { /* the traffic it saw, every frame of the meter */
            tl[g - lo] = obs[order[g]].len;
            ta[g - lo] = obs[order[g]].at;
        }
        if (msim_classify_traffic(tl, ta, hi - lo, tg))
            goto done;
        for (size_t g = lo; g < hi; g++)
            if (!obs[order[g]].readable)
                obs[order[g]].guess = tg[g - lo];
    }
    for (size_t i = 0; i < used; i++) {
        const msim_meter_t *mt = &s->meters[obs[i].meter];
        if (obs[i].seq < mt->n_occ)
            msim_score(&a->correct1, &a->total1, &a->correct0, &a->total0, mt->occupied[obs[i].seq],
                       obs[i].guess);
    }
    /* balanced accuracy; with no reading of one class scored there is nothing to measure */
    double acc = a->total1 > 0 && a->total0 > 0
                     ? 0.5 * (a->correct1 / a->total1 + a->correct0 / a->total0)
                     : 0.5;
    sg17_metric_set(ctx, "privacy.eavesdropper_accuracy", acc);
    sg17_metric_set(ctx, "privacy.readings_observed", (double)used);
    rc = 0;
done:
    free(obs), free(order), free(off), free(last_reg), free(tv), free(tl), free(ta), free(have),
        free(tg);
    if (rc)
        sg17_log(ctx, "infer_occupancy: out of memory");
    return rc;
}

/* An insider at the head-end covers up commands: needs hes-0 compromised (write access to the
 * log store); acts on the stored records only. */
int msim_attack_tamper_audit_log(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    if (!sg17_compromised(ctx, s->hes)) {
        sg17_log(ctx, "tamper_audit_log needs the head-end compromised (compromise: {entity: "
                      "hes-0})");
        return -1;
    }
    const char *mode = sg17_param(ctx, p, "mode"), *cmd = sg17_param(ctx, p, "command");
    bool rewrite = mode && strcmp(mode, "rewrite") == 0;
    if (mode && !rewrite && strcmp(mode, "delete") != 0) {
        sg17_log(ctx, "tamper_audit_log: mode is delete or rewrite");
        return -1;
    }
    int kind = cmd ? msim_audit_kind_of(cmd) : -1;
    if (cmd && kind < 0) {
        sg17_log(ctx, "tamper_audit_log: unknown command kind '%s'", cmd);
        return -1;
    }
    double from = sg17_param_number(ctx, p, "from", 0) / (double)SG17_SEC;
    double to = sg17_param_number(ctx, p, "to", 0) / (double)SG17_SEC;
    msim_adversary_t *a = s->adv;
    size_t *pos = malloc((s->audit_n ? s->audit_n : 1) * sizeof *pos), n = 0;
    if (!pos || msim_audit_tamper(s, ctx, from, to, rewrite, kind, pos, &n)) {
        free(pos);
        return -1;
    }
    if (a->n_altered + n > a->cap_altered) { /* ground truth of what it altered */
        size_t nc = a->n_altered + n;
        msim_altered_entry_t *q = realloc(a->altered, nc * sizeof *q);
        if (!q) {
            free(pos);
            return 0; /* the edit is done; only its scoring is lost */
        }
        a->altered = q;
        a->cap_altered = nc;
    }
    for (size_t k = 0; k < n; k++)
        a->altered[a->n_altered++] = (msim_altered_entry_t){.pos = pos[k], .detected = false};
    free(pos);
    return 0;
}

/* A compromised meter's firmware under-reports its consumption from now on. */
int msim_attack_false_data(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    unsigned idx;
    sg17_entity_t e = param_entity(ctx, p, "entity", "meter", &idx);
    if (e == SG17_NO_ENTITY || !sg17_compromised(ctx, e)) {
        sg17_log(ctx, "false_data needs a compromised meter (compromise: {entity: meter-N} first)");
        return -1;
    }
    double f = sg17_param_number(ctx, p, "factor", 0.5);
    s->meters[idx].false_factor = f < 0 ? 0 : f;
    return 0;
}

/* Physical extraction: one meter's keys, or the HES key store (every meter's keys). */
int msim_attack_extract_key(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    unsigned idx;
    const char *v = sg17_param(ctx, p, "entity");
    if (v && strcmp(v, "hes-0") == 0) {
        s->adv->has_hes_store = true;
        return 0;
    }
    if (param_entity(ctx, p, "entity", "meter", &idx) == SG17_NO_ENTITY) {
        sg17_log(ctx, "extract_key needs entity: meter-N or hes-0");
        return -1;
    }
    s->adv->keys = s->meters[idx].keys;
    s->adv->has_keys = true;
    return 0;
}

/* A compromised third-party account asks for every customer's raw 15-min series. */
int msim_attack_overcollect(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    (void)p;
    sg17_entity_t e = sg17_entity(ctx, "thirdparty", 0);
    if (e == SG17_NO_ENTITY || !sg17_compromised(ctx, e)) {
        sg17_log(ctx, "overcollect needs the third party's account compromised (compromise: "
                      "{entity: thirdparty-0})");
        return -1;
    }
    unsigned *all = malloc((s->n_meters ? s->n_meters : 1) * sizeof *all);
    if (!all)
        return -1;
    for (unsigned j = 0; j < s->n_meters; j++)
        all[j] = j;
    msim_tp_request(s, ctx, true, all, s->n_meters);
    free(all);
    return 0;
}

/* The kind of an operator-signed APDU ("disconnect", "reconnect", "load_limit"), or NULL. */
static const char *signed_kind(const uint8_t *apdu, size_t len)
{
    dlms_action_request_t a;
    dlms_set_request_t q;
    if (len && apdu[0] == DLMS_APDU_ACTION_REQUEST && dlms_action_request_decode(apdu, len, &a) == 0
        && a.method.class_id == DLMS_CLASS_DISCONNECT_CONTROL)
        return a.method.index == DLMS_METHOD_REMOTE_DISCONNECT  ? "disconnect"
               : a.method.index == DLMS_METHOD_REMOTE_RECONNECT ? "reconnect"
                                                                : NULL;
    if (len && apdu[0] == DLMS_APDU_SET_REQUEST && dlms_set_request_decode(apdu, len, &q) == 0
        && q.attr.class_id == DLMS_CLASS_LIMITER)
        return "load_limit";
    return NULL;
}

/* Re-wrapping a captured signed command: whoever holds a meter's suite-0 keys (the HES key store,
 * or a fleet key extracted from any meter) opens the HES's frames to it, keeps the operator's
 * general-signing as it is (the signature still verifies: it covers the command, not the frame)
 * and sends it again under a fresh invocation counter. Frames it cannot open are skipped. */
int msim_attack_rewrap_command(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    const char *want = sg17_param(ctx, p, "command");
    if (!want)
        want = "disconnect";
    if (strcmp(want, "disconnect") != 0 && strcmp(want, "reconnect") != 0
        && strcmp(want, "load_limit") != 0 && strcmp(want, "any") != 0) {
        sg17_log(ctx, "rewrap_command: command is disconnect, reconnect, load_limit or any");
        return -1;
    }
    uint32_t ic = MSIM_FORGED_IC_BASE;
    size_t n = sg17_captured_count(ctx, p);
    for (size_t i = 0; i < n; i++) {
        const sg17_msg_t *m = sg17_captured(ctx, p, i);
        bool ok, ciphered;
        unsigned j = msim_meter_index(s, ctx, m->dst, &ok);
        if (!ok || strcmp(m->type, "metering.command") != 0)
            continue;
        const dlms_keys_t *k = adv_keys_for(s, j);
        uint8_t plain[MSIM_FRAME_CAP];
        size_t pl;
        uint32_t got;
        if (m->len && m->payload[0] == DLMS_APDU_GENERAL_GLO_CIPHERING && !k)
            continue; /* ciphered, and it holds no key for that meter */
        if (msim_unwrap(k, m->payload, m->len, s->hes_systitle, 0, DLMS_IC_NONE, plain,
                        sizeof plain, &pl, &got, &ciphered)
                != DLMS_SEC_OK
            || pl == 0 || plain[0] != DLMS_APDU_GENERAL_SIGNING)
            continue;
        dlms_general_signing_t g;
        const char *kind;
        if (dlms_general_signing_decode(plain, pl, &g) || !g.content
            || !(kind = signed_kind(g.content, g.content_len))
            || (strcmp(want, "any") != 0 && strcmp(want, kind) != 0))
            continue;
        if (adv_command(s, ctx, j, "metering.command", plain, pl, &ic) < 0)
            return -1;
    }
    return 0;
}

/* One HLS proof the HES sent, f(StoC) = 10 || IC || tag, with the challenge it answers (taken
 * from the meter's AARE, sent in clear). */
typedef struct {
    uint32_t ic;
    uint8_t tag[DLMS_TAG_LEN];
    uint8_t challenge[MSIM_CHALLENGE_LEN];
} msim_hls_seen_t;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_hls_ic(const void *a, const void *b)
{
    return cmp_u32(&((const msim_hls_seen_t *)a)->ic, &((const msim_hls_seen_t *)b)->ic);
}

/* The real GHASH key of the fleet's EK, E_K(0^128): ground truth for scoring only. */
static bool ghash_key_is_real(const msim_t *s, const uint8_t h[MSIM_GF_LEN])
{
    static const uint8_t zero[MSIM_GF_LEN] = {0};
    uint8_t real[MSIM_GF_LEN + 16];
    int n = 0, m = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    bool ok = c && s->n_meters
              && EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, s->meters[0].keys.ek, NULL) == 1
              && EVP_CIPHER_CTX_set_padding(c, 0) == 1
              && EVP_EncryptUpdate(c, real, &n, zero, MSIM_GF_LEN) == 1
              && EVP_EncryptFinal_ex(c, real + n, &m) == 1 && n + m == MSIM_GF_LEN
              && CRYPTO_memcmp(real, h, MSIM_GF_LEN) == 0;
    EVP_CIPHER_CTX_free(c);
    OPENSSL_cleanse(real, sizeof real);
    return ok;
}

/* The eavesdropper of a fleet key deployment, holding no key. From the capture it keeps the
 * challenges (AAREs), the HES's HLS proofs and its command frames, and the highest counter the
 * HES used towards each meter. HLS proofs that share an IV (same HES system title and counter)
 * give the GHASH key H (msim_ghash_key_from_hls). It then takes the captured tariff update
 * (recognised by its length: the APDU format is public) with the highest counter, flips the top
 * bit of the tariff value in the ciphertext (CTR: the plaintext bit flips with it) and, knowing
 * H, recomputes the tag: tag' = tag + GHASH_H(difference); without H it can only keep the old
 * tag. Each such frame goes to every meter the frame was not for whose last counter from the HES
 * is below the frame's. */
int msim_attack_iv_reuse(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    size_t n = sg17_captured_count(ctx, p), nm = s->n_meters ? s->n_meters : 1, cap = n ? n : 1;
    uint8_t(*stoc)[MSIM_CHALLENGE_LEN] = calloc(nm, sizeof *stoc);
    bool *have_stoc = calloc(nm, 1);
    int64_t *last_ic = malloc(nm * sizeof *last_ic);
    msim_hls_seen_t *hls = calloc(cap, sizeof *hls);
    uint32_t *ivs = calloc(cap, sizeof *ivs);
    uint8_t(*chs)[MSIM_CHALLENGE_LEN] = calloc(cap, sizeof *chs);
    uint8_t(*tags)[DLMS_TAG_LEN] = calloc(cap, sizeof *tags);
    int rc = -1;
    if (!stoc || !have_stoc || !last_ic || !hls || !ivs || !chs || !tags)
        goto done;
    uint8_t tariff[64];
    size_t tl;
    if (build_command(s, ctx, "tariff", 0, tariff, sizeof tariff, &tl))
        goto done;
    for (size_t j = 0; j < nm; j++)
        last_ic[j] = -1;
    size_t n_hls = 0, n_iv = 0;
    const uint8_t *best = NULL;
    size_t best_len = 0;
    uint32_t best_ic = 0;
    unsigned best_dst = 0;
    for (size_t i = 0; i < n; i++) {
        const sg17_msg_t *m = sg17_captured(ctx, p, i);
        bool ok;
        if (strcmp(m->type, "metering.aare") == 0) {
            unsigned j = msim_meter_index(s, ctx, m->claimed_src, &ok);
            if (ok && m->len == 1 + DLMS_SYSTITLE_LEN + MSIM_CHALLENGE_LEN) {
                memcpy(stoc[j], m->payload + 1 + DLMS_SYSTITLE_LEN, MSIM_CHALLENGE_LEN);
                have_stoc[j] = true;
            }
            continue;
        }
        unsigned j = msim_meter_index(s, ctx, m->dst, &ok);
        if (!ok || m->claimed_src != s->hes)
            continue;
        uint32_t ic;
        if (strcmp(m->type, "metering.hls") == 0 && m->len == DLMS_HLS_GMAC_LEN
            && m->payload[0] == DLMS_SC_AUTH) {
            ic = sg17_load_be32(m->payload + 1);
            if (have_stoc[j]) {
                msim_hls_seen_t *h = &hls[n_hls++];
                h->ic = ic;
                memcpy(h->tag, m->payload + DLMS_SEC_HDR_LEN, DLMS_TAG_LEN);
                memcpy(h->challenge, stoc[j], MSIM_CHALLENGE_LEN);
            }
        } else if (strcmp(m->type, "metering.command") == 0 && m->len
                   && m->payload[0] == DLMS_APDU_GENERAL_GLO_CIPHERING) {
            const uint8_t *st, *sec;
            size_t sl;
            if (dlms_general_glo_decode(m->payload, m->len, &st, &sec, &sl)
                || memcmp(st, s->hes_systitle, DLMS_SYSTITLE_LEN) != 0 || sl < DLMS_SEC_HDR_LEN)
                continue;
            ic = sg17_load_be32(sec + 1);
            if (sec[0] == DLMS_SC_AUTH_ENC && sl == DLMS_SEC_HDR_LEN + tl + DLMS_TAG_LEN
                && ic > best_ic) {
                best = sec;
                best_len = sl;
                best_ic = ic;
                best_dst = j;
            }
        } else {
            continue;
        }
        ivs[n_iv++] = ic; /* every one of these frames has the HES's system title */
        if ((int64_t)ic > last_ic[j])
            last_ic[j] = ic;
    }
    size_t reused = 0;
    qsort(ivs, n_iv, sizeof *ivs, cmp_u32);
    for (size_t k = 1; k < n_iv; k++)
        reused += ivs[k] == ivs[k - 1];
    /* the largest group of HLS proofs under one IV */
    qsort(hls, n_hls, sizeof *hls, cmp_hls_ic);
    size_t g0 = 0, glen = 0;
    for (size_t k = 0, start = 0; k < n_hls; k++) {
        if (k + 1 == n_hls || hls[k + 1].ic != hls[k].ic) {
            if (k + 1 - start > glen) {
                g0 = start;
                glen = k + 1 - start;
            }
            start = k + 1;
        }
    }
    for (size_t k = 0; k < glen; k++) {
        memcpy(chs[k], hls[g0 + k].challenge, MSIM_CHALLENGE_LEN);
        memcpy(tags[k], hls[g0 + k].tag, DLMS_TAG_LEN);
    }
    uint8_t h[MSIM_GF_LEN];
    bool have_h = msim_ghash_key_from_hls(chs, tags, glen, h) == 0;
    sg17_metric_set(ctx, "iv.reused_frames", (double)reused);
    sg17_metric_set(ctx, "iv.ghash_key_recovered", have_h && ghash_key_is_real(s, h));
    size_t sent = 0;
    if (best) {
        uint8_t sec[MSIM_FRAME_CAP], frame[MSIM_FRAME_CAP], delta[64] = {0}, dt[MSIM_GF_LEN];
        size_t at = tl - 4, fl; /* the u32 value's top octet: the set-request's last four */
        memcpy(sec, best, best_len);
        sec[DLMS_SEC_HDR_LEN + at] ^= 0x80;
        delta[at] = 0x80;
        if (have_h && msim_ghash_delta(h, delta, tl, dt) == 0)
            for (size_t k = 0; k < DLMS_TAG_LEN; k++)
                sec[DLMS_SEC_HDR_LEN + tl + k] ^= dt[k];
        if (dlms_general_glo_encode(s->hes_systitle, sec, best_len, frame, sizeof frame, &fl))
            goto done;
        for (unsigned j = 0; j < s->n_meters; j++) {
            if (j == best_dst || last_ic[j] >= (int64_t)best_ic)
                continue;
            if (sg17_inject(ctx, s->hes, msim_meter_entity(s, j), "metering.command", frame, fl)
                < 0)
                goto done;
            sent++;
        }
    }
    sg17_metric_set(ctx, "iv.forgeries_sent", (double)sent);
    OPENSSL_cleanse(h, sizeof h);
    rc = 0;
done:
    free(stoc), free(have_stoc), free(last_ic), free(hls), free(ivs), free(chs), free(tags);
    if (rc)
        sg17_log(ctx, "iv_reuse: out of memory or encoding failure");
    return rc;
}
