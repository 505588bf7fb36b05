/* fuzz_signing.c — the suite-1 pieces of dlms/security.c and dlms/signing.c on arbitrary input:
 * the first octet picks the entry point — a public point decode (the next 65 octets), a raw r || s
 * ECDSA verification (64 octets of signature, the rest the message) or a general-signing APDU
 * verified under a fixed key. Checks nothing crashes and that only a genuine signature verifies
 * (the fuzzer cannot forge one). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlms/apdu.h"
#include "dlms/security.h"

/* A fixed P-256 key pair (scalar 11 12 13 ... 30, below the group order). */
static EVP_PKEY *fixed_key(void)
{
    static EVP_PKEY *key;
    if (!key) {
        uint8_t priv[DLMS_ECDSA_PRIV_LEN];
        for (size_t i = 0; i < sizeof priv; i++)
            priv[i] = (uint8_t)(0x11 + i);
        key = dlms_ecdsa_key_from_private(priv);
    }
    return key;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    EVP_PKEY *key = fixed_key();
    if (size < 1 || !key)
        return 0;
    uint8_t *in = malloc(size - 1 ? size - 1 : 1); /* exact size: ASan sees any over-read */
    if (!in)
        return 0;
    memcpy(in, data + 1, size - 1);
    size_t len = size - 1;
    switch (data[0] % 3) {
    case 0:
        if (len >= DLMS_ECDSA_PUB_LEN) {
            EVP_PKEY *pub = dlms_ecdsa_public_decode(in);
            uint8_t back[DLMS_ECDSA_PUB_LEN];
            if (pub && (dlms_ecdsa_public_encode(pub, back) || memcmp(back, in, sizeof back)))
                abort(); /* an accepted point encodes back to itself */
            EVP_PKEY_free(pub);
        }
        break;
    case 1:
        if (len >= DLMS_ECDSA_SIG_LEN
            && dlms_ecdsa_verify(key, in + DLMS_ECDSA_SIG_LEN, len - DLMS_ECDSA_SIG_LEN, in,
                                 DLMS_ECDSA_SIG_LEN)
                   == 0)
            abort();
        break;
    default: {
        dlms_general_signing_t g;
        if (dlms_general_signing_verify(key, in, len, &g) == 0)
            abort();
        break;
    }
    }
    free(in);
    return 0;
}
