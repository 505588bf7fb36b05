/* fuzz_spdu.c — the OER Ieee1609Dot2Data decoder on arbitrary input, and what a receiver does
 * next with an accepted message: load the carried certificate, verify, check, decrypt attempts,
 * and the trace framer. A decoded unsecured message re-encodes to the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/v2x_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exactly-sized heap copy, so an over-read hits ASan's redzone */
    uint8_t *in = malloc(size ? size : 1);
    if (!in)
        return 0;
    memcpy(in, data, size);
    v2x_spdu_t s;
    if (v2x_spdu_decode(in, size, &s) == V2X_OK) {
        if (s.content == V2X_CONTENT_SIGNED) {
            (void)v2x_spdu_verify(&s, NULL);
            if (s.signer == V2X_SIGNER_CERTIFICATE) {
                v2x_cert_t *c = v2x_cert_new(s.cert, s.cert_len, NULL, NULL);
                if (c) {
                    (void)v2x_spdu_check(&s, c, 600000000000000ull);
                    (void)v2x_cert_check_issued(c, c);
                    v2x_cert_destroy(&c);
                }
            }
        } else if (s.content == V2X_CONTENT_UNSECURED) {
            uint8_t out[4096];
            size_t n;
            if (v2x_spdu_unsecured(s.payload, s.payload_len, out, sizeof out, &n) == V2X_OK
                && (n != size || memcmp(out, in, size) != 0))
                abort();
        }
    }
    uint8_t frame[4200];
    uint32_t lt;
    sg17_msg_t msg = {.type = "v2x.cam", .payload = in, .len = size};
    size_t need = v2x_trace_frame(&msg, "vehicle-1", "vehicle-2", frame, sizeof frame, &lt);
    if (need > 0 && need != size + 18)
        abort();
    free(in);
    return 0;
}
