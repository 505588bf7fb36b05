/* test_eccsi.c — ECCSI (RFC 6507) against the Appendix A known-answer values in
 * tests/vectors/rfc6507-eccsi.txt, and rejection of forged or malformed signatures. */
#include <criterion/criterion.h>

#include "crypto/eccsi.h"
#include "crypto/ibccrypto.h"
#include "ibc_vectors.h"

/* The vector file's values, loaded once per test. */
static uint8_t *ID, *KSAK, *KPAK, *V, *PVT, *HS, *SSK, *J, *M, *HE, *R, *S, *SIG;
static size_t id_len, m_len, n;

static void load(void)
{
    ID = ibc_vec(IBC_VEC_ECCSI, "ID", &id_len);
    M = ibc_vec(IBC_VEC_ECCSI, "M", &m_len);
    KSAK = ibc_vec(IBC_VEC_ECCSI, "KSAK", &n);
    cr_assert_eq(n, ECCSI_N);
    KPAK = ibc_vec(IBC_VEC_ECCSI, "KPAK", &n);
    cr_assert_eq(n, ECCSI_POINT_BYTES);
    V = ibc_vec(IBC_VEC_ECCSI, "v", &n);
    PVT = ibc_vec(IBC_VEC_ECCSI, "PVT", &n);
    HS = ibc_vec(IBC_VEC_ECCSI, "HS", &n);
    SSK = ibc_vec(IBC_VEC_ECCSI, "SSK", &n);
    J = ibc_vec(IBC_VEC_ECCSI, "j", &n);
    HE = ibc_vec(IBC_VEC_ECCSI, "HE", &n);
    R = ibc_vec(IBC_VEC_ECCSI, "r", &n);
    S = ibc_vec(IBC_VEC_ECCSI, "s", &n);
    SIG = ibc_vec(IBC_VEC_ECCSI, "SIG", &n);
    cr_assert_eq(n, ECCSI_SIG_BYTES);
}

static void unload(void)
{
    uint8_t *all[] = {ID, KSAK, KPAK, V, PVT, HS, SSK, J, M, HE, R, S, SIG};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]);
}

TestSuite(eccsi, .init = load, .fini = unload);

Test(eccsi, kms_kpak_is_ksak_times_g_as_in_rfc6507_appendix_a)
{
    uint8_t kpak[ECCSI_POINT_BYTES];
    cr_assert_eq(eccsi_kms_kpak(KSAK, kpak), 0, "%s", ibccrypto_last_error());
    cr_assert_arr_eq(kpak, KPAK, ECCSI_POINT_BYTES);
}

Test(eccsi, kms_issue_with_fixed_v_reproduces_pvt_hs_and_ssk)
{
    uint8_t ssk[ECCSI_N], pvt[ECCSI_POINT_BYTES], hs[ECCSI_N];
    cr_assert_eq(eccsi_kms_issue(KSAK, ID, id_len, V, ssk, pvt, hs), 0, "%s",
                 ibccrypto_last_error());
    cr_assert_arr_eq(pvt, PVT, ECCSI_POINT_BYTES);
    cr_assert_arr_eq(hs, HS, ECCSI_N);
    cr_assert_arr_eq(ssk, SSK, ECCSI_N);
}

/* The order q of P-256 (FIPS 186-4 D.1.2.3), big-endian. */
static const uint8_t P256_Q[ECCSI_N] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

Test(eccsi, kms_ssk_from_the_vector_hs_is_the_vector_ssk)
{
    uint8_t ssk[ECCSI_N];
    cr_assert_eq(eccsi_kms_ssk(KSAK, HS, V, ssk), 0, "%s", ibccrypto_last_error());
    cr_assert_arr_eq(ssk, SSK, ECCSI_N);
}

/* RFC 6507 §5.1.1: HS ≡ 0 (mod q) aborts the issue; otherwise SSK would equal KSAK. The two
 * 32-octet values congruent to 0 are 0 and q itself. */
