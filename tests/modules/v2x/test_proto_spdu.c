/* test_proto_spdu.c — signed, unsecured and encrypted Ieee1609Dot2Data produced by the module:
 * sign/decode/verify with certificate and digest signers on every curve, the receiver's checks
 * (time, PSID, region), single-bit tampering, ECIES + AES-CCM, and the TAI time base. */
#include "v2x_test.h"

#define T0 ((uint64_t)V2X_TEST_T32_2019 * 1000000u + 123456u)

static const uint8_t payload[] = "a GeoNetworking packet would be here";

static size_t sign(const v2x_test_pki_t *k, v2x_signer_kind_t signer, uint64_t psid, uint8_t *out)
{
    v2x_sign_params_t p = {.psid = psid, .generation_time = T0, .signer = signer};
    size_t n = 0;
    cr_assert_eq(v2x_spdu_sign(&p, payload, sizeof payload, k->at_key, k->at, k->at_len, out,
                               V2X_SPDU_MAX, &n),
                 V2X_OK);
    return n;
}

static void sign_verify_on(v2x_curve_t curve)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, curve);
    uint8_t spdu[V2X_SPDU_MAX];
    size_t n = sign(&k, V2X_SIGNER_CERTIFICATE, V2X_PSID_CAM, spdu);
    v2x_spdu_t s;
    cr_assert_eq(v2x_spdu_decode(spdu, n, &s), V2X_OK);
    cr_assert_eq(s.content, V2X_CONTENT_SIGNED);
    cr_assert_eq(s.psid, V2X_PSID_CAM);
    cr_assert_eq(s.generation_time, T0);
    cr_assert_eq(s.hash, v2x_curve_hash(curve));
    cr_assert_eq(s.sig_curve, curve);
    cr_assert_eq(s.payload_len, sizeof payload);
    cr_assert_arr_eq(s.payload, payload, sizeof payload);
    cr_assert_eq(s.cert_len, k.at_len);
    cr_assert_arr_eq(s.digest, k.at_c->hashedid8, 8);
    cr_assert_eq(v2x_spdu_verify(&s, k.at_c), V2X_OK);
    cr_assert_eq(v2x_spdu_verify(&s, NULL), V2X_OK); /* with the certificate it carries */
    cr_assert_eq(v2x_spdu_check(&s, k.at_c, T0), V2X_OK);
    /* another certificate is another signer */
    cr_assert_eq(v2x_spdu_verify(&s, k.aa_c), V2X_ESIGNER);
    v2x_test_pki_free(&k);
}

Test(spdu, signs_and_verifies_on_p256)
{
    sign_verify_on(V2X_CURVE_P256);
}

Test(spdu, signs_and_verifies_on_brainpool_p256)
{
    sign_verify_on(V2X_CURVE_BP256);
}

Test(spdu, signs_and_verifies_on_brainpool_p384_with_sha384)
{
    sign_verify_on(V2X_CURVE_BP384);
}

Test(spdu, digest_signer_needs_the_matching_certificate)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    uint8_t spdu[V2X_SPDU_MAX];
    size_t n = sign(&k, V2X_SIGNER_DIGEST, V2X_PSID_DENM, spdu);
    v2x_spdu_t s;
    cr_assert_eq(v2x_spdu_decode(spdu, n, &s), V2X_OK);
    cr_assert_eq(s.signer, V2X_SIGNER_DIGEST);
    cr_assert_arr_eq(s.digest, k.at_c->hashedid8, 8);
    cr_assert_eq(v2x_spdu_verify(&s, NULL), V2X_ESIGNER);
    cr_assert_eq(v2x_spdu_verify(&s, k.root_c), V2X_ESIGNER);
    cr_assert_eq(v2x_spdu_verify(&s, k.at_c), V2X_OK);
    v2x_test_pki_free(&k);
}

/* Every flipped bit fails the full-R check; the standard check (v2x_spdu_verify, x(R) only)
 * fails every bit but the one that turns the R choice compressed-y-0 into compressed-y-1. */
