/* sim/hes.c — the head-end system. It opens one association per meter (LLS, or HLS mechanism
 * 5), ingests pushed readings (rate limit, capacity, suite-0 unprotect with policy and invocation
 * counter), forwards them to the MDM every interval, issues on-demand reads, tariff updates and
 * firmware, and relays the operators' signed load-control requests (operator.c), subject to the
 * mass-disconnect cap. Its command log is in audit.c. */
#include <stdlib.h>
#include <string.h>

#include "sim/metering_sim.h"

bool msim_fleet_keyed(const msim_t *s)
{
    return !s->cfg.unique_keys || s->cfg.fleet_key;
}

uint32_t *msim_hes_ic(msim_t *s, unsigned i)
{
    return s->cfg.context_counter && msim_fleet_keyed(s) ? &s->fleet_ic_out : &s->peers[i].ic_out;
}

int msim_hes_command(msim_t *s, sg17_ctx_t *ctx, unsigned i, const char *type, const uint8_t *apdu,
                     size_t len, uint32_t origin)
{
    uint8_t sc = s->cfg.hls_authentication
                     ? (s->cfg.authenticated_encryption ? DLMS_SC_AUTH_ENC : DLMS_SC_ENC)
                     : 0;
    uint8_t frame[MSIM_FRAME_CAP];
    size_t n;
    uint32_t ic = 0;
    if (sc && dlms_ic_next(msim_hes_ic(s, i), &ic)) {
        sg17_metric_add(ctx, "hes.ic_exhausted", 1); /* the key must be renewed first */
        return -1;
    }
    if (msim_wrap(&s->meters[i].keys, s->hes_systitle, ic, sc, apdu, len, frame, sizeof frame, &n))
        return -1;
    sg17_metric_add(ctx, "hes.commands_sent", 1);
    msim_audit_append(s, ctx, i, origin, type, apdu, len);
    return sg17_send(ctx, s->hes, msim_meter_entity(s, i), type, frame, n);
}

void msim_hes_start(msim_t *s, sg17_ctx_t *ctx)
{
    sg17_time_t spread = 5 * SG17_MIN;
    for (unsigned i = 0; i < s->n_meters; i++)
        sg17_timer(ctx, s->hes, spread * i / (s->n_meters ? s->n_meters : 1),
                   MSIM_TAG(MSIM_TAG_ASSOC, i));
    sg17_timer(ctx, s->hes, s->cfg.reading_interval, MSIM_TAG(MSIM_TAG_EXPORT, 0));
    if (s->cfg.ondemand_interval)
        sg17_timer(ctx, s->hes, s->cfg.ondemand_interval, MSIM_TAG(MSIM_TAG_ONDEMAND, 0));
    if (s->cfg.tariff_interval)
        sg17_timer(ctx, s->hes, s->cfg.tariff_interval, MSIM_TAG(MSIM_TAG_TARIFF, 0));
    if (s->cfg.firmware_at)
        sg17_timer(ctx, s->hes, s->cfg.firmware_at, MSIM_TAG(MSIM_TAG_FIRMWARE, 0));
    if (s->cfg.audit_log && s->cfg.audit_anchor_interval)
        sg17_timer(ctx, s->hes, s->cfg.audit_anchor_interval, MSIM_TAG(MSIM_TAG_AUDIT_ANCHOR, 0));
    if (s->cfg.audit_interval)
        sg17_timer(ctx, s->hes, s->cfg.audit_interval, MSIM_TAG(MSIM_TAG_AUDIT, 0));
}

/* AARQ towards meter i: mechanism 5 (HLS-GMAC) or 1 (LLS, password in clear). */
static void hes_associate(msim_t *s, sg17_ctx_t *ctx, unsigned i)
{
    uint8_t aarq[1 + DLMS_SYSTITLE_LEN + MSIM_CHALLENGE_LEN + MSIM_LLS_LEN] = {0};
    aarq[0] = s->cfg.hls_authentication ? 5 : 1;
    memcpy(aarq + 1, s->hes_systitle, DLMS_SYSTITLE_LEN);
    for (size_t k = 0; k < MSIM_CHALLENGE_LEN; k += 8) {
        uint64_t r = sg17_rand_u64(ctx);
        memcpy(s->peers[i].ctos + k, &r, 8);
    }
    memcpy(aarq + 1 + DLMS_SYSTITLE_LEN, s->peers[i].ctos, MSIM_CHALLENGE_LEN);
    if (!s->cfg.hls_authentication)
        memcpy(aarq + 1 + DLMS_SYSTITLE_LEN + MSIM_CHALLENGE_LEN, s->meters[i].lls, MSIM_LLS_LEN);
    s->peers[i].assoc = MSIM_ASSOC_PENDING;
    sg17_send(ctx, s->hes, msim_meter_entity(s, i), "metering.aarq", aarq, sizeof aarq);
}

