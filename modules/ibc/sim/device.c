/* device.c — an IoT device of X.1365: at start and at each key-period roll-over it looks up the
 * public parameters (C.3) and asks its KMS for the period's keys (C.4), checks what arrives
 * (key_validation, point_validation), authenticates to the gateway with the D.1 one-pass message,
 * answers re-authentication challenges, and sends application data under the session key. */
#include <string.h>

#include <openssl/crypto.h>

#include "sim/ibc_sim.h"

void ibc_request_params(ibc_t *s, sg17_ctx_t *ctx, sg17_entity_t from, unsigned kms, int64_t p)
{
    uint8_t req[IBC_PARAM_REQUEST_BYTES];
    ibc_param_request_encode(p, req);
    sg17_send(ctx, from, s->kms[kms].e, "ibc.param_request", req, sizeof req);
}

/* Z (public) is the same for every entity of a domain and period: its order-q check, a pure
 * function of the octets, is remembered for the last IBC_ZPUB_CACHE encodings that passed. */
static bool ibc_zpub_valid(ibc_t *s, const uint8_t zpub[SAKKE_POINT_BYTES])
{
    for (unsigned i = 0; i < IBC_ZPUB_CACHE; i++)
        if (s->zpub_ok[i].valid && memcmp(s->zpub_ok[i].zpub, zpub, SAKKE_POINT_BYTES) == 0)
            return true;
    if (sakke_public_point_check(zpub, SAKKE_POINT_BYTES) != 0)
        return false;
    s->zpub_ok[s->next_zpub].valid = true;
    memcpy(s->zpub_ok[s->next_zpub].zpub, zpub, SAKKE_POINT_BYTES);
    s->next_zpub = (s->next_zpub + 1) % IBC_ZPUB_CACHE;
    return true;
}

/* C.3: a lookup answer is used only from a trusted domain (8.2), for the current period, signed by
 * the root key pinned at initialisation (param_authenticity) and made of valid points
 * (point_validation). Reports the message; true if `params` was updated. */
bool ibc_accept_params(ibc_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m, ibc_params_t *params,
                       const bool trusted[IBC_MAX_KMS])
{
    ibc_params_msg_t pm;
    if (ibc_params_decode(m->payload, m->len, &pm) != 0 || pm.kms >= s->n_kms) {
        sg17_reject(ctx, m, "malformed");
        return false;
    }
    if (!trusted[pm.kms]) {
        sg17_reject(ctx, m, "untrusted_domain");
        return false;
    }
    if (pm.period != ibc_period(s, sg17_now(ctx))) {
        sg17_reject(ctx, m, "stale");
        return false;
    }
    if (s->cfg.param_authenticity
        && ibc_ecdsa_verify(s->kms[pm.kms].root_pub, pm.signed_part, pm.signed_len, pm.sig,
                            pm.sig_len)
               != 0) {
        sg17_reject(ctx, m, "param_auth");
        sg17_metric_add(ctx, "params.rejected", 1);
        return false;
    }
    if (s->cfg.point_validation
        && (eccsi_point_check(pm.kpak, ECCSI_POINT_BYTES) != 0 || !ibc_zpub_valid(s, pm.zpub))) {
        sg17_reject(ctx, m, "invalid_point");
        return false;
    }
    sg17_accept(ctx, m);
    ibc_params_t *dst = &params[pm.kms];
    dst->valid = true;
    dst->period = pm.period;
    memcpy(dst->kpak, pm.kpak, ECCSI_POINT_BYTES);
    memcpy(dst->zpub, pm.zpub, SAKKE_POINT_BYTES);
    return true;
}

