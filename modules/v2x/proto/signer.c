/* signer.c — a prepared SPDU signer: what is per key and per certificate (an EVP_PKEY_CTX
 * initialised for signing, the public point, the curve, H(signer certificate)) is computed once;
 * each message costs one OpenSSL ECDSA signature and the recovery of R's y parity.
 *
 * The signature is OpenSSL's (EVP_PKEY_sign over the 1609.2 digest); nothing secret is computed
 * here. OpenSSL returns (r, s) only, and the compressed R an ETSI TS 103 097 SPDU carries needs
 * R's y parity: it is recovered from public values, as a verifier does, R = (e/s) G + (r/s) Q
 * (EC_POINT_mul, one double-scalar multiplication), and R's x is taken from that point (x(R)
 * can exceed the order, where r = x(R) mod n). This costs about one verification per signature:
 * the price of carrying R compressed through an API that does not expose it. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "internal.h"

struct v2x_signer {
    v2x_curve_t curve;
    v2x_hash_t hash;
    const EC_GROUP *group; /* process-wide */
    EVP_PKEY_CTX *sign;    /* EVP_PKEY_sign_init done */
    EC_POINT *q;           /* the public point */
    BN_CTX *bn;
    uint8_t cert_hash[V2X_MAX_HASH];
    uint8_t cert[V2X_CERT_MAX];
    size_t cert_len; /* 0: self signer */
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
    sg->group = v2x_curve_group_shared(c);
    sg->bn = BN_CTX_new();
    BIGNUM *d = NULL;                   /* only to learn that the key has a private part */
    uint8_t pub[1 + 2 * V2X_MAX_FIELD]; /* compressed or not, as the key holds it */
    size_t pub_len = 0;
    int has_private = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1;
    BN_clear_free(d);
    if (!has_private) {
        rc = V2X_EARG; /* no private part */
        goto fail;
    }
    if (!sg->group || !sg->bn || !(sg->q = EC_POINT_new(sg->group))
        || EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &pub_len)
               != 1
        || EC_POINT_oct2point(sg->group, sg->q, pub, pub_len, sg->bn) != 1
        || !(sg->sign = EVP_PKEY_CTX_new_from_pkey(NULL, (EVP_PKEY *)key, NULL))
        || EVP_PKEY_sign_init(sg->sign) != 1)
        goto fail;
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
    EVP_PKEY_CTX_free(sg->sign);
    EC_POINT_free(sg->q);
    BN_CTX_free(sg->bn);
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

/* OpenSSL's ECDSA signature over dgst, and R compressed: r_point = R (parity recovered from
 * public values, see the top of the file), s. */
static int sign_digest(v2x_signer_t *sg, const uint8_t *dgst, uint8_t *r_point, uint8_t *s)
{
    const EC_GROUP *g = sg->group;
    const BIGNUM *order = EC_GROUP_get0_order(g);
    size_t n = v2x_curve_size(sg->curve), dlen = v2x_hash_size(sg->hash);
    uint8_t der[16 + 2 * (V2X_MAX_FIELD + 3)];
    size_t der_len = sizeof der;
    if (EVP_PKEY_sign(sg->sign, der, &der_len, dgst, dlen) != 1)
        return V2X_ECRYPTO;
    const uint8_t *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (!sig)
        return V2X_ECRYPTO;
    const BIGNUM *r = ECDSA_SIG_get0_r(sig), *sb = ECDSA_SIG_get0_s(sig);
    int rc = V2X_ECRYPTO;
    BN_CTX *bn = sg->bn;
    EC_POINT *R = EC_POINT_new(g);
    BN_CTX_start(bn);
    BIGNUM *e = BN_CTX_get(bn), *w = BN_CTX_get(bn), *u1 = BN_CTX_get(bn);
    BIGNUM *u2 = BN_CTX_get(bn), *x = BN_CTX_get(bn), *y = BN_CTX_get(bn), *xr = BN_CTX_get(bn);
    if (R && xr && BN_bin2bn(dgst, (int)(dlen < n ? dlen : n), e)
        && BN_mod_inverse(w, sb, order, bn) && BN_mod_mul(u1, e, w, order, bn)
        && BN_mod_mul(u2, r, w, order, bn) && EC_POINT_mul(g, R, u1, sg->q, u2, bn) == 1
        && EC_POINT_get_affine_coordinates(g, R, x, y, bn) == 1 && BN_nnmod(xr, x, order, bn)
        && BN_cmp(xr, r) == 0 && BN_bn2binpad(x, r_point + 1, (int)n) == (int)n
        && BN_bn2binpad(sb, s, (int)n) == (int)n) {
        r_point[0] = BN_is_odd(y) ? 0x03 : 0x02;
        rc = V2X_OK;
    }
    BN_CTX_end(bn);
    EC_POINT_free(R);
    ECDSA_SIG_free(sig);
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
