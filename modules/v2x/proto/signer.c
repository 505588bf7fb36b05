/* signer.c — a prepared SPDU signer: what is per key and per certificate (the private scalar, the
 * curve, H(signer certificate) and its HashedId8) computed once, and one ECDSA signature per
 * message whose nonce point R comes out whole, so that the compressed R an SPDU carries costs no
 * second scalar multiplication.
 *
 * Why the signature is computed here on EC_POINT/BIGNUM rather than through EVP_PKEY_sign:
 * OpenSSL's ECDSA returns (r, s) only, and the y parity of R that IEEE 1609.2 compressed R needs
 * is then recoverable only by recomputing R = k G from k = s^-1 (e + r d) — a second fixed-base
 * multiplication, the cost of a second signature. Here the nonce k is drawn from OpenSSL's
 * private DRBG (BN_priv_rand_range_ex), R = k G by EC_POINT_mul (the same constant-time
 * fixed-base path OpenSSL's own ECDSA signing uses), k^-1 by a constant-time Fermat
 * exponentiation (BN_mod_exp_mont_consttime, as OpenSSL's generic curves do), and
 * s = k^-1 (e + r d) mod n with the secret BIGNUMs flagged BN_FLG_CONSTTIME; every secret is
 * cleared before it is released. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include "internal.h"

typedef struct {
    uint8_t kinv[V2X_MAX_FIELD];    /* k^-1 mod n */
    uint8_t r_point[V2X_MAX_POINT]; /* R = k G, compressed */
} nonce_t;

struct v2x_signer {
    v2x_curve_t curve;
    v2x_hash_t hash;
    const EC_GROUP *group; /* process-wide */
    BIGNUM *d;             /* private scalar (secure heap, constant-time flag) */
    uint8_t cert_hash[V2X_MAX_HASH];
    uint8_t cert[V2X_CERT_MAX];
    size_t cert_len; /* 0: self signer */
    BN_CTX *bn;
    /* nonces prepared ahead, used once each (secret: cleansed when used and on destroy);
     * allocated on the first signature, so that a pool's idle ATs do not carry them */
    unsigned batch, n_ready;
    nonce_t *nonce;
};

v2x_signer_t *v2x_signer_new(const EVP_PKEY *key, const uint8_t *cert, size_t cert_len, int *err)
{
    int rc = V2X_EARG;
    v2x_signer_t *sg = NULL;
    v2x_curve_t c = v2x_key_curve(key);
    if (c == V2X_CURVE_NONE || (!cert && cert_len) || cert_len > V2X_CERT_MAX)
        goto fail;
    if (cert) {
        v2x_cert_view_t v;
        rc = v2x_cert_decode(cert, cert_len, &v);
        if (rc != V2X_OK)
            goto fail;
        rc = V2X_EARG;
        if (v.curve != c)
            goto fail;
    }
    rc = V2X_ECRYPTO;
    sg = calloc(1, sizeof *sg);
    if (!sg)
        goto fail;
    sg->curve = c;
    sg->hash = v2x_curve_hash(c);
    sg->batch = V2X_SIGNER_BATCH;
    sg->group = v2x_curve_group_shared(c);
    sg->bn = BN_CTX_secure_new();
    if (!sg->group || !sg->bn
        || EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &sg->d) != 1) {
        rc = V2X_EARG; /* no private part */
        goto fail;
    }
    BN_set_flags(sg->d, BN_FLG_CONSTTIME);
    if (cert) {
        memcpy(sg->cert, cert, cert_len);
        sg->cert_len = cert_len;
    }
    /* the signer identifier's hash: H(certificate), or H("") for a self signer (§5.3.1) */
    if (v2x_hash(sg->hash, cert ? cert : (const uint8_t *)"", cert_len, sg->cert_hash) != V2X_OK)
        goto fail;
    return sg;
fail:
    v2x_signer_destroy(&sg);
    if (err)
        *err = rc;
    return NULL;
}

