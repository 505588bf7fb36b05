/* instance.c — the ibc instance: built from the filled configuration for the run's topology (C.1
 * KMS master secrets and root keys, C.2 transport keys), started and destroyed, and the helpers
 * every entity shares: key periods and identities, the cache of SAKKE sender contexts, the D.1
 * session key. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/ibccrypto.h"
#include "sim/ibc_sim.h"

int64_t ibc_period(const ibc_t *s, sg17_time_t t)
{
    return (int64_t)(t / s->cfg.period_length);
}

/* X.1365 8.3 / RFC 6507 §7: "YYYY-MM" 0x00 uri 0x00, the month counted from start_period. */
size_t ibc_identity(const ibc_t *s, int64_t p, const char *kind, unsigned index, uint8_t *id)
{
    int64_t m = (int64_t)s->start_month - 1 + p;
    int n = snprintf((char *)id, IBC_MAX_ID, "%04d-%02d%curn:dev:sg17tb:%s-%u%c",
                     (int)(s->start_year + m / 12) % 10000, (int)(m % 12) + 1, 0, kind, index, 0);
    return n > 0 && n < IBC_MAX_ID ? (size_t)n : 0;
}

/* Setting a sender up costs tens of milliseconds (its fixed-base table; crypto/ remembers recent
 * set-ups per process, see README.md); all inputs are public, so one context per (Z, identity)
 * serves every device of the run. */
sakke_sender_t *ibc_sender(ibc_t *s, sg17_ctx_t *ctx, const uint8_t *zpub, const uint8_t *id,
                           size_t id_len)
{
    for (unsigned i = 0; i < IBC_SENDER_CACHE; i++) {
        ibc_sender_slot_t *c = &s->senders[i];
        if (c->s && c->id_len == id_len && memcmp(c->id, id, id_len) == 0
            && memcmp(c->zpub, zpub, SAKKE_POINT_BYTES) == 0)
            return c->s;
    }
    ibc_sender_slot_t *c = &s->senders[s->next_sender];
    s->next_sender = (s->next_sender + 1) % IBC_SENDER_CACHE;
    sakke_sender_destroy(&c->s);
    if (!(c->s = sakke_sender_new(zpub, SAKKE_POINT_BYTES, id, id_len))) {
        sg17_log(ctx, "cannot set up a SAKKE sender: %s", ibccrypto_last_error());
        return NULL;
    }
    memcpy(c->zpub, zpub, SAKKE_POINT_BYTES);
    memcpy(c->id, id, id_len);
    c->id_len = id_len;
    return c->s;
}

int ibc_session_key(const uint8_t ssv[SAKKE_SSV_BYTES], const uint8_t *id, size_t id_len,
                    const uint8_t nonce[IBC_NONCE_BYTES], uint8_t key[IBC_SKEY_BYTES])
{
    static const char label[] = "sg17tb-ibc-d1";
    uint8_t h[32];
    unsigned hl = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL)
             && EVP_DigestUpdate(md, label, sizeof label - 1)
             && EVP_DigestUpdate(md, ssv, SAKKE_SSV_BYTES) && EVP_DigestUpdate(md, id, id_len)
             && EVP_DigestUpdate(md, nonce, IBC_NONCE_BYTES) && EVP_DigestFinal_ex(md, h, &hl);
    EVP_MD_CTX_free(md);
    if (ok)
        memcpy(key, h, IBC_SKEY_BYTES);
    OPENSSL_cleanse(h, sizeof h);
    return ok ? 0 : -1;
}

/* ---- lifecycle ---- */

void ibc_destroy(void *instance)
{
    ibc_t *s = instance;
    if (!s)
        return;
    for (unsigned i = 0; i < IBC_SENDER_CACHE; i++)
        sakke_sender_destroy(&s->senders[i].s);
    sakke_receiver_destroy(&s->gw.recv);
    sakke_kms_destroy(&s->sakke_kms);
    /* each per-device array holds n_dev + 1 entries (see ibc_create); devices and sessions carry
     * transport, private and session keys */
    if (s->dev)
        OPENSSL_cleanse(s->dev, (s->n_dev + 1) * sizeof *s->dev);
    if (s->gw.sessions)
        OPENSSL_cleanse(s->gw.sessions, (s->n_dev + 1) * sizeof *s->gw.sessions);
    ibc_adversary_free(s->adv, s->n_dev);
    free(s->dev);
    free(s->gw.sessions);
    free(s->gw.nonces);
    free(s->gw.nonce_ts);
    free(s->revoked);
    OPENSSL_cleanse(s, sizeof *s);
    free(s);
}

