/* fuzz_unprotect.c — the security header and suite-0 unprotect on arbitrary input: the first
 * octet picks the receiver's policy and counter state, the rest is the frame (either bare
 * SC || IC || ... or wrapped in a glo- / general-glo-ciphering APDU), unprotected both with
 * dlms_unprotect and with a keyed dlms_cipher_t, which must agree. The same frame is also checked
 * as an HLS mechanism-5 proof f(StoC), which it must not pass. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlms/apdu.h"
#include "dlms/security.h"

static const dlms_keys_t keys = {
    .ek = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
           0x0F},
    .ak = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE,
           0xDF},
};
static const uint8_t systitle[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t policies[4] = {0, DLMS_SC_AUTH, DLMS_SC_ENC, DLMS_SC_AUTH_ENC};
    uint8_t policy = policies[data[0] & 3];
    int64_t min_ic = (data[0] & 4) ? 0x01234566 : DLMS_IC_NONE;
    int wrap = data[0] >> 3 & 3;
    uint8_t *in = malloc(size - 1 ? size - 1 : 1); /* exact size: ASan sees any over-read */
    if (!in)
        return 0;
    memcpy(in, data + 1, size - 1);
    size_t len = size - 1;

    const uint8_t *frame = in, *st = systitle;
    size_t flen = len;
    uint8_t tag;
    if (wrap == 1 && dlms_glo_decode(in, len, &tag, &frame, &flen) != 0)
        goto done;
    if (wrap == 2 && dlms_general_glo_decode(in, len, &st, &frame, &flen) != 0)
        goto done;

    static const uint8_t challenge[16] = {0x50, 0x36, 0x77, 0x46, 0x34, 0x4E, 0x54, 0x63,
                                          0x59, 0x6A, 0x33, 0x69, 0x5A, 0x49, 0x59, 0x56};
    if (dlms_hls_gmac_verify(&keys, st, challenge, sizeof challenge, frame, flen) == 0)
        abort(); /* a GMAC under keys the fuzzer does not hold */
    uint8_t *out = malloc(flen ? flen : 1);
    if (!out)
        goto done;
    size_t outlen = 0;
    uint32_t ic = 0;
    dlms_sec_status_t s =
        dlms_unprotect(&keys, st, policy, frame, flen, min_ic, out, flen, &outlen, &ic);
    if (s == DLMS_SEC_OK) {
        if (outlen > flen || (min_ic >= 0 && (int64_t)ic <= min_ic)
            || (frame[0] & policy) != policy)
            abort();
        dlms_data_notification_t dn;
        (void)dlms_data_notification_decode(out, outlen, &dn);
    } else if (outlen != 0 || s < DLMS_SEC_POLICY || s > DLMS_SEC_OK) {
        abort();
    }
    /* the head-end's keyed cipher decides every frame exactly as dlms_unprotect does */
    static dlms_cipher_t *cipher;
    if (!cipher && !(cipher = dlms_cipher_new(&keys)))
        abort();
    uint8_t *out2 = malloc(flen ? flen : 1);
    size_t outlen2 = 0;
    uint32_t ic2 = 0;
    if (out2
        && (dlms_cipher_unprotect(cipher, st, policy, frame, flen, min_ic, out2, flen, &outlen2,
                                  &ic2)
                != s
            || outlen2 != outlen || ic2 != ic || (outlen && memcmp(out, out2, outlen) != 0)))
        abort();
    free(out2);
    free(out);
done:
    free(in);
    return 0;
}
