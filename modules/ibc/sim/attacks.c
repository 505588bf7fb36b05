/* attacks.c — the ibc module's adversary: forged ECCSI signatures, identity substitution, use of
 * a revoked identity, rogue KMS key deliveries and invalid points, rogue public parameters, theft
 * of a KMS master secret, and what a compromised device or KMS hands over. Every message is built
 * with the module's own encoders and injected. What the adversary holds (struct ibc_adversary) is
 * defined here only: the entities see an opaque pointer and cannot read it. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim/ibc_sim.h"

/* What the adversary stole: per device, the keys taken at compromise and the KPAK they sign
 * under; per domain, a KMS master key set. */
struct ibc_adversary {
    ibc_keys_t *stolen;                        /* n_dev + 1 entries */
    uint8_t (*stolen_kpak)[ECCSI_POINT_BYTES]; /* n_dev + 1 entries */
    bool has_master[IBC_MAX_KMS];
    ibc_master_t master[IBC_MAX_KMS];
};

ibc_adversary_t *ibc_adversary_new(unsigned n_dev)
{
    ibc_adversary_t *adv = calloc(1, sizeof *adv);
    if (!adv)
        return NULL;
    adv->stolen = calloc(n_dev + 1, sizeof *adv->stolen);
    adv->stolen_kpak = calloc(n_dev + 1, sizeof *adv->stolen_kpak);
    if (!adv->stolen || !adv->stolen_kpak) {
        ibc_adversary_free(adv, n_dev);
        return NULL;
    }
    return adv;
}

void ibc_adversary_free(ibc_adversary_t *adv, unsigned n_dev)
{
    if (!adv)
        return;
    if (adv->stolen)
        OPENSSL_cleanse(adv->stolen, (n_dev + 1) * sizeof *adv->stolen);
    free(adv->stolen);
    free(adv->stolen_kpak);
    OPENSSL_cleanse(adv, sizeof *adv);
    free(adv);
}

/* A count or index parameter (declared SG17_TYPE_COUNT, so validation keeps it in
 * 0..SG17_COUNT_MAX), or dflt when absent. Every such parameter is read here: the clamp keeps
 * anything else (a negative, NaN, a huge number) from reaching a conversion to unsigned. */
static unsigned count_param(sg17_ctx_t *ctx, const sg17_params_t *p, const char *name,
                            unsigned dflt)
{
    double v = sg17_param_number(ctx, p, name, dflt);
    if (!(v >= 0)) /* negative or NaN */
        return 0;
    return v > (double)SG17_COUNT_MAX ? (unsigned)SG17_COUNT_MAX : (unsigned)v;
}

/* The index of a `kind` entity (n of them in this run) that parameter `name` names, or -1 after a
 * log naming the parameter (the host prefixes the attack's name). */
static int index_param(sg17_ctx_t *ctx, const sg17_params_t *p, const char *name, unsigned dflt,
                       const char *kind, unsigned n)
{
    unsigned i = count_param(ctx, p, name, dflt);
    if (i >= n) {
        sg17_log(ctx,
                 "parameter '%s' is %u, out of range: the topology has %u %s entities (%s-0 .. "
                 "%s-%u)",
                 name, i, n, kind, kind, kind, n ? n - 1 : 0);
        return -1;
    }
    return (int)i;
}

static int device_param(ibc_t *s, sg17_ctx_t *ctx, const sg17_params_t *p, const char *name,
                        unsigned dflt)
{
    return index_param(ctx, p, name, dflt, "device", s->n_dev);
}

/* Injects a D.1 message claiming device `as`, built with `keys` (identity and private keys the
 * adversary holds) under kpak, then application data under the session key it thereby knows. */
