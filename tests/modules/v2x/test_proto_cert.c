/* test_proto_cert.c — certificates issued by the module's code: chains on P-256,
 * brainpoolP256r1 and brainpoolP384r1 (SHA-384), ECQV implicit certificates, region and validity
 * checks, and refusals (wrong issuer, tampered signature, non-canonical encodings). */
#include <openssl/evp.h>

#include "v2x_test.h"

static void check_chain(v2x_curve_t curve)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, curve);
    cr_assert_eq(k.at_c->view.curve, curve);
    cr_assert_eq(v2x_cert_check_issued(k.root_c, k.root_c), V2X_OK);
    cr_assert_eq(v2x_cert_check_issued(k.aa_c, k.root_c), V2X_OK);
    cr_assert_eq(v2x_cert_check_issued(k.at_c, k.aa_c), V2X_OK);
    /* the wrong issuer: HashedId8 mismatch */
    cr_assert_eq(v2x_cert_check_issued(k.at_c, k.root_c), V2X_EISSUER);
    /* an AT cannot issue (no certIssuePermissions) */
    cr_assert_eq(v2x_cert_check_issued(k.at_c, k.at_c), V2X_EISSUER);
    cr_assert(k.root_c->view.self_signed);
    cr_assert(k.root_c->view.ca && k.aa_c->view.ca && !k.at_c->view.ca);
    cr_assert_str_eq(k.aa_c->view.name, "aa.example");
    cr_assert_arr_eq(k.at_c->view.issuer, k.aa_c->hashedid8, 8);
    v2x_test_pki_free(&k);
}

Test(cert, chain_p256_verifies)
{
    check_chain(V2X_CURVE_P256);
}

Test(cert, chain_brainpool_p256_verifies)
{
    check_chain(V2X_CURVE_BP256);
}

Test(cert, chain_brainpool_p384_verifies_with_sha384)
{
    check_chain(V2X_CURVE_BP384);
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_BP384);
    /* the HashedId8 is the low 8 octets of SHA-384 of the certificate */
    uint8_t h[48];
    unsigned hl = 0;
    cr_assert(EVP_Digest(k.at, k.at_len, h, &hl, EVP_sha384(), NULL));
    cr_assert_arr_eq(k.at_c->hashedid8, h + 40, 8);
    cr_assert_eq(k.at_c->view.issuer_hash, V2X_HASH_SHA384);
    v2x_test_pki_free(&k);
}

Test(cert, hashedid8_is_the_low_octets_of_sha256)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    uint8_t h[32], id[8];
    unsigned hl = 0;
    cr_assert(EVP_Digest(k.at, k.at_len, h, &hl, EVP_sha256(), NULL));
    cr_assert_eq(v2x_cert_hashedid8(k.at, k.at_len, id), V2X_OK);
    cr_assert_arr_eq(id, h + 24, 8);
    v2x_test_pki_free(&k);
}

Test(cert, every_flipped_bit_of_a_certificate_is_refused)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    for (size_t i = 0; i < k.at_len * 8; i++) {
        uint8_t c[V2X_CERT_MAX];
        memcpy(c, k.at, k.at_len);
        c[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
        int err = 0;
        v2x_cert_t *t = v2x_cert_new(c, k.at_len, NULL, &err);
        if (t) {
            cr_assert_neq(v2x_cert_check_issued(t, k.aa_c), V2X_OK, "bit %zu", i);
            v2x_cert_destroy(&t);
        }
    }
    v2x_test_pki_free(&k);
}