void v2x_signer_destroy(v2x_signer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    v2x_signer_t *sg = *self_p;
    BN_clear_free(sg->d);
    BN_CTX_free(sg->bn);
    if (sg->nonce) {
        OPENSSL_cleanse(sg->nonce, V2X_SIGNER_BATCH * sizeof *sg->nonce);
        free(sg->nonce);
    }
    OPENSSL_cleanse(sg, sizeof *sg);
    free(sg);
    *self_p = NULL;
}

const uint8_t *v2x_signer_cert_hash(const v2x_signer_t *sg)
{
    return sg->cert_hash;
}

v2x_curve_t v2x_signer_curve(const v2x_signer_t *sg)
{
    return sg->curve;
}

const uint8_t *v2x_signer_cert(const v2x_signer_t *sg, size_t *len)
{
    *len = sg->cert_len;
    return sg->cert_len ? sg->cert : NULL;
}

void v2x_signer_one_shot(v2x_signer_t *sg)
{
    sg->batch = 1;
}

/* Prepares sg->batch nonces: k_i random, R_i = k_i G, and every k_i^-1 from one inversion
 * (Montgomery's trick: prefix products c_i = k_0 .. k_i, one blinded inverse of the last, then
 * k_i^-1 = c_(i-1) (c_i)^-1 and (c_(i-1))^-1 = k_i (c_i)^-1 going back). */
static int refill(v2x_signer_t *sg)
{
    const EC_GROUP *g = sg->group;
    const BIGNUM *order = EC_GROUP_get0_order(g);
    size_t n = v2x_curve_size(sg->curve);
    unsigned m = sg->batch;
    BN_CTX *bn = sg->bn;
    EC_POINT *R = EC_POINT_new(g);
    BIGNUM *k[V2X_SIGNER_BATCH] = {NULL}, *c[V2X_SIGNER_BATCH] = {NULL};
    int rc = V2X_ECRYPTO;
    if (m == 0 || m > V2X_SIGNER_BATCH) {
        EC_POINT_free(R);
        return V2X_EARG;
    }
    if (!sg->nonce)
        sg->nonce = calloc(V2X_SIGNER_BATCH, sizeof *sg->nonce);
    if (!R || !sg->nonce) {
        EC_POINT_free(R);
        return rc;
    }
    BN_CTX_start(bn);
    BIGNUM *x = BN_CTX_get(bn), *y = BN_CTX_get(bn), *inv = BN_CTX_get(bn);
    BIGNUM *b = BN_CTX_get(bn), *t = BN_CTX_get(bn);
    bool ok = t != NULL;
    for (unsigned i = 0; i < m; i++) {
        k[i] = BN_CTX_get(bn), c[i] = BN_CTX_get(bn);
        ok = ok && c[i];
    }
    if (!ok)
        goto end;
    BN_set_flags(inv, BN_FLG_CONSTTIME);
    BN_set_flags(t, BN_FLG_CONSTTIME);
    for (unsigned i = 0; i < m; i++) {
        BN_set_flags(k[i], BN_FLG_CONSTTIME);
        BN_set_flags(c[i], BN_FLG_CONSTTIME);
        do {
            if (BN_priv_rand_range_ex(k[i], order, 0, bn) != 1
                || EC_POINT_mul(g, R, k[i], NULL, NULL, bn) != 1
                || EC_POINT_get_affine_coordinates(g, R, x, y, bn) != 1
                || !BN_nnmod(t, x, order, bn))
                goto end;
        } while (BN_is_zero(k[i]) || BN_is_zero(t)); /* r = x mod n must not be 0 */
        if (BN_bn2binpad(x, sg->nonce[i].r_point + 1, (int)n) != (int)n)
            goto end;
        sg->nonce[i].r_point[0] = BN_is_odd(y) ? 0x03 : 0x02;
        if (!(i == 0 ? BN_copy(c[0], k[0]) != NULL : BN_mod_mul(c[i], c[i - 1], k[i], order, bn)))
            goto end;
    }
    /* (c_(m-1))^-1 = b (c_(m-1) b)^-1: the exponentiation sees a uniformly random value */
    do {
        if (BN_priv_rand_range_ex(b, order, 0, bn) != 1)
            goto end;
    } while (BN_is_zero(b));
    if (!BN_mod_mul(t, c[m - 1], b, order, bn) || !v2x_inverse_mod_order(g, inv, t, bn)
        || !BN_mod_mul(inv, inv, b, order, bn))
        goto end;
    for (unsigned i = m - 1; i > 0; i--) {
        if (!BN_mod_mul(t, inv, c[i - 1], order, bn) || !BN_mod_mul(inv, inv, k[i], order, bn)
            || BN_bn2binpad(t, sg->nonce[i].kinv, (int)n) != (int)n)
            goto end;
    }
    if (BN_bn2binpad(inv, sg->nonce[0].kinv, (int)n) != (int)n)
        goto end;
    sg->n_ready = m;
    rc = V2X_OK;
end:
    if (rc != V2X_OK)
        OPENSSL_cleanse(sg->nonce, V2X_SIGNER_BATCH * sizeof *sg->nonce);
    for (unsigned i = 0; ok && i < m; i++) {
        BN_clear(k[i]);
        BN_clear(c[i]);
    }
    BN_clear(inv);
    BN_clear(b);
    BN_clear(t);
    BN_CTX_end(bn);
    EC_POINT_clear_free(R);
    return rc;
}