/* An image-transfer activate action carrying a general-signing (DF) envelope around
 * version || body, signed by `key` in the manufacturer's name. Returns 0 and the APDU length. */
int msim_firmware_action(const msim_t *s, EVP_PKEY *key, uint32_t version, const uint8_t *body,
                         const uint8_t tx[4], uint8_t invoke_id, uint8_t *apdu, size_t cap,
                         size_t *len)
{
    uint8_t content[4 + MSIM_FW_BODY_LEN], img[512], params[600];
    sg17_store_be32(content, version);
    memcpy(content + 4, body, MSIM_FW_BODY_LEN);
    dlms_general_signing_t g = {.transaction_id = tx,
                                .transaction_id_len = 4,
                                .originator = s->mfr_systitle,
                                .originator_len = 8,
                                .content = content,
                                .content_len = sizeof content};
    size_t il, pl;
    if (dlms_general_signing_sign(key, &g, img, sizeof img, &il)
        || dlms_data_encode_octets(img, il, params, sizeof params, &pl))
        return -1;
    dlms_action_request_t a = {
        .invoke_id = invoke_id,
        .method = {DLMS_CLASS_IMAGE_TRANSFER, {0}, DLMS_METHOD_IMAGE_ACTIVATE},
        .params = params,
        .params_len = pl};
    memcpy(a.method.obis, DLMS_OBIS_IMAGE_TRANSFER, 6);
    return dlms_action_request_encode(&a, apdu, cap, len) ? -1 : 0;
}

static void hes_firmware_rollout(msim_t *s, sg17_ctx_t *ctx)
{
    uint8_t body[MSIM_FW_BODY_LEN], apdu[700];
    for (size_t k = 0; k < MSIM_FW_BODY_LEN; k++)
        body[k] = (uint8_t)(0xA5 ^ k);
    static const uint8_t tx[4] = {0, 0, 0, 2};
    size_t al;
    if (msim_firmware_action(s, s->mfr_key, 2, body, tx, 0x42, apdu, sizeof apdu, &al) < 0)
        return;
    for (unsigned i = 0; i < s->n_meters; i++)
        msim_hes_command(s, ctx, i, "metering.firmware", apdu, al, MSIM_AUDIT_ORIGIN_HES);
}