size_t ibc_d1_build(ibc_t *s, sg17_ctx_t *ctx, const ibc_keys_t *keys, const uint8_t kpak[65],
                    uint8_t kms, const uint8_t *zpub, int64_t p, const uint8_t challenge[16],
                    uint8_t *out, uint8_t skey[IBC_SKEY_BYTES])
{
    uint8_t gw_id[IBC_MAX_ID], ssv[SAKKE_SSV_BYTES], sed[SAKKE_SED_BYTES], nonce[IBC_NONCE_BYTES];
    size_t gw_len = ibc_identity(s, p, "gateway", 0, gw_id), n = 0;
    sakke_sender_t *snd = ibc_sender(s, ctx, zpub, gw_id, gw_len);
    sg17_rand_bytes(ctx, ssv, sizeof ssv);
    sg17_rand_bytes(ctx, nonce, sizeof nonce);
    /* RFC 6508 §6.2.1 to the gateway's identity of this period */
    if (snd && sakke_sender_encapsulate(snd, ssv, sed, NULL) == 0) {
        ibc_d1_t d1 = {.sed = sed,
                       .ts = sg17_now(ctx),
                       .nonce = nonce,
                       .challenge = challenge,
                       .kms = kms,
                       .id = keys->id,
                       .id_len = keys->id_len,
                       .responder = gw_id,
                       .responder_len = gw_len};
        n = ibc_d1_encode_body(&d1, s->ntp_epoch, s->cfg.d1_signed, out);
        if (n && s->cfg.d1_signed) { /* RFC 6507 §5.2.1 over everything before the signature */
            eccsi_signer_t *sg =
                eccsi_signer_new(kpak, keys->id, keys->id_len, keys->ssk, keys->pvt);
            if (!sg || eccsi_signer_sign(sg, out, n, NULL, out + n) != 0)
                n = 0;
            else
                n += ECCSI_SIG_BYTES;
            eccsi_signer_destroy(&sg);
        }
    }
    if (n && ibc_session_key(ssv, keys->id, keys->id_len, nonce, skey) != 0)
        n = 0;
    OPENSSL_cleanse(ssv, sizeof ssv);
    return n;
}

/* Sends a D.1 message with the current keys or, for a device the adversary controls whose KMS
 * refused it, with the keys of its last period. */
static void device_authenticate(ibc_t *s, sg17_ctx_t *ctx, ibc_device_t *d,
                                const uint8_t challenge[16])
{
    int64_t p = ibc_period(s, sg17_now(ctx));
    const ibc_keys_t *k = d->keys.valid && d->keys.period == p ? &d->keys : NULL;
    if (!k && sg17_compromised(ctx, d->e) && d->stale.valid)
        k = &d->stale;
    if (!k || !d->params[0].valid || d->params[0].period != p || !d->params[d->kms].valid) {
        sg17_metric_add(ctx, "device.keyless", 1);
        return;
    }
    uint8_t out[IBC_D1_MAX];
    size_t n = ibc_d1_build(s, ctx, k, d->params[d->kms].kpak, (uint8_t)d->kms, d->params[0].zpub,
                            p, challenge, out, d->skey);
    if (!n) {
        sg17_metric_add(ctx, "device.sign_failures", 1);
        d->session = false;
        return;
    }
    sg17_send(ctx, d->e, s->gw.e, "ibc.d1_auth", out, n);
    sg17_metric_add(ctx, "device.d1_sent", 1);
    d->session = true;
    d->app_seq = 0;
}

static void device_roll(ibc_t *s, sg17_ctx_t *ctx, ibc_device_t *d)
{
    int64_t p = ibc_period(s, sg17_now(ctx));
    if (d->keys.valid && d->keys.period < p) {
        /* 9.4: the old period's keys are erased; a compromised device's are kept by its owner */
        if (sg17_compromised(ctx, d->e))
            d->stale = d->keys;
        OPENSSL_cleanse(&d->keys, sizeof d->keys);
    }
    d->session = false;
    d->asked_period = -1;
    ibc_request_params(s, ctx, d->e, d->kms, p);
    if (d->kms != 0)
        ibc_request_params(s, ctx, d->e, 0, p); /* the gateway's domain, to encapsulate to it */
    sg17_time_t next =
        (sg17_time_t)(p + 1) * s->cfg.period_length + (sg17_time_t)d->index * 50 * SG17_MSEC;
    sg17_timer(ctx, d->e, next - sg17_now(ctx), IBC_T_ROLL);
    sg17_timer(ctx, d->e, 2 * SG17_SEC + (sg17_time_t)d->index * 100 * SG17_MSEC, IBC_T_AUTH);
}

static void device_send_app(ibc_t *s, sg17_ctx_t *ctx, ibc_device_t *d)
{
    sg17_timer(ctx, d->e, s->cfg.app_interval, IBC_T_APP);
    if (!d->session)
        return;
    uint8_t data[IBC_APP_PLAIN] = {0}, out[IBC_APP_BYTES];
    memcpy(data, "reading", 7);
    data[8] = (uint8_t)d->index;
    if (ibc_app_encode(d->skey, ++d->app_seq, data, out) == 0) {
        sg17_send(ctx, d->e, s->gw.e, "ibc.app_data", out, sizeof out);
        sg17_metric_add(ctx, "device.app_sent", 1);
    }
}

ibc_device_t *ibc_device_of(ibc_t *s, sg17_ctx_t *ctx, sg17_entity_t e)
{
    unsigned i = sg17_entity_index(ctx, e);
    return i < s->n_dev && s->dev[i].e == e ? &s->dev[i] : NULL;
}

