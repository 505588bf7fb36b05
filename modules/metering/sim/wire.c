/* sim/wire.c — ciphered framing shared by every entity: an xDLMS APDU protected with suite 0
 * (dlms_protect) and carried in general-glo-ciphering (IEC 62056-5-3: DB || system title ||
 * SC || IC || ciphertext || tag), or sent in clear where the association's policy allows. */
#include <string.h>

#include "sim/metering_sim.h"

int msim_wrap(const dlms_keys_t *keys, const uint8_t *systitle, uint32_t ic, uint8_t sc,
              const uint8_t *apdu, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
    return msim_wrap_keyed(NULL, keys, systitle, ic, sc, apdu, len, out, cap, outlen);
}

int msim_wrap_keyed(dlms_cipher_t *keyed, const dlms_keys_t *keys, const uint8_t *systitle,
                    uint32_t ic, uint8_t sc, const uint8_t *apdu, size_t len, uint8_t *out,
                    size_t cap, size_t *outlen)
{
    if (sc == 0) {
        if (len > cap)
            return -1;
        memcpy(out, apdu, len);
        *outlen = len;
        return 0;
    }
    uint8_t sec[MSIM_FRAME_CAP];
    size_t sl;
    if (keyed ? dlms_cipher_protect(keyed, systitle, ic, sc, apdu, len, sec, sizeof sec, &sl)
              : dlms_protect(keys, systitle, ic, sc, apdu, len, sec, sizeof sec, &sl))
        return -1;
    return dlms_general_glo_encode(systitle, sec, sl, out, cap, outlen);
}

dlms_sec_status_t msim_unwrap(const dlms_keys_t *keys, const uint8_t *in, size_t len,
                              const uint8_t *expect_systitle, uint8_t policy, int64_t min_ic,
                              uint8_t *out, size_t cap, size_t *outlen, uint32_t *ic,
                              bool *ciphered)
{
    *ciphered = false;
    if (len == 0)
        return DLMS_SEC_MALFORMED;
    if (in[0] != DLMS_APDU_GENERAL_GLO_CIPHERING) {
        if (len > cap)
            return DLMS_SEC_MALFORMED;
        memcpy(out, in, len);
        *outlen = len;
        *ic = 0;
        return DLMS_SEC_OK;
    }
    const uint8_t *st, *sec;
    size_t sl;
    if (dlms_general_glo_decode(in, len, &st, &sec, &sl))
        return DLMS_SEC_MALFORMED;
    if (expect_systitle && memcmp(st, expect_systitle, DLMS_SYSTITLE_LEN) != 0)
        return DLMS_SEC_AUTH; /* not the peer of this association: its keys cannot verify it */
    *ciphered = true;
    return dlms_unprotect(keys, st, policy, sec, sl, min_ic, out, cap, outlen, ic);
}