/* C.1: a KMS's master secrets and root key; C.2: each device's transport key. */
static int ibc_initialise(ibc_t *s, sg17_ctx_t *ctx)
{
    if (s->n_kms == 0) /* the descriptor's min_count; devices are spread over the KMSs below */
        return -1;
    for (unsigned k = 0; k < s->n_kms; k++) {
        ibc_kms_t *kms = &s->kms[k];
        kms->e = sg17_entity(ctx, "kms", k);
        if (ibc_kms_draw_master(ctx, 0, &kms->master[0]) != 0)
            return -1;
        sg17_rand_bytes(ctx, kms->root_priv, sizeof kms->root_priv);
        kms->root_priv[0] &= 0x7f, kms->root_priv[31] |= 1; /* in [1, q-1] of P-256 */
        if (ibc_ecdsa_pub(kms->root_priv, kms->root_pub) != 0)
            return -1;
        kms->n_master = 1;
    }
    for (unsigned i = 0; i < s->n_dev; i++) {
        ibc_device_t *d = &s->dev[i];
        d->e = sg17_entity(ctx, "device", i);
        d->index = i;
        d->kms = i % s->n_kms;
        d->asked_period = -1;
        sg17_rand_bytes(ctx, d->tkey, IBC_TKEY_BYTES);
    }
    s->gw.e = sg17_entity(ctx, "gateway", 0);
    s->gw.asked_period = -1;
    sg17_rand_bytes(ctx, s->gw.tkey, IBC_TKEY_BYTES);
    return 0;
}

/* NTP seconds (since 1900-01-01) of the first day of month m of year y, UTC: days from the civil
 * date (proleptic Gregorian, March-based year). */
static uint64_t ntp_month_start(int y, int m)
{
    y -= m <= 2;
    int64_t era = y / 400, yoe = y - era * 400, mp = (m + 9) % 12;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + (153 * mp + 2) / 5;
    int64_t days = era * 146097 + doe - 719468; /* since 1970-01-01 */
    return (uint64_t)(days * 86400 + 2208988800LL);
}

/* "3" or "1,4": the devices the operator revokes at revoke_at. */
static int parse_revoked(ibc_t *s, sg17_ctx_t *ctx, const char *list)
{
    for (const char *c = list; *c;) {
        char *end;
        long v = strtol(c, &end, 10);
        if (end == c || v < 0 || (unsigned long)v >= s->n_dev) {
            sg17_log(ctx, "revoked: '%s' is not a comma-separated list of device indexes below %u",
                     list, s->n_dev);
            return -1;
        }
        s->revoked[v] = 1;
        c = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') {
            sg17_log(ctx, "revoked: unexpected '%c' in '%s'", *end, list);
            return -1;
        }
    }
    return 0;
}

void *ibc_create(sg17_ctx_t *ctx, const void *config)
{
    const ibc_config_t *cfg = config;
    ibc_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = *cfg;
    s->cfg.start_period = s->cfg.revoked = NULL; /* borrowed: parsed below */
    s->n_kms = sg17_count(ctx, "kms");
    s->n_dev = sg17_count(ctx, "device");
    const char *start = cfg->start_period ? cfg->start_period : "";
    /* the descriptor's counts and ranges already hold these; checked again because an array
     * index depends on them */
    if (s->n_kms < 1 || s->n_kms > IBC_MAX_KMS || sg17_count(ctx, "gateway") != 1
        || s->cfg.period_length == 0 || s->cfg.app_interval == 0
        || sscanf(start, "%4d-%2d", &s->start_year, &s->start_month) != 2 || s->start_month < 1
        || s->start_month > 12 || s->start_year < 1970) {
        sg17_log(ctx,
                 "ibc needs 1-2 kms, one gateway, period_length and app_interval > 0 and "
                 "start_period as YYYY-MM (got '%s')",
                 start);
        free(s);
        return NULL;
    }
    s->ntp_epoch = ntp_month_start(s->start_year, s->start_month);
    s->dev = calloc(s->n_dev + 1, sizeof *s->dev);
    s->adv = ibc_adversary_new(s->n_dev);
    s->gw.sessions = calloc(s->n_dev + 1, sizeof *s->gw.sessions);
    /* the descriptor's range holds nonce_cache in 1..IBC_NONCE_CACHE_MAX; checked again because
     * the ring's size depends on it */
    if (s->cfg.nonce_cache < 1 || s->cfg.nonce_cache > IBC_NONCE_CACHE_MAX)
        s->cfg.nonce_cache = 1;
    s->gw.nonces = calloc(s->cfg.nonce_cache, sizeof *s->gw.nonces);
    s->gw.nonce_ts = calloc(s->cfg.nonce_cache, sizeof *s->gw.nonce_ts);
    s->revoked = calloc(s->n_dev + 1, 1);
    if (!s->dev || !s->adv || !s->gw.sessions || !s->gw.nonces || !s->gw.nonce_ts || !s->revoked
        || parse_revoked(s, ctx, cfg->revoked ? cfg->revoked : "") != 0
        || ibc_initialise(s, ctx) != 0) {
        sg17_log(ctx, "ibc: set-up failed (%s)", ibccrypto_last_error());
        ibc_destroy(s);
        return NULL;
    }
    return s;
}

void ibc_start(void *instance, sg17_ctx_t *ctx)
{
    ibc_t *s = instance;
    sg17_timer(ctx, s->gw.e, 0, IBC_T_ROLL);
    for (unsigned i = 0; i < s->n_dev; i++) {
        sg17_timer(ctx, s->dev[i].e, (sg17_time_t)i * 50 * SG17_MSEC, IBC_T_ROLL);
        sg17_timer(ctx, s->dev[i].e, s->cfg.app_interval + (sg17_time_t)i * 70 * SG17_MSEC,
                   IBC_T_APP);
    }
}
