/* test_proto_ts102941.c — the ETSI TS 102 941 messages (EtsiTs102941Data) the run's PKI speaks:
 * each content round-trips through OER, every truncation and trailing octet is refused, the
 * keyTag binds the SharedAtRequest to the AT key, the proof of possession verifies only with its
 * own key, and a whole enrolment request (signed twice, encrypted to the EA) opens again. */
#include "proto/ts102941.h"
#include "v2x_test.h"

#define T0 ((uint64_t)V2X_TEST_T32_2019 * 1000000u)

static void attrs_cam(v2x_pki_attrs_t *a)
{
    memset(a, 0, sizeof *a);
    a->n_psids = 2;
    a->psids[0].psid = V2X_PSID_CAM;
    a->psids[1].psid = 0x8e;
    a->psids[1].has_ssp = a->psids[1].bitmap = true;
    a->psids[1].ssp_len = 1;
    a->psids[1].ssp[0] = 0x80;
}

static size_t self_signed(const EVP_PKEY *key, const uint8_t *p, size_t n, uint8_t *out)
{
    v2x_sign_params_t sp = {
        .psid = V2X_PSID_CERT_REQUEST, .generation_time = T0, .signer = V2X_SIGNER_SELF};
    size_t len = 0;
    cr_assert_eq(v2x_spdu_sign(&sp, p, n, key, NULL, 0, out, V2X_SPDU_MAX, &len), V2X_OK);
    return len;
}

/* Every proper prefix, and the whole with one octet more, is refused. */
static void refuses_truncation(const uint8_t *enc, size_t n)
{
    uint8_t buf[V2X_SPDU_MAX + 1];
    v2x_pki_data_t d;
    for (size_t k = 0; k < n; k++)
        cr_assert_neq(v2x_pki_decode(enc, k, &d), V2X_OK, "prefix of %zu octets accepted", k);
    memcpy(buf, enc, n);
    buf[n] = 0;
    cr_assert_neq(v2x_pki_decode(buf, n + 1, &d), V2X_OK, "a trailing octet accepted");
}

Test(ts102941, an_ec_request_round_trips_and_its_pop_verifies_with_its_own_key_only)
{
    EVP_PKEY *ec = v2x_key_generate(V2X_CURVE_P256), *other = v2x_key_generate(V2X_CURVE_P256);
    cr_assert(ec && other);
    v2x_pki_ec_request_t q = {.its_id = (const uint8_t *)"obu-000000000007",
                              .its_id_len = 16,
                              .cert_format = V2X_PKI_CERT_FORMAT};
    attrs_cam(&q.attrs);
    cr_assert_eq(v2x_pki_key_of(ec, &q.key), V2X_OK);
    uint8_t inner[256], pop[V2X_SPDU_MAX], data[V2X_SPDU_MAX], again[V2X_SPDU_MAX];
    size_t ni = 0, nd = 0, na = 0;
    cr_assert_eq(v2x_pki_ec_request_encode(&q, inner, sizeof inner, &ni), V2X_OK);
    v2x_pki_ec_request_t back;
    cr_assert_eq(v2x_pki_ec_request_decode(inner, ni, &back), V2X_OK);
    cr_assert_eq(back.its_id_len, 16);
    cr_assert_arr_eq(back.its_id, q.its_id, 16);
    cr_assert_arr_eq(back.key.point, q.key.point, 33);
    cr_assert_eq(back.attrs.n_psids, 2);
    cr_assert_eq(back.attrs.psids[1].ssp[0], 0x80);
    cr_assert(back.attrs.psids[1].bitmap);
    for (size_t k = 0; k < ni; k++)
        cr_assert_neq(v2x_pki_ec_request_decode(inner, k, &back), V2X_OK);

    size_t np = self_signed(ec, inner, ni, pop);
    v2x_pki_data_t d = {.content = V2X_PKI_ENROL_REQUEST, .pop = pop, .pop_len = np};
    cr_assert_eq(v2x_pki_encode(&d, data, sizeof data, &nd), V2X_OK);
    cr_assert_eq(data[0], 1, "EtsiTs102941Data version 1");
    cr_assert_eq(data[1], 0x80, "enrolmentRequest is alternative 0");
    v2x_pki_data_t got;
    cr_assert_eq(v2x_pki_decode(data, nd, &got), V2X_OK);
    cr_assert_eq(got.content, V2X_PKI_ENROL_REQUEST);
    cr_assert_eq(got.pop_len, np);
    cr_assert_eq(v2x_pki_encode(&got, again, sizeof again, &na), V2X_OK);
    cr_assert_eq(na, nd);
    cr_assert_arr_eq(again, data, nd);
    refuses_truncation(data, nd);

    v2x_spdu_t sp;
    cr_assert_eq(v2x_spdu_decode(got.pop, got.pop_len, &sp), V2X_OK);
    cr_assert_eq(v2x_spdu_verify_self(&sp, ec), V2X_OK);
    cr_assert_eq(v2x_spdu_verify_self(&sp, other), V2X_ESIGNATURE);
    pop[np / 2] ^= 0x01; /* inside the signed data */
    if (v2x_spdu_decode(pop, np, &sp) == V2X_OK)
        cr_assert_neq(v2x_spdu_verify_self(&sp, ec), V2X_OK);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(other);
}