void msim_hes_on_timer(msim_t *s, sg17_ctx_t *ctx, uint64_t tag)
{
    uint8_t apdu[64];
    size_t n;
    switch (MSIM_TAG_KIND(tag)) {
    case MSIM_TAG_ASSOC:
        hes_associate(s, ctx, MSIM_TAG_INDEX(tag));
        break;
    case MSIM_TAG_EXPORT:
        if (s->export_n) {
            sg17_store_be32(s->export_buf, (uint32_t)s->export_n);
            sg17_send(ctx, s->hes, s->mdm, "metering.export", s->export_buf, s->export_len);
            s->export_n = 0;
        }
        sg17_timer(ctx, s->hes, s->cfg.reading_interval, tag);
        break;
    case MSIM_TAG_ONDEMAND:
        for (unsigned b = 0; b < s->cfg.ondemand_batch && s->n_meters; b++) {
            dlms_get_request_t g = {.invoke_id = 0x41, .attr = {DLMS_CLASS_REGISTER, {0}, 2}};
            memcpy(g.attr.obis, DLMS_OBIS_ACTIVE_ENERGY_IMPORT, 6);
            if (dlms_get_request_encode(&g, apdu, sizeof apdu, &n) == 0)
                msim_hes_command(s, ctx, s->ondemand_next++ % s->n_meters, "metering.command", apdu,
                                 n, MSIM_AUDIT_ORIGIN_HES);
        }
        sg17_timer(ctx, s->hes, s->cfg.ondemand_interval, tag);
        break;
    case MSIM_TAG_TARIFF: {
        uint8_t v[8];
        size_t vl;
        s->tariff_value++;
        dlms_data_encode_u32(s->tariff_value, v, sizeof v, &vl);
        dlms_set_request_t q = {.invoke_id = 0x43,
                                .attr = {DLMS_CLASS_ACTIVITY_CALENDAR, {0}, 2},
                                .value = v,
                                .value_len = vl};
        memcpy(q.attr.obis, DLMS_OBIS_ACTIVITY_CALENDAR, 6);
        if (dlms_set_request_encode(&q, apdu, sizeof apdu, &n) == 0)
            for (unsigned i = 0; i < s->n_meters; i++)
                msim_hes_command(s, ctx, i, "metering.command", apdu, n, MSIM_AUDIT_ORIGIN_HES);
        sg17_timer(ctx, s->hes, s->cfg.tariff_interval, tag);
        break;
    }
    case MSIM_TAG_FIRMWARE:
        hes_firmware_rollout(s, ctx);
        break;
    case MSIM_TAG_AUDIT_ANCHOR:
    case MSIM_TAG_AUDIT:
        msim_audit_on_timer(s, ctx, tag);
        break;
    default:
        break;
    }
}

/* Capacity model: the HES works through its input queue at hes_capacity messages per second
 * of virtual time and tail-drops what would wait more than one second (a bounded queue); a
 * per-source budget per second (hes_rate_limit) refuses a source's excess before it is queued. */
static const char *hes_admit(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    sg17_time_t now = sg17_now(ctx), win = now / SG17_SEC;
    if (s->cfg.hes_rate_limit) {
        size_t src = m->claimed_src < s->n_entities ? m->claimed_src : s->n_entities;
        if (s->rl_window[src] != win + 1) {
            s->rl_window[src] = win + 1;
            s->rl_count[src] = 0;
        }
        if (++s->rl_count[src] > s->cfg.hes_source_rate)
            return "rate_limited";
    }
    double t = (double)now / SG17_SEC, start = s->busy_until > t ? s->busy_until : t;
    if (start - t > 1.0)
        return "overload";
    s->busy_until = start + 1.0 / s->cfg.hes_capacity;
    return NULL;
}

static void export_append(msim_t *s, unsigned j, uint32_t k, uint32_t time, uint32_t reg)
{
    if (s->export_len + MSIM_EXPORT_ENTRY > s->export_cap || !s->export_buf) {
        size_t nc = s->export_cap ? 2 * s->export_cap : 4 + 64 * MSIM_EXPORT_ENTRY;
        uint8_t *p = realloc(s->export_buf, nc);
        if (!p)
            return;
        s->export_buf = p;
        s->export_cap = nc;
    }
    if (s->export_n == 0)
        s->export_len = 4;
    uint8_t *e = s->export_buf + s->export_len;
    sg17_store_be32(e, j);
    sg17_store_be32(e + 4, k);
    sg17_store_be32(e + 8, time);
    sg17_store_be32(e + 12, reg);
    s->export_len += MSIM_EXPORT_ENTRY;
    s->export_n++;
}

