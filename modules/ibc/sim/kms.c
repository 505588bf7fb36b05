/* kms.c — the KMS of one X.1365 domain: C.3 public parameters (signed by its root key), C.4 key
 * provisioning over the per-device transport channel, C.5 revocation, and master-secret re-key. */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/ibccrypto.h"
#include "sim/ibc_sim.h"

/* Walks the sets the ring still holds, newest first. */
const ibc_master_t *ibc_kms_master(const ibc_t *s, unsigned kms, int64_t period)
{
    const ibc_kms_t *k = &s->kms[kms];
    uint64_t held = k->n_master < IBC_MASTER_RING ? k->n_master : IBC_MASTER_RING;
    for (uint64_t n = k->n_master; n-- > k->n_master - held;) {
        const ibc_master_t *mk = &k->master[n % IBC_MASTER_RING];
        if (mk->from_period <= period)
            return mk;
    }
    return NULL;
}

/* RFC 6507 §5.1.1 and RFC 6508 §6.1.1 for one identity; v drawn from the run's stream. */
int ibc_kms_issue(ibc_t *s, const ibc_master_t *mk, const uint8_t *id, size_t id_len,
                  sg17_ctx_t *ctx, ibc_keys_t *keys)
{
    uint8_t v[ECCSI_N];
    int rc = -1;
    for (int attempt = 0; attempt < 4 && rc != 0; attempt++) {
        sg17_rand_bytes(ctx, v, sizeof v);
        v[0] &= 0x7f; /* < q */
        v[31] |= 1;   /* != 0 */
        rc = eccsi_kms_issue(mk->ksak, id, id_len, v, keys->ssk, keys->pvt, NULL);
    }
    OPENSSL_cleanse(v, sizeof v);
    /* the instance's SAKKE KMS context (the table of multiples of P), built at the first RSK */
    if (rc == 0 && !s->sakke_kms && !(s->sakke_kms = sakke_kms_new()))
        sg17_log(ctx, "cannot set up the SAKKE KMS context: %s", ibccrypto_last_error());
    if (rc != 0
        || sakke_kms_rsk_with(s->sakke_kms, mk->z, IBC_MASTER_Z, id, id_len, keys->rsk) != 0)
        return -1;
    memcpy(keys->id, id, id_len);
    keys->id_len = id_len;
    keys->valid = true;
    return 0;
}

int ibc_kms_draw_master(sg17_ctx_t *ctx, int64_t from_period, ibc_master_t *mk)
{
    sg17_rand_bytes(ctx, mk->ksak, ECCSI_N);
    sg17_rand_bytes(ctx, mk->z, IBC_MASTER_Z);
    mk->ksak[0] &= 0x7f, mk->ksak[31] |= 1; /* in [1, q-1] of P-256 */
    mk->z[0] &= 0x1f, mk->z[31] |= 1;       /* far below the 1021-bit q of SAKKE */
    mk->from_period = from_period;
    return eccsi_kms_kpak(mk->ksak, mk->kpak) == 0
                   && sakke_kms_public_key(mk->z, IBC_MASTER_Z, mk->zpub) == 0
               ? 0
               : -1;
}

/* domain_rekey: new master secrets for period p (C.1 repeated), once per period. The new set
 * takes the ring slot of the oldest, whose secrets are erased. */
static void kms_rekey(ibc_t *s, sg17_ctx_t *ctx, unsigned kms, int64_t p)
{
    ibc_kms_t *k = &s->kms[kms];
    if (k->master[(k->n_master - 1) % IBC_MASTER_RING].from_period >= p)
        return;
    ibc_master_t mk;
    if (ibc_kms_draw_master(ctx, p, &mk) != 0) {
        sg17_log(ctx, "kms-%u: re-key for period %lld failed", kms, (long long)p);
    } else {
        ibc_master_t *slot = &k->master[k->n_master % IBC_MASTER_RING];
        OPENSSL_cleanse(slot, sizeof *slot);
        *slot = mk;
        k->n_master++;
        sg17_metric_add(ctx, "kms.rekeys", 1);
    }
    OPENSSL_cleanse(&mk, sizeof mk);
}