Test(cert, decodes_what_was_issued)
{
    EVP_PKEY *key = v2x_key_generate(V2X_CURVE_P256), *enc = v2x_key_generate(V2X_CURVE_P256);
    v2x_cert_params_t p;
    v2x_test_params(&p, "rsu-7", false);
    p.region.kind = V2X_REGION_RECT;
    p.region.n_rects = 2;
    p.region.rects[0].nw = (v2x_2dloc_t){485000000, 23000000};
    p.region.rects[0].se = (v2x_2dloc_t){484000000, 24000000};
    p.region.rects[1].nw = (v2x_2dloc_t){100, -200};
    p.region.rects[1].se = (v2x_2dloc_t){-100, 200};
    p.has_assurance = true;
    p.assurance = 0xc0;
    p.crl_series = 7;
    p.craca_id[2] = 9;
    p.enc_key = enc;
    p.psids[1].psid = 0x20409F; /* a multi-octet PSID */
    uint8_t cert[V2X_CERT_MAX];
    size_t n;
    cr_assert_eq(v2x_cert_issue(&p, key, key, NULL, 0, cert, sizeof cert, &n), V2X_OK);
    v2x_cert_view_t v;
    cr_assert_eq(v2x_cert_decode(cert, n, &v), V2X_OK);
    cr_assert_eq(v.region.kind, V2X_REGION_RECT);
    cr_assert_eq(v.region.n_rects, 2);
    cr_assert_eq(v.region.rects[0].nw.lat, 485000000);
    cr_assert_eq(v.region.rects[1].nw.lon, -200);
    cr_assert(v.has_assurance && v.assurance == 0xc0);
    cr_assert_eq(v.crl_series, 7);
    cr_assert_eq(v.craca_id[2], 9);
    cr_assert(v.has_enc_key);
    cr_assert_eq(v.n_psids, 2);
    cr_assert_eq(v.psids[1].psid, 0x20409F);
    cr_assert(v.psids[0].has_ssp && v.psids[0].bitmap && v.psids[0].ssp_len == 3);
    cr_assert_eq(v.validity.start, V2X_TEST_T32_2019);
    cr_assert(v2x_region_contains(&v.region, (v2x_2dloc_t){484500000, 23500000}));
    cr_assert(v2x_region_contains(&v.region, (v2x_2dloc_t){0, 0}));
    cr_assert_not(v2x_region_contains(&v.region, (v2x_2dloc_t){484500000, 25000000}));
    /* trailing octets and truncations are refused */
    cert[n] = 0;
    cr_assert_eq(v2x_cert_decode(cert, n + 1, &v), V2X_EMALFORMED);
    for (size_t i = 0; i < n; i++)
        cr_assert_neq(v2x_cert_decode(cert, i, &v), V2X_OK);
    EVP_PKEY_free(key);
    EVP_PKEY_free(enc);
}

Test(cert, validity_is_checked_against_the_time)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    uint64_t start = (uint64_t)V2X_TEST_T32_2019 * 1000000u;
    cr_assert_eq(v2x_cert_check_time(&k.at_c->view, start), V2X_OK);
    cr_assert_eq(v2x_cert_check_time(&k.at_c->view, start - 1), V2X_EEXPIRED);
    uint64_t end = v2x_validity_end64(&k.at_c->view.validity);
    cr_assert_eq(end - start, 2ull * 31556952u * 1000000u);
    cr_assert_eq(v2x_cert_check_time(&k.at_c->view, end - 1), V2X_OK);
    cr_assert_eq(v2x_cert_check_time(&k.at_c->view, end), V2X_EEXPIRED);
    v2x_test_pki_free(&k);
}

Test(cert, subject_validity_outside_the_issuer_is_refused)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    v2x_cert_params_t p;
    v2x_test_params(&p, NULL, false);
    p.validity.value = 20; /* beyond the AA's ten years */
    uint8_t c[V2X_CERT_MAX];
    size_t n;
    cr_assert_eq(v2x_cert_issue(&p, k.at_key, k.aa_key, k.aa, k.aa_len, c, sizeof c, &n), V2X_OK);
    v2x_cert_t *t = v2x_cert_new(c, n, NULL, NULL);
    cr_assert_not_null(t);
    cr_assert_eq(v2x_cert_check_issued(t, k.aa_c), V2X_EISSUER);
    v2x_cert_destroy(&t);
    v2x_test_pki_free(&k);
}

Test(cert, region_outside_the_issuer_region_is_refused)
{
    EVP_PKEY *ca = v2x_key_generate(V2X_CURVE_P256), *ee = v2x_key_generate(V2X_CURVE_P256);
    v2x_cert_params_t p;
    v2x_test_params(&p, "ca", true);
    p.region.kind = V2X_REGION_CIRCLE;
    p.region.center = (v2x_2dloc_t){484000000, 23000000};
    p.region.radius_m = 10000;
    uint8_t cac[V2X_CERT_MAX], eec[V2X_CERT_MAX];
    size_t can, een;
    cr_assert_eq(v2x_cert_issue(&p, ca, ca, NULL, 0, cac, sizeof cac, &can), V2X_OK);
    v2x_cert_t *cat = v2x_cert_new(cac, can, NULL, NULL);
    v2x_test_params(&p, NULL, false);
    p.region.kind = V2X_REGION_CIRCLE;
    p.region.center = (v2x_2dloc_t){484100000, 23000000}; /* 1.1 km north */
    p.region.radius_m = 1000;
    cr_assert_eq(v2x_cert_issue(&p, ee, ca, cac, can, eec, sizeof eec, &een), V2X_OK);
    v2x_cert_t *inside = v2x_cert_new(eec, een, NULL, NULL);
    cr_assert_eq(v2x_cert_check_issued(inside, cat), V2X_OK);
    p.region.center = (v2x_2dloc_t){485000000, 23000000}; /* 11 km north */
    cr_assert_eq(v2x_cert_issue(&p, ee, ca, cac, can, eec, sizeof eec, &een), V2X_OK);
    v2x_cert_t *outside = v2x_cert_new(eec, een, NULL, NULL);
    cr_assert_eq(v2x_cert_check_issued(outside, cat), V2X_EISSUER);
    v2x_cert_destroy(&inside);
    v2x_cert_destroy(&outside);
    v2x_cert_destroy(&cat);
    EVP_PKEY_free(ca);
    EVP_PKEY_free(ee);
}

