/* wire.c — the ibc module's wire formats (C.3 parameter request and answer, C.4 key request and
 * delivery, D.1 one-pass message, application data) and the AES-GCM and ECDSA P-256 primitives
 * they are protected with. Every format is written and read with the bounded writer and reader of
 * sg17tb/wire.h: an encoder checks once at the end, a decoder accepts only an input it consumed
 * exactly. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <sg17tb/ec.h>
#include <sg17tb/wire.h>

#include "proto/mikey.h"
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

int ibc_ecdsa_pub(const uint8_t d[32], uint8_t pub[ECCSI_POINT_BYTES])
{
    /* the same map as KPAK = [KSAK]G: a P-256 public key from its scalar */
    return eccsi_kms_kpak(d, pub);
}

int ibc_ecdsa_sign(const uint8_t d[32], const uint8_t *msg, size_t len, uint8_t *sig,
                   size_t *sig_len)
{
    EVP_PKEY *k = sg17_ec_key("P-256", d, 32, NULL, 0);
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
    EVP_PKEY *k = sg17_ec_key("P-256", NULL, 0, pub, ECCSI_POINT_BYTES);
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

/* ---- D.1 one-pass message: a MIKEY-SAKKE I_MESSAGE (proto/mikey.h) ---- */

/* The URI of KMS k in IDRkmsi. */
static int kms_uri(unsigned k, char out[IBC_KMS_URI_MAX])
{
    int n = snprintf(out, IBC_KMS_URI_MAX, "urn:dev:sg17tb:kms-%u", k);
    return n > 0 && n < IBC_KMS_URI_MAX ? n : -1;
}

size_t ibc_d1_encode_body(const ibc_d1_t *d1, uint64_t ntp_epoch, bool signed_,
                          uint8_t out[IBC_D1_MAX])
{
    static const uint8_t zero[IBC_NONCE_BYTES] = {0};
    char uri[IBC_KMS_URI_MAX];
    int uri_len = kms_uri(d1->kms, uri);
    if (uri_len < 0 || d1->kms >= IBC_MAX_KMS || d1->id_len == 0 || d1->id_len > IBC_MAX_ID
        || d1->responder_len == 0 || d1->responder_len > IBC_MAX_ID)
        return 0;
    /* T: NTP-UTC of the virtual timestamp (seconds modulo 2^32: NTP eras, RFC 5905 §6), the
     * fraction rounded up so that reading it back by truncation gives the microsecond exactly */
    if (d1->ts / SG17_SEC > UINT32_MAX)
        return 0;
    uint64_t secs = (ntp_epoch + d1->ts / SG17_SEC) & UINT32_MAX;
    uint64_t frac = (((d1->ts % SG17_SEC) << 32) + SG17_SEC - 1) / SG17_SEC;
    bool challenged = d1->challenge && memcmp(d1->challenge, zero, IBC_NONCE_BYTES) != 0;
    mikey_sakke_t m = {
        .csb_id = sg17_load_be32(d1->nonce), /* drawn with the RAND: its first four octets */
        .ntp = secs << 32 | frac,
        .rand = d1->nonce,
        .rand_len = IBC_NONCE_BYTES,
        .idri = d1->id,
        .idri_len = d1->id_len,
        .idri_type = MIKEY_ID_BYTES,
        .idrr = d1->responder,
        .idrr_len = d1->responder_len,
        .idrr_type = MIKEY_ID_BYTES,
        .kms_uri = (const uint8_t *)uri,
        .kms_uri_len = (size_t)uri_len,
        .ext_type = MIKEY_EXT_PRIVATE,
        .ext = challenged ? d1->challenge : NULL,
        .ext_len = challenged ? IBC_NONCE_BYTES : 0,
        .sakke_params = MIKEY_SAKKE_PARAMS_1,
        .id_scheme = MIKEY_SAKKE_SCHEME_URI,
        .sakke = d1->sed,
        .sakke_len = SAKKE_SED_BYTES,
        .sign_type = MIKEY_SIGN_ECCSI,
        .sign_len = signed_ ? ECCSI_SIG_BYTES : 0,
    };
    return mikey_sakke_encode(&m, out, IBC_D1_MAX);
}

int ibc_d1_decode(const uint8_t *buf, size_t len, uint64_t ntp_epoch, bool signed_, ibc_d1_t *d1)
{
    static const uint8_t zero[IBC_NONCE_BYTES] = {0};
    mikey_sakke_t m;
    memset(d1, 0, sizeof *d1);
    if (mikey_sakke_decode(buf, len, &m) != 0 || m.rand_len != IBC_NONCE_BYTES
        || m.sakke_params != MIKEY_SAKKE_PARAMS_1 || m.id_scheme != MIKEY_SAKKE_SCHEME_URI
        || m.sakke_len != SAKKE_SED_BYTES || m.idri_len > IBC_MAX_ID || m.idrr_len > IBC_MAX_ID
        || !m.kms_uri)
        return -1;
    if (signed_ ? m.sign_type != MIKEY_SIGN_ECCSI || m.sign_len != ECCSI_SIG_BYTES : m.sign_len)
        return -1;
    if (m.ext
        && (m.ext_type != MIKEY_EXT_PRIVATE || m.ext_len != IBC_NONCE_BYTES
            || memcmp(m.ext, zero, IBC_NONCE_BYTES) == 0))
        return -1;
    /* IDRkmsi names one of the KMSs a run can have */
    d1->kms = IBC_MAX_KMS;
    for (unsigned k = 0; k < IBC_MAX_KMS; k++) {
        char uri[IBC_KMS_URI_MAX];
        int n = kms_uri(k, uri);
        if (n > 0 && (size_t)n == m.kms_uri_len && memcmp(uri, m.kms_uri, (size_t)n) == 0)
            d1->kms = (uint8_t)k;
    }
    if (d1->kms >= IBC_MAX_KMS)
        return -1;
    uint64_t frac = m.ntp & 0xffffffffu;
    /* seconds since virtual time 0 in the NTP era that follows ntp_epoch (a T "before" it reads
     * as far in the future, outside any freshness window) */
    d1->ts = (((m.ntp >> 32) - ntp_epoch) & UINT32_MAX) * SG17_SEC + ((frac * SG17_SEC) >> 32);
    d1->csb_id = m.csb_id;
    d1->nonce = m.rand;
    d1->challenge = m.ext ? m.ext : zero;
    d1->id = m.idri;
    d1->id_len = m.idri_len;
    d1->responder = m.idrr;
    d1->responder_len = m.idrr_len;
    d1->sed = m.sakke;
    d1->sig = signed_ ? m.sign : NULL;
    d1->signed_len = m.signed_len;
    return 0;
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