static int inject_d1(ibc_t *s, sg17_ctx_t *ctx, unsigned as, const ibc_keys_t *keys,
                     const uint8_t kpak[ECCSI_POINT_BYTES], uint8_t kms)
{
    static const uint8_t no_challenge[IBC_NONCE_BYTES] = {0};
    int64_t p = ibc_period(s, sg17_now(ctx));
    uint8_t out[IBC_D1_MAX], skey[IBC_SKEY_BYTES], app[IBC_APP_BYTES], data[IBC_APP_PLAIN] = {0};
    /* the gateway's Z for this period is public (C.3): the adversary looks it up like anyone */
    const ibc_master_t *gm = ibc_kms_master(s, 0, p);
    size_t n = ibc_d1_build(s, ctx, keys, kpak, kms, gm->zpub, p, no_challenge, out, skey);
    if (!n) {
        sg17_log(ctx, "could not build the adversary's D.1 message");
        return -1;
    }
    sg17_inject(ctx, s->dev[as].e, s->gw.e, "ibc.d1_auth", out, n);
    memcpy(data, "forged reading", 14);
    if (ibc_app_encode(skey, 1, data, app) == 0)
        sg17_inject(ctx, s->dev[as].e, s->gw.e, "ibc.app_data", app, sizeof app);
    OPENSSL_cleanse(skey, sizeof skey);
    sg17_metric_add(ctx, "attacker.d1_injected", 1);
    return 0;
}

/* A key pair for id under a master key set the adversary made up or stole. */
static int keys_for(ibc_t *s, const ibc_master_t *mk, const uint8_t *id, size_t id_len,
                    sg17_ctx_t *ctx, ibc_keys_t *k)
{
    memset(k, 0, sizeof *k);
    return ibc_kms_issue(s, mk, id, id_len, ctx, k);
}

/* forge_signature: D.1 messages in a device's current identity, signed with a key pair issued by
 * the adversary's own master secret ("random key", invalid under the real KPAK) or, with `with:
 * master`, by the domain's stolen master secret. */
int ibc_attack_forge_signature(ibc_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    int dev = device_param(s, ctx, p, "device", 0);
    unsigned count = count_param(ctx, p, "count", 1);
    const char *with = sg17_param(ctx, p, "with");
    bool use_master = with && strcmp(with, "master") == 0;
    if (dev < 0)
        return -1;
    unsigned kms = s->dev[dev].kms;
    if (use_master && !s->adv->has_master[kms]) {
        sg17_log(ctx, "forge_signature with master: kms-%u's master secret was not stolen first",
                 kms);
        return -1;
    }
    ibc_master_t mk;
    if (use_master) {
        mk = s->adv->master[kms];
    } else if (ibc_kms_draw_master(ctx, 0, &mk) != 0) {
        OPENSSL_cleanse(&mk, sizeof mk);
        return -1;
    }
    int64_t per = ibc_period(s, sg17_now(ctx));
    ibc_keys_t k;
    uint8_t id[IBC_MAX_ID];
    size_t id_len = ibc_identity(s, per, "device", (unsigned)dev, id);
    int rc = keys_for(s, &mk, id, id_len, ctx, &k);
    for (unsigned i = 0; rc == 0 && i < count; i++)
        rc = inject_d1(s, ctx, (unsigned)dev, &k, mk.kpak, (uint8_t)kms);
    OPENSSL_cleanse(&k, sizeof k);
    OPENSSL_cleanse(&mk, sizeof mk);
    return rc;
}

/* Injects `count` D.1 messages claiming device `as`, signed with the keys the adversary took from
 * device `key_of` when it compromised it. */
static int inject_with_stolen(ibc_t *s, sg17_ctx_t *ctx, const char *attack, unsigned as,
                              unsigned key_of, unsigned count)
{
    const ibc_keys_t *k = &s->adv->stolen[key_of];
    if (!k->valid) {
        sg17_log(ctx, "%s: the adversary holds no keys of device-%u (compromise it first)", attack,
                 key_of);
        return -1;
    }
    for (unsigned i = 0; i < count; i++)
        if (inject_d1(s, ctx, as, k, s->adv->stolen_kpak[key_of], (uint8_t)s->dev[key_of].kms) != 0)
            return -1;
    return 0;
}

/* substitute_identity: claim device `as` while signing as device `key_of`, whose keys the adversary
 * took when it compromised it (a valid signature, but for another identity). */
int ibc_attack_substitute_identity(ibc_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    int as = device_param(s, ctx, p, "as", 0);
    int key_of = as < 0 ? -1 : device_param(s, ctx, p, "key_of", 1);
    unsigned count = count_param(ctx, p, "count", 1);
    if (as < 0 || key_of < 0)
        return -1;
    return inject_with_stolen(s, ctx, "substitute_identity", (unsigned)as, (unsigned)key_of, count);
}

/* use_revoked_identity: after roll-over, keep authenticating with the keys of the period in which
 * the device was compromised (its KMS refuses it new ones). */