Test(ts102941, an_at_request_round_trips_and_its_key_tag_binds_the_at_key)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    EVP_PKEY *at = v2x_key_generate(V2X_CURVE_P256), *other = v2x_key_generate(V2X_CURVE_P256);
    cr_assert(at && other);
    /* the encrypted EC signature: any encryptedData to a certificate with an encryption key */
    v2x_cert_params_t p;
    v2x_test_params(&p, "ea.example", true);
    p.enc_key = k.aa_key;
    uint8_t ea[V2X_CERT_MAX], ecsig[V2X_SPDU_MAX], data[V2X_SPDU_MAX], again[V2X_SPDU_MAX];
    size_t ea_len = 0, nc = 0, nd = 0, na = 0;
    cr_assert_eq(
        v2x_cert_issue(&p, k.aa_key, k.root_key, k.root, k.root_len, ea, sizeof ea, &ea_len),
        V2X_OK);
    v2x_cert_t *ea_c = v2x_cert_new(ea, ea_len, NULL, NULL);
    cr_assert_not_null(ea_c);
    static const uint8_t secret[] = "the EC's signature over the SharedAtRequest";
    cr_assert_eq(v2x_encrypt(secret, sizeof secret, ea_c, ecsig, sizeof ecsig, &nc), V2X_OK);

    v2x_pki_data_t d = {
        .content = V2X_PKI_AUTH_REQUEST, .ec_signature = ecsig, .ec_signature_len = nc};
    for (size_t i = 0; i < V2X_PKI_HMAC_KEY; i++)
        d.hmac_key[i] = (uint8_t)(i * 7 + 1);
    memcpy(d.shared.ea_id, ea_c->hashedid8, 8);
    d.shared.cert_format = V2X_PKI_CERT_FORMAT;
    attrs_cam(&d.shared.attrs);
    cr_assert_eq(v2x_pki_key_of(at, &d.at_key), V2X_OK);
    cr_assert_eq(v2x_pki_key_tag(d.hmac_key, &d.at_key, d.shared.key_tag), V2X_OK);
    cr_assert_eq(v2x_pki_encode(&d, data, sizeof data, &nd), V2X_OK);
    v2x_pki_data_t got;
    cr_assert_eq(v2x_pki_decode(data, nd, &got), V2X_OK);
    cr_assert_eq(got.content, V2X_PKI_AUTH_REQUEST);
    cr_assert_arr_eq(got.shared.ea_id, ea_c->hashedid8, 8);
    cr_assert_arr_eq(got.at_key.point, d.at_key.point, 33);
    cr_assert_eq(got.ec_signature_len, nc);
    cr_assert_eq(v2x_pki_encode(&got, again, sizeof again, &na), V2X_OK);
    cr_assert_eq(na, nd);
    cr_assert_arr_eq(again, data, nd);
    refuses_truncation(data, nd);

    /* the keyTag matches its key, not another */
    uint8_t tag[V2X_PKI_HASH16];
    v2x_pki_key_t ok;
    cr_assert_eq(v2x_pki_key_tag(got.hmac_key, &got.at_key, tag), V2X_OK);
    cr_assert_arr_eq(tag, got.shared.key_tag, V2X_PKI_HASH16);
    cr_assert_eq(v2x_pki_key_of(other, &ok), V2X_OK);
    cr_assert_eq(v2x_pki_key_tag(got.hmac_key, &ok, tag), V2X_OK);
    cr_assert(memcmp(tag, got.shared.key_tag, V2X_PKI_HASH16) != 0);

    /* the validation request carries the same SharedAtRequest and EC signature */
    v2x_pki_data_t av = {.content = V2X_PKI_AV_REQUEST,
                         .shared = got.shared,
                         .ec_signature = ecsig,
                         .ec_signature_len = nc};
    cr_assert_eq(v2x_pki_encode(&av, data, sizeof data, &nd), V2X_OK);
    cr_assert_eq(v2x_pki_decode(data, nd, &got), V2X_OK);
    cr_assert_eq(got.content, V2X_PKI_AV_REQUEST);
    cr_assert_arr_eq(got.shared.key_tag, av.shared.key_tag, V2X_PKI_HASH16);
    refuses_truncation(data, nd);
    /* an EC signature that is not an encryptedData is refused */
    av.ec_signature = (const uint8_t *)"\x03\x80\x01\x00";
    av.ec_signature_len = 4;
    cr_assert_eq(v2x_pki_encode(&av, data, sizeof data, &nd), V2X_OK);
    cr_assert_eq(v2x_pki_decode(data, nd, &got), V2X_EMALFORMED);
    v2x_cert_destroy(&ea_c);
    EVP_PKEY_free(at);
    EVP_PKEY_free(other);
    v2x_test_pki_free(&k);
}

