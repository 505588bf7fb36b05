/* dlms/security.c — DLMS/COSEM suite 0 protect/unprotect, HLS-GMAC, suite-1 ECDSA (OpenSSL 3). */
#include "dlms/security.h"

#include <limits.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <sg17tb/ec.h>
#include <sg17tb/wire.h>

#define DLMS_GCM_IV_LEN 12

const char *dlms_sec_status_name(dlms_sec_status_t status)
{
    switch (status) {
    case DLMS_SEC_OK:
        return "ok";
    case DLMS_SEC_MALFORMED:
        return "malformed";
    case DLMS_SEC_BAD_SC:
        return "bad_sc";
    case DLMS_SEC_AUTH:
        return "auth";
    case DLMS_SEC_REPLAY:
        return "replay";
    case DLMS_SEC_INTERNAL:
        return "internal";
    case DLMS_SEC_POLICY:
        return "policy";
    }
    return "unknown";
}

static void make_iv(uint8_t iv[DLMS_GCM_IV_LEN], const uint8_t systitle[DLMS_SYSTITLE_LEN],
                    uint32_t ic)
{
    memcpy(iv, systitle, DLMS_SYSTITLE_LEN);
    sg17_store_be32(iv + DLMS_SYSTITLE_LEN, ic);
}

static int sc_valid(uint8_t sc)
{
    return sc == DLMS_SC_AUTH || sc == DLMS_SC_ENC || sc == DLMS_SC_AUTH_ENC;
}

size_t dlms_protected_len(uint8_t sc, size_t len)
{
    if (!sc_valid(sc))
        return 0;
    return DLMS_SEC_HDR_LEN + len + (sc == DLMS_SC_ENC ? 0 : DLMS_TAG_LEN);
}

/* One AES-GCM-128 pass on a context already keyed with EK: only the IV (and direction) is set
 * here. AAD is sc || ak || extra when ak is given (nothing otherwise); in (inlen octets, may be
 * 0) is encrypted or decrypted into out. With tag == NULL there is no tag at all (SC 0x20: GCM
 * used as a stream cipher). Decrypting with a tag verifies it: -2 on mismatch. Returns 0, -1
 * (OpenSSL failure) or -2 (tag mismatch).
 * Per frame OpenSSL 3's per-call overhead outweighs AES on these short APDUs, so sc || ak goes in
 * as one AAD update, and the tag is read or set through the context's parameters directly
 * (EVP_CIPHER_CTX_get_params/set_params, what EVP_CIPHER_CTX_ctrl translates to). */
static int gcm_keyed_run(EVP_CIPHER_CTX *ctx, int encrypt, const uint8_t iv[DLMS_GCM_IV_LEN],
                         uint8_t sc, const uint8_t *ak, const uint8_t *extra, size_t extra_len,
                         const uint8_t *in, size_t inlen, uint8_t *out, uint8_t tag[DLMS_TAG_LEN])
{
    if (inlen > INT_MAX || extra_len > INT_MAX)
        return -1;
    int n = 0;
    uint8_t fin[16]; /* GCM's final step writes nothing; never form out + 0 from a NULL out */
    uint8_t *fin_out = out ? out + inlen : fin;
    if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, encrypt) != 1)
        return -1;
    if (ak) {
        uint8_t aad[1 + DLMS_KEY_LEN]; /* sc || AK */
        aad[0] = sc;
        memcpy(aad + 1, ak, DLMS_KEY_LEN);
        int ok = EVP_CipherUpdate(ctx, NULL, &n, aad, (int)sizeof aad);
        OPENSSL_cleanse(aad, sizeof aad);
        if (ok != 1)
            return -1;
        if (extra_len > 0 && EVP_CipherUpdate(ctx, NULL, &n, extra, (int)extra_len) != 1)
            return -1;
    }
    if (inlen > 0 && EVP_CipherUpdate(ctx, out, &n, in, (int)inlen) != 1)
        return -1;
    if (!tag)
        return 0; /* no tag: the keystream XOR is all there is */
    OSSL_PARAM tag_param[2] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, DLMS_TAG_LEN),
        OSSL_PARAM_construct_end()};
    if (encrypt)
        return EVP_CipherFinal_ex(ctx, fin_out, &n) == 1
                       && EVP_CIPHER_CTX_get_params(ctx, tag_param) == 1
                   ? 0
                   : -1;
    if (EVP_CIPHER_CTX_set_params(ctx, tag_param) != 1)
        return -1;
    return EVP_CipherFinal_ex(ctx, fin_out, &n) == 1 ? 0 : -2;
}

/* A context keyed with ek for AES-GCM-128 (the key schedule and GHASH key computed once); NULL
 * on failure. EVP_CIPHER_CTX_free cleanses it. */
