/* test_security.c — DLMS suite 0 protect/unprotect, HLS-GMAC and suite-1 ECDSA against the Green
 * Book known-answer values and the rejection reasons the simulation reports. */
#include <criterion/criterion.h>

#include "dlms/apdu.h"
#include "dlms/security.h"
#include "green_book.h"

#define AE  "authenticated-encryption"
#define HLS "hls-gmac-mechanism-5"

typedef struct {
    dlms_keys_t keys;
    uint8_t systitle[DLMS_SYSTITLE_LEN];
    uint32_t ic;
    uint8_t sc;
    uint8_t *plain;
    size_t plain_len;
} ae_vector_t;

static ae_vector_t load_ae(void)
{
    ae_vector_t v;
    gb_fixed(AE, "EK", v.keys.ek, DLMS_KEY_LEN);
    gb_fixed(AE, "AK", v.keys.ak, DLMS_KEY_LEN);
    gb_fixed(AE, "SYSTITLE", v.systitle, DLMS_SYSTITLE_LEN);
    gb_fixed(AE, "SC", &v.sc, 1);
    v.ic = gb_u32(AE, "IC");
    v.plain = gb_bytes(AE, "PLAINTEXT", &v.plain_len);
    return v;
}

/* Protects the vector's plaintext with sc and returns the secured octets (caller frees). */
static uint8_t *protect_with(const ae_vector_t *v, uint8_t sc, uint32_t ic, size_t *len)
{
    size_t cap = dlms_protected_len(sc, v->plain_len);
    uint8_t *out = malloc(cap);
    cr_assert_eq(dlms_protect(&v->keys, v->systitle, ic, sc, v->plain, v->plain_len, out, cap, len),
                 0);
    cr_assert_eq(*len, cap);
    return out;
}

Test(security, protect_sc30_reproduces_green_book_secured_and_ct_tag)
{
    ae_vector_t v = load_ae();
    size_t len;
    uint8_t *out = protect_with(&v, v.sc, v.ic, &len);
    char *got = to_hex(out, len), *want = gb_hex(AE, "SECURED"), *ct_tag = gb_hex(AE, "CT_TAG");
    cr_assert_str_eq(got, want);
    cr_assert_str_eq(got + 2 * DLMS_SEC_HDR_LEN, ct_tag);
    free(got), free(want), free(ct_tag), free(out), free(v.plain);
}

Test(security, unprotect_green_book_secured_yields_plaintext_and_counter)
{
    ae_vector_t v = load_ae();
    size_t len, outlen = 0;
    uint8_t *data = gb_bytes(AE, "SECURED", &len), out[256];
    uint32_t ic = 0;
    cr_assert_eq(dlms_unprotect(&v.keys, v.systitle, 0, data, len, DLMS_IC_NONE, out, sizeof out,
                                &outlen, &ic),
                 DLMS_SEC_OK);
    cr_assert_eq(ic, 0x01234567u);
    cr_assert_eq(outlen, v.plain_len);
    cr_assert_arr_eq(out, v.plain, outlen);
    free(data), free(v.plain);
}

/* HLS mechanism 5 in both directions: the client authenticates StoC, the server CtoS. */
Test(security, hls_gmac_reproduces_green_book_client_and_server_tags)
{
    dlms_keys_t keys;
    gb_fixed(HLS, "EK", keys.ek, DLMS_KEY_LEN);
    gb_fixed(HLS, "AK", keys.ak, DLMS_KEY_LEN);
    const char *who[2][4] = {{"CLIENT_SYSTITLE", "CLIENT_IC", "StoC", "CLIENT_TAG"},
                             {"SERVER_SYSTITLE", "SERVER_IC", "CtoS", "SERVER_TAG"}};
    for (int i = 0; i < 2; i++) {
        uint8_t st[DLMS_SYSTITLE_LEN], f[DLMS_HLS_GMAC_LEN];
        gb_fixed(HLS, who[i][0], st, sizeof st);
        uint32_t ic = gb_u32(HLS, who[i][1]);
        size_t clen;
        uint8_t *challenge = gb_bytes(HLS, who[i][2], &clen);
        cr_assert_eq(dlms_hls_gmac(&keys, st, ic, challenge, clen, f), 0);
        cr_assert_eq(f[0], 0x10);
        cr_assert_eq((uint32_t)f[1] << 24 | (uint32_t)f[2] << 16 | (uint32_t)f[3] << 8 | f[4], ic);
        char *got = to_hex(f + DLMS_SEC_HDR_LEN, DLMS_TAG_LEN), *want = gb_hex(HLS, who[i][3]);
        cr_assert_str_eq(got, want, "%s", who[i][3]);
        cr_assert_eq(dlms_hls_gmac_verify(&keys, st, challenge, clen, f, sizeof f), 0);
        challenge[0] ^= 1; /* a different challenge must not verify */
        cr_assert_eq(dlms_hls_gmac_verify(&keys, st, challenge, clen, f, sizeof f), -1);
        free(got), free(want), free(challenge);
    }
}

