/* eccsi.c — ECCSI (RFC 6507) on P-256: KMS key issue, key-pair validation, sign and verify. */
#include "crypto/eccsi.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "crypto/ibccrypto.h"

/* The P-256 base point G, uncompressed (FIPS 186-4 D.1.2.3); hashed into HS (RFC 6507 §5.1.1). */
static const uint8_t eccsi_g_octets[ECCSI_POINT_BYTES] = {
    0x04, 0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6, 0xE5,
    0x63, 0xA4, 0x40, 0xF2, 0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB, 0x33, 0xA0, 0xF4,
    0xA1, 0x39, 0x45, 0xD8, 0x98, 0xC2, 0x96, 0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A,
    0x7F, 0x9B, 0x8E, 0xE7, 0xEB, 0x4A, 0x7C, 0x0F, 0x9E, 0x16, 0x2B, 0xCE, 0x33,
    0x57, 0x6B, 0x31, 0x5E, 0xCE, 0xCB, 0xB6, 0x40, 0x68, 0x37, 0xBF, 0x51, 0xF5};

/* Shared by signer and verifier: the curve, Montgomery arithmetic modulo q (for products with
 * secret scalars) and a BIGNUM context. */
typedef struct {
    EC_GROUP *group;
    const BIGNUM *q;     /* order of G, borrowed from group */
    BIGNUM *p;           /* field prime */
    BN_MONT_CTX *mont_q; /* modulo q */
    BN_CTX *bn;
} eccsi_curve_t;

struct eccsi_signer {
    eccsi_curve_t c;
    BIGNUM *ssk; /* secret, BN_FLG_CONSTTIME */
    uint8_t kpak[ECCSI_POINT_BYTES];
    uint8_t pvt[ECCSI_POINT_BYTES];
    uint8_t hs[ECCSI_N];
};

struct eccsi_verifier {
    eccsi_curve_t c;
    EC_POINT *kpak;
    uint8_t kpak_octets[ECCSI_POINT_BYTES];
};

static int eccsi_curve_init(eccsi_curve_t *c)
{
    memset(c, 0, sizeof *c);
    c->group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    c->bn = BN_CTX_new();
    c->p = BN_new();
    c->mont_q = BN_MONT_CTX_new();
    if (!c->group || !c->bn || !c->p || !c->mont_q
        || !EC_GROUP_get_curve(c->group, c->p, NULL, NULL, c->bn)
        || !BN_MONT_CTX_set(c->mont_q, EC_GROUP_get0_order(c->group), c->bn)) {
        ibccrypto_set_error("eccsi: cannot set up P-256 (out of memory?)");
        return -1;
    }
    c->q = EC_GROUP_get0_order(c->group);
    return 0;
}

/* r = (a * b) mod q for a, b in [0, q), at least one of them secret: a is brought into the
 * Montgomery domain (a R) and one Montgomery multiplication gives (a R) b / R = a b. OpenSSL's
 * Montgomery multiplication runs the same word operations for any value of full width, where
 * BN_mod_mul (a schoolbook product and a division) depends on the operands' lengths. */
static int eccsi_mul_mod_q(const eccsi_curve_t *c, BIGNUM *r, const BIGNUM *a, const BIGNUM *b)
{
    BN_CTX_start(c->bn);
    BIGNUM *am = BN_CTX_get(c->bn);
    int ok = am != NULL;
    if (ok) {
        BN_set_flags(am, BN_FLG_CONSTTIME);
        ok = BN_to_montgomery(am, a, c->mont_q, c->bn)
             && BN_mod_mul_montgomery(r, am, b, c->mont_q, c->bn);
        BN_clear(am);
    }
    BN_CTX_end(c->bn);
    return ok;
}

static void eccsi_curve_fini(eccsi_curve_t *c)
{
    EC_GROUP_free(c->group);
    BN_CTX_free(c->bn);
    BN_free(c->p);
    BN_MONT_CTX_free(c->mont_q);
    memset(c, 0, sizeof *c);
}

/* Decodes an uncompressed point and checks it (length, 04 prefix, coordinates < p, on the
 * curve, not the point at infinity): the validation RFC 6507 §5.1.2 and §5.2.2 ask for. */
