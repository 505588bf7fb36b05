/* test_proto_signer.c — the prepared SPDU signer (signer.c): its signatures check with plain
 * OpenSSL ECDSA over the IEEE 1609.2 signature input, its compressed R has the parity of the
 * nonce point (the module's full-R verification accepts it and refuses the other parity), every
 * signature takes a fresh nonce, and a key without its private part is refused. */
#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "v2x_test.h"

static const uint8_t payload[] = "signed by a prepared signer";

/* OpenSSL's own ECDSA verification of a decoded SPDU's (r, s) over
 * H(H(tbs) || H(signer certificate)): r = x(R) mod n. */
static int openssl_verifies(const v2x_spdu_t *s, const v2x_test_pki_t *k, v2x_curve_t curve)
{
    v2x_hash_t h = v2x_curve_hash(curve);
    size_t n = v2x_curve_size(curve), hl = v2x_hash_size(h);
    uint8_t inner[2 * V2X_MAX_HASH], dgst[V2X_MAX_HASH], der[160];
    cr_assert_eq(v2x_hash(h, s->tbs, s->tbs_len, inner), V2X_OK);
    cr_assert_eq(v2x_hash(h, k->at, k->at_len, inner + hl), V2X_OK);
    cr_assert_eq(v2x_hash(h, inner, 2 * hl, dgst), V2X_OK);
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(s->sig_r + 1, (int)n, NULL), *sb = BN_bin2bn(s->sig_s, (int)n, NULL);
    cr_assert(sig && r && sb && ECDSA_SIG_set0(sig, r, sb) == 1);
    uint8_t *p = der;
    int der_len = i2d_ECDSA_SIG(sig, &p);
    ECDSA_SIG_free(sig);
    cr_assert_gt(der_len, 0);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->at_key, NULL);
    cr_assert(ctx && EVP_PKEY_verify_init(ctx) == 1);
    int ok = EVP_PKEY_verify(ctx, der, (size_t)der_len, dgst, hl);
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

static void prepared_on(v2x_curve_t curve)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, curve);
    int err = 0;
    v2x_signer_t *sg = v2x_signer_new(k.at_key, k.at, k.at_len, &err);
    cr_assert_not_null(sg, "%s", v2x_strerror(err));
    cr_assert_eq(v2x_signer_curve(sg), curve);
    uint8_t first_r[V2X_MAX_POINT];
    for (int i = 0; i < 24; i++) {
        v2x_sign_params_t p = {.psid = V2X_PSID_CAM,
                               .generation_time = 600000000000000ull,
                               .signer = i % 2 ? V2X_SIGNER_DIGEST : V2X_SIGNER_CERTIFICATE};
        uint8_t spdu[V2X_SPDU_MAX];
        size_t len = 0;
        cr_assert_eq(v2x_spdu_sign_with(&p, payload, sizeof payload, sg, spdu, sizeof spdu, &len),
                     V2X_OK);
        v2x_spdu_t s;
        cr_assert_eq(v2x_spdu_decode(spdu, len, &s), V2X_OK);
        cr_assert_eq(v2x_spdu_verify(&s, k.at_c), V2X_OK);
        cr_assert_eq(openssl_verifies(&s, &k, curve), 1, "OpenSSL refuses signature %d", i);
        cr_assert_eq(v2x_spdu_verify_full_r(&s, k.at_c), V2X_OK); /* R's parity is right */
        /* the other parity of R is another point: the full-R check refuses it */
        s.sig_r[0] ^= 0x01;
        cr_assert_eq(v2x_spdu_verify_full_r(&s, k.at_c), V2X_ESIGNATURE);
        s.sig_r[0] ^= 0x01;
        if (i == 0)
            memcpy(first_r, s.sig_r, sizeof first_r);
        else
            cr_assert(memcmp(first_r, s.sig_r, 1 + v2x_curve_size(curve)) != 0, "nonce reused");
    }
    v2x_signer_destroy(&sg);
    cr_assert_null(sg);
    v2x_signer_destroy(&sg); /* idempotent */
    v2x_test_pki_free(&k);
}

Test(signer, prepared_signatures_check_with_openssl_on_p256)
{
    prepared_on(V2X_CURVE_P256);
}

Test(signer, prepared_signatures_check_with_openssl_on_brainpool)
{
    prepared_on(V2X_CURVE_BP256);
    prepared_on(V2X_CURVE_BP384);
}

Test(signer, refuses_a_public_key_and_a_mismatched_request)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    int err = 0;
    cr_assert_null(v2x_signer_new(k.at_c->key, k.at, k.at_len, &err)); /* public part only */
    cr_assert_eq(err, V2X_EARG);
    cr_assert_null(v2x_signer_new(k.at_key, k.at, 5, &err)); /* not a certificate */
    v2x_signer_t *self = v2x_signer_new(k.at_key, NULL, 0, &err);
    cr_assert_not_null(self);
    v2x_sign_params_t p = {.psid = 36, .generation_time = 1, .signer = V2X_SIGNER_CERTIFICATE};
    uint8_t out[V2X_SPDU_MAX];
    size_t len = 0;
    /* a certificate signer needs a signer prepared with its certificate */
    cr_assert_eq(v2x_spdu_sign_with(&p, payload, sizeof payload, self, out, sizeof out, &len),
                 V2X_EARG);
    p.signer = V2X_SIGNER_SELF;
    cr_assert_eq(v2x_spdu_sign_with(&p, payload, sizeof payload, self, out, sizeof out, &len),
                 V2X_OK);
    v2x_signer_destroy(&self);
    v2x_test_pki_free(&k);
}
