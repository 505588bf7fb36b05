/* sign.c — ECDSA P-256 / SHA-256 (FIPS 186-4 §6) through EVP_DigestSign and EVP_DigestVerify; the
 * DER signature OpenSSL produces is carried as a fixed 64-octet r || s. */
#include "proto/sign.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <sg17tb/ec.h>

int sign_scalar(const uint8_t seed[SIGN_PRIV_BYTES], uint8_t d[SIGN_PRIV_BYTES])
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BIGNUM *x = BN_secure_new(), *nm1 = BN_new();
    BN_CTX *bn = BN_CTX_secure_new();
    int ok = g && x && nm1 && bn && BN_bin2bn(seed, SIGN_PRIV_BYTES, x)
             && BN_copy(nm1, EC_GROUP_get0_order(g)) && BN_sub_word(nm1, 1)
             && BN_nnmod(x, x, nm1, bn) && BN_add_word(x, 1)
             && BN_bn2binpad(x, d, SIGN_PRIV_BYTES) == SIGN_PRIV_BYTES;
    BN_CTX_free(bn);
    BN_clear_free(x);
    BN_free(nm1);
    EC_GROUP_free(g);
    return ok ? 0 : -1;
}

int sign_public(const uint8_t d[SIGN_PRIV_BYTES], uint8_t pub[SIGN_PUB_BYTES])
{
    BIGNUM *k = BN_secure_new();
    size_t n = k && BN_bin2bn(d, SIGN_PRIV_BYTES, k)
                   ? sg17_ec_scalar(NID_X9_62_prime256v1, k, pub, SIGN_PUB_BYTES)
                   : 0;
    BN_clear_free(k);
    return n == SIGN_PUB_BYTES ? 0 : -1;
}

int sign_ecdsa(const uint8_t d[SIGN_PRIV_BYTES], const uint8_t *msg, size_t len,
               uint8_t sig[SIGN_SIG_BYTES])
{
    uint8_t der[80];
    size_t der_len = sizeof der;
    EVP_PKEY *k = sg17_ec_key("P-256", d, SIGN_PRIV_BYTES, NULL, 0);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = k && md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1
             && EVP_DigestSign(md, der, &der_len, msg, len) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    const uint8_t *p = der;
    ECDSA_SIG *s = ok ? d2i_ECDSA_SIG(NULL, &p, (long)der_len) : NULL;
    ok = s && BN_bn2binpad(ECDSA_SIG_get0_r(s), sig, 32) == 32
         && BN_bn2binpad(ECDSA_SIG_get0_s(s), sig + 32, 32) == 32;
    ECDSA_SIG_free(s);
    return ok ? 0 : -1;
}

int sign_verify(const uint8_t pub[SIGN_PUB_BYTES], const uint8_t *msg, size_t len,
                const uint8_t sig[SIGN_SIG_BYTES])
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *ss = BN_bin2bn(sig + 32, 32, NULL);
    uint8_t der[80], *p = der;
    int der_len = -1;
    if (s && r && ss && ECDSA_SIG_set0(s, r, ss) == 1) {
        r = ss = NULL; /* owned by s now */
        if (i2d_ECDSA_SIG(s, NULL) <= (int)sizeof der)
            der_len = i2d_ECDSA_SIG(s, &p);
    }
    BN_free(r);
    BN_free(ss);
    ECDSA_SIG_free(s);
    EVP_PKEY *k = der_len > 0 ? sg17_ec_key("P-256", NULL, 0, pub, SIGN_PUB_BYTES) : NULL;
    EVP_MD_CTX *md = k ? EVP_MD_CTX_new() : NULL;
    int ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) == 1
             && EVP_DigestVerify(md, der, (size_t)der_len, msg, len) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    return ok ? 0 : -1;
}