static int eccsi_point_decode(const eccsi_curve_t *c, const uint8_t *buf, size_t len, EC_POINT *pt,
                              const char *what)
{
    if (len != ECCSI_POINT_BYTES || buf[0] != 0x04) {
        ibccrypto_set_error("eccsi: %s is not an uncompressed point of %d octets", what,
                            ECCSI_POINT_BYTES);
        return -1;
    }
    if (!EC_POINT_oct2point(c->group, pt, buf, len, c->bn) || EC_POINT_is_at_infinity(c->group, pt)
        || EC_POINT_is_on_curve(c->group, pt, c->bn) != 1) {
        ibccrypto_set_error("eccsi: %s is not a point of P-256", what);
        return -1;
    }
    return 0;
}

/* Loads a 32-octet scalar and checks it is in [1, q-1]. */
static int eccsi_scalar_load(const eccsi_curve_t *c, BIGNUM *x, const uint8_t in[ECCSI_N],
                             const char *what)
{
    if (!BN_bin2bn(in, ECCSI_N, x)) {
        ibccrypto_set_error("eccsi: out of memory");
        return -1;
    }
    if (BN_is_zero(x) || BN_cmp(x, c->q) >= 0) {
        ibccrypto_set_error("eccsi: %s is not in [1, q-1]", what);
        return -1;
    }
    return 0;
}

static int eccsi_point_encode(const eccsi_curve_t *c, const EC_POINT *pt,
                              uint8_t out[ECCSI_POINT_BYTES])
{
    if (EC_POINT_point2oct(c->group, pt, POINT_CONVERSION_UNCOMPRESSED, out, ECCSI_POINT_BYTES,
                           c->bn)
        != ECCSI_POINT_BYTES) {
        ibccrypto_set_error("eccsi: cannot encode a point");
        return -1;
    }
    return 0;
}

static int eccsi_sha256(const uint8_t *const parts[], const size_t lens[], size_t n,
                        uint8_t out[ECCSI_N])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    for (size_t i = 0; ok && i < n; i++)
        ok = EVP_DigestUpdate(md, parts[i], lens[i]);
    ok = ok && EVP_DigestFinal_ex(md, out, NULL);
    EVP_MD_CTX_free(md);
    if (!ok) {
        ibccrypto_set_error("eccsi: SHA-256 failed");
        return -1;
    }
    return 0;
}

int eccsi_hash_hs(const uint8_t kpak[ECCSI_POINT_BYTES], const uint8_t *id, size_t id_len,
                  const uint8_t pvt[ECCSI_POINT_BYTES], uint8_t hs[ECCSI_N])
{
    const uint8_t *parts[] = {eccsi_g_octets, kpak, id, pvt};
    const size_t lens[] = {ECCSI_POINT_BYTES, ECCSI_POINT_BYTES, id_len, ECCSI_POINT_BYTES};
    return eccsi_sha256(parts, lens, 4, hs);
}

int eccsi_hash_he(const uint8_t hs[ECCSI_N], const uint8_t r[ECCSI_N], const uint8_t *msg,
                  size_t msg_len, uint8_t he[ECCSI_N])
{
    const uint8_t *parts[] = {hs, r, msg};
    const size_t lens[] = {ECCSI_N, ECCSI_N, msg_len};
    return eccsi_sha256(parts, lens, 3, he);
}

int eccsi_point_check(const uint8_t *buf, size_t len)
{
    eccsi_curve_t c;
    int rc = -1;
    if (eccsi_curve_init(&c) == 0) {
        EC_POINT *pt = EC_POINT_new(c.group);
        if (pt)
            rc = eccsi_point_decode(&c, buf, len, pt, "point");
        EC_POINT_free(pt);
    }
    eccsi_curve_fini(&c);
    return rc;
}

