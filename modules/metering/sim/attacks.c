/* sim/attacks.c — the metering module's attack primitives. Each acts with what the attacker
 * really holds (no key, one meter's extracted keys, the HES key store, a compromised account)
 * and builds its messages with the module's own DLMS encoders; adversary traffic goes out with
 * sg17_inject, a compromised entity's with its own sg17_send. The eavesdropper's occupancy
 * inference is scored here against the households' ground truth. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

#define FORGED_IC_BASE 0x40000000u /* an attacker picks a counter far above any genuine one */

static const uint8_t OBIS_TARIFF[6] = {0, 0, 13, 0, 0, 255};

void msim_score(double *c1, double *t1, double *c0, double *t0, bool truth, bool guess)
{
    if (truth) {
        *t1 += 1;
        *c1 += guess;
    } else {
        *t0 += 1;
        *c0 += !guess;
    }
}

void msim_classify(const uint32_t *wh, size_t n, bool *guess)
{
    double mean = 0;
    for (size_t k = 0; k < n; k++)
        mean += wh[k];
    mean = n ? mean / (double)n : 0;
    for (size_t k = 0; k < n; k++)
        guess[k] = wh[k] > mean;
}

static sg17_entity_t param_entity(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p,
                                  const char *name, const char *kind, unsigned *index)
{
    const char *v = sg17_param(ctx, p, name);
    if (!v)
        return SG17_NO_ENTITY;
    size_t kl = strlen(kind);
    if (strncmp(v, kind, kl) != 0 || v[kl] != '-')
        return SG17_NO_ENTITY;
    *index = (unsigned)strtoul(v + kl + 1, NULL, 10);
    (void)s;
    return sg17_entity(ctx, kind, *index);
}

/* The keys the attacker would use against meter j, or NULL when it holds none for it. */
static const dlms_keys_t *adv_keys_for(msim_t *s, unsigned j)
{
    if (s->adv_has_hes_store)
        return &s->meters[j].keys;
    return s->adv_has_keys ? &s->adv_keys : NULL;
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
    return sg17_inject(ctx, s->hes, sg17_entity(ctx, "meter", j), type, frame, n);
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
        dlms_set_request_t q = {
            .invoke_id = 0x53, .attr = {20, {0}, 2}, .value = v, .value_len = vl};
        memcpy(q.attr.obis, OBIS_TARIFF, 6);
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
    return msim_op_request(s, ctx, s->adv_sign_key, 0, j, apdu, n, out, cap, outlen);
}

static unsigned count_param(sg17_ctx_t *ctx, const sg17_params_t *p, const char *name,
                            unsigned dflt, unsigned max)
{
    double v = sg17_param_number(ctx, p, name, dflt);
    if (v < 0)
        v = 0;
    return v > max ? max : (unsigned)v;
}

