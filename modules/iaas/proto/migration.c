/* migration.c — live-migration frames, clear or sealed with AES-256-GCM (migration.h). */
#include "proto/migration.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sg17tb/wire.h>

static int gcm(const uint8_t *key, const uint8_t iv[12], const uint8_t *aad, const uint8_t *in,
               uint8_t *out, uint8_t *tag, int enc)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, ok = c && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, enc) == 1
                    && EVP_CipherUpdate(c, NULL, &n, aad, MIG_HEADER) == 1
                    && EVP_CipherUpdate(c, out, &n, in, MIG_PAGE) == 1;
    if (ok && !enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, MIG_TAG, tag) == 1;
    uint8_t last[16];
    ok = ok && EVP_CipherFinal_ex(c, last, &n) == 1;
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, MIG_TAG, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

static void header(const mig_frame_t *f, bool sealed, uint8_t h[MIG_HEADER])
{
    h[0] = sealed ? 1 : 0;
    sg17_store_be32(h + 1, f->stream);
    sg17_store_be32(h + 5, f->seq);
    h[9] = f->flags;
    sg17_store_be16(h + 10, f->page);
}

int mig_frame_encode(const mig_frame_t *f, const uint8_t *key, uint8_t *out, size_t cap,
                     size_t *len)
{
    size_t need = MIG_HEADER + MIG_PAGE + (key ? MIG_TAG : 0);
    if (cap < need)
        return -1;
    header(f, key != NULL, out);
    if (!key)
        memcpy(out + MIG_HEADER, f->data, MIG_PAGE);
    else {
        uint8_t iv[12];
        memcpy(iv, out + 1, 8);
        memset(iv + 8, 0, 4);
        if (gcm(key, iv, out, f->data, out + MIG_HEADER, out + MIG_HEADER + MIG_PAGE, 1) != 0)
            return -1;
    }
    *len = need;
    return 0;
}

int mig_frame_decode(const uint8_t *buf, size_t len, const uint8_t *key, mig_frame_t *f)
{
    memset(f, 0, sizeof *f);
    if (!buf || len < MIG_HEADER || buf[0] > 1)
        return -1;
    f->sealed = buf[0] == 1;
    f->stream = sg17_load_be32(buf + 1);
    f->seq = sg17_load_be32(buf + 5);
    f->flags = buf[9];
    f->page = sg17_load_be16(buf + 10);
    if (f->flags & ~MIG_FLAG_LAST || len != MIG_HEADER + MIG_PAGE + (f->sealed ? MIG_TAG : 0))
        return -1;
    if (!f->sealed) {
        memcpy(f->data, buf + MIG_HEADER, MIG_PAGE);
        return 0;
    }
    if (!key)
        return -1;
    uint8_t iv[12], tag[MIG_TAG];
    memcpy(iv, buf + 1, 8);
    memset(iv + 8, 0, 4);
    memcpy(tag, buf + MIG_HEADER + MIG_PAGE, MIG_TAG);
    if (gcm(key, iv, buf, buf + MIG_HEADER, f->data, tag, 0) != 0) {
        OPENSSL_cleanse(f->data, MIG_PAGE);
        return -1;
    }
    return 0;
}