/* Days-from-civil, proleptic Gregorian. */
int64_t msim_unix_of(const dlms_datetime_t *dt)
{
    int64_t y = dt->year - (dt->month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (dt->month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + dt->day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + dt->hour * 3600 + dt->minute * 60 + dt->second;
}

static void hes_on_reading(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    const char *why = hes_admit(s, ctx, m);
    if (why) {
        sg17_reject(ctx, m, why);
        sg17_metric_add(
            ctx, strcmp(why, "overload") == 0 ? "hes.overload_drops" : "hes.rate_limited", 1);
        return;
    }
    uint8_t plain[128];
    size_t pl = 0;
    uint32_t ic = 0;
    int j = -1;
    dlms_sec_status_t st;
    if (m->len && m->payload[0] == DLMS_APDU_GENERAL_GLO_CIPHERING) {
        const uint8_t *sys, *sec;
        size_t sl;
        if (dlms_general_glo_decode(m->payload, m->len, &sys, &sec, &sl)) {
            sg17_reject(ctx, m, "malformed");
            return;
        }
        j = msim_meter_of_systitle(s, sys); /* keys are looked up by the frame's system title */
        if (j < 0) {
            sg17_reject(ctx, m, "unknown_sender");
            return;
        }
        msim_peer_t *peer = &s->peers[j];
        if (!peer->rx) /* keyed once per meter, as a head-end keeps per association */
            peer->rx = dlms_cipher_new(&s->meters[j].keys);
        uint8_t policy = s->cfg.authenticated_encryption ? DLMS_SC_AUTH_ENC : 0;
        int64_t min_ic = s->cfg.invocation_counter ? peer->last_ic_in : DLMS_IC_NONE;
        st = peer->rx ? dlms_cipher_unprotect(peer->rx, sys, policy, sec, sl, min_ic, plain,
                                              sizeof plain, &pl, &ic)
                      : DLMS_SEC_INTERNAL;
    } else {
        bool ok;
        j = (int)msim_meter_index(s, ctx, m->claimed_src, &ok); /* clear: the network address */
        if (!ok) {
            sg17_reject(ctx, m, "unknown_sender");
            return;
        }
        st = s->cfg.authenticated_encryption ? DLMS_SEC_POLICY : DLMS_SEC_OK;
        if (st == DLMS_SEC_OK && m->len <= sizeof plain) {
            memcpy(plain, m->payload, m->len);
            pl = m->len;
        }
    }
    if (st != DLMS_SEC_OK) {
        sg17_reject(ctx, m, dlms_sec_status_name(st));
        sg17_metric_add(ctx, "hes.security_alarms", 1);
        return;
    }
    dlms_data_notification_t dn;
    if (dlms_data_notification_decode(plain, pl, &dn) || !dn.has_time) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (m->payload[0] == DLMS_APDU_GENERAL_GLO_CIPHERING)
        s->peers[j].last_ic_in = ic;
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "hes.readings_accepted", 1);
    int64_t secs = msim_unix_of(&dn.time) - MSIM_EPOCH;
    if (secs < 0)
        secs = 0;
    export_append(s, (unsigned)j, dn.long_invoke_id, (uint32_t)secs, dn.reading.value);
}

/* AARE from meter j: LLS completes; HLS answers StoC with f(StoC) (pass 3). */
static void hes_on_aare(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (m->len != 1 + DLMS_SYSTITLE_LEN + MSIM_CHALLENGE_LEN) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    int j = msim_meter_of_systitle(s, m->payload + 1);
    if (j < 0 || s->peers[j].assoc != MSIM_ASSOC_PENDING) {
        sg17_reject(ctx, m, "unexpected");
        return;
    }
    sg17_accept(ctx, m);
    if (!s->cfg.hls_authentication) {
        s->peers[j].assoc = MSIM_ASSOC_OPEN;
        return;
    }
    uint8_t f[DLMS_HLS_GMAC_LEN];
    uint32_t ic;
    if (dlms_ic_next(msim_hes_ic(s, (unsigned)j), &ic)) {
        sg17_metric_add(ctx, "hes.ic_exhausted", 1);
        return;
    }
    if (dlms_hls_gmac(&s->meters[j].keys, s->hes_systitle, ic, m->payload + 1 + DLMS_SYSTITLE_LEN,
                      MSIM_CHALLENGE_LEN, f)
        == 0)
        sg17_send(ctx, s->hes, msim_meter_entity(s, (unsigned)j), "metering.hls", f, sizeof f);
}

/* HLS pass 4: the meter's f(CtoS) proves it holds the keys. */
static void hes_on_hls(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    bool ok;
    unsigned j = msim_meter_index(s, ctx, m->claimed_src, &ok);
    if (!ok || s->peers[j].assoc != MSIM_ASSOC_PENDING) {
        sg17_reject(ctx, m, "unexpected");
        return;
    }
    if (dlms_hls_gmac_verify(&s->meters[j].keys, s->meters[j].systitle, s->peers[j].ctos,
                             MSIM_CHALLENGE_LEN, m->payload, m->len)) {
        sg17_reject(ctx, m, "auth");
        return;
    }
    s->peers[j].assoc = MSIM_ASSOC_OPEN;
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "hes.associations", 1);
}

