/* volcrypt.c — AES-256-XTS sectors and AES key wrap through EVP (volcrypt.h). */
#include "proto/volcrypt.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

struct vol_cipher {
    EVP_CIPHER_CTX *enc, *dec;
};

vol_cipher_t *vol_cipher_new(const uint8_t key[VOL_KEY_BYTES])
{
    if (CRYPTO_memcmp(key, key + VOL_KEY_BYTES / 2, VOL_KEY_BYTES / 2) == 0)
        return NULL; /* IEEE 1619 §5.1: the two halves must differ */
    vol_cipher_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->enc = EVP_CIPHER_CTX_new();
    c->dec = EVP_CIPHER_CTX_new();
    if (!c->enc || !c->dec || EVP_EncryptInit_ex(c->enc, EVP_aes_256_xts(), NULL, key, NULL) != 1
        || EVP_DecryptInit_ex(c->dec, EVP_aes_256_xts(), NULL, key, NULL) != 1) {
        vol_cipher_free(c);
        return NULL;
    }
    return c;
}

void vol_cipher_free(vol_cipher_t *c)
{
    if (!c)
        return;
    EVP_CIPHER_CTX_free(c->enc); /* clears the key schedule */
    EVP_CIPHER_CTX_free(c->dec);
    free(c);
}

int vol_cipher_crypt(vol_cipher_t *c, uint64_t first_sector, uint8_t *buf, size_t len, int enc)
{
    if (!c || len % VOL_SECTOR != 0)
        return -1;
    EVP_CIPHER_CTX *x = enc ? c->enc : c->dec;
    for (size_t off = 0; off < len; off += VOL_SECTOR) {
        uint8_t tweak[16] = {0};
        uint64_t s = first_sector + off / VOL_SECTOR;
        for (int i = 0; i < 8; i++) /* the data unit number, little-endian (IEEE 1619 §5.1) */
            tweak[i] = (uint8_t)(s >> (8 * i));
        int n = 0;
        if (EVP_CipherInit_ex(x, NULL, NULL, NULL, tweak, enc) != 1
            || EVP_CipherUpdate(x, buf + off, &n, buf + off, VOL_SECTOR) != 1 || n != VOL_SECTOR)
            return -1;
    }
    return 0;
}

static int wrap(const uint8_t kek[VOL_KEK_BYTES], const uint8_t *in, int in_len, uint8_t *out,
                int want, int enc)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, m = 0, ok = 0;
    if (c) {
        EVP_CIPHER_CTX_set_flags(c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
        ok = EVP_CipherInit_ex(c, EVP_aes_256_wrap(), NULL, kek, NULL, enc) == 1
             && EVP_CipherUpdate(c, out, &n, in, in_len) == 1
             && EVP_CipherFinal_ex(c, out + n, &m) == 1 && n + m == want;
    }
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

int vol_key_wrap(const uint8_t kek[VOL_KEK_BYTES], const uint8_t key[VOL_KEY_BYTES],
                 uint8_t out[VOL_WRAPPED_KEY])
{
    return wrap(kek, key, VOL_KEY_BYTES, out, VOL_WRAPPED_KEY, 1);
}

int vol_key_unwrap(const uint8_t kek[VOL_KEK_BYTES], const uint8_t in[VOL_WRAPPED_KEY],
                   uint8_t key[VOL_KEY_BYTES])
{
    uint8_t tmp[VOL_WRAPPED_KEY];
    int rc = wrap(kek, in, VOL_WRAPPED_KEY, tmp, VOL_KEY_BYTES, 0);
    if (rc == 0)
        memcpy(key, tmp, VOL_KEY_BYTES);
    OPENSSL_cleanse(tmp, sizeof tmp);
    return rc;
}
