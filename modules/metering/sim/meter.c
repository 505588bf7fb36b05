/* sim/meter.c — the smart meter and the household behind it (a seeded consumption and occupancy
 * model). It pushes a load-profile reading every interval (data-notification in
 * general-glo-ciphering), answers the head-end's association (LLS password, or HLS mechanism 5
 * with GMAC, IEC 62056-5-3 §9.2.7.4), and executes get/set/action requests: register reads,
 * tariff, load limit, remote disconnect/reconnect (class 70) and firmware activation (class 18). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim/metering_sim.h"

/* Per-meter random stream (splitmix64), seeded once from sg17_rand_u64 so a household's
 * consumption never depends on event order or on which mitigations are on. */
static uint64_t meter_rand(msim_meter_t *m)
{
    uint64_t z = (m->rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double meter_uniform(msim_meter_t *m)
{
    return (double)(meter_rand(m) >> 11) * (1.0 / 9007199254740992.0);
}

static bool awake_home(const msim_meter_t *m, double hour, bool home_today)
{
    if (hour < m->wake_h || hour >= m->sleep_h)
        return false;
    /* away on ordinary days; on a day at home, out only for the second half of that absence */
    double back = home_today ? (m->leave_h + m->return_h) / 2 : m->leave_h;
    if (hour >= back && hour < m->return_h)
        return false;
    return true;
}

double msim_meter_power(msim_meter_t *m, sg17_time_t t, bool *occupied)
{
    int day = (int)(t / (24 * SG17_HOUR));
    while (m->model_day < day) { /* one draw per day, in order */
        m->model_day++;
        m->home_today = meter_uniform(m) < m->home_day_p;
    }
    double hour = (double)(t % (24 * SG17_HOUR)) / (double)SG17_HOUR;
    bool active = awake_home(m, hour, m->home_today);
    double u1 = meter_uniform(m), u2 = meter_uniform(m);
    *occupied = active;
    double w = m->base_w * (0.85 + 0.3 * u1);
    if (active)
        w += m->active_w * (0.5 + u2);
    return m->disconnected ? 0.0 : w;
}

int msim_reading_frame(const msim_meter_t *m, dlms_cipher_t *keyed, const dlms_keys_t *keys,
                       uint32_t ic, uint8_t sc, uint32_t k, uint32_t reg, sg17_time_t t,
                       uint8_t *out, size_t cap, size_t *outlen)
{
    dlms_data_notification_t dn = {
        .long_invoke_id = k, .has_time = true, .reading = {.value = reg, .status = 0}};
    memcpy(dn.reading.obis, DLMS_OBIS_ACTIVE_ENERGY_IMPORT, 6);
    dlms_datetime_from_unix(MSIM_EPOCH + (int64_t)(t / SG17_SEC), &dn.time);
    uint8_t apdu[64];
    size_t n;
    if (dlms_data_notification_encode(&dn, apdu, sizeof apdu, &n))
        return -1;
    return msim_wrap_keyed(keyed, keys, m->systitle, ic, sc, apdu, n, out, cap, outlen);
}

/* The security control of the meter's own frames: authenticated encryption, else the insecure
 * deployment's choice (encryption only, or clear). */
static uint8_t meter_sc(const msim_t *s)
{
    if (s->cfg.authenticated_encryption)
        return DLMS_SC_AUTH_ENC;
    return s->cfg.plain_push_when_off ? 0 : DLMS_SC_ENC;
}

/* Records the ground truth of reading m->seq: occupancy and cumulative energy. */
static void truth_push(msim_meter_t *m, bool occ)
{
    if (m->n_occ == m->cap_occ) {
        size_t nc = m->cap_occ ? 2 * m->cap_occ : 128;
        uint8_t *p = realloc(m->occupied, nc);
        if (!p)
            return;
        m->occupied = p;
        double *q = realloc(m->true_cum, nc * sizeof *q);
        if (!q)
            return;
        m->true_cum = q;
        m->cap_occ = nc;
    }
    m->occupied[m->n_occ] = occ;
    m->true_cum[m->n_occ++] = m->true_wh;
}

void msim_meter_on_timer(msim_t *s, sg17_ctx_t *ctx, unsigned i)
{
    msim_meter_t *m = &s->meters[i];
    sg17_time_t t = sg17_now(ctx);
    bool occ;
    double wh = msim_meter_power(m, t, &occ) * (double)s->cfg.reading_interval / (double)SG17_HOUR;
    m->true_wh += wh;
    m->reported_wh += wh * m->false_factor;
    truth_push(m, occ);
    unsigned day = (unsigned)(t / (24 * SG17_HOUR));
    if (day < MSIM_DAYS)
        s->feeder_wh[(size_t)(i / s->cfg.transformer_size) * MSIM_DAYS + day] += wh;
    uint8_t sc = meter_sc(s);
    uint8_t frame[128];
    size_t n;
    uint32_t reg = (uint32_t)llround(m->reported_wh), ic = 0;
    if (sc && dlms_ic_next(&m->ic_out, &ic)) {
        sg17_metric_add(ctx, "meter.ic_exhausted", 1); /* no IC left for this key: silent */
    } else {
        if (sc && !m->tx) /* NULL when out of memory: each frame is then keyed on its own */
            m->tx = dlms_cipher_new(&m->keys);
        if (msim_reading_frame(m, m->tx, &m->keys, ic, sc, m->seq, reg, t, frame, sizeof frame, &n)
            == 0)
            sg17_send(ctx, msim_meter_entity(s, i), s->hes, "metering.reading", frame, n);
        sg17_metric_add(ctx, "meter.readings_sent", 1);
    }
    m->seq++;
    sg17_timer(ctx, msim_meter_entity(s, i), s->cfg.reading_interval,
               MSIM_TAG(MSIM_TAG_READING, i));
}

/* Sends a response APDU to the head-end under the association's protection. */
static void meter_respond(msim_t *s, sg17_ctx_t *ctx, unsigned i, const uint8_t *apdu, size_t len)
{
    msim_meter_t *m = &s->meters[i];
    uint8_t sc =
        m->assoc_hls ? (s->cfg.authenticated_encryption ? DLMS_SC_AUTH_ENC : DLMS_SC_ENC) : 0;
    uint8_t frame[256];
    size_t n;
    uint32_t ic = 0;
    if (sc && dlms_ic_next(&m->ic_out, &ic)) {
        sg17_metric_add(ctx, "meter.ic_exhausted", 1);
        return;
    }
    if (msim_wrap(&m->keys, m->systitle, ic, sc, apdu, len, frame, sizeof frame, &n) == 0)
        sg17_send(ctx, msim_meter_entity(s, i), s->hes, "metering.response", frame, n);
}

/* AARQ (simplified to the fields mechanism 1/5 need): mech || client system title || CtoS ||
 * LLS password. The AARE is mech || server system title || StoC. */
static void meter_on_aarq(msim_t *s, sg17_ctx_t *ctx, unsigned i, const sg17_msg_t *msg)
{
    msim_meter_t *m = &s->meters[i];
    uint8_t stoc[MSIM_CHALLENGE_LEN];
    for (size_t k = 0; k < sizeof stoc; k += 8) { /* drawn in both modes: runs stay aligned */
        uint64_t r = sg17_rand_u64(ctx);
        memcpy(stoc + k, &r, 8);
    }
    const size_t want = 1 + DLMS_SYSTITLE_LEN + MSIM_CHALLENGE_LEN + MSIM_LLS_LEN;
    if (msg->len != want) {
        sg17_reject(ctx, msg, "malformed");
        return;
    }
    uint8_t mech = msg->payload[0];
    const uint8_t *ctos = msg->payload + 1 + DLMS_SYSTITLE_LEN;
    const uint8_t *pw = ctos + MSIM_CHALLENGE_LEN;
    uint8_t aare[1 + DLMS_SYSTITLE_LEN + MSIM_CHALLENGE_LEN] = {mech};
    memcpy(aare + 1, m->systitle, DLMS_SYSTITLE_LEN);
    if (s->cfg.hls_authentication) {
        if (mech != 5) {
            sg17_reject(ctx, msg, "policy");
            return;
        }
        memcpy(m->ctos, ctos, MSIM_CHALLENGE_LEN);
        memcpy(m->stoc, stoc, MSIM_CHALLENGE_LEN);
        memcpy(aare + 1 + DLMS_SYSTITLE_LEN, stoc, MSIM_CHALLENGE_LEN);
        m->assoc_pending = true; /* an open association stays until this one completes */
    } else {
        if (mech != 1) {
            sg17_reject(ctx, msg, "policy");
            return;
        }
        if (CRYPTO_memcmp(pw, m->lls, MSIM_LLS_LEN) != 0) {
            sg17_reject(ctx, msg, "auth");
            return;
        }
        m->assoc = MSIM_ASSOC_OPEN;
        m->assoc_hls = false;
    }
    sg17_accept(ctx, msg);
    sg17_send(ctx, msim_meter_entity(s, i), s->hes, "metering.aare", aare, sizeof aare);
}

/* HLS pass 3: the client's f(StoC); on success the meter answers with f(CtoS) (pass 4). */
static void meter_on_hls(msim_t *s, sg17_ctx_t *ctx, unsigned i, const sg17_msg_t *msg)
{
    msim_meter_t *m = &s->meters[i];
    if (!m->assoc_pending) {
        sg17_reject(ctx, msg, "no_association");
        return;
    }
    if (dlms_hls_gmac_verify(&m->keys, s->hes_systitle, m->stoc, MSIM_CHALLENGE_LEN, msg->payload,
                             msg->len)) {
        sg17_reject(ctx, msg, "auth");
        sg17_metric_add(ctx, "meter.hls_failures", 1);
        return;
    }
    m->assoc_pending = false;
    m->assoc = MSIM_ASSOC_OPEN;
    m->assoc_hls = true;
    sg17_accept(ctx, msg);
    uint8_t f[DLMS_HLS_GMAC_LEN];
    uint32_t ic;
    if (dlms_ic_next(&m->ic_out, &ic)) {
        sg17_metric_add(ctx, "meter.ic_exhausted", 1);
        return;
    }
    if (dlms_hls_gmac(&m->keys, m->systitle, ic, m->ctos, MSIM_CHALLENGE_LEN, f) == 0)
        sg17_send(ctx, msim_meter_entity(s, i), s->hes, "metering.hls", f, sizeof f);
}

/* Verifies a general-signing (DF) command of an operator account for this meter. */
static bool operator_signature_ok(msim_t *s, const msim_meter_t *m, const uint8_t *in, size_t len,
                                  dlms_general_signing_t *g)
{
    if (dlms_general_signing_decode(in, len, g) || g->originator_len != DLMS_SYSTITLE_LEN
        || memcmp(g->originator, "OPR", 3) != 0)
        return false;
    uint32_t op = sg17_load_be32(g->originator + 4);
    if (op >= s->n_ops || g->recipient_len != DLMS_SYSTITLE_LEN
        || memcmp(g->recipient, m->systitle, DLMS_SYSTITLE_LEN) != 0)
        return false;
    dlms_general_signing_t v;
    return dlms_general_signing_verify(s->op_keys[op], in, len, &v) == 0;
}

/* Freshness of an operator's signed command g that verified (command_authorization): its
 * transaction id must be above the last one of that operator this meter executed, and its
 * date-time within command_window of the meter's clock. Without these checks whoever can wrap a
 * frame for the meter (an HES insider, the holder of a fleet key) re-sends a captured signed
 * disconnect with a fresh invocation counter and it verifies again. Returns NULL (fresh; the
 * operator and transaction id in *op, *tx) or the rejection reason. */
static const char *command_fresh(const msim_t *s, sg17_ctx_t *ctx, const msim_meter_t *m,
                                 const dlms_general_signing_t *g, uint32_t *op, uint32_t *tx)
{
    dlms_datetime_t dt;
    *op = sg17_load_be32(g->originator + 4); /* checked below n_ops by operator_signature_ok */
    if (g->transaction_id_len != 4 || g->date_time_len != DLMS_DATETIME_LEN
        || dlms_datetime_unpack(g->date_time, &dt) || *op >= MSIM_OPS_MAX)
        return "malformed";
    *tx = sg17_load_be32(g->transaction_id);
    if (*tx <= m->last_tx[*op])
        return "command_replay";
    int64_t now = MSIM_EPOCH + (int64_t)(sg17_now(ctx) / SG17_SEC);
    int64_t skew = msim_unix_of(&dt) - now, window = (int64_t)(s->cfg.command_window / SG17_SEC);
    if (skew > window || -skew > window)
        return "command_expired";
    return NULL;
}

/* Firmware activation: the image is a manufacturer general-signing (DF) structure whose content
 * is version (4) || body. */
static const char *meter_firmware(msim_t *s, msim_meter_t *m, const dlms_action_request_t *a)
{
    const uint8_t *img;
    size_t il;
    dlms_general_signing_t g;
    if (!a->params || dlms_data_decode_octets(a->params, a->params_len, &img, &il)
        || dlms_general_signing_decode(img, il, &g) || g.content_len < 4)
        return "malformed";
    dlms_general_signing_t v;
    bool genuine = g.originator_len == DLMS_SYSTITLE_LEN
                   && memcmp(g.originator, s->mfr_systitle, DLMS_SYSTITLE_LEN) == 0
                   && dlms_general_signing_verify(s->mfr_key, img, il, &v) == 0;
    if (s->cfg.signed_firmware && !genuine)
        return "signature";
    m->fw_version = sg17_load_be32(g.content);
    m->fw_foreign = !genuine;
    return NULL;
}

/* Executes one request APDU; returns NULL (accepted; *resp filled) or a rejection reason. */
static const char *meter_execute(msim_t *s, sg17_ctx_t *ctx, msim_meter_t *m, const uint8_t *apdu,
                                 size_t len, bool signed_ok, uint8_t *resp, size_t *resp_len)
{
    if (len == 0)
        return "malformed";
    uint8_t data[8];
    size_t dl;
    switch (apdu[0]) {
    case DLMS_APDU_GET_REQUEST: {
        dlms_get_request_t g;
        if (dlms_get_request_decode(apdu, len, &g))
            return "malformed";
        dlms_data_encode_u32((uint32_t)llround(m->reported_wh), data, sizeof data, &dl);
        dlms_get_response_t r = {.invoke_id = g.invoke_id, .data = data, .data_len = dl};
        return dlms_get_response_encode(&r, resp, 64, resp_len) ? "malformed" : NULL;
    }
    case DLMS_APDU_SET_REQUEST: {
        dlms_set_request_t q;
        uint32_t v;
        if (dlms_set_request_decode(apdu, len, &q)
            || dlms_data_decode_u32(q.value, q.value_len, &v))
            return "malformed";
        bool limiter =
            q.attr.class_id == DLMS_CLASS_LIMITER && memcmp(q.attr.obis, DLMS_OBIS_LIMITER, 6) == 0;
        bool tariff = q.attr.class_id == DLMS_CLASS_ACTIVITY_CALENDAR
                      && memcmp(q.attr.obis, DLMS_OBIS_ACTIVITY_CALENDAR, 6) == 0;
        if (!limiter && !tariff)
            return "malformed";
        if (limiter && s->cfg.command_authorization && !signed_ok)
            return "unsigned";
        if (limiter)
            m->load_limit = v;
        else
            m->tariff = v;
        sg17_metric_add(ctx, limiter ? "meter.load_limits" : "meter.tariff_changes", 1);
        dlms_set_response_t r = {.invoke_id = q.invoke_id};
        return dlms_set_response_encode(&r, resp, 64, resp_len) ? "malformed" : NULL;
    }
    case DLMS_APDU_ACTION_REQUEST: {
        dlms_action_request_t a;
        if (dlms_action_request_decode(apdu, len, &a))
            return "malformed";
        if (a.method.class_id == DLMS_CLASS_DISCONNECT_CONTROL
            && memcmp(a.method.obis, DLMS_OBIS_DISCONNECT_CONTROL, 6) == 0
            && (a.method.index == DLMS_METHOD_REMOTE_DISCONNECT
                || a.method.index == DLMS_METHOD_REMOTE_RECONNECT)) {
            if (s->cfg.command_authorization && !signed_ok)
                return "unsigned";
            bool off = a.method.index == DLMS_METHOD_REMOTE_DISCONNECT;
            if (off && !m->disconnected)
                sg17_metric_add(ctx, "meter.disconnects", 1);
            m->disconnected = off;
        } else if (a.method.class_id == DLMS_CLASS_IMAGE_TRANSFER
                   && memcmp(a.method.obis, DLMS_OBIS_IMAGE_TRANSFER, 6) == 0
                   && a.method.index == DLMS_METHOD_IMAGE_ACTIVATE) {
            const char *why = meter_firmware(s, m, &a);
            if (why)
                return why;
            sg17_metric_add(ctx, "meter.firmware_activations", 1);
        } else {
            return "malformed";
        }
        dlms_action_response_t r = {.invoke_id = a.invoke_id};
        return dlms_action_response_encode(&r, resp, 64, resp_len) ? "malformed" : NULL;
    }
    default:
        return "malformed";
    }
}

/* A request from the head-end address: association, protection (policy, invocation counter),
 * operator signature, then execution. The counter is committed only for executed requests. */
static void meter_on_command(msim_t *s, sg17_ctx_t *ctx, unsigned i, const sg17_msg_t *msg)
{
    msim_meter_t *m = &s->meters[i];
    if (m->assoc != MSIM_ASSOC_OPEN) {
        sg17_reject(ctx, msg, "no_association");
        return;
    }
    uint8_t plain[MSIM_FRAME_CAP];
    size_t pl;
    uint32_t ic;
    bool ciphered;
    uint8_t policy = m->assoc_hls && s->cfg.authenticated_encryption ? DLMS_SC_AUTH_ENC : 0;
    dlms_sec_status_t st = msim_unwrap(&m->keys, msg->payload, msg->len, s->hes_systitle, policy,
                                       s->cfg.invocation_counter ? m->last_ic_in : DLMS_IC_NONE,
                                       plain, sizeof plain, &pl, &ic, &ciphered);
    if (st == DLMS_SEC_OK && !ciphered && policy)
        st = DLMS_SEC_POLICY; /* the HLS association's policy requires authenticated encryption */
    if (st != DLMS_SEC_OK) {
        sg17_reject(ctx, msg, dlms_sec_status_name(st));
        sg17_metric_add(ctx, "meter.security_alarms", 1);
        return;
    }
    const uint8_t *apdu = plain;
    size_t alen = pl;
    bool signed_ok = false;
    uint32_t op = 0, tx = 0;
    if (pl && plain[0] == DLMS_APDU_GENERAL_SIGNING) {
        dlms_general_signing_t g;
        if (dlms_general_signing_decode(plain, pl, &g) || !g.content) {
            sg17_reject(ctx, msg, "malformed");
            return;
        }
        if (s->cfg.command_authorization) {
            signed_ok = operator_signature_ok(s, m, plain, pl, &g);
            const char *stale = signed_ok ? command_fresh(s, ctx, m, &g, &op, &tx) : "signature";
            if (stale) {
                sg17_reject(ctx, msg, stale);
                sg17_metric_add(ctx, "meter.security_alarms", 1);
                return;
            }
        }
        apdu = g.content;
        alen = g.content_len;
    }
    uint8_t resp[64];
    size_t rl = 0;
    const char *why = meter_execute(s, ctx, m, apdu, alen, signed_ok, resp, &rl);
    if (why) {
        sg17_reject(ctx, msg, why);
        if (strcmp(why, "malformed") != 0)
            sg17_metric_add(ctx, "meter.security_alarms", 1);
        return;
    }
    if (ciphered)
        m->last_ic_in = ic;
    if (signed_ok)
        m->last_tx[op] = tx;
    sg17_accept(ctx, msg);
    sg17_metric_add(ctx, "meter.commands_executed", 1);
    meter_respond(s, ctx, i, resp, rl);
}

void msim_meter_on_message(msim_t *s, sg17_ctx_t *ctx, unsigned i, const sg17_msg_t *m)
{
    if (m->claimed_src != s->hes) { /* meters talk to the head-end only */
        sg17_reject(ctx, m, "unknown_sender");
        return;
    }
    if (strcmp(m->type, "metering.aarq") == 0)
        meter_on_aarq(s, ctx, i, m);
    else if (strcmp(m->type, "metering.hls") == 0)
        meter_on_hls(s, ctx, i, m);
    else if (strcmp(m->type, "metering.command") == 0 || strcmp(m->type, "metering.firmware") == 0)
        meter_on_command(s, ctx, i, m);
    else
        sg17_reject(ctx, m, "malformed");
}

/* End of the run: the fleet's state as commands left it. */
void msim_meter_finish(msim_t *s, sg17_ctx_t *ctx)
{
    unsigned disconnected = 0, foreign = 0, tariff = 0;
    for (unsigned j = 0; j < s->n_meters; j++) {
        const msim_meter_t *m = &s->meters[j];
        disconnected += m->disconnected;
        foreign += m->fw_foreign;
        /* the HES sent the tariffs 2 .. tariff_value (it counts from 1); 0 is the meter's own */
        tariff += m->tariff != 0 && (m->tariff < 2 || m->tariff > s->tariff_value);
    }
    sg17_metric_set(ctx, "meter.disconnected_now", disconnected);
    sg17_metric_set(ctx, "meter.foreign_firmware", foreign);
    sg17_metric_set(ctx, "meter.tariff_foreign", tariff);
}