static void hes_on_response(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    bool ok;
    unsigned j = msim_meter_index(s, ctx, m->claimed_src, &ok);
    if (!ok) {
        sg17_reject(ctx, m, "unknown_sender");
        return;
    }
    uint8_t plain[128];
    size_t pl;
    uint32_t ic;
    bool ciphered;
    uint8_t policy =
        s->cfg.hls_authentication && s->cfg.authenticated_encryption ? DLMS_SC_AUTH_ENC : 0;
    dlms_sec_status_t st =
        msim_unwrap(&s->meters[j].keys, m->payload, m->len, s->meters[j].systitle, policy,
                    s->cfg.invocation_counter ? s->peers[j].last_ic_in : DLMS_IC_NONE, plain,
                    sizeof plain, &pl, &ic, &ciphered);
    if (st == DLMS_SEC_OK && !ciphered && policy)
        st = DLMS_SEC_POLICY;
    if (st != DLMS_SEC_OK) {
        sg17_reject(ctx, m, dlms_sec_status_name(st));
        return;
    }
    if (ciphered)
        s->peers[j].last_ic_in = ic;
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "hes.responses", 1);
}

/* Is apdu a remote_disconnect action (class 70, method 1)? */
static bool is_disconnect(const uint8_t *apdu, size_t len)
{
    dlms_action_request_t a;
    return apdu && dlms_action_request_decode(apdu, len, &a) == 0
           && a.method.class_id == DLMS_CLASS_DISCONNECT_CONTROL
           && a.method.index == DLMS_METHOD_REMOTE_DISCONNECT;
}

/* An operator's signed request: role/signature check (command_authorization), the disconnect cap
 * over a sliding window (mass_disconnect_limit), then relay to the meter. */
static void hes_on_op_request(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    dlms_general_signing_t g;
    if (dlms_general_signing_decode(m->payload, m->len, &g) || g.recipient_len != 8 || !g.content
        || g.originator_len != 8 || memcmp(g.originator, "OPR", 3) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    int j = msim_meter_of_systitle(s, g.recipient);
    uint32_t op = sg17_load_be32(g.originator + 4);
    if (j < 0 || op >= s->n_ops) {
        sg17_reject(ctx, m, "unknown_sender");
        return;
    }
    dlms_general_signing_t v;
    if (s->cfg.command_authorization
        && dlms_general_signing_verify(s->op_keys[op], m->payload, m->len, &v)) {
        sg17_reject(ctx, m, "signature");
        return;
    }
    if (is_disconnect(g.content, g.content_len)) {
        sg17_time_t now = sg17_now(ctx);
        size_t cap = s->cfg.disconnect_limit + 1, recent = 0;
        for (size_t k = 0; k < s->disc_n; k++)
            if (now - s->disc_times[(s->disc_head + cap - 1 - k) % cap] < s->cfg.disconnect_window)
                recent++;
        if (s->cfg.mass_disconnect_limit && recent >= s->cfg.disconnect_limit) {
            sg17_reject(ctx, m, "mass_disconnect"); /* held for a second operator's approval */
            sg17_metric_add(ctx, "hes.disconnects_held", 1);
            return;
        }
        s->disc_times[s->disc_head] = now;
        s->disc_head = (s->disc_head + 1) % cap;
        if (s->disc_n < cap)
            s->disc_n++;
    }
    sg17_accept(ctx, m);
    sg17_metric_add(ctx, "hes.op_requests_relayed", 1);
    msim_hes_command(s, ctx, (unsigned)j, "metering.command", m->payload, m->len, op);
}

void msim_hes_on_message(msim_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    if (strcmp(m->type, "metering.reading") == 0)
        hes_on_reading(s, ctx, m);
    else if (strcmp(m->type, "metering.aare") == 0)
        hes_on_aare(s, ctx, m);
    else if (strcmp(m->type, "metering.hls") == 0)
        hes_on_hls(s, ctx, m);
    else if (strcmp(m->type, "metering.response") == 0)
        hes_on_response(s, ctx, m);
    else if (strcmp(m->type, "metering.op_request") == 0)
        hes_on_op_request(s, ctx, m);
    else
        sg17_reject(ctx, m, "malformed");
}
