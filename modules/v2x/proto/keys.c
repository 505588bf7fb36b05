/* keys.c — curves, hashes, EC key pairs and raw ECDSA for the V2X codecs (OpenSSL 3 EVP; points
 * and scalars through EC_POINT/BIGNUM), and the OER forms of points, keys and signatures. */
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <sg17tb/ec.h>

#include "internal.h"

int v2x_curve_nid(v2x_curve_t c)
{
    switch (c) {
    case V2X_CURVE_P256:
        return NID_X9_62_prime256v1;
    case V2X_CURVE_BP256:
        return NID_brainpoolP256r1;
    case V2X_CURVE_BP384:
        return NID_brainpoolP384r1;
    case V2X_CURVE_P384:
        return NID_secp384r1;
    default:
        return NID_undef;
    }
}

const char *v2x_curve_group_name(v2x_curve_t c)
{
    switch (c) {
    case V2X_CURVE_P256:
        return "prime256v1";
    case V2X_CURVE_BP256:
        return "brainpoolP256r1";
    case V2X_CURVE_BP384:
        return "brainpoolP384r1";
    case V2X_CURVE_P384:
        return "secp384r1";
    default:
        return NULL;
    }
}

EC_GROUP *v2x_curve_group(v2x_curve_t c)
{
    int nid = v2x_curve_nid(c);
    return nid == NID_undef ? NULL : EC_GROUP_new_by_curve_name(nid);
}

size_t v2x_curve_size(v2x_curve_t c)
{
    switch (c) {
    case V2X_CURVE_P256:
    case V2X_CURVE_BP256:
        return 32;
    case V2X_CURVE_BP384:
    case V2X_CURVE_P384:
        return 48;
    default:
        return 0;
    }
}

v2x_hash_t v2x_curve_hash(v2x_curve_t c)
{
    return v2x_curve_size(c) == 48 ? V2X_HASH_SHA384 : V2X_HASH_SHA256;
}

size_t v2x_hash_size(v2x_hash_t h)
{
    return h == V2X_HASH_SHA384 ? 48 : 32;
}

/* The digests and groups every message uses, fetched once per process: an implicit fetch per
 * hash (EVP_sha256()) and a group built per signature cost more than the hashing itself.
 * Read-only after the once-initialisation, so shared between threads. */
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;
static EVP_MD *shared_md[2];
static EC_GROUP *shared_group[4];
/* Per curve: the Montgomery form of the group order n and the exponent n - 2, for inverses mod n
 * of public values (Fermat: a^-1 = a^(n-2) mod n, n prime). */
static BN_MONT_CTX *shared_order_mont[4];
static BIGNUM *shared_order_nm2[4];

static void shared_init(void)
{
    shared_md[V2X_HASH_SHA256] = EVP_MD_fetch(NULL, "SHA256", NULL);
    shared_md[V2X_HASH_SHA384] = EVP_MD_fetch(NULL, "SHA384", NULL);
    BN_CTX *bn = BN_CTX_new();
    for (int c = V2X_CURVE_P256; c <= V2X_CURVE_P384; c++) {
        shared_group[c] = v2x_curve_group((v2x_curve_t)c);
        const BIGNUM *order = shared_group[c] ? EC_GROUP_get0_order(shared_group[c]) : NULL;
        BN_MONT_CTX *mont = BN_MONT_CTX_new();
        BIGNUM *nm2 = BN_dup(order);
        if (bn && order && mont && nm2 && BN_MONT_CTX_set(mont, order, bn) == 1
            && BN_sub_word(nm2, 2) == 1) {
            shared_order_mont[c] = mont;
            shared_order_nm2[c] = nm2;
        } else {
            BN_MONT_CTX_free(mont);
            BN_free(nm2);
        }
    }
    BN_CTX_free(bn);
}