int eccsi_kms_kpak(const uint8_t ksak[ECCSI_N], uint8_t kpak[ECCSI_POINT_BYTES])
{
    eccsi_curve_t c;
    int rc = -1;
    BIGNUM *k = BN_secure_new();
    EC_POINT *pt = NULL;
    if (eccsi_curve_init(&c) == 0 && k && (pt = EC_POINT_new(c.group))) {
        BN_set_flags(k, BN_FLG_CONSTTIME);
        /* RFC 6507 §4.2: KPAK = [KSAK]G */
        if (eccsi_scalar_load(&c, k, ksak, "KSAK") == 0
            && EC_POINT_mul(c.group, pt, k, NULL, NULL, c.bn))
            rc = eccsi_point_encode(&c, pt, kpak);
    }
    EC_POINT_free(pt);
    BN_clear_free(k);
    eccsi_curve_fini(&c);
    return rc;
}

/* RFC 6507 §5.1.1 steps 4-5 on decoded values: SSK = (KSAK + HS*v) mod q into s. 1 done; 0 when
 * HS ≡ 0 (mod q) (SSK would be KSAK itself: handing it out would reveal the master secret) or
 * SSK = 0, the two cases the RFC says abort the issue; -1 on an OpenSSL failure. */
static int eccsi_ssk_compute(const eccsi_curve_t *c, BIGNUM *s, const BIGNUM *k, const BIGNUM *vb,
                             const uint8_t hs[ECCSI_N])
{
    BN_CTX_start(c->bn);
    BIGNUM *h = BN_CTX_get(c->bn);
    int rc = -1;
    if (!h || !BN_bin2bn(hs, ECCSI_N, h) || !BN_nnmod(h, h, c->q, c->bn))
        goto done;
    if (BN_is_zero(h)) {
        rc = 0;
        goto done;
    }
    /* v and KSAK are secret: Montgomery product and the masked modular addition */
    if (!eccsi_mul_mod_q(c, s, vb, h) || !BN_mod_add_quick(s, s, k, c->q))
        goto done;
    rc = BN_is_zero(s) ? 0 : 1;
done:
    BN_CTX_end(c->bn);
    return rc;
}

int eccsi_kms_ssk(const uint8_t ksak[ECCSI_N], const uint8_t hs[ECCSI_N], const uint8_t v[ECCSI_N],
                  uint8_t ssk[ECCSI_N])
{
    eccsi_curve_t c;
    int rc = -1;
    ibccrypto_clear_error();
    BIGNUM *k = BN_secure_new(), *vb = BN_secure_new(), *s = BN_secure_new();
    if (eccsi_curve_init(&c) != 0 || !k || !vb || !s)
        goto done;
    BN_set_flags(k, BN_FLG_CONSTTIME);
    BN_set_flags(vb, BN_FLG_CONSTTIME);
    BN_set_flags(s, BN_FLG_CONSTTIME);
    if (eccsi_scalar_load(&c, k, ksak, "KSAK") != 0 || eccsi_scalar_load(&c, vb, v, "v") != 0)
        goto done;
    int got = eccsi_ssk_compute(&c, s, k, vb, hs);
    if (got == 0)
        ibccrypto_set_error("eccsi: HS or SSK is 0 mod q: the issue must abort (RFC 6507 §5.1.1)");
    else if (got == 1 && BN_bn2binpad(s, ssk, ECCSI_N) == ECCSI_N)
        rc = 0;
done:
    if (rc != 0 && !ibccrypto_last_error()[0])
        ibccrypto_set_error("eccsi: key issue failed");
    BN_clear_free(k);
    BN_clear_free(vb);
    BN_clear_free(s);
    eccsi_curve_fini(&c);
    return rc;
}

/* RFC 6507 §5.1.1: PVT = [v]G, HS = hash(G || KPAK || ID || PVT), SSK = (KSAK + HS*v) mod q; a v
 * for which HS or SSK is 0 mod q is discarded (or refused, when the caller chose it). */
