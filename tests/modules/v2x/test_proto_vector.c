/* test_proto_vector.c — the real CAM of tests/vectors/etsi-ts103097-cam.txt (signed by a
 * production car): it decodes to the known values, verifies with the certificate it carries at
 * 2019-11-21T11:30:00Z, and every single flipped bit of it fails. */
#include <sg17tb/wire.h>

#include "v2x_test.h"

static uint8_t spdu[1024];
static size_t spdu_len;

static void load(void)
{
    spdu_len = v2x_vec_hex("SPDU", spdu, sizeof spdu);
    cr_assert_eq(spdu_len, (size_t)strtoul(v2x_vec_text("LENGTH"), NULL, 10));
}

/* The whole receiver path the tool follows: decode, load the carried certificate, verify the
 * signature, check the certificate at the time. */
static int receive(const uint8_t *buf, size_t len, uint64_t t64)
{
    v2x_spdu_t s;
    int rc = v2x_spdu_decode(buf, len, &s);
    if (rc != V2X_OK)
        return rc;
    if (s.content != V2X_CONTENT_SIGNED || s.signer != V2X_SIGNER_CERTIFICATE)
        return V2X_ENOTSIGNED;
    v2x_cert_t *c = v2x_cert_new(s.cert, s.cert_len, NULL, &rc);
    if (!c)
        return rc;
    rc = v2x_spdu_verify_full_r(&s, c);
    if (rc == V2X_OK)
        rc = v2x_spdu_check(&s, c, t64);
    v2x_cert_destroy(&c);
    return rc;
}

static uint64_t at_vector_time(void)
{
    int64_t us;
    cr_assert_eq(v2x_time_parse_iso8601("2019-11-21T11:30:00Z", &us), V2X_OK);
    return v2x_time64_from_unix_us(us);
}

Test(vector, decodes_to_the_known_values)
{
    load();
    v2x_spdu_t s;
    cr_assert_eq(v2x_spdu_decode(spdu, spdu_len, &s), V2X_OK);
    cr_assert_eq(s.content, V2X_CONTENT_SIGNED);
    cr_assert_eq(s.psid, strtoull(v2x_vec_text("PSID"), NULL, 10));
    cr_assert_eq(s.signer, V2X_SIGNER_CERTIFICATE);
    uint8_t want[8];
    v2x_vec_hex("SIGNER_HASHEDID8", want, 8);
    cr_assert_arr_eq(s.digest, want, 8);
    uint8_t id[8];
    cr_assert_eq(v2x_cert_hashedid8(s.cert, s.cert_len, id), V2X_OK);
    cr_assert_arr_eq(id, want, 8);
    v2x_cert_view_t v;
    cr_assert_eq(v2x_cert_decode(s.cert, s.cert_len, &v), V2X_OK);
    v2x_vec_hex("ISSUER_HASHEDID8", want, 8);
    cr_assert_arr_eq(v.issuer, want, 8);
    const v2x_psid_ssp_t *perm = v2x_cert_permission(&v, s.psid);
    cr_assert_not_null(perm);
    uint8_t ssp[8];
    size_t ssp_len = v2x_vec_hex("SSP", ssp, sizeof ssp);
    cr_assert_eq(perm->ssp_len, ssp_len);
    cr_assert_arr_eq(perm->ssp, ssp, ssp_len);
    cr_assert(s.has_generation_time);
    uint8_t t[8];
    v2x_vec_hex("GENERATION_TIME64", t, 8);
    cr_assert_eq(s.generation_time, sg17_load_be64(t));
    char iso[40];
    v2x_time_format_iso8601(v2x_unix_us_from_time64(s.generation_time), iso, sizeof iso);
    cr_assert_str_eq(iso, v2x_vec_text("GENERATION_TIME"));
    /* the certificate is valid both when the car signed and at the check time */
    cr_assert_eq(v2x_cert_check_time(&v, s.generation_time), V2X_OK);
    cr_assert_eq(v2x_cert_check_time(&v, at_vector_time()), V2X_OK);
}

Test(vector, verifies_at_the_given_time)
{
    load();
    cr_assert_eq(receive(spdu, spdu_len, at_vector_time()), V2X_OK);
}

Test(vector, every_flipped_bit_fails)
{
    load();
    uint64_t t = at_vector_time();
    for (size_t i = 0; i < spdu_len * 8; i++) {
        spdu[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
        int rc = receive(spdu, spdu_len, t);
        cr_assert_neq(rc, V2X_OK, "bit %zu flipped still verifies", i);
        spdu[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
    }
    cr_assert_eq(receive(spdu, spdu_len, t), V2X_OK);
}

Test(vector, reencodes_to_the_same_bytes)
{
    load();
    v2x_spdu_t s;
    cr_assert_eq(v2x_spdu_decode(spdu, spdu_len, &s), V2X_OK);
    uint8_t inner[256];
    size_t n;
    cr_assert_eq(v2x_spdu_unsecured(s.payload, s.payload_len, inner, sizeof inner, &n), V2X_OK);
    /* the signed payload is the inner Ieee1609Dot2Data right after the SignedDataPayload bits */
    cr_assert_arr_eq(s.tbs + 1, inner, n);
}

Test(vector, truncations_are_malformed)
{
    load();
    v2x_spdu_t s;
    for (size_t n = 0; n < spdu_len; n++)
        cr_assert_neq(v2x_spdu_decode(spdu, n, &s), V2X_OK, "prefix of %zu octets accepted", n);
}