int v2x_inverse_mod_order(const EC_GROUP *g, BIGNUM *out, const BIGNUM *a, BN_CTX *bn)
{
    pthread_once(&shared_once, shared_init);
    const BIGNUM *order = EC_GROUP_get0_order(g);
    if (BN_is_zero(a) || BN_cmp(a, order) >= 0)
        return 0;
    for (int c = V2X_CURVE_P256; c <= V2X_CURVE_P384; c++)
        if (g == shared_group[c] && shared_order_mont[c])
            return BN_mod_exp_mont(out, a, shared_order_nm2[c], order, bn, shared_order_mont[c]);
    return 0;
}

const EC_GROUP *v2x_curve_group_shared(v2x_curve_t c)
{
    pthread_once(&shared_once, shared_init);
    return c >= V2X_CURVE_P256 && c <= V2X_CURVE_P384 ? shared_group[c] : NULL;
}

int v2x_hash(v2x_hash_t h, const uint8_t *data, size_t len, uint8_t *out)
{
    pthread_once(&shared_once, shared_init);
    const EVP_MD *md = shared_md[h == V2X_HASH_SHA384 ? 1 : 0];
    if (!md)
        md = h == V2X_HASH_SHA384 ? EVP_sha384() : EVP_sha256();
    return EVP_Digest(data, len, out, NULL, md, NULL) == 1 ? V2X_OK : V2X_ECRYPTO;
}

int v2x_signature_digest(v2x_hash_t h, const uint8_t *tbs, size_t tbs_len,
                         const uint8_t *signer_hash, uint8_t *out)
{
    size_t n = v2x_hash_size(h);
    uint8_t both[2 * V2X_MAX_HASH];
    if (v2x_hash(h, tbs, tbs_len, both) != V2X_OK)
        return V2X_ECRYPTO;
    memcpy(both + n, signer_hash, n);
    return v2x_hash(h, both, 2 * n, out);
}

/* ---- key pairs ---- */

/* The key pair of scalar d (0 < d < n) on curve c; NULL on failure. */
static EVP_PKEY *key_from_bn(v2x_curve_t c, const BIGNUM *d)
{
    uint8_t raw[V2X_MAX_FIELD];
    int n = (int)v2x_curve_size(c);
    EVP_PKEY *k = n > 0 && BN_bn2binpad(d, raw, n) == n
                      ? sg17_ec_key(v2x_curve_group_name(c), raw, (size_t)n, NULL, 0)
                      : NULL;
    OPENSSL_cleanse(raw, sizeof raw);
    return k;
}

EVP_PKEY *v2x_key_generate(v2x_curve_t c)
{
    const char *name = v2x_curve_group_name(c);
    return name ? EVP_EC_gen(name) : NULL;
}

EVP_PKEY *v2x_key_from_private(v2x_curve_t c, const uint8_t *d, size_t d_len)
{
    if (!d || d_len != v2x_curve_size(c))
        return NULL;
    return sg17_ec_key(v2x_curve_group_name(c), d, d_len, NULL, 0);
}

EVP_PKEY *v2x_key_from_seed(v2x_curve_t c, const uint8_t *seed, size_t seed_len)
{
    EC_GROUP *g = v2x_curve_group(c);
    BIGNUM *s = BN_secure_new(), *nm1 = BN_new();
    BN_CTX *bn = BN_CTX_new();
    EVP_PKEY *k = NULL;
    if (g && s && nm1 && bn && seed && seed_len >= 16 && BN_bin2bn(seed, (int)seed_len, s)
        && BN_copy(nm1, EC_GROUP_get0_order(g)) && BN_sub_word(nm1, 1) && BN_nnmod(s, s, nm1, bn)
        && BN_add_word(s, 1))
        k = key_from_bn(c, s);
    BN_CTX_free(bn);
    BN_free(nm1);
    BN_clear_free(s);
    EC_GROUP_free(g);
    return k;
}

