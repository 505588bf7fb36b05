/* sg17tb/ec.h — an OpenSSL 3 EC key from raw octets, for modules whose wire formats carry keys as
 * a big-endian private scalar and a SEC1 public point (ECDSA certificates, ECCSI/ECIES, DLMS).
 *
 * Header-only, like the rest of the SDK; unlike the rest it needs OpenSSL 3: a module that includes
 * it links libcrypto (`pkg-config --libs libcrypto`), which every module doing cryptography does
 * anyway. Nothing else in the SDK depends on OpenSSL.
 *
 *     EVP_PKEY *signer = sg17_ec_key("P-256", d, 32, NULL, 0);   key pair, public point = [d]G
 *     EVP_PKEY *peer = sg17_ec_key("P-256", NULL, 0, point, 65); public key
 *
 * The curve is an OpenSSL group name ("P-256", "P-384", "prime256v1", "brainpoolP256r1", ...).
 * The result is NULL when the name is unknown, the scalar is 0 or not below the group order, or a
 * public key's point is not a point of the curve other than the point at infinity (checked with
 * EVP_PKEY_public_check_quick, which skips the [n]Q = O test: every curve the modules use has
 * cofactor 1, where a point on the curve is in the group). A key pair built from a scalar AND a
 * point is not checked for consistency: pass the point only when it is known to be [d]G, or pass
 * NULL. Every copy of the scalar this header makes is cleansed; the caller's buffer stays the
 * caller's. */
#ifndef SG17TB_EC_H
#define SG17TB_EC_H

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Checks that d is a private scalar of group `nid` (1 <= d < order) and, when pub is not NULL,
 * writes the SEC1 uncompressed point [d]G there (1 + 2 * field octets). Returns the point's length
 * (1 when pub is NULL), or 0 when d is out of range or pub too small. */
static inline size_t sg17_ec_scalar(int nid, const BIGNUM *d, uint8_t *pub, size_t cap)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
    EC_POINT *p = g && pub ? EC_POINT_new(g) : NULL;
    size_t len = 0;
    if (g && !BN_is_zero(d) && !BN_is_negative(d) && BN_cmp(d, EC_GROUP_get0_order(g)) < 0)
        len = !pub ? 1
              : p && EC_POINT_mul(g, p, d, NULL, NULL, NULL) == 1
                  ? EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, pub, cap, NULL)
                  : 0;
    EC_POINT_free(p);
    EC_GROUP_free(g);
    return len;
}

/* An EC key from raw octets (see the header comment). Free with EVP_PKEY_free. */
static inline EVP_PKEY *sg17_ec_key(const char *group, const uint8_t *priv, size_t priv_len,
                                    const uint8_t *pub, size_t pub_len)
{
    int nid = group ? EC_curve_nist2nid(group) : NID_undef;
    if (nid == NID_undef && group)
        nid = OBJ_sn2nid(group);
    if (nid == NID_undef || (!priv && !pub))
        return NULL;
    uint8_t derived[1 + 2 * 66]; /* the largest field OpenSSL names: P-521 */
    BIGNUM *d = priv ? BN_secure_new() : NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    OSSL_PARAM *params = NULL;
    EVP_PKEY *key = NULL;
    int ok = bld && pc && (!priv || (d && BN_bin2bn(priv, (int)priv_len, d)));
    if (ok && priv && !pub) {
        pub_len = sg17_ec_scalar(nid, d, derived, sizeof derived);
        pub = derived;
        ok = pub_len > 0;
    } else if (ok && priv) {
        ok = sg17_ec_scalar(nid, d, NULL, 0) > 0;
    }
    if (ok && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, OBJ_nid2sn(nid), 0)
        && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len)
        && (!priv || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d))
        && (params = OSSL_PARAM_BLD_to_param(bld)) && EVP_PKEY_fromdata_init(pc) == 1
        && EVP_PKEY_fromdata(pc, &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
        key = NULL;
    OSSL_PARAM_free(params); /* OSSL_PARAM_BLD_to_param made secure copies of the scalar */
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(d);
    EVP_PKEY_CTX_free(pc);
    if (key && !priv) { /* a point from the wire: on the curve and not the point at infinity */
        EVP_PKEY_CTX *chk = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
        if (!chk || EVP_PKEY_public_check_quick(chk) != 1) {
            EVP_PKEY_free(key);
            key = NULL;
        }
        EVP_PKEY_CTX_free(chk);
    }
    return key;
}

#ifdef __cplusplus
}
#endif

#endif