static EVP_CIPHER_CTX *gcm_keyed(const uint8_t ek[DLMS_KEY_LEN])
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx && EVP_CipherInit_ex(ctx, EVP_aes_128_gcm(), NULL, ek, NULL, 0) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* gcm_keyed_run on a context keyed for this one pass. */
static int gcm_run(int encrypt, const uint8_t ek[DLMS_KEY_LEN], const uint8_t iv[DLMS_GCM_IV_LEN],
                   uint8_t sc, const uint8_t *ak, const uint8_t *extra, size_t extra_len,
                   const uint8_t *in, size_t inlen, uint8_t *out, uint8_t tag[DLMS_TAG_LEN])
{
    EVP_CIPHER_CTX *ctx = gcm_keyed(ek);
    if (!ctx)
        return -1;
    int rc = gcm_keyed_run(ctx, encrypt, iv, sc, ak, extra, extra_len, in, inlen, out, tag);
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int dlms_ic_next(uint32_t *counter, uint32_t *ic)
{
    if (!counter || !ic || *counter == UINT32_MAX)
        return -1;
    *ic = ++*counter;
    return 0;
}

/* Suite 0 protection: SC 0x10 authenticates the clear APDU (it goes into the AAD), 0x20 only
 * encrypts, 0x30 encrypts and authenticates SC || AK. On a context keyed with EK (`keyed`), or on
 * one keyed for this frame only. */
static int protect(EVP_CIPHER_CTX *keyed, const uint8_t ek[DLMS_KEY_LEN],
                   const uint8_t ak[DLMS_KEY_LEN], const uint8_t systitle[DLMS_SYSTITLE_LEN],
                   uint32_t ic, uint8_t sc, const uint8_t *apdu, size_t len, uint8_t *out,
                   size_t cap, size_t *outlen)
{
    if (!systitle || (!apdu && len) || !out || !outlen || !sc_valid(sc))
        return -1;
    size_t need = dlms_protected_len(sc, len);
    if (need < len || cap < need)
        return -1;
    EVP_CIPHER_CTX *ctx = keyed ? keyed : gcm_keyed(ek);
    if (!ctx)
        return -1;
    uint8_t iv[DLMS_GCM_IV_LEN];
    make_iv(iv, systitle, ic);
    out[0] = sc;
    sg17_store_be32(out + 1, ic);
    uint8_t *body = out + DLMS_SEC_HDR_LEN;
    int rc;
    switch (sc) {
    case DLMS_SC_AUTH:
        if (len)
            memmove(body, apdu, len);
        rc = gcm_keyed_run(ctx, 1, iv, sc, ak, body, len, NULL, 0, NULL, body + len);
        break;
    case DLMS_SC_ENC:
        rc = gcm_keyed_run(ctx, 1, iv, sc, NULL, NULL, 0, apdu, len, body, NULL);
        break;
    default:
        rc = gcm_keyed_run(ctx, 1, iv, sc, ak, NULL, 0, apdu, len, body, body + len);
        break;
    }
    if (!keyed)
        EVP_CIPHER_CTX_free(ctx);
    if (rc != 0)
        return -1;
    *outlen = need;
    return 0;
}

int dlms_protect(const dlms_keys_t *keys, const uint8_t systitle[DLMS_SYSTITLE_LEN], uint32_t ic,
                 uint8_t sc, const uint8_t *apdu, size_t len, uint8_t *out, size_t cap,
                 size_t *outlen)
{
    if (!keys)
        return -1;
    return protect(NULL, keys->ek, keys->ak, systitle, ic, sc, apdu, len, out, cap, outlen);
}

/* A receiver's suite-0 state for one peer: a GCM context keyed once with the peer's EK, and its
 * AK for the AAD. */
struct dlms_cipher {
    EVP_CIPHER_CTX *ctx;
    uint8_t ak[DLMS_KEY_LEN];
};

dlms_cipher_t *dlms_cipher_new(const dlms_keys_t *keys)
{
    if (!keys)
        return NULL;
    dlms_cipher_t *c = OPENSSL_zalloc(sizeof *c);
    if (!c || !(c->ctx = gcm_keyed(keys->ek))) {
        OPENSSL_free(c);
        return NULL;
    }
    memcpy(c->ak, keys->ak, DLMS_KEY_LEN);
    return c;
}

void dlms_cipher_free(dlms_cipher_t **cp)
{
    if (!cp || !*cp)
        return;
    EVP_CIPHER_CTX_free((*cp)->ctx);
    OPENSSL_clear_free(*cp, sizeof **cp);
    *cp = NULL;
}

/* The checks run cheapest first (length, SC and policy, counter, then the tag), so a flood of
 * stale or garbled frames costs no AES work. The counter is reported to the caller only once the
 * tag has verified. A keyed context is made for this frame only when the checks pass and no
 * keyed one is given. */
static dlms_sec_status_t unprotect(EVP_CIPHER_CTX *keyed, const dlms_keys_t *keys,
                                   const uint8_t *ak, const uint8_t systitle[DLMS_SYSTITLE_LEN],
                                   uint8_t policy, const uint8_t *data, size_t len, int64_t min_ic,
                                   uint8_t *out, size_t cap, size_t *outlen, uint32_t *ic_out)
{
    if (!systitle || !data || !out || !outlen || !ic_out || len < DLMS_SEC_HDR_LEN)
        return DLMS_SEC_MALFORMED;
    uint8_t sc = data[0];
    if (!sc_valid(sc))
        return DLMS_SEC_BAD_SC;
    if ((sc & policy) != policy)
        return DLMS_SEC_POLICY;
    size_t taglen = sc == DLMS_SC_ENC ? 0 : DLMS_TAG_LEN;
    if (len < DLMS_SEC_HDR_LEN + taglen)
        return DLMS_SEC_MALFORMED;
    size_t plen = len - DLMS_SEC_HDR_LEN - taglen;
    if (cap < plen)
        return DLMS_SEC_MALFORMED;
    uint32_t ic = sg17_load_be32(data + 1);
    if (min_ic >= 0 && (int64_t)ic <= min_ic)
        return DLMS_SEC_REPLAY;

    EVP_CIPHER_CTX *ctx = keyed ? keyed : gcm_keyed(keys->ek);
    if (!ctx)
        return DLMS_SEC_INTERNAL;
    uint8_t iv[DLMS_GCM_IV_LEN], tag[DLMS_TAG_LEN];
    make_iv(iv, systitle, ic);
    const uint8_t *body = data + DLMS_SEC_HDR_LEN;
    if (taglen)
        memcpy(tag, body + plen, DLMS_TAG_LEN);
    int rc;
    switch (sc) {
    case DLMS_SC_AUTH:
        rc = gcm_keyed_run(ctx, 0, iv, sc, ak, body, plen, NULL, 0, NULL, tag);
        if (rc == 0 && plen)
            memmove(out, body, plen);
        break;
    case DLMS_SC_ENC:
        rc = gcm_keyed_run(ctx, 0, iv, sc, NULL, NULL, 0, body, plen, out, NULL);
        break;
    default:
        rc = gcm_keyed_run(ctx, 0, iv, sc, ak, NULL, 0, body, plen, out, tag);
        if (rc != 0 && plen)
            OPENSSL_cleanse(out, plen); /* never leave unverified plaintext behind */
        break;
    }
    if (!keyed)
        EVP_CIPHER_CTX_free(ctx);
    if (rc == -2)
        return DLMS_SEC_AUTH;
    if (rc != 0)
        return DLMS_SEC_INTERNAL;
    *outlen = plen;
    *ic_out = ic;
    return DLMS_SEC_OK;
}

dlms_sec_status_t dlms_unprotect(const dlms_keys_t *keys, const uint8_t systitle[DLMS_SYSTITLE_LEN],
                                 uint8_t policy, const uint8_t *data, size_t len, int64_t min_ic,
                                 uint8_t *out, size_t cap, size_t *outlen, uint32_t *ic_out)
{
    if (!keys)
        return DLMS_SEC_MALFORMED;
    return unprotect(NULL, keys, keys->ak, systitle, policy, data, len, min_ic, out, cap, outlen,
                     ic_out);
}

int dlms_cipher_protect(dlms_cipher_t *c, const uint8_t systitle[DLMS_SYSTITLE_LEN], uint32_t ic,
                        uint8_t sc, const uint8_t *apdu, size_t len, uint8_t *out, size_t cap,
                        size_t *outlen)
{
    if (!c)
        return -1;
    return protect(c->ctx, NULL, c->ak, systitle, ic, sc, apdu, len, out, cap, outlen);
}

dlms_sec_status_t dlms_cipher_unprotect(dlms_cipher_t *c, const uint8_t systitle[DLMS_SYSTITLE_LEN],
                                        uint8_t policy, const uint8_t *data, size_t len,
                                        int64_t min_ic, uint8_t *out, size_t cap, size_t *outlen,
                                        uint32_t *ic_out)
{
    if (!c)
        return DLMS_SEC_MALFORMED;
    return unprotect(c->ctx, NULL, c->ak, systitle, policy, data, len, min_ic, out, cap, outlen,
                     ic_out);
}

/* HLS mechanism 5: a GMAC (GCM with no plaintext) over 0x10 || AK || challenge. */
int dlms_hls_gmac(const dlms_keys_t *keys, const uint8_t systitle[DLMS_SYSTITLE_LEN], uint32_t ic,
                  const uint8_t *challenge, size_t challenge_len, uint8_t out[DLMS_HLS_GMAC_LEN])
{
    if (!keys || !systitle || (!challenge && challenge_len) || !out)
        return -1;
    uint8_t iv[DLMS_GCM_IV_LEN];
    make_iv(iv, systitle, ic);
    out[0] = DLMS_SC_AUTH;
    sg17_store_be32(out + 1, ic);
    return gcm_run(1, keys->ek, iv, DLMS_SC_AUTH, keys->ak, challenge, challenge_len, NULL, 0, NULL,
                   out + DLMS_SEC_HDR_LEN)
                   == 0
               ? 0
               : -1;
}

int dlms_hls_gmac_verify(const dlms_keys_t *keys, const uint8_t systitle[DLMS_SYSTITLE_LEN],
                         const uint8_t *challenge, size_t challenge_len, const uint8_t *f,
                         size_t len)
{
    if (!f || len != DLMS_HLS_GMAC_LEN || f[0] != DLMS_SC_AUTH)
        return -1;
    uint8_t expect[DLMS_HLS_GMAC_LEN];
    if (dlms_hls_gmac(keys, systitle, sg17_load_be32(f + 1), challenge, challenge_len, expect) != 0)
        return -1;
    return CRYPTO_memcmp(expect, f, DLMS_HLS_GMAC_LEN) == 0 ? 0 : -1;
}

void dlms_keys_cleanse(dlms_keys_t *keys)
{
    if (keys)
        OPENSSL_cleanse(keys, sizeof *keys);
}

/* ---- suite 1: ECDSA P-256 / SHA-256 ---- */

EVP_PKEY *dlms_ecdsa_keygen(void)
{
    return EVP_EC_gen("P-256");
}

EVP_PKEY *dlms_ecdsa_key_from_private(const uint8_t priv[DLMS_ECDSA_PRIV_LEN])
{
    return priv ? sg17_ec_key("P-256", priv, DLMS_ECDSA_PRIV_LEN, NULL, 0) : NULL;
}

int dlms_ecdsa_public_encode(EVP_PKEY *key, uint8_t out[DLMS_ECDSA_PUB_LEN])
{
    size_t n = 0;
    if (!key || !out
        || EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, out, DLMS_ECDSA_PUB_LEN,
                                           &n)
               != 1)
        return -1;
    return n == DLMS_ECDSA_PUB_LEN && out[0] == 0x04 ? 0 : -1;
}