EVP_PKEY *v2x_key_from_point(v2x_curve_t c, const uint8_t *point, size_t len)
{
    const char *name = v2x_curve_group_name(c);
    size_t n = v2x_curve_size(c);
    if (!name || !point || !(len == 1 + n || len == 1 + 2 * n))
        return NULL;
    return sg17_ec_key(name, NULL, 0, point, len);
}

v2x_curve_t v2x_key_curve(const EVP_PKEY *key)
{
    char name[64];
    size_t len = 0;
    if (!key
        || EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len)
               != 1)
        return V2X_CURVE_NONE;
    for (int c = V2X_CURVE_P256; c <= V2X_CURVE_P384; c++)
        if (strcmp(name, v2x_curve_group_name((v2x_curve_t)c)) == 0)
            return (v2x_curve_t)c;
    if (strcmp(name, "P-256") == 0 || strcmp(name, "secp256r1") == 0)
        return V2X_CURVE_P256;
    if (strcmp(name, "P-384") == 0)
        return V2X_CURVE_P384;
    return V2X_CURVE_NONE;
}

int v2x_key_public_compressed(const EVP_PKEY *key, uint8_t *out, size_t cap, size_t *out_len)
{
    v2x_curve_t c = v2x_key_curve(key);
    size_t n = v2x_curve_size(c), len = 0;
    uint8_t pub[1 + 2 * V2X_MAX_FIELD];
    if (n == 0)
        return V2X_EARG;
    if (cap < 1 + n)
        return V2X_ESPACE;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &len) != 1)
        return V2X_ECRYPTO;
    if (len == 1 + 2 * n && pub[0] == 0x04) {
        out[0] = (uint8_t)(0x02 | (pub[2 * n] & 1));
        memcpy(out + 1, pub + 1, n);
    } else if (len == 1 + n && (pub[0] == 0x02 || pub[0] == 0x03)) {
        memcpy(out, pub, 1 + n);
    } else {
        return V2X_ECRYPTO;
    }
    *out_len = 1 + n;
    return V2X_OK;
}

int v2x_key_private_bytes(const EVP_PKEY *key, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t n = v2x_curve_size(v2x_key_curve(key));
    BIGNUM *d = NULL;
    if (n == 0)
        return V2X_EARG;
    if (cap < n)
        return V2X_ESPACE;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1)
        return V2X_EARG;
    int ok = BN_bn2binpad(d, out, (int)n) == (int)n;
    BN_clear_free(d);
    if (!ok)
        return V2X_ECRYPTO;
    *out_len = n;
    return V2X_OK;
}

/* ---- ECDSA over a digest ---- */

/* DER INTEGER of a big-endian unsigned value (n octets) into p; returns its length. */
static size_t der_integer(uint8_t *p, const uint8_t *v, size_t n)
{
    while (n > 1 && v[0] == 0) {
        v++;
        n--;
    }
    size_t pad = (v[0] & 0x80) ? 1 : 0;
    p[0] = 0x02;
    p[1] = (uint8_t)(n + pad);
    p[2] = 0;
    memcpy(p + 2 + pad, v, n);
    return 2 + pad + n;
}

int v2x_ecdsa_verify_prepared(EVP_PKEY_CTX *ctx, size_t n, const uint8_t *dgst, size_t dlen,
                              const uint8_t *r, const uint8_t *s)
{
    uint8_t der[8 + 2 * (V2X_MAX_FIELD + 3)];
    if (n == 0 || n > V2X_MAX_FIELD || !ctx)
        return V2X_EARG;
    size_t body = der_integer(der + 3, r, n);
    body += der_integer(der + 3 + body, s, n);
    /* body <= 102 octets: a one-octet long-form length keeps the layout fixed */
    der[0] = 0x30;
    size_t off;
    if (body < 128) {
        der[1] = (uint8_t)body;
        memmove(der + 2, der + 3, body);
        off = 2;
    } else {
        der[1] = 0x81;
        der[2] = (uint8_t)body;
        off = 3;
    }
    return EVP_PKEY_verify(ctx, der, off + body, dgst, dlen) == 1 ? V2X_OK : V2X_ESIGNATURE;
}