Test(security, hls_gmac_verify_rejects_wrong_key_systitle_and_length)
{
    dlms_keys_t keys;
    gb_fixed(HLS, "EK", keys.ek, DLMS_KEY_LEN);
    gb_fixed(HLS, "AK", keys.ak, DLMS_KEY_LEN);
    uint8_t st[DLMS_SYSTITLE_LEN], f[DLMS_HLS_GMAC_LEN];
    gb_fixed(HLS, "CLIENT_SYSTITLE", st, sizeof st);
    const uint8_t challenge[] = "P6wRJ21F";
    cr_assert_eq(dlms_hls_gmac(&keys, st, 1, challenge, 8, f), 0);
    cr_assert_eq(dlms_hls_gmac_verify(&keys, st, challenge, 8, f, sizeof f - 1), -1);
    st[7] ^= 1;
    cr_assert_eq(dlms_hls_gmac_verify(&keys, st, challenge, 8, f, sizeof f), -1);
    st[7] ^= 1;
    keys.ak[0] ^= 1;
    cr_assert_eq(dlms_hls_gmac_verify(&keys, st, challenge, 8, f, sizeof f), -1);
}

/* Round trip for each security control value, plus what each puts on the wire. */
Test(security, round_trip_for_sc_10_20_30)
{
    ae_vector_t v = load_ae();
    const uint8_t scs[] = {DLMS_SC_AUTH, DLMS_SC_ENC, DLMS_SC_AUTH_ENC};
    for (size_t i = 0; i < sizeof scs; i++) {
        size_t len, outlen = 0;
        uint8_t *sec = protect_with(&v, scs[i], 7, &len), out[256];
        uint32_t ic = 0;
        cr_assert_eq(sec[0], scs[i]);
        cr_assert_eq(len, DLMS_SEC_HDR_LEN + v.plain_len + (scs[i] == DLMS_SC_ENC ? 0 : 12));
        if (scs[i] == DLMS_SC_AUTH) /* authentication only: the APDU travels in clear */
            cr_assert_arr_eq(sec + DLMS_SEC_HDR_LEN, v.plain, v.plain_len);
        else
            cr_assert_arr_neq(sec + DLMS_SEC_HDR_LEN, v.plain, v.plain_len);
        cr_assert_eq(
            dlms_unprotect(&v.keys, v.systitle, 0, sec, len, 6, out, sizeof out, &outlen, &ic),
            DLMS_SEC_OK, "sc %02x", scs[i]);
        cr_assert_eq(ic, 7);
        cr_assert_eq(outlen, v.plain_len);
        cr_assert_arr_eq(out, v.plain, outlen);
        free(sec);
    }
    free(v.plain);
}

/* With the receiver's policy equal to the sender's SC, every single-bit change after the SC byte
 * (IC, ciphertext or tag) fails the tag check, and a change of the SC byte itself is rejected too
 * (bad_sc; policy when it drops a protection bit; auth when 0x10 becomes 0x30). */
