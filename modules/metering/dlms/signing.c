/* dlms/signing.c — general-signing (DF): a suite-1 ECDSA signature around a command. */
#include <string.h>

#include "dlms/apdu.h"
#include "dlms/axdr.h"
#include "dlms/security.h"

static int len_ok(size_t n, size_t want)
{
    return n == 0 || n == want;
}

int dlms_general_signing_encode(dlms_general_signing_t *x, uint8_t *out, size_t cap, size_t *outlen)
{
    if (!x || !len_ok(x->originator_len, DLMS_SYSTITLE_LEN)
        || !len_ok(x->recipient_len, DLMS_SYSTITLE_LEN)
        || !len_ok(x->date_time_len, DLMS_DATETIME_LEN)
        || !len_ok(x->signature_len, DLMS_ECDSA_SIG_LEN))
        return -1;
    sg17_writer_t w = sg17_writer(out, cap);
    sg17_put_u8(&w, DLMS_APDU_GENERAL_SIGNING);
    dlms_put_octets(&w, x->transaction_id, x->transaction_id_len);
    dlms_put_octets(&w, x->originator, x->originator_len);
    dlms_put_octets(&w, x->recipient, x->recipient_len);
    dlms_put_octets(&w, x->date_time, x->date_time_len);
    dlms_put_octets(&w, x->other_info, x->other_info_len);
    dlms_put_octets(&w, x->content, x->content_len);
    size_t signed_len = w.len;
    dlms_put_octets(&w, x->signature, x->signature_len);
    if (dlms_put_finish(&w, outlen))
        return -1;
    x->signed_len = signed_len;
    return 0;
}

int dlms_general_signing_decode(const uint8_t *in, size_t len, dlms_general_signing_t *x)
{
    if (!x)
        return -1;
    sg17_reader_t r = sg17_reader(in, len);
    dlms_general_signing_t d;
    memset(&d, 0, sizeof d);
    sg17_get_expect(&r, DLMS_APDU_GENERAL_SIGNING);
    d.transaction_id = dlms_get_octets(&r, &d.transaction_id_len);
    d.originator = dlms_get_octets(&r, &d.originator_len);
    d.recipient = dlms_get_octets(&r, &d.recipient_len);
    d.date_time = dlms_get_octets(&r, &d.date_time_len);
    d.other_info = dlms_get_octets(&r, &d.other_info_len);
    d.content = dlms_get_octets(&r, &d.content_len);
    d.signed_len = len - sg17_reader_remaining(&r);
    d.signature = dlms_get_octets(&r, &d.signature_len);
    if (!sg17_reader_done(&r) || !len_ok(d.originator_len, DLMS_SYSTITLE_LEN)
        || !len_ok(d.recipient_len, DLMS_SYSTITLE_LEN)
        || !len_ok(d.date_time_len, DLMS_DATETIME_LEN)
        || !len_ok(d.signature_len, DLMS_ECDSA_SIG_LEN))
        return -1;
    *x = d;
    return 0;
}

/* Encodes with an empty signature (which ends the output with the single octet 00), signs the
 * prefix, then replaces that octet with the 64-octet signature string. */
int dlms_general_signing_sign(EVP_PKEY *key, const dlms_general_signing_t *x, uint8_t *out,
                              size_t cap, size_t *outlen)
{
    if (!key || !x || !out || !outlen)
        return -1;
    dlms_general_signing_t u = *x;
    u.signature = NULL;
    u.signature_len = 0;
    size_t n;
    uint8_t sig[DLMS_ECDSA_SIG_LEN];
    if (dlms_general_signing_encode(&u, out, cap, &n) || cap - u.signed_len < 1 + sizeof sig
        || dlms_ecdsa_sign(key, out, u.signed_len, sig))
        return -1;
    out[u.signed_len] = DLMS_ECDSA_SIG_LEN;
    memcpy(out + u.signed_len + 1, sig, sizeof sig);
    *outlen = u.signed_len + 1 + sizeof sig;
    return 0;
}

int dlms_general_signing_verify(EVP_PKEY *key, const uint8_t *in, size_t len,
                                dlms_general_signing_t *x)
{
    if (!key || dlms_general_signing_decode(in, len, x) || x->signature_len != DLMS_ECDSA_SIG_LEN)
        return -1;
    return dlms_ecdsa_verify(key, in, x->signed_len, x->signature, x->signature_len);
}