int v2x_ecdsa_verify_digest(const EVP_PKEY *key, v2x_curve_t c, const uint8_t *dgst, size_t dlen,
                            const uint8_t *r, const uint8_t *s)
{
    if (v2x_curve_size(c) == 0 || !key)
        return V2X_EARG;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new((EVP_PKEY *)key, NULL);
    int rc = V2X_ECRYPTO;
    if (ctx && EVP_PKEY_verify_init(ctx) == 1)
        rc = v2x_ecdsa_verify_prepared(ctx, v2x_curve_size(c), dgst, dlen, r, s);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

int v2x_ecdsa_verify_r_x(EVP_PKEY_CTX *ctx, const EC_GROUP *g, const uint8_t *dgst, size_t dlen,
                         const uint8_t *r_point, const uint8_t *s)
{
    const BIGNUM *order = EC_GROUP_get0_order(g);
    size_t n = (size_t)BN_num_bytes(order);
    uint8_t nb[V2X_MAX_FIELD], r[V2X_MAX_FIELD];
    if (n > V2X_MAX_FIELD || BN_bn2binpad(order, nb, (int)n) != (int)n)
        return V2X_ECRYPTO;
    memcpy(r, r_point + 1, n);
    if (memcmp(r, nb, n) >= 0) {
        /* x >= n (probability about 2^-128 on these curves): r = x - n, x < p < 2n */
        if (r_point[0] == 0x00)
            return V2X_ESIGNATURE; /* an x-only R is r itself, in [1, n) */
        BIGNUM *x = BN_bin2bn(r, (int)n, NULL);
        int ok = x && BN_sub(x, x, order) && BN_bn2binpad(x, r, (int)n) == (int)n;
        BN_free(x);
        if (!ok)
            return V2X_ECRYPTO;
    }
    return v2x_ecdsa_verify_prepared(ctx, n, dgst, dlen, r, s);
}

/* IEEE 1609.2 §5.3.1 verification with the signature's R: recompute R' = u1 G + u2 Q (w =
 * s^-1, u1 = e w, u2 = r w mod n, e the digest as an integer: digest and order have the same
 * length on every curve here) and compare. An x-only R is the plain ECDSA check x(R') mod n = r;
 * a compressed R must equal R' itself, y parity included, so the signature has exactly one
 * valid encoding. OpenSSL's ECDSA API checks x only, hence EC_POINT_mul with OpenSSL's own
 * scalar multiplication (the same call its ECDSA verification makes). */
int v2x_ecdsa_verify_full(const EC_GROUP *g, const EC_POINT *q, const uint8_t *dgst, size_t dlen,
                          const uint8_t *r_point, const uint8_t *s)
{
    int rc = V2X_ECRYPTO;
    const BIGNUM *order = EC_GROUP_get0_order(g);
    size_t n = (size_t)BN_num_bytes(order);
    BN_CTX *bn = BN_CTX_new();
    EC_POINT *R = EC_POINT_new(g);
    if (!bn || !R)
        goto done;
    BN_CTX_start(bn);
    BIGNUM *e = BN_CTX_get(bn), *x = BN_CTX_get(bn), *sb = BN_CTX_get(bn);
    BIGNUM *w = BN_CTX_get(bn), *u1 = BN_CTX_get(bn), *u2 = BN_CTX_get(bn);
    BIGNUM *rx = BN_CTX_get(bn), *ry = BN_CTX_get(bn), *r = BN_CTX_get(bn);
    if (!r || !BN_bin2bn(dgst, (int)(dlen < n ? dlen : n), e) || !BN_bin2bn(r_point + 1, (int)n, x)
        || !BN_bin2bn(s, (int)n, sb))
        goto end;
    rc = V2X_ESIGNATURE;
    if (BN_is_zero(sb) || BN_cmp(sb, order) >= 0 || BN_is_zero(x))
        goto end;
    if (r_point[0] == 0x00 && BN_cmp(x, order) >= 0)
        goto end;
    rc = V2X_ECRYPTO;
    if (!BN_nnmod(r, x, order, bn) || !v2x_inverse_mod_order(g, w, sb, bn)
        || !BN_mod_mul(u1, e, w, order, bn) || !BN_mod_mul(u2, r, w, order, bn)
        || !EC_POINT_mul(g, R, u1, q, u2, bn))
        goto end;
    rc = V2X_ESIGNATURE;
    if (EC_POINT_is_at_infinity(g, R) || !EC_POINT_get_affine_coordinates(g, R, rx, ry, bn))
        goto end;
    if (r_point[0] == 0x00) {
        if (BN_nnmod(rx, rx, order, bn) && BN_cmp(rx, r) == 0)
            rc = V2X_OK;
    } else if (BN_cmp(rx, x) == 0 && (int)BN_is_odd(ry) == (r_point[0] == 0x03)) {
        rc = V2X_OK;
    }
end:
    BN_CTX_end(bn);
done:
    EC_POINT_free(R);
    BN_CTX_free(bn);
    return rc;
}

/* The key's public point on the process-wide group of curve c (the caller frees the point). */
int v2x_key_ec_point(const EVP_PKEY *key, v2x_curve_t c, const EC_GROUP **g, EC_POINT **q)
{
    uint8_t pub[1 + 2 * V2X_MAX_FIELD];
    size_t len = 0;
    *g = v2x_curve_group_shared(c);
    *q = *g ? EC_POINT_new(*g) : NULL;
    if (*q
        && EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &len) == 1
        && EC_POINT_oct2point(*g, *q, pub, len, NULL) == 1)
        return V2X_OK;
    EC_POINT_free(*q);
    *q = NULL;
    *g = NULL;
    return V2X_ECRYPTO;
}

