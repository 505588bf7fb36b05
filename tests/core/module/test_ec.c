/* test_ec.c — sg17tb/ec.h: keys built from raw octets are the keys OpenSSL itself made (same
 * scalar, same point, signatures verify across), on the NIST and Brainpool curves the modules use;
 * a scalar out of range, a point off the curve or an unknown curve give NULL. */
#include <criterion/criterion.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <string.h>

#include "sg17tb/ec.h"

/* A fresh key from OpenSSL's own generator, as raw octets: scalar (field size, big-endian) and
 * the uncompressed point. */
static void generate(const char *group, uint8_t *d, size_t d_len, uint8_t *pub, size_t *pub_len)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", group);
    cr_assert_not_null(k, "%s", group);
    BIGNUM *bn = NULL;
    cr_assert_eq(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &bn), 1);
    cr_assert_eq(BN_bn2binpad(bn, d, (int)d_len), (int)d_len);
    cr_assert_eq(EVP_PKEY_set_utf8_string_param(k, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                                "uncompressed"),
                 1);
    cr_assert_eq(
        EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pub, 1 + 2 * 48, pub_len), 1);
    BN_clear_free(bn);
    EVP_PKEY_free(k);
}

static bool verifies(EVP_PKEY *signer, EVP_PKEY *verifier)
{
    static const uint8_t msg[] = "sample";
    uint8_t sig[160];
    size_t sig_len = sizeof sig;
    EVP_MD_CTX *s = EVP_MD_CTX_new(), *v = EVP_MD_CTX_new();
    bool ok = EVP_DigestSignInit(s, NULL, EVP_sha256(), NULL, signer) == 1
              && EVP_DigestSign(s, sig, &sig_len, msg, sizeof msg) == 1
              && EVP_DigestVerifyInit(v, NULL, EVP_sha256(), NULL, verifier) == 1
              && EVP_DigestVerify(v, sig, sig_len, msg, sizeof msg) == 1;
    EVP_MD_CTX_free(s);
    EVP_MD_CTX_free(v);
    return ok;
}

static void round_trip(const char *group, size_t field)
{
    uint8_t d[48], pub[1 + 2 * 48], derived[1 + 2 * 48];
    size_t pub_len = 0, derived_len = 0;
    generate(group, d, field, pub, &pub_len);
    cr_assert_eq(pub_len, 1 + 2 * field);

    EVP_PKEY *pair = sg17_ec_key(group, d, field, NULL, 0); /* the point computed from d */
    EVP_PKEY *given = sg17_ec_key(group, d, field, pub, pub_len);
    EVP_PKEY *peer = sg17_ec_key(group, NULL, 0, pub, pub_len);
    cr_assert(pair && given && peer, "%s", group);
    cr_assert_eq(EVP_PKEY_set_utf8_string_param(pair, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                                "uncompressed"),
                 1);
    cr_assert_eq(EVP_PKEY_get_octet_string_param(pair, OSSL_PKEY_PARAM_PUB_KEY, derived,
                                                 sizeof derived, &derived_len),
                 1);
    cr_assert_eq(derived_len, pub_len);
    cr_assert_eq(memcmp(derived, pub, pub_len), 0, "%s: [d]G differs from OpenSSL's point", group);
    cr_assert(verifies(pair, peer), "%s", group);
    cr_assert(verifies(given, peer), "%s", group);
    EVP_PKEY_CTX *chk = EVP_PKEY_CTX_new_from_pkey(NULL, pair, NULL);
    cr_assert_eq(EVP_PKEY_pairwise_check(chk), 1, "%s", group);
    EVP_PKEY_CTX_free(chk);

    /* the compressed form of the same point is the same public key */
    uint8_t compressed[1 + 48];
    compressed[0] = (uint8_t)(2 + (pub[pub_len - 1] & 1));
    memcpy(compressed + 1, pub + 1, field);
    EVP_PKEY *cpeer = sg17_ec_key(group, NULL, 0, compressed, 1 + field);
    cr_assert_not_null(cpeer, "%s compressed", group);
    cr_assert(verifies(pair, cpeer), "%s compressed", group);
    EVP_PKEY_free(cpeer);
    EVP_PKEY_free(pair);
    EVP_PKEY_free(given);
    EVP_PKEY_free(peer);
}

Test(ec, keys_from_octets_are_the_keys_openssl_made)
{
    round_trip("P-256", 32);
    round_trip("prime256v1", 32);
    round_trip("brainpoolP256r1", 32);
    round_trip("brainpoolP384r1", 48);
    round_trip("P-384", 48);
}

Test(ec, out_of_range_scalars_points_off_the_curve_and_unknown_curves_give_null)
{
    uint8_t d[32], pub[65];
    size_t pub_len = 0;
    generate("P-256", d, sizeof d, pub, &pub_len);
    uint8_t zero[32] = {0}, order_or_more[32];
    memset(order_or_more, 0xff, sizeof order_or_more); /* above the P-256 order */
    cr_assert_null(sg17_ec_key("P-256", zero, sizeof zero, NULL, 0));
    cr_assert_null(sg17_ec_key("P-256", zero, sizeof zero, pub, pub_len));
    cr_assert_null(sg17_ec_key("P-256", order_or_more, sizeof order_or_more, NULL, 0));
    uint8_t off[65];
    memcpy(off, pub, sizeof off);
    off[64] ^= 1; /* y + 1 or y - 1: not on the curve */
    cr_assert_null(sg17_ec_key("P-256", NULL, 0, off, sizeof off));
    cr_assert_null(sg17_ec_key("P-256", NULL, 0, pub, pub_len - 1));
    cr_assert_null(sg17_ec_key("no-such-curve", d, sizeof d, NULL, 0));
    cr_assert_null(sg17_ec_key("P-256", NULL, 0, NULL, 0));
    cr_assert_null(sg17_ec_key(NULL, d, sizeof d, NULL, 0));
}