Test(eccsi, kms_ssk_aborts_when_hs_is_zero_mod_q)
{
    uint8_t ssk[ECCSI_N], zero[ECCSI_N] = {0};
    memset(ssk, 0xAA, sizeof ssk);
    cr_assert_eq(eccsi_kms_ssk(KSAK, P256_Q, V, ssk), -1, "HS = q must be refused");
    cr_assert(strstr(ibccrypto_last_error(), "§5.1.1") != NULL, "%s", ibccrypto_last_error());
    cr_assert_eq(eccsi_kms_ssk(KSAK, zero, V, ssk), -1, "HS = 0 must be refused");
    for (size_t i = 0; i < ECCSI_N; i++)
        cr_assert_eq(ssk[i], 0xAA, "nothing is written when the issue aborts");
    /* q + 1 ≡ 1 is fine, and gives SSK = KSAK + v */
    uint8_t q1[ECCSI_N];
    memcpy(q1, P256_Q, ECCSI_N);
    q1[ECCSI_N - 1]++;
    cr_assert_eq(eccsi_kms_ssk(KSAK, q1, V, ssk), 0, "%s", ibccrypto_last_error());
}

/* The KSAK offered as an SSK passes §5.1.2 only when HS ≡ 0 (mod q), which the receiver now
 * refuses as the KMS does; with the vector identity's real HS it fails the check. */
Test(eccsi, receiver_refuses_the_ksak_as_an_ssk)
{
    cr_assert_eq(eccsi_validate_ssk(KPAK, ID, id_len, KSAK, PVT), -1);
}

Test(eccsi, kms_issue_with_random_v_gives_a_pair_that_validates)
{
    uint8_t ssk[ECCSI_N], pvt[ECCSI_POINT_BYTES], ssk2[ECCSI_N], pvt2[ECCSI_POINT_BYTES];
    cr_assert_eq(eccsi_kms_issue(KSAK, ID, id_len, NULL, ssk, pvt, NULL), 0);
    cr_assert_eq(eccsi_kms_issue(KSAK, ID, id_len, NULL, ssk2, pvt2, NULL), 0);
    cr_assert_arr_neq(pvt, pvt2, ECCSI_POINT_BYTES, "v must be fresh per issue");
    cr_assert_eq(eccsi_validate_ssk(KPAK, ID, id_len, ssk, pvt), 0, "%s", ibccrypto_last_error());
}

Test(eccsi, hash_hs_and_he_match_the_vectors)
{
    uint8_t hs[ECCSI_N], he[ECCSI_N];
    cr_assert_eq(eccsi_hash_hs(KPAK, ID, id_len, PVT, hs), 0);
    cr_assert_arr_eq(hs, HS, ECCSI_N);
    cr_assert_eq(eccsi_hash_he(HS, R, M, m_len, he), 0);
    cr_assert_arr_eq(he, HE, ECCSI_N);
}

Test(eccsi, receiver_accepts_the_kms_pair_and_rejects_a_tampered_ssk_or_wrong_id)
{
    cr_assert_eq(eccsi_validate_ssk(KPAK, ID, id_len, SSK, PVT), 0, "%s", ibccrypto_last_error());
    uint8_t ssk[ECCSI_N];
    memcpy(ssk, SSK, ECCSI_N);
    ssk[ECCSI_N - 1] ^= 1;
    cr_assert_eq(eccsi_validate_ssk(KPAK, ID, id_len, ssk, PVT), -1);
    cr_assert(strstr(ibccrypto_last_error(), "5.1.2"), "message: %s", ibccrypto_last_error());
    cr_assert_eq(eccsi_validate_ssk(KPAK, ID, id_len - 1, SSK, PVT), -1);
}

Test(eccsi, sign_with_fixed_j_reproduces_r_s_and_sig)
{
    uint8_t sig[ECCSI_SIG_BYTES];
    cr_assert_eq(eccsi_sign(KPAK, ID, id_len, SSK, PVT, M, m_len, J, sig), 0, "%s",
                 ibccrypto_last_error());
    cr_assert_arr_eq(sig, R, ECCSI_N);
    cr_assert_arr_eq(sig + ECCSI_N, S, ECCSI_N);
    cr_assert_arr_eq(sig, SIG, ECCSI_SIG_BYTES);
}