void ibc_device_on_timer(ibc_t *s, sg17_ctx_t *ctx, sg17_entity_t e, uint64_t tag)
{
    static const uint8_t no_challenge[IBC_NONCE_BYTES] = {0};
    ibc_device_t *d = ibc_device_of(s, ctx, e);
    if (!d)
        return;
    if (tag == IBC_T_ROLL)
        device_roll(s, ctx, d);
    else if (tag == IBC_T_AUTH && !d->session)
        device_authenticate(s, ctx, d, no_challenge);
    else if (tag == IBC_T_APP)
        device_send_app(s, ctx, d);
}

/* C.4 delivery: for this device and the current period, decrypted under the transport key, then
 * the checks the device is configured for; on success the keys replace the old ones. */
static void device_on_keys(ibc_t *s, sg17_ctx_t *ctx, ibc_device_t *d, const sg17_msg_t *m)
{
    uint16_t who;
    int64_t p, now_p = ibc_period(s, sg17_now(ctx));
    ibc_keys_t k;
    memset(&k, 0, sizeof k);
    if (ibc_key_delivery_header(m->payload, m->len, &who, &p) != 0 || who != d->index) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (p != now_p) {
        sg17_reject(ctx, m, "stale");
        return;
    }
    if (ibc_key_delivery_open(d->tkey, m->payload, m->len, &k) != 0) {
        sg17_reject(ctx, m, "auth");
        return;
    }
    k.period = p;
    k.id_len = ibc_identity(s, p, "device", d->index, k.id);
    const ibc_params_t *own = &d->params[d->kms];
    const char *bad = NULL;
    if (s->cfg.point_validation
        && (eccsi_point_check(k.pvt, ECCSI_POINT_BYTES) != 0
            || sakke_point_check(k.rsk, SAKKE_POINT_BYTES) != 0))
        bad = "invalid_point";
    else if (s->cfg.key_validation
             && (!own->valid || eccsi_validate_ssk(own->kpak, k.id, k.id_len, k.ssk, k.pvt) != 0
                 || sakke_validate_rsk(own->zpub, SAKKE_POINT_BYTES, k.id, k.id_len, k.rsk,
                                       SAKKE_POINT_BYTES)
                        != 0))
        bad = "key_invalid"; /* RFC 6507 §5.1.2, RFC 6508 §6.1.2 */
    if (bad) {
        sg17_reject(ctx, m, bad);
        sg17_metric_add(ctx, "device.keys_rejected", 1);
        OPENSSL_cleanse(&k, sizeof k);
        return;
    }
    sg17_accept(ctx, m);
    k.valid = true;
    OPENSSL_cleanse(&d->keys, sizeof d->keys);
    d->keys = k;
    OPENSSL_cleanse(&k, sizeof k);
    sg17_metric_add(ctx, "device.keys_installed", 1);
    /* new keys, new session (9.4): authenticate again shortly */
    d->session = false;
    sg17_timer(ctx, d->e, SG17_SEC + (sg17_time_t)d->index * 100 * SG17_MSEC, IBC_T_AUTH);
}

void ibc_device_on_message(ibc_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    ibc_device_t *d = ibc_device_of(s, ctx, m->dst);
    if (!d) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (strcmp(m->type, "ibc.params") == 0) {
        bool trusted[IBC_MAX_KMS] = {false};
        trusted[0] = true;
        trusted[d->kms] = true;
        int64_t p = ibc_period(s, sg17_now(ctx));
        if (ibc_accept_params(s, ctx, m, d->params, trusted) && d->asked_period != p
            && d->params[d->kms].valid && d->params[d->kms].period == p && d->params[0].valid
            && d->params[0].period == p) {
            uint8_t iv[12], req[IBC_KEY_REQUEST_BYTES];
            sg17_rand_bytes(ctx, iv, sizeof iv);
            if (ibc_key_request_encode(d->tkey, (uint16_t)d->index, p, iv, req) == 0) {
                sg17_send(ctx, d->e, s->kms[d->kms].e, "ibc.key_request", req, sizeof req);
                d->asked_period = p;
            }
        }
    } else if (strcmp(m->type, "ibc.key_delivery") == 0) {
        device_on_keys(s, ctx, d, m);
    } else if (strcmp(m->type, "ibc.challenge") == 0 && m->len == IBC_NONCE_BYTES) {
        sg17_accept(ctx, m);
        device_authenticate(s, ctx, d, m->payload);
    } else {
        sg17_reject(ctx, m, "malformed");
    }
}