int eccsi_kms_issue(const uint8_t ksak[ECCSI_N], const uint8_t *id, size_t id_len,
                    const uint8_t v[ECCSI_N], uint8_t ssk[ECCSI_N], uint8_t pvt[ECCSI_POINT_BYTES],
                    uint8_t hs[ECCSI_N])
{
    eccsi_curve_t c;
    int rc = -1;
    uint8_t kpak[ECCSI_POINT_BYTES], hs_buf[ECCSI_N];
    ibccrypto_clear_error();
    BIGNUM *k = BN_secure_new(), *vb = BN_secure_new(), *s = BN_secure_new();
    EC_POINT *pt = NULL;
    if (eccsi_curve_init(&c) != 0 || !k || !vb || !s || !(pt = EC_POINT_new(c.group)))
        goto done;
    BN_set_flags(k, BN_FLG_CONSTTIME);
    BN_set_flags(vb, BN_FLG_CONSTTIME);
    BN_set_flags(s, BN_FLG_CONSTTIME);
    if (eccsi_scalar_load(&c, k, ksak, "KSAK") != 0
        || !EC_POINT_mul(c.group, pt, k, NULL, NULL, c.bn) || eccsi_point_encode(&c, pt, kpak) != 0)
        goto done;
    for (int attempt = 0; attempt < 8; attempt++) {
        if (v) {
            if (eccsi_scalar_load(&c, vb, v, "v") != 0)
                goto done;
        } else {
            do {
                if (!BN_priv_rand_range(vb, c.q))
                    goto done;
            } while (BN_is_zero(vb));
        }
        int got = -1;
        if (!EC_POINT_mul(c.group, pt, vb, NULL, NULL, c.bn) || eccsi_point_encode(&c, pt, pvt) != 0
            || eccsi_hash_hs(kpak, id, id_len, pvt, hs_buf) != 0
            || (got = eccsi_ssk_compute(&c, s, k, vb, hs_buf)) < 0)
            goto done;
        if (got == 1) {
            if (BN_bn2binpad(s, ssk, ECCSI_N) != ECCSI_N)
                goto done;
            if (hs)
                memcpy(hs, hs_buf, ECCSI_N);
            rc = 0;
            goto done;
        }
        if (v) {
            ibccrypto_set_error("eccsi: this v gives HS or SSK = 0 mod q; choose another v");
            goto done;
        }
    }
done:
    if (rc != 0 && !ibccrypto_last_error()[0])
        ibccrypto_set_error("eccsi: key issue failed");
    EC_POINT_free(pt);
    BN_clear_free(k);
    BN_clear_free(vb);
    BN_clear_free(s);
    eccsi_curve_fini(&c);
    return rc;
}

/* RFC 6507 §5.1.2 on decoded values: [SSK]G == KPAK + [HS]PVT. The secret SSK multiplies G alone
 * (OpenSSL's constant-time path for a single scalar, SSK flagged BN_FLG_CONSTTIME); the public
 * side [HS]PVT + KPAK is computed apart. A two-scalar [SSK]G + [-HS]PVT would take the
 * interleaved variable-time wNAF path on any curve method but the optimised P-256 one. */
static int eccsi_check_pair(const eccsi_curve_t *c, const EC_POINT *kpak, const BIGNUM *ssk,
                            const EC_POINT *pvt, const uint8_t hs[ECCSI_N])
{
    int rc = -1;
    BIGNUM *h = BN_new();
    EC_POINT *t = EC_POINT_new(c->group), *y = EC_POINT_new(c->group);
    /* HS ≡ 0 (mod q) is refused as at issue (§5.1.1): such an SSK would be the KSAK */
    if (h && t && y && BN_bin2bn(hs, ECCSI_N, h) && BN_mod(h, h, c->q, c->bn) && !BN_is_zero(h)
        && EC_POINT_mul(c->group, y, NULL, pvt, h, c->bn)
        && EC_POINT_add(c->group, y, y, kpak, c->bn)
        && EC_POINT_mul(c->group, t, ssk, NULL, NULL, c->bn)
        && EC_POINT_cmp(c->group, t, y, c->bn) == 0)
        rc = 0;
    else
        ibccrypto_set_error("eccsi: SSK/PVT are inconsistent with KPAK and ID (RFC 6507 §5.1.2)");
    EC_POINT_clear_free(t);
    EC_POINT_free(y);
    BN_free(h);
    return rc;
}