Test(eccsi, verify_accepts_the_rfc_signature)
{
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len, SIG, ECCSI_SIG_BYTES), 0, "%s",
                 ibccrypto_last_error());
}

Test(eccsi, verify_rejects_every_single_bit_flip_of_the_signature)
{
    eccsi_verifier_t *v = eccsi_verifier_new(KPAK);
    cr_assert_not_null(v);
    uint8_t sig[ECCSI_SIG_BYTES];
    for (size_t bit = 0; bit < 8 * ECCSI_SIG_BYTES; bit++) {
        memcpy(sig, SIG, sizeof sig);
        sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        cr_assert_eq(eccsi_verifier_verify(v, ID, id_len, M, m_len, sig, sizeof sig), -1,
                     "bit %zu flipped was accepted", bit);
    }
    eccsi_verifier_destroy(&v);
    cr_assert_null(v);
    eccsi_verifier_destroy(&v); /* safe twice */
}

Test(eccsi, verify_rejects_a_wrong_identity_or_message)
{
    uint8_t id[64], msg[64];
    memcpy(id, ID, id_len);
    id[3] ^= 1; /* "2011-02" -> another period */
    cr_assert_eq(eccsi_verify(KPAK, id, id_len, M, m_len, SIG, ECCSI_SIG_BYTES), -1);
    memcpy(msg, M, m_len);
    msg[0] ^= 0x20;
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, msg, m_len, SIG, ECCSI_SIG_BYTES), -1);
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len - 1, SIG, ECCSI_SIG_BYTES), -1);
}

Test(eccsi, verify_rejects_truncated_or_extended_signatures_with_a_message)
{
    uint8_t sig[ECCSI_SIG_BYTES + 1];
    memcpy(sig, SIG, ECCSI_SIG_BYTES);
    sig[ECCSI_SIG_BYTES] = 0;
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len, sig, ECCSI_SIG_BYTES - 1), -1);
    cr_assert(strstr(ibccrypto_last_error(), "129"), "message: %s", ibccrypto_last_error());
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len, sig, ECCSI_SIG_BYTES + 1), -1);
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len, NULL, 0), -1);
}

Test(eccsi, verify_rejects_zero_or_out_of_range_r_and_s)
{
    uint8_t sig[ECCSI_SIG_BYTES];
    memcpy(sig, SIG, sizeof sig);
    memset(sig, 0, ECCSI_N); /* r = 0 */
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len, sig, sizeof sig), -1);
    memcpy(sig, SIG, sizeof sig);
    memset(sig + ECCSI_N, 0xFF, ECCSI_N); /* s >= q */
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len, sig, sizeof sig), -1);
    cr_assert(strstr(ibccrypto_last_error(), "[1, q-1]"), "message: %s", ibccrypto_last_error());
}

Test(eccsi, verify_rejects_a_pvt_off_the_curve_or_not_uncompressed)
{
    uint8_t sig[ECCSI_SIG_BYTES];
    memcpy(sig, SIG, sizeof sig);
    sig[2 * ECCSI_N + ECCSI_POINT_BYTES - 1] ^= 1; /* PVT y changed: off the curve */
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len, sig, sizeof sig), -1);
    cr_assert(strstr(ibccrypto_last_error(), "PVT"), "message: %s", ibccrypto_last_error());
    memcpy(sig, SIG, sizeof sig);
    sig[2 * ECCSI_N] = 0x02; /* compressed prefix */
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len, sig, sizeof sig), -1);
    memset(sig + 2 * ECCSI_N + 1, 0xFF, ECCSI_N); /* x >= p */
    sig[2 * ECCSI_N] = 0x04;
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len, sig, sizeof sig), -1);
}

