/* fuzz_uper.c — the UPER CAM and DENM decoders and the GeoNetworking decoder on arbitrary input;
 * what a decoder accepts re-encodes to exactly the input octets. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/v2x_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *in = malloc(size ? size : 1);
    if (!in)
        return 0;
    memcpy(in, data, size);
    uint8_t out[4200];
    size_t n;
    v2x_cam_t cam;
    if (v2x_cam_decode(in, size, &cam) == V2X_OK
        && (v2x_cam_encode(&cam, out, sizeof out, &n) != V2X_OK || n != size
            || memcmp(out, in, size) != 0))
        abort();
    v2x_denm_t denm;
    if (v2x_denm_decode(in, size, &denm) == V2X_OK
        && (v2x_denm_encode(&denm, out, sizeof out, &n) != V2X_OK || n != size
            || memcmp(out, in, size) != 0))
        abort();
    v2x_gn_t gn;
    const uint8_t *app;
    size_t app_len;
    if (v2x_gn_decode(in, size, &gn, &app, &app_len) == V2X_OK) {
        if (v2x_gn_encode(&gn, app, app_len, out, sizeof out, &n) != V2X_OK || n != size)
            abort();
        /* the media-dependent octets of an SHB are not kept */
        size_t skip_from = gn.kind == V2X_GN_SHB ? 32 : size, skip_to = 36;
        if (memcmp(out, in, skip_from < size ? skip_from : size) != 0
            || (skip_from < size && memcmp(out + skip_to, in + skip_to, size - skip_to) != 0))
            abort();
    }
    free(in);
    return 0;
}