Test(spdu, every_flipped_bit_fails)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    uint8_t spdu[V2X_SPDU_MAX];
    size_t n = sign(&k, V2X_SIGNER_CERTIFICATE, V2X_PSID_CAM, spdu);
    size_t parity_bit = (n - 2 * 32 - 1) * 8 + 7; /* the low bit of R's choice tag */
    for (size_t i = 0; i < n * 8; i++) {
        spdu[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
        v2x_spdu_t s;
        int rc = v2x_spdu_decode(spdu, n, &s), x_only = rc;
        if (rc == V2X_OK) {
            rc = v2x_spdu_verify_full_r(&s, NULL);
            x_only = v2x_spdu_verify(&s, NULL);
        }
        if (rc == V2X_OK)
            rc = v2x_spdu_check(&s, k.at_c, T0);
        if (x_only == V2X_OK)
            x_only = v2x_spdu_check(&s, k.at_c, T0);
        cr_assert_neq(rc, V2X_OK, "bit %zu", i);
        if (i == parity_bit)
            cr_assert_eq(x_only, V2X_OK, "R's parity is not part of the standard check");
        else
            cr_assert_neq(x_only, V2X_OK, "bit %zu", i);
        spdu[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
    }
    v2x_test_pki_free(&k);
}

Test(spdu, psid_time_and_region_are_checked)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    uint8_t spdu[V2X_SPDU_MAX];
    v2x_spdu_t s;
    /* a PSID the certificate does not carry */
    size_t n = sign(&k, V2X_SIGNER_CERTIFICATE, V2X_PSID_CRL, spdu);
    cr_assert_eq(v2x_spdu_decode(spdu, n, &s), V2X_OK);
    cr_assert_eq(v2x_spdu_verify(&s, k.at_c), V2X_OK);
    cr_assert_eq(v2x_spdu_check(&s, k.at_c, T0), V2X_EPSID);
    /* generated before the certificate's start */
    v2x_sign_params_t p = {.psid = V2X_PSID_CAM, .generation_time = 1000, .signer = 0};
    cr_assert_eq(
        v2x_spdu_sign(&p, payload, sizeof payload, k.at_key, k.at, k.at_len, spdu, sizeof spdu, &n),
        V2X_OK);
    cr_assert_eq(v2x_spdu_decode(spdu, n, &s), V2X_OK);
    cr_assert_eq(v2x_spdu_check(&s, k.at_c, T0), V2X_EEXPIRED);
    v2x_test_pki_free(&k);

    /* a location outside the certificate's circular region */
    EVP_PKEY *key = v2x_key_generate(V2X_CURVE_P256);
    v2x_cert_params_t cp;
    v2x_test_params(&cp, NULL, false);
    cp.region.kind = V2X_REGION_CIRCLE;
    cp.region.center = (v2x_2dloc_t){484000000, 23000000};
    cp.region.radius_m = 2000;
    uint8_t cert[V2X_CERT_MAX];
    size_t cl;
    cr_assert_eq(v2x_cert_issue(&cp, key, key, NULL, 0, cert, sizeof cert, &cl), V2X_OK);
    v2x_cert_t *c = v2x_cert_new(cert, cl, NULL, NULL);
    p = (v2x_sign_params_t){.psid = V2X_PSID_CAM,
                            .generation_time = T0,
                            .has_location = true,
                            .location = {484010000, 23000000, 4096},
                            .signer = V2X_SIGNER_DIGEST};
    cr_assert_eq(v2x_spdu_sign(&p, payload, sizeof payload, key, cert, cl, spdu, sizeof spdu, &n),
                 V2X_OK);
    cr_assert_eq(v2x_spdu_decode(spdu, n, &s), V2X_OK);
    cr_assert(s.has_location);
    cr_assert_eq(s.location.lat, 484010000);
    cr_assert_eq(s.location.elevation, 4096);
    cr_assert_eq(v2x_spdu_verify(&s, c), V2X_OK);
    cr_assert_eq(v2x_spdu_check(&s, c, T0), V2X_OK);
    p.location.lat = 484500000; /* 5.6 km north */
    cr_assert_eq(v2x_spdu_sign(&p, payload, sizeof payload, key, cert, cl, spdu, sizeof spdu, &n),
                 V2X_OK);
    cr_assert_eq(v2x_spdu_decode(spdu, n, &s), V2X_OK);
    cr_assert_eq(v2x_spdu_check(&s, c, T0), V2X_EREGION);
    v2x_cert_destroy(&c);
    EVP_PKEY_free(key);
}

Test(spdu, x_only_r_is_refused_in_messages)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    uint8_t spdu[V2X_SPDU_MAX];
    size_t n = sign(&k, V2X_SIGNER_DIGEST, V2X_PSID_CAM, spdu);
    /* the signature: choice, R choice (compressed-y-0/1), x, s */
    cr_assert(spdu[n - 65] == 0x82 || spdu[n - 65] == 0x83);
    spdu[n - 65] = 0x80;
    v2x_spdu_t s;
    cr_assert_eq(v2x_spdu_decode(spdu, n, &s), V2X_EMALFORMED);
    v2x_test_pki_free(&k);
}

Test(spdu, unsecured_round_trips)
{
    uint8_t buf[64];
    size_t n;
    cr_assert_eq(v2x_spdu_unsecured(payload, sizeof payload, buf, sizeof buf, &n), V2X_OK);
    v2x_spdu_t s;
    cr_assert_eq(v2x_spdu_decode(buf, n, &s), V2X_OK);
    cr_assert_eq(s.content, V2X_CONTENT_UNSECURED);
    cr_assert_arr_eq(s.payload, payload, sizeof payload);
    cr_assert_eq(v2x_spdu_verify(&s, NULL), V2X_ENOTSIGNED);
    cr_assert_eq(v2x_spdu_unsecured(payload, sizeof payload, buf, 8, &n), V2X_ESPACE);
}