Test(ts102941, responses_round_trip_with_and_without_a_certificate)
{
    v2x_test_pki_t k;
    v2x_test_pki(&k, V2X_CURVE_P256);
    static const v2x_pki_content_t kinds[] = {V2X_PKI_ENROL_RESPONSE, V2X_PKI_AUTH_RESPONSE,
                                              V2X_PKI_AV_RESPONSE};
    uint8_t data[V2X_SPDU_MAX];
    size_t nd = 0;
    for (size_t i = 0; i < 3; i++) {
        for (int with_cert = 0; with_cert < 2; with_cert++) {
            v2x_pki_data_t d = {.content = kinds[i]};
            cr_assert_eq(v2x_pki_request_hash((const uint8_t *)"req", 3, d.response.request_hash),
                         V2X_OK);
            d.response.code = with_cert ? V2X_PKI_OK : V2X_PKI_AV_DENIEDPERMISSIONS;
            if (with_cert)
                d.response.cert = k.at, d.response.cert_len = k.at_len;
            int rc = v2x_pki_encode(&d, data, sizeof data, &nd);
            if (with_cert && kinds[i] == V2X_PKI_AV_RESPONSE) {
                cr_assert_neq(rc, V2X_OK, "a validation response carries no certificate");
                continue;
            }
            cr_assert_eq(rc, V2X_OK);
            v2x_pki_data_t got;
            cr_assert_eq(v2x_pki_decode(data, nd, &got), V2X_OK);
            cr_assert_eq(got.content, kinds[i]);
            cr_assert_eq(got.response.code, d.response.code);
            cr_assert_arr_eq(got.response.request_hash, d.response.request_hash, 16);
            cr_assert_eq(got.response.cert_len, with_cert ? k.at_len : 0);
            if (with_cert)
                cr_assert_arr_eq(got.response.cert, k.at, k.at_len);
            refuses_truncation(data, nd);
        }
    }
    /* another EtsiTs102941Data alternative (a CRL, 4) is outside the subset */
    static const uint8_t crl[] = {0x01, 0x84, 0x00};
    v2x_pki_data_t got;
    cr_assert_eq(v2x_pki_decode(crl, sizeof crl, &got), V2X_EUNSUPPORTED);
    static const uint8_t v2[] = {0x02, 0x81, 0x00};
    cr_assert_eq(v2x_pki_decode(v2, sizeof v2, &got), V2X_EMALFORMED);
    v2x_test_pki_free(&k);
}