eccsi_signer_t *eccsi_signer_new(const uint8_t kpak[ECCSI_POINT_BYTES], const uint8_t *id,
                                 size_t id_len, const uint8_t ssk[ECCSI_N],
                                 const uint8_t pvt[ECCSI_POINT_BYTES])
{
    eccsi_signer_t *self = OPENSSL_zalloc(sizeof *self);
    EC_POINT *k = NULL, *v = NULL;
    if (!self || eccsi_curve_init(&self->c) != 0)
        goto fail;
    self->ssk = BN_secure_new();
    k = EC_POINT_new(self->c.group);
    v = EC_POINT_new(self->c.group);
    if (!self->ssk || !k || !v)
        goto fail;
    BN_set_flags(self->ssk, BN_FLG_CONSTTIME);
    if (eccsi_point_decode(&self->c, kpak, ECCSI_POINT_BYTES, k, "KPAK") != 0
        || eccsi_point_decode(&self->c, pvt, ECCSI_POINT_BYTES, v, "PVT") != 0
        || eccsi_scalar_load(&self->c, self->ssk, ssk, "SSK") != 0
        || eccsi_hash_hs(kpak, id, id_len, pvt, self->hs) != 0
        || eccsi_check_pair(&self->c, k, self->ssk, v, self->hs) != 0)
        goto fail;
    memcpy(self->kpak, kpak, ECCSI_POINT_BYTES);
    memcpy(self->pvt, pvt, ECCSI_POINT_BYTES);
    EC_POINT_free(k);
    EC_POINT_free(v);
    return self;
fail:
    EC_POINT_free(k);
    EC_POINT_free(v);
    eccsi_signer_destroy(&self);
    return NULL;
}

void eccsi_signer_destroy(eccsi_signer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    eccsi_signer_t *self = *self_p;
    BN_clear_free(self->ssk);
    eccsi_curve_fini(&self->c);
    OPENSSL_clear_free(self, sizeof *self);
    *self_p = NULL;
}

int eccsi_validate_ssk(const uint8_t kpak[ECCSI_POINT_BYTES], const uint8_t *id, size_t id_len,
                       const uint8_t ssk[ECCSI_N], const uint8_t pvt[ECCSI_POINT_BYTES])
{
    eccsi_signer_t *s = eccsi_signer_new(kpak, id, id_len, ssk, pvt);
    int rc = s ? 0 : -1;
    eccsi_signer_destroy(&s);
    return rc;
}

/* RFC 6507 §5.2.1. */
int eccsi_signer_sign(eccsi_signer_t *self, const uint8_t *msg, size_t msg_len,
                      const uint8_t j[ECCSI_N], uint8_t sig[ECCSI_SIG_BYTES])
{
    eccsi_curve_t *c = &self->c;
    int rc = -1;
    uint8_t r[ECCSI_N], he[ECCSI_N];
    ibccrypto_clear_error();
    BN_CTX_start(c->bn);
    BIGNUM *jb = BN_CTX_get(c->bn), *jx = BN_CTX_get(c->bn), *t = BN_CTX_get(c->bn);
    BIGNUM *s = BN_CTX_get(c->bn), *e = BN_CTX_get(c->bn), *rq = BN_CTX_get(c->bn);
    EC_POINT *jp = EC_POINT_new(c->group);
    if (!rq || !jp)
        goto done;
    BN_set_flags(jb, BN_FLG_CONSTTIME);
    BN_set_flags(t, BN_FLG_CONSTTIME);
    BN_set_flags(s, BN_FLG_CONSTTIME);
    for (int attempt = 0; attempt < 8; attempt++) {
        /* step 1: j in [1, q-1] */
        if (j) {
            if (eccsi_scalar_load(c, jb, j, "j") != 0)
                goto done;
        } else {
            do {
                if (!BN_priv_rand_range(jb, c->q))
                    goto done;
            } while (BN_is_zero(jb));
        }
        /* step 2: J = [j]G, r = Jx */
        if (!EC_POINT_mul(c->group, jp, jb, NULL, NULL, c->bn)
            || !EC_POINT_get_affine_coordinates(c->group, jp, jx, NULL, c->bn)
            || BN_bn2binpad(jx, r, ECCSI_N) != ECCSI_N)
            goto done;
        /* steps 3-4: HE = hash(HS || r || M); HE + r*SSK must not be 0 mod q. r and HE are public
         * (reduced mod q in the open); the products and sums with SSK and j are Montgomery
         * multiplications and masked additions, never BN_mod_mul / BN_mod_add */
        if (eccsi_hash_he(self->hs, r, msg, msg_len, he) != 0 || !BN_bin2bn(he, ECCSI_N, e)
            || !BN_nnmod(e, e, c->q, c->bn) || !BN_nnmod(rq, jx, c->q, c->bn)
            || !eccsi_mul_mod_q(c, t, rq, self->ssk) || !BN_mod_add_quick(t, t, e, c->q))
            goto done;
        if (BN_is_zero(jx) || BN_is_zero(t)) {
            if (j) {
                ibccrypto_set_error("eccsi: this j cannot sign this message; choose another j");
                goto done;
            }
            continue;
        }
        /* step 5: s' = ((HE + r*SSK)^-1 * j) mod q; step 6: s = s' (it always fits in N
         * octets for P-256, so the RFC's q - s' substitution never applies) */
        if (ibccrypto_bn_mod_inverse_ct(s, t, c->q, c->bn) != 0 || !eccsi_mul_mod_q(c, s, s, jb))
            goto done;
        memcpy(sig, r, ECCSI_N);
        if (BN_bn2binpad(s, sig + ECCSI_N, ECCSI_N) != ECCSI_N)
            goto done;
        memcpy(sig + 2 * ECCSI_N, self->pvt, ECCSI_POINT_BYTES);
        rc = 0;
        break;
    }
done:
    if (rc != 0 && !ibccrypto_last_error()[0])
        ibccrypto_set_error("eccsi: signing failed");
    if (jb)
        BN_clear(jb);
    if (t)
        BN_clear(t);
    if (s)
        BN_clear(s);
    EC_POINT_clear_free(jp);
    BN_CTX_end(c->bn);
    OPENSSL_cleanse(he, sizeof he);
    return rc;
}

