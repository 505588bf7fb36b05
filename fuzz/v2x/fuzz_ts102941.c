/* fuzz_ts102941.c — the ETSI TS 102 941 decoders (EtsiTs102941Data, InnerEcRequest,
 * SharedAtRequest) on arbitrary input: no crash, and whatever decodes re-encodes to the input
 * (canonical OER: one encoding per value). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ts102941.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exactly-sized heap copy, so an over-read hits ASan's redzone */
    uint8_t *in = malloc(size ? size : 1);
    uint8_t out[4096];
    size_t n = 0;
    if (!in)
        return 0;
    memcpy(in, data, size);
    v2x_pki_data_t d;
    if (v2x_pki_decode(in, size, &d) == V2X_OK
        && (v2x_pki_encode(&d, out, sizeof out, &n) != V2X_OK || n != size
            || memcmp(out, in, size) != 0))
        abort();
    v2x_pki_ec_request_t q;
    if (v2x_pki_ec_request_decode(in, size, &q) == V2X_OK
        && (v2x_pki_ec_request_encode(&q, out, sizeof out, &n) != V2X_OK || n != size
            || memcmp(out, in, size) != 0))
        abort();
    v2x_pki_shared_at_t sa;
    if (v2x_pki_shared_at_decode(in, size, &sa) == V2X_OK
        && (v2x_pki_shared_at_encode(&sa, out, sizeof out, &n) != V2X_OK || n != size
            || memcmp(out, in, size) != 0))
        abort();
    free(in);
    return 0;
}