Test(security, any_flipped_bit_is_rejected_sc10_and_sc30)
{
    ae_vector_t v = load_ae();
    const uint8_t scs[] = {DLMS_SC_AUTH, DLMS_SC_AUTH_ENC};
    for (size_t s = 0; s < sizeof scs; s++) {
        size_t len;
        uint8_t *sec = protect_with(&v, scs[s], v.ic, &len), out[256];
        for (size_t bit = 0; bit < len * 8; bit++) {
            sec[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            size_t outlen = 0;
            uint32_t ic = 0;
            dlms_sec_status_t st = dlms_unprotect(&v.keys, v.systitle, scs[s], sec, len,
                                                  DLMS_IC_NONE, out, sizeof out, &outlen, &ic);
            if (bit >= 8)
                cr_assert_eq(st, DLMS_SEC_AUTH, "sc %02x bit %zu: %s", scs[s], bit,
                             dlms_sec_status_name(st));
            else
                cr_assert(st == DLMS_SEC_BAD_SC || st == DLMS_SEC_POLICY || st == DLMS_SEC_AUTH,
                          "sc %02x bit %zu: %s", scs[s], bit, dlms_sec_status_name(st));
            cr_assert_eq(outlen, 0);
            sec[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        free(sec);
    }
    free(v.plain);
}

/* A cipher keyed once serves many frames: for every SC, a genuine frame, each flipped bit, a
 * replayed counter and every policy, it gives the same status, plaintext and counter as
 * dlms_unprotect with the same keys. */
Test(security, keyed_cipher_unprotects_exactly_as_dlms_unprotect)
{
    ae_vector_t v = load_ae();
    dlms_cipher_t *c = dlms_cipher_new(&v.keys);
    cr_assert_not_null(c);
    const uint8_t scs[] = {DLMS_SC_AUTH, DLMS_SC_ENC, DLMS_SC_AUTH_ENC};
    size_t genuine = 0;
    for (size_t s = 0; s < sizeof scs; s++) {
        size_t len;
        uint8_t *sec = protect_with(&v, scs[s], v.ic, &len);
        for (size_t bit = 0; bit <= len * 8; bit++) { /* bit == len * 8: the frame untouched */
            if (bit < len * 8)
                sec[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            for (int p = 0; p < 4; p++) {
                uint8_t policy = (uint8_t)(p << 4);
                int64_t min_ic = bit % 2 ? (int64_t)v.ic : DLMS_IC_NONE;
                uint8_t out1[256], out2[256];
                size_t n1 = 0, n2 = 0;
                uint32_t ic1 = 0, ic2 = 0;
                dlms_sec_status_t s1 = dlms_unprotect(&v.keys, v.systitle, policy, sec, len, min_ic,
                                                      out1, sizeof out1, &n1, &ic1);
                dlms_sec_status_t s2 = dlms_cipher_unprotect(c, v.systitle, policy, sec, len,
                                                             min_ic, out2, sizeof out2, &n2, &ic2);
                cr_assert_eq(s1, s2, "sc %02x bit %zu policy %02x", scs[s], bit, policy);
                cr_assert_eq(n1, n2);
                cr_assert_eq(ic1, ic2);
                cr_assert_arr_eq(out1, out2, n1);
                genuine += s1 == DLMS_SEC_OK && bit == len * 8;
            }
            if (bit < len * 8)
                sec[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        free(sec);
    }
    cr_assert_gt(genuine, 0, "some untouched frame was accepted");
    dlms_cipher_free(&c);
    cr_assert_null(c);
    dlms_cipher_free(&c); /* twice is harmless */
    free(v.plain);
}

/* A meter protects its frames on one keyed cipher: the octets are dlms_protect's for every SC and
 * counter, the Green Book's for its vector, and a bad SC or a short buffer is refused alike. */
Test(security, keyed_cipher_protects_exactly_as_dlms_protect)
{
    ae_vector_t v = load_ae();
    dlms_cipher_t *c = dlms_cipher_new(&v.keys);
    cr_assert_not_null(c);
    const uint8_t scs[] = {DLMS_SC_AUTH, DLMS_SC_ENC, DLMS_SC_AUTH_ENC};
    for (size_t s = 0; s < sizeof scs; s++)
        for (uint32_t ic = v.ic; ic < v.ic + 4;
             ic++) { /* the context is reused frame after frame */
            size_t len, n = 0;
            uint8_t *want = protect_with(&v, scs[s], ic, &len), got[256];
            cr_assert_eq(dlms_cipher_protect(c, v.systitle, ic, scs[s], v.plain, v.plain_len, got,
                                             sizeof got, &n),
                         0);
            cr_assert_eq(n, len, "sc %02x ic %u", scs[s], ic);
            cr_assert_arr_eq(got, want, len, "sc %02x ic %u", scs[s], ic);
            free(want);
        }
    uint8_t out[256];
    size_t n = 0;
    cr_assert_eq(
        dlms_cipher_protect(c, v.systitle, v.ic, v.sc, v.plain, v.plain_len, out, sizeof out, &n),
        0);
    char *got = to_hex(out, n), *want = gb_hex(AE, "SECURED");
    cr_assert_str_eq(got, want);
    free(got), free(want);
    cr_assert_eq(
        dlms_cipher_protect(c, v.systitle, v.ic, 0x40, v.plain, v.plain_len, out, sizeof out, &n),
        -1);
    cr_assert_eq(
        dlms_cipher_protect(c, v.systitle, v.ic, v.sc, v.plain, v.plain_len, out, v.plain_len, &n),
        -1);
    cr_assert_eq(dlms_cipher_protect(NULL, v.systitle, v.ic, v.sc, v.plain, v.plain_len, out,
                                     sizeof out, &n),
                 -1);
    dlms_cipher_free(&c);
    free(v.plain);
}

/* Encryption only (SC 0x20) has no tag: a flipped ciphertext bit is accepted and flips the same
 * plaintext bit. This is the insecure configuration a scenario can select, pinned here. */
Test(security, sc20_accepts_a_flipped_bit_and_flips_the_plaintext)
{
    ae_vector_t v = load_ae();
    size_t len, outlen;
    uint8_t *sec = protect_with(&v, DLMS_SC_ENC, 9, &len), out[256];
    uint32_t ic;
    sec[DLMS_SEC_HDR_LEN + 3] ^= 0x40;
    cr_assert_eq(dlms_unprotect(&v.keys, v.systitle, 0, sec, len, DLMS_IC_NONE, out, sizeof out,
                                &outlen, &ic),
                 DLMS_SEC_OK);
    cr_assert_eq(out[3], v.plain[3] ^ 0x40);
    free(sec), free(v.plain);
}

/* Flipping SC bit 4 turns 0x30 into 0x20: without a policy the frame is decrypted and accepted with
 * no tag check (ciphertext || tag taken as ciphertext); with policy 0x30 it is refused. */
Test(security, sc_downgrade_to_encryption_only_is_refused_by_policy_only)
{
    ae_vector_t v = load_ae();
    size_t len, outlen = 0;
    uint8_t *data = gb_bytes(AE, "SECURED", &len), out[256];
    uint32_t ic = 0;
    data[0] = DLMS_SC_ENC;
    cr_assert_eq(dlms_unprotect(&v.keys, v.systitle, 0, data, len, DLMS_IC_NONE, out, sizeof out,
                                &outlen, &ic),
                 DLMS_SEC_OK);
    cr_assert_eq(outlen, v.plain_len + DLMS_TAG_LEN);
    cr_assert_arr_eq(out, v.plain, v.plain_len); /* same GCM keystream */
    outlen = 0;
    cr_assert_eq(dlms_unprotect(&v.keys, v.systitle, DLMS_SC_AUTH_ENC, data, len, DLMS_IC_NONE, out,
                                sizeof out, &outlen, &ic),
                 DLMS_SEC_POLICY);
    data[0] = DLMS_SC_AUTH; /* authentication only is a downgrade of confidentiality */
    cr_assert_eq(dlms_unprotect(&v.keys, v.systitle, DLMS_SC_AUTH_ENC, data, len, DLMS_IC_NONE, out,
                                sizeof out, &outlen, &ic),
                 DLMS_SEC_POLICY);
    cr_assert_eq(outlen, 0);
    free(data), free(v.plain);
}

Test(security, counter_at_or_below_last_accepted_is_replay)
{
    ae_vector_t v = load_ae();
    size_t len, outlen = 0;
    uint8_t *data = gb_bytes(AE, "SECURED", &len), out[256];
    uint32_t ic = 0;
    /* IC 01234567: rejected when the last accepted is 01234567 or above, accepted below */
    const int64_t last[] = {0x01234567, 0x01234568, 0xFFFFFFFF};
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(dlms_unprotect(&v.keys, v.systitle, 0, data, len, last[i], out, sizeof out,
                                    &outlen, &ic),
                     DLMS_SEC_REPLAY);
    cr_assert_eq(outlen, 0);
    cr_assert_eq(dlms_unprotect(&v.keys, v.systitle, 0, data, len, 0x01234566, out, sizeof out,
                                &outlen, &ic),
                 DLMS_SEC_OK);
    cr_assert_eq(ic, 0x01234567u);
    cr_assert_eq(
        dlms_unprotect(&v.keys, v.systitle, 0, data, len, 0, out, sizeof out, &outlen, &ic),
        DLMS_SEC_OK);
    free(data), free(v.plain);
}

/* A sender's counter runs 1, 2, ... up to 0xFFFFFFFF and then stops: the next increment would
 * wrap to 0 and repeat the IVs of this key, so it is refused and the counter stays put. */
Test(security, invocation_counter_is_refused_once_exhausted_never_wraps)
{
    uint32_t counter = 0, ic = 7;
    cr_assert_eq(dlms_ic_next(&counter, &ic), 0);
    cr_assert_eq(ic, 1);
    cr_assert_eq(counter, 1);
    counter = 0xFFFFFFFEu;
    cr_assert_eq(dlms_ic_next(&counter, &ic), 0);
    cr_assert_eq(ic, 0xFFFFFFFFu);
    for (int k = 0; k < 3; k++) {
        ic = 7;
        cr_assert_eq(dlms_ic_next(&counter, &ic), -1);
        cr_assert_eq(counter, 0xFFFFFFFFu);
        cr_assert_eq(ic, 7, "ic written on refusal");
    }
    cr_assert_eq(dlms_ic_next(NULL, &ic), -1);
    cr_assert_eq(dlms_ic_next(&counter, NULL), -1);
}

/* Shorter than SC || IC || tag is malformed; a longer truncation moves the tag and fails it. */
Test(security, truncated_input_is_malformed_or_fails_the_tag)
{
    ae_vector_t v = load_ae();
    size_t len, outlen = 0;
    uint8_t *data = gb_bytes(AE, "SECURED", &len), out[256];
    uint32_t ic = 0;
    for (size_t n = 0; n < len; n++) {
        dlms_sec_status_t st = dlms_unprotect(&v.keys, v.systitle, 0, data, n, DLMS_IC_NONE, out,
                                              sizeof out, &outlen, &ic);
        if (n == 0)
            cr_assert_eq(st, DLMS_SEC_MALFORMED);
        else if (n < DLMS_SEC_HDR_LEN + DLMS_TAG_LEN)
            cr_assert_eq(st, DLMS_SEC_MALFORMED, "length %zu: %s", n, dlms_sec_status_name(st));
        else
            cr_assert_eq(st, DLMS_SEC_AUTH, "length %zu: %s", n, dlms_sec_status_name(st));
    }
    /* SC 0x20 needs only SC || IC */
    uint8_t enc_hdr[4] = {DLMS_SC_ENC, 0, 0, 0};
    cr_assert_eq(dlms_unprotect(&v.keys, v.systitle, 0, enc_hdr, sizeof enc_hdr, DLMS_IC_NONE, out,
                                sizeof out, &outlen, &ic),
                 DLMS_SEC_MALFORMED);
    free(data), free(v.plain);
}

Test(security, unknown_security_control_byte_is_bad_sc)
{
    ae_vector_t v = load_ae();
    size_t len, outlen;
    uint8_t *data = gb_bytes(AE, "SECURED", &len), out[256];
    uint32_t ic;
    const uint8_t bad[] = {0x00, 0x31, 0x40, 0x70, 0xB0, 0xFF};
    for (size_t i = 0; i < sizeof bad; i++) {
        data[0] = bad[i];
        cr_assert_eq(dlms_unprotect(&v.keys, v.systitle, 0, data, len, DLMS_IC_NONE, out,
                                    sizeof out, &outlen, &ic),
                     DLMS_SEC_BAD_SC, "sc %02x", bad[i]);
    }
    cr_assert_eq(
        dlms_protect(&v.keys, v.systitle, 1, 0x31, v.plain, v.plain_len, out, sizeof out, &outlen),
        -1);
    free(data), free(v.plain);
}

/* A frame protected for one meter does not verify under another system title (IV differs) or
 * another key: system-title spoofing and key mix-ups are auth failures. */
Test(security, wrong_systitle_or_key_is_auth_failure)
{
    ae_vector_t v = load_ae();
    size_t len, outlen;
    uint8_t *data = gb_bytes(AE, "SECURED", &len), out[256];
    uint32_t ic;
    uint8_t other[DLMS_SYSTITLE_LEN];
    memcpy(other, v.systitle, sizeof other);
    other[7] ^= 1;
    cr_assert_eq(
        dlms_unprotect(&v.keys, other, 0, data, len, DLMS_IC_NONE, out, sizeof out, &outlen, &ic),
        DLMS_SEC_AUTH);
    v.keys.ak[15] ^= 1;
    cr_assert_eq(dlms_unprotect(&v.keys, v.systitle, 0, data, len, DLMS_IC_NONE, out, sizeof out,
                                &outlen, &ic),
                 DLMS_SEC_AUTH);
    free(data), free(v.plain);
}

Test(security, short_output_buffers_are_refused)
{
    ae_vector_t v = load_ae();
    size_t len, outlen = 0;
    uint8_t *data = gb_bytes(AE, "SECURED", &len), out[256];
    uint32_t ic;
    cr_assert_eq(dlms_unprotect(&v.keys, v.systitle, 0, data, len, DLMS_IC_NONE, out,
                                v.plain_len - 1, &outlen, &ic),
                 DLMS_SEC_MALFORMED);
    cr_assert_eq(dlms_protect(&v.keys, v.systitle, 1, DLMS_SC_AUTH_ENC, v.plain, v.plain_len, out,
                              len - 1, &outlen),
                 -1);
    cr_assert_eq(outlen, 0);
    free(data), free(v.plain);
}

Test(security, status_names_are_the_reported_rejection_reasons)
{
    cr_assert_str_eq(dlms_sec_status_name(DLMS_SEC_OK), "ok");
    cr_assert_str_eq(dlms_sec_status_name(DLMS_SEC_MALFORMED), "malformed");
    cr_assert_str_eq(dlms_sec_status_name(DLMS_SEC_BAD_SC), "bad_sc");
    cr_assert_str_eq(dlms_sec_status_name(DLMS_SEC_AUTH), "auth");
    cr_assert_str_eq(dlms_sec_status_name(DLMS_SEC_REPLAY), "replay");
    cr_assert_str_eq(dlms_sec_status_name(DLMS_SEC_INTERNAL), "internal");
    cr_assert_str_eq(dlms_sec_status_name(DLMS_SEC_POLICY), "policy");
}

/* ---- suite 1 ---- */

/* d = 1 gives the P-256 base point G (SEC 2 / FIPS 186-4 domain parameters). */
Test(security, ecdsa_key_from_private_one_is_the_p256_generator)
{
    uint8_t d[32] = {0}, pub[DLMS_ECDSA_PUB_LEN];
    d[31] = 1;
    EVP_PKEY *k = dlms_ecdsa_key_from_private(d);
    cr_assert_not_null(k);
    cr_assert_eq(dlms_ecdsa_public_encode(k, pub), 0);
    char *hex = to_hex(pub, sizeof pub);
    cr_assert_str_eq(hex, "04"
                          "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
                          "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5");
    free(hex);
    EVP_PKEY_free(k);
    memset(d, 0, sizeof d); /* 0 and n are out of range */
    cr_assert_null(dlms_ecdsa_key_from_private(d));
    memset(d, 0xFF, sizeof d);
    cr_assert_null(dlms_ecdsa_key_from_private(d));
}

Test(security, ecdsa_signature_verifies_only_for_same_command_and_key)
{
    EVP_PKEY *k = dlms_ecdsa_keygen(), *other = dlms_ecdsa_keygen();
    cr_assert_not_null(k);
    uint8_t cmd[32], sig[DLMS_ECDSA_SIG_LEN], pub[DLMS_ECDSA_PUB_LEN];
    size_t n;
    cr_assert_eq(dlms_disconnect_request_encode(0x41, false, cmd, sizeof cmd, &n), 0);
    cr_assert_eq(dlms_ecdsa_sign(k, cmd, n, sig), 0);
    cr_assert_eq(dlms_ecdsa_verify(k, cmd, n, sig, sizeof sig), 0);
    /* a verifier holding only the public point */
    cr_assert_eq(dlms_ecdsa_public_encode(k, pub), 0);
    EVP_PKEY *pk = dlms_ecdsa_public_decode(pub);
    cr_assert_not_null(pk);
    cr_assert_eq(dlms_ecdsa_verify(pk, cmd, n, sig, sizeof sig), 0);
    cr_assert_eq(dlms_ecdsa_verify(other, cmd, n, sig, sizeof sig), -1);
    cr_assert_eq(dlms_ecdsa_verify(pk, cmd, n, sig, sizeof sig - 1), -1);
    cmd[n - 6] = DLMS_METHOD_REMOTE_RECONNECT; /* disconnect turned into reconnect */
    cr_assert_eq(dlms_ecdsa_verify(pk, cmd, n, sig, sizeof sig), -1);
    cmd[n - 6] = DLMS_METHOD_REMOTE_DISCONNECT;
    sig[40] ^= 1;
    cr_assert_eq(dlms_ecdsa_verify(pk, cmd, n, sig, sizeof sig), -1);
    pub[64] ^= 1; /* no longer on the curve */
    cr_assert_null(dlms_ecdsa_public_decode(pub));
    EVP_PKEY_free(pk), EVP_PKEY_free(k), EVP_PKEY_free(other);
}

Test(security, general_signing_verifies_and_rejects_tampered_content)
{
    EVP_PKEY *k = dlms_ecdsa_keygen();
    uint8_t cmd[32], apdu[256];
    size_t n, len;
    cr_assert_eq(dlms_disconnect_request_encode(0x41, false, cmd, sizeof cmd, &n), 0);
    const uint8_t txid[] = {0, 0, 0, 1}, hes[8] = "HES00001", meter[8] = "MTR00042";
    dlms_general_signing_t g = {.transaction_id = txid,
                                .transaction_id_len = 4,
                                .originator = hes,
                                .originator_len = 8,
                                .recipient = meter,
                                .recipient_len = 8,
                                .content = cmd,
                                .content_len = n};
    cr_assert_eq(dlms_general_signing_sign(k, &g, apdu, sizeof apdu, &len), 0);
    cr_assert_eq(apdu[0], DLMS_APDU_GENERAL_SIGNING);
    dlms_general_signing_t d;
    cr_assert_eq(dlms_general_signing_verify(k, apdu, len, &d), 0);
    cr_assert_eq(d.content_len, n);
    cr_assert_arr_eq(d.content, cmd, n);
    cr_assert_eq(d.signed_len, len - 1 - DLMS_ECDSA_SIG_LEN);
    for (size_t i = 0; i < len; i++) { /* any modified octet: malformed or a bad signature */
        apdu[i] ^= 0x01;
        cr_assert_eq(dlms_general_signing_verify(k, apdu, len, &d), -1, "octet %zu", i);
        apdu[i] ^= 0x01;
    }
    EVP_PKEY_free(k);
}
