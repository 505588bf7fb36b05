/* wire.c — the ibc module's wire formats (C.3 params, C.4 key request/delivery, D.1 one-pass
 * message, application data) and the AES-GCM and ECDSA P-256 primitives they are protected with. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "sim/ibc_sim.h"

static void put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* AES-128-GCM (NIST SP 800-38D) with a 96-bit IV and a 128-bit tag; pt may be empty (GMAC). */
int ibc_gcm_seal(const uint8_t key[16], const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                 const uint8_t *pt, size_t len, uint8_t *ct, uint8_t tag[16])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, iv)
                    && EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len)
                    && (len == 0 || EVP_EncryptUpdate(c, ct, &n, pt, (int)len))
                    && EVP_EncryptFinal_ex(c, ct + (len ? n : 0), &n)
                    && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

int ibc_gcm_open(const uint8_t key[16], const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                 const uint8_t *ct, size_t len, const uint8_t tag[16], uint8_t *pt)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    uint8_t t[16], last[16];
    memcpy(t, tag, 16);
    int n = 0, ok = c && EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, iv)
                    && EVP_DecryptUpdate(c, NULL, &n, aad, (int)aad_len)
                    && (len == 0 || EVP_DecryptUpdate(c, pt, &n, ct, (int)len))
                    && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, t)
                    && EVP_DecryptFinal_ex(c, last, &n) > 0;
    EVP_CIPHER_CTX_free(c);
    if (!ok && len)
        OPENSSL_cleanse(pt, len);
    return ok ? 0 : -1;
}

/* An EC P-256 EVP_PKEY from a private scalar (and its public point) or from a public point. */
static EVP_PKEY *ecdsa_key(const uint8_t *d, const uint8_t pub[ECCSI_POINT_BYTES])
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *priv = d ? BN_secure_new() : NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (bld && pc && (!d || (priv && BN_bin2bn(d, 32, priv)))
        && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0)
        && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, ECCSI_POINT_BYTES)
        && (!d || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv))
        && (params = OSSL_PARAM_BLD_to_param(bld)) && EVP_PKEY_fromdata_init(pc) == 1)
        EVP_PKEY_fromdata(pc, &pkey, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(priv);
    EVP_PKEY_CTX_free(pc);
    return pkey;
}

int ibc_ecdsa_pub(const uint8_t d[32], uint8_t pub[ECCSI_POINT_BYTES])
{
    /* the same map as KPAK = [KSAK]G: a P-256 public key from its scalar */
    return eccsi_kms_kpak(d, pub);
}