/* Requests are for the current period only (a device asks at roll-over). */
static bool period_ok(const ibc_t *s, sg17_ctx_t *ctx, int64_t p)
{
    return p == ibc_period(s, sg17_now(ctx));
}

static void kms_on_param_request(ibc_t *s, sg17_ctx_t *ctx, unsigned kms, const sg17_msg_t *m)
{
    int64_t p;
    if (ibc_param_request_decode(m->payload, m->len, &p) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    if (!period_ok(s, ctx, p)) {
        sg17_reject(ctx, m, "stale");
        return;
    }
    sg17_accept(ctx, m);
    if (s->cfg.domain_rekey)
        kms_rekey(s, ctx, kms, p);
    const ibc_master_t *mk = ibc_kms_master(s, kms, p);
    uint8_t out[IBC_PARAMS_MAX];
    size_t len;
    if (ibc_params_encode(s->kms[kms].root_priv, (uint8_t)kms, p, mk->kpak, mk->zpub, out, &len)
        == 0)
        sg17_send(ctx, s->kms[kms].e, m->claimed_src, "ibc.params", out, len);
}

/* The transport key of the requester: a device of this domain, or the gateway (enrolled with
 * kms-0). */
static const uint8_t *kms_enrolled_tkey(ibc_t *s, unsigned kms, uint16_t who, const char **kind)
{
    if (who == 0xffff) {
        *kind = "gateway";
        return kms == 0 ? s->gw.tkey : NULL;
    }
    *kind = "device";
    return who < s->n_dev && s->dev[who].kms == kms ? s->dev[who].tkey : NULL;
}

static void kms_on_key_request(ibc_t *s, sg17_ctx_t *ctx, unsigned kms, const sg17_msg_t *m)
{
    uint16_t who;
    int64_t p;
    const char *kind;
    const uint8_t *tkey;
    if (ibc_key_request_decode(m->payload, m->len, &who, &p) != 0) {
        sg17_reject(ctx, m, "malformed");
        return;
    }
    /* C.4: keys only to the authenticated owner of the identity (GMAC under its transport key) */
    if (!(tkey = kms_enrolled_tkey(s, kms, who, &kind))
        || ibc_key_request_verify(tkey, m->payload, m->len) != 0) {
        sg17_reject(ctx, m, "auth");
        return;
    }
    if (!period_ok(s, ctx, p)) {
        sg17_reject(ctx, m, "stale");
        return;
    }
    /* C.5: a revoked identity gets no keys for any period that starts after the revocation */
    if (s->cfg.revocation && who != 0xffff && s->revoked[who]
        && (sg17_time_t)p * s->cfg.period_length >= s->cfg.revoke_at) {
        sg17_reject(ctx, m, "revoked");
        sg17_metric_add(ctx, "kms.refused", 1);
        return;
    }
    sg17_accept(ctx, m);
    if (s->cfg.domain_rekey)
        kms_rekey(s, ctx, kms, p);
    ibc_keys_t keys;
    uint8_t id[IBC_MAX_ID], iv[12], out[IBC_KEY_DELIVERY_BYTES];
    size_t id_len = ibc_identity(s, p, kind, who == 0xffff ? 0 : who, id);
    sg17_rand_bytes(ctx, iv, sizeof iv);
    if (ibc_kms_issue(s, ibc_kms_master(s, kms, p), id, id_len, ctx, &keys) == 0
        && ibc_key_delivery_encode(tkey, who, p, iv, &keys, out) == 0) {
        sg17_send(ctx, s->kms[kms].e, m->claimed_src, "ibc.key_delivery", out, sizeof out);
        sg17_metric_add(ctx, "kms.keys_issued", 1);
    } else {
        sg17_log(ctx, "kms-%u: key issue failed", kms);
    }
    OPENSSL_cleanse(&keys, sizeof keys);
}

void ibc_kms_on_message(ibc_t *s, sg17_ctx_t *ctx, const sg17_msg_t *m)
{
    unsigned kms = sg17_entity_index(ctx, m->dst);
    if (strcmp(m->type, "ibc.param_request") == 0)
        kms_on_param_request(s, ctx, kms, m);
    else if (strcmp(m->type, "ibc.key_request") == 0)
        kms_on_key_request(s, ctx, kms, m);
    else
        sg17_reject(ctx, m, "malformed");
}