Test(cert, implicit_certificate_reconstructs_the_key_pair)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    EVP_PKEY *req = v2x_key_generate(V2X_CURVE_P256);
    v2x_cert_params_t p;
    v2x_test_params(&p, NULL, false);
    p.type = V2X_CERT_IMPLICIT;
    uint8_t cert[V2X_CERT_MAX], r[32];
    size_t n;
    cr_assert_eq(
        v2x_cert_issue_implicit(&p, req, k.aa_key, k.aa, k.aa_len, cert, sizeof cert, &n, r),
        V2X_OK);
    EVP_PKEY *du = v2x_cert_implicit_private(req, r, cert, n, k.aa, k.aa_len);
    cr_assert_not_null(du);
    int err = 0;
    cr_assert_null(v2x_cert_new(cert, n, NULL, &err), "an implicit certificate needs its issuer");
    v2x_cert_t *c = v2x_cert_new(cert, n, k.aa_c, &err);
    cr_assert_not_null(c, "%s", v2x_strerror(err));
    cr_assert_eq(c->view.type, V2X_CERT_IMPLICIT);
    cr_assert_not(c->view.has_signature);
    cr_assert_eq(v2x_cert_check_issued(c, k.aa_c), V2X_OK);
    /* the reconstructed public key is the private key's */
    uint8_t a[33], b[33];
    size_t al, bl;
    cr_assert_eq(v2x_key_public_compressed(c->key, a, sizeof a, &al), V2X_OK);
    cr_assert_eq(v2x_key_public_compressed(du, b, sizeof b, &bl), V2X_OK);
    cr_assert_arr_eq(a, b, 33);
    /* and a message signed with it verifies against the implicit certificate */
    v2x_sign_params_t sp = {.psid = V2X_PSID_CAM,
                            .generation_time = (uint64_t)V2X_TEST_T32_2019 * 1000000u + 5,
                            .signer = V2X_SIGNER_CERTIFICATE};
    uint8_t spdu[V2X_SPDU_MAX];
    size_t sl;
    const uint8_t payload[] = {1, 2, 3};
    cr_assert_eq(v2x_spdu_sign(&sp, payload, 3, du, cert, n, spdu, sizeof spdu, &sl), V2X_OK);
    v2x_spdu_t s;
    cr_assert_eq(v2x_spdu_decode(spdu, sl, &s), V2X_OK);
    cr_assert_eq(v2x_spdu_verify(&s, c), V2X_OK);
    /* another issuer reconstructs another key: the signature fails */
    v2x_cert_t *wrong = v2x_cert_new(cert, n, k.root_c, &err);
    cr_assert_null(wrong);
    v2x_cert_destroy(&c);
    EVP_PKEY_free(du);
    EVP_PKEY_free(req);
    v2x_test_pki_free(&k);
}

Test(cert, keys_round_trip)
{
    for (int c = V2X_CURVE_P256; c <= V2X_CURVE_P384; c++) {
        uint8_t seed[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        EVP_PKEY *a = v2x_key_from_seed((v2x_curve_t)c, seed, sizeof seed);
        EVP_PKEY *b = v2x_key_from_seed((v2x_curve_t)c, seed, sizeof seed);
        cr_assert(a && b);
        cr_assert_eq(v2x_key_curve(a), (v2x_curve_t)c);
        uint8_t d[48], pa[49], pb[49];
        size_t dl, pal, pbl;
        cr_assert_eq(v2x_key_private_bytes(a, d, sizeof d, &dl), V2X_OK);
        cr_assert_eq(dl, v2x_curve_size((v2x_curve_t)c));
        EVP_PKEY *e = v2x_key_from_private((v2x_curve_t)c, d, dl);
        cr_assert_eq(v2x_key_public_compressed(b, pa, sizeof pa, &pal), V2X_OK);
        cr_assert_eq(v2x_key_public_compressed(e, pb, sizeof pb, &pbl), V2X_OK);
        cr_assert_arr_eq(pa, pb, pal);
        EVP_PKEY *f = v2x_key_from_point((v2x_curve_t)c, pa, pal);
        cr_assert_not_null(f);
        pa[1] ^= 1; /* most x values with a flipped bit are not on the curve: either way no crash */
        EVP_PKEY_free(v2x_key_from_point((v2x_curve_t)c, pa, pal));
        EVP_PKEY_free(a);
        EVP_PKEY_free(b);
        EVP_PKEY_free(e);
        EVP_PKEY_free(f);
    }
}