Test(eccsi, verifier_and_signer_refuse_invalid_kms_values)
{
    uint8_t bad[ECCSI_POINT_BYTES];
    memcpy(bad, KPAK, sizeof bad);
    bad[10] ^= 1;
    cr_assert_null(eccsi_verifier_new(bad));
    cr_assert_eq(eccsi_point_check(bad, sizeof bad), -1);
    cr_assert_eq(eccsi_point_check(KPAK, ECCSI_POINT_BYTES), 0);
    cr_assert_eq(eccsi_point_check(KPAK, ECCSI_POINT_BYTES - 1), -1);
    cr_assert_null(eccsi_signer_new(KPAK, ID, id_len, SSK, bad));
    uint8_t zero[ECCSI_N] = {0}, kpak[ECCSI_POINT_BYTES], sig[ECCSI_SIG_BYTES];
    cr_assert_eq(eccsi_kms_kpak(zero, kpak), -1, "KSAK = 0 must be refused");
    cr_assert_eq(eccsi_sign(KPAK, ID, id_len, SSK, PVT, M, m_len, zero, sig), -1,
                 "j = 0 must be refused");
}

Test(eccsi, random_j_signatures_differ_and_both_verify)
{
    eccsi_signer_t *s = eccsi_signer_new(KPAK, ID, id_len, SSK, PVT);
    cr_assert_not_null(s, "%s", ibccrypto_last_error());
    uint8_t a[ECCSI_SIG_BYTES], b[ECCSI_SIG_BYTES];
    cr_assert_eq(eccsi_signer_sign(s, M, m_len, NULL, a), 0);
    cr_assert_eq(eccsi_signer_sign(s, M, m_len, NULL, b), 0);
    cr_assert_arr_neq(a, b, ECCSI_N, "r must differ: j is fresh per signature");
    cr_assert_arr_eq(a + 2 * ECCSI_N, PVT, ECCSI_POINT_BYTES);
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len, a, sizeof a), 0);
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len, b, sizeof b), 0);
    eccsi_signer_destroy(&s);
    cr_assert_null(s);
}

Test(eccsi, signature_by_another_kms_is_rejected)
{
    uint8_t ksak[ECCSI_N], kpak[ECCSI_POINT_BYTES], ssk[ECCSI_N], pvt[ECCSI_POINT_BYTES];
    uint8_t sig[ECCSI_SIG_BYTES];
    memcpy(ksak, KSAK, ECCSI_N);
    ksak[ECCSI_N - 1] ^= 0x55; /* a rogue KMS issuing the same identity */
    cr_assert_eq(eccsi_kms_kpak(ksak, kpak), 0);
    cr_assert_eq(eccsi_kms_issue(ksak, ID, id_len, NULL, ssk, pvt, NULL), 0);
    cr_assert_eq(eccsi_sign(kpak, ID, id_len, ssk, pvt, M, m_len, NULL, sig), 0);
    cr_assert_eq(eccsi_verify(kpak, ID, id_len, M, m_len, sig, sizeof sig), 0);
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len, sig, sizeof sig), -1);
}

/* RFC 6507 signatures are malleable: (r, q - s) verifies for the same message and identity, so
 * no cache or audit record may take the signature octets for a message's identity. */
Test(eccsi, the_negated_signature_r_q_minus_s_verifies_as_well)
{
    uint8_t neg[ECCSI_SIG_BYTES], back[ECCSI_SIG_BYTES];
    cr_assert_eq(eccsi_sig_negate(SIG, neg), 0, "%s", ibccrypto_last_error());
    cr_assert_arr_eq(neg, SIG, ECCSI_N, "r unchanged");
    cr_assert_arr_neq(neg + ECCSI_N, SIG + ECCSI_N, ECCSI_N, "s changed");
    cr_assert_arr_eq(neg + 2 * ECCSI_N, SIG + 2 * ECCSI_N, ECCSI_POINT_BYTES, "PVT unchanged");
    cr_assert_eq(eccsi_verify(KPAK, ID, id_len, M, m_len, neg, ECCSI_SIG_BYTES), 0, "%s",
                 ibccrypto_last_error());
    cr_assert_eq(eccsi_sig_negate(neg, back), 0);
    cr_assert_arr_eq(back, SIG, ECCSI_SIG_BYTES);
    uint8_t zero_s[ECCSI_SIG_BYTES];
    memcpy(zero_s, SIG, ECCSI_SIG_BYTES);
    memset(zero_s + ECCSI_N, 0, ECCSI_N);
    cr_assert_eq(eccsi_sig_negate(zero_s, neg), -1, "s = 0 is not a signature");
}
