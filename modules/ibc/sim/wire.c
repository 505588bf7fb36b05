/* wire.c — the ibc module's wire formats (C.3 parameter request and answer, C.4 key request and
 * delivery, D.1 one-pass message, application data) and the AES-GCM and ECDSA P-256 primitives
 * they are protected with. Every format is written and read with the bounded writer and reader of
 * sg17tb/wire.h: an encoder checks once at the end, a decoder accepts only an input it consumed
 * exactly. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <sg17tb/wire.h>

#include "sim/ibc_sim.h"

/* AES-128-GCM (NIST SP 800-38D) with a 96-bit IV and a 128-bit tag; pt may be empty (GMAC), and
 * then ct may be NULL: the final call (which writes nothing for GCM) gets a buffer of its own, so
 * no offset is ever applied to a null pointer. */
int ibc_gcm_seal(const uint8_t key[16], const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                 const uint8_t *pt, size_t len, uint8_t *ct, uint8_t tag[16])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    uint8_t last[16];
    int n = 0, ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, iv)
                    && EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len)
                    && (len == 0 || EVP_EncryptUpdate(c, ct, &n, pt, (int)len))
                    && EVP_EncryptFinal_ex(c, last, &n) && n == 0
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
    *sig_len = IBC_ECDSA_SIG_MAX;
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

/* ---- C.3 parameter request ---- */

void ibc_param_request_encode(int64_t period, uint8_t out[IBC_PARAM_REQUEST_BYTES])
{
    sg17_store_be32(out, (uint32_t)period);
}

int ibc_param_request_decode(const uint8_t *buf, size_t len, int64_t *period)
{
    sg17_reader_t r = sg17_reader(buf, len);
    *period = (int64_t)sg17_get_u32(&r);
    return sg17_reader_done(&r) ? 0 : -1;
}

/* ---- C.4 key request and delivery ---- */

int ibc_key_request_encode(const uint8_t tkey[16], uint16_t device, int64_t period,
                           const uint8_t iv[12], uint8_t out[IBC_KEY_REQUEST_BYTES])
{
    sg17_writer_t w = sg17_writer(out, IBC_KEY_REQUEST_BYTES);
    sg17_put_u16(&w, device);
    sg17_put_u32(&w, (uint32_t)period);
    sg17_put_bytes(&w, iv, 12);
    uint8_t *tag = sg17_put_space(&w, 16);
    if (sg17_writer_finish(&w, NULL) != 0)
        return -1;
    return ibc_gcm_seal(tkey, iv, out, 6, NULL, 0, NULL, tag); /* GMAC over device || period */
}

int ibc_key_request_decode(const uint8_t *buf, size_t len, uint16_t *device, int64_t *period)
{
    sg17_reader_t r = sg17_reader(buf, len);
    *device = sg17_get_u16(&r);
    *period = (int64_t)sg17_get_u32(&r);
    sg17_get_bytes(&r, 12 + 16); /* iv, tag: checked by ibc_key_request_verify */
    return sg17_reader_done(&r) ? 0 : -1;
}

int ibc_key_request_verify(const uint8_t tkey[16], const uint8_t *buf, size_t len)
{
    sg17_reader_t r = sg17_reader(buf, len);
    const uint8_t *header = sg17_get_bytes(&r, 6), *iv = sg17_get_bytes(&r, 12);
    const uint8_t *tag = sg17_get_bytes(&r, 16);
    if (!sg17_reader_done(&r))
        return -1;
    return ibc_gcm_open(tkey, iv, header, 6, NULL, 0, tag, NULL);
}

int ibc_key_delivery_encode(const uint8_t tkey[16], uint16_t device, int64_t period,
                            const uint8_t iv[12], const ibc_keys_t *keys,
                            uint8_t out[IBC_KEY_DELIVERY_BYTES])
{
    uint8_t plain[IBC_KEYS_PLAIN];
    memcpy(plain, keys->ssk, ECCSI_N);
    memcpy(plain + ECCSI_N, keys->pvt, ECCSI_POINT_BYTES);
    memcpy(plain + ECCSI_N + ECCSI_POINT_BYTES, keys->rsk, SAKKE_POINT_BYTES);
    sg17_writer_t w = sg17_writer(out, IBC_KEY_DELIVERY_BYTES);
    sg17_put_u16(&w, device);
    sg17_put_u32(&w, (uint32_t)period);
    sg17_put_bytes(&w, iv, 12);
    uint8_t *ct = sg17_put_space(&w, IBC_KEYS_PLAIN), *tag = sg17_put_space(&w, 16);
    int rc = sg17_writer_finish(&w, NULL) == 0
                 ? ibc_gcm_seal(tkey, iv, out, 6, plain, sizeof plain, ct, tag)
                 : -1;
    OPENSSL_cleanse(plain, sizeof plain);
    return rc;
}

int ibc_key_delivery_header(const uint8_t *buf, size_t len, uint16_t *device, int64_t *period)
{
    sg17_reader_t r = sg17_reader(buf, len);
    *device = sg17_get_u16(&r);
    *period = (int64_t)sg17_get_u32(&r);
    sg17_get_bytes(&r, 12 + IBC_KEYS_PLAIN + 16); /* iv, keys, tag: ibc_key_delivery_open */
    return sg17_reader_done(&r) ? 0 : -1;
}