int ibc_attack_use_revoked_identity(ibc_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    int dev = device_param(s, ctx, p, "device", 0);
    unsigned count = count_param(ctx, p, "count", 1);
    if (dev < 0)
        return -1;
    return inject_with_stolen(s, ctx, "use_revoked_identity", (unsigned)dev, (unsigned)dev, count);
}

/* rogue_kms_keys / invalid_point: a key delivery for the device's current period pushed by a rogue
 * KMS that holds the device's transport key (an insider of the enrolment database) but not the
 * master secret. rogue_kms_keys: well-formed points that do not match the identity (a random SSK,
 * or an RSK of order q for no identity); invalid_point: an off-curve PVT or an RSK of order 2. */
static int rogue_keys(ibc_t *s, sg17_ctx_t *ctx, const sg17_params_t *p, bool invalid)
{
    int dev = device_param(s, ctx, p, "device", 0);
    const char *what = sg17_param(ctx, p, invalid ? "point" : "key");
    if (dev < 0)
        return -1;
    int64_t per = ibc_period(s, sg17_now(ctx));
    ibc_keys_t k;
    ibc_master_t mk;
    uint8_t id[IBC_MAX_ID], iv[12], out[IBC_KEY_DELIVERY_BYTES];
    size_t id_len = ibc_identity(s, per, "device", (unsigned)dev, id);
    int rc = -1;
    /* start from a consistent set under a master the rogue made up, then break it as asked */
    if (ibc_kms_draw_master(ctx, 0, &mk) != 0 || keys_for(s, &mk, id, id_len, ctx, &k) != 0)
        goto done;
    if (invalid && what && strcmp(what, "rsk") == 0) {
        memset(k.rsk, 0, sizeof k.rsk); /* (0, 0): on y^2 = x^3 - 3x, of order 2 */
        k.rsk[0] = 0x04;
    } else if (invalid) {
        k.pvt[ECCSI_POINT_BYTES - 1] ^= 0x01; /* Y changed: off the curve */
    } else if (what && strcmp(what, "rsk") == 0) {
        /* the RSK of another identity: a point of order q, but not this identity's key */
        uint8_t other[IBC_MAX_ID];
        size_t other_len = ibc_identity(s, per + 7, "device", (unsigned)dev, other);
        if (sakke_kms_rsk(mk.z, IBC_MASTER_Z, other, other_len, k.rsk) != 0)
            goto done;
    } /* default (key: ssk): the rogue master's SSK/PVT, consistent only with the rogue KPAK */
    sg17_rand_bytes(ctx, iv, sizeof iv);
    rc = ibc_key_delivery_encode(s->dev[dev].tkey, (uint16_t)dev, per, iv, &k, out);
    if (rc == 0)
        sg17_inject(ctx, s->kms[s->dev[dev].kms].e, s->dev[dev].e, "ibc.key_delivery", out,
                    sizeof out);
done:
    OPENSSL_cleanse(&k, sizeof k);
    OPENSSL_cleanse(&mk, sizeof mk);
    return rc;
}

/* rogue_params: a C.3 answer carrying the adversary's own KPAK and Z for domain `kms`, signed with
 * the adversary's own ECDSA key, sent to `target`; then `forge` D.1 messages (devices 0, 1, ... of
 * that domain) signed with keys the rogue master issues. */
int ibc_attack_rogue_params(ibc_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    int k_idx = index_param(ctx, p, "kms", 0, "kms", s->n_kms);
    unsigned forge = count_param(ctx, p, "forge", 3);
    const char *target = sg17_param(ctx, p, "target");
    sg17_entity_t dst = s->gw.e;
    if (k_idx < 0)
        return -1;
    unsigned kms = (unsigned)k_idx;
    if (target) {
        char kind[32];
        unsigned idx;
        if (sscanf(target, "%31[a-z]-%u", kind, &idx) != 2
            || (dst = sg17_entity(ctx, kind, idx)) == SG17_NO_ENTITY) {
            sg17_log(ctx, "rogue_params: unknown target %s", target);
            return -1;
        }
    }
    int64_t per = ibc_period(s, sg17_now(ctx));
    ibc_master_t mk;
    uint8_t root[32], out[IBC_PARAMS_MAX];
    size_t len;
    sg17_rand_bytes(ctx, root, sizeof root);
    root[0] &= 0x7f, root[31] |= 1;
    int rc = ibc_kms_draw_master(ctx, 0, &mk);
    if (rc == 0
        && (rc = ibc_params_encode(root, (uint8_t)kms, per, mk.kpak, mk.zpub, out, &len)) == 0)
        sg17_inject(ctx, s->kms[kms].e, dst, "ibc.params", out, len);
    for (unsigned i = 0, dev = 0; rc == 0 && i < forge && dev < s->n_dev; dev++) {
        if (s->dev[dev].kms != kms)
            continue;
        ibc_keys_t k;
        uint8_t id[IBC_MAX_ID];
        size_t id_len = ibc_identity(s, per, "device", dev, id);
        rc = keys_for(s, &mk, id, id_len, ctx, &k);
        if (rc == 0)
            rc = inject_d1(s, ctx, dev, &k, mk.kpak, (uint8_t)kms);
        OPENSSL_cleanse(&k, sizeof k);
        i++;
    }
    OPENSSL_cleanse(root, sizeof root);
    OPENSSL_cleanse(&mk, sizeof mk);
    return rc;
}