eccsi_verifier_t *eccsi_verifier_new(const uint8_t kpak[ECCSI_POINT_BYTES])
{
    eccsi_verifier_t *self = OPENSSL_zalloc(sizeof *self);
    if (!self || eccsi_curve_init(&self->c) != 0 || !(self->kpak = EC_POINT_new(self->c.group))
        || eccsi_point_decode(&self->c, kpak, ECCSI_POINT_BYTES, self->kpak, "KPAK") != 0) {
        eccsi_verifier_destroy(&self);
        return NULL;
    }
    memcpy(self->kpak_octets, kpak, ECCSI_POINT_BYTES);
    return self;
}

void eccsi_verifier_destroy(eccsi_verifier_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    EC_POINT_free((*self_p)->kpak);
    eccsi_curve_fini(&(*self_p)->c);
    OPENSSL_free(*self_p);
    *self_p = NULL;
}

/* RFC 6507 §5.2.2: Y = [HS]PVT + KPAK, J = [s]([HE]G + [r]Y) computed as
 * [s*HE]G + [s*r]Y in one two-scalar multiplication; valid iff Jx = r (mod p), Jx != 0. */
int eccsi_verifier_verify(eccsi_verifier_t *self, const uint8_t *id, size_t id_len,
                          const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len)
{
    eccsi_curve_t *c = &self->c;
    int rc = -1;
    uint8_t hs[ECCSI_N], he[ECCSI_N];
    ibccrypto_clear_error();
    if (!sig || sig_len != ECCSI_SIG_BYTES) {
        ibccrypto_set_error("eccsi: a signature is %d octets (r || s || PVT), got %zu",
                            ECCSI_SIG_BYTES, sig_len);
        return -1;
    }
    const uint8_t *r = sig, *s = sig + ECCSI_N, *pvt = sig + 2 * ECCSI_N;
    BN_CTX_start(c->bn);
    BIGNUM *rb = BN_CTX_get(c->bn), *sb = BN_CTX_get(c->bn), *h = BN_CTX_get(c->bn);
    BIGNUM *u = BN_CTX_get(c->bn), *w = BN_CTX_get(c->bn), *jx = BN_CTX_get(c->bn);
    EC_POINT *pv = EC_POINT_new(c->group), *y = EC_POINT_new(c->group);
    EC_POINT *jp = EC_POINT_new(c->group);
    if (!jx || !pv || !y || !jp) {
        ibccrypto_set_error("eccsi: out of memory");
        goto done;
    }
    /* step 1: PVT must be a point of the curve; r in [1, p-1], s in [1, q-1] */
    if (eccsi_point_decode(c, pvt, ECCSI_POINT_BYTES, pv, "PVT") != 0)
        goto done;
    if (!BN_bin2bn(r, ECCSI_N, rb) || BN_is_zero(rb) || BN_cmp(rb, c->p) >= 0) {
        ibccrypto_set_error("eccsi: signature r is out of range");
        goto done;
    }
    if (eccsi_scalar_load(c, sb, s, "signature s") != 0)
        goto done;
    /* steps 2-3: HS, HE */
    if (eccsi_hash_hs(self->kpak_octets, id, id_len, pvt, hs) != 0
        || eccsi_hash_he(hs, r, msg, msg_len, he) != 0)
        goto done;
    /* step 4: Y = [HS]PVT + KPAK */
    if (!BN_bin2bn(hs, ECCSI_N, h) || !BN_mod(h, h, c->q, c->bn)
        || !EC_POINT_mul(c->group, y, NULL, pv, h, c->bn)
        || !EC_POINT_add(c->group, y, y, self->kpak, c->bn))
        goto done;
    /* step 5: J = [s*HE]G + [s*r]Y */
    if (!BN_bin2bn(he, ECCSI_N, h) || !BN_mod_mul(u, sb, h, c->q, c->bn)
        || !BN_mod_mul(w, sb, rb, c->q, c->bn) || !EC_POINT_mul(c->group, jp, u, y, w, c->bn))
        goto done;
    /* step 6: Jx = r mod p and Jx != 0 */
    if (EC_POINT_is_at_infinity(c->group, jp)
        || !EC_POINT_get_affine_coordinates(c->group, jp, jx, NULL, c->bn) || BN_is_zero(jx)
        || BN_cmp(jx, rb) != 0) {
        ibccrypto_set_error("eccsi: signature does not verify (RFC 6507 §5.2.2)");
        goto done;
    }
    rc = 0;
done:
    if (rc != 0 && !ibccrypto_last_error()[0])
        ibccrypto_set_error("eccsi: verification failed");
    EC_POINT_free(pv);
    EC_POINT_free(y);
    EC_POINT_free(jp);
    BN_CTX_end(c->bn);
    return rc;
}