EVP_PKEY *dlms_ecdsa_public_decode(const uint8_t pub[DLMS_ECDSA_PUB_LEN])
{
    if (!pub || pub[0] != 0x04)
        return NULL;
    return sg17_ec_key("P-256", NULL, 0, pub, DLMS_ECDSA_PUB_LEN);
}

/* EVP_DigestSign yields a DER ECDSA-Sig-Value; DLMS carries the fixed-size r || s form. */
int dlms_ecdsa_sign(EVP_PKEY *key, const uint8_t *msg, size_t len, uint8_t sig[DLMS_ECDSA_SIG_LEN])
{
    if (!key || (!msg && len) || !sig)
        return -1;
    int rc = -1;
    uint8_t der[80];
    size_t derlen = sizeof der;
    ECDSA_SIG *es = NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1
        || EVP_DigestSign(md, der, &derlen, msg, len) != 1)
        goto done;
    const uint8_t *p = der;
    if (!(es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)))
        goto done;
    const BIGNUM *r = ECDSA_SIG_get0_r(es), *s = ECDSA_SIG_get0_s(es);
    if (BN_bn2binpad(r, sig, 32) != 32 || BN_bn2binpad(s, sig + 32, 32) != 32)
        goto done;
    rc = 0;
done:
    ECDSA_SIG_free(es);
    EVP_MD_CTX_free(md);
    return rc;
}

int dlms_ecdsa_verify(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t *sig,
                      size_t sig_len)
{
    if (!key || (!msg && len) || !sig || sig_len != DLMS_ECDSA_SIG_LEN)
        return -1;
    int rc = -1;
    uint8_t *der = NULL;
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!es || !r || !s || !md || ECDSA_SIG_set0(es, r, s) != 1)
        goto done;
    r = s = NULL; /* owned by es now */
    int derlen = i2d_ECDSA_SIG(es, &der);
    if (derlen <= 0)
        goto done;
    if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1
        && EVP_DigestVerify(md, der, (size_t)derlen, msg, len) == 1)
        rc = 0;
done:
    OPENSSL_free(der);
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    EVP_MD_CTX_free(md);
    return rc;
}