/* kms_master_compromise: the adversary copies the KMS's current master secrets (KSAK, z). With
 * forge (default true) it then authenticates as every device of the domain; with a capture of D.1
 * messages it derives the gateway's RSK from z and decapsulates them (session keys recovered). */
int ibc_attack_kms_master_compromise(ibc_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    int k_idx = index_param(ctx, p, "kms", 0, "kms", s->n_kms);
    const char *forge = sg17_param(ctx, p, "forge");
    if (k_idx < 0)
        return -1;
    unsigned kms = (unsigned)k_idx;
    int64_t per = ibc_period(s, sg17_now(ctx));
    s->adv->master[kms] = *ibc_kms_master(s, kms, per);
    s->adv->has_master[kms] = true;
    if (kms == 0 && sg17_captured_count(ctx, p)) {
        uint8_t gw_id[IBC_MAX_ID], rsk[SAKKE_POINT_BYTES], ssv[SAKKE_SSV_BYTES];
        size_t gw_len = ibc_identity(s, per, "gateway", 0, gw_id);
        sakke_receiver_t *r = NULL;
        if (sakke_kms_rsk(s->adv->master[0].z, IBC_MASTER_Z, gw_id, gw_len, rsk) == 0)
            r = sakke_receiver_new(s->adv->master[0].zpub, SAKKE_POINT_BYTES, gw_id, gw_len, rsk,
                                   sizeof rsk);
        for (size_t i = 0; r && i < sg17_captured_count(ctx, p); i++) {
            const sg17_msg_t *c = sg17_captured(ctx, p, i);
            ibc_d1_t d1;
            if (ibc_d1_decode(c->payload, c->len, s->ntp_epoch, s->cfg.d1_signed, &d1) == 0
                && sakke_receiver_decapsulate(r, d1.sed, SAKKE_SED_BYTES, ssv) == 0)
                sg17_metric_add(ctx, "attacker.session_keys_recovered", 1);
        }
        OPENSSL_cleanse(rsk, sizeof rsk);
        OPENSSL_cleanse(ssv, sizeof ssv);
        sakke_receiver_destroy(&r);
    }
    if (forge && strcmp(forge, "false") == 0)
        return 0;
    for (unsigned dev = 0; dev < s->n_dev; dev++) {
        if (s->dev[dev].kms != kms)
            continue;
        ibc_keys_t k;
        uint8_t id[IBC_MAX_ID];
        size_t id_len = ibc_identity(s, per, "device", dev, id);
        int rc = keys_for(s, &s->adv->master[kms], id, id_len, ctx, &k);
        if (rc == 0)
            rc = inject_d1(s, ctx, dev, &k, s->adv->master[kms].kpak, (uint8_t)kms);
        OPENSSL_cleanse(&k, sizeof k);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int ibc_attack_rogue_kms_keys(ibc_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    return rogue_keys(s, ctx, p, false);
}

int ibc_attack_invalid_point(ibc_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    return rogue_keys(s, ctx, p, true);
}

/* A compromised device hands over its current keys (and the adversary notes the public KPAK
 * they were issued under, which it needs to sign with them in later periods); a compromised KMS
 * its master secrets. The entity keeps running: device.c lets a compromised device fall back to
 * its stale keys. */
void ibc_on_compromise(ibc_t *s, sg17_ctx_t *ctx, sg17_entity_t e)
{
    unsigned i = sg17_entity_index(ctx, e);
    const ibc_device_t *d = ibc_device_of(s, ctx, e);
    const ibc_master_t *mk;
    if (d && d->keys.valid) {
        if (!(mk = ibc_kms_master(s, d->kms, d->keys.period)))
            return; /* keys of a period whose master set is gone: useless to sign with */
        s->adv->stolen[i] = d->keys;
        memcpy(s->adv->stolen_kpak[i], mk->kpak, ECCSI_POINT_BYTES);
    } else if (i < s->n_kms && s->kms[i].e == e) {
        s->adv->master[i] = *ibc_kms_master(s, i, ibc_period(s, sg17_now(ctx)));
        s->adv->has_master[i] = true;
    }
}

/* outrun_nonce_cache: `count` D.1 messages in the name of compromised device `device`, each with
 * a fresh nonce and a valid signature under the keys taken from it. A gateway whose replay cache
 * holds fewer nonces than that forgets the nonces of every other device's recent authentications:
 * a capture of one, replayed inside its timestamp window, is then new to the cache. */
int ibc_attack_outrun_nonce_cache(ibc_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    static const uint8_t no_challenge[IBC_NONCE_BYTES] = {0};
    int dev = device_param(s, ctx, p, "device", 0);
    unsigned count = count_param(ctx, p, "count", 1);
    if (dev < 0)
        return -1;
    const ibc_keys_t *k = &s->adv->stolen[dev];
    if (!k->valid) {
        sg17_log(ctx,
                 "outrun_nonce_cache: the adversary holds no keys of device-%d (compromise it "
                 "first)",
                 dev);
        return -1;
    }
    int64_t per = ibc_period(s, sg17_now(ctx));
    const ibc_master_t *gm = ibc_kms_master(s, 0, per); /* the gateway's Z is public (C.3) */
    uint8_t out[IBC_D1_MAX], skey[IBC_SKEY_BYTES];
    int rc = 0;
    for (unsigned i = 0; i < count && rc == 0; i++) {
        size_t n = ibc_d1_build(s, ctx, k, s->adv->stolen_kpak[dev], (uint8_t)s->dev[dev].kms,
                                gm->zpub, per, no_challenge, out, skey);
        if (!n) {
            sg17_log(ctx, "outrun_nonce_cache: could not build a D.1 message with device-%d's keys",
                     dev);
            rc = -1;
            break;
        }
        sg17_inject(ctx, s->dev[dev].e, s->gw.e, "ibc.d1_auth", out, n);
        sg17_metric_add(ctx, "attacker.d1_injected", 1);
    }
    OPENSSL_cleanse(skey, sizeof skey);
    return rc;
}

/* malleated_replay: every captured signed D.1 message sent again to its receiver in its claimed
 * sender's name, byte for byte except the ECCSI s, replaced by q - s. The signature still verifies
 * (RFC 6507 §5.2.2 checks only the x-coordinate of J, and s -> q - s turns J into -J), so a
 * receiver that recognised messages by their signature octets would take it for a new one. */
int ibc_attack_malleated_replay(ibc_t *s, sg17_ctx_t *ctx, const sg17_params_t *p)
{
    size_t n = sg17_captured_count(ctx, p), done = 0;
    if (!s->cfg.d1_signed) {
        sg17_log(ctx, "malleated_replay: D.1 messages are unsigned in this run (d1_signed false)");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const sg17_msg_t *c = sg17_captured(ctx, p, i);
        uint8_t out[IBC_D1_MAX];
        ibc_d1_t d1;
        if (!c || strcmp(c->type, "ibc.d1_auth") != 0 || c->len > sizeof out
            || ibc_d1_decode(c->payload, c->len, s->ntp_epoch, true, &d1) != 0)
            continue;
        memcpy(out, c->payload, c->len);
        if (eccsi_sig_negate(d1.sig, out + d1.signed_len) != 0)
            continue;
        sg17_inject(ctx, c->claimed_src, c->dst, c->type, out, c->len);
        sg17_metric_add(ctx, "attacker.d1_malleated", 1);
        done++;
    }
    if (done == 0) {
        sg17_log(ctx, "malleated_replay: the capture holds no signed D.1 message (%zu captured)",
                 n);
        return -1;
    }
    return 0;
}