static int attack_forge_command(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    const char *cmd = sg17_param(ctx, p, "command");
    unsigned first = count_param(ctx, p, "first", 0, s->n_meters);
    unsigned n = count_param(ctx, p, "meters", 1, s->n_meters - first);
    uint32_t ic = FORGED_IC_BASE;
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
static int attack_rogue_hes(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    unsigned n = count_param(ctx, p, "meters", s->n_meters, s->n_meters);
    for (unsigned j = 0; j < n; j++) {
        uint8_t apdu[64];
        size_t len;
        dlms_get_request_t g = {.invoke_id = 0x61, .attr = {DLMS_CLASS_REGISTER, {0}, 2}};
        memcpy(g.attr.obis, DLMS_OBIS_ACTIVE_ENERGY_IMPORT, 6);
        if (dlms_get_request_encode(&g, apdu, sizeof apdu, &len)
            || sg17_inject(ctx, s->hes, sg17_entity(ctx, "meter", j), "metering.command", apdu, len)
                   < 0)
            return -1;
    }
    return 0;
}

/* Readings in a victim's name: its system title, the attacker's keys, an inflated register. */
static int attack_impersonate(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    unsigned v;
    sg17_entity_t victim = param_entity(s, ctx, p, "victim", "meter", &v);
    if (victim == SG17_NO_ENTITY || !s->adv_has_keys) {
        sg17_log(ctx, "impersonate_meter needs a victim meter and an extract_key first");
        return -1;
    }
    unsigned count = count_param(ctx, p, "count", 4, 10000);
    double factor = sg17_param_number(ctx, p, "factor", 2.0);
    meter_t *m = &s->meters[v];
    for (unsigned i = 0; i < count; i++) {
        uint8_t frame[128];
        size_t n;
        uint32_t reg = (uint32_t)llround(m->reported_wh * factor + 1000.0 * i);
        if (msim_reading_frame(s, m, &s->adv_keys, FORGED_IC_BASE + i, DLMS_SC_AUTH_ENC, m->seq + i,
                               reg, sg17_now(ctx), frame, sizeof frame, &n)
            || sg17_inject(ctx, victim, s->hes, "metering.reading", frame, n) < 0)
            return -1;
    }
    return 0;
}

/* False data from the network, no key: a clear data-notification claiming a meter. */
static int attack_inject_reading(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    unsigned v;
    sg17_entity_t e = param_entity(s, ctx, p, "meter", "meter", &v);
    if (e == SG17_NO_ENTITY) {
        sg17_log(ctx, "inject_reading needs meter: meter-N");
        return -1;
    }
    unsigned count = count_param(ctx, p, "count", 1, 10000);
    double value = sg17_param_number(ctx, p, "value", 1e6);
    /* the register is 32 bits: clamp so that value + i stays representable */
    uint32_t reg = value <= 0                              ? 0
                   : value >= (double)(UINT32_MAX - count) ? UINT32_MAX - count
                                                           : (uint32_t)value;
    for (unsigned i = 0; i < count; i++) {
        uint8_t frame[128];
        size_t n;
        if (msim_reading_frame(s, &s->meters[v], NULL, 0, 0, s->meters[v].seq + i, reg + i,
                               sg17_now(ctx), frame, sizeof frame, &n)
            || sg17_inject(ctx, e, s->hes, "metering.reading", frame, n) < 0)
            return -1;
    }
    return 0;
}

/* Firmware not released by the manufacturer: signed with the attacker's key in the
 * manufacturer's name, pushed through the association with the keys the attacker holds. */
static int attack_malicious_firmware(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    unsigned n = count_param(ctx, p, "meters", s->n_meters, s->n_meters);
    uint8_t body[MSIM_FW_BODY_LEN], apdu[700];
    memset(body, 0xEE, sizeof body);
    static const uint8_t tx[4] = {0, 0, 6, 6};
    size_t al;
    if (msim_firmware_action(s, s->adv_sign_key, 0x666, body, tx, 0x66, apdu, sizeof apdu, &al) < 0)
        return -1;
    uint32_t ic = FORGED_IC_BASE;
    for (unsigned j = 0; j < n; j++)
        if (adv_command(s, ctx, j, "metering.firmware", apdu, al, &ic) < 0)
            return -1;
    return 0;
}

/* A compromised operator account: valid, signed disconnects for many meters at once. */
static int attack_mass_disconnect(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    unsigned op = 0;
    sg17_entity_t e = param_entity(s, ctx, p, "operator", "operator", &op);
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

/* Gap before frame k in milliseconds (the first frame takes its successor's gap). */
static sg17_time_t frame_gap(const sg17_time_t *at, size_t n, size_t k)
{
    if (k == 0)
        return n > 1 ? frame_gap(at, n, 1) : 0;
    return (at[k] > at[k - 1] ? at[k] - at[k - 1] : 0) / SG17_MSEC;
}

int msim_classify_traffic(const uint32_t *len, const sg17_time_t *at, size_t n, bool *guess)
{
    if (n == 0)
        return 0;
    uint32_t *early = malloc(n * sizeof *early);
    bool *soon = malloc(n * sizeof *soon);
    if (!early || !soon) {
        free(early);
        free(soon);
        return -1;
    }
    sg17_time_t longest = 0;
    for (size_t k = 0; k < n; k++)
        if (frame_gap(at, n, k) > longest)
            longest = frame_gap(at, n, k);
    for (size_t k = 0; k < n; k++) { /* how much sooner than the longest gap the frame came */
        sg17_time_t d = longest - frame_gap(at, n, k);
        early[k] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
    }
    msim_classify(len, n, guess);
    msim_classify(early, n, soon);
    for (size_t k = 0; k < n; k++)
        guess[k] = guess[k] || soon[k];
    free(early);
    free(soon);
    return 0;
}

/* One captured reading as the eavesdropper sees it. */
typedef struct {
    unsigned meter, seq;  /* claimed source; reading number (for scoring only) */
    uint32_t wh, len;     /* consumption read from a clear register; frame length */
    sg17_time_t at;       /* send time in the envelope */
    bool readable, guess; /* wh is known; the occupancy guess */
} observation_t;

/* Eavesdropper: one occupancy guess per captured reading, per meter, from what it observes.
 * Where it can read the register (clear pushes, from a meter's second reading on) it classifies
 * the consumption series; every other frame gets the traffic-analysis guess over the meter's
 * frame lengths and inter-arrival times (msim_classify_traffic). Scored against ground truth. */
static int attack_infer_occupancy(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    size_t n = sg17_captured_count(ctx, p), nm = s->n_meters ? s->n_meters : 1, cap = n ? n : 1;
    observation_t *obs = calloc(cap, sizeof *obs);
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
        observation_t *o = &obs[used++];
        o->meter = j;
        o->seq = (unsigned)((m->sent_at - s->meters[j].phase + s->interval / 2) / s->interval);
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
        const meter_t *mt = &s->meters[obs[i].meter];
        if (obs[i].seq < mt->n_occ)
            msim_score(&s->adv_correct1, &s->adv_total1, &s->adv_correct0, &s->adv_total0,
                       mt->occupied[obs[i].seq], obs[i].guess);
    }
    /* balanced accuracy; with no reading of one class scored there is nothing to measure */
    double acc = s->adv_total1 > 0 && s->adv_total0 > 0
                     ? 0.5 * (s->adv_correct1 / s->adv_total1 + s->adv_correct0 / s->adv_total0)
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
static int attack_tamper_audit_log(msim_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
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
    return msim_audit_tamper(s, ctx, from, to, rewrite, kind);
}

int msim_on_attack(msim_t *s, sg17_ctx_t *ctx, const char *attack, const sg17_params_t *p)
{
    unsigned idx;
    if (strcmp(attack, "false_data") == 0) {
        sg17_entity_t e = param_entity(s, ctx, p, "entity", "meter", &idx);
        if (e == SG17_NO_ENTITY || !sg17_compromised(ctx, e)) {
            sg17_log(ctx,
                     "false_data needs a compromised meter (compromise: {entity: meter-N} first)");
            return -1;
        }
        double f = sg17_param_number(ctx, p, "factor", 0.5);
        s->meters[idx].false_factor = f < 0 ? 0 : f;
        return 0;
    }
    if (strcmp(attack, "extract_key") == 0) {
        const char *v = sg17_param(ctx, p, "entity");
        if (v && strcmp(v, "hes-0") == 0) {
            s->adv_has_hes_store = true;
            return 0;
        }
        if (param_entity(s, ctx, p, "entity", "meter", &idx) == SG17_NO_ENTITY) {
            sg17_log(ctx, "extract_key needs entity: meter-N or hes-0");
            return -1;
        }
        s->adv_keys = s->meters[idx].keys;
        s->adv_has_keys = true;
        return 0;
    }
    if (strcmp(attack, "forge_command") == 0)
        return attack_forge_command(s, ctx, p);
    if (strcmp(attack, "rogue_hes") == 0)
        return attack_rogue_hes(s, ctx, p);
    if (strcmp(attack, "impersonate_meter") == 0)
        return attack_impersonate(s, ctx, p);
    if (strcmp(attack, "inject_reading") == 0)
        return attack_inject_reading(s, ctx, p);
    if (strcmp(attack, "malicious_firmware") == 0)
        return attack_malicious_firmware(s, ctx, p);
    if (strcmp(attack, "mass_disconnect") == 0)
        return attack_mass_disconnect(s, ctx, p);
    if (strcmp(attack, "infer_occupancy") == 0)
        return attack_infer_occupancy(s, ctx, p);
    if (strcmp(attack, "tamper_audit_log") == 0)
        return attack_tamper_audit_log(s, ctx, p);
    if (strcmp(attack, "overcollect") == 0) {
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
    sg17_log(ctx, "metering has no attack '%s'", attack);
    return -1;
}