/* One ECDSA signature over dgst with a prepared nonce: r_point = R compressed, s = k^-1 (e + r d)
 * mod n with r = x(R) mod n. */
static int sign_digest(v2x_signer_t *sg, const uint8_t *dgst, uint8_t *r_point, uint8_t *s)
{
    const BIGNUM *order = EC_GROUP_get0_order(sg->group);
    size_t n = v2x_curve_size(sg->curve);
    BN_CTX *bn = sg->bn;
    int rc = V2X_ECRYPTO;
    BN_CTX_start(bn);
    BIGNUM *kinv = BN_CTX_get(bn), *r = BN_CTX_get(bn), *e = BN_CTX_get(bn), *t = BN_CTX_get(bn);
    if (!t || !BN_bin2bn(dgst, (int)n, e))
        goto end;
    BN_set_flags(kinv, BN_FLG_CONSTTIME);
    BN_set_flags(t, BN_FLG_CONSTTIME);
    for (int tries = 0; tries < 16; tries++) {
        if (sg->n_ready == 0 && refill(sg) != V2X_OK)
            goto end;
        unsigned i = --sg->n_ready;
        int ok = BN_bin2bn(sg->nonce[i].kinv, (int)n, kinv) != NULL
                 && BN_bin2bn(sg->nonce[i].r_point + 1, (int)n, r) != NULL
                 && BN_nnmod(r, r, order, bn) && BN_mod_mul(t, r, sg->d, order, bn)
                 && BN_mod_add(t, t, e, order, bn) && BN_mod_mul(t, t, kinv, order, bn);
        memcpy(r_point, sg->nonce[i].r_point, 1 + n);
        OPENSSL_cleanse(&sg->nonce[i], sizeof sg->nonce[i]);
        if (!ok)
            goto end;
        if (BN_is_zero(t))
            continue; /* s = 0: another nonce */
        if (BN_bn2binpad(t, s, (int)n) != (int)n)
            goto end;
        rc = V2X_OK;
        break;
    }
end:
    BN_clear(kinv);
    BN_clear(t);
    BN_CTX_end(bn);
    return rc;
}

int v2x_signer_sign_input(v2x_signer_t *sg, const uint8_t *tbs, size_t tbs_len, uint8_t *r_point,
                          uint8_t *s)
{
    uint8_t dgst[V2X_MAX_HASH];
    if (!sg || (!tbs && tbs_len))
        return V2X_EARG;
    int rc = v2x_signature_digest(sg->hash, tbs, tbs_len, sg->cert_hash, dgst);
    return rc == V2X_OK ? sign_digest(sg, dgst, r_point, s) : rc;
}
