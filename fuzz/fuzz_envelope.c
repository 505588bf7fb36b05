/* fuzz_envelope.c — the broker's frame decoder on arbitrary bytes: every input is either a frame
 * (which must re-pack to something that decodes again) or malformed; never a crash. */
#include <stdint.h>
#include <stdlib.h>

#include "bus/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sg17_frame_t *f = sg17_frame_decode(data, size);
    if (!f)
        return 0;
    size_t len = sg17__frame__get_packed_size(f);
    uint8_t *buf = malloc(len ? len : 1);
    if (buf) {
        sg17__frame__pack(f, buf);
        sg17_frame_t *again = sg17_frame_decode(buf, len);
        if (!again)
            __builtin_trap(); /* a frame we accepted must survive a round trip */
        sg17_frame_free(&again);
        free(buf);
    }
    sg17_frame_free(&f);
    return 0;
}