Test(ecies, encrypts_for_one_recipient)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    EVP_PKEY *enc = v2x_key_generate(V2X_CURVE_P256), *other = v2x_key_generate(V2X_CURVE_P256);
    v2x_cert_params_t p;
    v2x_test_params(&p, "ambulance-dispatch", false);
    p.enc_key = enc;
    uint8_t cert[V2X_CERT_MAX];
    size_t cl;
    cr_assert_eq(v2x_cert_issue(&p, k.at_key, k.aa_key, k.aa, k.aa_len, cert, sizeof cert, &cl),
                 V2X_OK);
    v2x_cert_t *rcpt = v2x_cert_new(cert, cl, NULL, NULL);
    cr_assert_not_null(rcpt);
    cr_assert_not_null(rcpt->enc_key);
    uint8_t inner[V2X_SPDU_MAX], ct[V2X_SPDU_MAX], pt[V2X_SPDU_MAX];
    size_t il = sign(&k, V2X_SIGNER_DIGEST, V2X_PSID_DENM, inner), ctl, ptl;
    cr_assert_eq(v2x_encrypt(inner, il, rcpt, ct, sizeof ct, &ctl), V2X_OK);
    for (size_t i = 0; i + il <= ctl; i++)
        cr_assert_neq(memcmp(ct + i, inner, il), 0, "the signed message is visible");
    v2x_spdu_t s;
    cr_assert_eq(v2x_spdu_decode(ct, ctl, &s), V2X_OK);
    cr_assert_eq(s.content, V2X_CONTENT_ENCRYPTED);
    cr_assert_arr_eq(s.recipient, rcpt->hashedid8, 8);
    cr_assert_eq(v2x_decrypt(&s, rcpt, enc, pt, sizeof pt, &ptl), V2X_OK);
    cr_assert_eq(ptl, il);
    cr_assert_arr_eq(pt, inner, il);
    /* the wrong private key, another certificate, a tampered ciphertext or key tag fail */
    cr_assert_eq(v2x_decrypt(&s, rcpt, other, pt, sizeof pt, &ptl), V2X_EDECRYPT);
    cr_assert_eq(v2x_decrypt(&s, k.at_c, enc, pt, sizeof pt, &ptl), V2X_EDECRYPT);
    /* No flipped bit yields another plaintext. (The ephemeral point's y parity is not
     * authenticated in 1609.2 ECIES, and -V gives the same ECDH x coordinate: that one flip
     * decrypts to the same message, which is no forgery.) */
    size_t same = 0;
    for (size_t i = 0; i < ctl * 8; i++) {
        ct[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
        if (v2x_spdu_decode(ct, ctl, &s) == V2X_OK
            && v2x_decrypt(&s, rcpt, enc, pt, sizeof pt, &ptl) == V2X_OK) {
            cr_assert(ptl == il && memcmp(pt, inner, il) == 0, "bit %zu forges", i);
            same++;
        }
        ct[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
    }
    cr_assert_leq(same, 1);
    /* a certificate without an encryption key cannot be a recipient */
    cr_assert_eq(v2x_encrypt(inner, il, k.at_c, ct, sizeof ct, &ctl), V2X_EARG);
    v2x_cert_destroy(&rcpt);
    EVP_PKEY_free(enc);
    EVP_PKEY_free(other);
    v2x_test_pki_free(&k);
}

Test(time, tai_counts_leap_seconds_since_2004)
{
    int64_t us;
    cr_assert_eq(v2x_time_parse_iso8601("2004-01-01T00:00:00Z", &us), V2X_OK);
    cr_assert_eq(v2x_time32_from_unix(us / 1000000), 0u);
    /* Wireshark's ieee1609dot2 dissector shows the vector certificate's start, 501217205, as
     * 2019-11-19 03:00:00: five leap seconds since 2004 */
    cr_assert_eq(v2x_time_parse_iso8601("2019-11-19T03:00:00Z", &us), V2X_OK);
    cr_assert_eq(v2x_time32_from_unix(us / 1000000), 501217205u);
    cr_assert_eq(v2x_unix_from_time32(501217205u), us / 1000000);
    cr_assert_eq(v2x_leap_seconds(us / 1000000), 5);
    /* before the 2005-12-31 leap second: none */
    cr_assert_eq(v2x_time_parse_iso8601("2005-12-31T23:59:59Z", &us), V2X_OK);
    cr_assert_eq(v2x_leap_seconds(us / 1000000), 0);
    cr_assert_eq(v2x_time_parse_iso8601("2006-01-01T00:00:00Z", &us), V2X_OK);
    cr_assert_eq(v2x_leap_seconds(us / 1000000), 1);
    cr_assert_eq(v2x_time_parse_iso8601("2021-06-01T12:00:00.25Z", &us), V2X_OK);
    uint64_t t64 = v2x_time64_from_unix_us(us);
    cr_assert_eq(v2x_unix_us_from_time64(t64), us);
    char iso[40];
    v2x_time_format_iso8601(us, iso, sizeof iso);
    cr_assert_str_eq(iso, "2021-06-01T12:00:00.250000Z");
    cr_assert_eq(v2x_time_parse_iso8601("2021-02-29T00:00:00Z", &us), V2X_EARG);
    cr_assert_eq(v2x_time_parse_iso8601("yesterday", &us), V2X_EARG);
    cr_assert_eq(v2x_time_parse_iso8601("2021-06-01T12:00:00+02:00", &us), V2X_EARG);
}