int v2x_ecdsa_sign_digest(const EVP_PKEY *key, v2x_curve_t c, const uint8_t *dgst, size_t dlen,
                          uint8_t *r, uint8_t *s)
{
    size_t n = v2x_curve_size(c);
    uint8_t der[16 + 2 * (V2X_MAX_FIELD + 3)];
    size_t der_len = sizeof der;
    int rc = V2X_ECRYPTO;
    if (n == 0 || !key)
        return V2X_EARG;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new((EVP_PKEY *)key, NULL);
    if (ctx && EVP_PKEY_sign_init(ctx) == 1 && EVP_PKEY_sign(ctx, der, &der_len, dgst, dlen) == 1) {
        const uint8_t *p = der;
        ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
        const BIGNUM *br = NULL, *bs = NULL;
        if (sig) {
            ECDSA_SIG_get0(sig, &br, &bs);
            if (BN_bn2binpad(br, r, (int)n) == (int)n && BN_bn2binpad(bs, s, (int)n) == (int)n)
                rc = V2X_OK;
            ECDSA_SIG_free(sig);
        }
    }
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

int v2x_sign_input(const EVP_PKEY *key, v2x_curve_t c, const uint8_t *tbs, size_t tbs_len,
                   const uint8_t *signer_hash, uint8_t *r_point, uint8_t *s)
{
    uint8_t dgst[V2X_MAX_HASH];
    v2x_hash_t h = v2x_curve_hash(c);
    int rc = v2x_signature_digest(h, tbs, tbs_len, signer_hash, dgst);
    if (rc != V2X_OK)
        return rc;
    r_point[0] = 0x00; /* x-only */
    return v2x_ecdsa_sign_digest(key, c, dgst, v2x_hash_size(h), r_point + 1, s);
}

/* ---- OER forms ---- */

/* EccP256CurvePoint / EccP384CurvePoint alternatives (IEEE 1609.2 §6.3.23). */
enum { PT_X_ONLY = 0, PT_FILL = 1, PT_COMPRESSED_Y0 = 2, PT_COMPRESSED_Y1 = 3, PT_UNCOMP = 4 };

void v2x_put_point(sg17_writer_t *w, v2x_curve_t c, const uint8_t *point)
{
    size_t n = v2x_curve_size(c);
    if (n == 0 || (point[0] != 0x02 && point[0] != 0x03)) {
        sg17_writer_fail(w);
        return;
    }
    sg17_put_u8(w, OER_TAG(point[0] == 0x02 ? PT_COMPRESSED_Y0 : PT_COMPRESSED_Y1));
    sg17_put_bytes(w, point + 1, n);
}

/* Compresses an uncompressed point read from the wire, checking it is on the curve. */
static int compress_uncompressed(v2x_curve_t c, const uint8_t *xy, uint8_t *point)
{
    size_t n = v2x_curve_size(c);
    uint8_t buf[1 + 2 * V2X_MAX_FIELD];
    buf[0] = 0x04;
    memcpy(buf + 1, xy, 2 * n);
    EC_GROUP *g = v2x_curve_group(c);
    EC_POINT *p = g ? EC_POINT_new(g) : NULL;
    int ok = p && EC_POINT_oct2point(g, p, buf, 1 + 2 * n, NULL) == 1;
    EC_POINT_free(p);
    EC_GROUP_free(g);
    if (!ok)
        return -1;
    point[0] = (uint8_t)(0x02 | (xy[2 * n - 1] & 1));
    memcpy(point + 1, xy, n);
    return 0;
}

void v2x_get_point(sg17_reader_t *r, v2x_curve_t c, uint8_t *point)
{
    size_t n = v2x_curve_size(c);
    int tag = oer_get_tag(r);
    if (!sg17_reader_ok(r))
        return;
    if (tag == PT_COMPRESSED_Y0 || tag == PT_COMPRESSED_Y1) {
        point[0] = tag == PT_COMPRESSED_Y0 ? 0x02 : 0x03;
        sg17_get_copy(r, point + 1, n);
    } else if (tag == PT_UNCOMP) {
        const uint8_t *xy = sg17_get_bytes(r, 2 * n);
        if (xy && compress_uncompressed(c, xy, point) != 0)
            sg17_reader_fail(r);
    } else {
        sg17_reader_fail(r);
    }
}

/* PublicVerificationKey alternatives: ecdsaNistP256 0, ecdsaBrainpoolP256r1 1, then after the
 * extension marker ecdsaBrainpoolP384r1 2, ecdsaNistP384 3 (open types). */
static int key_tag(v2x_curve_t c)
{
    switch (c) {
    case V2X_CURVE_P256:
        return 0;
    case V2X_CURVE_BP256:
        return 1;
    case V2X_CURVE_BP384:
        return 2;
    case V2X_CURVE_P384:
        return 3;
    default:
        return -1;
    }
}

static v2x_curve_t tag_curve(int tag)
{
    switch (tag) {
    case 0:
        return V2X_CURVE_P256;
    case 1:
        return V2X_CURVE_BP256;
    case 2:
        return V2X_CURVE_BP384;
    case 3:
        return V2X_CURVE_P384;
    default:
        return V2X_CURVE_NONE;
    }
}

/* Writes the body produced by put(c, arg) under CHOICE tag `tag`, as an open type when the
 * alternative is an extension (tag >= 2 in these CHOICEs). */
static void put_alternative(sg17_writer_t *w, int tag, bool extension, v2x_curve_t c,
                            const uint8_t *a, const uint8_t *b, bool signature)
{
    sg17_put_u8(w, OER_TAG(tag));
    uint8_t tmp[4 + 2 * V2X_MAX_POINT];
    sg17_writer_t body = sg17_writer(tmp, sizeof tmp);
    sg17_writer_t *t = extension ? &body : w;
    size_t n = v2x_curve_size(c);
    if (signature) {
        if (a[0] == 0x00) {
            sg17_put_u8(t, OER_TAG(PT_X_ONLY));
            sg17_put_bytes(t, a + 1, n);
        } else {
            v2x_put_point(t, c, a);
        }
        sg17_put_bytes(t, b, n);
    } else {
        v2x_put_point(t, c, a);
    }
    if (extension) {
        if (!sg17_writer_ok(&body))
            sg17_writer_fail(w);
        else
            oer_put_octets(w, tmp, body.len);
    }
}

void v2x_put_verification_key(sg17_writer_t *w, v2x_curve_t c, const uint8_t *point)
{
    int tag = key_tag(c);
    if (tag < 0) {
        sg17_writer_fail(w);
        return;
    }
    put_alternative(w, tag, tag >= 2, c, point, NULL, false);
}

/* Reads the open-type wrapper of an extension alternative: returns a sub-reader over its
 * content (the caller checks it is consumed exactly). */
static sg17_reader_t open_type(sg17_reader_t *r)
{
    size_t n;
    const uint8_t *p = oer_get_octets(r, &n);
    sg17_reader_t sub = sg17_reader(p, n);
    if (!p)
        sg17_reader_fail(&sub);
    return sub;
}

void v2x_get_verification_key(sg17_reader_t *r, v2x_curve_t *c, uint8_t *point)
{
    int tag = oer_get_tag(r);
    *c = tag_curve(tag);
    if (*c == V2X_CURVE_NONE) {
        sg17_reader_fail(r);
        return;
    }
    if (tag >= 2) {
        sg17_reader_t sub = open_type(r);
        v2x_get_point(&sub, *c, point);
        if (!sg17_reader_done(&sub))
            sg17_reader_fail(r);
    } else {
        v2x_get_point(r, *c, point);
    }
}

/* Signature alternatives: ecdsaNistP256Signature 0, ecdsaBrainpoolP256r1Signature 1, then
 * extensions ecdsaBrainpoolP384r1Signature 2, ecdsaNistP384Signature 3. */
void v2x_put_signature(sg17_writer_t *w, v2x_curve_t c, const uint8_t *r_point, const uint8_t *s)
{
    int tag = key_tag(c);
    if (tag < 0) {
        sg17_writer_fail(w);
        return;
    }
    put_alternative(w, tag, tag >= 2, c, r_point, s, true);
}

static void get_sig_body(sg17_reader_t *r, v2x_curve_t c, uint8_t *r_point, uint8_t *s,
                         bool compressed_only)
{
    size_t n = v2x_curve_size(c);
    int tag = oer_get_tag(r);
    if (tag == PT_X_ONLY && !compressed_only) {
        r_point[0] = 0x00;
        sg17_get_copy(r, r_point + 1, n);
    } else if (compressed_only && (tag == PT_COMPRESSED_Y0 || tag == PT_COMPRESSED_Y1)) {
        r_point[0] = tag == PT_COMPRESSED_Y0 ? 0x02 : 0x03;
        sg17_get_copy(r, r_point + 1, n);
    } else {
        sg17_reader_fail(r);
    }
    sg17_get_copy(r, s, n);
}

void v2x_get_signature(sg17_reader_t *r, v2x_curve_t *c, uint8_t *r_point, uint8_t *s,
                       bool compressed_only)
{
    int tag = oer_get_tag(r);
    *c = tag_curve(tag);
    if (*c == V2X_CURVE_NONE) {
        sg17_reader_fail(r);
        return;
    }
    if (tag >= 2) {
        sg17_reader_t sub = open_type(r);
        get_sig_body(&sub, *c, r_point, s, compressed_only);
        if (!sg17_reader_done(&sub))
            sg17_reader_fail(r);
    } else {
        get_sig_body(r, *c, r_point, s, compressed_only);
    }
}