int ibc_key_delivery_open(const uint8_t tkey[16], const uint8_t *buf, size_t len, ibc_keys_t *keys)
{
    uint8_t plain[IBC_KEYS_PLAIN];
    sg17_reader_t r = sg17_reader(buf, len);
    const uint8_t *header = sg17_get_bytes(&r, 6), *iv = sg17_get_bytes(&r, 12);
    const uint8_t *ct = sg17_get_bytes(&r, IBC_KEYS_PLAIN), *tag = sg17_get_bytes(&r, 16);
    if (!sg17_reader_done(&r)
        || ibc_gcm_open(tkey, iv, header, 6, ct, IBC_KEYS_PLAIN, tag, plain) != 0)
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
                      uint8_t out[IBC_PARAMS_MAX], size_t *len)
{
    uint8_t sig[IBC_ECDSA_SIG_MAX];
    size_t sig_len = 0;
    sg17_writer_t w = sg17_writer(out, IBC_PARAMS_MAX);
    sg17_put_u8(&w, kms);
    sg17_put_u32(&w, (uint32_t)period);
    sg17_put_bytes(&w, kpak, ECCSI_POINT_BYTES);
    sg17_put_bytes(&w, zpub, SAKKE_POINT_BYTES);
    /* the root key signs every octet before the signature's length */
    if (!sg17_writer_ok(&w) || ibc_ecdsa_sign(root_priv, out, w.len, sig, &sig_len) != 0)
        return -1;
    sg17_put_u8(&w, (uint8_t)sig_len);
    sg17_put_bytes(&w, sig, sig_len);
    return sg17_writer_finish(&w, len);
}

int ibc_params_decode(const uint8_t *buf, size_t len, ibc_params_msg_t *m)
{
    sg17_reader_t r = sg17_reader(buf, len);
    m->signed_part = buf;
    m->kms = sg17_get_u8(&r);
    m->period = (int64_t)sg17_get_u32(&r);
    m->kpak = sg17_get_bytes(&r, ECCSI_POINT_BYTES);
    m->zpub = sg17_get_bytes(&r, SAKKE_POINT_BYTES);
    m->signed_len = r.pos;
    m->sig_len = sg17_get_u8(&r);
    m->sig = sg17_get_bytes(&r, m->sig_len);
    return sg17_reader_done(&r) && m->kms < IBC_MAX_KMS ? 0 : -1;
}

/* ---- D.1 one-pass message ---- */

size_t ibc_d1_encode_body(const uint8_t sed[SAKKE_SED_BYTES], uint64_t ts,
                          const uint8_t nonce[IBC_NONCE_BYTES],
                          const uint8_t challenge[IBC_NONCE_BYTES], uint8_t kms, const uint8_t *id,
                          size_t id_len, uint8_t out[IBC_D1_MAX])
{
    size_t n = 0;
    sg17_writer_t w = sg17_writer(out, IBC_D1_MAX - ECCSI_SIG_BYTES);
    if (id_len > IBC_MAX_ID)
        sg17_writer_fail(&w);
    sg17_put_bytes(&w, sed, SAKKE_SED_BYTES);
    sg17_put_u64(&w, ts);
    sg17_put_bytes(&w, nonce, IBC_NONCE_BYTES);
    sg17_put_bytes(&w, challenge, IBC_NONCE_BYTES);
    sg17_put_u8(&w, kms);
    sg17_put_u16(&w, (uint16_t)id_len);
    sg17_put_bytes(&w, id, id_len);
    return sg17_writer_finish(&w, &n) == 0 ? n : 0;
}

int ibc_d1_decode(const uint8_t *buf, size_t len, bool signed_, ibc_d1_t *m)
{
    sg17_reader_t r = sg17_reader(buf, len);
    m->sed = sg17_get_bytes(&r, SAKKE_SED_BYTES);
    m->ts = sg17_get_u64(&r);
    m->nonce = sg17_get_bytes(&r, IBC_NONCE_BYTES);
    m->challenge = sg17_get_bytes(&r, IBC_NONCE_BYTES);
    m->kms = sg17_get_u8(&r);
    m->id_len = sg17_get_u16(&r);
    if (m->id_len == 0 || m->id_len > IBC_MAX_ID)
        sg17_reader_fail(&r);
    m->id = sg17_get_bytes(&r, m->id_len);
    m->signed_len = r.pos;
    m->sig = signed_ ? sg17_get_bytes(&r, ECCSI_SIG_BYTES) : NULL;
    return sg17_reader_done(&r) && m->kms < IBC_MAX_KMS ? 0 : -1;
}

/* ---- application data ---- */

int ibc_app_encode(const uint8_t key[16], uint64_t seq, const uint8_t data[IBC_APP_PLAIN],
                   uint8_t out[IBC_APP_BYTES])
{
    uint8_t iv[12] = {0};
    sg17_store_be64(iv + 4, seq);
    sg17_writer_t w = sg17_writer(out, IBC_APP_BYTES);
    sg17_put_u64(&w, seq);
    uint8_t *ct = sg17_put_space(&w, IBC_APP_PLAIN), *tag = sg17_put_space(&w, 16);
    if (sg17_writer_finish(&w, NULL) != 0)
        return -1;
    return ibc_gcm_seal(key, iv, out, 8, data, IBC_APP_PLAIN, ct, tag);
}

int ibc_app_open(const uint8_t key[16], const uint8_t *buf, size_t len, uint64_t *seq)
{
    uint8_t iv[12] = {0}, plain[IBC_APP_PLAIN];
    sg17_reader_t r = sg17_reader(buf, len);
    const uint8_t *aad = sg17_get_bytes(&r, 8);
    const uint8_t *ct = sg17_get_bytes(&r, IBC_APP_PLAIN), *tag = sg17_get_bytes(&r, 16);
    if (!sg17_reader_done(&r))
        return -1;
    memcpy(iv + 4, aad, 8);
    *seq = sg17_load_be64(aad);
    return ibc_gcm_open(key, iv, aad, 8, ct, IBC_APP_PLAIN, tag, plain);
}