int eccsi_sign(const uint8_t kpak[ECCSI_POINT_BYTES], const uint8_t *id, size_t id_len,
               const uint8_t ssk[ECCSI_N], const uint8_t pvt[ECCSI_POINT_BYTES], const uint8_t *msg,
               size_t msg_len, const uint8_t j[ECCSI_N], uint8_t sig[ECCSI_SIG_BYTES])
{
    eccsi_signer_t *s = eccsi_signer_new(kpak, id, id_len, ssk, pvt);
    int rc = s ? eccsi_signer_sign(s, msg, msg_len, j, sig) : -1;
    eccsi_signer_destroy(&s);
    return rc;
}

int eccsi_verify(const uint8_t kpak[ECCSI_POINT_BYTES], const uint8_t *id, size_t id_len,
                 const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len)
{
    eccsi_verifier_t *v = eccsi_verifier_new(kpak);
    int rc = v ? eccsi_verifier_verify(v, id, id_len, msg, msg_len, sig, sig_len) : -1;
    eccsi_verifier_destroy(&v);
    return rc;
}

int eccsi_sig_negate(const uint8_t sig[ECCSI_SIG_BYTES], uint8_t out[ECCSI_SIG_BYTES])
{
    eccsi_curve_t c;
    int rc = -1;
    ibccrypto_clear_error();
    BIGNUM *sb = BN_new();
    if (eccsi_curve_init(&c) == 0 && sb
        && eccsi_scalar_load(&c, sb, sig + ECCSI_N, "signature s") == 0 && BN_sub(sb, c.q, sb)) {
        uint8_t neg[ECCSI_N];
        if (BN_bn2binpad(sb, neg, ECCSI_N) == ECCSI_N) {
            memmove(out, sig, ECCSI_SIG_BYTES);
            memcpy(out + ECCSI_N, neg, ECCSI_N);
            rc = 0;
        }
    }
    BN_free(sb);
    eccsi_curve_fini(&c);
    return rc;
}