int ibc_ecdsa_sign(const uint8_t d[32], const uint8_t *msg, size_t len, uint8_t *sig,
                   size_t *sig_len)
{
    uint8_t pub[ECCSI_POINT_BYTES];
    if (ibc_ecdsa_pub(d, pub) != 0)
        return -1;
    EVP_PKEY *k = ecdsa_key(d, pub);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    *sig_len = 72;
    int ok = k && md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1
             && EVP_DigestSign(md, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    return ok ? 0 : -1;
}

int ibc_ecdsa_verify(const uint8_t pub[ECCSI_POINT_BYTES], const uint8_t *msg, size_t len,
                     const uint8_t *sig, size_t sig_len)
{
    EVP_PKEY *k = ecdsa_key(NULL, pub);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = k && md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) == 1
             && EVP_DigestVerify(md, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    return ok ? 0 : -1;
}

/* ---- C.4 key request and delivery ---- */

int ibc_key_request_encode(const uint8_t tkey[16], uint16_t device, int64_t period,
                           const uint8_t iv[12], uint8_t out[IBC_KEY_REQUEST_BYTES])
{
    put_be(out, device, 2);
    put_be(out + 2, (uint64_t)period, 4);
    memcpy(out + 6, iv, 12);
    return ibc_gcm_seal(tkey, iv, out, 6, NULL, 0, NULL, out + 18);
}

int ibc_key_request_decode(const uint8_t *buf, size_t len, uint16_t *device, int64_t *period)
{
    if (len != IBC_KEY_REQUEST_BYTES)
        return -1;
    *device = (uint16_t)get_be(buf, 2);
    *period = (int64_t)get_be(buf + 2, 4);
    return 0;
}

int ibc_key_request_verify(const uint8_t tkey[16], const uint8_t *buf, size_t len)
{
    if (len != IBC_KEY_REQUEST_BYTES)
        return -1;
    return ibc_gcm_open(tkey, buf + 6, buf, 6, NULL, 0, buf + 18, NULL);
}

int ibc_key_delivery_encode(const uint8_t tkey[16], uint16_t device, int64_t period,
                            const uint8_t iv[12], const ibc_keys_t *keys,
                            uint8_t out[IBC_KEY_DELIVERY_BYTES])
{
    uint8_t plain[IBC_KEYS_PLAIN];
    memcpy(plain, keys->ssk, ECCSI_N);
    memcpy(plain + ECCSI_N, keys->pvt, ECCSI_POINT_BYTES);
    memcpy(plain + ECCSI_N + ECCSI_POINT_BYTES, keys->rsk, SAKKE_POINT_BYTES);
    put_be(out, device, 2);
    put_be(out + 2, (uint64_t)period, 4);
    memcpy(out + 6, iv, 12);
    int rc =
        ibc_gcm_seal(tkey, iv, out, 6, plain, sizeof plain, out + 18, out + 18 + IBC_KEYS_PLAIN);
    OPENSSL_cleanse(plain, sizeof plain);
    return rc;
}

int ibc_key_delivery_header(const uint8_t *buf, size_t len, uint16_t *device, int64_t *period)
{
    if (len != IBC_KEY_DELIVERY_BYTES)
        return -1;
    *device = (uint16_t)get_be(buf, 2);
    *period = (int64_t)get_be(buf + 2, 4);
    return 0;
}

int ibc_key_delivery_open(const uint8_t tkey[16], const uint8_t *buf, size_t len, ibc_keys_t *keys)
{
    uint8_t plain[IBC_KEYS_PLAIN];
    if (len != IBC_KEY_DELIVERY_BYTES
        || ibc_gcm_open(tkey, buf + 6, buf, 6, buf + 18, IBC_KEYS_PLAIN, buf + 18 + IBC_KEYS_PLAIN,
                        plain)
               != 0)
        return -1;
    memcpy(keys->ssk, plain, ECCSI_N);
    memcpy(keys->pvt, plain + ECCSI_N, ECCSI_POINT_BYTES);
    memcpy(keys->rsk, plain + ECCSI_N + ECCSI_POINT_BYTES, SAKKE_POINT_BYTES);
    OPENSSL_cleanse(plain, sizeof plain);
    return 0;
}

/* ---- C.3 public parameters ---- */

int ibc_params_encode(const uint8_t root_priv[32], uint8_t kms, int64_t period,
                      const uint8_t kpak[ECCSI_POINT_BYTES], const uint8_t zpub[SAKKE_POINT_BYTES],
                      uint8_t *out, size_t *len)
{
    size_t n = 0, sig_len = 0;
    out[n++] = kms;
    put_be(out + n, (uint64_t)period, 4);
    n += 4;
    memcpy(out + n, kpak, ECCSI_POINT_BYTES);
    n += ECCSI_POINT_BYTES;
    memcpy(out + n, zpub, SAKKE_POINT_BYTES);
    n += SAKKE_POINT_BYTES;
    if (ibc_ecdsa_sign(root_priv, out, n, out + n + 1, &sig_len) != 0 || sig_len > 72)
        return -1;
    out[n] = (uint8_t)sig_len;
    *len = n + 1 + sig_len;
    return 0;
}

int ibc_params_decode(const uint8_t *buf, size_t len, ibc_params_msg_t *m)
{
    const size_t fixed = 1 + 4 + ECCSI_POINT_BYTES + SAKKE_POINT_BYTES;
    if (len < fixed + 1 || len != fixed + 1 + buf[fixed] || buf[0] >= IBC_MAX_KMS)
        return -1;
    m->kms = buf[0];
    m->period = (int64_t)get_be(buf + 1, 4);
    m->kpak = buf + 5;
    m->zpub = buf + 5 + ECCSI_POINT_BYTES;
    m->signed_part = buf;
    m->signed_len = fixed;
    m->sig = buf + fixed + 1;
    m->sig_len = buf[fixed];
    return 0;
}

/* ---- D.1 one-pass message ---- */

size_t ibc_d1_encode_body(const uint8_t sed[SAKKE_SED_BYTES], uint64_t ts,
                          const uint8_t nonce[IBC_NONCE_BYTES],
                          const uint8_t challenge[IBC_NONCE_BYTES], uint8_t kms, const uint8_t *id,
                          size_t id_len, uint8_t *out)
{
    size_t n = 0;
    memcpy(out, sed, SAKKE_SED_BYTES);
    n += SAKKE_SED_BYTES;
    put_be(out + n, ts, 8);
    n += 8;
    memcpy(out + n, nonce, IBC_NONCE_BYTES);
    n += IBC_NONCE_BYTES;
    memcpy(out + n, challenge, IBC_NONCE_BYTES);
    n += IBC_NONCE_BYTES;
    out[n++] = kms;
    put_be(out + n, id_len, 2);
    n += 2;
    memcpy(out + n, id, id_len);
    return n + id_len;
}

int ibc_d1_decode(const uint8_t *buf, size_t len, bool signed_, ibc_d1_t *m)
{
    if (len < IBC_D1_FIXED)
        return -1;
    size_t id_len = (size_t)get_be(buf + IBC_D1_FIXED - 2, 2);
    size_t body = IBC_D1_FIXED + id_len;
    if (id_len == 0 || id_len > IBC_MAX_ID || len != body + (signed_ ? ECCSI_SIG_BYTES : 0))
        return -1;
    m->sed = buf;
    m->ts = get_be(buf + SAKKE_SED_BYTES, 8);
    m->nonce = buf + SAKKE_SED_BYTES + 8;
    m->challenge = m->nonce + IBC_NONCE_BYTES;
    m->kms = buf[IBC_D1_FIXED - 3];
    m->id = buf + IBC_D1_FIXED;
    m->id_len = id_len;
    m->sig = signed_ ? buf + body : NULL;
    m->signed_len = body;
    return m->kms < IBC_MAX_KMS ? 0 : -1;
}

/* ---- application data ---- */

int ibc_app_encode(const uint8_t key[16], uint64_t seq, const uint8_t data[IBC_APP_PLAIN],
                   uint8_t out[IBC_APP_BYTES])
{
    uint8_t iv[12] = {0};
    put_be(iv + 4, seq, 8);
    put_be(out, seq, 8);
    return ibc_gcm_seal(key, iv, out, 8, data, IBC_APP_PLAIN, out + 8, out + 8 + IBC_APP_PLAIN);
}

int ibc_app_open(const uint8_t key[16], const uint8_t *buf, size_t len, uint64_t *seq)
{
    uint8_t iv[12] = {0}, plain[IBC_APP_PLAIN];
    if (len != IBC_APP_BYTES)
        return -1;
    memcpy(iv + 4, buf, 8);
    *seq = get_be(buf, 8);
    return ibc_gcm_open(key, iv, buf, 8, buf + 8, IBC_APP_PLAIN, buf + 8 + IBC_APP_PLAIN, plain);
}
