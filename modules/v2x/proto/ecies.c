/* ecies.c — encryptedData (IEEE 1609.2 §5.3.5 and §6.3.30-6.3.46, ETSI TS 103 097 §5.3) for the
 * confidential emergency warnings of X.1372 clause 9.2: a fresh AES-128 key encrypts the payload
 * with AES-128-CCM (12-octet nonce, 16-octet tag); the key is wrapped for one recipient
 * certificate with ECIES on P-256: ephemeral ECDH, KDF2 (IEEE 1363a) with SHA-256 and
 * P1 = SHA-256(recipient certificate), XOR with K1, HMAC-SHA-256 tag over the wrapped key with
 * K2 truncated to 16 octets. All primitives are OpenSSL EVP. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "internal.h"

#define AES_KEY_LEN 16
#define CCM_NONCE   12
#define CCM_TAG     16
#define ECIES_MAC   16

/* Z = x(d * Q) with OpenSSL's ECDH (cofactor 1 on P-256). */
static int ecdh(const EVP_PKEY *priv, const EVP_PKEY *peer, uint8_t z[32])
{
    size_t len = 32;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new((EVP_PKEY *)priv, NULL);
    int ok = ctx && EVP_PKEY_derive_init(ctx) == 1
             && EVP_PKEY_derive_set_peer(ctx, (EVP_PKEY *)peer) == 1
             && EVP_PKEY_derive(ctx, z, &len) == 1 && len == 32;
    EVP_PKEY_CTX_free(ctx);
    return ok ? V2X_OK : V2X_ECRYPTO;
}

/* KDF2 (IEEE 1363a §13.2): K = SHA-256(Z || 1 || P1) || SHA-256(Z || 2 || P1), 48 octets used:
 * K1 (16, the XOR key) then K2 (32, the MAC key). */
static int kdf2(const uint8_t z[32], const uint8_t p1[32], uint8_t k[64])
{
    uint8_t in[32 + 4 + 32];
    memcpy(in, z, 32);
    memcpy(in + 36, p1, 32);
    int rc = V2X_OK;
    for (uint32_t i = 1; i <= 2 && rc == V2X_OK; i++) {
        sg17_store_be32(in + 32, i);
        rc = v2x_hash(V2X_HASH_SHA256, in, sizeof in, k + 32 * (i - 1));
    }
    OPENSSL_cleanse(in, sizeof in);
    return rc;
}

/* tag = HMAC-SHA-256(K2, c) truncated to 16 octets. */
static int mac(const uint8_t k2[32], const uint8_t c[16], uint8_t tag[32])
{
    unsigned len = 32;
    return HMAC(EVP_sha256(), k2, 32, c, 16, tag, &len) && len == 32 ? V2X_OK : V2X_ECRYPTO;
}

/* AES-128-CCM in one pass (no associated data); enc: out = ct || tag, else in = ct || tag. */
static int ccm(bool enc, const uint8_t key[16], const uint8_t nonce[12], const uint8_t *in,
               size_t len, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, rc = V2X_ECRYPTO;
    size_t body = enc ? len : len - CCM_TAG;
    if (!ctx || len > (size_t)INT32_MAX)
        goto done;
    if (EVP_CipherInit_ex(ctx, EVP_aes_128_ccm(), NULL, NULL, NULL, enc) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, CCM_NONCE, NULL) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, CCM_TAG,
                               enc ? NULL : (void *)(in + body))
               != 1
        || EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1
        || EVP_CipherUpdate(ctx, NULL, &n, NULL, (int)body) != 1)
        goto done;
    if (EVP_CipherUpdate(ctx, out, &n, in, (int)body) != 1) {
        rc = enc ? V2X_ECRYPTO : V2X_EDECRYPT; /* CCM checks the tag here on decryption */
        goto done;
    }
    if (enc) {
        if (EVP_CipherFinal_ex(ctx, out + n, &n) != 1
            || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, CCM_TAG, out + body) != 1)
            goto done;
    }
    rc = V2X_OK;
done:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int v2x_encrypt(const uint8_t *plaintext, size_t len, const v2x_cert_t *recipient, uint8_t *out,
                size_t cap, size_t *out_len)
{
    uint8_t aes[AES_KEY_LEN], nonce[CCM_NONCE], z[32], k[64], c[16], tag[32], v[V2X_MAX_POINT];
    size_t vl;
    int rc = V2X_EARG;
    EVP_PKEY *eph = NULL;
    if (!plaintext || !recipient || !recipient->enc_key || !out_len
        || recipient->view.enc_curve != V2X_CURVE_P256)
        return V2X_EARG;
    if (RAND_bytes(aes, sizeof aes) != 1 || RAND_bytes(nonce, sizeof nonce) != 1
        || !(eph = v2x_key_generate(V2X_CURVE_P256))) {
        rc = V2X_ECRYPTO;
        goto done;
    }
    /* P1 = SHA-256 of the recipient certificate (TS 103 097 §5.3) */
    uint8_t p1[32];
    if ((rc = v2x_hash(V2X_HASH_SHA256, recipient->bytes, recipient->len, p1)) != V2X_OK
        || (rc = ecdh(eph, recipient->enc_key, z)) != V2X_OK || (rc = kdf2(z, p1, k)) != V2X_OK)
        goto done;
    for (int i = 0; i < 16; i++)
        c[i] = aes[i] ^ k[i];
    if ((rc = mac(k + 16, c, tag)) != V2X_OK
        || (rc = v2x_key_public_compressed(eph, v, sizeof v, &vl)) != V2X_OK)
        goto done;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, 3);
    sg17_put_u8(&w, OER_TAG(2)); /* encryptedData */
    oer_put_count(&w, 1);
    sg17_put_u8(&w, OER_TAG(2)); /* certRecipInfo */
    sg17_put_bytes(&w, recipient->hashedid8, 8);
    sg17_put_u8(&w, OER_TAG(0)); /* eciesNistP256 */
    v2x_put_point(&w, V2X_CURVE_P256, v);
    sg17_put_bytes(&w, c, 16);
    sg17_put_bytes(&w, tag, ECIES_MAC);
    sg17_put_u8(&w, OER_TAG(0)); /* aes128ccm */
    sg17_put_bytes(&w, nonce, CCM_NONCE);
    oer_put_length(&w, len + CCM_TAG);
    uint8_t *ct = sg17_put_space(&w, len + CCM_TAG);
    if (!ct) {
        rc = V2X_ESPACE;
        goto done;
    }
    if ((rc = ccm(true, aes, nonce, plaintext, len, ct)) != V2X_OK)
        goto done;
    rc = sg17_writer_finish(&w, out_len) == 0 ? V2X_OK : V2X_ESPACE;
done:
    OPENSSL_cleanse(aes, sizeof aes);
    OPENSSL_cleanse(z, sizeof z);
    OPENSSL_cleanse(k, sizeof k);
    EVP_PKEY_free(eph);
    return rc;
}

int v2x_decrypt(const v2x_spdu_t *s, const v2x_cert_t *recipient, const EVP_PKEY *enc_private,
                uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t z[32], k[64], tag[32], aes[AES_KEY_LEN], p1[32];
    int rc;
    if (!s || !recipient || !enc_private || !out_len)
        return V2X_EARG;
    if (s->content != V2X_CONTENT_ENCRYPTED)
        return V2X_EARG;
    if (memcmp(s->recipient, recipient->hashedid8, 8) != 0)
        return V2X_EDECRYPT;
    size_t plain = s->ciphertext_len - CCM_TAG;
    if (cap < plain)
        return V2X_ESPACE;
    EVP_PKEY *eph = v2x_key_from_point(V2X_CURVE_P256, s->eph_point, 33);
    if (!eph)
        return V2X_EDECRYPT;
    if ((rc = v2x_hash(V2X_HASH_SHA256, recipient->bytes, recipient->len, p1)) != V2X_OK
        || (rc = ecdh(enc_private, eph, z)) != V2X_OK || (rc = kdf2(z, p1, k)) != V2X_OK
        || (rc = mac(k + 16, s->enc_key, tag)) != V2X_OK)
        goto done;
    if (CRYPTO_memcmp(tag, s->enc_tag, ECIES_MAC) != 0) {
        rc = V2X_EDECRYPT;
        goto done;
    }
    for (int i = 0; i < 16; i++)
        aes[i] = s->enc_key[i] ^ k[i];
    rc = ccm(false, aes, s->nonce, s->ciphertext, s->ciphertext_len, out);
    if (rc == V2X_OK)
        *out_len = plain;
    else
        OPENSSL_cleanse(out, plain);
done:
    OPENSSL_cleanse(aes, sizeof aes);
    OPENSSL_cleanse(z, sizeof z);
    OPENSSL_cleanse(k, sizeof k);
    EVP_PKEY_free(eph);
    return rc;
}
