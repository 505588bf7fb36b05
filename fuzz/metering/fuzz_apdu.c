/* fuzz_apdu.c — every xDLMS APDU decoder of the metering module on arbitrary input; a decoded
 * value is re-encoded and must give back exactly the input octets. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlms/apdu.h"

/* Re-encoding what a strict decoder accepted must give back the input exactly. */
#define ROUND_TRIP(enc_call)                                               \
    do {                                                                   \
        size_t n_ = 0;                                                     \
        if ((enc_call) != 0 || n_ != size || memcmp(out, data, size) != 0) \
            abort();                                                       \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Copy into an exactly-sized heap buffer so any over-read hits ASan's redzone. */
    uint8_t *in = malloc(size ? size : 1);
    if (!in)
        return 0;
    memcpy(in, data, size);
    data = in;
    uint8_t *out = malloc(size + 16);
    if (!out) {
        free(in);
        return 0;
    }
    size_t cap = size + 16, v, used;
    (void)dlms_axdr_length_decode(in, size, &v, &used);
    (void)dlms_data_check(in, size, &used);
    uint32_t u32;
    const uint8_t *p, *q;
    size_t pn;
    (void)dlms_data_decode_u32(in, size, &u32);
    (void)dlms_data_decode_octets(in, size, &p, &pn);
    if (size >= DLMS_DATETIME_LEN) {
        dlms_datetime_t dt;
        (void)dlms_datetime_unpack(in, &dt);
    }

    uint8_t tag;
    if (dlms_glo_decode(in, size, &tag, &p, &pn) == 0)
        ROUND_TRIP(dlms_glo_encode(tag, p, pn, out, cap, &n_));
    if (dlms_general_glo_decode(in, size, &q, &p, &pn) == 0)
        ROUND_TRIP(dlms_general_glo_encode(q, p, pn, out, cap, &n_));

    dlms_data_notification_t dn;
    if (dlms_data_notification_decode(in, size, &dn) == 0)
        ROUND_TRIP(dlms_data_notification_encode(&dn, out, cap, &n_));
    dlms_get_request_t gr;
    if (dlms_get_request_decode(in, size, &gr) == 0)
        ROUND_TRIP(dlms_get_request_encode(&gr, out, cap, &n_));
    dlms_get_response_t gs;
    if (dlms_get_response_decode(in, size, &gs) == 0)
        ROUND_TRIP(dlms_get_response_encode(&gs, out, cap, &n_));
    dlms_set_request_t sr;
    if (dlms_set_request_decode(in, size, &sr) == 0)
        ROUND_TRIP(dlms_set_request_encode(&sr, out, cap, &n_));
    dlms_set_response_t ss;
    if (dlms_set_response_decode(in, size, &ss) == 0)
        ROUND_TRIP(dlms_set_response_encode(&ss, out, cap, &n_));
    dlms_action_request_t ar;
    if (dlms_action_request_decode(in, size, &ar) == 0)
        ROUND_TRIP(dlms_action_request_encode(&ar, out, cap, &n_));
    dlms_action_response_t as;
    if (dlms_action_response_decode(in, size, &as) == 0)
        ROUND_TRIP(dlms_action_response_encode(&as, out, cap, &n_));
    dlms_general_signing_t gsig;
    if (dlms_general_signing_decode(in, size, &gsig) == 0)
        ROUND_TRIP(dlms_general_signing_encode(&gsig, out, cap, &n_));
    uint32_t num;
    if (dlms_image_initiate_decode(in, size, &p, &pn, &num) == 0)
        ROUND_TRIP(dlms_image_initiate_encode(p, pn, num, out, cap, &n_));
    if (dlms_image_block_decode(in, size, &num, &p, &pn) == 0)
        ROUND_TRIP(dlms_image_block_encode(num, p, pn, out, cap, &n_));

    free(out);
    free(in);
    return 0;
}
