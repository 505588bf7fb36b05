/* test_ghash.c — the eavesdropper's AES-GCM algebra (sim/ghash.c) against OpenSSL's own GCM: the
 * field multiplication gives GHASH as GCM computes it, HLS proofs that share an IV under one key
 * give the real GHASH key, and a tag corrected by GHASH_H of a ciphertext difference verifies. */
#include <criterion/criterion.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "dlms/security.h"
#include "sim/metering_sim.h"

static void real_h(const uint8_t ek[DLMS_KEY_LEN], uint8_t h[MSIM_GF_LEN])
{
    static const uint8_t zero[MSIM_GF_LEN] = {0};
    uint8_t out[32];
    int n = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    cr_assert(c && EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, ek, NULL) == 1);
    EVP_CIPHER_CTX_set_padding(c, 0);
    cr_assert_eq(EVP_EncryptUpdate(c, out, &n, zero, MSIM_GF_LEN), 1);
    cr_assert_eq(n, MSIM_GF_LEN);
    memcpy(h, out, MSIM_GF_LEN);
    EVP_CIPHER_CTX_free(c);
}

static void fresh_keys(dlms_keys_t *k)
{
    cr_assert_eq(RAND_bytes(k->ek, DLMS_KEY_LEN), 1);
    cr_assert_eq(RAND_bytes(k->ak, DLMS_KEY_LEN), 1);
}

/* x * 1 = x, and (x^64)^2 = x^128 = x^7 + x^2 + x + 1 (the reduction GCM uses). */
Test(ghash, field_multiplication_has_gcm_bit_order_and_reduction)
{
    uint8_t one[MSIM_GF_LEN] = {0x80}, x[MSIM_GF_LEN] = {0x40}, x64[MSIM_GF_LEN] = {0},
            r[MSIM_GF_LEN];
    x64[8] = 0x80;
    cr_assert_eq(msim_gf_mul(x, one, r), 0);
    cr_assert_arr_eq(r, x, MSIM_GF_LEN);
    cr_assert_eq(msim_gf_mul(x64, x64, r), 0);
    uint8_t want[MSIM_GF_LEN] = {0xE1}; /* 1 + x + x^2 + x^7: 1110 0001 */
    cr_assert_arr_eq(r, want, MSIM_GF_LEN);
}

/* Nine HES proofs with counter 1 under one fleet key: the solver finds E_K(0^128). */
Test(ghash, hls_proofs_sharing_an_iv_give_the_real_ghash_key)
{
    dlms_keys_t k;
    fresh_keys(&k);
    static const uint8_t st[DLMS_SYSTITLE_LEN] = {'H', 'E', 'S', 0, 0, 0, 0, 0};
    uint8_t ch[9][MSIM_CHALLENGE_LEN], tag[9][DLMS_TAG_LEN], f[DLMS_HLS_GMAC_LEN];
    for (int i = 0; i < 9; i++) {
        cr_assert_eq(RAND_bytes(ch[i], MSIM_CHALLENGE_LEN), 1);
        cr_assert_eq(dlms_hls_gmac(&k, st, 1, ch[i], MSIM_CHALLENGE_LEN, f), 0);
        memcpy(tag[i], f + DLMS_SEC_HDR_LEN, DLMS_TAG_LEN);
    }
    uint8_t h[MSIM_GF_LEN], want[MSIM_GF_LEN];
    real_h(k.ek, want);
    cr_assert_eq(msim_ghash_key_from_hls(ch, tag, 9, h), 0);
    cr_assert_arr_eq(h, want, MSIM_GF_LEN);
    /* three proofs are two pairs, 192 equations for 256 unknowns: not enough */
    cr_assert_eq(msim_ghash_key_from_hls(ch, tag, 3, h), -1);
}

/* Proofs under different IVs (counters 1..9, one per context) give no key. */
Test(ghash, hls_proofs_under_distinct_ivs_give_nothing)
{
    dlms_keys_t k;
    fresh_keys(&k);
    static const uint8_t st[DLMS_SYSTITLE_LEN] = {'H', 'E', 'S', 0, 0, 0, 0, 0};
    uint8_t ch[9][MSIM_CHALLENGE_LEN], tag[9][DLMS_TAG_LEN], f[DLMS_HLS_GMAC_LEN], h[MSIM_GF_LEN];
    for (int i = 0; i < 9; i++) {
        cr_assert_eq(RAND_bytes(ch[i], MSIM_CHALLENGE_LEN), 1);
        cr_assert_eq(dlms_hls_gmac(&k, st, (uint32_t)i + 1, ch[i], MSIM_CHALLENGE_LEN, f), 0);
        memcpy(tag[i], f + DLMS_SEC_HDR_LEN, DLMS_TAG_LEN);
    }
    cr_assert_eq(msim_ghash_key_from_hls(ch, tag, 9, h), -1);
}

/* A SC 0x30 frame with one ciphertext bit flipped and its tag corrected by GHASH_H of the
 * difference verifies under the key, and its plaintext has the same bit flipped. */
Test(ghash, tag_corrected_by_ghash_of_the_difference_verifies)
{
    dlms_keys_t k;
    fresh_keys(&k);
    static const uint8_t st[DLMS_SYSTITLE_LEN] = {'H', 'E', 'S', 0, 0, 0, 0, 0};
    uint8_t apdu[40], sec[128], out[128], h[MSIM_GF_LEN], dt[MSIM_GF_LEN], delta[40] = {0};
    cr_assert_eq(RAND_bytes(apdu, sizeof apdu), 1);
    size_t sl, ol;
    uint32_t ic;
    cr_assert_eq(dlms_protect(&k, st, 7, DLMS_SC_AUTH_ENC, apdu, sizeof apdu, sec, sizeof sec, &sl),
                 0);
    real_h(k.ek, h);
    delta[33] = 0x80;
    sec[DLMS_SEC_HDR_LEN + 33] ^= 0x80;
    cr_assert_eq(
        dlms_unprotect(&k, st, DLMS_SC_AUTH_ENC, sec, sl, DLMS_IC_NONE, out, sizeof out, &ol, &ic),
        DLMS_SEC_AUTH);
    cr_assert_eq(msim_ghash_delta(h, delta, sizeof delta, dt), 0);
    for (size_t i = 0; i < DLMS_TAG_LEN; i++)
        sec[DLMS_SEC_HDR_LEN + sizeof apdu + i] ^= dt[i];
    cr_assert_eq(
        dlms_unprotect(&k, st, DLMS_SC_AUTH_ENC, sec, sl, DLMS_IC_NONE, out, sizeof out, &ol, &ic),
        DLMS_SEC_OK);
    apdu[33] ^= 0x80;
    cr_assert_arr_eq(out, apdu, sizeof apdu);
}
